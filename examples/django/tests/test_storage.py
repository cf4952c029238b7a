"""What the contract kits cannot see: the kernel inside Django's transactions."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import attrs
import pytest
from booking_core import Actor, ManualClock
from booking_core.errors import ConcurrencyError, DuplicateIdError, StaleVersionError
from booking_core.events import DomainEvent
from booking_core.recurrence import RecurrenceRule
from booking_core.series import create_series
from booking_core.sessions import Session
from django.db import OperationalError, connection, transaction

from booking_store.models import Aggregate, IndexEntry, OutboxEvent
from booking_store.storage import (
    ConflictAbortError,
    DjangoDatabase,
    DjangoDialect,
    DjangoPostgresDialect,
    DjangoUnitOfWork,
    conflicts,
)
from classroom.services import database, unit_of_work
from conftest import schedule_group
from test_contracts import ListPublisher

pytestmark = pytest.mark.django_db(transaction=True)


def _load(session_id: str) -> Session:
    with unit_of_work() as uow:
        return uow.sessions.get(session_id)


def test_events_wait_for_the_hosts_outer_transaction(
    clock: ManualClock, signalled: list[DomainEvent]
) -> None:
    """Inside a host's ``atomic()``, events go out when the outer block commits."""
    with transaction.atomic():
        schedule_group("s-1", capacity=3)
        assert signalled == []
        assert not OutboxEvent.objects.filter(published=True).exists()
    assert [e.aggregate_id for e in signalled] == ["s-1"]
    # published, then marked published in the outbox
    assert list(OutboxEvent.objects.values_list("name", "published")) == [
        ("session.scheduled", True)
    ]


def test_events_dropped_when_the_hosts_outer_transaction_rolls_back(
    clock: ManualClock, signalled: list[DomainEvent]
) -> None:
    class AbortedError(Exception):
        pass

    def fail_after_scheduling() -> None:
        with transaction.atomic():
            schedule_group("s-1", capacity=3)
            raise AbortedError

    with pytest.raises(AbortedError):
        fail_after_scheduling()
    assert signalled == []
    assert not Aggregate.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_a_refused_commit_leaves_the_hosts_transaction_usable(
    clock: ManualClock,
) -> None:
    """A taken id rolls back the unit's savepoint, not the host's transaction."""
    schedule_group("s-1", capacity=3)
    copy = attrs.evolve(_load("s-1"), id="s-copy", version=0)
    first, second = unit_of_work(), unit_of_work()
    with first, second:
        first.sessions.add(copy)
        second.sessions.add(copy)
        first.commit()
        with transaction.atomic():
            schedule_group("s-2", capacity=3, days=11)
            with pytest.raises(DuplicateIdError):
                second.commit()
            schedule_group("s-3", capacity=3, days=12)
    assert sorted(
        Aggregate.objects.filter(collection="sessions").values_list("id", flat=True)
    ) == ["s-1", "s-2", "s-3", "s-copy"]


def test_stale_version_names_the_version_that_won(clock: ManualClock) -> None:
    schedule_group("s-1", capacity=3)
    mine, theirs = _load("s-1"), _load("s-1")
    with unit_of_work() as uow:
        uow.sessions.save(attrs.evolve(theirs, capacity=4))
        uow.commit()
    with unit_of_work() as uow:
        uow.sessions.save(attrs.evolve(mine, capacity=5))
        with pytest.raises(StaleVersionError) as raised:
            uow.commit()
    assert raised.value.code == "concurrency.stale_version"
    assert raised.value.details["actual"] == 2
    assert _load("s-1").capacity == 4


def test_the_orm_reads_what_the_kernel_wrote(clock: ManualClock) -> None:
    """Bodies are JSON the ORM can filter on; index entries are rows too."""
    schedule_group("s-1", capacity=3)
    row = Aggregate.objects.get(collection="sessions", id="s-1")
    assert (row.version, row.body["$type"]) == (1, "session")
    assert Aggregate.objects.filter(body__f__capacity=3).count() == 1
    scheduled = Aggregate.objects.filter(
        collection="sessions", body__f__status__v="scheduled"
    )
    assert [a.id for a in scheduled] == ["s-1"]
    assert IndexEntry.objects.filter(collection="sessions", id="s-1").exists()
    event = OutboxEvent.objects.get()
    assert event.occurred_at == clock.now()
    assert str(row) == "sessions/s-1 v1"


