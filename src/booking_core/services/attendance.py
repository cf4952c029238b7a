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
    >>> from booking_core.attendance import ParticipationEvent
    >>> from booking_core.clock import ManualClock
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.sessions import Session
    >>> start = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> store = InMemoryStore()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     uow.sessions.add(Session(
    ...         id="s-1", kind="one_on_one", teacher_id="t-1", course_id="c-1",
    ...         window=TimeWindow.of(start, timedelta(hours=1)), zone="UTC"))
    ...     uow.commit()
    >>> clock = ManualClock(start)
    >>> service = AttendanceService(
    ...     uow_factory=lambda: InMemoryUnitOfWork(store), clock=clock)
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
from typing import final

from booking_core import attendance as domain
from booking_core.actors import Actor, Role
from booking_core.attendance import billing
from booking_core.attendance.billing import PaymentStatus
from booking_core.attendance.model import (
    Attendee,
    Intent,
    ParticipationEvent,
    attendee_id,
)
from booking_core.attendance.outcome import OutcomeReport
from booking_core.errors import NotFoundError
from booking_core.events import Decision, DomainEvent
from booking_core.ports import UnitOfWork
from booking_core.services import Service
from booking_core.sessions import Session

__all__ = ["AttendanceService"]


@final
class AttendanceService(Service):
    """Runs attendance and billing commands against repositories.

    Every method returns the decision of the attempt that committed. Errors are
    the pure commands' errors, plus ``not_found`` for an unknown session or
    attendee and ``concurrency.stale_version`` when every attempt lost a race.

    Constructed like every :class:`~booking_core.services.Service`; it reads
    ``policies.session``, ``policies.attendance``, ``policies.participation``
    and ``policies.billing``.
    """

    def enrol(
        self,
        session_id: str,
        participant_id: str,
        role: Role | str,
        *,
        payment_status: PaymentStatus | None = None,
    ) -> Attendee:
        """Add an attendee to an existing session (idempotent).

        Bookings enrol their students and sessions their teacher by
        themselves (:mod:`booking_core.services.reactions`); enrolling one
        already enrolled returns the stored attendee unchanged.

        Returns:
            The new attendee (as staged, version 0), or the stored one.

        Raises:
            NotFoundError: ``not_found`` for an unknown session.
        """

        def operation(uow: UnitOfWork) -> Attendee:
            uow.sessions.get(session_id)
            key = attendee_id(session_id, participant_id, role)
            try:
                return uow.attendees.get(key)
            except NotFoundError:
                pass
            attendee = Attendee.create(
                session_id=session_id,
                participant_id=participant_id,
                role=role,
                payment_status=payment_status,
            )
            uow.attendees.add(attendee)
            return attendee

        return self._run(operation)

    def _one(
        self,
        session_id: str,
        participant_id: str,
        role: Role | str,
        decide: Callable[[Attendee, Session], Decision[Attendee]],
    ) -> Decision[Attendee]:
        def operation(uow: UnitOfWork) -> Decision[Attendee]:
            session = uow.sessions.get(session_id)
            repository = uow.attendees
            attendee = repository.get(attendee_id(session_id, participant_id, role))
            decision = decide(attendee, session)
            if decision.events:
                repository.save(decision.state)
                uow.collect(decision.events)
            return decision

        return self._run(operation)

    def record(
        self,
        session_id: str,
        participant_id: str,
        role: Role | str,
        entry: ParticipationEvent,
        *,
        actor: Actor,
    ) -> Decision[Attendee]:
        """Record a join or leave live (``attendance.record_participation``)."""
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
                session_policy=self.policies.session,
                policy=self.policies.participation,
            ),
        )

    def correct(
        self,
        session_id: str,
        participant_id: str,
        role: Role | str,
        entry: ParticipationEvent,
        *,
        reason: str,
        actor: Actor,
    ) -> Decision[Attendee]:
        """Correct another's log with a reason (``correct_participation``)."""
        return self._one(
            session_id,
            participant_id,
            role,
            lambda attendee, session: domain.correct_participation(
                attendee,
                session,
                entry,
                reason=reason,
                actor=actor,
                now=self._clock.now(),
                session_policy=self.policies.session,
                policy=self.policies.participation,
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
                policy=self.policies.attendance,
            ),
        )

    def _many(
        self,
        session_id: str,
        decide: Callable[[list[Attendee], Session], Decision[tuple[Attendee, ...]]],
    ) -> Decision[tuple[Attendee, ...]]:
        def operation(uow: UnitOfWork) -> Decision[tuple[Attendee, ...]]:
            session = uow.sessions.get(session_id)
            repository = uow.attendees
            loaded = repository.of_session(session_id)
            decision = decide(loaded, session)
            # Save only what changed: marking twice (two monitor workers) writes
            # nothing the second time.
            for attendee in decision.state:
                if attendee not in loaded:
                    repository.save(attendee)
            uow.collect(decision.events)
            return decision

        return self._run(operation)

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
                    policy=self.policies.attendance,
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

        def operation(uow: UnitOfWork) -> OutcomeReport:
            session = uow.sessions.get(session_id)
            return domain.classify_outcome(
                session,
                uow.attendees.of_session(session_id),
                self.policies.attendance,
            )

        return self._run(operation)

    def change_payment_status(
        self,
        attendee_id: str,
        target: PaymentStatus | str,
        *,
        reason: str,
        actor: Actor,
    ) -> Decision[Attendee]:
        """Move one attendee's payment status along the allowed table."""

        def operation(uow: UnitOfWork) -> Decision[Attendee]:
            repository = uow.attendees
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

        return self._run(operation)

    def request_payment(
        self, *, request_id: str, actor: Actor
    ) -> Decision[tuple[Attendee, ...]]:
        """Move every billing candidate (any session) to ``requested`` at once."""

        def operation(uow: UnitOfWork) -> Decision[tuple[Attendee, ...]]:
            repository = uow.attendees
            decision = billing.request_payment(
                repository.with_payment_status(PaymentStatus.DUE),
                request_id=request_id,
                actor=actor,
                now=self._clock.now(),
                policy=self.policies.billing,
            )
            for attendee in decision.state:
                repository.save(attendee)
            uow.collect(decision.events)
            return decision

        return self._run(operation)
