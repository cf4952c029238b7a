"""The payment service on repositories: restarts on SQLite, outbox, races."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

import pytest

from booking_core.actors import Role
from booking_core.adapters.fake_gateway import FakePaymentGateway, FaultPlan
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.clock import Clock, ManualClock
from booking_core.errors import (
    DuplicateIdError,
    GatewayKeyReuseError,
    InvalidValueError,
    NotFoundError,
)
from booking_core.money import CancellationReason, Money
from booking_core.money.gateway import PayoutStatus, RetryPolicy
from booking_core.money.withdrawals import BankAccount, WithdrawalStatus
from booking_core.policies import Policies
from booking_core.ports import PaymentGateway
from booking_core.services import run_in_transaction
from booking_core.services.payments import PaymentService

# The night London's clocks go back (a fold); Asia/Kolkata has no DST.
T0 = datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)
PRICE = Money.of("700.00", "INR")
SECRET = b"webhook-secret-0123"
ACCOUNT = BankAccount(
    holder_name="Asha Rao", account_number="001234567890", ifsc="HDFC0001234"
)

UnitOfWork = InMemoryUnitOfWork | SqliteUnitOfWork


POLICIES = Policies(gateway_retry=RetryPolicy(attempts=2))


def sqlite_service(
    database: SqliteDatabase, gateway: PaymentGateway, clock: Clock | None = None
) -> PaymentService:
    """A service on the SQLite file; its clock stands at T0 unless given."""
    return PaymentService(
        gateway=gateway,
        uow_factory=lambda: SqliteUnitOfWork(database),
        clock=clock if clock is not None else ManualClock(T0),
        policies=POLICIES,
        currency="INR",
        sleep=lambda _: None,
    )


def memory_service(
    store: InMemoryStore, gateway: PaymentGateway, clock: Clock | None = None
) -> PaymentService:
    """A service on the in-memory store; its clock stands at T0 unless given."""
    return PaymentService(
        gateway=gateway,
        uow_factory=lambda: InMemoryUnitOfWork(store),
        clock=clock if clock is not None else ManualClock(T0),
        policies=POLICIES,
        currency="INR",
        sleep=lambda _: None,
    )


def deliver(gateway: FakePaymentGateway, service: PaymentService) -> None:
    for body, signature in gateway.take_webhooks():
        service.handle_webhook(body, signature)


def pay(gateway: FakePaymentGateway, service: PaymentService, booking: str) -> None:
    record = service.open_order(
        booking_id=booking,
        teacher_id="m1",
        amount=PRICE,
        starts_at=T0 + timedelta(days=3),
    )
    assert record.order_id is not None
    gateway.pay(record.order_id)
    deliver(gateway, service)


def snapshot(service: PaymentService) -> tuple[object, ...]:
    return (
        service.bookings(),
        service.withdrawals(),
        service.pending(),
        service.journal.balances(),
        service.journal.history("payments"),
    )


def test_a_sqlite_payment_service_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "payments.sqlite3"
    clock = ManualClock(T0)
    gateway = FakePaymentGateway(secret=SECRET, clock=clock.now)
    database = SqliteDatabase(path)
    service = sqlite_service(database, gateway, clock)
    for booking in ("b1", "b2", "b3", "b4"):
        pay(gateway, service, booking)
    service.complete("b1")
    service.complete("b2")
    service.refund("b3", by=Role.TEACHER, reason=CancellationReason.NO_SHOW)
    gateway.faults = FaultPlan(fail_before=1.0)
    held = service.withdraw(
        withdrawal_id="w1",
        teacher_id="m1",
        amount=Money.of("1000.00", "INR"),
        bank_account=ACCOUNT,
    )
    assert held.payout_id is None
    pending_order = service.open_order(
        booking_id="b5", teacher_id="m1", amount=PRICE, starts_at=T0
    )
    assert pending_order.order_id is None
    before = snapshot(service)
    assert [p.kind for p in service.pending()] == ["order", "payout"]
    database.close()

    # A new process: a new database object and service on the same file.
    reopened = SqliteDatabase(path)
    again = sqlite_service(reopened, gateway, clock)
    assert snapshot(again) == before
    assert again.journal.balance("held:m1") == 100000
    assert again.journal.balance("wallet:m1") == 2 * 61348 - 100000
    gateway.faults = FaultPlan()
    assert [p.kind for p in again.resume()] == ["payout"]  # created
    for _ in range(4):
        gateway.advance_payouts()
    deliver(gateway, again)
    assert again.withdrawal("w1").status is WithdrawalStatus.PAID
    assert again.booking("b5").order_id is not None
    balances = again.journal.balances()
    assert balances["held:m1"] == 0
    assert balances["payouts"] == 100000
    assert balances["refunds"] == 70000
    assert sum(balances.values()) == 0
    names = [type(event).__name__ for event in reopened.events()]
    assert names.count("PaymentCaptured") == 4
    assert names.count("EscrowReleased") == 2
    assert names.count("PaymentRefunded") == 1
    assert names.count("WithdrawalRequested") == 1
    assert "WithdrawalStatusChanged" in names
    # The outbox carries exactly the postings of the ledger, once each.
    from_events: dict[str, int] = {}
    for event in reopened.events():
        for transfer in getattr(event, "transfers", ()):
            from_events[transfer.debit] = (
                from_events.get(transfer.debit, 0) - transfer.amount
            )
            from_events[transfer.credit] = (
                from_events.get(transfer.credit, 0) + transfer.amount
            )
    assert from_events == balances
    assert again.reconcile(start=T0, end=T0 + timedelta(days=1)).clean
    reopened.close()


class Hooked:
    """A gateway that lets a competitor act just before one of its calls."""

    def __init__(
        self, inner: FakePaymentGateway, method: str, hook: Callable[[], None]
    ) -> None:
        self.inner = inner
        self.method = method
        self.hook: Callable[[], None] | None = hook

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.inner, name)
        hook = self.hook
        if name != self.method or hook is None:
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            self.hook = None
            hook()
            return found(*args, **kwargs)

        return call


@pytest.fixture(params=["memory", "sqlite"])
def pair(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[PaymentGateway], PaymentService]]:
    """Makes services sharing one store, as several processes would."""
    if request.param == "memory":
        store = InMemoryStore()
        yield lambda gateway: memory_service(store, gateway)
        return
    database = SqliteDatabase(tmp_path / "race.sqlite3")
    yield lambda gateway: sqlite_service(database, gateway)
    database.close()


def test_two_processes_opening_the_same_order_store_one_record(
    pair: Callable[[PaymentGateway], PaymentService],
) -> None:
    gateway = FakePaymentGateway(secret=SECRET, clock=lambda: T0)
    rival = pair(gateway)

    def first() -> None:
        rival.open_order(booking_id="b1", teacher_id="m1", amount=PRICE, starts_at=T0)

    service = pair(cast("PaymentGateway", Hooked(gateway, "create_order", first)))
    record = service.open_order(
        booking_id="b1", teacher_id="m1", amount=PRICE, starts_at=T0
    )
    assert record == rival.booking("b1")
    assert record.version == 1
    assert len(service.bookings()) == 1


def test_a_payment_captured_by_another_process_is_posted_once(
    pair: Callable[[PaymentGateway], PaymentService],
) -> None:
    gateway = FakePaymentGateway(secret=SECRET, clock=lambda: T0)
    rival = pair(gateway)
    order = rival.open_order(
        booking_id="b1", teacher_id="m1", amount=PRICE, starts_at=T0
    ).order_id
    assert order is not None
    gateway.pay(order)
    hooks = gateway.take_webhooks()

    def first() -> None:
        for body, signature in hooks:
            rival.handle_webhook(body, signature)

    service = pair(cast("PaymentGateway", Hooked(gateway, "fetch_payment", first)))
    for body, signature in hooks:
        service.handle_webhook(body, signature)
    assert service.journal.balance("payments") == -70000
    assert len(service.journal.history("payments")) == 4


def test_a_refund_finished_by_another_process_is_posted_once(
    pair: Callable[[PaymentGateway], PaymentService],
) -> None:
    gateway = FakePaymentGateway(secret=SECRET, clock=lambda: T0)
    rival = pair(gateway)
    pay(gateway, rival, "b1")
    gateway.faults = FaultPlan(fail_before=1.0)
    pending = rival.refund("b1", by=Role.TEACHER, reason=CancellationReason.CANCELLED)
    assert pending.pending_refund is not None

    def first() -> None:
        gateway.faults = FaultPlan()
        assert rival.resume() == ()

    service = pair(cast("PaymentGateway", Hooked(gateway, "refund", first)))
    assert service.resume() == ()
    assert service.journal.balance("refunds") == 70000
    assert len(gateway.refunds()) == 1
    assert service.booking("b1").pending_refund is None


def test_an_order_refused_on_resume_closes_the_record(
    pair: Callable[[PaymentGateway], PaymentService],
) -> None:
    gateway = FakePaymentGateway(
        secret=SECRET, clock=lambda: T0, faults=FaultPlan(fail_before=1.0)
    )
    service = pair(gateway)
    service.open_order(booking_id="b1", teacher_id="m1", amount=PRICE, starts_at=T0)
    gateway.faults = FaultPlan()
    gateway.create_order(amount=PRICE, receipt="other", idempotency_key="order/b1")
    (refused,) = service.resume()  # reported, never raised
    assert (refused.kind, refused.target, refused.error) == (
        "order",
        "b1",
        GatewayKeyReuseError.code,
    )
    record = service.booking("b1")
    assert record.closed
    assert record.order_id is None
    assert service.pending() == ()
    assert service.poll("b1") == record
    assert (
        service.open_order(booking_id="b1", teacher_id="m1", amount=PRICE, starts_at=T0)
        == record
    )


def test_unknown_bookings_are_not_found(
    pair: Callable[[PaymentGateway], PaymentService],
) -> None:
    service = pair(FakePaymentGateway(secret=SECRET, clock=lambda: T0))
    with pytest.raises(NotFoundError):
        service.complete("nope")
    with pytest.raises(NotFoundError):
        service.refund("nope", by=Role.ADMIN, reason=CancellationReason.CANCELLED)
    with pytest.raises(NotFoundError):
        service.withdrawal("nope")
    assert service.bookings() == ()
    assert service.journal.balances() == {}


def test_repeated_payout_reports_change_nothing(
    pair: Callable[[PaymentGateway], PaymentService],
) -> None:
    gateway = FakePaymentGateway(secret=SECRET, clock=lambda: T0)
    service = pair(gateway)
    pay(gateway, service, "b1")
    service.complete("b1")
    service.withdraw(
        withdrawal_id="w1",
        teacher_id="m1",
        amount=Money.of("100.00", "INR"),
        bank_account=ACCOUNT,
    )
    for _ in range(4):
        gateway.advance_payouts()
    hooks = gateway.take_webhooks()
    for body, signature in hooks * 2:
        service.handle_webhook(body, signature)
    paid = service.withdrawal("w1")
    assert paid.payout_status is PayoutStatus.PROCESSED
    for body, signature in hooks:
        service.handle_webhook(body, signature)
    assert service.withdrawal("w1") == paid


class TestRunInTransaction:
    """``retry_on`` retries conflicts raised by commit or inside the operation."""

    def test_a_duplicate_raised_inside_the_operation_is_retried(self) -> None:
        store = InMemoryStore()
        calls: list[int] = []

        def operation(uow: InMemoryUnitOfWork) -> int:
            calls.append(1)
            if len(calls) == 1:
                raise DuplicateIdError(kind="thing", id="x")
            return len(calls)

        assert (
            run_in_transaction(
                lambda: InMemoryUnitOfWork(store),
                operation,
                retry_on=(DuplicateIdError,),
            )
            == 2
        )

    def test_without_it_a_duplicate_is_the_callers_error(self) -> None:
        def operation(uow: InMemoryUnitOfWork) -> None:
            raise DuplicateIdError(kind="thing", id="x")

        with pytest.raises(DuplicateIdError):
            run_in_transaction(lambda: InMemoryUnitOfWork(InMemoryStore()), operation)
        with pytest.raises(DuplicateIdError):
            run_in_transaction(
                lambda: InMemoryUnitOfWork(InMemoryStore()),
                operation,
                attempts=2,
                retry_on=(DuplicateIdError,),
            )
        with pytest.raises(InvalidValueError):
            run_in_transaction(
                lambda: InMemoryUnitOfWork(InMemoryStore()), operation, attempts=0
            )


def test_payment_records_and_withdrawals_page(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    gateway = FakePaymentGateway(secret=SECRET, clock=clock.now)
    database = SqliteDatabase(tmp_path / "pages.sqlite3")
    service = sqlite_service(database, gateway, clock)
    for booking in ("b1", "b2", "b3", "b4", "b5"):
        pay(gateway, service, booking)
        service.complete(booking)
    for n in (3, 1, 2):  # request order differs from id order
        clock.advance(timedelta(minutes=1))
        service.withdraw(
            withdrawal_id=f"w{n}",
            teacher_id="m1",
            amount=Money.of("100.00", "INR"),
            bank_account=ACCOUNT,
        )
    records = service.bookings()
    assert [r.id for r in records] == ["b1", "b2", "b3", "b4", "b5"]
    first = service.bookings(limit=2)
    rest = service.bookings(after=first[-1].id)
    assert (*first, *rest) == records
    withdrawals = service.withdrawals()
    assert [w.id for w in withdrawals] == ["w3", "w1", "w2"]
    head = service.withdrawals(limit=1)
    assert (*head, *service.withdrawals(after=head[-1].id, limit=5)) == withdrawals
    before = (service.bookings(), service.withdrawals())
    for bad in (0, -1):
        with pytest.raises(InvalidValueError):
            service.bookings(limit=bad)
        with pytest.raises(InvalidValueError):
            service.withdrawals(limit=bad)
    with pytest.raises(NotFoundError):  # a withdrawal page continues from one
        service.withdrawals(after="w9")
    assert service.bookings(after="b9") == ()  # records continue by id
    assert (service.bookings(), service.withdrawals()) == before
    database.close()
