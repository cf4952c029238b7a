"""Reconciliation: every discrepancy kind with both records; both sides' records."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from booking_core.money.gateway import GatewayTransaction, TransactionKind
from booking_core.money.ledger import Transfer, TransferKind
from booking_core.money.reconciliation import (
    DiscrepancyKind,
    ReconRecord,
    gateway_records,
    ledger_records,
    reconcile,
)

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)  # London's gap night


def rec(
    key: str, amount: int = 100, currency: str = "INR", status: str = "captured"
) -> ReconRecord:
    return ReconRecord(id=key, amount=amount, currency=currency, status=status)


def test_every_kind_of_discrepancy_carries_both_records() -> None:
    ledger = [rec("a"), rec("b", 101), rec("c", currency="USD"), rec("d"), rec("e")]
    gateway = [
        rec("a"),
        rec("b"),
        rec("c"),
        rec("d", status="processed"),
        rec("f"),
    ]
    report = reconcile(ledger, gateway)
    assert report.matched == ("a",)
    assert not report.clean
    kinds = {d.id: d.kind for d in report.discrepancies}
    assert kinds == {
        "b": DiscrepancyKind.AMOUNT_MISMATCH,
        "c": DiscrepancyKind.CURRENCY_MISMATCH,
        "d": DiscrepancyKind.STATUS_MISMATCH,
        "e": DiscrepancyKind.MISSING_IN_GATEWAY,
        "f": DiscrepancyKind.MISSING_IN_LEDGER,
    }
    (amount,) = report.of_kind(DiscrepancyKind.AMOUNT_MISMATCH)
    assert amount.ledger == rec("b", 101)
    assert amount.gateway == rec("b")
    (missing,) = report.of_kind(DiscrepancyKind.MISSING_IN_GATEWAY)
    assert missing.gateway is None
    assert missing.ledger == rec("e")
    (extra,) = report.of_kind(DiscrepancyKind.MISSING_IN_LEDGER)
    assert extra.ledger is None
    assert extra.gateway == rec("f")


def test_empty_sides_reconcile_clean() -> None:
    assert reconcile([], []).clean


def _t(  # noqa: PLR0917 - a compact table of transfers
    key: str,
    kind: TransferKind,
    debit: str,
    credit: str,
    amount: int,
    ref: str,
    at: datetime | None = T0,
) -> Transfer:
    return Transfer(
        key=key,
        debit=debit,
        credit=credit,
        amount=amount,
        currency="INR",
        kind=kind,
        reference=ref,
        at=at,
    )


def test_ledger_records_group_payments_refunds_and_payouts() -> None:
    later = T0 + timedelta(days=40)
    transfers = [
        _t(
            "capture/p1/platform",
            TransferKind.CAPTURE_PLATFORM,
            "payments",
            "platform_revenue",
            70,
            "p1",
        ),
        _t(
            "capture/p1/teacher",
            TransferKind.CAPTURE_TEACHER,
            "payments",
            "escrow:m1",
            930,
            "p1",
        ),
        _t(
            "refund/p1/1/platform",
            TransferKind.REFUND_PLATFORM,
            "platform_revenue",
            "refunds",
            7,
            "p1",
        ),
        _t(
            "refund/p1/1/teacher",
            TransferKind.REFUND_TEACHER,
            "escrow:m1",
            "refunds",
            93,
            "p1",
        ),
        _t(
            "release/p1",
            TransferKind.ESCROW_RELEASE,
            "escrow:m1",
            "wallet:m1",
            837,
            "p1",
        ),
        _t(
            "withdrawal/w1/hold",
            TransferKind.PAYOUT_HOLD,
            "wallet:m1",
            "held:m1",
            500,
            "w1",
        ),
        _t(
            "withdrawal/w1/payout", TransferKind.PAYOUT, "held:m1", "payouts", 500, "w1"
        ),
        _t(
            "withdrawal/w1/reversal",
            TransferKind.PAYOUT_RETURN,
            "payouts",
            "wallet:m1",
            500,
            "w1",
        ),
        _t(
            "withdrawal/w2/payout",
            TransferKind.PAYOUT,
            "held:m1",
            "payouts",
            300,
            "w2",
            later,
        ),
        _t(
            "withdrawal/w3/reversal",
            TransferKind.PAYOUT_RETURN,
            "payouts",
            "wallet:m1",
            20,
            "w3",
        ),
        _t(
            "withdrawal/w4/void",
            TransferKind.PAYOUT_RETURN,
            "held:m1",
            "wallet:m1",
            20,
            "w4",
        ),
        _t("adjust", TransferKind.ADJUSTMENT, "payments", "wallet:m1", 1, "", None),
    ]
    records = ledger_records(
        transfers + transfers[:2], start=T0, end=T0 + timedelta(days=1)
    )
    assert {r.id: (r.amount, r.status) for r in records} == {
        "payment:p1": (1000, "captured"),
        "refund:refund/p1/1": (100, "processed"),
        "payout:w1": (500, "reversed"),
        "payout:w3": (20, "reversed"),
    }


def test_gateway_records_convert_units() -> None:
    txn = GatewayTransaction(
        id="pay_1",
        kind=TransactionKind.PAYMENT,
        reference="pay_1",
        amount=150000,
        currency="JPY",
        status="captured",
        at=T0,
    )
    assert gateway_records([txn], {"JPY": 2}) == [
        ReconRecord(id="payment:pay_1", amount=1500, currency="JPY", status="captured")
    ]


@pytest.mark.parametrize("n", [0, 1, 1000])
def test_matching_sides_are_clean(n: int) -> None:
    side = [rec(f"id{i}", i + 1) for i in range(n)]
    report = reconcile(side, reversed(side))
    assert report.clean
    assert len(report.matched) == n
