"""check_order: what open_order refuses before the gateway is called."""

from __future__ import annotations

from datetime import datetime, timezone

import attrs
import pytest

from booking_core.errors import (
    CurrencyMismatchError,
    IdempotencyKeyReuseError,
    InvalidAmountError,
    OrderKeyReuseError,
)
from booking_core.money import Money
from booking_core.money.payments import BookingPayment, check_order

STARTS = datetime(2026, 3, 29, 18, tzinfo=timezone.utc)
PRICE = Money.of("700.00", "INR")
STORED = BookingPayment(id="b1", teacher_id="t1", amount=PRICE, starts_at=STARTS)


def _check(
    amount: object = PRICE,
    teacher_id: str = "t1",
    existing: BookingPayment | None = None,
    ledger_currency: str = "INR",
) -> BookingPayment | None:
    return check_order(
        booking_id="b1",
        teacher_id=teacher_id,
        amount=amount,  # type: ignore[arg-type]
        ledger_currency=ledger_currency,
        existing=existing,
    )


def test_a_new_order_or_the_same_order_again_is_accepted() -> None:
    assert _check() is None
    assert _check(existing=STORED) is STORED
    assert _check(existing=STORED, ledger_currency="inr") is STORED


@pytest.mark.parametrize(
    "amount",
    [Money.of("-700.00", "INR"), Money.of("0.00", "INR"), 700, None, "700.00"],
)
def test_non_positive_or_non_money_amounts_are_refused(amount: object) -> None:
    with pytest.raises(InvalidAmountError) as info:
        _check(amount=amount, existing=STORED)
    error = info.value
    assert error.code == "money.invalid_amount"
    assert error.details == {
        "field": "amount",
        "reason": "must be above zero: an order must ask for something",
        "value": amount,
    }
    assert "must be above zero" in str(error)
    assert (
        BookingPayment(id="b1", teacher_id="t1", amount=PRICE, starts_at=STARTS)
        == STORED
    )


def test_another_currency_than_the_ledgers_is_refused() -> None:
    usd = Money.of("700.00", "USD")
    with pytest.raises(CurrencyMismatchError) as info:
        _check(amount=usd)
    error = info.value
    assert error.code == "money.currency_mismatch"
    assert error.details["field"] == "amount"
    assert error.details["reason"] == "orders are taken in the ledger's currency INR"
    assert (error.details["expected"], error.details["value"]) == ("INR", usd)
    assert "700.00 USD" in str(error)
    assert "the INR ledger" in str(error)


@pytest.mark.parametrize(
    ("teacher_id", "amount", "differs"),
    [
        ("t2", PRICE, ("teacher_id",)),
        ("t1", Money.of("650.00", "INR"), ("amount",)),
        ("t2", Money.of("1.00", "INR"), ("teacher_id", "amount")),
    ],
)
def test_a_reused_booking_id_with_other_content_is_refused(
    teacher_id: str, amount: Money, differs: tuple[str, ...]
) -> None:
    before = attrs.evolve(STORED)
    with pytest.raises(OrderKeyReuseError) as info:
        _check(teacher_id=teacher_id, amount=amount, existing=STORED)
    error = info.value
    assert isinstance(error, IdempotencyKeyReuseError)
    assert error.code == "payments.idempotency_key_reused"
    assert error.details["key"] == "b1"
    assert error.details["fields"] == differs
    assert error.details["existing"] == "teacher 't1', 700.00 INR"
    assert error.details["requested"] == f"teacher {teacher_id!r}, {amount}"
    assert "booking 'b1' already has an order" in str(error)
    assert before == STORED


def test_a_reused_booking_id_in_another_currency_is_refused() -> None:
    stored_usd = attrs.evolve(STORED, amount=Money.of("700.00", "USD"))
    with pytest.raises(OrderKeyReuseError) as info:
        _check(existing=stored_usd)
    assert info.value.details["fields"] == ("currency",)
