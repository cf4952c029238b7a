"""Sessions: the lifecycle of a live class or 1:1 session as one pure state machine.

::

    scheduled ──complete──▶ completed
      │  ▲  ──cancel────▶ cancelled
      │  │  ──mark_missed▶ missed
      │  └─ approve / decline / expire ─┐
      └──── request_reschedule ─────────▶ scheduled + pending reschedule

The aggregate is :class:`Session`; its numbers live in :class:`SessionPolicy`
and :class:`ReschedulePolicy`; the commands (:func:`schedule`,
:func:`request_reschedule`, :func:`approve_reschedule`,
:func:`decline_reschedule`, :func:`expire_reschedule`, :func:`complete`,
:func:`cancel`, :func:`mark_missed`) return a
:class:`~booking_core.events.Decision` with one event each; :func:`replay`
rebuilds a session from those events. Queries (:func:`can_join`,
:func:`is_reschedule_expired`, :func:`is_past_no_show_limit`, ...) never change
anything. ``docs/sessions.md`` walks through all of it.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core import sessions
    >>> now = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> session = sessions.schedule(
    ...     session_id="s-1", kind="one_on_one", teacher_id="t-1", course_id="c-1",
    ...     window=TimeWindow.of(now + timedelta(days=2), timedelta(hours=1)),
    ...     zone="Asia/Kolkata", actor=Actor.teacher("t-1"), now=now,
    ... ).state
    >>> sessions.status_display(session)
    'Scheduled'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from booking_core import _lazy

if TYPE_CHECKING:
    from booking_core.sessions.commands import (
        cancel,
        complete,
        mark_missed,
        require_participant,
        schedule,
    )
    from booking_core.sessions.events import (
        RescheduleApproved,
        RescheduleDeclined,
        RescheduleExpired,
        RescheduleRequested,
        SessionCancelled,
        SessionCompleted,
        SessionEvent,
        SessionMissed,
        SessionScheduled,
        apply,
        replay,
    )
    from booking_core.sessions.model import (
        MeetingInfo,
        RescheduleRequest,
        Session,
        SessionKind,
        SessionNote,
        SessionStatus,
    )
    from booking_core.sessions.policies import (
        ReschedulePolicy,
        SessionPolicy,
    )
    from booking_core.sessions.queries import (
        can_be_completed,
        can_join,
        check_join,
        is_overdue,
        is_past_grace_period,
        is_past_no_show_limit,
        is_reschedule_expired,
        join_window,
        status_display,
        time_until_start,
    )
    from booking_core.sessions.reschedule import (
        approve_reschedule,
        decline_reschedule,
        expire_reschedule,
        request_reschedule,
    )

_EXPORTS: dict[str, tuple[str, ...]] = {
    "commands": (
        "cancel",
        "complete",
        "mark_missed",
        "require_participant",
        "schedule",
    ),
    "reschedule": (
        "approve_reschedule",
        "decline_reschedule",
        "expire_reschedule",
        "request_reschedule",
    ),
    "events": (
        "RescheduleApproved",
        "RescheduleDeclined",
        "RescheduleExpired",
        "RescheduleRequested",
        "SessionCancelled",
        "SessionCompleted",
        "SessionEvent",
        "SessionMissed",
        "SessionScheduled",
        "apply",
        "replay",
    ),
    "model": (
        "MeetingInfo",
        "RescheduleRequest",
        "Session",
        "SessionKind",
        "SessionNote",
        "SessionStatus",
    ),
    "policies": (
        "ReschedulePolicy",
        "SessionPolicy",
    ),
    "queries": (
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
    ),
}

__all__ = [  # noqa: RUF022 -- grouped by submodule, as in _EXPORTS
    "approve_reschedule",
    "cancel",
    "complete",
    "decline_reschedule",
    "expire_reschedule",
    "mark_missed",
    "request_reschedule",
    "require_participant",
    "schedule",
    "RescheduleApproved",
    "RescheduleDeclined",
    "RescheduleExpired",
    "RescheduleRequested",
    "SessionCancelled",
    "SessionCompleted",
    "SessionEvent",
    "SessionMissed",
    "SessionScheduled",
    "apply",
    "replay",
    "MeetingInfo",
    "RescheduleRequest",
    "Session",
    "SessionKind",
    "SessionNote",
    "SessionStatus",
    "ReschedulePolicy",
    "SessionPolicy",
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


def __getattr__(name: str) -> Any:
    return _lazy.load(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
