"""The booking service: seat decisions in one unit of work, retried on conflicts.

Every command loads the session (whose seat state decides), takes the pure
decision from :mod:`booking_core.bookings.capacity`, saves the session, adds or
saves each booking the decision moved, and collects the events, all inside
:func:`~booking_core.services.run_in_transaction`. Because every booking write
also saves the session, two commands on one session are serialised by its
compare-and-set: the loser starts again from a fresh load, so seats are never
oversold and the one-active-booking lookup cannot race.

Commands take an optional ``idempotency_key``: a retry with the same key and
the same content returns the original result and changes nothing; the same key
with other content raises :class:`~booking_core.errors.BookingKeyReuseError`.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.clock import ManualClock
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.services.booking import BookingService
    >>> from booking_core.sessions import Session
    >>> store = InMemoryStore()
    >>> clock = ManualClock(datetime(2026, 6, 1, 9, tzinfo=timezone.utc))
    >>> service = BookingService(
    ...     uow_factory=lambda: InMemoryUnitOfWork(store), clock=clock
    ... )
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     uow.sessions.add(Session(
    ...         id="s-1", kind="group", teacher_id="t-1", course_id="c-1",
    ...         window=TimeWindow.of(clock.now() + timedelta(days=1),
    ...                              timedelta(hours=1)),
    ...         zone="UTC", capacity=1, waitlist_enabled=True,
    ...     ))
    ...     uow.commit()
    >>> ann = service.book("s-1", "ann", actor=Actor.student("ann"))
    >>> bob = service.book("s-1", "bob", actor=Actor.student("bob"),
    ...                    idempotency_key="bob-1")
    >>> again = service.book("s-1", "bob", actor=Actor.student("bob"),
    ...                      idempotency_key="bob-1")
    >>> ann.state.status.value, bob.state.status.value, again.state == bob.state
    ('confirmed', 'waitlisted', True)
    >>> _ = service.cancel(ann.state.id, actor=Actor.student("ann"))
    >>> service.get(bob.state.id).status.value
    'confirmed'
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, final

from booking_core.actors import Actor
from booking_core.availability.commitments import CommitmentKind
from booking_core.bookings import capacity, offers
from booking_core.bookings.capacity import (
    SeatAvailability,
    SeatChange,
)
from booking_core.bookings.model import (
    Booking,
    BookingType,
    CommandRecord,
    SeatMove,
    apply_move,
)
from booking_core.clock import Clock
from booking_core.errors import (
    AlreadyBookedError,
    BookingCoreError,
    BookingKeyReuseError,
    DuplicateIdError,
)
from booking_core.events import Decision
from booking_core.policies import Policies
from booking_core.ports import (
    UnitOfWork,
)
from booking_core.services import Service, commitments
from booking_core.sessions import Session
from booking_core.sessions.model import SessionStatus

__all__ = ["BookingService"]

T = TypeVar("T")


def _new_id() -> str:
    return uuid.uuid4().hex


@final
class BookingService(Service):
    """Books, cancels, promotes and changes capacity, one transaction each.

    Every command returns the :class:`~booking_core.events.Decision` of the
    attempt that committed (or, for a replayed idempotency key, the original
    one). Errors are the pure decisions' errors (:mod:`booking_core.bookings.capacity`),
    plus ``not_found`` for an unknown id, ``booking.already_booked``,
    ``booking.idempotency_key_reused`` and ``concurrency.stale_version`` when
    every attempt lost a race.

    Constructed like every :class:`~booking_core.services.Service` (it reads
    ``policies.booking`` and ``policies.waitlist``), plus:

    Args:
        new_id: Makes booking ids (random hex by default).
    """

    def __init__(
        self,
        *,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        policies: Policies | None = None,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        super().__init__(uow_factory=uow_factory, clock=clock, policies=policies)
        self._new_id = new_id

    def _keyed(
        self,
        key: str | None,
        command: tuple[Any, ...],
        operation: Callable[[UnitOfWork], Decision[Booking]],
    ) -> Decision[Booking]:
        """Run ``operation``, replayed by ``key`` when given.

        ``command`` (the name, then the arguments) is the content a key is
        bound to; it is rendered only when a key is given.
        """
        if key is None:
            return self._run(operation)
        content = _content(*command)

        def keyed(uow: UnitOfWork) -> Decision[Booking]:
            records = uow.records
            record = records.get(key)
            if record is None:
                try:
                    decision = operation(uow)
                except BookingCoreError:
                    # A twin request may have committed since the lookup; then
                    # its outcome is ours too (e.g. "already booked" by itself).
                    record = records.get(key)
                    if record is None:
                        raise
            if record is not None:
                if record.content != content:
                    raise BookingKeyReuseError(
                        key=key, existing=record.content, requested=content
                    )
                return Decision(state=record.result, events=record.events)
            records.add(
                CommandRecord(
                    id=key,
                    content=content,
                    result=decision.state,
                    events=decision.events,
                )
            )
            return decision

        try:
            return self._run(keyed)
        except DuplicateIdError:
            # Another request with this key committed between our lookup and
            # our commit: run again, which now replays (or refuses) it.
            return self._run(keyed)

    def _apply(
        self,
        uow: UnitOfWork,
        change: Decision[SeatChange],
        *,
        actor: Actor,
        now: datetime,
        loaded: Booking | None = None,
    ) -> list[Booking]:
        uow.sessions.save(change.state.session)
        repository = uow.bookings
        moved: list[Booking] = []
        for move in change.state.moves:
            current = (
                loaded
                if loaded is not None and loaded.id == move.booking_id
                else repository.get(move.booking_id)
            )
            booking = apply_move(current, move, actor=actor, now=now)
            repository.save(booking)
            moved.append(booking)
        uow.collect(change.events)
        return moved

    # -- queries -------------------------------------------------------------------

    def get(self, booking_id: str) -> Booking:
        """Load one booking.

        Raises:
            NotFoundError: ``not_found``.
        """
        return self._run(lambda uow: uow.bookings.get(booking_id))

    def availability(self, session_id: str) -> SeatAvailability:
        """The seat counts of a session now (what :meth:`book` decides on).

        Raises:
            NotFoundError: ``not_found``.
        """
        session = self._run(lambda uow: uow.sessions.get(session_id))
        return capacity.availability(session, now=self._clock.now())

    # -- commands ------------------------------------------------------------------

    def book(
        self,
        session_id: str,
        student_id: str,
        *,
        actor: Actor,
        seats: int = 1,
        idempotency_key: str | None = None,
    ) -> Decision[Booking]:
        """Book seats: confirmed, or waitlisted when the session is full.

        Args:
            session_id: The group session.
            student_id: Who books.
            actor: The student or an admin.
            seats: How many seats.
            idempotency_key: Makes a retry safe.

        Returns:
            The new booking (version 0; stored as 1) and its events.

        Raises:
            AlreadyBookedError: ``booking.already_booked`` when the student holds
                an active booking on the session.
            BookingKeyReuseError: ``booking.idempotency_key_reused``.
            NotFoundError: ``not_found`` for an unknown session.
            SessionNotBookableError: ``booking.session_not_bookable``.
            StudentDoubleBookedError: ``availability.student_double_booked``
                (or ``teacher_double_booked`` for the same teacher) when the
                student holds another commitment at that time.
            TooManySeatsError: ``booking.too_many_seats``.
            SeatsUnavailableError: ``booking.seats_unavailable``.
        """

        def operation(uow: UnitOfWork) -> Decision[Booking]:
            now = self._clock.now()
            session = uow.sessions.get(session_id)
            repository = uow.bookings
            existing = repository.active_booking(session_id, student_id)
            if existing is not None:
                raise AlreadyBookedError(
                    student_id=student_id,
                    booking_id=existing.id,
                    status=existing.status.value,
                    session_id=session_id,
                )
            if session.status is SessionStatus.SCHEDULED:
                # the student's other commitments (ordered by their calendar)
                commitments.lock_student(uow, student_id)
                commitments.ensure_student_free(
                    uow,
                    student_id,
                    window=session.window,
                    teacher_id=session.teacher_id,
                    ref_id=session.id,
                    kind=CommitmentKind.GROUP_SESSION,
                    pending_holds_slot=self.policies.one_on_one.pending_holds_slot,
                    policy=self.policies.one_on_one.conflicts,
                )
            booking_id = self._new_id()
            change = capacity.book(
                session,
                booking_id=booking_id,
                student_id=student_id,
                seats=seats,
                actor=actor,
                now=now,
                policy=self.policies.booking,
            )
            move = change.state.moves[0]
            booking = _new_booking(session, move, student_id, now, idempotency_key)
            repository.add(booking)
            uow.sessions.save(change.state.session)
            uow.collect(change.events)
            return Decision(state=booking, events=change.events)

        command = ("book", session_id, student_id, seats, actor)
        return self._keyed(idempotency_key, command, operation)

    def cancel(
        self,
        booking_id: str,
        *,
        actor: Actor,
        seats: int | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Decision[Booking]:
        """Cancel a booking (or some of its seats); freed seats pass on.

        Args:
            booking_id: The booking.
            actor: Its student, the session's teacher, an admin or the system.
            seats: How many seats to give up (default all).
            reason: Why.
            idempotency_key: Makes a retry safe.

        Returns:
            The cancelled (or reduced) booking and every event, including the
            promotions or offers that followed.

        Raises:
            NotFoundError: ``not_found``.
            BookingKeyReuseError: ``booking.idempotency_key_reused``.
            NotBookingHolderError: ``booking.not_holder``.
            BookingTransitionError: ``booking.invalid_transition``.
            BookingSessionClosedError: ``booking.session_closed`` once the
                session started, was cancelled or finished (the system actor
                may always close a booking).
            SessionNotBookableError: ``booking.session_not_bookable`` for a
                1:1 booking (cancelled through the 1:1 service).
        """

        def operation(uow: UnitOfWork) -> Decision[Booking]:
            now = self._clock.now()
            booking = uow.bookings.get(booking_id)
            session = uow.sessions.get(booking.session_id)
            change = capacity.cancel(
                session,
                booking,
                actor=actor,
                now=now,
                seats=seats,
                reason=reason,
                policy=self.policies.waitlist,
            )
            moved = self._apply(uow, change, actor=actor, now=now, loaded=booking)
            return Decision(state=moved[0], events=change.events)

        command = ("cancel", booking_id, seats, reason, actor)
        return self._keyed(idempotency_key, command, operation)

    def accept_offer(
        self, booking_id: str, *, actor: Actor, idempotency_key: str | None = None
    ) -> Decision[Booking]:
        """Accept an offered seat: the booking is confirmed.

        Raises:
            NotFoundError: ``not_found``.
            BookingTransitionError: ``booking.invalid_transition`` unless offered.
            OfferExpiredError: ``booking.offer_expired``.
            NotBookingHolderError: ``booking.not_holder``.
            BookingKeyReuseError: ``booking.idempotency_key_reused``.
        """
        return self._offer_answer(booking_id, actor, idempotency_key, accept=True)

    def decline_offer(
        self, booking_id: str, *, actor: Actor, idempotency_key: str | None = None
    ) -> Decision[Booking]:
        """Decline an offered seat: the seats pass to the next in line.

        Raises:
            NotFoundError: ``not_found``.
            BookingTransitionError: ``booking.invalid_transition`` unless offered.
            NotBookingHolderError: ``booking.not_holder``.
            BookingKeyReuseError: ``booking.idempotency_key_reused``.
        """
        return self._offer_answer(booking_id, actor, idempotency_key, accept=False)

    def _offer_answer(
        self, booking_id: str, actor: Actor, key: str | None, *, accept: bool
    ) -> Decision[Booking]:
        def operation(uow: UnitOfWork) -> Decision[Booking]:
            now = self._clock.now()
            booking = uow.bookings.get(booking_id)
            session = uow.sessions.get(booking.session_id)
            if accept:
                change = offers.accept_offer(session, booking, actor=actor, now=now)
            else:
                change = offers.decline_offer(
                    session,
                    booking,
                    actor=actor,
                    now=now,
                    policy=self.policies.waitlist,
                )
            moved = self._apply(uow, change, actor=actor, now=now, loaded=booking)
            return Decision(state=moved[0], events=change.events)

        command = ("accept" if accept else "decline", booking_id, actor)
        return self._keyed(key, command, operation)

    def expire_offers(
        self, session_id: str, *, actor: Actor | None = None
    ) -> Decision[tuple[Booking, ...]]:
        """Expire every offer of the session due now, passing seats on.

        Args:
            session_id: The session.
            actor: Who runs it (default the system).

        Returns:
            Every booking that moved (expired ones and those offered or promoted
            after them), and the events; nothing when no offer was due.

        Raises:
            NotFoundError: ``not_found``.
        """
        by = actor or Actor.system()

        def operation(uow: UnitOfWork) -> Decision[tuple[Booking, ...]]:
            now = self._clock.now()
            session = uow.sessions.get(session_id)
            change = offers.expire_due_offers(
                session, actor=by, now=now, policy=self.policies.waitlist
            )
            if not change.state.moves:
                return Decision(state=())
            moved = self._apply(uow, change, actor=by, now=now)
            return Decision(state=tuple(moved), events=change.events)

        return self._run(operation)

    def change_capacity(
        self, session_id: str, new_capacity: int, *, actor: Actor
    ) -> Decision[Session]:
        """Change a session's capacity; raising it promotes from the waitlist.

        Returns:
            The session as decided (loaded version) and the events.

        Raises:
            NotFoundError: ``not_found``.
            CapacityBelowTakenError: ``booking.capacity_below_taken``.
            NotBookingHolderError: ``booking.not_holder``.
            SessionNotBookableError: ``booking.session_not_bookable``.
        """

        def operation(uow: UnitOfWork) -> Decision[Session]:
            now = self._clock.now()
            session = uow.sessions.get(session_id)
            change = capacity.change_capacity(
                session,
                new_capacity,
                actor=actor,
                now=now,
                policy=self.policies.waitlist,
            )
            self._apply(uow, change, actor=actor, now=now)
            return Decision(state=change.state.session, events=change.events)

        return self._run(operation)


def _content(command: str, *parts: Any) -> str:
    return "|".join((command, *(repr(part) for part in parts)))


def _new_booking(
    session: Session,
    move: SeatMove,
    student_id: str,
    now: datetime,
    key: str | None,
) -> Booking:
    return Booking(
        id=move.booking_id,
        type=BookingType(session.kind.value),
        session_id=session.id,
        student_id=student_id,
        teacher_id=session.teacher_id,
        course_id=session.course_id,
        window=session.window,
        status=move.status,
        seats=move.seats,
        created_at=now,
        idempotency_key=key,
    )