def test_the_relay_delivers_what_was_not_published(clock: ManualClock) -> None:
    """Without a publisher, events wait in the outbox until a relay runs."""
    store = database()
    with DjangoUnitOfWork(store) as uow:  # no publisher
        uow.sessions.add(attrs.evolve(_scheduled(clock), id="s-quiet"))
        uow.collect([_event("s-quiet", clock)])
        uow.commit()
    assert OutboxEvent.objects.filter(published=False).count() == 1
    received = ListPublisher()
    assert store.relay(received) == 1
    assert [e.aggregate_id for e in received.published] == ["s-quiet"]
    assert store.relay(received) == 0
    assert [e.aggregate_id for e in store.events()] == ["s-template", "s-quiet"]


def test_a_concurrent_abort_becomes_a_concurrency_error() -> None:
    """A serialization failure or deadlock (SQLSTATE 40001 / 40P01) is retried.

    Django raises both as ``OperationalError`` (like a lost connection); the
    SQLSTATE of the driver's error makes it the dialect's conflict error, which
    the kernel answers with ``ConcurrencyError`` after rolling back.
    """

    class SerializationFailureError(Exception):
        sqlstate = "40001"

    def fail(error: Exception) -> None:
        with conflicts():
            raise error

    store = DjangoDatabase()
    aborted = OperationalError("could not serialize")
    aborted.__cause__ = SerializationFailureError()
    with pytest.raises(ConcurrencyError) as raised, store.transaction():
        fail(aborted)
    assert raised.value.code == "concurrency"
    assert isinstance(raised.value.__cause__, ConflictAbortError)
    assert not connection.in_atomic_block  # rolled back and left
    with pytest.raises(OperationalError) as other, store.transaction():
        fail(OperationalError("disk I/O error"))
    assert not isinstance(other.value, ConflictAbortError)


def test_the_dialect_follows_the_backend() -> None:
    dialect = DjangoDatabase().dialect
    expected = {"sqlite": DjangoDialect, "postgresql": DjangoPostgresDialect}
    assert type(dialect) is expected[connection.vendor]
    assert dialect.sql("SELECT ?") == "SELECT %s"
    assert dialect.migrations == ()  # Django's migrations own the schema


def _scheduled(clock: ManualClock) -> Session:
    schedule_group("s-template", capacity=2)
    return attrs.evolve(_load("s-template"), version=0)


def _event(aggregate_id: str, clock: ManualClock) -> DomainEvent:
    return DomainEvent(
        occurred_at=clock.now(), actor=Actor.system(), aggregate_id=aggregate_id
    )


def test_migration_0002_indexes_the_items_of_stored_series() -> None:
    """Series saved without per-item entries are found by booking once it ran."""
    step = importlib.import_module("booking_store.migrations.0002_series_booking_index")
    series = create_series(
        id="series-old",
        teacher_id="teacher-1",
        student_id="student-1",
        rule=RecurrenceRule.parse("FREQ=WEEKLY;COUNT=3"),
        start=datetime(2026, 3, 23, 18, tzinfo=timezone.utc),
        zone="Europe/London",
        duration=timedelta(hours=1),
        until=datetime(2026, 5, 1, tzinfo=timezone.utc),
        existing=[],
        actor=Actor.system(),
        now=datetime(2026, 3, 20, tzinfo=timezone.utc),
    ).state
    with unit_of_work() as uow:
        uow.series.add(series)
        uow.commit()
    booking_ids = [item.booking_id for item in series.items]
    IndexEntry.objects.filter(collection="booking_series", name="booking").delete()
    with unit_of_work() as uow:
        assert [uow.series.of_booking(b) for b in booking_ids] == [None] * 3
    step.index_series_items(None, SimpleNamespace(connection=connection))
    with unit_of_work() as uow:
        found = [uow.series.of_booking(b) for b in booking_ids]
        assert [s.id if s is not None else None for s in found] == ["series-old"] * 3
        assert uow.series.of_booking("booking-from-a-slot") is None
    assert IndexEntry.objects.filter(
        collection="booking_series", id="series-old", name="teacher"
    ).exists()
