"""Seat commands: each guard on its own, and the error details hosts show.

Every refusal here is checked for its class *and* its details (``field``,
``reason``, ``action``, ``allowed`` ...), the values a host renders next to a
form field or in an HTTP problem response.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.bookings import capacity, offers
from booking_core.bookings.model import Booking, BookingStatus, SeatMove
from booking_core.bookings.policies import BookingPolicy, WaitlistMode, WaitlistPolicy
from booking_core.errors import (
    BookingSessionClosedError,
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

T0 = datetime(2028, 2, 28, 9, tzinfo=timezone.utc)
START = T0 + timedelta(days=1, hours=3)
OFFER = WaitlistPolicy(mode=WaitlistMode.OFFER)


def _session(seats: int = 1, **changes: Any) -> Session:
    session = Session(
        id="s",
        kind="group",
        teacher_id="t",
        course_id="c",
        window=TimeWindow.of(START, timedelta(hours=1)),
        zone="Europe/London",
        capacity=seats,
        waitlist_enabled=True,
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


def _book(session: Session, student: str, seats: int = 1) -> tuple[Session, Booking]:
    decision = capacity.book(
        session,
        booking_id=f"b-{student}",
        student_id=student,
        seats=seats,
        actor=Actor.student(student),
        now=T0,
        policy=BookingPolicy(max_seats_per_booking=3),
    )
    return decision.state.session, _booking(decision.state.moves[0], student, session)


def _offered_pair() -> tuple[Session, Booking]:
    """A one-seat session whose seat is offered to bob (ann cancelled)."""
    session, ann = _book(_session(1), "ann")
    session, bob = _book(session, "bob")
    session = capacity.cancel(
        session, ann, actor=Actor.system(), now=T0, policy=OFFER
    ).state.session
    return session, attrs.evolve(bob, status=BookingStatus.OFFERED)


# -- the session-open check, command by command -------------------------------------


def test_cancel_refuses_once_the_session_started() -> None:
    session, ann = _book(_session(2), "ann")
    with pytest.raises(BookingSessionClosedError) as caught:
        capacity.cancel(session, ann, actor=Actor.student("ann"), now=START)
    assert caught.value.code == "booking.session_closed"
    assert caught.value.details == {
        "booking_id": ann.id,
        "session_id": "s",
        "reason": f"started at {START.isoformat()}",
    }
    # one microsecond earlier it still works
    just_before = START - timedelta(microseconds=1)
    done = capacity.cancel(session, ann, actor=Actor.student("ann"), now=just_before)
    assert done.state.session.seats.confirmed == 0


def test_cancel_refuses_on_a_cancelled_session() -> None:
    session, ann = _book(_session(2), "ann")
    closed = attrs.evolve(session, status=SessionStatus.CANCELLED)
    with pytest.raises(BookingSessionClosedError) as caught:
        capacity.cancel(closed, ann, actor=Actor.student("ann"), now=T0)
    assert caught.value.details["reason"] == "is cancelled"
    assert "cannot cancel booking" in str(caught.value)


def test_cancel_refuses_a_booking_of_a_one_to_one_session() -> None:
    session, ann = _book(_session(1), "ann")
    one = attrs.evolve(session, kind="one_on_one", waitlist_enabled=False)
    with pytest.raises(SessionNotBookableError) as caught:
        capacity.cancel(one, ann, actor=Actor.system(), now=T0)
    assert caught.value.details["reason"] == (
        "it is a 1:1 session (booked by request and approval)"
    )


def test_the_system_may_close_a_booking_of_a_closed_or_started_session() -> None:
    session, ann = _book(_session(2), "ann")
    done = capacity.cancel(session, ann, actor=Actor.system(), now=START)
    assert done.state.moves[0].status is BookingStatus.CANCELLED
    closed = attrs.evolve(session, status=SessionStatus.CANCELLED)
    done = capacity.cancel(closed, ann, actor=Actor.system(), now=T0)
    assert done.state.moves[0].status is BookingStatus.CANCELLED


def test_change_capacity_refuses_once_the_session_started() -> None:
    with pytest.raises(SessionNotBookableError) as caught:
        capacity.change_capacity(_session(2), 3, actor=Actor.teacher("t"), now=START)
    assert caught.value.details["action"] == "change the capacity"
    assert caught.value.details["reason"] == f"it started at {START.isoformat()}"


def test_change_capacity_refuses_on_a_one_to_one_session() -> None:
    one = attrs.evolve(_session(1), kind="one_on_one", waitlist_enabled=False)
    with pytest.raises(SessionNotBookableError) as caught:
        capacity.change_capacity(one, 1, actor=Actor.admin("a"), now=T0)
    assert caught.value.details["reason"] == (
        "it is a 1:1 session (booked by request and approval)"
    )


def test_accept_offer_refuses_once_the_session_started() -> None:
    session, bob = _offered_pair()
    with pytest.raises(SessionNotBookableError) as caught:
        offers.accept_offer(session, bob, actor=Actor.student("bob"), now=START)
    assert caught.value.details["action"] == "accept a seat offer"


# -- who may act ---------------------------------------------------------------------


def test_decline_offer_is_for_its_student_or_an_admin_only() -> None:
    session, bob = _offered_pair()
    for intruder in (Actor.student("ann"), Actor.teacher("t")):
        with pytest.raises(NotBookingHolderError) as caught:
            offers.decline_offer(session, bob, actor=intruder, now=T0)
        assert caught.value.details == {
            "actor": str(intruder),
            "action": "decline the offer of",
            "booking_id": "b-bob",
            "allowed": "its student or an admin",
        }
    for holder in (Actor.student("bob"), Actor.admin("a"), Actor.system()):
        declined = offers.decline_offer(session, bob, actor=holder, now=T0)
        assert declined.state.moves[0].status is BookingStatus.DECLINED
        assert declined.state.session.seats.offers == ()


def test_cancel_names_who_may_cancel() -> None:
    session, ann = _book(_session(2), "ann")
    with pytest.raises(NotBookingHolderError) as caught:
        capacity.cancel(session, ann, actor=Actor.teacher("other"), now=T0)
    assert caught.value.details["allowed"] == (
        "its student, the session's teacher or an admin"
    )
    # the session's own teacher may
    done = capacity.cancel(session, ann, actor=Actor.teacher("t"), now=T0)
    assert done.state.moves[0].status is BookingStatus.CANCELLED


def test_booking_for_someone_else_is_refused_with_details() -> None:
    with pytest.raises(NotBookingHolderError) as caught:
        capacity.book(
            _session(2),
            booking_id="b",
            student_id="ann",
            seats=1,
            actor=Actor.student("bob"),
            now=T0,
        )
    assert caught.value.details == {
        "actor": str(Actor.student("bob")),
        "action": "book",
        "booking_id": "b",
        "allowed": "the student themselves or an admin",
    }


def test_change_capacity_is_for_the_teacher_or_an_admin() -> None:
    with pytest.raises(NotBookingHolderError) as caught:
        capacity.change_capacity(_session(2), 3, actor=Actor.teacher("x"), now=T0)
    assert caught.value.details["allowed"] == "the session's teacher or an admin"
    assert caught.value.details["booking_id"] == "session s"


# -- seat counts ---------------------------------------------------------------------


@pytest.mark.parametrize("seats", [0, -1, True, 1.0])
def test_book_validates_the_seat_count(seats: object) -> None:
    with pytest.raises(InvalidValueError) as caught:
        capacity.book(
            _session(2),
            booking_id="b",
            student_id="ann",
            seats=seats,  # type: ignore[arg-type]
            actor=Actor.student("ann"),
            now=T0,
        )
    assert caught.value.details == {
        "field": "seats",
        "reason": "must be a whole number above 0",
        "value": seats,
    }


def test_book_refuses_more_seats_than_the_policy_allows() -> None:
    with pytest.raises(TooManySeatsError) as caught:
        capacity.book(
            _session(5),
            booking_id="b",
            student_id="ann",
            seats=3,
            actor=Actor.student("ann"),
            now=T0,
            policy=BookingPolicy(max_seats_per_booking=2),
        )
    assert caught.value.details == {"maximum": 2, "requested": 3}


@pytest.mark.parametrize("seats", [0, 3, True])
def test_cancel_validates_the_seat_count(seats: object) -> None:
    session, ann = _book(_session(2), "ann", 2)
    with pytest.raises(InvalidValueError) as caught:
        capacity.cancel(
            session,
            ann,
            actor=Actor.student("ann"),
            now=T0,
            seats=seats,  # type: ignore[arg-type]
        )
    assert caught.value.details == {
        "field": "seats",
        "reason": "must be between 1 and 2",
        "value": seats,
    }


def test_cancel_accepts_the_bounds_of_the_seat_count() -> None:
    session, ann = _book(_session(2), "ann", 2)
    one = capacity.cancel(session, ann, actor=Actor.student("ann"), now=T0, seats=1)
    assert one.state.session.seats.confirmed == 1
    both = capacity.cancel(session, ann, actor=Actor.student("ann"), now=T0, seats=2)
    assert both.state.session.seats.confirmed == 0
    assert both.state.moves[0].status is BookingStatus.CANCELLED


@pytest.mark.parametrize("seats", [0, True])
def test_change_capacity_validates_the_count(seats: object) -> None:
    with pytest.raises(InvalidValueError) as caught:
        capacity.change_capacity(
            _session(2),
            seats,  # type: ignore[arg-type]
            actor=Actor.teacher("t"),
            now=T0,
        )
    assert caught.value.details["field"] == "capacity"
    assert caught.value.details["reason"] == "must be a whole number above 0"


def test_change_capacity_down_to_exactly_the_taken_seats() -> None:
    session, _ = _book(_session(3), "ann", 2)
    lower = capacity.change_capacity(session, 2, actor=Actor.teacher("t"), now=T0)
    assert lower.state.session.capacity == 2
    with pytest.raises(CapacityBelowTakenError) as caught:
        capacity.change_capacity(session, 1, actor=Actor.teacher("t"), now=T0)
    assert caught.value.details == {"session_id": "s", "capacity": 1, "taken": 2}


def test_a_booking_of_another_session_is_refused_with_details() -> None:
    session, ann = _book(_session(2), "ann")
    stranger = attrs.evolve(ann, session_id="other")
    with pytest.raises(InvalidValueError) as caught:
        capacity.cancel(session, stranger, actor=Actor.student("ann"), now=T0)
    assert caught.value.details == {
        "field": "booking",
        "reason": "must belong to session 's'",
        "value": "other",
    }


# -- expiring offers -----------------------------------------------------------------


def test_expire_due_offers_keeps_every_event_and_move() -> None:
    session, ann = _book(_session(2), "ann", 2)
    session, _bob = _book(session, "bob")
    session, _cat = _book(session, "cat")
    session = capacity.cancel(
        session, ann, actor=Actor.system(), now=T0, policy=OFFER
    ).state.session
    assert [o.booking_id for o in session.seats.offers] == ["b-bob", "b-cat"]
    later = T0 + timedelta(hours=12)
    expired = offers.expire_due_offers(
        session, actor=Actor.system(), now=later, policy=OFFER
    )
    assert [(m.booking_id, m.status) for m in expired.state.moves] == [
        ("b-bob", BookingStatus.EXPIRED),
        ("b-cat", BookingStatus.EXPIRED),
    ]
    assert [type(e).__name__ for e in expired.events] == [
        "OfferExpired",
        "OfferExpired",
    ]
    assert [e.aggregate_id for e in expired.events] == ["b-bob", "b-cat"]
    assert expired.state.session.seats.offers == ()


def test_expire_offer_refusals_name_the_booking() -> None:
    session, _ = _offered_pair()
    with pytest.raises(InvalidValueError) as caught:
        offers.expire_offer(session, "nobody", actor=Actor.system(), now=T0)
    assert caught.value.details == {
        "field": "booking_id",
        "reason": "has no open offer on session 's'",
        "value": "nobody",
    }


# -- the promotion deadline, sequences and reopening ---------------------------------


def test_offers_stop_exactly_at_the_cut_off() -> None:
    session, ann = _book(_session(1), "ann")
    session, _ = _book(session, "bob")
    deadline = capacity.promotion_deadline(session, OFFER)
    assert deadline == START - timedelta(hours=1)
    at = capacity.cancel(session, ann, actor=Actor.system(), now=deadline, policy=OFFER)
    assert [m.booking_id for m in at.state.moves] == ["b-ann"]
    before = deadline - timedelta(microseconds=1)
    offered = capacity.cancel(
        session, ann, actor=Actor.system(), now=before, policy=OFFER
    )
    assert [m.booking_id for m in offered.state.moves] == ["b-ann", "b-bob"]


def test_every_booking_takes_the_next_sequence_number() -> None:
    session, _ = _book(_session(1), "ann")
    session, _ = _book(session, "bob")
    session, _ = _book(session, "cat")
    assert [e.sequence for e in session.seats.waitlist] == [1, 2]
    assert session.seats.next_sequence == 3


def test_declining_an_offer_confirms_nobody() -> None:
    session, bob = _offered_pair()
    assert session.seats.confirmed == 0
    declined = offers.decline_offer(session, bob, actor=Actor.student("bob"), now=T0)
    assert declined.state.session.seats.confirmed == 0
    assert declined.state.session.seats.taken == 0


def test_reopening_reports_the_seats_left() -> None:
    full = attrs.evolve(_session(3), waitlist_enabled=False)
    full, ann = _book(full, "ann", 2)
    full, _ = _book(full, "bob", 1)
    reopened = capacity.cancel(full, ann, actor=Actor.student("ann"), now=T0, seats=1)
    (_cancelled, event) = reopened.events
    assert event.name == "session.booking_reopened"
    assert event.remaining == 1  # type: ignore[attr-defined]


def test_an_early_expiry_names_the_expiry_instant() -> None:
    session, _ = _offered_pair()
    with pytest.raises(OfferNotDueError) as caught:
        offers.expire_offer(session, "b-bob", actor=Actor.system(), now=T0)
    assert caught.value.details == {
        "booking_id": "b-bob",
        "expires_at": (T0 + timedelta(hours=12)).isoformat(),
    }


def test_waitlist_policy_durations_are_checked_with_details() -> None:
    with pytest.raises(InvalidValueError) as caught:
        WaitlistPolicy(offer_ttl=timedelta(0))
    assert caught.value.details == {
        "field": "offer_ttl",
        "reason": "must be a positive timedelta",
        "value": timedelta(0),
    }


def test_a_session_is_full_at_exactly_its_capacity() -> None:
    session, _ = _book(_session(2), "ann", 2)
    seats = capacity.availability(session)
    assert (seats.is_full, seats.remaining) == (True, 0)
    assert capacity.availability(_book(_session(3), "ann", 2)[0]).is_full is False


def test_policy_defaults_and_mode_details() -> None:
    assert BookingPolicy().max_seats_per_booking == 1
    with pytest.raises(InvalidValueError) as caught:
        WaitlistPolicy(mode="lottery")
    assert caught.value.details == {
        "field": "mode",
        "reason": "must be one of 'auto_confirm', 'offer'",
        "value": "lottery",
    }


def test_declining_an_offer_of_another_session_is_refused() -> None:
    session, bob = _offered_pair()
    stranger = attrs.evolve(bob, session_id="other")
    with pytest.raises(InvalidValueError) as caught:
        offers.decline_offer(session, stranger, actor=Actor.student("bob"), now=T0)
    assert caught.value.details["field"] == "booking"
    assert session.seats.offers[0].booking_id == "b-bob"


# -- details and counts the rest of the suite leaves implicit ------------------------


def test_session_not_bookable_details_name_the_session() -> None:
    with pytest.raises(SessionNotBookableError) as caught:
        capacity.change_capacity(_session(2), 3, actor=Actor.admin("a"), now=START)
    assert caught.value.details == {
        "action": "change the capacity",
        "session_id": "s",
        "reason": f"it started at {START.isoformat()}",
    }
    with pytest.raises(NotBookingHolderError) as refused:
        capacity.change_capacity(_session(2), 3, actor=Actor.student("s"), now=T0)
    assert refused.value.details == {
        "actor": str(Actor.student("s")),
        "action": "change the capacity of",
        "booking_id": "session s",
        "allowed": "the session's teacher or an admin",
    }


def test_auto_confirm_promotion_counts_the_promoted_seats() -> None:
    session, ann = _book(_session(3), "ann", 3)
    session, _ = _book(session, "bob", 2)
    session, _ = _book(session, "cat", 1)
    decision = capacity.cancel(session, ann, actor=Actor.system(), now=T0)
    seats = decision.state.session.seats
    assert (seats.confirmed, seats.taken, seats.waitlist) == (3, 3, ())
    assert [(m.booking_id, m.status, m.seats) for m in decision.state.moves] == [
        ("b-ann", BookingStatus.CANCELLED, 3),
        ("b-bob", BookingStatus.CONFIRMED, 2),
        ("b-cat", BookingStatus.CONFIRMED, 1),
    ]


def test_waitlisted_bookings_report_their_position() -> None:
    session, _ = _book(_session(1), "ann")
    positions = []
    for student in ("bob", "cat"):
        decision = capacity.book(
            session,
            booking_id=f"b-{student}",
            student_id=student,
            seats=1,
            actor=Actor.student(student),
            now=T0,
        )
        session = decision.state.session
        positions.append(decision.events[0].position)  # type: ignore[attr-defined]
    assert positions == [1, 2]


def test_a_full_session_without_waitlist_reports_what_was_asked() -> None:
    full = attrs.evolve(_session(3), waitlist_enabled=False)
    full, _ = _book(full, "ann", 2)
    with pytest.raises(SeatsUnavailableError) as caught:
        capacity.book(
            full,
            booking_id="b-bob",
            student_id="bob",
            seats=2,
            actor=Actor.student("bob"),
            now=T0,
            policy=BookingPolicy(max_seats_per_booking=3),
        )
    assert caught.value.details == {"session_id": "s", "available": 1, "requested": 2}


def test_offers_of_another_session_are_refused_on_accept_too() -> None:
    session, bob = _offered_pair()
    stranger = attrs.evolve(bob, session_id="other")
    with pytest.raises(InvalidValueError) as caught:
        offers.accept_offer(session, stranger, actor=Actor.student("bob"), now=T0)
    assert caught.value.details == {
        "field": "booking",
        "reason": "must belong to session 's'",
        "value": "other",
    }


def test_only_an_offered_booking_may_decline() -> None:
    session, bob = _offered_pair()
    waiting = attrs.evolve(bob, status=BookingStatus.WAITLISTED)
    with pytest.raises(BookingTransitionError) as caught:
        offers.decline_offer(session, waiting, actor=Actor.student("bob"), now=T0)
    assert caught.value.details == {
        "action": "decline the offer of",
        "booking_id": "b-bob",
        "status": "waitlisted",
        "allowed": "offered",
    }


def test_an_offered_booking_without_an_open_offer_is_named() -> None:
    session, bob = _offered_pair()
    other = attrs.evolve(bob, id="b-zed")
    for command in (offers.accept_offer, offers.decline_offer):
        with pytest.raises(InvalidValueError) as caught:
            command(session, other, actor=Actor.student("bob"), now=T0)
        assert caught.value.details == {
            "field": "booking",
            "reason": "has no open offer on session 's'",
            "value": "b-zed",
        }


def test_accepting_at_the_expiry_names_it() -> None:
    session, bob = _offered_pair()
    expiry = session.seats.offers[0].expires_at
    with pytest.raises(OfferExpiredError) as caught:
        offers.accept_offer(session, bob, actor=Actor.student("bob"), now=expiry)
    assert caught.value.details == {
        "booking_id": "b-bob",
        "expires_at": expiry.isoformat(),
    }


def test_an_expired_offer_confirms_no_seat() -> None:
    session, _ = _offered_pair()
    expiry = session.seats.offers[0].expires_at
    expired = offers.expire_offer(session, "b-bob", actor=Actor.system(), now=expiry)
    seats = expired.state.session.seats
    assert (seats.confirmed, seats.taken, seats.offers) == (0, 0, ())
