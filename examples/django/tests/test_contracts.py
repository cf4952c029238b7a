"""booking_core's contract kit, run against the ORM repositories.

:class:`DjangoStore` provides every fixture the library's contract suites ask
for, so proving another port is a three-line subclass, e.g. once
``booking_core.testing.booking_contract`` is available::

    class TestDjangoBookings(DjangoStore, BookingRepositoryContract):
        pass
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from booking_core.events import DomainEvent
from booking_core.testing.contracts import SessionRepositoryContract

from seats.storage import (
    DjangoBookingRepository,
    DjangoIdempotencyRecords,
    DjangoSessionRepository,
    DjangoUnitOfWork,
)


class _ListPublisher:
    def __init__(self) -> None:
        self.published: list[DomainEvent] = []

    def publish(self, events: Any) -> None:
        self.published.extend(events)


# Real commits (transaction=True): the contracts run threads, each with its own
# connection, and check what other units of work see after commit.
@pytest.mark.django_db(transaction=True)
class DjangoStore:
    """The fixtures of every ``booking_core.testing`` contract, on the ORM."""

    @pytest.fixture
    def publisher(self) -> _ListPublisher:
        return _ListPublisher()

    @pytest.fixture
    def uow_factory(self, publisher: _ListPublisher) -> Callable[[], DjangoUnitOfWork]:
        return lambda: DjangoUnitOfWork(publisher)

    @pytest.fixture
    def published(self, publisher: _ListPublisher) -> list[DomainEvent]:
        return publisher.published

    @pytest.fixture
    def sessions_of(self) -> type[DjangoSessionRepository]:
        return DjangoSessionRepository

    @pytest.fixture
    def bookings_of(self) -> type[DjangoBookingRepository]:
        return DjangoBookingRepository

    @pytest.fixture
    def records_of(self) -> type[DjangoIdempotencyRecords]:
        return DjangoIdempotencyRecords


class TestDjangoSessions(DjangoStore, SessionRepositoryContract):
    pass
