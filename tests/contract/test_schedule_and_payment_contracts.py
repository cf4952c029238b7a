"""The schedule, calendar, payment, settlement and withdrawal kits, on every adapter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.events import DomainEvent
from booking_core.testing.payment_contract import (
    BookingPaymentRepositoryContract,
    SettlementDueRepositoryContract,
    WithdrawalRepositoryContract,
)
from booking_core.testing.schedule_contract import (
    StudentCalendarRepositoryContract,
    TeacherScheduleRepositoryContract,
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


class OnEveryStore:
    """The two fixtures every kit asks for, on the parametrized store."""

    @pytest.fixture
    def uow_factory(self, store_uow_factory: Callable[[], Any]) -> Callable[[], Any]:
        return store_uow_factory

    @pytest.fixture
    def published(self, publisher: InMemoryEventPublisher) -> list[DomainEvent]:
        return publisher.published


class TestTeacherSchedules(OnEveryStore, TeacherScheduleRepositoryContract):
    pass


class TestStudentCalendars(OnEveryStore, StudentCalendarRepositoryContract):
    pass


class TestBookingPayments(OnEveryStore, BookingPaymentRepositoryContract):
    pass


class TestSettlementDues(OnEveryStore, SettlementDueRepositoryContract):
    pass


class TestWithdrawals(OnEveryStore, WithdrawalRepositoryContract):
    pass
