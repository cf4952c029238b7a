"""Pure seat decisions for group sessions: book, cancel, waitlist, offers, capacity.

Every function takes a :class:`~booking_core.sessions.Session` (whose
:attr:`~booking_core.sessions.Session.seats` is the seat state) and returns a
:class:`~booking_core.events.Decision` of a :class:`SeatChange`: the new session
and the :class:`~booking_core.bookings.SeatMove` for every booking it touches,
plus the events. Nothing here loads other bookings: what a decision needs (the
confirmed-seat counter, open offers, the FIFO waitlist) is in the session, so one
booking costs the same whatever the capacity.

Rules:
    * confirmed + offered seats never exceed the capacity;
    * a new booking is confirmed only if enough seats are free **and** nobody is
      waiting (nobody jumps the queue); otherwise it waits (waitlist on) or is
      refused (waitlist off: the session is closed);
    * freed seats go to the waitlist strictly first-in-first-out by request time
      (arrival number breaks ties): the head is promoted (``auto_confirm``) or
      offered (``offer``) while it fits; a head asking for more seats than are free
      blocks the ones behind it;
    * promotion stops at the start (``auto_confirm``) or ``offer_cutoff`` before
      it (``offer``); offers lapse at ``offer_ttl`` or the start, whichever is
      first.

:func:`availability` is the one function behind both what hosts display and what
:func:`book` decides.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.sessions import Session
    >>> from booking_core.bookings import capacity
    >>> t0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> session = Session(
    ...     id="s-1", kind="group", teacher_id="t-1", course_id="c-1", zone="UTC",
    ...     window=TimeWindow.of(t0 + timedelta(days=2), timedelta(hours=1)),
    ...     capacity=1, waitlist_enabled=True,
    ... )
    >>> first = capacity.book(session, booking_id="b-1", student_id="ann", seats=1,
    ...                       actor=Actor.student("ann"), now=t0)
    >>> second = capacity.book(first.state.session, booking_id="b-2",
    ...                        student_id="bob", seats=1,
    ...                        actor=Actor.student("bob"), now=t0)
    >>> [move.status.value for move in first.state.moves + second.state.moves]
    ['confirmed', 'waitlisted']
    >>> capacity.availability(second.state.session).remaining
    0
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, final

import attrs

from booking_core._repr import fields_repr
from booking_core.actors import Actor, Role, check_actor
from booking_core.bookings.model import (
    Booking,
    BookingCancelled,
    BookingClosed,
    BookingPromoted,
    BookingReopened,
    BookingStatus,
    BookingWaitlisted,
    SeatBooked,
    SeatCapacityChanged,
    SeatMove,
    SeatOffered,
)
from booking_core.bookings.policies import BookingPolicy, WaitlistMode, WaitlistPolicy
from booking_core.bookings.seats import SeatOffer, WaitlistEntry
from booking_core.errors import (
    BookingSessionClosedError,
    BookingTransitionError,
    CapacityBelowTakenError,
    InvalidValueError,
    NotBookingHolderError,
    SeatsUnavailableError,
    SessionNotBookableError,
    TooManySeatsError,
)
from booking_core.events import Decision, DomainEvent
from booking_core.sessions.model import Session, SessionKind, SessionStatus
from booking_core.zones import require_aware

__all__ = [
    "SeatAvailability",
    "SeatChange",
    "availability",
    "book",
    "cancel",
    "change_capacity",
    "promotion_deadline",
]

# The policy a booking settles the waitlist with (built once, not per booking).
_SETTLE_AFTER_BOOKING = WaitlistPolicy()


@final
@attrs.frozen(kw_only=True, repr=False)
class SeatAvailability:
    """The seat counts of a session, all derived from its one seat state.

    Attributes:
        capacity: Seats in total.
        confirmed: Seats held by confirmed bookings.
        offered: Seats held by open offers.
        taken: ``confirmed + offered``.
        remaining: ``capacity - taken`` ("3 seats left").
        waitlisted: Bookings waiting.
        waitlisted_seats: Seats they wait for.
        is_full: No seat is free.
        booking_open: A new booking would be taken (confirmed or waitlisted):
            the session is a scheduled group session, has not started (when
            ``now`` was given) and has a free seat or a waitlist.
    """

    __repr__ = fields_repr

    capacity: int
    confirmed: int
    offered: int
    taken: int
    remaining: int
    waitlisted: int
    waitlisted_seats: int
    is_full: bool
    booking_open: bool


@final
@attrs.frozen(kw_only=True, repr=False)
class SeatChange:
    """The state a seat decision produces.

    Attributes:
        session: The session with its new seat state.
        moves: What happens to each touched booking, in order (the booking the
            command was about first).
    """

    __repr__ = fields_repr

    session: Session
    moves: tuple[SeatMove, ...] = ()


def _accepting(session: Session) -> bool:
    return session.waitlist_enabled or session.seats.taken < session.capacity


def availability(session: Session, *, now: datetime | None = None) -> SeatAvailability:
    """The seat counts hosts display and :func:`book` decides on.

    Args:
        session: The session.
        now: When asked (aware); with it, a started session is not open.

    Returns:
        The counts.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from booking_core.intervals import TimeWindow
        >>> from booking_core.sessions import Session
        >>> t0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
        >>> session = Session(
        ...     id="s-1", kind="group", teacher_id="t-1", course_id="c-1", zone="UTC",
        ...     window=TimeWindow.of(t0, timedelta(hours=1)), capacity=3,
        ... )
        >>> counts = availability(session)
        >>> counts.remaining, counts.booking_open
        (3, True)
        >>> availability(session, now=t0).booking_open
        False
    """
    seats = session.seats
    offered = seats.offered_seats
    taken = seats.confirmed + offered
    open_ = (
        session.kind is SessionKind.GROUP
        and session.status is SessionStatus.SCHEDULED
        and (now is None or require_aware(now, field="now") < session.start)
        and _accepting(session)
    )
    return SeatAvailability(
        capacity=session.capacity,
        confirmed=seats.confirmed,
        offered=offered,
        taken=taken,
        remaining=session.capacity - taken,
        waitlisted=len(seats.waitlist),
        waitlisted_seats=seats.waitlisted_seats,
        is_full=taken >= session.capacity,
        booking_open=open_,
    )


def promotion_deadline(session: Session, policy: WaitlistPolicy) -> datetime:
    """Until when (exclusive) freed seats go to the waitlist.

    The start for ``auto_confirm``; ``offer_cutoff`` before it for ``offer``.

    Args:
        session: The session.
        policy: The waitlist policy.

    Returns:
        The instant (UTC) from which nobody is promoted or offered seats.
    """
    if policy.mode is WaitlistMode.AUTO_CONFIRM:
        return session.start
    return session.start - policy.offer_cutoff


def _require_open(session: Session, now: datetime, action: str) -> None:
    if session.kind is not SessionKind.GROUP:
        reason = "it is a 1:1 session (booked by request and approval)"
    elif session.status is not SessionStatus.SCHEDULED:
        reason = f"it is {session.status.value}"
    elif now >= session.start:
        reason = f"it started at {session.start.isoformat()}"
    else:
        return
    raise SessionNotBookableError(action=action, session_id=session.id, reason=reason)


def _require_cancellable(session: Session, booking: Booking, now: datetime) -> None:
    if session.status is not SessionStatus.SCHEDULED:
        reason = f"is {session.status.value}"
    elif now >= session.start:
        reason = f"started at {session.start.isoformat()}"
    else:
        return
    raise BookingSessionClosedError(
        booking_id=booking.id, session_id=session.id, reason=reason
    )


def _require_holder(
    booking: Booking, session: Session, actor: Actor, action: str, *, teacher: bool
) -> None:
    if check_actor(actor).role in (Role.ADMIN, Role.SYSTEM):
        return
    if actor.role is Role.STUDENT and actor.user_id == booking.student_id:
        return
    if teacher and actor.role is Role.TEACHER and actor.user_id == session.teacher_id:
        return
    allowed = (
        "its student, the session's teacher or an admin"
        if teacher
        else ("its student or an admin")
    )
    raise NotBookingHolderError(
        actor=str(actor), action=action, booking_id=booking.id, allowed=allowed
    )


def _require_status(
    booking: Booking, allowed: Iterable[BookingStatus], action: str
) -> None:
    allowed = tuple(allowed)
    if booking.status not in allowed:
        raise BookingTransitionError(
            action=action,
            booking_id=booking.id,
            status=booking.status.value,
            allowed=", ".join(status.value for status in allowed),
        )


def _require_session(booking: Booking, session: Session) -> None:
    if booking.session_id != session.id:
        raise InvalidValueError(
            field="booking",
            reason=f"must belong to session {session.id!r}",
            value=booking.session_id,
        )


def _settle(
    before: Session,
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    policy: WaitlistPolicy,
) -> tuple[Session, list[SeatMove], list[DomainEvent]]:
    """Promote or offer from the waitlist head while it fits; note close/reopen."""
    moves: list[SeatMove] = []
    events: list[DomainEvent] = []
    seats = session.seats
    waitlist = list(seats.waitlist)
    confirmed = seats.confirmed
    offers = list(seats.offers)
    taken = seats.taken
    if session.status is SessionStatus.SCHEDULED and session.waitlist_enabled:
        deadline = promotion_deadline(session, policy)
        while (
            waitlist
            and now < deadline
            and waitlist[0].seats <= session.capacity - taken
        ):
            head = waitlist.pop(0)
            taken += head.seats
            common: dict[str, Any] = {
                "occurred_at": now,
                "actor": actor,
                "aggregate_id": head.booking_id,
                "session_id": session.id,
                "student_id": head.student_id,
                "seats": head.seats,
            }
            if policy.mode is WaitlistMode.AUTO_CONFIRM:
                confirmed += head.seats
                moves.append(
                    SeatMove(
                        booking_id=head.booking_id,
                        status=BookingStatus.CONFIRMED,
                        seats=head.seats,
                    )
                )
                events.append(BookingPromoted(**common))
            else:
                expires_at = min(now + policy.offer_ttl, session.start)
                offers.append(
                    SeatOffer(
                        booking_id=head.booking_id,
                        student_id=head.student_id,
                        seats=head.seats,
                        requested_at=head.requested_at,
                        sequence=head.sequence,
                        expires_at=expires_at,
                    )
                )
                moves.append(
                    SeatMove(
                        booking_id=head.booking_id,
                        status=BookingStatus.OFFERED,
                        seats=head.seats,
                        offer_expires_at=expires_at,
                    )
                )
                events.append(SeatOffered(expires_at=expires_at, **common))
        if moves:
            session = attrs.evolve(
                session,
                seats=attrs.evolve(
                    seats, confirmed=confirmed, offers=tuple(offers), waitlist=waitlist
                ),
            )
    was_open, is_open = _accepting(before), _accepting(session)
    if was_open and not is_open:
        events.append(
            BookingClosed(
                occurred_at=now,
                actor=actor,
                aggregate_id=session.id,
                capacity=session.capacity,
            )
        )
    elif is_open and not was_open:
        events.append(
            BookingReopened(
                occurred_at=now,
                actor=actor,
                aggregate_id=session.id,
                remaining=session.capacity - session.seats.taken,
            )
        )
    return session, moves, events


def _decision(
    before: Session,
    session: Session,
    first: tuple[list[SeatMove], list[DomainEvent]],
    *,
    actor: Actor,
    now: datetime,
    policy: WaitlistPolicy,
) -> Decision[SeatChange]:
    settled, moves, events = _settle(
        before, session, actor=actor, now=now, policy=policy
    )
    return Decision(
        state=SeatChange(session=settled, moves=(*first[0], *moves)),
        events=(*first[1], *events),
    )


def book(
    session: Session,
    *,
    booking_id: str,
    student_id: str,
    seats: int,
    actor: Actor,
    now: datetime,
    policy: BookingPolicy | None = None,
) -> Decision[SeatChange]:
    """Book ``seats`` seats for a student: confirmed, waitlisted, or refused.

    Confirmed when that many seats are free and nobody waits; waitlisted (at the
    end of the FIFO queue) otherwise if the session has a waitlist. One active
    booking per (student, session) is the caller's check (the service looks it
    up in the booking repository inside the same unit of work).

    Args:
        session: The session (its seat state decides).
        booking_id: The new booking's id.
        student_id: Who books.
        seats: How many seats (all or nothing).
        actor: The student themselves or an admin.
        now: When (aware).
        policy: The seat limit per booking.

    Returns:
        The new session and one move for the new booking (confirmed or
        waitlisted), with ``SeatBooked`` or ``BookingWaitlisted`` (and
        ``BookingClosed`` when the last seat of a session without waitlist went).

    Raises:
        InvalidValueError: ``input.invalid_value`` for seats below 1.
        NotBookingHolderError: ``booking.not_holder`` for another student.
        SessionNotBookableError: ``booking.session_not_bookable`` for a 1:1,
            cancelled, completed or started session.
        TooManySeatsError: ``booking.too_many_seats`` above the policy maximum.
        SeatsUnavailableError: ``booking.seats_unavailable`` when the session has
            no waitlist and fewer free seats.
    """
    policy = policy or BookingPolicy()
    now = require_aware(now, field="now")
    if type(seats) is not int or seats < 1:
        raise InvalidValueError(
            field="seats", reason="must be a whole number above 0", value=seats
        )
    if actor.role is not Role.ADMIN and not (
        actor.role is Role.STUDENT and actor.user_id == student_id
    ):
        raise NotBookingHolderError(
            actor=str(actor),
            action="book",
            booking_id=booking_id,
            allowed="the student themselves or an admin",
        )
    _require_open(session, now, "book seats")
    if seats > policy.max_seats_per_booking:
        raise TooManySeatsError(maximum=policy.max_seats_per_booking, requested=seats)
    state = session.seats
    remaining = availability(session).remaining  # the number hosts display
    common: dict[str, Any] = {
        "occurred_at": now,
        "actor": actor,
        "aggregate_id": booking_id,
        "session_id": session.id,
        "student_id": student_id,
        "seats": seats,
    }
    sequence = state.next_sequence
    events: list[DomainEvent]
    if not state.waitlist and seats <= remaining:
        new_state = attrs.evolve(
            state, confirmed=state.confirmed + seats, next_sequence=sequence + 1
        )
        move = SeatMove(
            booking_id=booking_id, status=BookingStatus.CONFIRMED, seats=seats
        )
        events = [SeatBooked(**common)]
    elif session.waitlist_enabled:
        entry = WaitlistEntry(
            booking_id=booking_id,
            student_id=student_id,
            seats=seats,
            requested_at=now,
            sequence=sequence,
        )
        new_state = attrs.evolve(
            state, waitlist=(*state.waitlist, entry), next_sequence=sequence + 1
        )
        position = new_state.waitlist.index(entry) + 1
        move = SeatMove(
            booking_id=booking_id, status=BookingStatus.WAITLISTED, seats=seats
        )
        events = [BookingWaitlisted(position=position, **common)]
    else:
        raise SeatsUnavailableError(
            session_id=session.id, available=remaining, requested=seats
        )
    changed = attrs.evolve(session, seats=new_state)
    settled, _, more = _settle(
        session, changed, actor=actor, now=now, policy=_SETTLE_AFTER_BOOKING
    )
    return Decision(
        state=SeatChange(session=settled, moves=(move,)), events=(*events, *more)
    )


def cancel(
    session: Session,
    booking: Booking,
    *,
    actor: Actor,
    now: datetime,
    seats: int | None = None,
    reason: str | None = None,
    policy: WaitlistPolicy | None = None,
) -> Decision[SeatChange]:
    """Cancel a booking, or ``seats`` of its seats, and pass freed seats on.

    A confirmed booking frees its seats; a waitlisted one leaves the queue (or
    asks for fewer seats); an offered one gives its held seats back. Then the
    waitlist head is promoted or offered while it fits.

    Args:
        session: The booking's session.
        booking: The booking (confirmed, waitlisted or offered).
        actor: Its student, the session's teacher, an admin or the system.
        now: When (aware).
        seats: How many seats to give up (default: all).
        reason: Why, if given.
        policy: The waitlist policy.

    Returns:
        The new session and the moves (the cancelled booking first, then any
        promoted or offered ones), with ``BookingCancelled`` and what followed.

    Raises:
        NotBookingHolderError: ``booking.not_holder``.
        BookingTransitionError: ``booking.invalid_transition`` for a booking
            that is not confirmed, waitlisted or offered.
        BookingSessionClosedError: ``booking.session_closed`` once the
            session started or closed (the system actor may always close a
            booking: the cascade of a closed session).
        InvalidValueError: ``input.invalid_value`` for seats outside
            ``1..booking.seats`` or a booking of another session.
    """
    policy = policy or WaitlistPolicy()
    now = require_aware(now, field="now")
    _require_session(booking, session)
    _require_holder(booking, session, actor, "cancel", teacher=True)
    _require_status(
        booking,
        (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED, BookingStatus.OFFERED),
        "cancel",
    )
    if session.kind is not SessionKind.GROUP:
        _require_open(session, now, "cancel a booking")
    if actor.role is not Role.SYSTEM:
        _require_cancellable(session, booking, now)
    count = booking.seats if seats is None else seats
    if type(count) is not int or not 1 <= count <= booking.seats:
        raise InvalidValueError(
            field="seats", reason=f"must be between 1 and {booking.seats}", value=seats
        )
    left = booking.seats - count
    state = session.seats
    if booking.status is BookingStatus.CONFIRMED:
        state = attrs.evolve(state, confirmed=state.confirmed - count)
    elif booking.status is BookingStatus.WAITLISTED:
        state = attrs.evolve(
            state,
            waitlist=[
                attrs.evolve(entry, seats=left)
                if entry.booking_id == booking.id
                else entry
                for entry in state.waitlist
                if entry.booking_id != booking.id or left
            ],
        )
    else:
        state = attrs.evolve(
            state,
            offers=[
                attrs.evolve(offer, seats=left)
                if offer.booking_id == booking.id
                else offer
                for offer in state.offers
                if offer.booking_id != booking.id or left
            ],
        )
    move = SeatMove(
        booking_id=booking.id,
        status=booking.status if left else BookingStatus.CANCELLED,
        seats=left or booking.seats,
        offer_expires_at=booking.offer_expires_at if left else None,
        reason=reason,
    )
    event = BookingCancelled(
        occurred_at=now,
        actor=actor,
        aggregate_id=booking.id,
        session_id=session.id,
        student_id=booking.student_id,
        seats=count,
        remaining_seats=left,
        previous_status=booking.status,
        reason=reason,
    )
    return _decision(
        session,
        attrs.evolve(session, seats=state),
        ([move], [event]),
        actor=actor,
        now=now,
        policy=policy,
    )


def change_capacity(
    session: Session,
    capacity: int,
    *,
    actor: Actor,
    now: datetime,
    policy: WaitlistPolicy | None = None,
) -> Decision[SeatChange]:
    """Change a group session's capacity; raising it promotes from the waitlist.

    Lowering it below the confirmed + offered seats is refused: nobody is ever
    evicted silently.

    Args:
        session: The session.
        capacity: The new number of seats.
        actor: The session's teacher or an admin.
        now: When (aware); before the start.
        policy: The waitlist policy.

    Returns:
        The new session and the moves of promoted or offered bookings, with
        ``SeatCapacityChanged`` first.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a capacity below 1.
        NotBookingHolderError: ``booking.not_holder`` for anyone else.
        SessionNotBookableError: ``booking.session_not_bookable`` for a 1:1,
            closed or started session.
        CapacityBelowTakenError: ``booking.capacity_below_taken``.
    """
    policy = policy or WaitlistPolicy()
    now = require_aware(now, field="now")
    if type(capacity) is not int or capacity < 1:
        raise InvalidValueError(
            field="capacity", reason="must be a whole number above 0", value=capacity
        )
    if check_actor(actor).role is not Role.ADMIN and not (
        actor.role is Role.TEACHER and actor.user_id == session.teacher_id
    ):
        raise NotBookingHolderError(
            actor=str(actor),
            action="change the capacity of",
            booking_id=f"session {session.id}",
            allowed="the session's teacher or an admin",
        )
    _require_open(session, now, "change the capacity")
    taken = session.seats.taken
    if capacity < taken:
        raise CapacityBelowTakenError(
            session_id=session.id, capacity=capacity, taken=taken
        )
    event = SeatCapacityChanged(
        occurred_at=now,
        actor=actor,
        aggregate_id=session.id,
        previous=session.capacity,
        capacity=capacity,
    )
    return _decision(
        session,
        attrs.evolve(session, capacity=capacity),
        ([], [event]),
        actor=actor,
        now=now,
        policy=policy,
    )
