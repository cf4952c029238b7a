"""What the contracts do not cover: schema upgrades, the outbox relay, errors."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import attrs
import psycopg
import pytest
from booking_core_postgres import (
    MIGRATIONS,
    PostgresDatabase,
    PostgresSessionRepository,
    PostgresUnitOfWork,
)
from psycopg import errors as pg_errors

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.errors import ConcurrencyError, NotFoundError, StaleVersionError
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.sessions import Session

NOW = datetime(
    2026, 10, 24, 9, tzinfo=timezone.utc
)  # London's fall-back is on the 25th


def _session(session_id: str, zone: str = "Europe/London") -> Session:
    return Session(
        id=session_id,
        kind="group",
        teacher_id="t",
        course_id="c",
        window=TimeWindow.of(NOW + timedelta(days=1), timedelta(hours=1)),
        zone=zone,
        capacity=3,
        waitlist_enabled=True,
    )


def _event(aggregate_id: str) -> DomainEvent:
    return DomainEvent(occurred_at=NOW, actor=Actor.system(), aggregate_id=aggregate_id)


def test_schema_is_created_once_and_reopening_changes_nothing(
    dsn: str, schema: str, database: PostgresDatabase
) -> None:
    assert database.schema_version() == len(MIGRATIONS)
    with PostgresUnitOfWork(database) as uow:
        PostgresSessionRepository(uow).add(_session("s-1"))
        uow.commit()
    again = PostgresDatabase(dsn, schema=schema)
    try:
        assert again.schema_version() == len(MIGRATIONS)
        with PostgresUnitOfWork(again) as uow:
            assert PostgresSessionRepository(uow).get("s-1").version == 1
    finally:
        again.close()


def test_app_servers_starting_together_migrate_once(dsn: str, schema: str) -> None:
    opened: list[PostgresDatabase] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            opened.append(PostgresDatabase(dsn, schema=schema))
        except BaseException as error:  # noqa: BLE001 -- reported below
            failures.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        assert [db.schema_version() for db in opened] == [len(MIGRATIONS)] * 4
    finally:
        for db in opened:
            db.close()


def test_bodies_are_jsonb_the_host_can_query(database: PostgresDatabase) -> None:
    with PostgresUnitOfWork(database) as uow:
        PostgresSessionRepository(uow).add(_session("s-1", zone="Asia/Kolkata"))
        uow.commit()
    row = (
        database.connection()
        .execute(
            "SELECT body -> 'f' ->> 'zone', version FROM aggregates WHERE id = 's-1'"
        )
        .fetchone()
    )
    assert row == ("Asia/Kolkata", 1)


def test_saving_a_missing_aggregate_is_stale_and_stores_nothing(
    database: PostgresDatabase,
) -> None:
    with PostgresUnitOfWork(database) as uow:
        repository = PostgresSessionRepository(uow)
        repository.add(_session("s-new"))
        repository.save(attrs.evolve(_session("s-ghost"), version=3))
        uow.collect([_event("s-new")])
        with pytest.raises(StaleVersionError) as raised:
            uow.commit()
    assert raised.value.details["actual"] is None
    with PostgresUnitOfWork(database) as uow, pytest.raises(NotFoundError):
        PostgresSessionRepository(uow).get("s-new")
    assert database.events() == []


def test_a_deadlock_victim_is_a_retryable_concurrency_error(
    database: PostgresDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    def deadlocked(*_: object) -> int:
        raise pg_errors.DeadlockDetected("deadlock detected")

    monkeypatch.setattr(PostgresUnitOfWork, "_outbox", staticmethod(deadlocked))
    with PostgresUnitOfWork(database) as uow:
        PostgresSessionRepository(uow).add(_session("s-1"))
        uow.collect([_event("s-1")])
        with pytest.raises(ConcurrencyError) as raised:
            uow.commit()
    assert raised.value.code == "concurrency"
    with PostgresUnitOfWork(database) as uow, pytest.raises(NotFoundError):
        PostgresSessionRepository(uow).get("s-1")


class _FailingPublisher:
    def publish(self, events: Sequence[DomainEvent]) -> None:
        raise ConnectionError("the bus is down")


def test_outbox_relay_delivers_at_least_once(database: PostgresDatabase) -> None:
    first, second = _event("s-1"), _event("s-2")
    # Committed, but the publisher failed right after: the events wait.
    with PostgresUnitOfWork(database, _FailingPublisher()) as uow:
        uow.collect([first])
        with pytest.raises(ConnectionError):
            uow.commit()
    # Committed without a publisher: waits for the relay.
    with PostgresUnitOfWork(database) as uow:
        uow.collect([second])
        uow.commit()
    assert database.events() == [first, second]
    with pytest.raises(ConnectionError):
        database.relay(_FailingPublisher())  # nothing is marked published
    publisher = InMemoryEventPublisher()
    assert database.relay(publisher, batch=1) == 1
    assert database.relay(publisher) == 1
    assert database.relay(publisher) == 0
    assert publisher.published == [first, second]


def test_published_events_are_not_relayed_again(
    database: PostgresDatabase, publisher: InMemoryEventPublisher
) -> None:
    with PostgresUnitOfWork(database, publisher) as uow:
        uow.collect([_event("s-1")])
        uow.commit()
    assert len(publisher.published) == 1
    assert database.relay(InMemoryEventPublisher()) == 0


def test_two_relays_never_take_the_same_event(
    dsn: str, schema: str, database: PostgresDatabase
) -> None:
    with PostgresUnitOfWork(database) as uow:
        uow.collect([_event(f"s-{i}") for i in range(3)])
        uow.commit()
    other = PostgresDatabase(dsn, schema=schema)
    taken: list[int] = []

    class _Nested:
        """While the first relay holds its batch, a second relay runs."""

        def publish(self, events: Sequence[DomainEvent]) -> None:
            taken.append(other.relay(InMemoryEventPublisher()))

    try:
        assert database.relay(_Nested(), batch=2) == 2
        assert taken == [1]  # only the row the first relay had not locked
        assert database.relay(InMemoryEventPublisher()) == 0
    finally:
        other.close()


def test_close_closes_every_thread_connection(database: PostgresDatabase) -> None:
    connections: list[psycopg.Connection[object]] = []
    thread = threading.Thread(target=lambda: connections.append(database.connection()))
    thread.start()
    thread.join()
    mine = database.connection()
    database.close()
    assert mine.closed
    assert connections[0].closed
    assert not database.connection().closed  # a new one on demand
