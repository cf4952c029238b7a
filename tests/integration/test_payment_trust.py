"""Issue 18: one test per bullet of "What to build", each refusal changing nothing.

* ledger before gateway (receivable or platform loss; a death between the two);
* resume isolates each pending item;
* refusals change nothing (gateway ones too); partial and zero refunds release
  the remainder; release and refund compose in either order;
* open_order refuses what could never settle, before the gateway;
* webhooks: weak secrets refused at build, state re-fetched, de-duplicated,
  malformed deliveries coded;
* the reported fee and tax reach the split.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest

from booking_core.actors import Role
from booking_core.adapters.fake_gateway import FakePaymentGateway, FaultPlan
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.attendance.outcome import OutcomeSettlement
from booking_core.clock import ManualClock
from booking_core.errors import (
    CurrencyMismatchError,
    GatewayDeclinedError,
    GatewayRetryableError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTransitionError,
    InvalidWebhookError,
    NotFoundError,
    OrderKeyReuseError,
    PolicyViolationError,
    RefundExceedsCaptureError,
    WeakWebhookSecretError,
)
from booking_core.money import CancellationPolicy, CancellationReason, Money
from booking_core.money.gateway import PayoutStatus, RefundStatus, RetryPolicy
from booking_core.money.losses import UncoveredLoss
from booking_core.money.refunds import RefundPolicy, RefundTier
from booking_core.money.split import FeeBearer, FeeSource
from booking_core.money.withdrawals import BankAccount
from booking_core.policies import Policies
from booking_core.services.app import bootstrap
from booking_core.services.monitor import Monitor, TickStep
from booking_core.services.payments import PaymentService

T0 = datetime(2026, 3, 29, 9, tzinfo=timezone.utc)
PRICE = Money.of("700.00", "INR")
SECRET = b"whsec_0123456789abcdef"
ACCOUNT = BankAccount(
    holder_name="Asha Rao", account_number="001234567890", ifsc="HDFC0001234"
)
TIERS = CancellationPolicy(
    student_tiers=(
        RefundTier(hours_before=48, share=Decimal(1)),
        RefundTier(hours_before=24, share=Decimal("0.5")),
    )
)


class Dies(BaseException):  # the process dying: nothing in it may catch this
    """The process died right after a gateway call applied."""


class World:
    def __init__(
        self,
        *,
        refund: RefundPolicy | None = None,
        fee_schedule: Any = "default",
    ) -> None:
        self.clock = ManualClock(T0)
        kwargs: dict[str, Any] = {}
        if fee_schedule != "default":
            kwargs["fee_schedule"] = fee_schedule
        self.gateway = FakePaymentGateway(secret=SECRET, clock=self.clock.now, **kwargs)
        self.calls: list[str] = []  # every gateway call that could move money
        for name in ("create_order", "capture_payment", "refund", "create_payout"):
            setattr(self.gateway, name, self._recording(name))
        self.store = InMemoryStore()
        self.policies = Policies(
            cancellation=TIERS,
            refund=refund or RefundPolicy(),
            gateway_retry=RetryPolicy(attempts=2),
        )
        self.service = self.restart()

    def _recording(self, name: str) -> Callable[..., Any]:
        method = getattr(self.gateway, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return method(*args, **kwargs)

        return call

    def restart(self) -> PaymentService:
        self.service = PaymentService(
            uow_factory=lambda: InMemoryUnitOfWork(self.store),
            clock=self.clock,
            policies=self.policies,
            gateway=self.gateway,
            currency="INR",
            webhook_secret=SECRET,
            sleep=lambda _: None,
        )
        return self.service

    def deliver(self) -> None:
        for body, signature in self.gateway.take_webhooks():
            self.service.handle_webhook(body, signature)

    def paid(self, booking: str, *, hours: int = 72, teacher: str = "m1") -> str:
        record = self.service.open_order(
            booking_id=booking,
            teacher_id=teacher,
            amount=PRICE,
            starts_at=T0 + timedelta(hours=hours),
        )
        assert record.order_id is not None
        payment = self.gateway.pay(record.order_id)
        self.deliver()
        return payment.id

    def state(self) -> tuple[object, ...]:
        """Everything a refusal must leave as it was (versions aside)."""
        return (
            [attrs.evolve(r, version=0) for r in self.service.bookings()],
            [attrs.evolve(w, version=0) for w in self.service.withdrawals()],
            dict(self.service.journal.balances()),
            self.gateway.refunds(),
            self.gateway.payouts(),
            tuple(self.calls),
        )


def monitor_of(world: World) -> Monitor:
    """The real monitor over the world's payment service (no sessions due)."""
    core = bootstrap(
        uow_factory=lambda: InMemoryUnitOfWork(world.store), clock=world.clock
    )
    return Monitor(
        uow_factory=lambda: InMemoryUnitOfWork(world.store),
        clock=world.clock,
        booking_service=core.bookings,
        session_service=core.sessions,
        attendance_service=core.attendance,
        payment_service=world.service,
    )


