"""Money values stored and loaded again: equal, and the shipped currency instance."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from booking_core.adapters import codec
from booking_core.money import Money
from booking_core.money.currency import Currency, get_currency
from booking_core.money.ledger import LedgerAccount, LedgerEntry, Transfer
from booking_core.money.payments import BookingPayment, PendingRefund
from booking_core.money.withdrawals import BankAccount, Withdrawal

# Kolkata 05:00 (no DST) on the night London's clocks go back.
T0 = datetime(2026, 10, 24, 23, 30, tzinfo=timezone.utc)


def test_stored_money_values_round_trip_with_the_shipped_currency() -> None:
    price = Money.of("700.00", "INR")
    values = [
        BookingPayment(
            id="b1",
            teacher_id="m1",
            amount=price,
            starts_at=T0 + timedelta(days=1),
            order_id="o1",
            pending_refund=PendingRefund(key="refund/p/1", amount=price),
        ),
        Withdrawal(
            id="w1",
            teacher_id="m1",
            amount=Money.of("100", "JPY"),
            bank_account=BankAccount(
                holder_name="Asha Rao",
                account_number="001234567890",
                ifsc="HDFC0001234",
            ),
            requested_at=T0,
        ),
        LedgerEntry(
            id="INR/k",
            transfer=Transfer(
                key="k",
                debit="payments",
                credit="escrow:m1",
                amount=1,
                currency="INR",
                kind="capture_teacher",
                at=T0,
            ),
            debit_seq=1,
            credit_seq=1,
        ),
        LedgerAccount(id="INR/payments", currency="INR", account="payments"),
    ]
    for value in values:
        loaded = codec.loads(codec.dumps(value))
        assert loaded == value
    loaded_price = codec.loads(codec.dumps(price))
    assert loaded_price.currency is get_currency("INR")
    assert loaded_price + price == Money.of("1400.00", "INR")


def test_a_currency_that_is_not_a_shipped_copy_is_kept_as_given() -> None:
    other = Currency(code="INR", numeric=356, minor_unit=3, name="Rupee")
    invented = Currency(code="XQZ", numeric=999, minor_unit=0, name="Test")
    assert get_currency(other) is other
    assert get_currency(invented) is invented
    copy = Currency(code="INR", numeric=356, minor_unit=2, name="Indian Rupee")
    assert get_currency(copy) is get_currency("INR")
