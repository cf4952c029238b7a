"""The attendee, booking series and processed-webhook contracts, on both adapters."""

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
from booking_core.testing.attendance_contract import AttendeeRepositoryContract
from booking_core.testing.series_contract import BookingSeriesRepositoryContract
from booking_core.testing.webhook_contract import ProcessedWebhookRepositoryContract


@pytest.fixture
def publisher() -> InMemoryEventPublisher:
    return InMemoryEventPublisher()


@pytest.fixture
def store_published(publisher: InMemoryEventPublisher) -> list[DomainEvent]:
    return publisher.published


@pytest.fixture(params=["memory", "sqlite"])
def store_uow_factory(
    request: pytest.FixtureRequest, tmp_path: Path, publisher: InMemoryEventPublisher
) -> Callable[[], Any]:
    if request.param == "memory":
        store = InMemoryStore()
        return lambda: InMemoryUnitOfWork(store, publisher)
    database = SqliteDatabase(tmp_path / "store.sqlite3")
    return lambda: SqliteUnitOfWork(database, publisher)


class TestAttendees(AttendeeRepositoryContract):
    @pytest.fixture
    def uow_factory(self, store_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return store_uow_factory

    @pytest.fixture
    def published(self, store_published: list[DomainEvent]) -> list[DomainEvent]:
        return store_published


class TestBookingSeries(BookingSeriesRepositoryContract):
    @pytest.fixture
    def uow_factory(self, store_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return store_uow_factory

    @pytest.fixture
    def published(self, store_published: list[DomainEvent]) -> list[DomainEvent]:
        return store_published


class TestProcessedWebhooks(ProcessedWebhookRepositoryContract):
    @pytest.fixture
    def uow_factory(self, store_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return store_uow_factory

    @pytest.fixture
    def published(self, store_published: list[DomainEvent]) -> list[DomainEvent]:
        return store_published
