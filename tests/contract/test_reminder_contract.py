"""The reminder store contract (claims and sessions by start) on every adapter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.events import DomainEvent
from booking_core.testing.reminder_contract import ReminderStoreContract


@pytest.fixture
def publisher() -> InMemoryEventPublisher:
    return InMemoryEventPublisher()


class TestReminderStore(ReminderStoreContract):
    @pytest.fixture(params=["memory", "sqlite", "postgres"])
    def uow_factory(
        self,
        request: pytest.FixtureRequest,
        make_uow_factory: Callable[[str, Any], Callable[[], Any]],
        publisher: InMemoryEventPublisher,
    ) -> Callable[[], Any]:
        return make_uow_factory(request.param, publisher)

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published
