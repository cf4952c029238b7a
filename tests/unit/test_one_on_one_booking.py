"""1:1 booking commands and the seed 003 1:1 scenarios."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from booking_core.actors import Actor
from booking_core.adapters.codec import dumps, loads
from booking_core.availability import (
    AvailabilityItem,
    OneTimeAvailability,
    SlotRequest,
    WeeklyAvailability,
)
from booking_core.availability.approval import ApprovalLevel, ApprovalPolicy
from booking_core.availability.commitments import Commitment
from booking_core.bookings.model import Booking, BookingStatus, BookingType
from booking_core.bookings.one_on_one import (
    OneOnOneCancelled,
    OneOnOneConfirmed,
    OneOnOneDeclined,
    OneOnOneExpired,
    OneOnOnePolicy,
    OneOnOneRequested,
    bookable_slots,
    booking_commitment,
    cancel_booking,
    confirm_booking,
    decline_booking,
    expire_booking,
    request_booking,
)
from booking_core.errors import (
    AlreadyBookedError,
    BookingTransitionError,
    DecisionDeadlinePassedError,
    ExpiryNotDueError,
    InvalidValueError,
    NotBookingHolderError,
    SlotNotAvailableError,
    StudentDoubleBookedError,
    TeacherDoubleBookedError,
)
from booking_core.intervals import TimeWindow

UTC = timezone.utc
NOW = datetime(2026, 5, 25, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)
ZONE = "Europe/London"
MONDAY = date(2026, 6, 1)
# seed 003 test 1: the teacher's recurring slot, Monday 14:00-15:00
MONDAYS: list[AvailabilityItem] = [
    WeeklyAvailability(weekday=0, start=time(14), end=time(15), zone=ZONE)
]
REQUEST = SlotRequest(first_date=MONDAY, last_date=MONDAY, zone=ZONE, duration=HOUR)
SLOT = TimeWindow.of(datetime(2026, 6, 1, 13, tzinfo=UTC), HOUR)  # 14:00 BST
APPROVAL = OneOnOnePolicy(approval=ApprovalPolicy(courses={"math": True}))
TEACHER = Actor.teacher("t-1")


def _book(
    student: str = "s-1",
    booking_id: str = "b-1",
    *,
    bookings: tuple[Booking, ...] = (),
    policy: OneOnOnePolicy | None = None,
    availability: list[AvailabilityItem] = MONDAYS,
    slot: TimeWindow = SLOT,
    request: SlotRequest = REQUEST,
    others: tuple[Commitment, ...] = (),
    now: datetime = NOW,
) -> Booking:
    decision = request_booking(
        booking_id=booking_id,
        session_id=f"session-{booking_id}",
        slot=slot,
        teacher_id="t-1",
        student_id=student,
        course_id="math",
        availability=availability,
        request=request,
        bookings=bookings,
        other_commitments=others,
        actor=Actor.student(student),
        now=now,
        policy=policy,
    )
    assert decision.state.id == booking_id
    return decision.state


def _listed(
    bookings: tuple[Booking, ...], policy: OneOnOnePolicy | None = None
) -> tuple[TimeWindow, ...]:
    held = [c for c in map(booking_commitment, bookings) if c is not None]
    return bookable_slots(MONDAYS, held, REQUEST, now=NOW, policy=policy)


def test_recurring_slot_monday_14_15_is_listed() -> None:
    assert _listed(()) == (SLOT,)


def test_one_time_slot_books() -> None:
    window = TimeWindow.of(datetime(2026, 6, 3, 10, tzinfo=UTC), HOUR)
    one_time: list[AvailabilityItem] = [OneTimeAvailability(window=window)]
    request = SlotRequest(
        first_date=date(2026, 6, 3),
        last_date=date(2026, 6, 3),
        zone="Asia/Kolkata",
        duration=HOUR,
    )
    booking = _book(availability=one_time, slot=window, request=request)
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.type is BookingType.ONE_ON_ONE


def test_auto_confirm_without_approval() -> None:
    decision = request_booking(
        booking_id="b-1",
        session_id="session-1",
        slot=SLOT,
        teacher_id="t-1",
        student_id="s-1",
        course_id="math",
        availability=MONDAYS,
        request=REQUEST,
        bookings=[],
        actor=Actor.student("s-1"),
        now=NOW,
    )
    booking = decision.state
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.decision is not None
    assert booking.decision.at == NOW
    (event,) = decision.events
    assert isinstance(event, OneOnOneConfirmed)
    assert (event.level, event.approved) == (ApprovalLevel.PLATFORM, False)


def test_pending_then_approved_with_approval() -> None:
    decision = request_booking(
        booking_id="b-1",
        session_id="session-1",
        slot=SLOT,
        teacher_id="t-1",
        student_id="s-1",
        course_id="math",
        availability=MONDAYS,
        request=REQUEST,
        bookings=[],
        actor=Actor.student("s-1"),
        now=NOW,
        policy=APPROVAL,
    )
    pending = decision.state
    assert pending.status is BookingStatus.PENDING
    (requested,) = decision.events
    assert isinstance(requested, OneOnOneRequested)
    assert requested.level is ApprovalLevel.COURSE
    assert requested.decide_by == NOW + timedelta(hours=48)
    later = NOW + timedelta(hours=5)
    confirmed = confirm_booking(
        pending,
        availability=MONDAYS,
        request=REQUEST,
        bookings=[pending],
        actor=TEACHER,
        now=later,
        policy=APPROVAL,
    )
    assert confirmed.state.status is BookingStatus.CONFIRMED
    assert confirmed.state.decision is not None
    assert (confirmed.state.decision.by, confirmed.state.decision.at) == (
        TEACHER,
        later,
    )
    (event,) = confirmed.events
    assert isinstance(event, OneOnOneConfirmed)
    assert event.approved
    for item in (*decision.events, *confirmed.events, confirmed.state):
        assert loads(dumps(item)) == item


def test_double_booking_of_one_slot_is_prevented_and_booked_slot_not_listed() -> None:
    first = _book()
    assert _listed((first,)) == ()
    with pytest.raises(TeacherDoubleBookedError):
        _book("s-2", "b-2", bookings=(first,))
    with pytest.raises(AlreadyBookedError):
        _book("s-1", "b-2", bookings=(first,))


def test_pending_holds_the_slot_by_default_but_not_when_the_policy_says_so() -> None:
    pending = _book(policy=APPROVAL)
    assert _listed((pending,), APPROVAL) == ()
    with pytest.raises(TeacherDoubleBookedError):
        _book("s-2", "b-2", bookings=(pending,), policy=APPROVAL)
    loose = OneOnOnePolicy(
        approval=ApprovalPolicy(courses={"math": True}), pending_holds_slot=False
    )
    assert _listed((pending,), loose) == (SLOT,)
    second = _book("s-2", "b-2", bookings=(pending,), policy=loose)
    # two pending requests for one slot: only the first confirmation passes
    first_ok = confirm_booking(
        pending,
        availability=MONDAYS,
        request=REQUEST,
        bookings=[pending, second],
        actor=TEACHER,
        now=NOW,
        policy=loose,
    ).state
    with pytest.raises(TeacherDoubleBookedError):
        confirm_booking(
            second,
            availability=MONDAYS,
            request=REQUEST,
            bookings=[first_ok, second],
            actor=TEACHER,
            now=NOW,
            policy=loose,
        )


@pytest.mark.parametrize(
    "how", ["decline", "expire", "cancel_student", "cancel_teacher"]
)
def test_declined_expired_or_cancelled_slot_is_listed_again(how: str) -> None:
    pending = _book(policy=APPROVAL)
    assert _listed((pending,)) == ()
    if how == "decline":
        decision = decline_booking(pending, actor=TEACHER, now=NOW, reason="busy")
        assert isinstance(decision.events[0], OneOnOneDeclined)
    elif how == "expire":
        deadline = NOW + timedelta(hours=48)
        with pytest.raises(ExpiryNotDueError):
            expire_booking(
                pending, actor=Actor.system(), now=deadline - timedelta(seconds=1)
            )
        decision = expire_booking(pending, actor=Actor.system(), now=deadline)
        assert isinstance(decision.events[0], OneOnOneExpired)
        assert decision.events[0].deadline == deadline
    else:
        actor = Actor.student("s-1") if how == "cancel_student" else TEACHER
        decision = cancel_booking(
            pending, reason=" plans changed ", actor=actor, now=NOW
        )
        event = decision.events[0]
        assert isinstance(event, OneOnOneCancelled)
        assert (event.previous_status, event.reason) == (
            BookingStatus.PENDING,
            "plans changed",
        )
        assert decision.state.cancellation is not None
        assert decision.state.cancellation.by == actor
    assert not decision.state.is_active
    assert _listed((decision.state,)) == (SLOT,)
    assert (
        _book("s-2", "b-2", bookings=(decision.state,)).status
        is BookingStatus.CONFIRMED
    )
    assert loads(dumps(decision.events[0])) == decision.events[0]


def test_deadline_is_the_session_start_when_sooner() -> None:
    close = SLOT.start - timedelta(hours=10)
    pending = _book(policy=APPROVAL, now=close)
    with pytest.raises(DecisionDeadlinePassedError):
        confirm_booking(
            pending,
            availability=MONDAYS,
            request=REQUEST,
            bookings=[pending],
            actor=TEACHER,
            now=SLOT.start,
            policy=APPROVAL,
        )
    with pytest.raises(DecisionDeadlinePassedError):
        decline_booking(pending, actor=TEACHER, now=SLOT.start)
    assert (
        expire_booking(pending, actor=Actor.system(), now=SLOT.start).state.status
        is BookingStatus.EXPIRED
    )


def test_teacher_never_double_booked_across_group_sessions() -> None:
    group = Commitment(
        window=TimeWindow.of(SLOT.start - timedelta(minutes=30), HOUR),
        teacher_id="t-1",
        kind="group_session",
        ref_id="group-1",
    )
    with pytest.raises(TeacherDoubleBookedError):
        _book(others=(group,))
    student_group = Commitment(
        window=SLOT,
        teacher_id="t-9",
        student_id="s-1",
        kind="group_session",
        ref_id="g-2",
    )
    with pytest.raises(StudentDoubleBookedError):
        _book(others=(student_group,))


def test_refusals_change_nothing() -> None:
    pending = _book(policy=APPROVAL)
    before = dumps(pending)
    confirmed = _book("s-3", "b-3", bookings=(), policy=None, slot=SLOT)
    with pytest.raises(NotBookingHolderError):
        confirm_booking(
            pending,
            availability=MONDAYS,
            request=REQUEST,
            bookings=[pending],
            actor=Actor.teacher("t-2"),
            now=NOW,
            policy=APPROVAL,
        )
    with pytest.raises(NotBookingHolderError):
        decline_booking(pending, actor=Actor.student("s-1"), now=NOW)
    with pytest.raises(NotBookingHolderError):
        cancel_booking(pending, reason="x", actor=Actor.student("s-2"), now=NOW)
    with pytest.raises(NotBookingHolderError):
        _book_as(Actor.student("s-2"))
    with pytest.raises(InvalidValueError):
        cancel_booking(pending, reason="  ", actor=TEACHER, now=NOW)
    with pytest.raises(BookingTransitionError):
        confirm_booking(
            confirmed,
            availability=MONDAYS,
            request=REQUEST,
            bookings=[confirmed],
            actor=TEACHER,
            now=NOW,
        )
    with pytest.raises(BookingTransitionError):
        expire_booking(confirmed, actor=Actor.system(), now=NOW + timedelta(days=9))
    cancelled = cancel_booking(
        confirmed, reason="ill", actor=Actor.admin("a"), now=NOW
    ).state
    with pytest.raises(BookingTransitionError):
        cancel_booking(cancelled, reason="again", actor=TEACHER, now=NOW)
    with pytest.raises(SlotNotAvailableError):
        _book(slot=TimeWindow.of(SLOT.start + HOUR, HOUR))
    assert dumps(pending) == before
    assert booking_commitment(cancelled) is None


def _book_as(actor: Actor) -> Booking:
    return request_booking(
        booking_id="b-9",
        session_id="session-9",
        slot=SLOT,
        teacher_id="t-1",
        student_id="s-1",
        course_id="math",
        availability=MONDAYS,
        request=REQUEST,
        bookings=[],
        actor=actor,
        now=NOW,
    ).state


def test_admin_may_book_for_a_student_and_group_bookings_hold_no_commitment() -> None:
    assert _book_as(Actor.admin("a-1")).status is BookingStatus.CONFIRMED
    group = Booking(
        id="g-b",
        type="group",
        session_id="g",
        student_id="s-1",
        teacher_id="t-1",
        course_id="math",
        window=SLOT,
        status="confirmed",
        created_at=NOW,
    )
    assert booking_commitment(group) is None