def _assert_clean(world: World) -> None:
    report = world.service.reconcile(start=T0, end=world.clock.now() + timedelta(1))
    assert report.clean, report.discrepancies


# -- decide with the ledger before the gateway ------------------------------------


@pytest.mark.parametrize(
    ("uncovered", "account"),
    [
        (UncoveredLoss.RECEIVABLE, "receivable:m1"),
        (UncoveredLoss.PLATFORM, "uncovered_loss"),
    ],
)
def test_a_fee_loss_the_wallet_cannot_cover_is_posted_by_policy(
    uncovered: UncoveredLoss, account: str
) -> None:
    world = World(
        refund=RefundPolicy(fee_loss_bearer=FeeBearer.TEACHER, uncovered_loss=uncovered)
    )
    world.paid("b1")
    assert world.service.journal.balance("wallet:m1") == 0  # nothing to take from
    record = world.service.refund(
        "b1", by=Role.TEACHER, reason=CancellationReason.CANCELLED
    )
    assert record.closed
    assert record.pending_refund is None
    journal = world.service.journal
    assert journal.balance("refunds") == 70000  # the gateway refunded 700.00 ...
    assert journal.balance(account) == -1652  # ... the fee loss is the policy's
    assert journal.balance("escrow:m1") == 0
    assert sum(journal.balances().values()) == 0
    _assert_clean(world)


