"""The session service over the in-memory adapters: transactions, retries, queries."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.bookings.model import Booking, BookingStatus
from booking_core.clock import Clock, ManualClock
from booking_core.errors import (
    DuplicateIdError,
    NotFoundError,
    NotSessionParticipantError,
    StaleVersionError,
)
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.services.sessions import SessionService
from booking_core.sessions import (
    Session,
    SessionStatus,
    is_past_grace_period,
    is_past_no_show_limit,
    is_reschedule_expired,
    replay,
)

T0 = datetime(2026, 10, 20, 9, tzinfo=timezone.utc)
TEACHER = Actor.teacher("t-1")
ALICE = Actor.student("alice")
SYSTEM = Actor.system()
HOUR_2 = timedelta(hours=2)


def _service(store: InMemoryStore, clock: Clock, attempts: int = 5) -> SessionService:
    return SessionService(
        uow_factory=lambda: InMemoryUnitOfWork(store),
        clock=clock,
        policies=Policies(transaction_attempts=attempts),
    )


def _book(
    store: InMemoryStore,
    session_id: str,
    student_id: str,
    *,
    booking_id: str | None = None,
    status: BookingStatus | str = "confirmed",
) -> None:
    """Stage a booking of ``student_id`` on ``session_id`` (who may act on it)."""
    with InMemoryUnitOfWork(store) as uow:
        window = uow.sessions.get(session_id).window
        uow.bookings.add(
            Booking(
                id=booking_id or f"{session_id}-{student_id}",
                type="one_on_one",
                session_id=session_id,
                student_id=student_id,
                teacher_id="t-1",
                course_id="c-1",
                window=window,
                status=status,
                created_at=T0,
            )
        )
        uow.commit()


def _schedule(service: SessionService, session_id: str, start: datetime) -> None:
    service.schedule(
        session_id=session_id,
        kind="one_on_one",
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(start, timedelta(hours=1)),
        zone="Europe/London",
        actor=TEACHER,
    )


def _load(store: InMemoryStore, session_id: str = "s-1") -> Session:
    with InMemoryUnitOfWork(store) as uow:
        return uow.sessions.get(session_id)


def test_full_lifecycle_and_the_audit_trail_in_the_store() -> None:
    store = InMemoryStore()
    clock = ManualClock(T0)
    service = _service(store, clock)
    start = T0 + timedelta(days=5)  # across the London fold on 25 October
    _schedule(service, "s-1", start)
    _book(store, "s-1", "alice")
    clock.advance(timedelta(days=1))
    service.request_reschedule(
        "s-1",
        reason="a clash with an exam",
        new_start=start + timedelta(days=2),
        actor=ALICE,
    )
    clock.advance(timedelta(hours=2))
    service.approve_reschedule("s-1", actor=TEACHER)
    clock.advance(timedelta(hours=1))
    service.request_reschedule("s-1", reason="moving house that day", actor=TEACHER)
    service.decline_reschedule("s-1", reason="no", actor=ALICE)
    clock.set(start + timedelta(days=2, hours=1))
    service.complete("s-1", notes="good session", actor=ALICE)
    stored = _load(store)
    assert stored.version == 6
    assert stored.status is SessionStatus.COMPLETED
    assert stored.start == start + timedelta(days=2)
    # the session's own events (its reactions' follow: alice's booking ended)
    own = [e for e in store.events if e.aggregate_id == "s-1"]
    assert [e.name for e in store.events if e not in own] == ["booking.no_show"]
    assert replay(own) == attrs.evolve(stored, version=0)


def test_unknown_session_and_duplicate_id() -> None:
    store = InMemoryStore()
    service = _service(store, ManualClock(T0))
    with pytest.raises(NotFoundError):
        service.cancel("nope", reason="x", actor=TEACHER)
    _schedule(service, "s-1", T0 + timedelta(days=1))
    with pytest.raises(DuplicateIdError):
        _schedule(service, "s-1", T0 + timedelta(days=2))


def test_without_a_booking_no_student_is_booked() -> None:
    store = InMemoryStore()
    service = _service(store, ManualClock(T0))
    _schedule(service, "s-1", T0 + timedelta(days=3))
    _schedule(service, "other", T0 + timedelta(days=4))
    with pytest.raises(NotSessionParticipantError):
        service.cancel("s-1", reason="ill", actor=ALICE)
    # booked, then unbooked; and booked on another session only: still nobody
    _book(store, "s-1", "alice", status="cancelled")
    _book(store, "other", "alice")
    with pytest.raises(NotSessionParticipantError):
        _service(store, ManualClock(T0)).cancel("s-1", reason="ill", actor=ALICE)
    assert _load(store).status is SessionStatus.SCHEDULED


def test_a_lost_race_is_retried_from_a_fresh_load() -> None:
    store = InMemoryStore()
    clock = ManualClock(T0)
    setup = _service(store, clock)
    _schedule(setup, "s-1", T0 + timedelta(days=5))
    raced = {"done": False}

    class RacingClock:
        """Read after the load: the first attempt loses to another writer."""

        def now(self) -> datetime:
            # another writer requests a reschedule between our load and commit
            if not raced["done"]:
                raced["done"] = True
                setup.request_reschedule(
                    "s-1", reason="a clash with an exam", actor=TEACHER
                )
            return clock.now()

    service = _service(store, RacingClock())
    decision = service.cancel("s-1", reason="teacher ill", actor=TEACHER)
    assert decision.state.status is SessionStatus.CANCELLED
    assert decision.state.version == 2  # loaded after the competing request
    assert [e.name for e in store.events] == [
        "session.scheduled",
        "session.reschedule_requested",
        "session.cancelled",
        "attendee.excused",  # the reaction: the enrolled teacher excused
    ]


def test_every_attempt_lost() -> None:
    store = InMemoryStore()
    clock = ManualClock(T0)
    setup = _service(store, clock)
    _schedule(setup, "s-1", T0 + timedelta(days=5))

    class RacingClock:
        """Read after each load: another writer saves the same session first."""

        def now(self) -> datetime:
            with InMemoryUnitOfWork(store) as other:
                other.sessions.save(other.sessions.get("s-1"))
                other.commit()
            return clock.now()

    service = _service(store, RacingClock(), attempts=2)
    with pytest.raises(StaleVersionError):
        service.cancel("s-1", reason="teacher ill", actor=TEACHER)
    assert _load(store).status is SessionStatus.SCHEDULED


def test_monitor_queries_and_predicates() -> None:
    store = InMemoryStore()
    clock = ManualClock(T0)
    service = _service(store, clock)
    for index, hours in enumerate([30, 2, 50], start=1):
        _schedule(service, f"s-{index}", T0 + timedelta(hours=hours))
    _book(store, "s-2", "alice")
    service.request_reschedule(
        "s-3",
        reason="a clash with an exam",
        new_start=T0 + timedelta(days=4),
        actor=TEACHER,
    )
    service.request_reschedule(
        "s-1",
        reason="a clash with an exam",
        new_start=T0 + timedelta(days=3),
        actor=Actor.admin("a-1"),
    )
    service.cancel("s-2", reason="ill", actor=ALICE)
    clock.set(T0 + timedelta(hours=24))
    with InMemoryUnitOfWork(store) as uow:
        repository = uow.sessions
        due = repository.pending_reschedules(due_by=clock.now())
        soon = repository.scheduled_sessions(starting_before=T0 + timedelta(hours=31))
    assert [s.id for s in due] == ["s-3", "s-1"] or [s.id for s in due] == [
        "s-1",
        "s-3",
    ]
    assert all(is_reschedule_expired(s, now=clock.now()) for s in due)
    assert [s.id for s in soon] == ["s-1"]  # s-2 is cancelled, s-3 starts later
    for session in due:
        service.expire_reschedule(session.id, actor=SYSTEM)
    assert _load(store, "s-1").start == T0 + timedelta(days=3)
    s1 = _load(store, "s-1")
    assert not is_past_no_show_limit(
        s1, now=clock.now(), policy=service.policies.session
    )
    assert not is_past_grace_period(
        s1, now=clock.now(), policy=service.policies.session
    )
    clock.set(s1.start + timedelta(minutes=30))
    service.mark_missed("s-1", actor=SYSTEM)
    assert _load(store, "s-1").status is SessionStatus.MISSED


def test_an_approved_reschedule_moves_the_bookings_of_the_session() -> None:
    store = InMemoryStore()
    clock = ManualClock(T0)
    service = _service(store, clock)
    start = T0 + timedelta(days=5)  # London leaves BST on 25 October, in between
    _schedule(service, "s-1", start)
    old = TimeWindow.of(start, timedelta(hours=1))
    with InMemoryUnitOfWork(store) as uow:
        for booking_id, status in (("b-1", "confirmed"), ("b-2", "cancelled")):
            uow.bookings.add(
                Booking(
                    id=booking_id,
                    type="one_on_one",
                    session_id="s-1",
                    student_id="alice",
                    teacher_id="t-1",
                    course_id="c-1",
                    window=old,
                    status=status,
                    created_at=T0,
                )
            )
        uow.commit()
    service.request_reschedule(
        "s-1", reason="a clash with an exam", new_start=start + HOUR_2, actor=ALICE
    )
    with InMemoryUnitOfWork(store) as uow:  # a request alone moves nothing
        assert uow.bookings.get("b-1").window == old
    decision = service.approve_reschedule("s-1", actor=TEACHER)
    moved = decision.state.window
    assert moved == TimeWindow.of(start + HOUR_2, timedelta(hours=1))
    with InMemoryUnitOfWork(store) as uow:
        bookings = uow.bookings
        assert [bookings.get(b).window for b in ("b-1", "b-2")] == [moved, moved]
        assert bookings.get("b-1").version == 2
    # A change that keeps the time (completion) leaves the windows alone; the
    # reaction ends the confirmed booking by attendance (nobody joined).
    clock.set(moved.end + timedelta(minutes=1))
    service.complete("s-1", actor=TEACHER)
    with InMemoryUnitOfWork(store) as uow:
        finished = uow.bookings.get("b-1")
        assert (finished.window, finished.status) == (moved, BookingStatus.NO_SHOW)
        assert uow.bookings.get("b-2").status is BookingStatus.CANCELLED
