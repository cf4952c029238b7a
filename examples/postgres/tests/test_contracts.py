"""The library's repository contract suites, run against PostgreSQL.

:class:`PostgresStore` gives every contract its fixtures (a fresh store per test
and this adapter's repositories), so running one more contract is one subclass::

    class TestPostgresBookings(PostgresStore, BookingRepositoryContract):
        \"\"\"Bookings on PostgreSQL.\"\"\"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from booking_core_postgres import (
    PostgresAttendeeRepository,
    PostgresBookingRepository,
    PostgresBookingSeriesRepository,
    PostgresCommandRecords,
    PostgresDatabase,
    PostgresSessionRepository,
    PostgresUnitOfWork,
)

from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.events import DomainEvent
from booking_core.testing.attendance_contract import AttendeeRepositoryContract
from booking_core.testing.booking_contract import (
    BookingQueriesContract,
    BookingRepositoryContract,
    IdempotencyRecordsContract,
)
from booking_core.testing.contracts import SessionRepositoryContract
from booking_core.testing.series_contract import BookingSeriesRepositoryContract


class PostgresStore:
    """The fixtures every contract asks for, on a fresh PostgreSQL schema."""

    @pytest.fixture
    def uow_factory(
        self, database: PostgresDatabase, publisher: InMemoryEventPublisher
    ) -> Callable[[], Any]:
        return lambda: PostgresUnitOfWork(database, publisher)

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published

    @pytest.fixture
    def sessions_of(self) -> Callable[[Any], Any]:
        return PostgresSessionRepository

    @pytest.fixture
    def series_of(self) -> Callable[[Any], Any]:
        return PostgresBookingSeriesRepository

    @pytest.fixture
    def bookings_of(self) -> Callable[[Any], Any]:
        return PostgresBookingRepository

    @pytest.fixture
    def records_of(self) -> Callable[[Any], Any]:
        return PostgresCommandRecords

    @pytest.fixture
    def attendees_of(self) -> Callable[[Any], Any]:
        return PostgresAttendeeRepository


class TestPostgresSessions(PostgresStore, SessionRepositoryContract):
    """Sessions on PostgreSQL."""


class TestPostgresBookings(PostgresStore, BookingRepositoryContract):
    """Bookings on PostgreSQL, including the last-seat race."""


class TestPostgresCommandRecords(PostgresStore, IdempotencyRecordsContract):
    """Idempotency records on PostgreSQL."""


class TestPostgresAttendees(PostgresStore, AttendeeRepositoryContract):
    """Attendees on PostgreSQL."""


class TestPostgresSeries(PostgresStore, BookingSeriesRepositoryContract):
    """Booking series on PostgreSQL."""


class TestPostgresBookingQueries(PostgresStore, BookingQueriesContract):
    """The 1:1 and monitor lookups on PostgreSQL."""
