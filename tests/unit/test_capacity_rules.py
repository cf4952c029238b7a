"""The pure seat decisions: every rule, every refusal (which changes nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from booking_core.actors import Actor, Role
from booking_core.bookings import capacity, offers
from booking_core.bookings.model import (
    Booking,
    BookingNote,
    BookingStatus,
    SeatMove,
    apply_move,
)
from booking_core.bookings.policies import BookingPolicy, WaitlistMode, WaitlistPolicy
from booking_core.bookings.seats import SeatState
from booking_core.errors import (
    BookingTransitionError,
    CapacityBelowTakenError,
    InvalidValueError,
    NotBookingHolderError,
    OfferExpiredError,
    OfferNotDueError,
    SeatsUnavailableError,
    SessionNotBookableError,
    TooManySeatsError,
)
from booking_core.intervals import TimeWindow
from booking_core.sessions import Session, SessionStatus

T0 = datetime(2028, 2, 28, 9, tzinfo=timezone.utc)  # Feb 29 ahead
START = T0 + timedelta(days=1, hours=3)
OFFER = WaitlistPolicy(mode=WaitlistMode.OFFER)


def _session(capacity: int = 2, *, waitlist: bool = True, **changes: Any) -> Session:
    session = Session(
        id="s",
        kind="group",
        teacher_id="t",
        course_id="c",
        window=TimeWindow.of(START, timedelta(hours=1)),
        zone="Asia/Kolkata",
        capacity=capacity,
        waitlist_enabled=waitlist,
    )
    return attrs.evolve(session, **changes)


def _booking(move: SeatMove, student: str, session: Session) -> Booking:
    return Booking(
        id=move.booking_id,
        type="group",
        session_id=session.id,
        student_id=student,
        teacher_id="t",
        course_id="c",
        window=session.window,
        status=move.status,
        seats=move.seats,
        created_at=T0,
        offer_expires_at=move.offer_expires_at,
    )


def _book(
    session: Session, student: str, seats: int = 1, *, max_seats: int = 2
) -> tuple[Session, Booking]:
    decision = capacity.book(
        session,
        booking_id=f"b-{student}",
        student_id=student,
        seats=seats,
        actor=Actor.student(student),
        now=T0,
        policy=BookingPolicy(max_seats_per_booking=max_seats),
    )
    move = decision.state.moves[0]
    return decision.state.session, _booking(move, student, session)


def test_last_seat_then_waitlist_then_fifo_promotion() -> None:
    session, ann = _book(_session(2), "ann", 2)
    session, _bob = _book(session, "bob", 1)
    session, _cat = _book(session, "cat", 1)
    assert [e.booking_id for e in session.seats.waitlist] == ["b-bob", "b-cat"]
    decision = capacity.cancel(
        session, ann, actor=Actor.student("ann"), now=T0, seats=1
    )
    assert [(m.booking_id, m.status.value, m.seats) for m in decision.state.moves] == [
        ("b-ann", "confirmed", 1),
        ("b-bob", "confirmed", 1),
    ]
    assert decision.events[0].remaining_seats == 1  # type: ignore[attr-defined]


def test_a_head_asking_for_more_seats_blocks_the_queue() -> None:
    session, ann = _book(_session(2), "ann", 2)
    session, bob = _book(session, "bob", 2)
    session, _ = _book(session, "cat", 1)
    decision = capacity.cancel(session, ann, actor=Actor.admin("a"), now=T0, seats=1)
    assert [m.booking_id for m in decision.state.moves] == ["b-ann"]
    # the blocked head shrinks its request: now it fits
    shrink = capacity.cancel(
        decision.state.session, bob, actor=Actor.student("bob"), now=T0, seats=1
    )
    assert [(m.booking_id, m.status.value) for m in shrink.state.moves] == [
        ("b-bob", "waitlisted"),
        ("b-bob", "confirmed"),
    ]
    assert shrink.state.session.seats.waitlist[0].booking_id == "b-cat"


def test_a_new_booking_never_jumps_the_queue() -> None:
    session, _ann = _book(_session(2), "ann", 1)
    session, _bob = _book(session, "bob", 2)  # waits: only 1 free
    session, cat = _book(session, "cat", 1)
    assert cat.status is BookingStatus.WAITLISTED


def test_offer_lifecycle_and_cut_off() -> None:
    session, ann = _book(_session(1), "ann")
    session, bob = _book(session, "bob")
    decision = capacity.cancel(
        session, ann, actor=Actor.teacher("t"), now=T0, policy=OFFER
    )
    offer = decision.state.session.seats.offers[0]
    assert offer.expires_at == T0 + timedelta(hours=12)
    assert offers.due_offers(decision.state.session, now=T0) == ()
    with pytest.raises(OfferNotDueError):
        offers.expire_offer(
            decision.state.session, "b-bob", actor=Actor.system(), now=T0
        )
    offered = apply_move(bob, decision.state.moves[1], actor=Actor.system(), now=T0)
    with pytest.raises(OfferExpiredError):
        offers.accept_offer(
            decision.state.session,
            offered,
            actor=Actor.student("bob"),
            now=offer.expires_at,
        )
    # within the cut-off before the start nobody is offered seats
    late = START - timedelta(minutes=30)
    session2, ann2 = _book(_session(1), "ann")
    session2, _ = _book(session2, "bob")
    quiet = capacity.cancel(
        session2, ann2, actor=Actor.system(), now=late, policy=OFFER
    )
    assert [m.booking_id for m in quiet.state.moves] == ["b-ann"]
    assert capacity.promotion_deadline(session2, OFFER) == START - timedelta(hours=1)


def test_an_offer_never_outlasts_the_start() -> None:
    session, ann = _book(_session(1), "ann")
    session, _ = _book(session, "bob")
    now = START - timedelta(hours=2)
    decision = capacity.cancel(
        session, ann, actor=Actor.system(), now=now, policy=OFFER
    )
    assert decision.state.session.seats.offers[0].expires_at == START


def test_cancelling_offers_and_waitlist_entries_leaves_nothing_stale() -> None:
    session, _ann = _book(_session(1), "ann")
    session, bob = _book(session, "bob", 2)
    session, cat = _book(session, "cat", 1)
    gone = capacity.cancel(session, cat, actor=Actor.student("cat"), now=T0)
    assert [e.booking_id for e in gone.state.session.seats.waitlist] == ["b-bob"]
    session = capacity.change_capacity(
        session, 3, actor=Actor.teacher("t"), now=T0, policy=OFFER
    ).state.session
    bob = attrs.evolve(bob, status=BookingStatus.OFFERED)
    partial = capacity.cancel(session, bob, actor=Actor.student("bob"), now=T0, seats=1)
    assert partial.state.session.seats.offers[0].seats == 1
    whole = capacity.cancel(session, bob, actor=Actor.student("bob"), now=T0)
    assert whole.state.session.seats.offers == ()


def test_decline_and_expire_due_offers() -> None:
    session, ann = _book(_session(1), "ann")
    session, bob = _book(session, "bob")
    session = capacity.cancel(
        session, ann, actor=Actor.system(), now=T0, policy=OFFER
    ).state.session
    offered = attrs.evolve(bob, status=BookingStatus.OFFERED)
    declined = offers.decline_offer(
        session, offered, actor=Actor.student("bob"), now=T0, policy=OFFER
    )
    assert declined.state.moves[0].status is BookingStatus.DECLINED
    later = T0 + timedelta(hours=12)
    expired = offers.expire_due_offers(session, actor=Actor.system(), now=later)
    assert [m.status for m in expired.state.moves] == [BookingStatus.EXPIRED]
    with pytest.raises(InvalidValueError):
        offers.expire_offer(session, "nobody", actor=Actor.system(), now=later)
    with pytest.raises(InvalidValueError):
        offers.decline_offer(
            declined.state.session, offered, actor=Actor.student("bob"), now=T0
        )


def test_capacity_changes() -> None:
    session, _ = _book(_session(2, waitlist=False), "ann", 2)
    assert capacity.availability(session).booking_open is False
    with pytest.raises(CapacityBelowTakenError) as refused:
        capacity.change_capacity(session, 1, actor=Actor.admin("a"), now=T0)
    assert refused.value.code == "booking.capacity_below_taken"
    raised = capacity.change_capacity(session, 3, actor=Actor.teacher("t"), now=T0)
    assert [e.name for e in raised.events] == [
        "session.capacity_changed",
        "session.booking_reopened",
    ]
    lowered = capacity.change_capacity(
        raised.state.session, 2, actor=Actor.teacher("t"), now=T0
    )
    assert [e.name for e in lowered.events] == [
        "session.capacity_changed",
        "session.booking_closed",
    ]
    for bad in (0, True, "3"):
        with pytest.raises(InvalidValueError):
            capacity.change_capacity(session, bad, actor=Actor.admin("a"), now=T0)  # type: ignore[arg-type]
    with pytest.raises(NotBookingHolderError):
        capacity.change_capacity(session, 3, actor=Actor.teacher("other"), now=T0)


@pytest.mark.parametrize(
    ("session", "reason"),
    [
        (_session(kind="one_on_one", capacity=1, waitlist_enabled=False), "1:1"),
        (_session(status=SessionStatus.CANCELLED), "cancelled"),
    ],
)
def test_unbookable_sessions(session: Session, reason: str) -> None:
    with pytest.raises(SessionNotBookableError) as refused:
        _book(session, "ann")
    assert reason in str(refused.value)


@given(minutes=st.integers(0, 600))
@example(minutes=0)
def test_a_started_session_takes_no_booking(minutes: int) -> None:
    with pytest.raises(SessionNotBookableError):
        capacity.book(
            _session(),
            booking_id="b",
            student_id="ann",
            seats=1,
            actor=Actor.student("ann"),
            now=START + timedelta(minutes=minutes),
        )


def test_book_refusals() -> None:
    session = _session(1, waitlist=False)
    with pytest.raises(TooManySeatsError):
        _book(session, "ann", 2, max_seats=1)
    with pytest.raises(InvalidValueError):
        _book(session, "ann", 0)
    with pytest.raises(NotBookingHolderError):
        capacity.book(
            session,
            booking_id="b",
            student_id="ann",
            seats=1,
            actor=Actor.student("bob"),
            now=T0,
        )
    with pytest.raises(SeatsUnavailableError):
        _book(session, "ann", 2)
    admin = capacity.book(
        session,
        booking_id="b",
        student_id="ann",
        seats=1,
        actor=Actor.admin("a"),
        now=T0,
    )
    assert admin.state.moves[0].status is BookingStatus.CONFIRMED


def test_booking_command_refusals() -> None:
    session, ann = _book(_session(1), "ann")
    with pytest.raises(NotBookingHolderError):
        capacity.cancel(session, ann, actor=Actor.student("bob"), now=T0)
    with pytest.raises(NotBookingHolderError):
        offers.accept_offer(session, ann, actor=Actor.teacher("t"), now=T0)
    with pytest.raises(BookingTransitionError):
        offers.accept_offer(session, ann, actor=Actor.student("ann"), now=T0)
    for seats in (0, 2):
        with pytest.raises(InvalidValueError):
            capacity.cancel(
                session, ann, actor=Actor.student("ann"), now=T0, seats=seats
            )
    other = attrs.evolve(ann, session_id="elsewhere")
    with pytest.raises(InvalidValueError):
        capacity.cancel(session, other, actor=Actor.student("ann"), now=T0)
    offered = attrs.evolve(ann, status=BookingStatus.OFFERED)
    with pytest.raises(InvalidValueError):
        offers.accept_offer(session, offered, actor=Actor.student("ann"), now=T0)
    cancelled = attrs.evolve(ann, status=BookingStatus.CANCELLED)
    with pytest.raises(BookingTransitionError):
        capacity.cancel(session, cancelled, actor=Actor.student("ann"), now=T0)


def test_policies_validate() -> None:
    with pytest.raises(InvalidValueError):
        WaitlistPolicy(mode="lottery")
    with pytest.raises(InvalidValueError):
        WaitlistPolicy(offer_ttl=timedelta(0))
    with pytest.raises(InvalidValueError):
        WaitlistPolicy(offer_cutoff=timedelta(minutes=-1))
    with pytest.raises(InvalidValueError):
        BookingPolicy(max_seats_per_booking=0)
    assert WaitlistPolicy(mode="offer").mode is WaitlistMode.OFFER


def test_session_refuses_more_taken_than_capacity() -> None:
    with pytest.raises(InvalidValueError):
        _session(1, seats=SeatState(confirmed=2))


def test_booking_values() -> None:
    _session_after, ann = _book(_session(1), "ann")
    with pytest.raises(InvalidValueError):
        attrs.evolve(ann, type="private")
    with pytest.raises(InvalidValueError):
        attrs.evolve(ann, status="lost")
    with pytest.raises(InvalidValueError):
        apply_move(
            ann,
            SeatMove(booking_id="x", status="cancelled", seats=1),
            actor=Actor.system(),
            now=T0,
        )
    noted = attrs.evolve(
        ann,
        notes=[
            BookingNote(author=Actor.student("ann"), text="vegan", written_at=T0),
            BookingNote(author=Actor.teacher("t"), text="bring a pen", written_at=T0),
        ],
    )
    assert [n.text for n in noted.notes_by(Role.TEACHER)] == ["bring a pen"]
    cancelled = apply_move(
        ann,
        SeatMove(booking_id=ann.id, status="cancelled", seats=1, reason="ill"),
        actor=Actor.student("ann"),
        now=T0,
    )
    assert cancelled.cancellation is not None
    assert cancelled.cancellation.reason == "ill"
    assert not cancelled.is_active


def test_accepting_the_second_of_two_offers() -> None:
    session, ann = _book(_session(2), "ann", 2)
    session, _bob = _book(session, "bob")
    session, cat = _book(session, "cat")
    session = capacity.cancel(
        session, ann, actor=Actor.system(), now=T0, policy=OFFER
    ).state.session
    assert [o.booking_id for o in session.seats.offers] == ["b-bob", "b-cat"]
    offered = attrs.evolve(cat, status=BookingStatus.OFFERED)
    accepted = offers.accept_offer(session, offered, actor=Actor.student("cat"), now=T0)
    seats = accepted.state.session.seats
    assert (seats.confirmed, [o.booking_id for o in seats.offers]) == (1, ["b-bob"])
