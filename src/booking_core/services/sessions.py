"""The session service: load a session, take the pure decision, commit.

:class:`SessionService` is a thin shell over :mod:`booking_core.sessions`: every
method opens a unit of work through
:func:`~booking_core.services.run_in_transaction` (which retries from a fresh
load when another writer saved first), reads ``now`` from the clock, asks the
bookings who is booked, calls the pure command, saves the new state and hands the
event to the unit of work.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.clock import ManualClock
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.services.sessions import SessionService
    >>> store = InMemoryStore()
    >>> clock = ManualClock(datetime(2026, 6, 1, 9, tzinfo=timezone.utc))
    >>> service = SessionService(
    ...     uow_factory=lambda: InMemoryUnitOfWork(store), clock=clock
    ... )
    >>> _ = service.schedule(
    ...     session_id="s-1", kind="one_on_one", teacher_id="t-1", course_id="c-1",
    ...     window=TimeWindow.of(clock.now() + timedelta(days=3), timedelta(hours=1)),
    ...     zone="Europe/London", actor=Actor.teacher("t-1"),
    ... )
    >>> decision = service.cancel("s-1", reason="family emergency",
    ...                           actor=Actor.teacher("t-1"))
    >>> decision.state.status.value, [e.name for e in store.events]
    ('cancelled', ['session.scheduled', 'session.cancelled', 'attendee.excused'])
    >>> service.get("s-1").version, service.scheduled(
    ...     starting_before=clock.now() + timedelta(days=7))
    (2, [])
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal, final

import attrs

from booking_core import sessions as domain
from booking_core.actors import Actor
from booking_core.availability.commitments import CommitmentKind
from booking_core.errors import CommitmentConflictError, SlotNotAvailableError
from booking_core.events import Decision
from booking_core.intervals import TimeWindow
from booking_core.ports import UnitOfWork
from booking_core.services import Service, commitments
from booking_core.sessions import (
    MeetingInfo,
    Session,
    SessionKind,
)

__all__ = ["SessionService"]


_Decide = Callable[[Session, frozenset[str], datetime], Decision[Session]]


def _commitment_kind(session: Session) -> CommitmentKind:
    if session.kind is SessionKind.GROUP:
        return CommitmentKind.GROUP_SESSION
    return CommitmentKind.ONE_ON_ONE


@final
class SessionService(Service):
    """Runs the session commands against repositories, one transaction each.

    Every method returns the :class:`~booking_core.events.Decision` of the attempt
    that committed; its ``state`` carries the version it was loaded with (the
    store now holds ``version + 1``). Errors are the pure commands' errors, plus
    ``not_found`` for an unknown id and ``concurrency.stale_version`` when every
    attempt lost a race.

    The students who may act on a session are those taking part in it
    (:attr:`~booking_core.bookings.Booking.is_participant`, from
    ``uow.bookings``). A session that moves (an approved reschedule) moves its
    bookings' windows in the same transaction, so conflict checks and listings
    that read bookings see the new time. Constructed like every
    :class:`~booking_core.services.Service`.
    """

    def get(self, session_id: str) -> Session:
        """The stored session (with its version).

        Raises:
            NotFoundError: ``not_found`` for an unknown id.
        """
        return self._read(lambda uow: uow.sessions.get(session_id))

    def scheduled(self, *, starting_before: datetime) -> list[Session]:
        """The sessions still scheduled that start before ``starting_before``.

        Ordered by start, then id (past ones included: filter by start for the
        upcoming ones).
        """
        return self._read(
            lambda uow: uow.sessions.scheduled_sessions(starting_before=starting_before)
        )

    def _claimed(self, before: Session, after: Session) -> TimeWindow | None:
        """The window a decision newly claims: a move, or a newly proposed time."""
        if after.window != before.window:
            return after.window
        proposal = after.pending_reschedule
        if proposal is None or before.pending_reschedule is not None:
            return None  # no proposal, or one checked when it was made
        return proposal.new_window

    def _ensure_free(
        self, uow: UnitOfWork, session: Session, window: TimeWindow, holders: set[str]
    ) -> None:
        """Lock the teacher and the booked students, then check ``window``."""
        schedule = commitments.lock(uow, session.teacher_id, holders)
        one_on_one = self.policies.one_on_one
        commitments.ensure_free(
            uow,
            window=window,
            teacher_id=session.teacher_id,
            ref_id=session.id,
            kind=_commitment_kind(session),
            student_ids=holders,
            pending_holds_slot=one_on_one.pending_holds_slot,
            policy=one_on_one.conflicts,
        )
        if self.policies.reschedule.reschedule_within_availability:
            commitments.ensure_within_availability(
                schedule, window, course_id=session.course_id
            )

    def _change(
        self,
        session_id: str,
        decide: _Decide,
        *,
        instead: _Decide | None = None,
    ) -> Decision[Session]:
        def operation(uow: UnitOfWork) -> Decision[Session]:
            repository = uow.sessions
            session = repository.get(session_id)
            booked = uow.bookings.of_session(session_id)
            students = frozenset(b.student_id for b in booked if b.is_participant)
            now = self._clock.now()
            decision = decide(session, students, now)
            claimed = self._claimed(session, decision.state)
            if claimed is not None:
                holders = {b.student_id for b in booked if b.is_active}
                try:
                    self._ensure_free(uow, session, claimed, holders)
                except (CommitmentConflictError, SlotNotAvailableError):
                    if instead is None:
                        raise
                    decision = instead(session, students, now)
            repository.save(decision.state)
            uow.collect(decision.events)
            return decision

        return self._run(operation)

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

        def operation(uow: UnitOfWork) -> Decision[Session]:
            commitments.lock_teacher(uow, teacher_id)
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
            commitments.ensure_free(
                uow,
                window=decision.state.window,
                teacher_id=teacher_id,
                ref_id=session_id,
                kind=_commitment_kind(decision.state),
                pending_holds_slot=self.policies.one_on_one.pending_holds_slot,
                policy=self.policies.one_on_one.conflicts,
            )
            uow.sessions.add(decision.state)
            uow.collect(decision.events)
            return decision

        return self._run(operation)

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
                policy=self.policies.reschedule,
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
                policy=self.policies.reschedule,
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
                policy=self.policies.reschedule,
            ),
        )

    def expire_reschedule(self, session_id: str, *, actor: Actor) -> Decision[Session]:
        """Settle an unanswered request (pure: ``sessions.expire_reschedule``)."""
        return self._change(
            session_id,
            lambda session, _students, now: domain.expire_reschedule(
                session, actor=actor, now=now, policy=self.policies.reschedule
            ),
            # a proposed time taken meanwhile (or outside availability) lapses
            instead=lambda session, _students, now: domain.expire_reschedule(
                session,
                actor=actor,
                now=now,
                policy=attrs.evolve(
                    self.policies.reschedule, auto_approve_on_timeout=False
                ),
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
                policy=self.policies.session,
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
                policy=self.policies.session,
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
                policy=self.policies.session,
            ),
        )
