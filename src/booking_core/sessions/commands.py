"""The pure session commands: schedule, reschedule, complete, cancel, mark missed.

Each command takes the session, its inputs and keyword-only ``actor``, ``now``,
``policy`` and ``students`` (the ids of the session's booked students, which the
session itself does not store), and returns a
:class:`~booking_core.events.Decision` with the new session and exactly one event,
or raises a specific :class:`~booking_core.errors.BookingCoreError` and changes
nothing. Checks run in a fixed order, so the error is predictable:

1. **role**: the actor's role may issue the command at all
   (``sessions.role_not_allowed``);
2. **relation**: a teacher must be the session's teacher, a student one of
   ``students`` (``sessions.not_participant``); admins and the system actor act on
   any session;
3. **state**: the session is scheduled (``sessions.not_scheduled``), and has / has
   no pending reschedule as the command needs;
4. **input**: reasons and notes within their lengths (``sessions.invalid_text``);
5. **time and policy**: notice, new-time lead, end, no-show limit, answer deadline.

Roles per command:

======================  ===================================================
command                 may be called by
======================  ===================================================
``schedule``            its teacher, admin, system
``request_reschedule``  its teacher, a booked student, admin
``approve_reschedule``  the other party (its teacher for a student's
``decline_reschedule``  request, a booked student for the teacher's,
                        either for an admin's) and admins; never the
                        requester
``expire_reschedule``   admin, system
``complete``            its teacher, a booked student, admin (from the
                        end on); system (from the end of the grace period)
``cancel``              its teacher, admin, system; a booked student only
                        for a 1:1 session (a student leaves a group class
                        by cancelling their booking, not the class)
``mark_missed``         its teacher, a booked student, admin, system
======================  ===================================================
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Literal

from booking_core._validation import utc_instant
from booking_core.actors import Actor, Role, check_actor
from booking_core.errors import (
    NoPendingRescheduleError,
    NoShowTooEarlyError,
    NotSessionParticipantError,
    SessionNotEndedError,
    SessionNotScheduledError,
    SessionRoleNotAllowedError,
    SessionStartInPastError,
)
from booking_core.events import Decision
from booking_core.intervals import TimeWindow
from booking_core.sessions._text import checked_text
from booking_core.sessions.events import (
    SessionCancelled,
    SessionCompleted,
    SessionEvent,
    SessionMissed,
    SessionScheduled,
    apply,
)
from booking_core.sessions.model import (
    MeetingInfo,
    RescheduleRequest,
    Session,
    SessionKind,
)
from booking_core.sessions.policies import SessionPolicy

__all__ = [
    "cancel",
    "complete",
    "mark_missed",
    "require_participant",
    "schedule",
]


_PEOPLE = frozenset({Role.TEACHER, Role.STUDENT, Role.ADMIN})


_EVERYONE = frozenset(Role)


_NO_STUDENTS: frozenset[str] = frozenset()


def _role_names(roles: Collection[Role]) -> str:
    return ", ".join(sorted(role.value for role in roles))


def require_participant(
    session: Session,
    actor: Actor,
    *,
    roles: Collection[Role],
    action: str,
    students: Collection[str] = _NO_STUDENTS,
) -> None:
    """Refuse unless ``actor`` may act on ``session`` in one of ``roles``.

    Teachers must be the session's teacher, students one of ``students``; admins
    and the system actor act on any session. Shared by the commands and by
    :func:`~booking_core.sessions.can_join`.

    Args:
        session: The session acted on.
        actor: Who acts.
        roles: The roles the command allows.
        action: What is attempted, for the message.
        students: The ids of the session's booked students.

    Raises:
        SessionRoleNotAllowedError: ``sessions.role_not_allowed`` for another role.
        NotSessionParticipantError: ``sessions.not_participant`` for a teacher of
            another session or a student who is not booked.
    """
    if check_actor(actor).role not in roles:
        raise SessionRoleNotAllowedError(
            actor=actor, action=action, allowed=_role_names(roles)
        )
    if (actor.role is Role.TEACHER and actor.user_id != session.teacher_id) or (
        actor.role is Role.STUDENT and actor.user_id not in students
    ):
        raise NotSessionParticipantError(
            actor=actor, action=action, session_id=session.id
        )


def _require_scheduled(session: Session, action: str) -> None:
    if session.is_terminal:
        raise SessionNotScheduledError(
            action=action, session_id=session.id, status=session.status.value
        )


def _require_pending(session: Session, action: str) -> RescheduleRequest:
    request = session.pending_reschedule
    if request is None:
        raise NoPendingRescheduleError(action=action, session_id=session.id)
    return request


def _decide(session: Session | None, event: SessionEvent) -> Decision[Session]:
    return Decision(state=apply(session, event), events=(event,))


def schedule(
    *,
    session_id: str,
    kind: SessionKind | Literal["group", "one_on_one"],
    teacher_id: str,
    course_id: str,
    window: TimeWindow,
    zone: str,
    meeting: MeetingInfo | None = None,
    capacity: int = 1,
    waitlist_enabled: bool = False,
    actor: Actor,
    now: datetime,
) -> Decision[Session]:
    """Schedule a new session.

    Roles: the session's teacher (``actor.user_id == teacher_id``), admin, system.
    Unlike the other commands, the fields are checked first (building the value),
    then the role.

    Args:
        session_id: The new session's id.
        kind: ``"group"`` or ``"one_on_one"``.
        teacher_id: Who teaches it.
        course_id: The course it belongs to.
        window: When it runs (aware; stored in UTC).
        zone: The IANA zone it is planned in.
        meeting: Provider, link and passcode, if known.
        capacity: Seats (1 for a 1:1 session).
        waitlist_enabled: Whether a full group session waitlists.
        actor: Who schedules.
        now: The current instant.

    Returns:
        The scheduled session (version 0) and :class:`SessionScheduled`.

    Raises:
        SessionRoleNotAllowedError: ``sessions.role_not_allowed`` for a student.
        NotSessionParticipantError: ``sessions.not_participant`` for another
            teacher.
        SessionStartInPastError: ``sessions.start_in_past`` unless it starts after
            ``now``.
        InvalidValueError: ``input.invalid_value`` for bad fields.
        UnknownZoneError: ``time.unknown_zone`` for an unknown zone.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from booking_core.actors import Actor
        >>> from booking_core.intervals import TimeWindow
        >>> now = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
        >>> decision = schedule(
        ...     session_id="s-1", kind="group", teacher_id="t-1", course_id="c-1",
        ...     window=TimeWindow.of(now + timedelta(days=1), timedelta(hours=1)),
        ...     zone="Asia/Kolkata", capacity=20, waitlist_enabled=True,
        ...     actor=Actor.admin("a-1"), now=now,
        ... )
        >>> decision.state.capacity, decision.events[0].name
        (20, 'session.scheduled')
    """
    now = utc_instant(now, "now")
    session = Session(
        id=session_id,
        kind=kind,
        teacher_id=teacher_id,
        course_id=course_id,
        window=window,
        zone=zone,
        meeting=meeting,
        capacity=capacity,
        waitlist_enabled=waitlist_enabled,
    )
    require_participant(
        session,
        actor,
        roles={Role.TEACHER, Role.ADMIN, Role.SYSTEM},
        action="schedule a session",
    )
    if session.start <= now:
        raise SessionStartInPastError(
            now=now.isoformat(), start=session.start.isoformat()
        )
    return _decide(
        None,
        SessionScheduled(
            occurred_at=now,
            actor=actor,
            aggregate_id=session.id,
            old_window=None,
            new_window=session.window,
            session=session,
        ),
    )


def _optional_reason(reason: str | None, maximum: int) -> str | None:
    if reason is None:
        return None
    return checked_text(reason, field="reason", minimum=1, maximum=maximum)


def complete(
    session: Session,
    *,
    notes: str | None = None,
    students: Collection[str] = _NO_STUDENTS,
    actor: Actor,
    now: datetime,
    policy: SessionPolicy,
) -> Decision[Session]:
    """Mark a session completed, with the completer's notes.

    Roles: its teacher, a booked student, admin from the end on; the system from
    the end of the grace period on (automatic completion of a session that ran;
    whether it ran is the caller's call). A pending reschedule is dropped.

    Args:
        session: The scheduled session.
        notes: Optional notes (trimmed; at most ``policy.notes_max_length``,
            1000 by default), kept under the completer's role.
        students: The ids of the session's booked students.
        actor: Who completes.
        now: The current instant.
        policy: The grace period and notes length.

    Returns:
        The completed session and :class:`SessionCompleted`.

    Raises:
        NotSessionParticipantError: ``sessions.not_participant``.
        SessionNotScheduledError: ``sessions.not_scheduled``.
        InvalidSessionTextError: ``sessions.invalid_text`` for long notes.
        SessionNotEndedError: ``sessions.not_ended`` before the end (system: before
            the end of the grace period).
    """
    now = utc_instant(now, "now")
    action = "complete the session"
    require_participant(
        session, actor, roles=_EVERYONE, action=action, students=students
    )
    _require_scheduled(session, action)
    text = None
    if notes is not None and notes.strip():
        text = checked_text(
            notes, field="notes", minimum=1, maximum=policy.notes_max_length
        )
    earliest = (
        policy.grace_ends_at(session.window)
        if actor.role is Role.SYSTEM
        else session.end
    )
    if now < earliest:
        raise SessionNotEndedError(
            session_id=session.id,
            actor=actor,
            earliest=earliest.isoformat(),
            now=now.isoformat(),
        )
    return _decide(
        session,
        SessionCompleted(
            occurred_at=now,
            actor=actor,
            aggregate_id=session.id,
            old_window=session.window,
            new_window=session.window,
            notes=text,
        ),
    )


def cancel(
    session: Session,
    *,
    reason: str,
    students: Collection[str] = _NO_STUDENTS,
    actor: Actor,
    now: datetime,
    policy: SessionPolicy,
) -> Decision[Session]:
    """Cancel a scheduled session at once (no approval, any time while scheduled).

    Roles: its teacher, admin, system; a booked student only for a 1:1 session.
    A pending reschedule is void. Cascading to bookings, attendees and money is the
    job of those modules, reacting to :class:`SessionCancelled`.

    Args:
        session: The scheduled session.
        reason: Why (1 to ``policy.reason_max_length`` characters after trimming).
        students: The ids of the session's booked students.
        actor: Who cancels.
        now: The current instant.
        policy: The reason length rule.

    Returns:
        The cancelled session and :class:`SessionCancelled`.

    Raises:
        SessionRoleNotAllowedError: ``sessions.role_not_allowed`` for a student of a
            group session.
        NotSessionParticipantError: ``sessions.not_participant``.
        SessionNotScheduledError: ``sessions.not_scheduled``.
        InvalidSessionTextError: ``sessions.invalid_text`` for a blank or long
            reason.
    """
    now = utc_instant(now, "now")
    roles = (
        _EVERYONE
        if session.kind is SessionKind.ONE_ON_ONE
        else frozenset({Role.TEACHER, Role.ADMIN, Role.SYSTEM})
    )
    action = f"cancel a {session.kind.value} session"
    require_participant(session, actor, roles=roles, action=action, students=students)
    _require_scheduled(session, action)
    text = checked_text(
        reason, field="reason", minimum=1, maximum=policy.reason_max_length
    )
    return _decide(
        session,
        SessionCancelled(
            occurred_at=now,
            actor=actor,
            aggregate_id=session.id,
            reason=text,
            old_window=session.window,
            new_window=session.window,
        ),
    )


def mark_missed(
    session: Session,
    *,
    reason: str | None = None,
    students: Collection[str] = _NO_STUDENTS,
    actor: Actor,
    now: datetime,
    policy: SessionPolicy,
) -> Decision[Session]:
    """Mark a scheduled session missed (a no-show).

    Roles: its teacher, a booked student, admin, system (the monitor). Whether
    anybody attended is the caller's call (attendance); this command checks the
    time only. A pending reschedule is void.

    Args:
        session: The scheduled session.
        reason: Optional reason (at most ``policy.reason_max_length`` characters).
        students: The ids of the session's booked students.
        actor: Who marks it.
        now: The current instant; at least ``no_show_after`` (30 min) after start.
        policy: The no-show limit.

    Returns:
        The missed session and :class:`SessionMissed`.

    Raises:
        NotSessionParticipantError: ``sessions.not_participant``.
        SessionNotScheduledError: ``sessions.not_scheduled``.
        InvalidSessionTextError: ``sessions.invalid_text`` for a blank or long
            reason.
        NoShowTooEarlyError: ``sessions.no_show_too_early`` before start +
            ``no_show_after``.
    """
    now = utc_instant(now, "now")
    action = "mark the session missed"
    require_participant(
        session, actor, roles=_EVERYONE, action=action, students=students
    )
    _require_scheduled(session, action)
    text = _optional_reason(reason, policy.reason_max_length)
    earliest = policy.no_show_at(session.window)
    if now < earliest:
        raise NoShowTooEarlyError(
            session_id=session.id,
            earliest=earliest.isoformat(),
            limit=policy.no_show_after,
            now=now.isoformat(),
        )
    return _decide(
        session,
        SessionMissed(
            occurred_at=now,
            actor=actor,
            aggregate_id=session.id,
            reason=text,
            old_window=session.window,
            new_window=session.window,
        ),
    )
