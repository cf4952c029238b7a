"""Money benchmarks: payment splits, and posting a million ledger transfers.

* ``money.split.*``: splitting a batch of payments with ``split_payment`` against
  the same split written with py-moneyed ``Money`` and ``Decimal``: the same
  checks (positive gross, fee currency, no negative part), commission rate,
  rounding, fee schedule and bearer, and an immutable record naming every part
  as the result (a ``NamedTuple``, the cheapest immutable record Python has; ours
  is a frozen attrs value). Both produce the same numbers; the script checks
  that first. Target: ours at least 5 times faster (ratio <= 0.2).
* ``money.ledger.*``: posting 1,000,000 pre-built transfers to a ``Journal``
  (idempotency check, no-negative check, balances kept as they post) and reading
  every balance, against the floor of summing the same 1,000,000
  ``(debit, credit, amount)`` tuples into a dict. Target: at most 4 times the
  floor. Extra lines show posting one call at a time and reading every account's
  history afterwards (the history index is built on first read).
"""

from __future__ import annotations

import decimal
import gc
import random
import statistics
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from moneyed import Money as PyMoney

sys.path.insert(0, str(Path(__file__).parent))

from _common import median_seconds, report

from booking_core.money import GatewayFee, Money, SplitPolicy, split_payment
from booking_core.money.ledger import Journal, Transfer, TransferKind

SPLITS = 20_000
TRANSFERS = 1_000_000
RATE = Decimal("0.10")
PERCENT = Decimal("0.02")
TAX_RATE = Decimal("0.18")
CENT = Decimal("0.01")
HALF_UP = decimal.ROUND_HALF_UP


class PeerSplit(NamedTuple):
    """The peer's result: every part named, immutable."""

    gross: PyMoney
    commission: PyMoney
    gateway_fee: PyMoney
    gateway_tax: PyMoney
    platform_share: PyMoney
    teacher_share: PyMoney
    commission_rate: Decimal
    rounding: str
    fee_bearer: str


def peer_split(
    gross: PyMoney, fee: PyMoney | None = None, tax: PyMoney | None = None
) -> PeerSplit:
    """The same split with py-moneyed and Decimal (teacher bears the fee)."""
    if gross.amount <= 0:
        raise ValueError("gross must be positive")
    currency = gross.currency
    if fee is not None and fee.currency != currency:
        raise ValueError("fee currency differs")
    commission = PyMoney((gross.amount * RATE).quantize(CENT, HALF_UP), currency)
    if fee is None or tax is None:
        net = (gross.amount * PERCENT).quantize(CENT, HALF_UP)
        tax_amount = (net * TAX_RATE).quantize(CENT, HALF_UP)
        fee = PyMoney(net + tax_amount, currency)
        tax = PyMoney(tax_amount, currency)
    teacher = gross - commission - fee
    if teacher.amount < 0:
        raise ValueError("amount too small for fees")
    return PeerSplit(
        gross=gross,
        commission=commission,
        gateway_fee=fee,
        gateway_tax=tax,
        platform_share=commission,
        teacher_share=teacher,
        commission_rate=RATE,
        rounding=HALF_UP,
        fee_bearer="teacher",
    )


def interleaved_medians(
    ours: Callable[[], object], peer: Callable[[], object], *, repeat: int
) -> tuple[float, float]:
    """Medians of alternating runs, so a noisy neighbour hits both sides alike."""
    ours()  # warm up both
    peer()
    gc.collect()
    ours_runs: list[float] = []
    peer_runs: list[float] = []
    for _ in range(repeat):
        ours_runs.append(median_seconds(ours, repeat=1))
        peer_runs.append(median_seconds(peer, repeat=1))
    return statistics.median(ours_runs), statistics.median(peer_runs)


