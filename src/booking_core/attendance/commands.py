"""Attendance commands: record and correct participation, intent, excuse, mark.

Each is a pure function of the attendee, the session, the actor, ``now`` and the
:class:`~booking_core.attendance.model.AttendancePolicy`, returning a
:class:`~booking_core.events.Decision` or raising a coded error.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from booking_core._payment_status import PaymentStatus, check_payment_transition
from booking_core._validation import member, utc_instant
from booking_core.actors import Actor, Role, check_actor, require_role
from booking_core.attendance.events import (
    AttendanceMarked,
    AttendeeExcused,
    IntentChanged,
    ParticipationCorrected,
    ParticipationRecorded,
)
from booking_core.attendance.model import (
    _RECORDERS,
    AttendanceMark,
    AttendancePolicy,
    Attendee,
    Intent,
    ParticipationEvent,
    ParticipationKind,
    ParticipationPolicy,
    _same_session,
    lateness,
)
from booking_core.errors import (
    AttendanceTooEarlyError,
    ClaimTooOldError,
    IntentChangeClosedError,
    InvalidValueError,
    JoinWindowClosedError,
    NotSessionParticipantError,
    OwnPresenceCorrectionError,
    RejoinNotAllowedError,
    SessionNotCancelledError,
    SessionNotScheduledError,
)
from booking_core.events import Decision, DomainEvent
from booking_core.sessions._text import checked_text
from booking_core.sessions.model import Session, SessionStatus
from booking_core.sessions.policies import SessionPolicy
from booking_core.sessions.queries import check_join, join_window

__all__ = [
    "cancel_session_attendees",
    "correct_participation",
    "excuse",
    "mark_attendance",
    "record_participation",
    "set_intent",
]


_REASON_MIN = 10
_REASON_MAX = 500


def _require_self_or_recorder(attendee: Attendee, actor: Actor, action: str) -> None:
    if actor.role in _RECORDERS or actor == attendee.actor:
        return
    raise NotSessionParticipantError(
        actor=actor, action=action, session_id=attendee.session_id
    )


def _claim_not_after(entry: ParticipationEvent, now: datetime) -> None:
    if not isinstance(entry, ParticipationEvent):
        raise InvalidValueError(
            field="entry", reason="must be a ParticipationEvent", value=entry
        )
    if entry.at > now:
        raise InvalidValueError(
            field="entry.at",
            reason=f"must not be after its recording ({now.isoformat()})",
            value=entry.at,
        )


def _logged(attendee: Attendee, entry: ParticipationEvent) -> bool:
    return any(kept.sort_key == entry.sort_key for kept in attendee.log)


def _check_leave(
    session: Session, entry: ParticipationEvent, session_policy: SessionPolicy
) -> None:
    window = join_window(session, session_policy)
    if not window.contains(entry.at):
        raise JoinWindowClosedError(
            session_id=session.id,
            opens=window.start.isoformat(),
            closes=window.end.isoformat(),
            now=entry.at.isoformat(),
        )


def _require_live_recorder(
    attendee: Attendee, actor: Actor, policy: ParticipationPolicy
) -> None:
    if check_actor(actor).role in policy.reporters:
        return
    if policy.self_recording and actor == attendee.actor:
        return
    raise NotSessionParticipantError(
        actor=actor, action="record attendance", session_id=attendee.session_id
    )


def record_participation(
    attendee: Attendee,
    session: Session,
    entry: ParticipationEvent,
    *,
    actor: Actor,
    now: datetime,
    session_policy: SessionPolicy,
    policy: ParticipationPolicy,
) -> Decision[Attendee]:
    """Record a join or leave live: as it happens, by who may report it.

    The claimed time (``entry.at``) may lie at most
    :attr:`ParticipationPolicy.claim_lag` before ``now`` (the recording) and
    never after it; anything older is a correction
    (:func:`correct_participation`). Joins go through
    :func:`booking_core.sessions.check_join` at the claimed time (join window,
    session still scheduled, rejoin rule); leaves must fall inside
    :func:`booking_core.sessions.join_window`. Events may arrive out of order
    (webhooks): the log stays sorted. A duplicate (same kind and claimed time)
    is accepted and changes nothing (no event), however late it arrives.

    Args:
        attendee: Who joined or left.
        session: Their session.
        entry: The join or leave, as claimed.
        actor: The participant themselves (when ``policy.self_recording``) or
            a role of ``policy.reporters`` (the system, by default).
        now: When it is recorded.
        session_policy: The join window and rejoin rule.
        policy: The claim lag and who may record for whom.

    Returns:
        The attendee with the entry, stamped with ``now`` and ``actor``, in the
        log, and a :class:`ParticipationRecorded`.

    Raises:
        InvalidValueError: ``input.invalid_value`` for another session's
            attendee or a claimed time later than ``now``.
        NotSessionParticipantError: ``sessions.not_participant`` for an actor
            who may not record this participant's presence.
        ClaimTooOldError: ``attendance.claim_too_old`` for a claimed time more
            than ``claim_lag`` before ``now``.
        SessionNotScheduledError: ``sessions.not_scheduled`` for a join once
            the session is closed.
        JoinWindowClosedError: ``sessions.join_window_closed`` outside the
            join window.
        RejoinNotAllowedError: ``sessions.rejoin_not_allowed``.
    """
    now = utc_instant(now, "now")
    _same_session(attendee, session)
    _require_live_recorder(attendee, actor, policy)
    _claim_not_after(entry, now)
    if _logged(attendee, entry):
        return Decision(state=attendee)
    if now - entry.at > policy.claim_lag:
        raise ClaimTooOldError(
            field="entry.at",
            kind=entry.kind.value,
            claimed=entry.at.isoformat(),
            recorded=now.isoformat(),
            limit=str(policy.claim_lag),
        )
    if entry.kind is ParticipationKind.JOINED:
        students = {attendee.participant_id} if attendee.role is Role.STUDENT else set()
        check_join(
            session,
            attendee.actor,
            now=entry.at,
            policy=session_policy,
            students=students,
            already_joined=attendee.first_join is not None,
        )
    else:
        _check_leave(session, entry, session_policy)
    kept = entry.recorded(at=now, by=actor)
    state = attrs.evolve(attendee, log=(*attendee.log, kept))
    event = ParticipationRecorded(
        occurred_at=now,
        actor=actor,
        aggregate_id=attendee.id,
        session_id=session.id,
        participant_id=attendee.participant_id,
        entry=kept,
    )
    return Decision(state=state, events=(event,))


def _require_corrector(
    attendee: Attendee, session: Session, actor: Actor, policy: ParticipationPolicy
) -> None:
    require_role(actor, policy.correctors, action="correct attendance")
    if actor == attendee.actor:
        raise OwnPresenceCorrectionError(actor=actor, session_id=session.id)
    if actor.role is Role.TEACHER and (
        actor.user_id != session.teacher_id or attendee.role is not Role.STUDENT
    ):
        raise NotSessionParticipantError(
            actor=actor, action="correct attendance", session_id=session.id
        )


def correct_participation(
    attendee: Attendee,
    session: Session,
    entry: ParticipationEvent,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
    session_policy: SessionPolicy,
    policy: ParticipationPolicy,
) -> Decision[Attendee]:
    """Correct someone else's join/leave log, with a reason, after the fact.

    The claimed time may lie any time before ``now`` inside the session's join
    window (also once the session is completed or missed, not once it is
    cancelled); the rejoin rule still applies. Nobody corrects their own
    presence: the teacher who never came cannot log "joined at the start".
    A duplicate (same kind and claimed time) changes nothing.

    Args:
        attendee: Whose log is corrected.
        session: Their session.
        entry: The join or leave, as claimed.
        reason: Why (10 to 500 characters after trimming), kept on the entry
            and the event.
        actor: A role of ``policy.correctors``; a teacher only for a student
            of their own session.
        now: When it is recorded.
        session_policy: The join window and rejoin rule.
        policy: Who may correct.

    Returns:
        The attendee with the stamped entry in the log, and a
        :class:`ParticipationCorrected`.

    Raises:
        PermissionDeniedError: ``permission_denied`` for a role that may not
            correct.
        OwnPresenceCorrectionError: ``attendance.own_correction`` for the
            participant's own log.
        NotSessionParticipantError: ``sessions.not_participant`` for a teacher
            of another session or a teacher correcting a teacher.
        InvalidValueError: ``input.invalid_value`` for another session's
            attendee or a claimed time later than ``now``.
        InvalidSessionTextError: ``sessions.invalid_text`` for a reason of the
            wrong length.
        SessionNotScheduledError: ``sessions.not_scheduled`` for a cancelled
            session.
        JoinWindowClosedError: ``sessions.join_window_closed`` outside the
            join window.
        RejoinNotAllowedError: ``sessions.rejoin_not_allowed``.
    """
    now = utc_instant(now, "now")
    _same_session(attendee, session)
    _require_corrector(attendee, session, actor, policy)
    text = checked_text(
        reason, field="reason", minimum=_REASON_MIN, maximum=_REASON_MAX
    )
    _claim_not_after(entry, now)
    if _logged(attendee, entry):
        return Decision(state=attendee)
    if session.status is SessionStatus.CANCELLED:
        raise SessionNotScheduledError(
            action="correct attendance",
            session_id=session.id,
            status=session.status.value,
        )
    _check_leave(session, entry, session_policy)
    if (
        entry.kind is ParticipationKind.JOINED
        and attendee.first_join is not None
        and not session_policy.rejoin_allowed
    ):
        raise RejoinNotAllowedError(actor=attendee.actor, session_id=session.id)
    kept = entry.recorded(at=now, by=actor, reason=text)
    state = attrs.evolve(attendee, log=(*attendee.log, kept))
    event = ParticipationCorrected(
        occurred_at=now,
        actor=actor,
        aggregate_id=attendee.id,
        session_id=session.id,
        participant_id=attendee.participant_id,
        entry=kept,
        reason=text,
    )
    return Decision(state=state, events=(event,))


def _excused(attendee: Attendee) -> tuple[PaymentStatus, bool]:
    """The payment status and refund flag of ``attendee`` once excused."""
    status = attendee.payment_status
    if status in (PaymentStatus.DUE, PaymentStatus.REQUESTED):
        return check_payment_transition(status, PaymentStatus.NOT_BILLABLE), False
    return status, attendee.refund_pending or status is PaymentStatus.PAID


def _excuse_decision(
    attendee: Attendee, *, reason: str, actor: Actor, now: datetime, **changes: Any
) -> Decision[Attendee]:
    status, refund = _excused(attendee)
    state = attrs.evolve(
        attendee,
        attendance=AttendanceMark.EXCUSED,
        payment_status=status,
        refund_pending=refund,
        **changes,
    )
    event = AttendeeExcused(
        occurred_at=now,
        actor=actor,
        aggregate_id=attendee.id,
        old_status=attendee.payment_status,
        new_status=status,
        refund_pending=refund,
        reason=reason,
    )
    return Decision(state=state, events=(event,))


def set_intent(
    attendee: Attendee,
    session: Session,
    intent: Intent | str,
    *,
    actor: Actor,
    now: datetime,
    policy: AttendancePolicy,
) -> Decision[Attendee]:
    """Change a student's RSVP before the session starts.

    ``going`` and ``maybe`` switch freely. ``not_going`` is a cancellation and
    final: with at least :attr:`AttendancePolicy.cancel_notice` it excuses the
    attendee (not billable; a paid one is marked for refund), with less it is a
    late cancellation (they stay billable; billing decides by policy).

    Args:
        attendee: A student attendee.
        session: Their session.
        intent: The new intent.
        actor: The student themselves or an admin.
        now: The current instant.
        policy: The cancellation notice.

    Returns:
        The attendee and an :class:`IntentChanged` (plus an
        :class:`AttendeeExcused` when excused); no events when unchanged.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an unknown intent, a
            teacher attendee or another session's attendee.
        PermissionDeniedError: ``permission_denied`` for a teacher or the system.
        NotSessionParticipantError: ``sessions.not_participant`` for another
            student.
        IntentChangeClosedError: ``attendance.intent_closed`` from the start on,
            or after ``not_going``.
    """
    now = utc_instant(now, "now")
    target = member(Intent, intent, "intent")
    _same_session(attendee, session)
    if attendee.role is not Role.STUDENT:
        raise InvalidValueError(
            field="attendee",
            reason="only students have an intent; a teacher cancels the session",
            value=attendee.id,
        )
    require_role(actor, (Role.STUDENT, Role.ADMIN), action="change an intent")
    _require_self_or_recorder(attendee, actor, "change an intent")
    if target is attendee.intent:
        return Decision(state=attendee)
    for closed, why in (
        (now >= session.start, "the session has started"),
        (attendee.intent is Intent.NOT_GOING, "they already cancelled"),
    ):
        if closed:
            raise IntentChangeClosedError(
                attendee_id=attendee.id,
                current=attendee.intent.value,
                target=target.value,
                reason=why,
            )
    late = target is Intent.NOT_GOING and session.start - now < policy.cancel_notice
    excused = target is Intent.NOT_GOING and not late
    changed = IntentChanged(
        occurred_at=now,
        actor=actor,
        aggregate_id=attendee.id,
        old=attendee.intent,
        new=target,
        late_cancellation=late,
        excused=excused,
    )
    if excused:
        return _excuse_decision(
            attendee, reason="cancelled in time", actor=actor, now=now, intent=target
        ).with_events((changed,))
    state = attrs.evolve(attendee, intent=target, late_cancellation=late)
    return Decision(state=state, events=(changed,))


def excuse(
    attendee: Attendee, *, reason: str, actor: Actor, now: datetime
) -> Decision[Attendee]:
    """Excuse an attendee: not billable any more, a paid one marked for refund.

    Args:
        attendee: The attendee.
        reason: Why (for the audit trail).
        actor: An admin or the system.
        now: The current instant.

    Returns:
        The excused attendee and an :class:`AttendeeExcused`; no events when
        already excused.

    Raises:
        PermissionDeniedError: ``permission_denied`` for a student or teacher.
    """
    now = utc_instant(now, "now")
    require_role(actor, _RECORDERS, action="excuse an attendee")
    if attendee.attendance is AttendanceMark.EXCUSED:
        return Decision(state=attendee)
    return _excuse_decision(attendee, reason=reason, actor=actor, now=now)


def cancel_session_attendees(
    session: Session,
    attendees: Iterable[Attendee],
    *,
    actor: Actor,
    now: datetime,
) -> Decision[tuple[Attendee, ...]]:
    """The cancellation cascade (seed 000), as one decision over all attendees.

    Every attendee of the cancelled session becomes excused; ``due`` and
    ``requested`` become ``not_billable``; ``paid`` ones stay paid and are marked
    ``refund_pending`` (the money side refunds them, then moves them to
    ``refunded``); ``waived``, ``refunded`` and ``not_billable`` stay. Nothing
    is partially applied: any refusal happens before any change.

    Args:
        session: The session, already cancelled.
        attendees: Its attendees.
        actor: Who cancelled (carried on the events).
        now: The current instant.

    Returns:
        The attendees (sorted by id) and one :class:`AttendeeExcused` per
        attendee that changed.

    Raises:
        SessionNotCancelledError: ``attendance.session_not_cancelled`` unless
            the session is cancelled.
        InvalidValueError: ``input.invalid_value`` for another session's
            attendee.
    """
    now = utc_instant(now, "now")
    if session.status is not SessionStatus.CANCELLED:
        raise SessionNotCancelledError(
            session_id=session.id, status=session.status.value
        )
    group = sorted(attendees, key=lambda attendee: attendee.id)
    for attendee in group:
        _same_session(attendee, session)
    states: list[Attendee] = []
    events: list[DomainEvent] = []
    for attendee in group:
        if attendee.attendance is AttendanceMark.EXCUSED:
            states.append(attendee)
            continue
        decision = _excuse_decision(
            attendee, reason="session cancelled", actor=actor, now=now
        )
        states.append(decision.state)
        events.extend(decision.events)
    return Decision(state=tuple(states), events=events)


def mark_attendance(
    attendee: Attendee,
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    policy: AttendancePolicy,
) -> Decision[Attendee]:
    """Mark present / late / absent from the log once the session has ended.

    Present: joined at most ``late_after`` after the start; late: joined later;
    absent: never joined. Excused attendees stay excused. Marking again after
    more log entries arrived re-reads the log.

    Args:
        attendee: The attendee.
        session: Their session.
        actor: The session's teacher, an admin or the system.
        now: The current instant, at or after the session's end.
        policy: The lateness tolerance.

    Returns:
        The attendee and an :class:`AttendanceMarked`; no events when excused
        or unchanged.

    Raises:
        InvalidValueError: ``input.invalid_value`` for another session's
            attendee.
        PermissionDeniedError: ``permission_denied`` for a student.
        NotSessionParticipantError: ``sessions.not_participant`` for another
            teacher.
        AttendanceTooEarlyError: ``attendance.too_early`` before the end.
    """
    now = utc_instant(now, "now")
    _same_session(attendee, session)
    require_role(
        actor, (Role.TEACHER, Role.ADMIN, Role.SYSTEM), action="mark attendance"
    )
    if actor.role is Role.TEACHER and actor.user_id != session.teacher_id:
        raise NotSessionParticipantError(
            actor=actor, action="mark attendance", session_id=session.id
        )
    if now < session.end:
        raise AttendanceTooEarlyError(
            session_id=session.id, now=now.isoformat(), end=session.end.isoformat()
        )
    late = lateness(attendee, session)
    if late is None:
        mark = AttendanceMark.ABSENT
    else:
        mark = (
            AttendanceMark.LATE if late > policy.late_after else AttendanceMark.PRESENT
        )
    if attendee.attendance in (AttendanceMark.EXCUSED, mark):
        return Decision(state=attendee)
    event = AttendanceMarked(
        occurred_at=now,
        actor=actor,
        aggregate_id=attendee.id,
        attendance=mark,
        lateness=late,
    )
    return Decision(state=attrs.evolve(attendee, attendance=mark), events=(event,))
