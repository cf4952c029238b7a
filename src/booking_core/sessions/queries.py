"""Pure predicates and queries over a session: join window, due transitions, display.

Nothing here changes a session; these are what screens, attendance (join
window) and the monitor (which transitions are due at ``now``) ask.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.sessions import Session, SessionPolicy, is_past_no_show_limit
    >>> start = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> session = Session(
    ...     id="s-1", kind="one_on_one", teacher_id="t-1", course_id="c-1",
    ...     window=TimeWindow.of(start, timedelta(hours=1)), zone="Asia/Kolkata",
    ... )
    >>> is_past_no_show_limit(
    ...     session, now=start + timedelta(minutes=30), policy=SessionPolicy()
    ... )
    True
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from booking_core._validation import utc_instant
from booking_core.actors import Actor, Role
from booking_core.errors import (
    BookingCoreError,
    JoinWindowClosedError,
    RejoinNotAllowedError,
    SessionNotScheduledError,
)
from booking_core.intervals import TimeWindow
from booking_core.sessions.commands import require_participant
from booking_core.sessions.model import Session, SessionStatus
from booking_core.sessions.policies import SessionPolicy

__all__ = [
    "can_be_completed",
    "can_join",
    "check_join",
    "is_overdue",
    "is_past_grace_period",
    "is_past_no_show_limit",
    "is_reschedule_expired",
    "join_window",
    "status_display",
    "time_until_start",
]

_JOINERS = frozenset({Role.TEACHER, Role.STUDENT, Role.ADMIN})
_NO_STUDENTS: frozenset[str] = frozenset()


def join_window(session: Session, policy: SessionPolicy) -> TimeWindow:
    """When participants may join: ``[start - join_opens_before, end + grace)``.

    Half-open: joining at exactly the opening instant is allowed, at exactly the
    closing instant it is not.

    Args:
        session: The session.
        policy: Its join and grace durations.

    Returns:
        The join window, in UTC.
    """
    return policy.join_window(session.window)


def check_join(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    policy: SessionPolicy,
    students: Collection[str] = _NO_STUDENTS,
    already_joined: bool = False,
) -> None:
    """Refuse unless ``actor`` may join ``session`` at ``now``.

    Roles: its teacher, a booked student, admin (to observe). The system never
    joins.

    Args:
        session: The session to join.
        actor: Who joins.
        now: The current instant.
        policy: Join window and rejoin rule.
        students: The ids of the session's booked students.
        already_joined: Whether the actor joined (and left) before; refused when
            ``policy.rejoin_allowed`` is off.

    Raises:
        SessionRoleNotAllowedError: ``sessions.role_not_allowed`` for the system.
        NotSessionParticipantError: ``sessions.not_participant``.
        SessionNotScheduledError: ``sessions.not_scheduled`` once closed.
        JoinWindowClosedError: ``sessions.join_window_closed`` outside the window.
        RejoinNotAllowedError: ``sessions.rejoin_not_allowed``.
    """
    now = utc_instant(now, "now")
    require_participant(
        session, actor, roles=_JOINERS, action="join the session", students=students
    )
    if session.is_terminal:
        raise SessionNotScheduledError(
            action="join", session_id=session.id, status=session.status.value
        )
    window = join_window(session, policy)
    if not window.contains(now):
        raise JoinWindowClosedError(
            session_id=session.id,
            opens=window.start.isoformat(),
            closes=window.end.isoformat(),
            now=now.isoformat(),
        )
    if already_joined and not policy.rejoin_allowed:
        raise RejoinNotAllowedError(actor=actor, session_id=session.id)


def can_join(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    policy: SessionPolicy,
    students: Collection[str] = _NO_STUDENTS,
    already_joined: bool = False,
) -> bool:
    """Whether :func:`check_join` would let ``actor`` join at ``now``.

    Args:
        session: The session to join.
        actor: Who joins.
        now: The current instant.
        policy: Join window and rejoin rule.
        students: The ids of the session's booked students.
        already_joined: Whether the actor joined (and left) before.

    Returns:
        ``True`` when joining is allowed, else ``False`` (never raises a domain
        error; :func:`check_join` says why).

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from booking_core.actors import Actor
        >>> from booking_core.intervals import TimeWindow
        >>> start = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
        >>> session = Session(
        ...     id="s-1", kind="one_on_one", teacher_id="t-1", course_id="c-1",
        ...     window=TimeWindow.of(start, timedelta(hours=1)), zone="Europe/London",
        ... )
        >>> student = Actor.student("s-9")
        >>> opens = start - timedelta(minutes=10)
        >>> [can_join(session, student, now=at, policy=SessionPolicy(),
        ...           students={"s-9"})
        ...  for at in (opens - timedelta(seconds=1), opens)]
        [False, True]
    """
    try:
        check_join(
            session,
            actor,
            now=now,
            policy=policy,
            students=students,
            already_joined=already_joined,
        )
    except BookingCoreError:
        return False
    return True


def time_until_start(session: Session, *, now: datetime) -> timedelta:
    """How long until the session starts (negative once it started).

    Args:
        session: The session.
        now: The current instant.

    Returns:
        ``start - now``.
    """
    return session.start - utc_instant(now, "now")


def is_overdue(session: Session, *, now: datetime) -> bool:
    """True when the session is still scheduled although it has ended.

    Args:
        session: The session.
        now: The current instant.

    Returns:
        ``True`` for a scheduled session with ``now >= end``.
    """
    return not session.is_terminal and utc_instant(now, "now") >= session.end


def can_be_completed(session: Session, *, now: datetime) -> bool:
    """True when a participant may complete it now (scheduled and ended).

    The system actor additionally waits for :func:`is_past_grace_period`.

    Args:
        session: The session.
        now: The current instant.

    Returns:
        ``True`` for a scheduled session with ``now >= end``.
    """
    return is_overdue(session, now=now)


def is_past_grace_period(
    session: Session, *, now: datetime, policy: SessionPolicy
) -> bool:
    """True once the grace period after the end is over (the join window closed).

    From then on the system actor may complete a session that ran. About time
    only: check the status too.

    Args:
        session: The session.
        now: The current instant.
        policy: Its grace period.

    Returns:
        ``now >= end + grace_period``.
    """
    return utc_instant(now, "now") >= policy.grace_ends_at(session.window)


def is_past_no_show_limit(
    session: Session, *, now: datetime, policy: SessionPolicy
) -> bool:
    """True from start + ``no_show_after`` (30 min) on: it may be marked missed.

    About time only: check the status (and attendance) too.

    Args:
        session: The session.
        now: The current instant.
        policy: Its no-show limit.

    Returns:
        ``now >= start + no_show_after``.
    """
    return utc_instant(now, "now") >= policy.no_show_at(session.window)


def is_reschedule_expired(session: Session, *, now: datetime) -> bool:
    """True when a pending reschedule request is past its answer deadline.

    From then on :func:`~booking_core.sessions.expire_reschedule` accepts it.

    Args:
        session: The session.
        now: The current instant.

    Returns:
        ``True`` when a request is pending and ``now >= respond_by``.
    """
    request = session.pending_reschedule
    return request is not None and utc_instant(now, "now") >= request.respond_by


_LABELS = {
    SessionStatus.SCHEDULED: "Scheduled",
    SessionStatus.COMPLETED: "Completed",
    SessionStatus.CANCELLED: "Cancelled",
    SessionStatus.MISSED: "Missed",
}


def status_display(session: Session) -> str:
    """The human-readable status ("Scheduled", "Reschedule requested", ...).

    Args:
        session: The session.

    Returns:
        "Scheduled", "Reschedule requested", "Completed", "Cancelled" or "Missed".

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from booking_core.intervals import TimeWindow
        >>> session = Session(
        ...     id="s-1", kind="group", teacher_id="t-1", course_id="c-1",
        ...     window=TimeWindow.of(
        ...         datetime(2026, 6, 1, 9, tzinfo=timezone.utc), timedelta(hours=1)
        ...     ),
        ...     zone="UTC", status="missed",
        ... )
        >>> status_display(session)
        'Missed'
    """
    if session.is_reschedule_requested:
        return "Reschedule requested"
    return _LABELS[session.status]
