"""The booking repository and command-record contracts, against every adapter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.events import DomainEvent
from booking_core.testing.booking_contract import (
    BookingQueriesContract,
    BookingRepositoryContract,
    IdempotencyRecordsContract,
)


@pytest.fixture
def publisher() -> InMemoryEventPublisher:
    return InMemoryEventPublisher()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_uow_factory(
    request: pytest.FixtureRequest,
    make_uow_factory: Callable[[str, Any], Callable[[], Any]],
    publisher: InMemoryEventPublisher,
) -> Callable[[], Any]:
    return make_uow_factory(request.param, publisher)


class TestBookings(BookingRepositoryContract):
    @pytest.fixture
    def uow_factory(self, store_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return store_uow_factory

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published


class TestCommandRecords(IdempotencyRecordsContract):
    @pytest.fixture
    def uow_factory(self, store_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return store_uow_factory


class TestBookingQueries(BookingQueriesContract):
    @pytest.fixture
    def uow_factory(self, store_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return store_uow_factory
