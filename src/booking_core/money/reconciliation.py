"""Reconciliation: match the ledger's records with the gateway's, for a period.

Both sides are reduced to :class:`ReconRecord` s keyed by one id both know:
``payment:<payment id>``, ``refund:<refund key>``, ``payout:<withdrawal id>``.
:func:`ledger_records` derives them from the ledger's transfers (captures,
refunds, payouts and reversals), :func:`gateway_records` from the gateway's
settled transactions, converting the gateway's minor units to ISO ones.
:func:`reconcile` builds one dict of the gateway side and walks the ledger side
once: linear in the number of records.

Example:
    >>> ledger = [ReconRecord(id="payment:p1", amount=70000, currency="INR",
    ...                       status="captured"),
    ...           ReconRecord(id="payout:w1", amount=500, currency="INR",
    ...                       status="processed")]
    >>> gateway = [ReconRecord(id="payment:p1", amount=70000, currency="INR",
    ...                        status="captured"),
    ...            ReconRecord(id="payout:w1", amount=500, currency="INR",
    ...                        status="reversed")]
    >>> report = reconcile(ledger, gateway)
    >>> report.matched, [d.kind.value for d in report.discrepancies]
    (('payment:p1',), ['status_mismatch'])
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import utc_instant
from booking_core.money.gateway import GatewayTransaction, from_gateway_units
from booking_core.money.ledger import Transfer, TransferKind

__all__ = [
    "Discrepancy",
    "DiscrepancyKind",
    "ReconRecord",
    "ReconciliationReport",
    "gateway_records",
    "ledger_records",
    "reconcile",
]


@final
@attrs.frozen(kw_only=True, repr=False)
class ReconRecord:
    """One money movement as one side records it.

    Not validated (reconciliation reads millions of them); build them with
    :func:`ledger_records` and :func:`gateway_records`.

    Attributes:
        id: The id both sides share (``payment:p1``, ``refund:...``,
            ``payout:w1``).
        amount: ISO minor units.
        currency: ISO 4217 code.
        status: ``captured``, ``processed`` or ``reversed``.
    """

    __repr__ = fields_repr

    id: str
    amount: int
    currency: str
    status: str


@final
class DiscrepancyKind(str, enum.Enum):
    """How the two sides disagree about one id."""

    MISSING_IN_GATEWAY = "missing_in_gateway"
    MISSING_IN_LEDGER = "missing_in_ledger"
    AMOUNT_MISMATCH = "amount_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    STATUS_MISMATCH = "status_mismatch"


@final
@attrs.frozen(kw_only=True, repr=False)
class Discrepancy:
    """One id on which the ledger and the gateway disagree, with both records.

    Attributes:
        kind: Missing on a side, or which field differs first (currency,
            amount, status).
        id: The shared id.
        ledger: The ledger's record (``None`` when missing there).
        gateway: The gateway's record (``None`` when missing there).
    """

    __repr__ = fields_repr

    kind: DiscrepancyKind
    id: str
    ledger: ReconRecord | None
    gateway: ReconRecord | None


@final
@attrs.frozen(kw_only=True, repr=False)
class ReconciliationReport:
    """The result of :func:`reconcile`.

    Attributes:
        matched: The ids both sides agree on.
        discrepancies: Everything else, ledger order first, then the ids only
            the gateway has.
    """

    __repr__ = fields_repr

    matched: tuple[str, ...]
    discrepancies: tuple[Discrepancy, ...]

    @property
    def clean(self) -> bool:
        """Whether there is no discrepancy at all."""
        return not self.discrepancies

    def of_kind(self, kind: DiscrepancyKind) -> tuple[Discrepancy, ...]:
        """The discrepancies of one kind."""
        return tuple(d for d in self.discrepancies if d.kind is kind)


def _differ(ledger: ReconRecord, gateway: ReconRecord | None) -> Discrepancy:
    kind = DiscrepancyKind.MISSING_IN_GATEWAY
    if gateway is not None:
        kind = (
            DiscrepancyKind.CURRENCY_MISMATCH
            if ledger.currency != gateway.currency
            else DiscrepancyKind.AMOUNT_MISMATCH
            if ledger.amount != gateway.amount
            else DiscrepancyKind.STATUS_MISMATCH
        )
    return Discrepancy(kind=kind, id=ledger.id, ledger=ledger, gateway=gateway)


def reconcile(
    ledger: Iterable[ReconRecord], gateway: Iterable[ReconRecord]
) -> ReconciliationReport:
    """Match the two sides by id; linear time, one dict of the gateway side.

    Args:
        ledger: The ledger's records for the period (ids unique).
        gateway: The gateway's records for the period (ids unique).

    Returns:
        Matched ids and the discrepancies, each with both records.
    """
    remaining = {record.id: record for record in gateway}
    pop = remaining.pop
    matched: list[str] = []
    agree = matched.append
    discrepancies: list[Discrepancy] = []
    for record in ledger:
        other = pop(record.id, None)
        if (
            other is not None
            and record.amount == other.amount
            and record.status == other.status
            and record.currency == other.currency
        ):
            agree(record.id)
        else:
            discrepancies.append(_differ(record, other))
    discrepancies.extend(
        Discrepancy(
            kind=DiscrepancyKind.MISSING_IN_LEDGER, id=key, ledger=None, gateway=other
        )
        for key, other in remaining.items()
    )
    return ReconciliationReport(
        matched=tuple(matched), discrepancies=tuple(discrepancies)
    )


_REFUND_KINDS = frozenset(
    {
        TransferKind.REFUND_PLATFORM,
        TransferKind.REFUND_TEACHER,
        TransferKind.REFUND_FEE_LOSS,
        TransferKind.REFUND_UNCOVERED,
    }
)
_CAPTURE_KINDS = frozenset(
    {
        TransferKind.CAPTURE_PLATFORM,
        TransferKind.CAPTURE_GATEWAY_FEE,
        TransferKind.CAPTURE_GATEWAY_TAX,
        TransferKind.CAPTURE_TEACHER,
    }
)


def ledger_records(
    transfers: Iterable[Transfer], *, start: datetime, end: datetime
) -> list[ReconRecord]:
    """The ledger's side: one record per payment, refund and payout in ``[start, end)``.

    A payment is the sum of its capture transfers (``payment:<reference>``); a
    refund the sum of the legs under one refund key
    ``refund/<payment>/<n>`` (``refund:refund/<payment>/<n>``, a leg's
    ``/uncovered`` part included); a payout the
    ``withdrawal/<id>/payout`` transfer (``payout:<id>``, ``processed``),
    which becomes ``reversed`` when its reversal is posted. Transfers are
    picked by their ``at``; duplicates across accounts are counted once.
    """
    low, high = utc_instant(start, "start"), utc_instant(end, "end")
    records: dict[str, list[object]] = {}
    seen: set[str] = set()
    for transfer in transfers:
        at = transfer.at
        if transfer.key in seen or at is None or not low <= at < high:
            continue
        seen.add(transfer.key)
        kind = transfer.kind
        if kind in _CAPTURE_KINDS:
            key, status = f"payment:{transfer.reference}", "captured"
        elif kind in _REFUND_KINDS:
            leg = transfer.key.removesuffix("/uncovered")
            key, status = f"refund:{leg.rsplit('/', 1)[0]}", "processed"
        elif kind is TransferKind.PAYOUT:
            key, status = f"payout:{transfer.reference}", "processed"
        elif transfer.key.endswith("/reversal"):
            record = [transfer.amount, transfer.currency, "reversed"]
            records.setdefault(f"payout:{transfer.reference}", record)[2] = "reversed"
            continue
        else:
            continue
        found = records.setdefault(key, [0, transfer.currency, status])
        found[0] += transfer.amount  # type: ignore[operator]
    return [
        ReconRecord(id=key, amount=amount, currency=currency, status=status)  # type: ignore[arg-type]
        for key, (amount, currency, status) in records.items()
    ]


def gateway_records(
    transactions: Iterable[GatewayTransaction], minor_units: Mapping[str, int]
) -> list[ReconRecord]:
    """The gateway's side: its settled transactions, in ISO minor units.

    Args:
        transactions: From :meth:`~booking_core.ports.PaymentGateway.transactions`.
        minor_units: The gateway's minor units per currency code.
    """
    return [
        ReconRecord(
            id=f"{t.kind.value}:{t.reference}",
            amount=from_gateway_units(
                t.amount, t.currency, minor_units[t.currency]
            ).amount,
            currency=t.currency,
            status=t.status,
        )
        for t in transactions
    ]
