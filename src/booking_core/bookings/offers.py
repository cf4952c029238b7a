"""Waitlist seat offers: accept, decline, and expire them when they fall due.

In ``offer`` mode a freed seat is offered to the next student in line for
:attr:`~booking_core.bookings.WaitlistPolicy.offer_ttl`; these pure rules decide
what happens to an offer. Each returns a
:class:`~booking_core.events.Decision` of a
:class:`~booking_core.bookings.capacity.SeatChange`.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from booking_core.actors import Actor
from booking_core.bookings.capacity import (
    SeatChange,
    _decision,
    _require_holder,
    _require_open,
    _require_session,
    _require_status,
)
from booking_core.bookings.model import (
    Booking,
    BookingStatus,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    SeatMove,
)
from booking_core.bookings.policies import WaitlistPolicy
from booking_core.bookings.seats import SeatOffer
from booking_core.errors import (
    InvalidValueError,
    OfferExpiredError,
    OfferNotDueError,
)
from booking_core.events import Decision, DomainEvent
from booking_core.sessions.model import Session
from booking_core.zones import require_aware

__all__ = [
    "accept_offer",
    "decline_offer",
    "due_offers",
    "expire_due_offers",
    "expire_offer",
]


def _offer_of(session: Session, booking: Booking) -> SeatOffer:
    for offer in session.seats.offers:
        if offer.booking_id == booking.id:
            return offer
    raise InvalidValueError(
        field="booking",
        reason=f"has no open offer on session {session.id!r}",
        value=booking.id,
    )


def _without_offer(session: Session, offer: SeatOffer, *, confirm: bool) -> Session:
    seats = session.seats
    return attrs.evolve(
        session,
        seats=attrs.evolve(
            seats,
            offers=[o for o in seats.offers if o.booking_id != offer.booking_id],
            confirmed=seats.confirmed + (offer.seats if confirm else 0),
        ),
    )


def accept_offer(
    session: Session, booking: Booking, *, actor: Actor, now: datetime
) -> Decision[SeatChange]:
    """Accept an offered seat before it expires: the booking is confirmed.

    Args:
        session: The booking's session.
        booking: The offered booking.
        actor: Its student or an admin.
        now: When (aware); must be before the offer's expiry.

    Returns:
        The new session and the confirming move, with ``OfferAccepted``.

    Raises:
        NotBookingHolderError: ``booking.not_holder``.
        BookingTransitionError: ``booking.invalid_transition`` unless offered.
        SessionNotBookableError: ``booking.session_not_bookable`` once the
            session started or closed.
        OfferExpiredError: ``booking.offer_expired`` at or after the expiry.
        InvalidValueError: ``input.invalid_value`` for a booking of another
            session or without an open offer.
    """
    now = require_aware(now, field="now")
    _require_session(booking, session)
    _require_holder(booking, session, actor, "accept the offer of", teacher=False)
    _require_status(booking, (BookingStatus.OFFERED,), "accept the offer of")
    _require_open(session, now, "accept a seat offer")
    offer = _offer_of(session, booking)
    if now >= offer.expires_at:
        raise OfferExpiredError(
            booking_id=booking.id, expires_at=offer.expires_at.isoformat()
        )
    move = SeatMove(
        booking_id=booking.id, status=BookingStatus.CONFIRMED, seats=offer.seats
    )
    event = OfferAccepted(
        occurred_at=now,
        actor=actor,
        aggregate_id=booking.id,
        session_id=session.id,
        student_id=booking.student_id,
        seats=offer.seats,
    )
    return Decision(
        state=SeatChange(
            session=_without_offer(session, offer, confirm=True), moves=(move,)
        ),
        events=(event,),
    )


def decline_offer(
    session: Session,
    booking: Booking,
    *,
    actor: Actor,
    now: datetime,
    policy: WaitlistPolicy | None = None,
) -> Decision[SeatChange]:
    """Decline an offered seat: the booking ends, the seats pass to the next in line.

    Args:
        session: The booking's session.
        booking: The offered booking.
        actor: Its student or an admin.
        now: When (aware).
        policy: The waitlist policy.

    Returns:
        The new session and the moves (declined first), with ``OfferDeclined``.

    Raises:
        NotBookingHolderError: ``booking.not_holder``.
        BookingTransitionError: ``booking.invalid_transition`` unless offered.
        InvalidValueError: ``input.invalid_value`` for a booking of another
            session or without an open offer.
    """
    policy = policy or WaitlistPolicy()
    now = require_aware(now, field="now")
    _require_session(booking, session)
    _require_holder(booking, session, actor, "decline the offer of", teacher=False)
    _require_status(booking, (BookingStatus.OFFERED,), "decline the offer of")
    offer = _offer_of(session, booking)
    move = SeatMove(
        booking_id=booking.id, status=BookingStatus.DECLINED, seats=offer.seats
    )
    event = OfferDeclined(
        occurred_at=now,
        actor=actor,
        aggregate_id=booking.id,
        session_id=session.id,
        student_id=booking.student_id,
        seats=offer.seats,
    )
    return _decision(
        session,
        _without_offer(session, offer, confirm=False),
        ([move], [event]),
        actor=actor,
        now=now,
        policy=policy,
    )


def due_offers(session: Session, *, now: datetime) -> tuple[SeatOffer, ...]:
    """The open offers whose expiry is at or before ``now``, oldest first.

    Args:
        session: The session.
        now: When (aware).

    Returns:
        The offers that :func:`expire_offer` would accept.
    """
    now = require_aware(now, field="now")
    return tuple(offer for offer in session.seats.offers if offer.expires_at <= now)


def expire_offer(
    session: Session,
    booking_id: str,
    *,
    actor: Actor,
    now: datetime,
    policy: WaitlistPolicy | None = None,
) -> Decision[SeatChange]:
    """Expire one lapsed offer; its seats pass to the next in line.

    Args:
        session: The session holding the offer.
        booking_id: The offered booking.
        actor: Usually the system.
        now: When (aware); at or after the offer's expiry.
        policy: The waitlist policy.

    Returns:
        The new session and the moves (expired first), with ``OfferExpired``.

    Raises:
        InvalidValueError: ``input.invalid_value`` when the booking has no open
            offer on the session.
        OfferNotDueError: ``booking.offer_not_due`` before the expiry.
    """
    policy = policy or WaitlistPolicy()
    now = require_aware(now, field="now")
    offer = next((o for o in session.seats.offers if o.booking_id == booking_id), None)
    if offer is None:
        raise InvalidValueError(
            field="booking_id",
            reason=f"has no open offer on session {session.id!r}",
            value=booking_id,
        )
    if now < offer.expires_at:
        raise OfferNotDueError(
            booking_id=booking_id, expires_at=offer.expires_at.isoformat()
        )
    move = SeatMove(
        booking_id=booking_id, status=BookingStatus.EXPIRED, seats=offer.seats
    )
    event = OfferExpired(
        occurred_at=now,
        actor=actor,
        aggregate_id=booking_id,
        session_id=session.id,
        student_id=offer.student_id,
        seats=offer.seats,
    )
    return _decision(
        session,
        _without_offer(session, offer, confirm=False),
        ([move], [event]),
        actor=actor,
        now=now,
        policy=policy,
    )


def expire_due_offers(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    policy: WaitlistPolicy | None = None,
) -> Decision[SeatChange]:
    """Expire every offer due at ``now``, oldest first, passing seats on each time.

    Args:
        session: The session.
        actor: Usually the system.
        now: When (aware).
        policy: The waitlist policy.

    Returns:
        The combined decision (no moves and no events when nothing was due).
    """
    moves: list[SeatMove] = []
    events: list[DomainEvent] = []
    for offer in due_offers(session, now=now):
        decision = expire_offer(
            session, offer.booking_id, actor=actor, now=now, policy=policy
        )
        session = decision.state.session
        moves.extend(decision.state.moves)
        events.extend(decision.events)
    return Decision(
        state=SeatChange(session=session, moves=tuple(moves)), events=events
    )
