"""The one :class:`Booking` model for group seats and 1:1 sessions, and its events.

A booking is a student's claim on a session: how many seats, in which status, who
decided and who cancelled, with notes per role. Group bookings move through
:mod:`booking_core.bookings.capacity` (the seat decisions); 1:1 bookings use
the same model with the approval states.

::

    group:  (new) ─▶ confirmed ──cancel──▶ cancelled
            (new) ─▶ waitlisted ─promote─▶ confirmed            (auto_confirm)
                               └─offer──▶ offered ─accept──▶ confirmed
                                            ├──decline──▶ declined
                                            └──expire───▶ expired
            confirmed ─▶ attended | no_show                     (after the session)
    1:1:    pending ─▶ confirmed | declined | expired           (approval, issue 7)

Example:
    >>> from booking_core.bookings.model import ACTIVE_STATUSES, BookingStatus
    >>> BookingStatus.OFFERED in ACTIVE_STATUSES, BookingStatus.DECLINED.is_active
    (True, False)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import (
    identifier,
    non_empty_str,
    positive_int,
    utc_instant,
)
from booking_core.actors import Actor, Role
from booking_core.errors import InvalidValueError
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow

__all__ = [
    "ACTIVE_STATUSES",
    "Booking",
    "BookingAttended",
    "BookingCancellation",
    "BookingCancelled",
    "BookingClosed",
    "BookingDecision",
    "BookingNoShow",
    "BookingNote",
    "BookingPromoted",
    "BookingReopened",
    "BookingStatus",
    "BookingType",
    "BookingWaitlisted",
    "CommandRecord",
    "OfferAccepted",
    "OfferDeclined",
    "OfferExpired",
    "SeatBooked",
    "SeatCapacityChanged",
    "SeatMove",
    "SeatOffered",
    "apply_move",
]


@final
class BookingType(str, enum.Enum):
    """Whether a booking holds seats of a group session or a 1:1 session."""

    GROUP = "group"
    ONE_ON_ONE = "one_on_one"


@final
class BookingStatus(str, enum.Enum):
    """Every status a booking can have, group and 1:1 alike.

    ``PENDING`` is the 1:1 approval state (a request waiting for the teacher);
    ``DECLINED`` and ``EXPIRED`` end both a declined/lapsed 1:1 request and a
    declined/lapsed group seat offer. ``WAITLISTED`` and ``OFFERED`` are group
    only. ``ATTENDED`` and ``NO_SHOW`` are set after the session.
    """

    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"

    @property
    def is_active(self) -> bool:
        """True while the booking holds or waits for seats (one per student)."""
        return self in ACTIVE_STATUSES


_PARTICIPANT_STATUSES = frozenset(
    {BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW}
)

ACTIVE_STATUSES: frozenset[BookingStatus] = frozenset(
    {
        BookingStatus.PENDING,
        BookingStatus.CONFIRMED,
        BookingStatus.WAITLISTED,
        BookingStatus.OFFERED,
    }
)
"""The statuses that count as "the student's booking" on a session."""


def _at(value: datetime) -> datetime:
    return utc_instant(value, "at")


def _optional_instant(value: datetime | None) -> datetime | None:
    return None if value is None else utc_instant(value, "offer_expires_at")


def _created_at(value: datetime) -> datetime:
    return utc_instant(value, "created_at")


def _written_at(value: datetime) -> datetime:
    return utc_instant(value, "written_at")


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingDecision:
    """Who decided a booking's outcome (confirmed, declined, expired) and when.

    Attributes:
        by: The deciding actor (the student accepting an offer, the system
            promoting or expiring, the teacher approving a 1:1 request).
        at: When (UTC).
    """

    __repr__ = fields_repr

    by: Actor
    at: datetime = attrs.field(converter=_at)


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingCancellation:
    """Who cancelled a booking, when and why.

    Attributes:
        by: The cancelling actor.
        at: When (UTC).
        reason: The reason, if one was given.
    """

    __repr__ = fields_repr

    by: Actor
    at: datetime = attrs.field(converter=_at)
    reason: str | None = None


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingNote:
    """A note on a booking; its author's role says whose note it is.

    Attributes:
        author: Who wrote it.
        text: The note.
        written_at: When (UTC).
    """

    __repr__ = fields_repr

    author: Actor
    text: str = attrs.field(validator=non_empty_str)
    written_at: datetime = attrs.field(converter=_written_at)


def _type(value: BookingType | str) -> BookingType:
    if type(value) is BookingType:
        return value
    try:
        return BookingType(value)
    except ValueError:
        raise InvalidValueError(
            field="type", reason="must be 'group' or 'one_on_one'", value=value
        ) from None


def _status(value: BookingStatus | str) -> BookingStatus:
    if type(value) is BookingStatus:
        return value
    try:
        return BookingStatus(value)
    except ValueError:
        allowed = ", ".join(status.value for status in BookingStatus)
        raise InvalidValueError(
            field="status", reason=f"must be one of {allowed}", value=value
        ) from None


def _notes(value: Iterable[BookingNote]) -> tuple[BookingNote, ...]:
    return tuple(value)


@final
@attrs.frozen(kw_only=True, repr=False)
class Booking:
    """A student's booking on a session: the aggregate for group and 1:1 alike.

    Attributes:
        id: The booking's identity.
        type: Group seats or a 1:1 session.
        session_id: The booked session.
        student_id: Who booked.
        teacher_id: The session's teacher (snapshot at booking time).
        course_id: The session's course (snapshot).
        window: The session's window when booked (snapshot, UTC).
        status: Where the booking is.
        seats: Seats held (confirmed/offered) or asked for (waitlisted, pending);
            for an ended booking, the seats it held last.
        decision: Who confirmed, declined or expired it, and when.
        cancellation: Who cancelled it, when and why.
        notes: Notes by any role, oldest first (see :meth:`notes_by`).
        created_at: When it was requested (UTC): the waitlist order.
        offer_expires_at: While offered, until when the offer stands.
        idempotency_key: The key of the command that created it, if any.
        version: The stored version (the repository advances it).

    Raises:
        InvalidValueError: ``input.invalid_value`` for empty ids, seats below 1 or
            an unknown type or status.
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=identifier)
    type: BookingType = attrs.field(converter=_type)
    session_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    teacher_id: str = attrs.field(validator=identifier)
    course_id: str = attrs.field(validator=non_empty_str)
    window: TimeWindow
    status: BookingStatus = attrs.field(converter=_status)
    seats: int = attrs.field(default=1, validator=positive_int)
    decision: BookingDecision | None = None
    cancellation: BookingCancellation | None = None
    notes: tuple[BookingNote, ...] = attrs.field(default=(), converter=_notes)
    created_at: datetime = attrs.field(converter=_created_at)
    offer_expires_at: datetime | None = attrs.field(
        default=None, converter=_optional_instant
    )
    idempotency_key: str | None = None
    version: int = 0

    @property
    def is_active(self) -> bool:
        """True while it holds or waits for seats."""
        return self.status.is_active

    @property
    def is_participant(self) -> bool:
        """True when the student takes part: confirmed, attended or no-show."""
        return self.status in _PARTICIPANT_STATUSES

    def notes_by(self, role: Role) -> tuple[BookingNote, ...]:
        """The notes written by actors in ``role``, oldest first.

        Args:
            role: Whose notes (student, teacher, admin).

        Returns:
            The matching notes.
        """
        return tuple(note for note in self.notes if note.author.role is role)


