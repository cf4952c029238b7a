"""The composition root: one clock, one Policies bundle, one retry budget."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import booking_core.bookings
from booking_core import ManualClock, Policies, bootstrap
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.errors import InvalidValueError
from booking_core.sessions import SessionPolicy

NOW = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)


def test_every_service_shares_the_clock_and_the_policies() -> None:
    store = InMemoryStore()
    clock = ManualClock(NOW)
    policies = Policies(session=SessionPolicy(), transaction_attempts=3)
    core = bootstrap(
        uow_factory=lambda: InMemoryUnitOfWork(store),
        clock=clock,
        gateway=FakePaymentGateway(secret=b"webhook-secret-0123", clock=clock.now),
        policies=policies,
        new_id=lambda: "fixed-id",
    )
    services = [core.sessions, core.bookings, core.one_on_one, core.attendance]
    assert all(s.policies is policies for s in [*services, core.payments])
    assert core.policies is policies
    assert core.clock is clock
    assert core.payments.currency == "INR"
    assert core.monitor.tick().now == NOW
    clock.advance(timedelta(hours=1))
    assert core.monitor.tick().now == NOW + timedelta(hours=1)


def test_without_a_gateway_payments_refuse_and_the_rest_works() -> None:
    store = InMemoryStore()
    core = bootstrap(
        uow_factory=lambda: InMemoryUnitOfWork(store), clock=ManualClock(NOW)
    )
    with pytest.raises(InvalidValueError) as refused:
        _ = core.payments
    assert refused.value.code == "input.invalid_value"
    assert refused.value.details["field"] == "gateway"
    assert core.payment_service is None
    assert core.monitor.tick().total == 0


@pytest.mark.parametrize("field", ["session", "split", "gateway_retry"])
def test_a_policy_of_the_wrong_class_is_refused(field: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        Policies(**{field: 3})  # type: ignore[arg-type]
    assert refused.value.details["field"] == field
    assert "must be a" in refused.value.details["reason"]


def test_series_horizon_must_be_positive() -> None:
    with pytest.raises(InvalidValueError) as refused:
        Policies(series_horizon=timedelta(0))
    assert refused.value.details["field"] == "series_horizon"


def test_a_package_face_refuses_unknown_names() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = booking_core.bookings.Nope
    assert "Booking" in dir(booking_core.bookings)
