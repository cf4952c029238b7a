"""Session events and :func:`apply` / :func:`replay`: the audit trail rebuilds state.

Every transition of a session emits exactly one event. Each carries who acted
(``actor``), when (``occurred_at``), why (``reason``) and the session's window
before and after (``old_window``, ``new_window``; equal unless the session moved).
The events carry enough to rebuild the session: :func:`replay` folds them with
:func:`apply` and gives back the session the commands produced (commands are
built on :func:`apply`, so the two cannot drift apart).

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.sessions import SessionPolicy, cancel, replay, schedule
    >>> t0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> first = schedule(
    ...     session_id="s-1", kind="one_on_one", teacher_id="t-1", course_id="c-1",
    ...     window=TimeWindow.of(t0 + timedelta(days=3), timedelta(hours=1)),
    ...     zone="Europe/London", actor=Actor.teacher("t-1"), now=t0,
    ... )
    >>> second = cancel(
    ...     first.state, reason="teacher is ill", actor=Actor.teacher("t-1"),
    ...     now=t0 + timedelta(hours=1), policy=SessionPolicy(),
    ... )
    >>> [event.name for event in (*first.events, *second.events)]
    ['session.scheduled', 'session.cancelled']
    >>> replay([*first.events, *second.events]) == second.state
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias, final

import attrs

from booking_core._repr import fields_repr
from booking_core.actors import Actor
from booking_core.errors import InvalidValueError
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.sessions.model import (
    RescheduleRequest,
    Session,
    SessionNote,
    SessionStatus,
)

__all__ = [
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
]


@attrs.frozen(kw_only=True, repr=False)
class _SessionEventFields(DomainEvent):
    """The fields every session event carries (private base)."""

    __repr__ = fields_repr

    reason: str | None = None
    old_window: TimeWindow | None
    new_window: TimeWindow


@final
@attrs.frozen(kw_only=True, repr=False)
class SessionScheduled(_SessionEventFields):
    """A session was scheduled.

    Attributes:
        session: The new session as scheduled (version 0); ``old_window`` is
            ``None`` and ``new_window`` its window.
    """

    __repr__ = fields_repr

    session: Session


@final
@attrs.frozen(kw_only=True, repr=False)
class RescheduleRequested(_SessionEventFields):
    """Somebody asked to move a session; the other party is to answer.

    Attributes:
        request: The pending request (reason, proposed window, answer deadline).
    """

    __repr__ = fields_repr

    request: RescheduleRequest


@final
@attrs.frozen(kw_only=True, repr=False)
class RescheduleApproved(_SessionEventFields):
    """The other party approved a reschedule; the session moved to ``new_window``.

    Attributes:
        requested_by: Who had asked for the move.
    """

    __repr__ = fields_repr

    requested_by: Actor


@final
@attrs.frozen(kw_only=True, repr=False)
class RescheduleDeclined(_SessionEventFields):
    """The other party declined a reschedule; the session keeps its window.

    Attributes:
        requested_by: Who had asked for the move.
        proposed_window: The window that was asked for, if one was proposed.
    """

    __repr__ = fields_repr

    requested_by: Actor
    proposed_window: TimeWindow | None = None


@final
@attrs.frozen(kw_only=True, repr=False)
class RescheduleExpired(_SessionEventFields):
    """Nobody answered a reschedule request in time.

    Attributes:
        requested_by: Who had asked for the move.
        auto_approved: ``True`` when the proposed window was taken (the session
            moved to ``new_window``), ``False`` when the request lapsed.
        proposed_window: The window that was asked for, if one was proposed.
    """

    __repr__ = fields_repr

    requested_by: Actor
    auto_approved: bool
    proposed_window: TimeWindow | None = None


@final
@attrs.frozen(kw_only=True, repr=False)
class SessionCompleted(_SessionEventFields):
    """A session was marked completed.

    Attributes:
        notes: The completer's notes (trimmed), if any.
    """

    __repr__ = fields_repr

    notes: str | None = None


@final
@attrs.frozen(kw_only=True, repr=False)
class SessionCancelled(_SessionEventFields):
    """A session was cancelled (``reason`` says why); any pending request is void."""

    __repr__ = fields_repr


@final
@attrs.frozen(kw_only=True, repr=False)
class SessionMissed(_SessionEventFields):
    """A session was marked missed (a no-show); any pending request is void."""

    __repr__ = fields_repr


SessionEvent: TypeAlias = (
    SessionScheduled
    | RescheduleRequested
    | RescheduleApproved
    | RescheduleDeclined
    | RescheduleExpired
    | SessionCompleted
    | SessionCancelled
    | SessionMissed
)
"""Any event a session command emits."""


_CLOSING: dict[type[_SessionEventFields], SessionStatus] = {
    SessionCompleted: SessionStatus.COMPLETED,
    SessionCancelled: SessionStatus.CANCELLED,
    SessionMissed: SessionStatus.MISSED,
}


def _close(
    session: Session, event: _SessionEventFields, status: SessionStatus
) -> Session:
    return attrs.evolve(
        session,
        status=status,
        pending_reschedule=None,
        closed_at=event.occurred_at,
        closed_by=event.actor,
        close_reason=event.reason,
    )


def apply(session: Session | None, event: DomainEvent) -> Session:
    """The session after ``event`` (``None`` before :class:`SessionScheduled`).

    Pure and total over valid histories: it trusts that the event was decided by a
    command (it does not re-check permissions or policies).

    Args:
        session: The state before the event, or ``None`` for the first event.
        event: A session event for this session.

    Returns:
        The state after the event (with the same ``version`` as ``session``).

    Raises:
        InvalidValueError: ``input.invalid_value`` when the event does not fit
            (not a session event, the first event is not
            :class:`SessionScheduled`, or a later one is, or it belongs to another
            session).
    """
    if not isinstance(event, _SessionEventFields):
        raise InvalidValueError(
            field="event", reason="is not a session event", value=event.name
        )
    if isinstance(event, SessionScheduled):
        if session is not None:
            raise InvalidValueError(
                field="event",
                reason="SessionScheduled can only start a history",
                value=event.name,
            )
        return event.session
    if session is None or session.id != event.aggregate_id:
        raise InvalidValueError(
            field="event",
            reason="must follow SessionScheduled of the same session",
            value=event.name,
        )
    if isinstance(event, RescheduleRequested):
        return attrs.evolve(session, pending_reschedule=event.request)
    if isinstance(event, (RescheduleApproved, RescheduleDeclined, RescheduleExpired)):
        return attrs.evolve(session, window=event.new_window, pending_reschedule=None)
    closed = _close(session, event, _CLOSING[type(event)])
    if isinstance(event, SessionCompleted) and event.notes is not None:
        note = SessionNote(
            author=event.actor, text=event.notes, written_at=event.occurred_at
        )
        return attrs.evolve(closed, notes=(*session.notes, note))
    return closed


def replay(events: Iterable[DomainEvent]) -> Session:
    """Rebuild a session from its audit trail.

    Args:
        events: Every event of one session, oldest first, starting with
            :class:`SessionScheduled`.

    Returns:
        The session they describe (``version`` 0: versions belong to storage).

    Raises:
        InvalidValueError: ``input.invalid_value`` for an empty or ill-formed
            history.
    """
    session: Session | None = None
    for event in events:
        session = apply(session, event)
    if session is None:
        raise InvalidValueError(
            field="events", reason="a history has at least one event", value=[]
        )
    return session