@final
@attrs.frozen(kw_only=True, repr=False)
class SeatMove:
    """What a seat decision does to one booking (new or existing).

    Attributes:
        booking_id: The booking it applies to.
        status: Its new status.
        seats: The seats it holds or asks for afterwards.
        offer_expires_at: The offer's expiry when ``status`` is offered.
        reason: A cancellation reason, if one was given.
    """

    __repr__ = fields_repr

    booking_id: str = attrs.field(validator=identifier)
    status: BookingStatus = attrs.field(converter=_status)
    seats: int = attrs.field(validator=positive_int)
    offer_expires_at: datetime | None = attrs.field(
        default=None, converter=_optional_instant
    )
    reason: str | None = None


_DECIDED = frozenset(
    {BookingStatus.CONFIRMED, BookingStatus.DECLINED, BookingStatus.EXPIRED}
)


def apply_move(
    booking: Booking, move: SeatMove, *, actor: Actor, now: datetime
) -> Booking:
    """Apply a seat decision's move to its booking.

    A change into confirmed, declined or expired records the decision (by, at);
    a cancellation records who cancelled, when and why; a partial cancellation
    (still confirmed, fewer seats) only changes the seats.

    Args:
        booking: The booking the move names.
        move: The move from a :mod:`booking_core.bookings.capacity` decision.
        actor: Who took the decision.
        now: When (aware).

    Returns:
        The changed booking (same version: the repository advances it).

    Raises:
        InvalidValueError: ``input.invalid_value`` when the move names another
            booking.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from booking_core.actors import Actor
        >>> from booking_core.intervals import TimeWindow
        >>> t0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
        >>> booking = Booking(
        ...     id="b-1", type="group", session_id="s-1", student_id="ann",
        ...     teacher_id="t-1", course_id="c-1", status="waitlisted",
        ...     window=TimeWindow.of(t0 + timedelta(days=1), timedelta(hours=1)),
        ...     created_at=t0,
        ... )
        >>> moved = apply_move(
        ...     booking, SeatMove(booking_id="b-1", status="confirmed", seats=1),
        ...     actor=Actor.system(), now=t0,
        ... )
        >>> moved.status.value, moved.decision.by.role.value
        ('confirmed', 'system')
    """
    if move.booking_id != booking.id:
        raise InvalidValueError(
            field="move",
            reason=f"must name booking {booking.id!r}",
            value=move.booking_id,
        )
    changes: dict[str, Any] = {
        "status": move.status,
        "seats": move.seats,
        "offer_expires_at": move.offer_expires_at,
    }
    if move.status is BookingStatus.CANCELLED:
        changes["cancellation"] = BookingCancellation(
            by=actor, at=now, reason=move.reason
        )
    elif move.status in _DECIDED and move.status is not booking.status:
        changes["decision"] = BookingDecision(by=actor, at=now)
    return attrs.evolve(booking, **changes)


