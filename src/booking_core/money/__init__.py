"""Money: exact amounts, allocation, payment split, double-entry ledger, refunds.

* :class:`Money` (:mod:`~booking_core.money.amount`) and the ISO 4217 table
  (:mod:`~booking_core.money.currency`);
* :func:`allocate` (:mod:`~booking_core.money.allocation`): largest remainder;
* :func:`split_payment` (:mod:`~booking_core.money.split`): commission, gateway fee,
  teacher share;
* :mod:`~booking_core.money.ledger`: accounts, idempotent transfers, the journal,
  teacher wallets, captured payments and escrow release;
* :mod:`~booking_core.money.refunds`: cancellation tiers, refund quotes, refunds.

Example:
    >>> from booking_core.money import Money, allocate, split_payment
    >>> split = split_payment(Money.of("700.00", "INR"))
    >>> sum((m for _, m in split.parts()), Money.zero("INR")) == split.gross
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from booking_core import _lazy

if TYPE_CHECKING:
    from booking_core.money.allocation import (
        allocate,
    )
    from booking_core.money.amount import (
        Money,
    )
    from booking_core.money.currency import (
        Currency,
        get_currency,
    )
    from booking_core.money.ledger import (
        AccountKind,
        Journal,
        TeacherWallet,
        Transfer,
        TransferKind,
        account_id,
        teacher_wallet,
    )
    from booking_core.money.payments import (
        CapturedPayment,
        EscrowReleased,
        PaymentCaptured,
        capture_payment,
        release_escrow,
    )
    from booking_core.money.refunds import (
        CancellationPolicy,
        CancellationReason,
        PaymentRefunded,
        RefundBreakdown,
        RefundPolicy,
        RefundQuote,
        RefundTier,
        refund_payment,
        refund_quote,
    )
    from booking_core.money.split import (
        FeeBearer,
        FeeSchedule,
        GatewayFee,
        PaymentSplit,
        SplitPolicy,
        split_payment,
    )

_EXPORTS: dict[str, tuple[str, ...]] = {
    "allocation": ("allocate",),
    "amount": ("Money",),
    "currency": (
        "Currency",
        "get_currency",
    ),
    "ledger": (
        "AccountKind",
        "Journal",
        "TeacherWallet",
        "Transfer",
        "TransferKind",
        "account_id",
        "teacher_wallet",
    ),
    "payments": (
        "CapturedPayment",
        "EscrowReleased",
        "PaymentCaptured",
        "capture_payment",
        "release_escrow",
    ),
    "refunds": (
        "CancellationPolicy",
        "CancellationReason",
        "PaymentRefunded",
        "RefundBreakdown",
        "RefundPolicy",
        "RefundQuote",
        "RefundTier",
        "refund_payment",
        "refund_quote",
    ),
    "split": (
        "FeeBearer",
        "FeeSchedule",
        "GatewayFee",
        "PaymentSplit",
        "SplitPolicy",
        "split_payment",
    ),
}

__all__ = [  # noqa: RUF022 -- grouped by submodule, as in _EXPORTS
    "allocate",
    "Money",
    "Currency",
    "get_currency",
    "AccountKind",
    "Journal",
    "TeacherWallet",
    "Transfer",
    "TransferKind",
    "account_id",
    "teacher_wallet",
    "CapturedPayment",
    "EscrowReleased",
    "PaymentCaptured",
    "capture_payment",
    "release_escrow",
    "CancellationPolicy",
    "CancellationReason",
    "PaymentRefunded",
    "RefundBreakdown",
    "RefundPolicy",
    "RefundQuote",
    "RefundTier",
    "refund_payment",
    "refund_quote",
    "FeeBearer",
    "FeeSchedule",
    "GatewayFee",
    "PaymentSplit",
    "SplitPolicy",
    "split_payment",
]


def __getattr__(name: str) -> Any:
    return _lazy.load(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
