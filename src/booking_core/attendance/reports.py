"""Reports over sessions and attendees: lateness, billing, progress, rates.

Pure functions over what the other modules produce: :class:`SessionRecord`
bundles a :class:`~booking_core.sessions.Session` with its event trail and its
attendees (their join/leave logs). Rates are exact :class:`~fractions.Fraction`
values (``None`` when there is nothing to divide by); durations are
:class:`~datetime.timedelta`.

Definitions (seed 000 and seed 004):

* late attendees: attendees whose lateness exceeds ``late_after``;
* billing lists: attendees grouped by payment status (every status present);
* contract progress: completed sessions of a contract of ``total`` sessions,
  ``remaining = max(total - completed, 0)``;
* completion rate = completed / closed (completed + cancelled + missed);
  no-show rate = missed / closed; reschedule rate = sessions with at least one
  :class:`~booking_core.sessions.RescheduleApproved` event / all sessions;
* planned duration: the session's window; actual duration: the time the
  teacher and at least one student were in the session together (from the
  logs, not clipped to the window, so overrunning counts); both averaged over
  completed sessions.

Example:
    >>> progress = ContractProgress(completed=3, total=10)
    >>> progress.remaining, progress.share_done
    (7, Fraction(3, 10))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from fractions import Fraction
from types import MappingProxyType
from typing import final

import attrs

from booking_core._payment_status import PaymentStatus
from booking_core._repr import fields_repr
from booking_core._validation import non_negative_int
from booking_core.actors import Role
from booking_core.attendance.model import (
    AttendancePolicy,
    Attendee,
    lateness,
    presence_intervals,
)
from booking_core.errors import InvalidValueError
from booking_core.intervals import IntervalSet
from booking_core.sessions.events import RescheduleApproved, SessionEvent
from booking_core.sessions.model import Session, SessionStatus

__all__ = [
    "ContractProgress",
    "LateAttendee",
    "SessionRecord",
    "SessionStats",
    "actual_duration",
    "billing_lists",
    "contract_progress",
    "late_attendees",
    "session_stats",
]


def _events(value: Iterable[SessionEvent]) -> tuple[SessionEvent, ...]:
    return tuple(value)


def _attendees(value: Iterable[Attendee]) -> tuple[Attendee, ...]:
    return tuple(sorted(value, key=lambda attendee: attendee.id))


@final
@attrs.frozen(kw_only=True, repr=False)
class SessionRecord:
    """A session with its event trail and its attendees, the input of reports.

    Attributes:
        session: The session as it is now.
        events: Its events (the audit trail), in order.
        attendees: Its attendees, sorted by id.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an attendee of another
            session.
    """

    __repr__ = fields_repr

    session: Session
    events: tuple[SessionEvent, ...] = attrs.field(default=(), converter=_events)
    attendees: tuple[Attendee, ...] = attrs.field(default=(), converter=_attendees)

    def __attrs_post_init__(self) -> None:
        for attendee in self.attendees:
            if attendee.session_id != self.session.id:
                raise InvalidValueError(
                    field="attendees",
                    reason=f"must belong to session {self.session.id!r}",
                    value=attendee.id,
                )

    @property
    def was_rescheduled(self) -> bool:
        """Whether a reschedule of it was approved at least once."""
        return any(isinstance(event, RescheduleApproved) for event in self.events)


@final
@attrs.frozen(kw_only=True, repr=False)
class LateAttendee:
    """One late arrival.

    Attributes:
        session_id: The session.
        participant_id: Who.
        role: Teacher or student.
        lateness: First join - start.
    """

    __repr__ = fields_repr

    session_id: str
    participant_id: str
    role: Role
    lateness: timedelta


def late_attendees(
    records: Iterable[SessionRecord], policy: AttendancePolicy
) -> tuple[LateAttendee, ...]:
    """Everybody who first joined more than ``policy.late_after`` after the start.

    Args:
        records: The sessions with their attendees.
        policy: The lateness tolerance.

    Returns:
        The late arrivals, by session start, session id, then most late first.
    """
    found: list[tuple[tuple[datetime, str, timedelta, str], LateAttendee]] = []
    for record in records:
        session = record.session
        for attendee in record.attendees:
            late = lateness(attendee, session)
            if late is not None and late > policy.late_after:
                key = (session.start, session.id, -late, attendee.id)
                found.append(
                    (
                        key,
                        LateAttendee(
                            session_id=session.id,
                            participant_id=attendee.participant_id,
                            role=attendee.role,
                            lateness=late,
                        ),
                    )
                )
    found.sort(key=lambda row: row[0])
    return tuple(item for _, item in found)


def billing_lists(
    attendees: Iterable[Attendee],
) -> Mapping[PaymentStatus, tuple[Attendee, ...]]:
    """Attendees grouped by payment status (every status, maybe empty), by id.

    Args:
        attendees: Any attendees.

    Returns:
        A read-only mapping status -> attendees sorted by id.
    """
    grouped: dict[PaymentStatus, list[Attendee]] = {s: [] for s in PaymentStatus}
    for attendee in attendees:
        grouped[attendee.payment_status].append(attendee)
    return MappingProxyType(
        {s: tuple(sorted(found, key=lambda a: a.id)) for s, found in grouped.items()}
    )


@final
@attrs.frozen(kw_only=True, repr=False)
class ContractProgress:
    """Progress through a contract (package) of sessions.

    Attributes:
        completed: Completed sessions.
        total: Sessions the contract holds.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a negative count.
    """

    __repr__ = fields_repr

    completed: int = attrs.field(validator=non_negative_int)
    total: int = attrs.field(validator=non_negative_int)

    @property
    def remaining(self) -> int:
        """Sessions still to be completed, never below 0."""
        return max(self.total - self.completed, 0)

    @property
    def share_done(self) -> Fraction | None:
        """``completed / total`` (may exceed 1), ``None`` for an empty contract."""
        return Fraction(self.completed, self.total) if self.total else None


def contract_progress(sessions: Iterable[Session], *, total: int) -> ContractProgress:
    """How far a contract of ``total`` sessions has come.

    Args:
        sessions: The contract's sessions (any status).
        total: How many sessions the contract holds.

    Returns:
        The progress (completed counted by status).
    """
    completed = sum(1 for s in sessions if s.status is SessionStatus.COMPLETED)
    return ContractProgress(completed=completed, total=total)


def actual_duration(record: SessionRecord) -> timedelta:
    """How long the teacher and at least one student were in the session together.

    Args:
        record: The session and its attendees.

    Returns:
        The overlap of the teacher's presence with the union of the students'.
    """
    session = record.session
    teacher = IntervalSet.empty()
    students = IntervalSet.empty()
    for attendee in record.attendees:
        present = presence_intervals(attendee, session)
        if attendee.role is Role.STUDENT:
            students = students | present
        elif attendee.participant_id == session.teacher_id:
            teacher = present
    return (teacher & students).total_duration


@final
@attrs.frozen(kw_only=True, repr=False)
class SessionStats:
    """Rates and durations over a set of sessions.

    Attributes:
        sessions: How many sessions.
        completed: Completed ones.
        cancelled: Cancelled ones.
        missed: Missed (no-show) ones.
        rescheduled: Ones with an approved reschedule.
        completion_rate: completed / closed, ``None`` when none is closed.
        no_show_rate: missed / closed, ``None`` when none is closed.
        reschedule_rate: rescheduled / sessions, ``None`` for no sessions.
        average_planned: Mean planned duration of completed sessions.
        average_actual: Mean actual duration of completed sessions.
    """

    __repr__ = fields_repr

    sessions: int
    completed: int
    cancelled: int
    missed: int
    rescheduled: int
    completion_rate: Fraction | None
    no_show_rate: Fraction | None
    reschedule_rate: Fraction | None
    average_planned: timedelta | None
    average_actual: timedelta | None


def _rate(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def _mean(values: list[timedelta]) -> timedelta | None:
    return sum(values, timedelta(0)) / len(values) if values else None


def session_stats(records: Iterable[SessionRecord]) -> SessionStats:
    """Completion, no-show and reschedule rates and mean durations (seed 004).

    Args:
        records: The sessions with their event trails and attendees.

    Returns:
        The :class:`SessionStats`.
    """
    rows = list(records)
    count = dict.fromkeys(SessionStatus, 0)
    for record in rows:
        count[record.session.status] += 1
    closed = len(rows) - count[SessionStatus.SCHEDULED]
    done = [r for r in rows if r.session.status is SessionStatus.COMPLETED]
    rescheduled = sum(1 for r in rows if r.was_rescheduled)
    return SessionStats(
        sessions=len(rows),
        completed=count[SessionStatus.COMPLETED],
        cancelled=count[SessionStatus.CANCELLED],
        missed=count[SessionStatus.MISSED],
        rescheduled=rescheduled,
        completion_rate=_rate(count[SessionStatus.COMPLETED], closed),
        no_show_rate=_rate(count[SessionStatus.MISSED], closed),
        reschedule_rate=_rate(rescheduled, len(rows)),
        average_planned=_mean([r.session.duration for r in done]),
        average_actual=_mean([actual_duration(r) for r in done]),
    )