def _events(value: Iterable[DomainEvent]) -> tuple[DomainEvent, ...]:
    return tuple(value)


@final
@attrs.frozen(kw_only=True, repr=False)
class CommandRecord:
    """What a command sent with an idempotency key did: replayed on a retry.

    Attributes:
        id: The idempotency key.
        content: The command's canonical content (name and arguments); a retry
            must send exactly the same.
        result: The booking as the command left it.
        events: The events it produced.
        version: The stored version.
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=identifier)
    content: str = attrs.field(validator=non_empty_str)
    result: Booking
    events: tuple[DomainEvent, ...] = attrs.field(default=(), converter=_events)
    version: int = 0


# -- events -----------------------------------------------------------------------


@attrs.frozen(kw_only=True, repr=False)
class _SeatEvent(DomainEvent):
    """What every booking event carries besides actor and time.

    ``aggregate_id`` is the booking's id.
    """

    __repr__ = fields_repr

    session_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    seats: int = attrs.field(validator=positive_int)


@final
@attrs.frozen(kw_only=True, repr=False)
class SeatBooked(_SeatEvent):
    """A booking got confirmed seats straight away."""

    __repr__ = fields_repr


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingWaitlisted(_SeatEvent):
    """A booking joined the waitlist (``position`` counts from 1)."""

    __repr__ = fields_repr

    position: int = attrs.field(validator=positive_int)


@final
@attrs.frozen(kw_only=True, repr=False)
class SeatOffered(_SeatEvent):
    """Freed seats were offered to the first waiting booking until ``expires_at``."""

    __repr__ = fields_repr

    expires_at: datetime = attrs.field(converter=_at)


@final
@attrs.frozen(kw_only=True, repr=False)
class OfferAccepted(_SeatEvent):
    """The student accepted an offer; the booking is confirmed."""

    __repr__ = fields_repr


@final
@attrs.frozen(kw_only=True, repr=False)
class OfferDeclined(_SeatEvent):
    """The student declined an offer; its seats pass to the next in line."""

    __repr__ = fields_repr


@final
@attrs.frozen(kw_only=True, repr=False)
class OfferExpired(_SeatEvent):
    """An offer lapsed unanswered; its seats pass to the next in line."""

    __repr__ = fields_repr


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingPromoted(_SeatEvent):
    """A waiting booking was confirmed automatically (``auto_confirm`` mode)."""

    __repr__ = fields_repr


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingCancelled(_SeatEvent):
    """Seats of a booking were given up (``seats`` of them).

    ``remaining_seats`` is 0 when the whole booking was cancelled, else what it
    still holds; ``previous_status`` is the status it was cancelled from.
    """

    __repr__ = fields_repr

    remaining_seats: int
    previous_status: BookingStatus = attrs.field(converter=_status)
    reason: str | None = None


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingAttended(_SeatEvent):
    """The booking's session ended and its student attended (group or 1:1)."""

    __repr__ = fields_repr


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingNoShow(_SeatEvent):
    """The booking's session ended and its student did not attend."""

    __repr__ = fields_repr


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingClosed(DomainEvent):
    """A session without a waitlist became full (``aggregate_id``: the session)."""

    __repr__ = fields_repr

    capacity: int = attrs.field(validator=positive_int)


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingReopened(DomainEvent):
    """A full session without a waitlist has free seats again."""

    __repr__ = fields_repr

    remaining: int = attrs.field(validator=positive_int)


@final
@attrs.frozen(kw_only=True, repr=False)
class SeatCapacityChanged(DomainEvent):
    """A session's capacity changed (``aggregate_id``: the session)."""

    __repr__ = fields_repr

    previous: int = attrs.field(validator=positive_int)
    capacity: int = attrs.field(validator=positive_int)
