"""The session repository contract, run against every shipped adapter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.events import DomainEvent
from booking_core.testing.contracts import SessionRepositoryContract


@pytest.fixture
def publisher() -> InMemoryEventPublisher:
    return InMemoryEventPublisher()


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
class TestSessions(SessionRepositoryContract):
    @pytest.fixture
    def uow_factory(
        self,
        backend: str,
        make_uow_factory: Callable[[str, Any], Callable[[], Any]],
        publisher: InMemoryEventPublisher,
    ) -> Callable[[], Any]:
        return make_uow_factory(backend, publisher)

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published
