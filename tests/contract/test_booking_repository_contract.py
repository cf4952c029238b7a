"""The booking repository and command-record contracts, against both adapters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from booking_core.adapters.memory import (
    InMemoryEventPublisher,
    InMemoryStore,
    InMemoryUnitOfWork,
)
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.events import DomainEvent
from booking_core.testing.booking_contract import (
    BookingQueriesContract,
    BookingRepositoryContract,
    IdempotencyRecordsContract,
)


@pytest.fixture
def publisher() -> InMemoryEventPublisher:
    return InMemoryEventPublisher()


@pytest.fixture
def memory_uow_factory(publisher: InMemoryEventPublisher) -> Callable[[], Any]:
    store = InMemoryStore()
    return lambda: InMemoryUnitOfWork(store, publisher)


@pytest.fixture
def sqlite_uow_factory(
    tmp_path: Path, publisher: InMemoryEventPublisher
) -> Callable[[], Any]:
    database = SqliteDatabase(tmp_path / "bookings.sqlite3")
    return lambda: SqliteUnitOfWork(database, publisher)


class TestInMemoryBookings(BookingRepositoryContract):
    @pytest.fixture
    def uow_factory(self, memory_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return memory_uow_factory

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published


class TestSqliteBookings(BookingRepositoryContract):
    @pytest.fixture
    def uow_factory(self, sqlite_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return sqlite_uow_factory

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published


class TestInMemoryCommandRecords(IdempotencyRecordsContract):
    @pytest.fixture
    def uow_factory(self, memory_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return memory_uow_factory


class TestSqliteCommandRecords(IdempotencyRecordsContract):
    @pytest.fixture
    def uow_factory(self, sqlite_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return sqlite_uow_factory


@pytest.mark.parametrize("adapter", ["memory", "sqlite"])
class TestBookingQueries(BookingQueriesContract):
    @pytest.fixture
    def uow_factory(
        self,
        adapter: str,
        memory_uow_factory: Callable[[], Any],
        sqlite_uow_factory: Callable[[], Any],
    ) -> Callable[[], Any]:
        return memory_uow_factory if adapter == "memory" else sqlite_uow_factory
