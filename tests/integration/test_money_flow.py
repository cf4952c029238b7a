"""Captured payments through the unit of work, transfers relayed to the ledger.

The service shape: load the payment, decide (pure), save through the unit of
work, commit; committed events carry the transfers, and a relay posts them to the
ledger journal. Delivering an event twice posts nothing twice.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from booking_core.actors import Actor
from booking_core.adapters.memory import (
    InMemoryEventPublisher,
    InMemoryStore,
    InMemoryUnitOfWork,
)
from booking_core.errors import RefundExceedsCaptureError
from booking_core.events import DomainEvent
from booking_core.money import (
    GatewayFee,
    Money,
    SplitPolicy,
    capture_payment,
    refund_payment,
    release_escrow,
    split_payment,
    teacher_wallet,
)
from booking_core.money.payments import CapturedPayment
from booking_core.ports import LedgerJournal
from booking_core.services import run_in_transaction
from booking_core.services.ledger import LedgerService

# the day London springs forward (01:30 UTC is 02:30 BST); Kolkata has no DST
NOW = datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
KOLKATA_NOW = datetime(2026, 3, 29, 7, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
SYSTEM = Actor.system()


def relay(events: list[DomainEvent], journal: LedgerJournal) -> None:
    for event in events:
        journal.post_linked(getattr(event, "transfers", ()))


def test_capture_release_refund_through_the_unit_of_work() -> None:
    store = InMemoryStore()
    publisher = InMemoryEventPublisher()
    journal = LedgerService(
        uow_factory=lambda: InMemoryUnitOfWork(store),
        currency="INR",
    )

    def uow() -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(store, publisher)

    fee = GatewayFee(fee=Money.of("16.52", "INR"), tax=Money.of("2.52", "INR"))

    def capture(unit: InMemoryUnitOfWork) -> None:
        decision = capture_payment(
            payment_id="pay_1",
            teacher_id="m1",
            split=split_payment(Money.of("700.00", "INR"), SplitPolicy(), fee),
            actor=SYSTEM,
            now=KOLKATA_NOW,
        )
        unit.repository("payments", CapturedPayment).add(decision.state)
        unit.collect(decision.events)

    def release(unit: InMemoryUnitOfWork) -> None:
        repo = unit.repository("payments", CapturedPayment)
        decision = release_escrow(repo.get("pay_1"), actor=SYSTEM, now=NOW)
        repo.save(decision.state)
        unit.collect(decision.events)

    run_in_transaction(uow, capture)
    run_in_transaction(uow, release)
    relay(publisher.published, journal)
    relay(publisher.published, journal)  # redelivery: nothing moves twice
    wallet = teacher_wallet(journal, "m1")
    assert wallet.available == Money.of("613.48", "INR")
    assert wallet.escrow.is_zero()
    assert journal.balances()["payments"] == -70000
    with InMemoryUnitOfWork(store) as unit:
        stored = unit.repository("payments", CapturedPayment).get("pay_1")
    assert stored.version == 2
    assert stored.released


def test_concurrent_refunds_never_exceed_the_capture() -> None:
    store = InMemoryStore()
    publisher = InMemoryEventPublisher()
    journal = LedgerService(
        uow_factory=lambda: InMemoryUnitOfWork(store),
        currency="INR",
    )

    def uow() -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(store, publisher)

    def capture(unit: InMemoryUnitOfWork) -> None:
        decision = capture_payment(
            payment_id="pay_2",
            teacher_id="m2",
            split=split_payment(Money.of("100.00", "INR")),
            actor=SYSTEM,
            now=NOW,
        )
        unit.repository("payments", CapturedPayment).add(decision.state)
        unit.collect(decision.events)

    run_in_transaction(uow, capture)
    refused: list[str] = []

    def refund(unit: InMemoryUnitOfWork) -> None:
        repo = unit.repository("payments", CapturedPayment)
        decision = refund_payment(
            repo.get("pay_2"), Money.of("30.00", "INR"), actor=SYSTEM, now=NOW
        )
        repo.save(decision.state)
        unit.collect(decision.events)

    def worker() -> None:
        try:
            run_in_transaction(uow, refund, attempts=20)
        except RefundExceedsCaptureError:
            refused.append("refused")

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    relay(publisher.published, journal)
    with InMemoryUnitOfWork(store) as unit:
        payment = unit.repository("payments", CapturedPayment).get("pay_2")
    assert payment.refund_count == 3
    assert len(refused) == 2
    assert payment.refunded == Money.of("90.00", "INR")
    assert journal.balance("refunds") == 9000
    assert journal.balance("escrow:m2") == payment.in_escrow.amount
    assert sum(journal.balances().values()) == 0
