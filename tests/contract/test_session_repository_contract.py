"""The session repository contract, run against both shipped adapters."""

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
from booking_core.testing.contracts import SessionRepositoryContract


@pytest.fixture
def publisher() -> InMemoryEventPublisher:
    return InMemoryEventPublisher()


class TestInMemorySessions(SessionRepositoryContract):
    @pytest.fixture
    def uow_factory(self, publisher: InMemoryEventPublisher) -> Callable[[], Any]:
        store = InMemoryStore()
        return lambda: InMemoryUnitOfWork(store, publisher)

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published


class TestSqliteSessions(SessionRepositoryContract):
    @pytest.fixture
    def uow_factory(
        self, tmp_path: Path, publisher: InMemoryEventPublisher
    ) -> Callable[[], Any]:
        database = SqliteDatabase(tmp_path / "sessions.sqlite3")
        return lambda: SqliteUnitOfWork(database, publisher)

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published