def test_a_refund_the_ledger_refuses_never_reaches_the_gateway(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    world.paid("b1")
    before = world.state()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise InsufficientFundsError(
            account="escrow:m1", balance=0, amount=1, kind="escrow"
        )

    monkeypatch.setattr("booking_core.services.payments.plan_posting", refuse)
    with pytest.raises(InsufficientFundsError):
        world.service.refund("b1", by=Role.TEACHER, reason=CancellationReason.NO_SHOW)
    with pytest.raises(InsufficientFundsError):
        world.service.refund_amount("b1", Money.of("1.00", "INR"))
    assert world.state() == before  # no gateway call, no record, no posting
    assert not world.service.pending()


def test_a_receivable_is_settled_from_the_next_earnings() -> None:
    world = World(refund=RefundPolicy(fee_loss_bearer=FeeBearer.TEACHER))
    world.paid("b1")
    world.service.refund("b1", by=Role.TEACHER, reason=CancellationReason.CANCELLED)
    assert world.service.journal.balance("receivable:m1") == -1652
    world.paid("b2")
    world.service.complete("b2")
    journal = world.service.journal
    assert journal.balance("receivable:m1") == 0
    assert journal.balance("wallet:m1") == 61348 - 1652


def test_a_death_between_gateway_and_ledger_is_finished_by_resume(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    world.paid("b1")
    refund = world.gateway.refund

    def dying(*args: Any, **kwargs: Any) -> Any:
        refund(*args, **kwargs)
        raise Dies

    monkeypatch.setattr(world.gateway, "refund", dying)
    with pytest.raises(Dies):
        world.service.refund("b1", by=Role.TEACHER, reason=CancellationReason.NO_SHOW)
    monkeypatch.setattr(world.gateway, "refund", refund)
    assert world.service.journal.balance("refunds") == 0  # the books lag ...
    assert [op.kind for op in world.service.pending()] == ["refund"]
    world.restart()
    assert world.service.resume() == ()  # ... until resume finishes it, same key
    assert len(world.gateway.refunds()) == 1
    assert world.service.journal.balance("refunds") == 70000
    _assert_clean(world)


# -- resume isolates each item ---------------------------------------------------


def test_resume_reports_a_stuck_item_and_carries_on_with_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    world.paid("b1")
    world.gateway.faults = FaultPlan(fail_before=1.0)
    world.service.refund("b1", by=Role.TEACHER, reason=CancellationReason.NO_SHOW)
    world.service.open_order(
        booking_id="b2", teacher_id="m2", amount=PRICE, starts_at=T0
    )
    world.gateway.faults = FaultPlan()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise InvalidAmountError(field="amount", reason="gateway bug", value=None)

    monkeypatch.setattr(world.gateway, "refund", broken)
    (stuck,) = world.service.resume()
    assert (stuck.kind, stuck.target, stuck.error) == (
        "refund",
        "b1",
        "money.invalid_amount",
    )
    assert "gateway bug" in stuck.message
    assert world.service.booking("b2").order_id is not None  # not blocked


def test_the_monitor_resumes_each_pending_item_on_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    first, third = world.paid("b1"), world.paid("b3")
    world.gateway.faults = FaultPlan(fail_before=1.0)
    for booking in ("b1", "b3"):
        world.service.refund(
            booking, by=Role.TEACHER, reason=CancellationReason.NO_SHOW
        )
    world.service.open_order(
        booking_id="b2", teacher_id="m2", amount=PRICE, starts_at=T0
    )
    world.gateway.faults = FaultPlan()
    before = world.state()
    calls = len(world.calls)

    def broken(payment_id: str, **kwargs: Any) -> Any:
        if payment_id == first:
            raise RuntimeError("the gateway client crashed")
        assert payment_id == third
        raise InvalidAmountError(field="amount", reason="gateway bug", value=None)

    monkeypatch.setattr(world.gateway, "refund", broken)
    report = monitor_of(world).tick()
    errors = {(e.step, e.item_id, e.code) for e in report.errors}
    assert errors == {
        (TickStep.PAYMENTS, "b1", "RuntimeError"),
        (TickStep.PAYMENTS, "b3", "money.invalid_amount"),
    }
    assert world.service.booking("b2").order_id is not None  # not blocked
    # the stuck refunds changed nothing: still pending, nothing posted
    assert world.state()[1:-1] == before[1:-1]
    assert world.calls[calls:] == ["create_order"]  # b2's only
    assert [r.pending_refund is not None for r in world.service.bookings()] == [
        True,
        False,
        True,
    ]
    monkeypatch.undo()
    assert not monitor_of(world).tick().errors
    assert not world.service.pending()
    assert world.service.journal.balance("refunds") == 2 * PRICE.amount
    _assert_clean(world)


def test_a_monitor_tick_reports_resume_failing_as_a_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()

    def down() -> Any:
        raise NotFoundError(kind="payments table", id="x")

    monkeypatch.setattr(world.service, "resume", down)
    (error,) = monitor_of(world).tick().errors
    assert (error.step, error.item_id, error.code) == (
        TickStep.PAYMENTS,
        None,
        "not_found",
    )


# -- refusals change nothing; remainders released; release and refund compose -----


def test_a_refund_the_gateway_declines_changes_nothing() -> None:
    world = World()
    payment_id = world.paid("b1")
    world.gateway.refund(payment_id, amount=PRICE, idempotency_key="elsewhere")
    before = world.state()
    calls = len(world.calls)
    with pytest.raises(GatewayDeclinedError):
        world.service.refund("b1", by=Role.TEACHER, reason=CancellationReason.NO_SHOW)
    assert world.state()[:-1] == before[:-1]  # the one refused call aside
    assert world.calls[calls:] == ["refund"]
    assert world.service.complete("b1").closed  # still settleable


@pytest.mark.parametrize(
    ("hours", "refunded", "released"),
    [(72, 70000, 0), (30, 35000, 61348 - 30674), (10, 0, 61348)],
)
def test_a_student_cancellation_releases_what_the_refund_leaves(
    hours: int, refunded: int, released: int
) -> None:
    world = World()
    world.paid("b1", hours=hours)
    record = world.service.refund(
        "b1", by=Role.STUDENT, reason=CancellationReason.CANCELLED
    )
    journal = world.service.journal
    assert record.closed
    assert journal.balance("refunds") == refunded
    assert journal.balance("escrow:m1") == 0
    assert journal.balance("wallet:m1") == released


def test_refund_then_release_and_release_then_refund_compose() -> None:
    world = World()
    world.paid("b1")
    half = Money.of("350.00", "INR")
    open_ = world.service.refund_amount("b1", half)
    assert not open_.closed
    assert world.service.complete("b1").closed
    world.paid("b2")
    world.service.complete("b2")
    after = world.service.refund_amount("b2", half)
    assert after.closed
    journal = world.service.journal
    assert journal.balance("refunds") == 70000
    assert journal.balance("escrow:m1") == 0
    # Both orders end in the same books.
    assert journal.balance("wallet:m1") == 2 * (61348 - 30674)
    before = world.state()
    with pytest.raises(RefundExceedsCaptureError):
        world.service.refund_amount("b2", Money.of("350.01", "INR"))
    with pytest.raises(InvalidTransitionError):
        world.service.refund("b2", by=Role.ADMIN, reason=CancellationReason.CANCELLED)
    assert world.state() == before
    world.service.refund_amount("b2", half)  # the rest, from the wallet
    assert journal.balance("refunds") == 105000
    _assert_clean(world)


# -- open_order checks before the gateway ----------------------------------------


@pytest.mark.parametrize(
    ("amount", "teacher", "error"),
    [
        (Money.of("-700.00", "INR"), "m1", InvalidAmountError),
        (Money.of("0.00", "INR"), "m1", InvalidAmountError),
        (Money.of("700.00", "USD"), "m1", CurrencyMismatchError),
        (Money.of("701.00", "INR"), "m1", OrderKeyReuseError),
        (PRICE, "m2", OrderKeyReuseError),
    ],
)
def test_open_order_refuses_what_could_never_settle(
    amount: Money, teacher: str, error: type[Exception]
) -> None:
    world = World()
    world.service.open_order(
        booking_id="b0", teacher_id="m1", amount=PRICE, starts_at=T0
    )
    before = world.state()
    with pytest.raises(error):
        world.service.open_order(
            booking_id="b0" if error is OrderKeyReuseError else "b1",
            teacher_id=teacher,
            amount=amount,
            starts_at=T0,
        )
    assert world.state() == before
    # The gateway was not called: the key is still free for other content.
    world.gateway.create_order(
        amount=Money.of("1.00", "INR"), receipt="x", idempotency_key="order/b1"
    )


# -- webhooks --------------------------------------------------------------------


@pytest.mark.parametrize("secret", [b"", "", b"short", "fifteen-bytes!!"])
def test_a_weak_webhook_secret_is_refused_when_the_service_is_built(
    secret: bytes | str,
) -> None:
    world = World()
    with pytest.raises(WeakWebhookSecretError):
        PaymentService(
            uow_factory=lambda: InMemoryUnitOfWork(world.store),
            clock=world.clock,
            gateway=world.gateway,
            currency="INR",
            webhook_secret=secret,
        )


def test_a_forged_payout_failed_for_a_processed_payout_changes_nothing() -> None:
    world = World()
    world.paid("b1")
    world.service.complete("b1")
    withdrawal = world.service.withdraw(
        withdrawal_id="w1",
        teacher_id="m1",
        amount=Money.of("500.00", "INR"),
        bank_account=ACCOUNT,
    )
    for _ in range(4):
        world.gateway.advance_payouts()
    world.deliver()
    assert world.service.withdrawal("w1").payout_status is PayoutStatus.PROCESSED
    assert withdrawal.payout_id is not None
    before = world.state()
    forged = world.gateway.forge_webhook(
        "payout.failed", withdrawal.payout_id, "w1", "failed"
    )
    world.service.handle_webhook(*forged)
    world.service.handle_webhook(*forged)  # and again
    assert world.state() == before
    # A payout that is not the claimed withdrawal's is refused.
    other = world.gateway.forge_webhook(
        "payout.processed", withdrawal.payout_id, "w2", "processed"
    )
    with pytest.raises(InvalidWebhookError, match="belongs to"):
        world.service.handle_webhook(*other)
    assert world.state() == before


@pytest.mark.parametrize(
    "delivery",
    [
        (b"{}", None),
        ("{}", "0" * 64),
        (b"{}", "not hex"),
        (b"{}", 42),
        (b"not json", "0" * 64),
    ],
)
def test_malformed_deliveries_are_coded_and_change_nothing(
    delivery: tuple[Any, Any],
) -> None:
    world = World()
    world.paid("b1")
    before = world.state()
    with pytest.raises(InvalidWebhookError) as info:
        world.service.handle_webhook(*delivery)
    assert info.value.code == "payments.invalid_webhook"
    assert world.state() == before


def test_wrong_secret_and_repeated_events_change_nothing() -> None:
    world = World()
    record = world.service.open_order(
        booking_id="b1", teacher_id="m1", amount=PRICE, starts_at=T0
    )
    assert record.order_id is not None
    payment = world.gateway.pay(record.order_id)
    (delivery,) = world.gateway.take_webhooks()
    forged = world.gateway.forge_webhook(
        "payment.captured",
        payment.id,
        record.order_id,
        "captured",
        secret=b"whsec_not-the-real-one",
    )
    before = world.state()
    with pytest.raises(InvalidWebhookError, match="does not verify"):
        world.service.handle_webhook(*forged)
    assert world.state() == before
    for _ in range(3):
        world.service.handle_webhook(*delivery)
    assert world.service.journal.balance("escrow:m1") == 61348
    event_id = json.loads(delivery[0])["id"]
    with InMemoryUnitOfWork(world.store) as uow:
        seen = uow.webhooks.find(event_id)
    assert seen is not None
    assert seen.object_id == payment.id


# -- the reported fee ----------------------------------------------------------------


def test_the_split_uses_the_reported_fee_or_is_marked_estimated() -> None:
    reported = World()
    reported.paid("b1")
    split = reported.service.booking("b1").payment.split  # type: ignore[union-attr]
    assert split.fee_source is FeeSource.REPORTED
    estimated = World(fee_schedule=None)
    estimated.paid("b1")
    split = estimated.service.booking("b1").payment.split  # type: ignore[union-attr]
    assert split.fee_source is FeeSource.ESTIMATED


# -- the edges: webhooks about what is not ours, refusals of odd states -------------


def test_webhooks_about_objects_that_are_not_ours_change_nothing() -> None:
    world = World()
    world.paid("b1")
    world.service.complete("b1")
    withdrawal = world.service.withdraw(
        withdrawal_id="w1",
        teacher_id="m1",
        amount=Money.of("500.00", "INR"),
        bank_account=ACCOUNT,
    )
    before = world.state()
    # An order, a refund and a payout made at the gateway by somebody else.
    order = world.gateway.create_order(
        amount=PRICE, receipt="elsewhere", idempotency_key="their/order"
    )
    payment = world.gateway.pay(order.id)
    world.gateway.refund(payment.id, amount=PRICE, idempotency_key="their/refund")
    world.gateway.create_payout(
        fund_account=ACCOUNT,
        amount=Money.of("1.00", "INR"),
        reference="w1",  # the same reference, another payout
        idempotency_key="their/payout",
    )
    assert withdrawal.payout_id is not None
    payout = world.gateway.payouts()[-1]
    hooks = world.gateway.take_webhooks()
    hooks.append(
        world.gateway.forge_webhook("payout.processed", payout.id, "w1", "processed")
    )
    for body, signature in hooks:
        world.service.handle_webhook(body, signature)
    assert world.state()[:3] == before[:3]


def test_a_refund_webhook_finishes_or_compensates_a_pending_refund(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    world.paid("b1")
    world.paid("b2")
    refund = world.gateway.refund

    def lost(*args: Any, **kwargs: Any) -> Any:
        refund(*args, **kwargs)
        raise GatewayRetryableError(operation="refund", reason="the answer was lost")

    monkeypatch.setattr(world.gateway, "refund", lost)
    for booking in ("b1", "b2"):
        world.service.refund(
            booking, by=Role.TEACHER, reason=CancellationReason.NO_SHOW
        )
    monkeypatch.setattr(world.gateway, "refund", refund)
    first, second = world.gateway.take_webhooks()
    world.service.handle_webhook(*first)  # processed: the refund is posted
    assert world.service.booking("b1").pending_refund is None
    assert world.service.journal.balance("refunds") == 70000
    fetch = world.gateway.fetch_refund

    def failed(refund_id: str) -> Any:
        return attrs.evolve(fetch(refund_id), status=RefundStatus.FAILED)

    def pending(refund_id: str) -> Any:
        return attrs.evolve(fetch(refund_id), status=RefundStatus.PENDING)

    monkeypatch.setattr(world.gateway, "fetch_refund", pending)
    refund_id = json.loads(second[0])["entity"]
    payment_id = json.loads(second[0])["reference"]
    early = world.gateway.forge_webhook(
        "refund.pending", refund_id, payment_id, "pending"
    )
    world.service.handle_webhook(*early)  # still pending at the gateway: wait
    assert world.service.booking("b2").pending_refund is not None
    monkeypatch.setattr(world.gateway, "fetch_refund", failed)
    world.service.handle_webhook(*second)  # failed at the gateway: compensated
    record = world.service.booking("b2")
    assert record.pending_refund is None
    assert not record.closed
    world.service.handle_webhook(*second)  # a repeat changes nothing
    assert world.service.booking("b2") == record


def test_odd_states_are_refused_and_change_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    world.service.open_order(
        booking_id="b0", teacher_id="m1", amount=PRICE, starts_at=T0
    )
    world.paid("b1")
    world.gateway.faults = FaultPlan(fail_before=1.0)
    world.service.refund("b1", by=Role.TEACHER, reason=CancellationReason.NO_SHOW)
    world.gateway.faults = FaultPlan()
    before = world.state()
    with pytest.raises(InvalidTransitionError, match="in flight"):
        world.service.complete("b1")
    with pytest.raises(InvalidTransitionError, match="in flight"):
        world.service.refund_amount("b1", PRICE)
    with pytest.raises(InvalidTransitionError, match="not captured"):
        world.service.refund_amount("b0", PRICE)
    with pytest.raises(NotFoundError):
        world.service.refund_amount("nope", PRICE)
    nobody = OutcomeSettlement(
        teacher_paid=False, refund_by=None, refund_reason=None, meaning="odd"
    )
    with pytest.raises(PolicyViolationError, match="neither pays"):
        world.service.settle("b0", nobody)
    assert world.state() == before
    # A refusal met after a concurrent process already resolved the refund
    # leaves that process's outcome alone.
    pending = world.service.booking("b1").pending_refund
    assert pending is not None
    world.service.resume()
    with InMemoryUnitOfWork(world.store) as uow:
        world.service._drop_refund(uow, "b1", pending)
        assert uow.payments.get("b1").closed


def test_a_payout_webhook_for_no_withdrawal_of_ours_changes_nothing() -> None:
    world = World()
    payout = world.gateway.create_payout(
        fund_account=ACCOUNT,
        amount=PRICE,
        reference="someone-else",
        idempotency_key="their/payout/1",
    )
    before = world.state()
    world.service.handle_webhook(
        *world.gateway.forge_webhook(
            "payout.processed", payout.id, "someone-else", "processed"
        )
    )
    assert world.state() == before
