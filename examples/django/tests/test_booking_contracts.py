"""The library's booking and idempotency-record contracts, on the ORM repositories."""

from __future__ import annotations

from booking_core.testing.booking_contract import (
    BookingRepositoryContract,
    IdempotencyRecordsContract,
)

from test_contracts import DjangoStore


class TestDjangoBookings(DjangoStore, BookingRepositoryContract):
    """Bookings on the Django ORM, including the last-seat race."""


class TestDjangoCommandRecords(DjangoStore, IdempotencyRecordsContract):
    """Idempotency records on the Django ORM."""