def bench_splits() -> None:
    rng = random.Random(2026)
    grosses = [rng.randint(10_000, 5_000_000) for _ in range(SPLITS)]
    fees = [(g * 2 // 100 * 118 // 100, g * 2 // 100 * 18 // 100) for g in grosses]
    ours_gross = [Money(g, "INR") for g in grosses]
    ours_fee = [GatewayFee(fee=Money(f, "INR"), tax=Money(t, "INR")) for f, t in fees]
    peer_gross = [PyMoney(Money(g, "INR").to_decimal(), "INR") for g in grosses]
    peer_fee = [
        (
            PyMoney(Money(f, "INR").to_decimal(), "INR"),
            PyMoney(Money(t, "INR").to_decimal(), "INR"),
        )
        for f, t in fees
    ]
    policy = SplitPolicy()

    # the same numbers first
    for i in range(0, SPLITS, 97):
        ours = split_payment(ours_gross[i], policy)
        theirs = peer_split(peer_gross[i])
        assert ours.teacher_share.to_decimal() == theirs.teacher_share.amount
        assert ours.gateway_fee.to_decimal() == theirs.gateway_fee.amount
        ours = split_payment(ours_gross[i], policy, ours_fee[i])
        theirs = peer_split(peer_gross[i], *peer_fee[i])
        assert ours.teacher_share.to_decimal() == theirs.teacher_share.amount

    def ours_reported() -> None:
        for gross, fee in zip(ours_gross, ours_fee, strict=True):
            split_payment(gross, policy, fee)

    def peer_reported() -> None:
        for gross, (fee, tax) in zip(peer_gross, peer_fee, strict=True):
            peer_split(gross, fee, tax)

    def ours_estimated() -> None:
        for gross in ours_gross:
            split_payment(gross, policy)

    def peer_estimated() -> None:
        for gross in peer_gross:
            peer_split(gross)

    for case, ours_fn, peer_fn in (
        ("reported_fee", ours_reported, peer_reported),
        ("estimated_fee", ours_estimated, peer_estimated),
    ):
        ours_s, peer_s = interleaved_medians(ours_fn, peer_fn, repeat=15)
        report(
            f"money.split.{case}",
            ours_s,
            "py-moneyed+Decimal",
            peer_s,
            splits=SPLITS,
            ours_per_s=round(SPLITS / ours_s),
            peer_per_s=round(SPLITS / peer_s),
        )


def bench_ledger() -> None:
    rng = random.Random(7)
    teachers = [f"m{i}" for i in range(1_000)]
    kinds = (
        ("payments", "escrow:{m}", TransferKind.CAPTURE_TEACHER),
        ("payments", "platform_revenue", TransferKind.CAPTURE_PLATFORM),
        ("payments", "gateway_fees", TransferKind.CAPTURE_GATEWAY_FEE),
    )
    transfers = []
    for i in range(TRANSFERS):
        debit, credit, kind = kinds[i % 3]
        transfers.append(
            Transfer(
                key=f"t{i}",
                debit=debit,
                credit=credit.format(m=rng.choice(teachers)),
                amount=rng.randint(1, 100_000),
                currency="INR",
                kind=kind,
                reference=f"p{i // 3}",
            )
        )
    tuples = [(t.debit, t.credit, t.amount) for t in transfers]

    def floor() -> dict[str, int]:
        balances: dict[str, int] = {}
        for debit, credit, amount in tuples:
            balances[debit] = balances.get(debit, 0) - amount
            balances[credit] = balances.get(credit, 0) + amount
        return balances

    def ours_batch() -> dict[str, int]:
        journal = Journal("INR")
        journal.post_many(transfers)
        return journal.balances()

    def ours_one_by_one() -> dict[str, int]:
        journal = Journal("INR")
        post = journal.post
        for transfer in transfers:
            post(transfer)
        return journal.balances()

    def ours_with_history() -> int:
        journal = Journal("INR")
        journal.post_many(transfers)
        return sum(len(journal.history(a)) for a in journal.balances())

    assert ours_batch() == floor()
    assert ours_with_history() == 2 * TRANSFERS
    for case, func in (
        ("post_many+balances", ours_batch),
        ("post_each+balances", ours_one_by_one),
        ("post_many+balances+every_history", ours_with_history),
    ):
        ours_s, floor_s = interleaved_medians(func, floor, repeat=5)
        report(
            f"money.ledger.{case}",
            ours_s,
            "floor:sum 1M (debit, credit, amount) tuples into a dict",
            floor_s,
            transfers=TRANSFERS,
        )


def main() -> None:
    bench_splits()
    bench_ledger()


if __name__ == "__main__":
    main()
