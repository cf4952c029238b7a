"""Losses a teacher's wallet cannot cover: a receivable, or the platform's loss.

A refund may charge the teacher: the teacher's part after the escrow was
released, or the gateway fee the gateway keeps when the refund policy puts it
on the teacher (``RefundPolicy(fee_loss_bearer=FeeBearer.TEACHER)``). Both are
taken from ``wallet:<teacher>``, which may never go below zero. Whatever the
wallet cannot cover is decided *before* anything is posted, by
:class:`UncoveredLoss` (``RefundPolicy.uncovered_loss``):

* ``receivable`` (default): the teacher owes it. It is debited from
  ``receivable:<teacher>``, the one teacher account that may go below zero (its
  balance is minus the debt). :func:`collect_receivable` settles the debt from
  the teacher's next earnings: every release into the wallet first pays the
  receivable back, in the same unit of work.
* ``platform``: the platform absorbs it, from ``uncovered_loss``.

So a refund's postings can always be made: the gateway is never asked for a
refund the books then refuse.

Example:
    >>> from booking_core.money.ledger import Transfer, TransferKind
    >>> fee = Transfer(key="refund/p1/1/fee_loss", debit="wallet:m1",
    ...                credit="refunds", amount=1652, currency="INR",
    ...                kind=TransferKind.REFUND_FEE_LOSS, reference="p1")
    >>> legs = cover_wallet_shortfall([fee], balance={"wallet:m1": 1000}.get,
    ...                               policy=UncoveredLoss.RECEIVABLE)
    >>> [(t.debit, t.amount) for t in legs]
    [('wallet:m1', 1000), ('receivable:m1', 652)]
    >>> settle = collect_receivable("m1", available=5000, receivable=-652,
    ...     currency="INR", key="release/p2/receivable", reference="p2")
    >>> settle.debit, settle.credit, settle.amount
    ('wallet:m1', 'receivable:m1', 652)
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import final

import attrs

from booking_core.money.accounts import (
    AccountKind,
    Transfer,
    TransferKind,
    account_id,
    parse_account,
)

__all__ = ["UncoveredLoss", "collect_receivable", "cover_wallet_shortfall"]


@final
class UncoveredLoss(str, enum.Enum):
    """Where a teacher's loss goes when their wallet cannot cover it.

    ``receivable``: the teacher owes it (``receivable:<teacher>``, settled from
    future earnings). ``platform``: the platform absorbs it (``uncovered_loss``).
    """

    RECEIVABLE = "receivable"
    PLATFORM = "platform"


def cover_wallet_shortfall(
    transfers: Iterable[Transfer],
    *,
    balance: Callable[[str], int | None],
    policy: UncoveredLoss,
) -> tuple[Transfer, ...]:
    """The transfers, with what a teacher wallet cannot cover moved elsewhere.

    Each transfer debiting ``wallet:<teacher>`` for more than the wallet holds
    at that point of the batch becomes two: the wallet's part (same key) and
    the rest (key ``<key>/uncovered``, kind
    :attr:`~booking_core.money.ledger.TransferKind.REFUND_UNCOVERED`, same
    credit) debited from ``receivable:<teacher>`` or ``uncovered_loss`` by
    ``policy``. Other transfers are kept as they are (their effect on a
    wallet counts for the transfers after them).

    Args:
        transfers: The batch, in posting order.
        balance: An account's balance now (``None`` or 0 when unused).
        policy: Receivable or platform.

    Returns:
        The batch to post; every transfer in it can be posted.
    """
    running: dict[str, int] = {}

    def now(account: str) -> int:
        if account not in running:
            running[account] = balance(account) or 0
        return running[account]

    result: list[Transfer] = []
    for transfer in transfers:
        kind, owner = parse_account(transfer.debit)
        if kind is AccountKind.WALLET and owner is not None:
            covered = min(max(now(transfer.debit), 0), transfer.amount)
            short = transfer.amount - covered
            if covered:
                result.append(attrs.evolve(transfer, amount=covered))
            if short:
                source = (
                    account_id(AccountKind.RECEIVABLE, owner)
                    if UncoveredLoss(policy) is UncoveredLoss.RECEIVABLE
                    else AccountKind.UNCOVERED_LOSS.value
                )
                result.append(
                    attrs.evolve(
                        transfer,
                        key=f"{transfer.key}/uncovered",
                        debit=source,
                        amount=short,
                        kind=TransferKind.REFUND_UNCOVERED,
                    )
                )
            running[transfer.debit] = now(transfer.debit) - covered
        else:
            result.append(transfer)
            running[transfer.debit] = now(transfer.debit) - transfer.amount
        running[transfer.credit] = now(transfer.credit) + transfer.amount
    return tuple(result)


def collect_receivable(
    teacher_id: str,
    *,
    available: int,
    receivable: int,
    currency: str,
    key: str,
    reference: str = "",
    at: datetime | None = None,
) -> Transfer | None:
    """The transfer that pays a teacher's debt back from their wallet, if any.

    Args:
        teacher_id: The teacher.
        available: ``wallet:<teacher>`` now (after the earning just credited).
        receivable: ``receivable:<teacher>`` now (zero or below: minus the debt).
        currency: The journal's currency.
        key: The transfer's idempotency key (derive it from the earning).
        reference: What it belongs to (the payment released).
        at: When.

    Returns:
        ``wallet -> receivable`` for the smaller of the debt and the wallet, or
        ``None`` when there is no debt or nothing available.
    """
    amount = min(max(available, 0), max(-receivable, 0))
    if amount == 0:
        return None
    return Transfer(
        key=key,
        debit=account_id(AccountKind.WALLET, teacher_id),
        credit=account_id(AccountKind.RECEIVABLE, teacher_id),
        amount=amount,
        currency=currency,
        kind=TransferKind.RECEIVABLE_SETTLED,
        reference=reference,
        at=at,
    )
