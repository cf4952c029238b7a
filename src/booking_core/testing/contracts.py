"""Repository contract suites: prove a host's adapter honours the ports.

Hosts that store aggregates in their own database subclass a contract class in
their test suite and provide its fixtures; pytest then runs every check against
their adapter, exactly as ``booking_core`` runs them against its in-memory and
SQLite adapters::

    import pytest
    from booking_core.testing.contracts import SessionRepositoryContract

    class TestPostgresSessions(SessionRepositoryContract):
        @pytest.fixture
        def uow_factory(self, database, publisher):
            return lambda: PostgresUnitOfWork(database, publisher)


        @pytest.fixture
        def published(self, publisher):
            return publisher.published

Fixtures every contract needs:

* ``uow_factory``: a zero-argument callable returning a new unit of work on a
  fresh, empty store (fresh per test).
* ``published``: the list the store's event publisher appends committed events to.

Each contract adds the fixture giving its repository from a unit of work
(``sessions_of`` for :class:`SessionRepositoryContract`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from booking_core import sessions
from booking_core.actors import Actor
from booking_core.errors import DuplicateIdError, NotFoundError, StaleVersionError
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.ports import SessionRepository
from booking_core.services import run_in_transaction
from booking_core.sessions import MeetingInfo, ReschedulePolicy, Session, SessionPolicy
from booking_core.testing._aggregate_contract import refuses_duplicate

__all__ = ["SessionRepositoryContract"]

_NOW = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)
_TEACHER = Actor.teacher("teacher-1")


def _session(session_id: str, *, days: int = 10, kind: str = "group") -> Session:
    decision = sessions.schedule(
        session_id=session_id,
        kind=kind,  # type: ignore[arg-type]
        teacher_id=_TEACHER.user_id,
        course_id="course-1",
        window=TimeWindow.of(_NOW + timedelta(days=days), timedelta(hours=1)),
        zone="Europe/London",
        meeting=MeetingInfo(provider="zoom", link="https://example.test/m/1"),
        capacity=12 if kind == "group" else 1,
        waitlist_enabled=kind == "group",
        actor=_TEACHER,
        now=_NOW,
    )
    return decision.state


def _with_request(session: Session, *, now: datetime = _NOW) -> Session:
    return sessions.request_reschedule(
        session,
        reason="teacher is travelling that week",
        new_start=session.start + timedelta(days=1),
        actor=_TEACHER,
        now=now,
        policy=ReschedulePolicy(),
    ).state


def _completed(session: Session) -> Session:
    return sessions.complete(
        session,
        notes="covered chapters 3 and 4",
        actor=_TEACHER,
        now=session.end,
        policy=SessionPolicy(),
    ).state


class SessionRepositoryContract:
    """The checks every :class:`~booking_core.ports.SessionRepository` must pass."""

    _is_contract_base = True  # subclassed by hosts, so deliberately not @final

    @pytest.fixture
    def uow_factory(self) -> Callable[[], Any]:
        """A zero-argument callable returning a new unit of work on a fresh store."""
        raise NotImplementedError  # pragma: no cover - subclasses provide it

    @pytest.fixture
    def sessions_of(self) -> Callable[[Any], SessionRepository]:
        """The session repository of a unit of work (``uow.sessions``)."""
        return lambda uow: uow.sessions

    @pytest.fixture
    def published(self) -> list[DomainEvent]:
        """The events the store's publisher has received."""
        raise NotImplementedError  # pragma: no cover - subclasses provide it

    def _add(
        self, uow_factory: Callable[[], Any], sessions_of: Any, *items: Session
    ) -> None:
        with uow_factory() as uow:
            repository = sessions_of(uow)
            for item in items:
                repository.add(item)
            uow.commit()

    def test_round_trip_of_every_shape(
        self, uow_factory: Callable[[], Any], sessions_of: Any
    ) -> None:
        """Sessions come back equal, with version 1, whatever they hold."""
        one_on_one = _session("s-1on1", kind="one_on_one")
        pending = _with_request(_session("s-pending"))
        done = _completed(_session("s-done", days=1))
        self._add(uow_factory, sessions_of, one_on_one, pending, done)
        with uow_factory() as uow:
            repository = sessions_of(uow)
            for original in (one_on_one, pending, done):
                assert repository.get(original.id) == attrs.evolve(original, version=1)

    def test_not_found(self, uow_factory: Callable[[], Any], sessions_of: Any) -> None:
        """An unknown id raises ``not_found``."""
        with uow_factory() as uow, pytest.raises(NotFoundError):
            sessions_of(uow).get("missing")

    def test_duplicate_id(
        self, uow_factory: Callable[[], Any], sessions_of: Any
    ) -> None:
        """Adding an existing id raises ``conflict.duplicate_id`` (on add or commit)."""
        self._add(uow_factory, sessions_of, _session("s-1"))
        first, second = uow_factory(), uow_factory()
        refuses_duplicate(
            uow_factory, lambda uow: sessions_of(uow).add(_session("s-1"))
        )
        with first, second:
            sessions_of(second).add(_session("s-2"))
            sessions_of(first).add(_session("s-2"))
            second.commit()
            with pytest.raises(DuplicateIdError):
                first.commit()

    def test_save_is_compare_and_set(
        self, uow_factory: Callable[[], Any], sessions_of: Any
    ) -> None:
        """Of two units that loaded the same version, the second commit is stale."""
        self._add(uow_factory, sessions_of, _session("s-1"))
        first, second = uow_factory(), uow_factory()
        with first, second:
            mine = sessions_of(first).get("s-1")
            theirs = sessions_of(second).get("s-1")
            sessions_of(first).save(_with_request(mine))
            sessions_of(second).save(attrs.evolve(theirs, capacity=30))
            first.commit()
            with pytest.raises(StaleVersionError):
                second.commit()
        with uow_factory() as uow:
            stored = sessions_of(uow).get("s-1")
        assert stored.version == 2
        assert stored.pending_reschedule is not None
        assert stored.capacity == 12

    def test_rollback_leaves_nothing(
        self,
        uow_factory: Callable[[], Any],
        sessions_of: Any,
        published: list[DomainEvent],
    ) -> None:
        """Leaving a unit without commit stores nothing and publishes nothing."""
        decision = sessions.schedule(
            session_id="s-rolled-back",
            kind="one_on_one",
            teacher_id=_TEACHER.user_id,
            course_id="course-1",
            window=TimeWindow.of(_NOW + timedelta(days=3), timedelta(hours=1)),
            zone="Asia/Kolkata",
            actor=_TEACHER,
            now=_NOW,
        )
        with uow_factory() as uow:
            sessions_of(uow).add(decision.state)
            uow.collect(decision.events)
        with uow_factory() as uow, pytest.raises(NotFoundError):
            sessions_of(uow).get("s-rolled-back")
        assert list(published) == []

    def test_events_published_only_after_commit(
        self,
        uow_factory: Callable[[], Any],
        sessions_of: Any,
        published: list[DomainEvent],
    ) -> None:
        """Collected events reach the publisher after, and only after, commit."""
        decision = sessions.schedule(
            session_id="s-events",
            kind="group",
            teacher_id=_TEACHER.user_id,
            course_id="course-1",
            window=TimeWindow.of(_NOW + timedelta(days=3), timedelta(hours=1)),
            zone="Europe/London",
            capacity=5,
            actor=_TEACHER,
            now=_NOW,
        )
        with uow_factory() as uow:
            sessions_of(uow).add(decision.state)
            uow.collect(decision.events)
            assert list(published) == []
            uow.commit()
        assert [event.event_id for event in published] == [
            event.event_id for event in decision.events
        ]

    def test_monitor_queries(
        self, uow_factory: Callable[[], Any], sessions_of: Any
    ) -> None:
        """The monitor's queries filter, order and see staged changes."""
        early = _session("s-early", days=3)
        late = _session("s-late", days=20)
        pending = _with_request(_session("s-pending", days=5))
        done = _completed(_session("s-done", days=1))
        self._add(uow_factory, sessions_of, early, late, pending, done)
        with uow_factory() as uow:
            repository = sessions_of(uow)
            due = repository.scheduled_sessions(
                starting_before=_NOW + timedelta(days=6)
            )
            assert [s.id for s in due] == ["s-early", "s-pending"]
            assert [s.id for s in repository.pending_reschedules(due_by=_NOW)] == []
            later = _NOW + timedelta(days=2)
            assert [s.id for s in repository.pending_reschedules(due_by=later)] == [
                "s-pending"
            ]
            repository.save(_with_request(repository.get("s-early")))
            # Same deadline (both asked at the same instant): ordered by id.
            assert [s.id for s in repository.pending_reschedules(due_by=later)] == [
                "s-early",
                "s-pending",
            ]

    def test_concurrent_writers_lose_no_update(
        self, uow_factory: Callable[[], Any], sessions_of: Any
    ) -> None:
        """Threads changing one session through retries never lose an update."""
        self._add(uow_factory, sessions_of, _session("s-1"))

        def grow(uow: Any) -> None:
            repository = sessions_of(uow)
            session = repository.get("s-1")
            repository.save(attrs.evolve(session, capacity=session.capacity + 1))

        def worker() -> None:
            for _ in range(10):
                run_in_transaction(uow_factory, grow, attempts=500)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with uow_factory() as uow:
            stored = sessions_of(uow).get("s-1")
        assert stored.capacity == 12 + 40
        assert stored.version == 41
