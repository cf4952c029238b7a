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

The monitor (:class:`~booking_core.services.monitor.Monitor`, step
``reminders``) keeps no state between ticks: at ``now`` it sends
:func:`sendable_reminders`, those due in ``[now - policy.late, now)`` for
sessions not started yet, and claims each with :func:`claim_reminder`: a
:class:`ReminderClaim` stored under the reminder's key by a unique insert in
the same transaction as its :class:`ReminderDue` event, so of two workers
only one commits it.

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

import hashlib
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import final

import attrs

from booking_core import Session, SessionStatus, TimeWindow
from booking_core._repr import fields_repr
from booking_core._validation import ID_MAX_CHARS, utc_instant
from booking_core.actors import Actor, Role
from booking_core.errors import InvalidValueError
from booking_core.events import Decision, DomainEvent
from booking_core.intervals import IntervalSet

__all__ = [
    "Reminder",
    "ReminderClaim",
    "ReminderDue",
    "ReminderPolicy",
    "claim_id",
    "claim_reminder",
    "due_reminders",
    "reminder_starts",
    "sendable_reminders",
    "sendable_starts",
]

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


def _positive_late(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidValueError(
            field="late", reason="must be a positive timedelta", value=value
        )


@final
@attrs.frozen(kw_only=True, repr=False)
class ReminderPolicy:
    """How long before a session's start each role is reminded.

    Attributes:
        teacher: Offsets before the start for the session's teacher.
        student: Offsets before the start for each booked student.
        late: How late the monitor may still send a reminder (1 h): one whose
            due time passed while no monitor ran is sent if it is at most this
            late, and never once its session has started.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an offset or a ``late``
            that is not a positive ``timedelta``.
    """

    __repr__ = fields_repr

    teacher: frozenset[timedelta] = attrs.field(default=_DEFAULT, converter=_offsets)
    student: frozenset[timedelta] = attrs.field(default=_DEFAULT, converter=_offsets)
    late: timedelta = attrs.field(default=timedelta(hours=1), validator=_positive_late)

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
@attrs.frozen(kw_only=True, repr=False)
class Reminder:
    """One reminder due: who, for which session, how long before which start.

    Attributes:
        session_id: The session.
        participant: The teacher or booked student to remind.
        offset: How long before the start.
        start: The start it was computed for (UTC).
        due_at: ``start - offset`` (UTC).
    """

    __repr__ = fields_repr

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


def sendable_starts(
    *, now: datetime, policy: ReminderPolicy | None = None
) -> tuple[TimeWindow, ...]:
    """The starts of the sessions :func:`sendable_reminders` may remind at ``now``.

    For each offset, the starts whose reminder is due in ``[now - late, now)``
    and that are after ``now``: ``[max(now, now + offset - late), now +
    offset)``; merged, in order. A tick reads only these (two hours of starts
    with the defaults), not every session of the next day.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` for a naive ``now``.

    Example:
        >>> from datetime import datetime, timezone
        >>> now = datetime(2026, 3, 30, 16, tzinfo=timezone.utc)
        >>> for window in sendable_starts(now=now):
        ...     print(window.start.isoformat(), window.end.isoformat())
        2026-03-30T16:00:00+00:00 2026-03-30T17:00:00+00:00
        2026-03-31T15:00:00+00:00 2026-03-31T16:00:00+00:00
    """
    policy = policy if policy is not None else ReminderPolicy()
    at = utc_instant(now, "now")
    windows = [
        TimeWindow(start=max(at, at + offset - policy.late), end=at + offset)
        for offset in {*policy.teacher, *policy.student}
    ]
    return IntervalSet.of(windows).windows


def sendable_reminders(
    sessions: Iterable[Session],
    students: Mapping[str, Collection[str]],
    *,
    now: datetime,
    policy: ReminderPolicy | None = None,
) -> tuple[Reminder, ...]:
    """The reminders a monitor ticking at ``now`` sends (if not claimed yet).

    Those due in ``[now - policy.late, now)`` (:func:`due_reminders`) of
    sessions that start after ``now``: a monitor that was down for less than
    ``policy.late`` still sends what came due meanwhile, late, and none is
    sent once its session has started. The claim store makes it once.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` for a naive ``now``.
    """
    policy = policy if policy is not None else ReminderPolicy()
    at = utc_instant(now, "now")
    due = due_reminders(
        sessions, students, since=at - policy.late, now=at, policy=policy
    )
    return tuple(reminder for reminder in due if reminder.start > at)


def claim_id(key: str) -> str:
    """The id a reminder's claim is stored under: its key, or a digest of a long one.

    Keys within :data:`~booking_core._validation.ID_MAX_CHARS` are kept as they
    are (readable in the store); longer ones (long session and user ids) become
    ``sha256~<hex digest>``, the same for the same key.

    Example:
        >>> claim_id("s-1~student~ann~PT3600S~20260330T170000Z")
        's-1~student~ann~PT3600S~20260330T170000Z'
        >>> len(claim_id("x" * 300))
        71
    """
    if len(key) <= ID_MAX_CHARS:
        return key
    return "sha256~" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _claimed_at(value: datetime) -> datetime:
    return utc_instant(value, "claimed_at")


@final
@attrs.frozen(kw_only=True, repr=False)
class ReminderClaim:
    """A reminder some monitor has sent, stored under :func:`claim_id` of its key.

    Adding it is the unique insert that makes a reminder go out once, whatever
    the number of workers: the second unit of work adding the same id fails
    with ``conflict.duplicate_id`` and commits nothing (nor its event).

    Attributes:
        id: :func:`claim_id` of the reminder's key.
        reminder: The reminder sent.
        claimed_at: When the monitor claimed it (UTC).
        version: The stored version (a claim is never changed).
    """

    __repr__ = fields_repr

    id: str
    reminder: Reminder
    claimed_at: datetime = attrs.field(converter=_claimed_at)
    version: int = 0


@final
@attrs.frozen(kw_only=True, repr=False)
class ReminderDue(DomainEvent):
    """A reminder is due: tell ``participant`` that a session starts soon.

    Emitted once per (session, participant, offset, start) by the monitor's
    ``reminders`` step; a host sends the e-mail, push or message from it and
    may de-duplicate by ``key``.

    Attributes:
        key: The reminder's :attr:`Reminder.key`.
        participant: Who to remind (the teacher or a booked student).
        offset: How long before the start it is meant to arrive.
        start: The session's start it was computed for (UTC).
        due_at: ``start - offset``; ``occurred_at`` is when it was sent.
    """

    __repr__ = fields_repr

    key: str
    participant: Actor
    offset: timedelta
    start: datetime
    due_at: datetime


def claim_reminder(
    reminder: Reminder, *, now: datetime, actor: Actor
) -> Decision[ReminderClaim]:
    """Claim ``reminder``: the claim to add and its :class:`ReminderDue` event.

    Store the claim with ``uow.reminders.add`` and commit it with the event in
    one unit of work: a duplicate id means another worker sent it.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` for a naive ``now``.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> start = datetime(2026, 3, 30, 17, tzinfo=timezone.utc)
        >>> reminder = Reminder(session_id="s-1", participant=Actor.student("ann"),
        ...     offset=timedelta(hours=1), start=start,
        ...     due_at=start - timedelta(hours=1))
        >>> decision = claim_reminder(reminder, now=start - timedelta(minutes=59),
        ...                           actor=Actor.system())
        >>> decision.state.id, decision.events[0].name
        ('s-1~student~ann~PT3600S~20260330T170000Z', 'reminder.due')
    """
    at = utc_instant(now, "now")
    claim = ReminderClaim(id=claim_id(reminder.key), reminder=reminder, claimed_at=at)
    event = ReminderDue(
        occurred_at=at,
        actor=actor,
        aggregate_id=reminder.session_id,
        key=reminder.key,
        participant=reminder.participant,
        offset=reminder.offset,
        start=reminder.start,
        due_at=reminder.due_at,
    )
    return Decision(state=claim, events=(event,))
