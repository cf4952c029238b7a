"""The payment service: each path of the flow, faults, pending work, compensation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest

from booking_core.actors import Role
from booking_core.adapters.fake_gateway import FakePaymentGateway, FaultPlan
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.attendance.outcome import OUTCOME_SETTLEMENTS, SessionOutcome
from booking_core.clock import ManualClock
from booking_core.errors import (
    GatewayDeclinedError,
    GatewayKeyReuseError,
    InsufficientFundsError,
    InvalidTransitionError,
    InvalidValueError,
    InvalidWebhookError,
    NotFoundError,
)
from booking_core.money import CancellationPolicy, CancellationReason, Money
from booking_core.money.gateway import (
    PaymentStatus,
    PayoutStatus,
    RetryPolicy,
    sign_webhook,
)
from booking_core.money.refunds import RefundTier
from booking_core.money.withdrawals import BankAccount, WithdrawalStatus
from booking_core.policies import Policies
from booking_core.services.payments import PaymentService

T0 = datetime(
    2026, 10, 24, 23, 30, tzinfo=timezone.utc
)  # Kolkata 05:00, London fold eve
PRICE = Money.of("700.00", "INR")
SECRET = b"webhook-secret-0123"
ACCOUNT = BankAccount(
    holder_name="Asha Rao", account_number="001234567890", ifsc="HDFC0001234"
)


class Setup:
    def __init__(self, **faults: object) -> None:
        self.clock = ManualClock(T0)
        self.gateway = FakePaymentGateway(
            secret=SECRET,
            clock=self.clock.now,
            faults=FaultPlan(**faults),  # type: ignore[arg-type]
        )
        self.store = InMemoryStore()
        self.slept: list[float] = []
        self.service = self.make(
            CancellationPolicy(
                student_tiers=(RefundTier(hours_before=24, share=Decimal("0.5")),)
            )
        )
        self.journal = self.service.journal

    def make(self, cancellation_policy: CancellationPolicy) -> PaymentService:
        return PaymentService(
            gateway=self.gateway,
            uow_factory=lambda: InMemoryUnitOfWork(self.store),
            clock=self.clock,
            policies=Policies(
                cancellation=cancellation_policy,
                gateway_retry=RetryPolicy(attempts=3),
            ),
            currency="INR",
            sleep=self.slept.append,
        )

    def order(self, booking: str = "b1") -> str:
        record = self.service.open_order(
            booking_id=booking,
            teacher_id="m1",
            amount=PRICE,
            starts_at=T0 + timedelta(hours=30),
        )
        assert record.order_id is not None
        return record.order_id

    def deliver(self) -> None:
        for body, signature in self.gateway.take_webhooks():
            self.service.handle_webhook(body, signature)

    def paid(self, booking: str = "b1") -> None:
        self.gateway.pay(self.order(booking))
        self.deliver()

    def earn(self, bookings: int = 3) -> None:
        for n in range(bookings):
            self.paid(f"e{n}")
            self.service.complete(f"e{n}")


def test_retry_policy() -> None:
    assert RetryPolicy(attempts=6, first_delay=timedelta(seconds=1)).delays() == (
        1.0,
        2.0,
        4.0,
        5.0,
        5.0,
    )
    assert RetryPolicy(attempts=1).delays() == ()
    with pytest.raises(InvalidValueError):
        RetryPolicy(first_delay=timedelta(seconds=-1))
    with pytest.raises(InvalidValueError):
        RetryPolicy(max_delay=3)


def test_capture_by_webhook_is_idempotent_and_release() -> None:
    s = Setup()
    s.gateway.pay(s.order())
    hooks = s.gateway.take_webhooks()
    for body, signature in hooks * 3:
        s.service.handle_webhook(body, signature)
    assert s.journal.balance("escrow:m1") == 61348
    assert (
        s.service.open_order(
            booking_id="b1", teacher_id="m1", amount=PRICE, starts_at=T0
        ).payment
        is not None
    )
    record = s.service.complete("b1")
    assert record.closed
    assert s.journal.balance("wallet:m1") == 61348
    with pytest.raises(InvalidTransitionError):
        s.service.complete("b1")
    with pytest.raises(InvalidTransitionError):
        s.service.refund("b1", by=Role.TEACHER, reason=CancellationReason.NO_SHOW)


def test_webhooks_refused_or_ignored() -> None:
    s = Setup()
    with pytest.raises(InvalidWebhookError):
        s.service.handle_webhook(b"{}", "00" * 32)
    for event, reference in (
        ("payment.captured", "order_unknown"),
        ("payout.processed", "w_unknown"),
        ("refund.processed", "x"),
    ):
        body = (
            f'{{"id": "e", "event": "{event}", "entity": "x", '
            f'"reference": "{reference}", "status": "processed"}}'
        ).encode()
        with pytest.raises(InvalidWebhookError, match="the gateway knows no"):
            s.service.handle_webhook(body, sign_webhook(SECRET, body))
    assert s.journal.balances() == {}
    s.earn(1)
    s.service.withdraw(
        withdrawal_id="w1",
        teacher_id="m1",
        amount=Money.of("100.00", "INR"),
        bank_account=ACCOUNT,
    )
    body = (
        b'{"id": "e", "event": "payout.processed", "entity": "x", '
        b'"reference": "w1", "status": "teleported"}'
    )
    before = s.service.withdrawal("w1")
    with pytest.raises(InvalidWebhookError):
        s.service.handle_webhook(body, sign_webhook(SECRET, body))
    assert s.service.withdrawal("w1") == before


def test_capture_by_polling_authorized_and_failed_payments() -> None:
    s = Setup()
    with pytest.raises(NotFoundError):
        s.service.poll("nope")
    order = s.order()
    assert s.service.poll("b1").payment is None  # not paid yet
    s.gateway.pay(order, outcome=PaymentStatus.AUTHORIZED)
    s.gateway.faults = FaultPlan(fail_before=1.0)
    assert s.service.poll("b1").payment is None  # capture keeps failing
    assert s.slept == [0.2, 0.4]
    s.gateway.faults = FaultPlan()
    assert s.service.poll("b1").payment is not None
    assert s.service.poll("b1").payment is not None
    failed = s.order("b2")
    s.gateway.pay(failed, outcome=PaymentStatus.FAILED)
    assert s.service.poll("b2").payment is None


def test_order_pending_then_resumed_or_refused() -> None:
    s = Setup(fail_before=1.0)
    record = s.service.open_order(
        booking_id="b1", teacher_id="m1", amount=PRICE, starts_at=T0
    )
    assert record.order_id is None
    assert [p.kind for p in s.service.pending()] == ["order"]
    assert s.service.poll("b1").order_id is None
    s.gateway.faults = FaultPlan()
    assert s.service.resume() == ()
    assert s.service.booking("b1").order_id is not None
    # A definitive refusal leaves nothing behind.
    s.gateway.create_order(amount=PRICE, receipt="other", idempotency_key="order/b2")
    with pytest.raises(GatewayKeyReuseError):
        s.service.open_order(
            booking_id="b2", teacher_id="m1", amount=PRICE, starts_at=T0
        )
    with pytest.raises(NotFoundError):
        s.service.booking("b2")


@pytest.mark.parametrize(
    ("by", "reason", "refunded"),
    [
        (Role.TEACHER, CancellationReason.NO_SHOW, 70000),
        (Role.TEACHER, CancellationReason.CANCELLED, 70000),
        (Role.ADMIN, CancellationReason.CANCELLED, 70000),
        (Role.STUDENT, CancellationReason.CANCELLED, 35000),  # 30 h notice: half
        (Role.STUDENT, CancellationReason.NO_SHOW, 0),
    ],
)
def test_refunds_follow_the_cancellation_policy(
    by: Role, reason: CancellationReason, refunded: int
) -> None:
    s = Setup()
    s.paid()
    record = s.service.refund("b1", by=by, reason=reason)
    assert record.closed
    assert record.pending_refund is None
    assert s.journal.balance("refunds") == refunded
    assert s.gateway.fetch_payment(record.payment.id).refunded == refunded  # type: ignore[union-attr]
    with pytest.raises(InvalidTransitionError):
        s.service.refund("b1", by=by, reason=reason)
    with pytest.raises(InvalidTransitionError):
        s.service.complete("b1")


def test_refund_pending_then_resumed() -> None:
    s = Setup()
    s.paid()
    s.gateway.faults = FaultPlan(timeout_after=1.0)  # applies, answer lost
    record = s.service.refund("b1", by=Role.TEACHER, reason=CancellationReason.NO_SHOW)
    assert record.pending_refund is not None
    assert s.journal.balance("refunds") == 0
    (pending,) = s.service.pending()
    assert pending.kind == "refund"
    assert "700.00 INR" in pending.remaining
    assert s.service.resume() != ()  # still timing out
    s.gateway.faults = FaultPlan()
    assert s.service.resume() == ()
    assert s.journal.balance("refunds") == 70000
    assert len(s.gateway.refunds()) == 1  # the same key: refunded once


def test_refund_refused_by_the_gateway_is_dropped() -> None:
    s = Setup()
    s.paid()
    payment_id = s.service.booking("b1").payment.id  # type: ignore[union-attr]
    s.gateway.refund(payment_id, amount=PRICE, idempotency_key="elsewhere")
    before = s.service.booking("b1")
    with pytest.raises(GatewayDeclinedError):
        s.service.refund("b1", by=Role.TEACHER, reason=CancellationReason.NO_SHOW)
    after = s.service.booking("b1")
    assert attrs.evolve(after, version=before.version) == before  # as it was
    assert not after.closed
    assert s.journal.balance("refunds") == 0
    # ... also when it was pending and resume meets the refusal.
    s.paid("b2")
    s.gateway.faults = FaultPlan(fail_before=1.0)
    s.service.refund("b2", by=Role.ADMIN, reason=CancellationReason.CANCELLED)
    s.gateway.faults = FaultPlan()
    payment_id = s.service.booking("b2").payment.id  # type: ignore[union-attr]
    s.gateway.refund(payment_id, amount=PRICE, idempotency_key="elsewhere2")
    (compensated,) = s.service.resume()
    assert (compensated.kind, compensated.target) == ("refund", "b2")
    assert compensated.remaining == "nothing: compensated"
    assert compensated.error == "gateway.declined"
    assert s.service.resume() == ()
    assert s.journal.balance("refunds") == 0
    assert not s.service.booking("b2").closed  # free to be settled again


def test_withdrawal_paid_by_webhook_and_repeat_requests() -> None:
    s = Setup()
    s.earn()
    amount = Money.of("1000.00", "INR")
    withdrawal = s.service.withdraw(
        withdrawal_id="w1", teacher_id="m1", amount=amount, bank_account=ACCOUNT
    )
    assert withdrawal.payout_status is PayoutStatus.PENDING
    assert (
        s.service.withdraw(
            withdrawal_id="w1", teacher_id="m1", amount=amount, bank_account=ACCOUNT
        )
        == withdrawal
    )
    assert s.journal.balance("held:m1") == 100000
    for _ in range(4):
        s.gateway.advance_payouts()
    s.deliver()
    assert s.service.withdrawal("w1").status is WithdrawalStatus.PAID
    assert s.journal.balance("held:m1") == 0
    assert s.journal.balance("payouts") == 100000
    assert s.service.withdrawals() == (s.service.withdrawal("w1"),)
    with pytest.raises(NotFoundError):
        s.service.withdrawal("nope")
    with pytest.raises(InsufficientFundsError):
        s.service.withdraw(
            withdrawal_id="w2",
            teacher_id="m1",
            amount=Money.of("5000.00", "INR"),
            bank_account=ACCOUNT,
        )
    with pytest.raises(NotFoundError):
        s.service.withdrawal("w2")


def test_withdrawal_payout_pending_then_polled() -> None:
    s = Setup()
    s.earn()
    s.gateway.faults = FaultPlan(fail_before=1.0)
    s.service.withdraw(
        withdrawal_id="w1",
        teacher_id="m1",
        amount=Money.of("1000.00", "INR"),
        bank_account=ACCOUNT,
    )
    (pending,) = s.service.pending()
    assert (pending.kind, pending.remaining) == ("payout", "create the payout")
    s.gateway.faults = FaultPlan()
    (pending,) = s.service.resume()
    assert pending.remaining.startswith("settle payout pout_")
    for _ in range(4):
        s.gateway.advance_payouts()
    s.gateway.take_webhooks()  # lost: polling settles it
    assert s.service.resume() == ()
    assert s.service.withdrawal("w1").status is WithdrawalStatus.PAID
    assert len(s.gateway.payouts()) == 1


def test_withdrawal_refused_by_the_gateway_returns_the_hold() -> None:
    s = Setup()
    s.earn()
    s.gateway.create_payout(
        fund_account=ACCOUNT,
        amount=Money.of("100.00", "INR"),
        reference="x",
        idempotency_key="payout/w1",
    )
    withdrawal = s.service.withdraw(
        withdrawal_id="w1",
        teacher_id="m1",
        amount=Money.of("1000.00", "INR"),
        bank_account=ACCOUNT,
    )
    assert withdrawal.status is WithdrawalStatus.VOIDED
    assert s.journal.balance("held:m1") == 0
    assert s.journal.balance("wallet:m1") == 3 * 61348


def test_reconcile_reports_clean_books() -> None:
    s = Setup()
    s.paid("b1")
    s.paid("b2")
    s.service.refund("b2", by=Role.TEACHER, reason=CancellationReason.NO_SHOW)
    report = s.service.reconcile(start=T0, end=T0 + timedelta(days=1))
    assert report.clean
    assert len(report.matched) == 3


class TestSettleByOutcome:
    """The attendance outcome decides: release, full refund, or refuse a split."""

    def test_held_releases_escrow(self) -> None:
        setup = Setup()
        setup.paid()
        record = setup.service.settle("b1", OUTCOME_SETTLEMENTS[SessionOutcome.HELD])
        assert record.closed
        assert setup.journal.balance("wallet:m1") > 0
        assert setup.journal.balance("escrow:m1") == 0

    @pytest.mark.parametrize(
        "outcome",
        [
            SessionOutcome.TEACHER_NO_SHOW,
            SessionOutcome.ENDED_EARLY,
            SessionOutcome.NOBODY_SHOWED,
        ],
    )
    def test_teacher_not_paid_refunds_in_full(self, outcome: SessionOutcome) -> None:
        setup = Setup()
        setup.paid()
        record = setup.service.settle("b1", OUTCOME_SETTLEMENTS[outcome])
        assert record.payment is not None
        assert record.payment.refunded == PRICE
        assert setup.journal.balance("escrow:m1") == 0
        assert setup.journal.balance("wallet:m1") == 0

    def test_student_no_show_pays_the_teacher(self) -> None:
        setup = Setup()
        setup.paid()
        setup.service.settle("b1", OUTCOME_SETTLEMENTS[SessionOutcome.STUDENT_NO_SHOW])
        assert setup.journal.balance("wallet:m1") > 0

    def test_split_settlement_refunds_and_releases_in_one_operation(self) -> None:
        setup = Setup()
        setup.service = setup.make(
            CancellationPolicy(student_no_show_share=Decimal("0.5"))
        )
        setup.paid()
        record = setup.service.settle(
            "b1", OUTCOME_SETTLEMENTS[SessionOutcome.STUDENT_NO_SHOW]
        )
        assert record.closed
        assert record.payment is not None
        assert record.payment.released
        assert setup.journal.balance("refunds") == 35000
        assert setup.journal.balance("escrow:m1") == 0
        assert setup.journal.balance("wallet:m1") > 0
