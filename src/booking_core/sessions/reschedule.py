"""Reschedule commands: request a new time, approve, decline, or let it expire.

A request is refused without enough notice or a reason; the other side (or an
admin) answers before the response window closes, or the request expires and is
approved or lapses by :class:`~booking_core.sessions.ReschedulePolicy`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from booking_core._validation import utc_instant
from booking_core.actors import Actor, Role
from booking_core.errors import (
    InvalidValueError,
    NewTimeTooSoonError,
    OwnRescheduleRequestError,
    RescheduleNotDueError,
    RescheduleNoticeTooShortError,
    ReschedulePendingError,
    SessionRoleNotAllowedError,
)
from booking_core.events import Decision
from booking_core.intervals import TimeWindow
from booking_core.sessions._text import checked_text
from booking_core.sessions.commands import (
    _NO_STUDENTS,
    _PEOPLE,
    _decide,
    _optional_reason,
    _require_pending,
    _require_scheduled,
    _role_names,
    require_participant,
)
from booking_core.sessions.events import (
    RescheduleApproved,
    RescheduleDeclined,
    RescheduleExpired,
    RescheduleRequested,
)
from booking_core.sessions.model import (
    RescheduleRequest,
    Session,
)
from booking_core.sessions.policies import ReschedulePolicy

__all__ = [
    "approve_reschedule",
    "decline_reschedule",
    "expire_reschedule",
    "request_reschedule",
]


def _check_new_start(
    new_start: datetime, *, now: datetime, policy: ReschedulePolicy
) -> datetime:
    new_start = utc_instant(new_start, "new_start")
    earliest = now + policy.min_new_time_lead
    if new_start < earliest:
        raise NewTimeTooSoonError(
            new_start=new_start.isoformat(),
            lead=policy.min_new_time_lead,
            now=now.isoformat(),
            earliest=earliest.isoformat(),
        )
    return new_start


def request_reschedule(
    session: Session,
    *,
    reason: str,
    new_start: datetime | None = None,
    students: Collection[str] = _NO_STUDENTS,
    actor: Actor,
    now: datetime,
    policy: ReschedulePolicy,
) -> Decision[Session]:
    """Ask to move a session; it stays scheduled with a pending request.

    Roles: its teacher, a booked student, admin.

    Notice is absolute time (``start - now``), so a request across a DST change
    needs the same number of real hours as any other.

    Args:
        session: The session to move.
        reason: Why (``reason_min_length``..``reason_max_length`` characters after
            trimming; 10-500 by default).
        new_start: The proposed new start (the duration is kept). Without one the
            other party must choose the time when approving, and the request can
            only lapse on timeout.
        students: The ids of the session's booked students.
        actor: Who asks.
        now: The current instant.
        policy: The notice and length rules.

    Returns:
        The session with :attr:`~Session.pending_reschedule` set, and
        :class:`RescheduleRequested`.

    Raises:
        SessionRoleNotAllowedError: ``sessions.role_not_allowed`` for the system.
        NotSessionParticipantError: ``sessions.not_participant``.
        SessionNotScheduledError: ``sessions.not_scheduled`` once closed.
        ReschedulePendingError: ``sessions.reschedule_pending`` when one is pending.
        InvalidSessionTextError: ``sessions.invalid_text`` for the reason length.
        RescheduleNoticeTooShortError: ``sessions.notice_too_short`` with less
            notice than the role needs (24 h student, 48 h teacher by default).
        NewTimeTooSoonError: ``sessions.new_time_too_soon`` for a new start less
            than ``min_new_time_lead`` (1 h) after ``now``.
    """
    now = utc_instant(now, "now")
    action = "request a reschedule"
    require_participant(session, actor, roles=_PEOPLE, action=action, students=students)
    _require_scheduled(session, action)
    pending = session.pending_reschedule
    if pending is not None:
        raise ReschedulePendingError(
            session_id=session.id,
            requested_by=pending.requested_by,
            respond_by=pending.respond_by.isoformat(),
        )
    text = checked_text(
        reason,
        field="reason",
        minimum=policy.reason_min_length,
        maximum=policy.reason_max_length,
    )
    remaining = session.start - now
    required = policy.required_notice(actor.role)
    if remaining < required:
        raise RescheduleNoticeTooShortError(
            role=actor.role.value,
            required=required,
            start=session.start.isoformat(),
            remaining=remaining,
        )
    proposed = None
    if new_start is not None:
        start = _check_new_start(new_start, now=now, policy=policy)
        proposed = TimeWindow.of(start, session.duration)
    request = RescheduleRequest(
        requested_by=actor,
        requested_at=now,
        reason=text,
        new_window=proposed,
        respond_by=policy.respond_by(requested_at=now, session_start=session.start),
    )
    return _decide(
        session,
        RescheduleRequested(
            occurred_at=now,
            actor=actor,
            aggregate_id=session.id,
            reason=text,
            old_window=session.window,
            new_window=session.window,
            request=request,
        ),
    )


def _answerers(request: RescheduleRequest) -> frozenset[Role]:
    if request.requested_by.role is Role.STUDENT:
        return frozenset({Role.TEACHER, Role.ADMIN})
    if request.requested_by.role is Role.TEACHER:
        return frozenset({Role.STUDENT, Role.ADMIN})
    return _PEOPLE


def _require_answerer(
    session: Session,
    actor: Actor,
    action: str,
    students: Collection[str],
) -> RescheduleRequest:
    require_participant(session, actor, roles=_PEOPLE, action=action, students=students)
    _require_scheduled(session, action)
    request = _require_pending(session, action)
    allowed = _answerers(request)
    if actor == request.requested_by:
        raise OwnRescheduleRequestError(
            actor=actor,
            action=action,
            session_id=session.id,
            allowed=_role_names(allowed),
        )
    if actor.role not in allowed:
        raise SessionRoleNotAllowedError(
            actor=actor,
            action=f"{action} made by a {request.requested_by.role.value}",
            allowed=_role_names(allowed),
        )
    return request


def approve_reschedule(
    session: Session,
    *,
    new_start: datetime | None = None,
    students: Collection[str] = _NO_STUDENTS,
    actor: Actor,
    now: datetime,
    policy: ReschedulePolicy,
) -> Decision[Session]:
    """Approve the pending reschedule: the session moves to the new time.

    Roles: the other party (its teacher for a student's request, a booked student
    for the teacher's, either for an admin's) or an admin; never the requester.
    An answer after ``respond_by`` is still accepted until the request is expired.

    Args:
        session: The session with a pending request.
        new_start: The new start; defaults to the proposed one. The duration is
            kept.
        students: The ids of the session's booked students.
        actor: Who approves.
        now: The current instant.
        policy: The new-time lead rule.

    Returns:
        The moved session without a pending request, and
        :class:`RescheduleApproved` (old and new window).

    Raises:
        SessionRoleNotAllowedError: ``sessions.role_not_allowed`` for the system or
            for the requester's own side.
        NotSessionParticipantError: ``sessions.not_participant``.
        SessionNotScheduledError: ``sessions.not_scheduled`` once closed.
        NoPendingRescheduleError: ``sessions.no_pending_reschedule``.
        OwnRescheduleRequestError: ``sessions.own_reschedule_request`` for the
            requester.
        InvalidValueError: ``input.invalid_value`` without ``new_start`` when the
            request proposed none.
        NewTimeTooSoonError: ``sessions.new_time_too_soon`` for a new start less
            than ``min_new_time_lead`` after ``now``.
    """
    now = utc_instant(now, "now")
    request = _require_answerer(session, actor, "approve the reschedule", students)
    if new_start is None:
        if request.new_window is None:
            raise InvalidValueError(
                field="new_start",
                reason="is required because the request proposed no new time",
                value=None,
            )
        new_start = request.new_window.start
    start = _check_new_start(new_start, now=now, policy=policy)
    return _decide(
        session,
        RescheduleApproved(
            occurred_at=now,
            actor=actor,
            aggregate_id=session.id,
            reason=request.reason,
            old_window=session.window,
            new_window=TimeWindow.of(start, session.duration),
            requested_by=request.requested_by,
        ),
    )


def decline_reschedule(
    session: Session,
    *,
    reason: str | None = None,
    students: Collection[str] = _NO_STUDENTS,
    actor: Actor,
    now: datetime,
    policy: ReschedulePolicy,
) -> Decision[Session]:
    """Decline the pending reschedule: the session keeps its time.

    Roles: as :func:`approve_reschedule`.

    Args:
        session: The session with a pending request.
        reason: Why, optional (1 to ``policy.reason_max_length`` characters after
            trimming).
        students: The ids of the session's booked students.
        actor: Who declines.
        now: The current instant.
        policy: The reason length rule.

    Returns:
        The session without a pending request, and :class:`RescheduleDeclined`.

    Raises:
        SessionRoleNotAllowedError: ``sessions.role_not_allowed``.
        NotSessionParticipantError: ``sessions.not_participant``.
        SessionNotScheduledError: ``sessions.not_scheduled``.
        NoPendingRescheduleError: ``sessions.no_pending_reschedule``.
        OwnRescheduleRequestError: ``sessions.own_reschedule_request``.
        InvalidSessionTextError: ``sessions.invalid_text`` for a blank or long
            reason.
    """
    now = utc_instant(now, "now")
    request = _require_answerer(session, actor, "decline the reschedule", students)
    text = _optional_reason(reason, policy.reason_max_length)
    return _decide(
        session,
        RescheduleDeclined(
            occurred_at=now,
            actor=actor,
            aggregate_id=session.id,
            reason=text,
            old_window=session.window,
            new_window=session.window,
            requested_by=request.requested_by,
            proposed_window=request.new_window,
        ),
    )


def expire_reschedule(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    policy: ReschedulePolicy,
) -> Decision[Session]:
    """Settle a request nobody answered by its deadline.

    Roles: admin, system (the monitor).

    With ``policy.auto_approve_on_timeout`` (the default) the proposed time is
    approved, provided it is still at least ``min_new_time_lead`` after ``now``;
    otherwise (no proposed time, too close, or auto-approval off) the request
    lapses and the session keeps its time.

    Args:
        session: The session with a pending request.
        actor: Who expires it.
        now: The current instant; at or after the request's ``respond_by``.
        policy: Auto-approval and lead rules.

    Returns:
        The session (moved, or not) without a pending request, and
        :class:`RescheduleExpired` saying which.

    Raises:
        SessionRoleNotAllowedError: ``sessions.role_not_allowed`` for people other
            than admins.
        SessionNotScheduledError: ``sessions.not_scheduled``.
        NoPendingRescheduleError: ``sessions.no_pending_reschedule``.
        RescheduleNotDueError: ``sessions.reschedule_not_due`` before
            ``respond_by``.
    """
    now = utc_instant(now, "now")
    action = "expire the reschedule"
    require_participant(session, actor, roles={Role.ADMIN, Role.SYSTEM}, action=action)
    _require_scheduled(session, action)
    request = _require_pending(session, action)
    if now < request.respond_by:
        raise RescheduleNotDueError(
            session_id=session.id,
            respond_by=request.respond_by.isoformat(),
            now=now.isoformat(),
        )
    proposed = request.new_window
    approve = (
        policy.auto_approve_on_timeout
        and proposed is not None
        and proposed.start >= now + policy.min_new_time_lead
    )
    return _decide(
        session,
        RescheduleExpired(
            occurred_at=now,
            actor=actor,
            aggregate_id=session.id,
            reason=request.reason,
            old_window=session.window,
            new_window=proposed if approve and proposed else session.window,
            requested_by=request.requested_by,
            auto_approved=approve,
            proposed_window=proposed,
        ),
    )
