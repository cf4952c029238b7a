"""The library's booking and idempotency-record contracts, where it ships them.

They live in ``booking_core.testing.booking_contract``; with a booking_core
that does not have it yet, this module is skipped.
"""

from __future__ import annotations

import pytest

from test_contracts import DjangoStore

contract = pytest.importorskip("booking_core.testing.booking_contract")


class TestDjangoBookings(DjangoStore, contract.BookingRepositoryContract):  # type: ignore[misc,name-defined]
    pass


class TestDjangoCommandRecords(DjangoStore, contract.IdempotencyRecordsContract):  # type: ignore[misc,name-defined]
    pass
