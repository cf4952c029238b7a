"""The attendance service: load the session and its attendees, decide, commit.

:class:`AttendanceService` runs the pure commands of
:mod:`booking_core.attendance.model` and :mod:`booking_core.attendance.billing` in one
transaction each through :func:`~booking_core.services.run_in_transaction`
(retrying from a fresh load when another writer saved first); ``now`` comes
from the clock.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.adapters.memory_attendance import (
    ...     InMemoryAttendeeRepository)
    >>> from booking_core.adapters.memory_sessions import InMemorySessionRepository
    >>> from booking_core.attendance.model import ParticipationEvent
    >>> from booking_core.clock import ManualClock
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.sessions import Session
    >>> start = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> store = InMemoryStore()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     InMemorySessionRepository(uow).add(Session(
    ...         id="s-1", kind="one_on_one", teacher_id="t-1", course_id="c-1",
    ...         window=TimeWindow.of(start, timedelta(hours=1)), zone="UTC"))
    ...     uow.commit()
    >>> clock = ManualClock(start)
    >>> service = AttendanceService(
    ...     uow_factory=lambda: InMemoryUnitOfWork(store),
    ...     sessions=InMemorySessionRepository,
    ...     attendees=InMemoryAttendeeRepository, clock=clock)
    >>> _ = service.enrol("s-1", "t-1", "teacher")
    >>> _ = service.enrol("s-1", "alice", "student")
    >>> _ = service.record("s-1", "t-1", "teacher", ParticipationEvent.joined(start),
    ...                    actor=Actor.system())
    >>> _ = service.record("s-1", "alice", "student",
    ...                    ParticipationEvent.joined(start), actor=Actor.system())
    >>> _ = clock.advance(timedelta(hours=1))
    >>> service.outcome("s-1").outcome.value
    'held'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar, final

from booking_core.actors import Actor, Role
from booking_core.attendance import billing
from booking_core.attendance import model as domain
from booking_core.attendance.billing import BillingPolicy, PaymentStatus
from booking_core.attendance.model import (
    AttendancePolicy,
    Attendee,
    Intent,
    OutcomeReport,
    ParticipationEvent,
    attendee_id,
)
from booking_core.clock import Clock
from booking_core.events import Decision, DomainEvent
from booking_core.ports import AttendeeRepository, SessionRepository, UnitOfWork
from booking_core.services import run_in_transaction
from booking_core.sessions import Session, SessionPolicy

__all__ = ["AttendanceService"]

U = TypeVar("U", bound=UnitOfWork)


@final
class AttendanceService(Generic[U]):
    """Runs attendance and billing commands against repositories.

    Every method returns the decision of the attempt that committed. Errors are
    the pure commands' errors, plus ``not_found`` for an unknown session or
    attendee and ``concurrency.stale_version`` when every attempt lost a race.

    Args:
        uow_factory: Makes a new unit of work per attempt.
        sessions: Gives the session repository of a unit of work.
        attendees: Gives the attendee repository of a unit of work.
        clock: Where ``now`` comes from.
        session_policy: Join window and rejoin rule.
        attendance_policy: Lateness, held share, cancellation notice.
        billing_policy: Whether late cancellations are billed.
        attempts: How many times to try on a stale version.
    """

    def __init__(
        self,
        *,
        uow_factory: Callable[[], U],
        sessions: Callable[[U], SessionRepository],
        attendees: Callable[[U], AttendeeRepository],
        clock: Clock,
        session_policy: SessionPolicy | None = None,
        attendance_policy: AttendancePolicy | None = None,
        billing_policy: BillingPolicy | None = None,
        attempts: int = 5,
    ) -> None:
        self._uow_factory = uow_factory
        self._sessions = sessions
        self._attendees = attendees
        self._clock = clock
        self.session_policy = session_policy or SessionPolicy()
        self.attendance_policy = attendance_policy or AttendancePolicy()
        self.billing_policy = billing_policy or BillingPolicy()
        self._attempts = attempts

    def enrol(
        self,
        session_id: str,
        participant_id: str,
        role: Role | str,
        *,
        payment_status: PaymentStatus | None = None,
    ) -> Attendee:
        """Add an attendee to an existing session.

        Returns:
            The new attendee (as staged, version 0).

        Raises:
            NotFoundError: ``not_found`` for an unknown session.
            DuplicateIdError: ``conflict.duplicate_id`` when already enrolled.
        """

        def operation(uow: U) -> Attendee:
            self._sessions(uow).get(session_id)
            attendee = Attendee.create(
                session_id=session_id,
                participant_id=participant_id,
                role=role,
                payment_status=payment_status,
            )
            self._attendees(uow).add(attendee)
            return attendee

        return run_in_transaction(self._uow_factory, operation, attempts=self._attempts)

    def _one(
        self,
        session_id: str,
        participant_id: str,
        role: Role | str,
        decide: Callable[[Attendee, Session], Decision[Attendee]],
    ) -> Decision[Attendee]:
        def operation(uow: U) -> Decision[Attendee]:
            session = self._sessions(uow).get(session_id)
            repository = self._attendees(uow)
            attendee = repository.get(attendee_id(session_id, participant_id, role))
            decision = decide(attendee, session)
            if decision.events:
                repository.save(decision.state)
                uow.collect(decision.events)
            return decision

        return run_in_transaction(self._uow_factory, operation, attempts=self._attempts)

    def record(
        self,
        session_id: str,
        participant_id: str,
        role: Role | str,
        entry: ParticipationEvent,
        *,
        actor: Actor,
    ) -> Decision[Attendee]:
        """Record a join or leave (``attendance.record_participation``)."""
        return self._one(
            session_id,
            participant_id,
            role,
            lambda attendee, session: domain.record_participation(
                attendee,
                session,
                entry,
                actor=actor,
                now=self._clock.now(),
                session_policy=self.session_policy,
            ),
        )

    def set_intent(
        self,
        session_id: str,
        participant_id: str,
        intent: Intent | str,
        *,
        actor: Actor,
    ) -> Decision[Attendee]:
        """Change a student's intent (:func:`~booking_core.attendance.set_intent`)."""
        return self._one(
            session_id,
            participant_id,
            Role.STUDENT,
            lambda attendee, session: domain.set_intent(
                attendee,
                session,
                intent,
                actor=actor,
                now=self._clock.now(),
                policy=self.attendance_policy,
            ),
        )

    def _many(
        self,
        session_id: str,
        decide: Callable[[list[Attendee], Session], Decision[tuple[Attendee, ...]]],
    ) -> Decision[tuple[Attendee, ...]]:
        def operation(uow: U) -> Decision[tuple[Attendee, ...]]:
            session = self._sessions(uow).get(session_id)
            repository = self._attendees(uow)
            loaded = repository.of_session(session_id)
            decision = decide(loaded, session)
            # Save only what changed: marking twice (two monitor workers) writes
            # nothing the second time.
            for attendee in decision.state:
                if attendee not in loaded:
                    repository.save(attendee)
            uow.collect(decision.events)
            return decision

        return run_in_transaction(self._uow_factory, operation, attempts=self._attempts)

    def mark_session(
        self, session_id: str, *, actor: Actor
    ) -> Decision[tuple[Attendee, ...]]:
        """Mark every attendee of a session present / late / absent from the logs.

        Returns:
            Every attendee of the session after marking, and the events.
        """

        def decide(
            attendees: list[Attendee], session: Session
        ) -> Decision[tuple[Attendee, ...]]:
            states: list[Attendee] = []
            events: list[DomainEvent] = []
            for attendee in attendees:
                decision = domain.mark_attendance(
                    attendee,
                    session,
                    actor=actor,
                    now=self._clock.now(),
                    policy=self.attendance_policy,
                )
                states.append(decision.state)
                events.extend(decision.events)
            return Decision(state=tuple(states), events=events)

        return self._many(session_id, decide)

    def cancel_session(
        self, session_id: str, *, actor: Actor
    ) -> Decision[tuple[Attendee, ...]]:
        """Run the cancellation cascade over a cancelled session's attendees."""
        return self._many(
            session_id,
            lambda attendees, session: domain.cancel_session_attendees(
                session, attendees, actor=actor, now=self._clock.now()
            ),
        )

    def outcome(self, session_id: str) -> OutcomeReport:
        """Classify the session's outcome from its attendees' logs (no writes)."""

        def operation(uow: U) -> OutcomeReport:
            session = self._sessions(uow).get(session_id)
            return domain.classify_outcome(
                session,
                self._attendees(uow).of_session(session_id),
                self.attendance_policy,
            )

        return run_in_transaction(self._uow_factory, operation, attempts=self._attempts)

    def change_payment_status(
        self,
        attendee_id: str,
        target: PaymentStatus | str,
        *,
        reason: str,
        actor: Actor,
    ) -> Decision[Attendee]:
        """Move one attendee's payment status along the allowed table."""

        def operation(uow: U) -> Decision[Attendee]:
            repository = self._attendees(uow)
            decision = billing.change_payment_status(
                repository.get(attendee_id),
                target,
                reason=reason,
                actor=actor,
                now=self._clock.now(),
            )
            repository.save(decision.state)
            uow.collect(decision.events)
            return decision

        return run_in_transaction(self._uow_factory, operation, attempts=self._attempts)

    def request_payment(
        self, *, request_id: str, actor: Actor
    ) -> Decision[tuple[Attendee, ...]]:
        """Move every billing candidate (any session) to ``requested`` at once."""

        def operation(uow: U) -> Decision[tuple[Attendee, ...]]:
            repository = self._attendees(uow)
            decision = billing.request_payment(
                repository.with_payment_status(PaymentStatus.DUE),
                request_id=request_id,
                actor=actor,
                now=self._clock.now(),
                policy=self.billing_policy,
            )
            for attendee in decision.state:
                repository.save(attendee)
            uow.collect(decision.events)
            return decision

        return run_in_transaction(self._uow_factory, operation, attempts=self._attempts)
