"""The :class:`Session` aggregate and the values it is made of.

A session is one live class (group) or 1:1 meeting: who teaches it, which course it
belongs to, when it runs (a UTC :class:`~booking_core.intervals.TimeWindow` plus
the zone it was planned in), where it happens (:class:`MeetingInfo`), how many seats
it has, and where it is in its lifecycle (:class:`SessionStatus`, with a pending
:class:`RescheduleRequest` as a sub-state of *scheduled*).

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.sessions import Session, SessionKind
    >>> session = Session(
    ...     id="s-1",
    ...     kind=SessionKind.ONE_ON_ONE,
    ...     teacher_id="t-1",
    ...     course_id="c-1",
    ...     window=TimeWindow.of(
    ...         datetime(2026, 6, 1, 9, tzinfo=timezone.utc), timedelta(hours=1)
    ...     ),
    ...     zone="Asia/Kolkata",
    ... )
    >>> session.status.value, session.capacity, session.local_window[0].isoformat()
    ('scheduled', 1, '2026-06-01T14:30:00+05:30')
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta
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
from booking_core.bookings.seats import SeatState
from booking_core.errors import InvalidValueError
from booking_core.intervals import TimeWindow
from booking_core.zones import get_zone

__all__ = [
    "MeetingInfo",
    "RescheduleRequest",
    "Session",
    "SessionKind",
    "SessionNote",
    "SessionStatus",
]


@final
class SessionKind(str, enum.Enum):
    """Whether a session is a group class or a 1:1 session."""

    GROUP = "group"
    ONE_ON_ONE = "one_on_one"


@final
class SessionStatus(str, enum.Enum):
    """Where a session is in its lifecycle.

    ``SCHEDULED`` is the only open status; the other three are terminal: no command
    leaves them. A pending reschedule request is a sub-state of ``SCHEDULED``
    (see :attr:`Session.pending_reschedule`).
    """

    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    MISSED = "missed"

    @property
    def is_terminal(self) -> bool:
        """True for completed, cancelled and missed."""
        return self is not SessionStatus.SCHEDULED


def _requested_at(value: datetime) -> datetime:
    return utc_instant(value, "requested_at")


def _respond_by(value: datetime) -> datetime:
    return utc_instant(value, "respond_by")


def _written_at(value: datetime) -> datetime:
    return utc_instant(value, "written_at")


def _closed_at(value: datetime | None) -> datetime | None:
    return None if value is None else utc_instant(value, "closed_at")


def _notes(value: Iterable[SessionNote]) -> tuple[SessionNote, ...]:
    return tuple(value)


def _check_zone(
    _instance: object, _attribute: attrs.Attribute[str], value: str
) -> None:
    get_zone(value)


@final
@attrs.frozen(kw_only=True, repr=False)
class MeetingInfo:
    """Where a session happens online.

    Attributes:
        provider: The meeting provider ("zoom", "meet", "jitsi", ...).
        link: The join link.
        passcode: The passcode, if the meeting has one.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an empty provider or link.
    """

    __repr__ = fields_repr

    provider: str = attrs.field(validator=non_empty_str)
    link: str = attrs.field(validator=non_empty_str)
    passcode: str | None = None


@final
@attrs.frozen(kw_only=True, repr=False)
class RescheduleRequest:
    """A pending request to move a session (the *reschedule requested* sub-state).

    Attributes:
        requested_by: Who asked.
        requested_at: When they asked (UTC).
        reason: Why, trimmed (10-500 characters by default).
        new_window: The proposed new window, or ``None`` when the requester left the
            new time to the other party (then it cannot be approved automatically).
        respond_by: Until when the other party is expected to answer; from then on
            the request can be expired (approved automatically or lapsed, by policy).
    """

    __repr__ = fields_repr

    requested_by: Actor
    requested_at: datetime = attrs.field(converter=_requested_at)
    reason: str = attrs.field(validator=non_empty_str)
    new_window: TimeWindow | None = None
    respond_by: datetime = attrs.field(converter=_respond_by)


def _time_window(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if not isinstance(value, TimeWindow):
        raise InvalidValueError(
            field=attribute.name, reason="must be a TimeWindow", value=value
        )


@final
@attrs.frozen(kw_only=True, repr=False)
class SessionNote:
    """Notes written when a session was closed, kept per author and role.

    Attributes:
        author: Who wrote them (their role says whose notes they are).
        text: The notes, trimmed (at most 1000 characters by default).
        written_at: When (UTC).
    """

    __repr__ = fields_repr

    author: Actor
    text: str = attrs.field(validator=non_empty_str)
    written_at: datetime = attrs.field(converter=_written_at)


def _kind(value: SessionKind | str) -> SessionKind:
    if type(value) is SessionKind:
        return value
    try:
        return SessionKind(value)
    except ValueError:
        raise InvalidValueError(
            field="kind", reason="must be 'group' or 'one_on_one'", value=value
        ) from None


def _status(value: SessionStatus | str) -> SessionStatus:
    if type(value) is SessionStatus:
        return value
    try:
        return SessionStatus(value)
    except ValueError:
        raise InvalidValueError(
            field="status",
            reason="must be scheduled, completed, cancelled or missed",
            value=value,
        ) from None


@final
@attrs.frozen(kw_only=True, repr=False)
class Session:
    """A scheduled live session: the aggregate every session command works on.

    Build new sessions with :func:`booking_core.sessions.schedule` (which also
    emits the :class:`~booking_core.sessions.SessionScheduled` event); construct one
    directly only to rebuild it from storage.

    Attributes:
        id: The session's identity.
        kind: Group class or 1:1 session.
        teacher_id: The user id of the teacher who runs it.
        course_id: The course it belongs to.
        window: When it runs, ``[start, end)`` in UTC.
        zone: IANA zone it was planned in (a snapshot, for display).
        meeting: Provider, link and passcode, once known.
        capacity: Seats; always 1 for a 1:1 session.
        waitlist_enabled: Whether a full group session waitlists new bookings
            (always ``False`` for a 1:1 session).
        seats: The seat state (confirmed seats, open offers, waitlist): the one
            stored source of every seat count, changed only by
            :mod:`booking_core.bookings.capacity`; confirmed plus offered seats never
            exceed ``capacity``.
        status: Lifecycle status.
        pending_reschedule: The open reschedule request, if any (only while
            scheduled).
        notes: Completion notes, one entry per author, in order.
        closed_at: When it left *scheduled* (completed, cancelled or missed).
        closed_by: Who closed it.
        close_reason: The cancellation or no-show reason, if one was given.
        version: The stored version (the repository advances it).

    Raises:
        InvalidValueError: ``input.invalid_value`` for empty ids, a capacity below 1,
            a 1:1 session with capacity other than 1 or a waitlist, a pending
            request on a closed session, or more seats taken than the capacity.
        UnknownZoneError: ``time.unknown_zone`` for a zone not in the IANA database.
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=identifier)
    kind: SessionKind = attrs.field(converter=_kind)
    teacher_id: str = attrs.field(validator=identifier)
    course_id: str = attrs.field(validator=non_empty_str)
    window: TimeWindow = attrs.field(validator=_time_window)
    zone: str = attrs.field(validator=_check_zone)
    meeting: MeetingInfo | None = None
    capacity: int = attrs.field(default=1, validator=positive_int)
    waitlist_enabled: bool = False
    seats: SeatState = attrs.field(factory=SeatState)
    status: SessionStatus = attrs.field(
        default=SessionStatus.SCHEDULED, converter=_status
    )
    pending_reschedule: RescheduleRequest | None = None
    notes: tuple[SessionNote, ...] = attrs.field(default=(), converter=_notes)
    closed_at: datetime | None = attrs.field(default=None, converter=_closed_at)
    closed_by: Actor | None = None
    close_reason: str | None = None
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if self.kind is SessionKind.ONE_ON_ONE and self.capacity != 1:
            raise InvalidValueError(
                field="capacity",
                reason="a one_on_one session has exactly 1 seat",
                value=self.capacity,
            )
        if self.kind is SessionKind.ONE_ON_ONE and self.waitlist_enabled:
            raise InvalidValueError(
                field="waitlist_enabled",
                reason="only group sessions have a waitlist",
                value=self.waitlist_enabled,
            )
        if self.seats.taken > self.capacity:
            raise InvalidValueError(
                field="seats",
                reason=f"confirmed plus offered seats must not exceed {self.capacity}",
                value=self.seats.taken,
            )
        if self.status.is_terminal and self.pending_reschedule is not None:
            raise InvalidValueError(
                field="pending_reschedule",
                reason="only a scheduled session can have a pending request",
                value=self.pending_reschedule,
            )

    @property
    def start(self) -> datetime:
        """The start instant (UTC)."""
        return self.window.start

    @property
    def end(self) -> datetime:
        """The end instant (UTC), the first instant after the session."""
        return self.window.end

    @property
    def duration(self) -> timedelta:
        """How long the session runs."""
        return self.window.duration

    @property
    def local_window(self) -> tuple[datetime, datetime]:
        """Start and end as aware datetimes in the session's zone, for display."""
        return self.window.in_zone(self.zone)

    @property
    def is_terminal(self) -> bool:
        """True once completed, cancelled or missed."""
        return self.status.is_terminal

    @property
    def is_reschedule_requested(self) -> bool:
        """True while a reschedule request waits for an answer."""
        return self.pending_reschedule is not None

    def notes_by(self, role: Role) -> tuple[SessionNote, ...]:
        """The notes written by actors in ``role`` (teacher notes, student notes).

        Args:
            role: Whose notes to return.

        Returns:
            The matching notes, oldest first.
        """
        return tuple(note for note in self.notes if note.author.role is role)
