"""The fake gateway: idempotency keys, the three error kinds, payouts, webhooks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from booking_core.adapters.fake_gateway import FakePaymentGateway, FaultPlan
from booking_core.clock import ManualClock
from booking_core.errors import (
    GatewayDeclinedError,
    GatewayKeyReuseError,
    GatewayOutcomeUnknownError,
    GatewayRetryableError,
    InvalidWebhookError,
    NotFoundError,
    WeakWebhookSecretError,
)
from booking_core.money import Money
from booking_core.money.gateway import (
    PaymentStatus,
    PayoutStatus,
    RefundStatus,
    TransactionKind,
    reported_fee,
)
from booking_core.money.split import FeeSchedule, FeeSource, SplitPolicy, split_payment
from booking_core.money.webhooks import WebhookKind, WebhookVerifier
from booking_core.money.withdrawals import BankAccount
from booking_core.ports import PaymentGateway

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)
INR = Money.of("700.00", "INR")
SECRET = b"whsec_0123456789abcdef"
ACCOUNT = BankAccount(
    holder_name="Asha Rao", account_number="001234567890", ifsc="HDFC0001234"
)


def gateway(**faults: object) -> tuple[FakePaymentGateway, ManualClock]:
    clock = ManualClock(T0)
    fake = FakePaymentGateway(
        secret=SECRET,
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
    assert events == [
        "payment.authorized",
        "payment.captured",
        "refund.processed",
        "payment.failed",
    ]


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


# -- webhook trust, fees, refunds ------------------------------------------------


def test_weak_secret_refused_when_built() -> None:
    for secret in (b"", b"q", b"Q" * 15):
        with pytest.raises(WeakWebhookSecretError) as info:
            FakePaymentGateway(secret=secret, clock=lambda: T0)
        assert info.value.code == "payments.weak_webhook_secret"
        assert not secret or secret.decode() not in str(info.value)


def test_malformed_deliveries_are_refused_and_change_nothing() -> None:
    fake, _ = gateway()
    order = fake.create_order(amount=INR, receipt="b1", idempotency_key="k")
    fake.pay(order.id)
    body, signature = fake.take_webhooks()[0]
    before = (fake.fetch_order(order.id), fake.payouts(), fake.refunds())
    for bad_body, bad_signature in (
        (body.decode(), signature),
        (body, None),
        (body, signature + "0"),
        (body, "x" * 64),
    ):
        with pytest.raises(InvalidWebhookError) as info:
            fake.verify_webhook(bad_body, bad_signature)  # type: ignore[arg-type]
        assert info.value.code == "payments.invalid_webhook"
    assert (fake.fetch_order(order.id), fake.payouts(), fake.refunds()) == before
    assert fake.take_webhooks() == []
    assert fake.verify_webhook(body, signature)


def test_captured_payments_report_fee_and_tax() -> None:
    fake, _ = gateway()
    paid = fake.pay(fake.create_order(amount=INR, receipt="b", idempotency_key="a").id)
    assert (paid.fee, paid.tax) == (1652, 252)
    fee = reported_fee(paid, fake.minor_units("INR"))
    assert fee is not None
    split = split_payment(Money.of("700.00", "INR"), SplitPolicy(), fee)
    assert split.fee_source is FeeSource.REPORTED
    assert split.gateway_fee == Money.of("16.52", "INR")
    yen = fake.create_order(
        amount=Money.of("1500", "JPY"), receipt="y", idempotency_key="y"
    )
    paid_yen = fake.pay(yen.id)
    assert (paid_yen.fee, paid_yen.tax) == (3500, 500)  # 30 + 5 yen, in hundredths
    authorized = fake.pay(
        fake.create_order(amount=INR, receipt="c", idempotency_key="c").id,
        outcome=PaymentStatus.AUTHORIZED,
    )
    assert (authorized.fee, authorized.tax) == (None, None)
    captured = fake.capture_payment(authorized.id, amount=INR, idempotency_key="cap")
    assert (captured.fee, captured.tax) == (1652, 252)


def test_custom_or_no_fee_schedule() -> None:
    pricey = FakePaymentGateway(
        secret=SECRET,
        clock=lambda: T0,
        fee_schedule=FeeSchedule(percent=Decimal("0.03"), tax_rate=Decimal(0)),
    )
    order = pricey.create_order(amount=INR, receipt="b", idempotency_key="k")
    paid = pricey.pay(order.id)
    assert (paid.fee, paid.tax) == (2100, 0)
    silent = FakePaymentGateway(secret=SECRET, clock=lambda: T0, fee_schedule=None)
    order = silent.create_order(amount=INR, receipt="b", idempotency_key="k")
    paid = silent.pay(order.id)
    assert (paid.fee, paid.tax) == (None, None)
    assert reported_fee(paid, 2) is None
    split = split_payment(Money.of("700.00", "INR"), SplitPolicy(), None)
    assert split.fee_source is FeeSource.ESTIMATED


def test_refunds_are_fetched_and_announced() -> None:
    fake, _ = gateway()
    paid = fake.pay(fake.create_order(amount=INR, receipt="b", idempotency_key="a").id)
    fake.take_webhooks()
    refund = fake.refund(
        paid.id, amount=Money.of("100.00", "INR"), idempotency_key="refund/1"
    )
    assert fake.fetch_refund(refund.id) == refund
    assert refund.status is RefundStatus.PROCESSED
    with pytest.raises(NotFoundError):
        fake.fetch_refund("nope")
    [(body, signature)] = fake.take_webhooks()
    claim = WebhookVerifier(SECRET).claim(body, signature)
    assert (claim.kind, claim.object_id, claim.reference) == (
        WebhookKind.REFUND,
        refund.id,
        paid.id,
    )


def test_forged_webhooks() -> None:
    fake, _ = gateway()
    body, signature = fake.forge_webhook("payout.failed", "pout_x", "w1", "failed")
    assert fake.verify_webhook(body, signature)
    assert json.loads(body)["status"] == "failed"
    assert fake.take_webhooks() == []  # not queued
    body, signature = fake.forge_webhook(
        "payout.failed", "pout_x", "w1", "failed", secret=b"whsec_forger_0123456789"
    )
    assert not fake.verify_webhook(body, signature)
