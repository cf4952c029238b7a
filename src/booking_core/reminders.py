"""Reminders before a session starts: which are due in a window (pure).

A :class:`ReminderPolicy` says how long before the start each role is reminded
(24 h and 1 h by default). :func:`due_reminders` takes the sessions, their booked
students and a half-open window ``[since, now)`` and returns every
:class:`Reminder` whose due time falls in it. A monitor that ticks over
consecutive windows therefore sees each reminder once; its :attr:`Reminder.key`
(session, participant, offset and the start it was computed for) lets several
workers claim it exactly once. A rescheduled session has a new start, so its
reminders get new keys and due times: they are re-armed. Cancelled, completed
and missed sessions have no reminders.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core import Session, TimeWindow
    >>> start = datetime(2026, 3, 30, 17, tzinfo=timezone.utc)
    >>> session = Session(id="s-1", kind="group", teacher_id="fay",
    ...     course_id="piano", window=TimeWindow.of(start, timedelta(hours=1)),
    ...     zone="Europe/London", capacity=4)
    >>> since = datetime(2026, 3, 30, 15, 55, tzinfo=timezone.utc)
    >>> now = datetime(2026, 3, 30, 16, 5, tzinfo=timezone.utc)
    >>> for r in due_reminders([session], {"s-1": ["ann"]}, since=since, now=now):
    ...     print(r.participant, r.offset, r.due_at.time(), r.key)
    student 'ann' 1:00:00 16:00:00 s-1~student~ann~PT3600S~20260330T170000Z
    teacher 'fay' 1:00:00 16:00:00 s-1~teacher~fay~PT3600S~20260330T170000Z
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import final

import attrs

from booking_core import Session, SessionStatus, TimeWindow
from booking_core._validation import utc_instant
from booking_core.actors import Actor, Role
from booking_core.errors import InvalidValueError

__all__ = ["Reminder", "ReminderPolicy", "due_reminders", "reminder_starts"]

_UTC = timezone.utc
_DEFAULT = frozenset({timedelta(hours=24), timedelta(hours=1)})


def _offsets(value: Iterable[object]) -> frozenset[timedelta]:
    offsets: set[timedelta] = set()
    for offset in value:
        if not isinstance(offset, timedelta) or offset <= timedelta(0):
            raise InvalidValueError(
                field="offsets",
                reason="every offset must be a positive timedelta",
                value=offset,
            )
        offsets.add(offset)
    return frozenset(offsets)


@final
@attrs.frozen(kw_only=True)
class ReminderPolicy:
    """How long before a session's start each role is reminded.

    Attributes:
        teacher: Offsets before the start for the session's teacher.
        student: Offsets before the start for each booked student.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an offset that is not a
            positive ``timedelta``.
    """

    teacher: frozenset[timedelta] = attrs.field(default=_DEFAULT, converter=_offsets)
    student: frozenset[timedelta] = attrs.field(default=_DEFAULT, converter=_offsets)

    def offsets(self, role: Role) -> tuple[timedelta, ...]:
        """The offsets of ``role``, largest first (none for admins and the system)."""
        if role is Role.TEACHER:
            return tuple(sorted(self.teacher, reverse=True))
        if role is Role.STUDENT:
            return tuple(sorted(self.student, reverse=True))
        return ()

    @property
    def longest(self) -> timedelta:
        """The largest offset of any role (zero when there is none)."""
        return max((*self.teacher, *self.student), default=timedelta(0))


def _seconds(offset: timedelta) -> str:
    return f"PT{int(offset.total_seconds())}S"


@final
@attrs.frozen(kw_only=True)
class Reminder:
    """One reminder due: who, for which session, how long before which start.

    Attributes:
        session_id: The session.
        participant: The teacher or booked student to remind.
        offset: How long before the start.
        start: The start it was computed for (UTC).
        due_at: ``start - offset`` (UTC).
    """

    session_id: str
    participant: Actor
    offset: timedelta
    start: datetime
    due_at: datetime

    @property
    def key(self) -> str:
        """The de-duplication key: the same reminder always has the same key.

        ``<session>~<role>~<user>~PT<seconds>S~<start in UTC>``: a reschedule
        (a new start) gives new keys, so reminders are re-armed.
        """
        stamp = self.start.astimezone(_UTC).strftime("%Y%m%dT%H%M%SZ")
        return (
            f"{self.session_id}~{self.participant.role.value}~"
            f"{self.participant.user_id}~{_seconds(self.offset)}~{stamp}"
        )


def reminder_starts(
    *, since: datetime, now: datetime, policy: ReminderPolicy | None = None
) -> TimeWindow | None:
    """The starts of the sessions that can have a reminder due in ``[since, now)``.

    A monitor loads only the scheduled sessions starting in this window (its
    due set), whatever the history holds. ``None`` for an empty window.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` for a naive bound.
    """
    policy = policy if policy is not None else ReminderPolicy()
    low, high = utc_instant(since, "since"), utc_instant(now, "now")
    if low >= high:
        return None
    return TimeWindow(start=low, end=high + policy.longest)


def due_reminders(
    sessions: Iterable[Session],
    students: Mapping[str, Collection[str]],
    *,
    since: datetime,
    now: datetime,
    policy: ReminderPolicy | None = None,
) -> tuple[Reminder, ...]:
    """The reminders due in ``[since, now)``, in order of due time.

    Args:
        sessions: Candidate sessions (e.g. those starting in
            :func:`reminder_starts`); only scheduled ones get reminders.
        students: Session id -> user ids of its booked students (missing: none).
        since: Start of the window, inclusive (the previous tick's ``now``).
        now: End of the window, exclusive.
        policy: The offsets per role (default :class:`ReminderPolicy`).

    Returns:
        One :class:`Reminder` per (session, participant, offset) due in the
        window; never for a cancelled, completed or missed session.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` for a naive bound.
    """
    policy = policy if policy is not None else ReminderPolicy()
    low, high = utc_instant(since, "since"), utc_instant(now, "now")
    found: list[Reminder] = []
    for session in sessions:
        if session.status is not SessionStatus.SCHEDULED:
            continue
        people = [
            Actor.teacher(session.teacher_id),
            *(Actor.student(s) for s in sorted(students.get(session.id, ()))),
        ]
        for person in people:
            for offset in policy.offsets(person.role):
                due = session.start - offset
                if low <= due < high:
                    found.append(
                        Reminder(
                            session_id=session.id,
                            participant=person,
                            offset=offset,
                            start=session.start,
                            due_at=due,
                        )
                    )
    return tuple(sorted(found, key=lambda r: (r.due_at, r.key)))
