"""Reconciliation benchmark: 1,000,000 ledger records against 1,000,000 gateway records.

* ``reconciliation.reconcile``: :func:`booking_core.money.reconciliation.reconcile`
  of 1,000,000 ledger records against 1,000,000 gateway records (shuffled, so
  the order gives no help) with 1 % mismatches: amount, currency and status
  mismatches and records missing on either side. Peer: the floor of building
  one dict of the 1,000,000 gateway records by id (the least any matching by id
  must do). Target: at most 4 times the floor.

The script first checks the report: exactly the planted mismatches are found.
"""

from __future__ import annotations

import gc
import random
import sys
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).parent))

from _common import median_seconds, report

from booking_core.money.reconciliation import (
    DiscrepancyKind,
    ReconRecord,
    reconcile,
)

RECORDS = 1_000_000
MISMATCH_EVERY = 100  # 1 %


def build() -> tuple[list[ReconRecord], list[ReconRecord], dict[DiscrepancyKind, int]]:
    """The two sides with 1 % planted mismatches, and how many of each kind."""
    rng = random.Random(2026)
    ledger: list[ReconRecord] = []
    gateway: list[ReconRecord] = []
    planted = dict.fromkeys(DiscrepancyKind, 0)
    kinds = list(DiscrepancyKind)
    for n in range(RECORDS):
        record = ReconRecord(
            id=f"payment:pay_{n:08d}",
            amount=rng.randrange(100, 10_000_000),
            currency="INR",
            status="captured",
        )
        other = attrs.evolve(record)  # the gateway's own copy
        if n % MISMATCH_EVERY == 0:
            kind = kinds[(n // MISMATCH_EVERY) % len(kinds)]
            planted[kind] += 1
            if kind is DiscrepancyKind.MISSING_IN_GATEWAY:
                ledger.append(record)
                continue
            if kind is DiscrepancyKind.MISSING_IN_LEDGER:
                gateway.append(record)
                continue
            if kind is DiscrepancyKind.AMOUNT_MISMATCH:
                other = attrs.evolve(record, amount=record.amount + 1)
            elif kind is DiscrepancyKind.CURRENCY_MISMATCH:
                other = attrs.evolve(record, currency="USD")
            else:
                other = attrs.evolve(record, status="refunded")
        ledger.append(record)
        gateway.append(other)
    rng.shuffle(gateway)
    return ledger, gateway, planted


def main() -> None:
    """Check the report, then time ours against the dict floor."""
    ledger, gateway, planted = build()
    result = reconcile(ledger, gateway)
    found = dict.fromkeys(DiscrepancyKind, 0)
    for discrepancy in result.discrepancies:
        found[discrepancy.kind] += 1
    assert found == planted, (found, planted)
    assert len(result.matched) == RECORDS - RECORDS // MISMATCH_EVERY
    del result
    gc.collect()
    gc.disable()
    try:
        floor = median_seconds(lambda: {r.id: r for r in gateway}, repeat=3)
        ours = median_seconds(lambda: reconcile(ledger, gateway), repeat=3)
    finally:
        gc.enable()
    report(
        "reconciliation.reconcile",
        ours,
        "floor:dict of 1e6 gateway records by id",
        floor,
        records=RECORDS,
        mismatches=sum(planted.values()),
    )


if __name__ == "__main__":
    main()
