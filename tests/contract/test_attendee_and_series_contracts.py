"""The attendee, booking series and processed-webhook contracts, on every adapter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.events import DomainEvent
from booking_core.testing.attendance_contract import AttendeeRepositoryContract
from booking_core.testing.series_contract import BookingSeriesRepositoryContract
from booking_core.testing.webhook_contract import ProcessedWebhookRepositoryContract


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


class TestAttendees(AttendeeRepositoryContract):
    @pytest.fixture
    def uow_factory(self, store_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return store_uow_factory

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published


class TestBookingSeries(BookingSeriesRepositoryContract):
    @pytest.fixture
    def uow_factory(self, store_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return store_uow_factory

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published


class TestProcessedWebhooks(ProcessedWebhookRepositoryContract):
    @pytest.fixture
    def uow_factory(self, store_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return store_uow_factory

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published
