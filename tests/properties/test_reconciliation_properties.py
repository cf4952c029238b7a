"""Reconciliation finds exactly the planted discrepancies, whatever the order."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from booking_core.adapters.codec import dumps, loads
from booking_core.money import Money
from booking_core.money.gateway import (
    GatewayPayout,
    GatewayTransaction,
    PayoutStatus,
    TransactionKind,
)
from booking_core.money.payments import BookingPayment, PendingRefund
from booking_core.money.reconciliation import DiscrepancyKind, ReconRecord, reconcile

KINDS = list(DiscrepancyKind)


@settings(max_examples=100)
@given(
    amounts=st.lists(st.integers(1, 10**9), max_size=40),
    plan=st.lists(st.sampled_from([None, *KINDS]), max_size=40),
    seed=st.randoms(use_true_random=False),
)
def test_reconcile_reports_exactly_the_planted_discrepancies(
    amounts: list[int], plan: list[DiscrepancyKind | None], seed: random.Random
) -> None:
    ledger: list[ReconRecord] = []
    gateway: list[ReconRecord] = []
    expected: dict[str, DiscrepancyKind] = {}
    for n, amount in enumerate(amounts):
        record = ReconRecord(
            id=f"r{n}", amount=amount, currency="INR", status="captured"
        )
        kind = plan[n] if n < len(plan) else None
        if kind is not None:
            expected[record.id] = kind
        if kind is not DiscrepancyKind.MISSING_IN_LEDGER:
            ledger.append(record)
        if kind is DiscrepancyKind.MISSING_IN_GATEWAY:
            continue
        if kind is DiscrepancyKind.AMOUNT_MISMATCH:
            record = attrs.evolve(record, amount=amount + 1)
        elif kind is DiscrepancyKind.CURRENCY_MISMATCH:
            record = attrs.evolve(record, currency="USD", amount=amount + 1)
        elif kind is DiscrepancyKind.STATUS_MISMATCH:
            record = attrs.evolve(record, status="processed")
        gateway.append(record)
    seed.shuffle(gateway)
    report = reconcile(ledger, gateway)
    assert {d.id: d.kind for d in report.discrepancies} == expected
    assert len(report.matched) + len(expected) == len(amounts)
    for discrepancy in report.discrepancies:
        assert discrepancy.ledger is not None or discrepancy.gateway is not None


def test_payment_records_round_trip_through_the_codec() -> None:
    at = datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
    values = [
        GatewayPayout(
            id="pout_1",
            reference="w1",
            amount=100,
            currency="INR",
            status=PayoutStatus.REVERSED,
        ),
        GatewayTransaction(
            id="pay_1",
            kind=TransactionKind.PAYMENT,
            reference="pay_1",
            amount=100,
            currency="INR",
            status="captured",
            at=at,
        ),
        BookingPayment(
            id="b1",
            teacher_id="m1",
            amount=Money.of("700.00", "INR"),
            starts_at=at + timedelta(days=1),
            order_id="order_1",
            pending_refund=PendingRefund(
                key="refund/p/1", amount=Money.of("350.00", "INR"), settles=True
            ),
        ),
    ]
    for value in values:
        assert loads(dumps(value)) == value
