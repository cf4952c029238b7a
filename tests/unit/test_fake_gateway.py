"""The fake gateway: idempotency keys, the three error kinds, payouts, webhooks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from booking_core.adapters.fake_gateway import FakePaymentGateway, FaultPlan
from booking_core.clock import ManualClock
from booking_core.errors import (
    GatewayDeclinedError,
    GatewayKeyReuseError,
    GatewayOutcomeUnknownError,
    GatewayRetryableError,
    NotFoundError,
)
from booking_core.money import Money
from booking_core.money.gateway import PaymentStatus, PayoutStatus, TransactionKind
from booking_core.money.withdrawals import BankAccount
from booking_core.ports import PaymentGateway

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)
INR = Money.of("700.00", "INR")
ACCOUNT = BankAccount(
    holder_name="Asha Rao", account_number="001234567890", ifsc="HDFC0001234"
)


def gateway(**faults: object) -> tuple[FakePaymentGateway, ManualClock]:
    clock = ManualClock(T0)
    fake = FakePaymentGateway(
        secret=b"s",
        clock=clock.now,
        seed=3,
        faults=FaultPlan(**faults),  # type: ignore[arg-type]
        minor_units={"JPY": 2},
    )
    return fake, clock


def test_is_a_payment_gateway() -> None:
    fake: PaymentGateway = gateway()[0]
    assert fake.minor_units("INR") == 2
    assert fake.minor_units("jpy") == 2
    assert fake.minor_units("KWD") == 3


def test_idempotency_keys() -> None:
    fake, _ = gateway()
    order = fake.create_order(amount=INR, receipt="b1", idempotency_key="k")
    assert fake.create_order(amount=INR, receipt="b1", idempotency_key="k") == order
    with pytest.raises(GatewayKeyReuseError) as info:
        fake.create_order(amount=INR, receipt="b2", idempotency_key="k")
    assert not info.value.retryable
    yen = fake.create_order(
        amount=Money.of("1500", "JPY"), receipt="b3", idempotency_key="k2"
    )
    assert yen.amount == 150000


def test_unknown_ids_are_not_found() -> None:
    fake, _ = gateway()
    for fetch in (fake.fetch_order, fake.fetch_payment, fake.fetch_payout):
        with pytest.raises(NotFoundError):
            fetch("nope")
    with pytest.raises(NotFoundError):
        fake.pay("nope")


def test_fault_kinds() -> None:
    fake, _ = gateway(fail_before=1.0)
    with pytest.raises(GatewayRetryableError):
        fake.create_order(amount=INR, receipt="b1", idempotency_key="k")
    fake.faults = FaultPlan(timeout_after=1.0)
    with pytest.raises(GatewayOutcomeUnknownError):
        fake.create_order(amount=INR, receipt="b1", idempotency_key="k")
    fake.faults = FaultPlan()
    order = fake.create_order(amount=INR, receipt="b1", idempotency_key="k")
    assert order.id == "order_0000001"  # applied once, by the call that timed out
    assert fake.injected == {"fail_before": 1, "timeout_after": 1}


def test_payments_capture_refund_and_transfer() -> None:
    fake, clock = gateway()
    order = fake.create_order(amount=INR, receipt="b1", idempotency_key="o")
    authorized = fake.pay(order.id, outcome=PaymentStatus.AUTHORIZED)
    assert fake.pay(order.id) == authorized
    assert fake.fetch_order(order.id).payment_id == authorized.id
    with pytest.raises(GatewayDeclinedError):
        fake.refund(authorized.id, amount=INR, idempotency_key="r0")
    with pytest.raises(GatewayDeclinedError):
        fake.capture_payment(
            authorized.id, amount=Money.of("1", "INR"), idempotency_key="c0"
        )
    with pytest.raises(GatewayDeclinedError):
        fake.capture_payment("nope", amount=INR, idempotency_key="c1")
    captured = fake.capture_payment(authorized.id, amount=INR, idempotency_key="c")
    assert captured.status is PaymentStatus.CAPTURED
    again = fake.capture_payment(authorized.id, amount=INR, idempotency_key="c2")
    assert again == captured
    part = Money.of("300.00", "INR")
    refund = fake.refund(captured.id, amount=part, idempotency_key="r1")
    assert fake.refund(captured.id, amount=part, idempotency_key="r1") == refund
    with pytest.raises(GatewayDeclinedError):
        fake.refund(captured.id, amount=INR, idempotency_key="r2")
    assert fake.fetch_payment(captured.id).refunded == 30000
    routed = fake.transfer(
        captured.id, account="acc_m1", amount=part, idempotency_key="t1"
    )
    assert routed.amount == 30000
    with pytest.raises(GatewayDeclinedError):
        fake.transfer(captured.id, account="acc_m1", amount=INR, idempotency_key="t2")
    with pytest.raises(GatewayDeclinedError):
        fake.transfer("nope", account="acc_m1", amount=part, idempotency_key="t3")
    failed_order = fake.create_order(amount=INR, receipt="b2", idempotency_key="o2")
    assert fake.pay(failed_order.id, outcome=PaymentStatus.FAILED).status is (
        PaymentStatus.FAILED
    )
    kinds = [t.kind for t in fake.transactions(start=T0, end=T0 + timedelta(1))]
    assert kinds == [TransactionKind.PAYMENT, TransactionKind.REFUND]
    clock.advance(timedelta(days=2))
    assert fake.transactions(start=T0 + timedelta(days=1), end=clock.now()) == []
    events = [json.loads(body)["event"] for body, _ in fake.take_webhooks()]
    assert events == ["payment.authorized", "payment.captured", "payment.failed"]


def _payout(fake: FakePaymentGateway, ref: str) -> str:
    return fake.create_payout(
        fund_account=ACCOUNT, amount=INR, reference=ref, idempotency_key=ref
    ).id


def test_payouts_move_on_fail_and_reverse() -> None:
    fake, _ = gateway(payout_reversal=1.0)
    paid = _payout(fake, "w1")
    assert fake.fetch_payout(paid).status is PayoutStatus.PENDING
    seen = []
    for _ in range(6):
        fake.advance_payouts()
        seen.append(fake.fetch_payout(paid).status)
    assert seen == [
        PayoutStatus.QUEUED,
        PayoutStatus.SCHEDULED,
        PayoutStatus.PROCESSING,
        PayoutStatus.PROCESSED,
        PayoutStatus.REVERSED,
        PayoutStatus.REVERSED,
    ]
    (txn,) = fake.transactions(start=T0, end=T0 + timedelta(1))
    assert (txn.kind, txn.status, txn.reference) == (
        TransactionKind.PAYOUT,
        "reversed",
        "w1",
    )
    fake.faults = FaultPlan(payout_failure=1.0)
    failed = _payout(fake, "w2")
    for _ in range(5):
        fake.advance_payouts()
    assert fake.fetch_payout(failed).status.voided
    fake.faults = FaultPlan()
    kept = _payout(fake, "w3")
    for _ in range(6):
        fake.advance_payouts()
    assert fake.fetch_payout(kept).status is PayoutStatus.PROCESSED
    assert [p.reference for p in fake.payouts()] == ["w1", "w2", "w3"]


def test_webhooks_are_signed_duplicated_and_reordered() -> None:
    fake, _ = gateway(duplicate_webhooks=1.0, reorder_webhooks=True)
    for n in range(3):
        order = fake.create_order(amount=INR, receipt=f"b{n}", idempotency_key=f"o{n}")
        fake.pay(order.id)
    delivered = fake.take_webhooks()
    assert len(delivered) == 6
    assert all(fake.verify_webhook(body, sig) for body, sig in delivered)
    assert not fake.verify_webhook(delivered[0][0] + b" ", delivered[0][1])
    assert fake.take_webhooks() == []
    assert fake.injected["duplicate_webhooks"] == 3
    assert fake.injected["reorder_webhooks"] == 1
