"""The session service: load a session, take the pure decision, commit.

:class:`SessionService` is a thin shell over :mod:`booking_core.sessions`: every
method opens a unit of work through
:func:`~booking_core.services.run_in_transaction` (which retries from a fresh
load when another writer saved first), reads ``now`` from the clock, asks the
roster who is booked, calls the pure command, saves the new state and hands the
event to the unit of work.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.adapters.memory_sessions import (
    ...     InMemorySessionRepository, InMemoryStudentRoster,
    ... )
    >>> from booking_core.clock import ManualClock
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.services.sessions import SessionService
    >>> store = InMemoryStore()
    >>> clock = ManualClock(datetime(2026, 6, 1, 9, tzinfo=timezone.utc))
    >>> service = SessionService(
    ...     uow_factory=lambda: InMemoryUnitOfWork(store),
    ...     sessions=InMemorySessionRepository,
    ...     roster=InMemoryStudentRoster({"s-1": ["alice"]}),
    ...     clock=clock,
    ... )
    >>> _ = service.schedule(
    ...     session_id="s-1", kind="one_on_one", teacher_id="t-1", course_id="c-1",
    ...     window=TimeWindow.of(clock.now() + timedelta(days=3), timedelta(hours=1)),
    ...     zone="Europe/London", actor=Actor.teacher("t-1"),
    ... )
    >>> decision = service.cancel("s-1", reason="family emergency",
    ...                           actor=Actor.student("alice"))
    >>> decision.state.status.value, [e.name for e in store.events]
    ('cancelled', ['SessionScheduled', 'SessionCancelled'])
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic, Literal, TypeVar, final

import attrs

from booking_core import sessions as domain
from booking_core.actors import Actor
from booking_core.clock import Clock
from booking_core.events import Decision
from booking_core.intervals import TimeWindow
from booking_core.ports import (
    BookingRepository,
    SessionRepository,
    StudentRoster,
    UnitOfWork,
)
from booking_core.services import run_in_transaction
from booking_core.sessions import (
    MeetingInfo,
    ReschedulePolicy,
    Session,
    SessionKind,
    SessionPolicy,
)

__all__ = ["SessionService"]

U = TypeVar("U", bound=UnitOfWork)

_Decide = Callable[[Session, frozenset[str], datetime], Decision[Session]]


@final
class _NobodyBooked:
    """The roster of a host that books no students (teacher/admin-only use)."""

    def booked_student_ids(self, session_id: str) -> frozenset[str]:
        return frozenset()


@final
class SessionService(Generic[U]):
    """Runs the session commands against repositories, one transaction each.

    Every method returns the :class:`~booking_core.events.Decision` of the attempt
    that committed; its ``state`` carries the version it was loaded with (the
    store now holds ``version + 1``). Errors are the pure commands' errors, plus
    ``not_found`` for an unknown id and ``concurrency.stale_version`` when every
    attempt lost a race.

    Args:
        uow_factory: Makes a new unit of work per attempt.
        sessions: Gives the session repository of a unit of work.
        clock: Where ``now`` comes from.
        roster: Who is booked on a session (nobody, if not given).
        bookings: Gives the booking repository of a unit of work; when given,
            a session that moves (an approved reschedule) moves its bookings'
            windows in the same transaction, so conflict checks and listings
            that read bookings see the new time.
        session_policy: Join, grace, no-show and text rules.
        reschedule_policy: Notice, lead, reason and response rules.
        attempts: How many times to try on a stale version.
    """

    def __init__(
        self,
        *,
        uow_factory: Callable[[], U],
        sessions: Callable[[U], SessionRepository],
        clock: Clock,
        roster: StudentRoster | None = None,
        bookings: Callable[[U], BookingRepository] | None = None,
        session_policy: SessionPolicy | None = None,
        reschedule_policy: ReschedulePolicy | None = None,
        attempts: int = 5,
    ) -> None:
        self._uow_factory = uow_factory
        self._sessions = sessions
        self._clock = clock
        self._roster: StudentRoster = roster if roster is not None else _NobodyBooked()
        self._bookings = bookings
        self.session_policy = session_policy or SessionPolicy()
        self.reschedule_policy = reschedule_policy or ReschedulePolicy()
        self._attempts = attempts

    def _change(self, session_id: str, decide: _Decide) -> Decision[Session]:
        def operation(uow: U) -> Decision[Session]:
            repository = self._sessions(uow)
            session = repository.get(session_id)
            students = self._roster.booked_student_ids(session_id)
            decision = decide(session, students, self._clock.now())
            repository.save(decision.state)
            moved = decision.state.window
            if self._bookings is not None and moved != session.window:
                bookings = self._bookings(uow)
                for booking in bookings.of_session(session_id):
                    bookings.save(attrs.evolve(booking, window=moved))
            uow.collect(decision.events)
            return decision

        return run_in_transaction(self._uow_factory, operation, attempts=self._attempts)

    def schedule(
        self,
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
    ) -> Decision[Session]:
        """Schedule and store a new session (pure: ``sessions.schedule``).

        Raises:
            DuplicateIdError: ``conflict.duplicate_id`` when the id exists.
        """

        def operation(uow: U) -> Decision[Session]:
            decision = domain.schedule(
                session_id=session_id,
                kind=kind,
                teacher_id=teacher_id,
                course_id=course_id,
                window=window,
                zone=zone,
                meeting=meeting,
                capacity=capacity,
                waitlist_enabled=waitlist_enabled,
                actor=actor,
                now=self._clock.now(),
            )
            self._sessions(uow).add(decision.state)
            uow.collect(decision.events)
            return decision

        return run_in_transaction(self._uow_factory, operation, attempts=self._attempts)

    def request_reschedule(
        self,
        session_id: str,
        *,
        reason: str,
        new_start: datetime | None = None,
        actor: Actor,
    ) -> Decision[Session]:
        """Ask to move a session (pure: ``sessions.request_reschedule``)."""
        return self._change(
            session_id,
            lambda session, students, now: domain.request_reschedule(
                session,
                reason=reason,
                new_start=new_start,
                students=students,
                actor=actor,
                now=now,
                policy=self.reschedule_policy,
            ),
        )

    def approve_reschedule(
        self, session_id: str, *, new_start: datetime | None = None, actor: Actor
    ) -> Decision[Session]:
        """Approve the pending request (pure: ``sessions.approve_reschedule``)."""
        return self._change(
            session_id,
            lambda session, students, now: domain.approve_reschedule(
                session,
                new_start=new_start,
                students=students,
                actor=actor,
                now=now,
                policy=self.reschedule_policy,
            ),
        )

    def decline_reschedule(
        self, session_id: str, *, reason: str | None = None, actor: Actor
    ) -> Decision[Session]:
        """Decline the pending request (pure: ``sessions.decline_reschedule``)."""
        return self._change(
            session_id,
            lambda session, students, now: domain.decline_reschedule(
                session,
                reason=reason,
                students=students,
                actor=actor,
                now=now,
                policy=self.reschedule_policy,
            ),
        )

    def expire_reschedule(self, session_id: str, *, actor: Actor) -> Decision[Session]:
        """Settle an unanswered request (pure: ``sessions.expire_reschedule``)."""
        return self._change(
            session_id,
            lambda session, _students, now: domain.expire_reschedule(
                session, actor=actor, now=now, policy=self.reschedule_policy
            ),
        )

    def complete(
        self, session_id: str, *, notes: str | None = None, actor: Actor
    ) -> Decision[Session]:
        """Complete a session (pure: ``sessions.complete``)."""
        return self._change(
            session_id,
            lambda session, students, now: domain.complete(
                session,
                notes=notes,
                students=students,
                actor=actor,
                now=now,
                policy=self.session_policy,
            ),
        )

    def cancel(
        self, session_id: str, *, reason: str, actor: Actor
    ) -> Decision[Session]:
        """Cancel a session (pure: ``sessions.cancel``)."""
        return self._change(
            session_id,
            lambda session, students, now: domain.cancel(
                session,
                reason=reason,
                students=students,
                actor=actor,
                now=now,
                policy=self.session_policy,
            ),
        )

    def mark_missed(
        self, session_id: str, *, reason: str | None = None, actor: Actor
    ) -> Decision[Session]:
        """Mark a session missed (pure: ``sessions.mark_missed``)."""
        return self._change(
            session_id,
            lambda session, students, now: domain.mark_missed(
                session,
                reason=reason,
                students=students,
                actor=actor,
                now=now,
                policy=self.session_policy,
            ),
        )
