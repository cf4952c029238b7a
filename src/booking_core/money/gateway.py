"""What a payment gateway returns: orders, payments, refunds, payouts, webhooks.

The :class:`~booking_core.ports.PaymentGateway` protocol speaks in these frozen
records. Amounts on them are whole numbers in the *gateway's* minor units, which
may differ from ISO 4217 (a gateway may count JPY in hundredths): convert with
:func:`to_gateway_units` and :func:`from_gateway_units`.

Webhooks (signatures, claims, de-duplication) are in
:mod:`booking_core.money.webhooks`; :func:`sign_webhook`,
:func:`sign_webhook` and :func:`verify_webhook_signature` are importable from
here too. A captured payment carries
the fee and tax the gateway kept; :func:`reported_fee` hands them to the split.

Example:
    >>> from booking_core.money import Money
    >>> to_gateway_units(Money.of("700.00", "INR"), 2)
    70000
    >>> str(from_gateway_units(70000, "INR", 2))
    '700.00 INR'
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import positive_int
from booking_core.errors import (
    InvalidAmountError,
    InvalidValueError,
)
from booking_core.money.amount import Money
from booking_core.money.currency import get_currency
from booking_core.money.split import GatewayFee

# The webhook functions live in booking_core.money.webhooks; these names stay
# importable from here too.
from booking_core.money.webhooks import sign_webhook, verify_webhook_signature

__all__ = [
    "GatewayOrder",
    "GatewayPayment",
    "GatewayPayout",
    "GatewayRefund",
    "GatewayTransaction",
    "GatewayTransfer",
    "PaymentStatus",
    "PayoutStatus",
    "RefundStatus",
    "RetryPolicy",
    "TransactionKind",
    "from_gateway_units",
    "reported_fee",
    "sign_webhook",
    "to_gateway_units",
    "verify_webhook_signature",
]


@final
class PaymentStatus(str, enum.Enum):
    """A gateway payment's state: authorized (capture pending), captured, failed."""

    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    FAILED = "failed"


@final
class RefundStatus(str, enum.Enum):
    """A refund's state at the gateway: pending, processed or failed."""

    PENDING = "pending"
    PROCESSED = "processed"
    FAILED = "failed"


@final
class PayoutStatus(str, enum.Enum):
    """A payout's state at the gateway (Razorpay's names).

    In flight, in order: pending, queued, scheduled, processing. Final:
    processed (which may rarely become reversed), reversed, cancelled,
    rejected, failed.
    """

    PENDING = "pending"
    QUEUED = "queued"
    SCHEDULED = "scheduled"
    PROCESSING = "processing"
    PROCESSED = "processed"
    REVERSED = "reversed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    FAILED = "failed"

    @property
    def in_flight(self) -> bool:
        """Whether the payout has not settled yet."""
        return _RANK[self] < _RANK[PayoutStatus.PROCESSED]

    @property
    def voided(self) -> bool:
        """Whether the payout ended without paying (cancelled, rejected, failed)."""
        return self in _VOIDED

    def may_become(self, new: PayoutStatus) -> bool:
        """Whether a report of ``new`` moves this status forward.

        In-flight states only move forward; processed may only become
        reversed; reversed, cancelled, rejected and failed never change. A late
        or out-of-order report is therefore ignored.

        Example:
            >>> PayoutStatus.QUEUED.may_become(PayoutStatus.PENDING)
            False
            >>> PayoutStatus.PROCESSED.may_become(PayoutStatus.REVERSED)
            True
        """
        if self is PayoutStatus.PROCESSED:
            return new is PayoutStatus.REVERSED
        return self.in_flight and _RANK[new] > _RANK[self]


_RANK = {
    PayoutStatus.PENDING: 0,
    PayoutStatus.QUEUED: 1,
    PayoutStatus.SCHEDULED: 2,
    PayoutStatus.PROCESSING: 3,
    PayoutStatus.PROCESSED: 4,
    PayoutStatus.REVERSED: 5,
    PayoutStatus.CANCELLED: 5,
    PayoutStatus.REJECTED: 5,
    PayoutStatus.FAILED: 5,
}
_VOIDED = frozenset(
    {PayoutStatus.CANCELLED, PayoutStatus.REJECTED, PayoutStatus.FAILED}
)


@final
class TransactionKind(str, enum.Enum):
    """What a settled gateway transaction is."""

    PAYMENT = "payment"
    REFUND = "refund"
    PAYOUT = "payout"


@final
@attrs.frozen(kw_only=True, repr=False)
class GatewayOrder:
    """An order: what the student is asked to pay.

    Attributes:
        id: The gateway's order id.
        amount: Gateway minor units.
        currency: ISO 4217 code.
        receipt: The host's reference (the booking id).
        payment_id: The payment made for it, once paid.
    """

    __repr__ = fields_repr

    id: str
    amount: int
    currency: str
    receipt: str
    payment_id: str | None = None


@final
@attrs.frozen(kw_only=True, repr=False)
class GatewayPayment:
    """A payment made for an order.

    Once captured, a gateway reports what it kept: ``fee`` (tax included,
    Razorpay's ``fee``) and ``tax`` (the GST part), both in gateway minor units,
    both or neither. :func:`reported_fee` turns them into the
    :class:`~booking_core.money.split.GatewayFee` the split uses as it is.

    Attributes:
        id: The gateway's payment id.
        order_id: The order paid.
        amount: Gateway minor units.
        currency: ISO 4217 code.
        status: Authorized, captured or failed.
        refunded: Gateway minor units refunded so far.
        fee: The fee the gateway kept, tax included (gateway minor units), or
            ``None`` when it did not report one.
        tax: The tax inside ``fee`` (gateway minor units), or ``None``.

    Raises:
        InvalidAmountError: ``money.invalid_amount`` when only one of ``fee``
            and ``tax`` is given, either is negative, or ``tax`` exceeds
            ``fee``.
    """

    __repr__ = fields_repr

    id: str
    order_id: str
    amount: int
    currency: str
    status: PaymentStatus
    refunded: int = 0
    fee: int | None = None
    tax: int | None = None

    def __attrs_post_init__(self) -> None:
        fee, tax = self.fee, self.tax
        if fee is None and tax is None:
            return
        if fee is None or tax is None:
            raise InvalidAmountError(
                field="fee" if fee is None else "tax",
                reason="a gateway reports fee and tax together, or neither",
                value=None,
            )
        given: tuple[tuple[str, object], ...] = (("fee", fee), ("tax", tax))
        for field, value in given:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidAmountError(
                    field=field,
                    reason="must be whole gateway minor units of at least zero",
                    value=value,
                )
        if tax > fee:
            raise InvalidAmountError(
                field="tax", reason=f"exceeds the whole fee {fee}", value=tax
            )


@final
@attrs.frozen(kw_only=True, repr=False)
class GatewayRefund:
    """A refund of part or all of a payment.

    Attributes:
        id: The gateway's refund id.
        payment_id: The payment refunded.
        amount: Gateway minor units.
        currency: ISO 4217 code.
        reference: The host's reference (the ledger's refund key).
        status: The refund's state at the gateway (processed by default).
    """

    __repr__ = fields_repr

    id: str
    payment_id: str
    amount: int
    currency: str
    reference: str
    status: RefundStatus = RefundStatus.PROCESSED


@final
@attrs.frozen(kw_only=True, repr=False)
class GatewayTransfer:
    """A share of a payment routed to a linked account.

    Attributes:
        id: The gateway's transfer id.
        payment_id: The source payment.
        account: The linked account that receives it.
        amount: Gateway minor units.
        currency: ISO 4217 code.
    """

    __repr__ = fields_repr

    id: str
    payment_id: str
    account: str
    amount: int
    currency: str


@final
@attrs.frozen(kw_only=True, repr=False)
class GatewayPayout:
    """A payout to a fund (bank) account.

    Attributes:
        id: The gateway's payout id.
        reference: The host's reference (the withdrawal id).
        amount: Gateway minor units.
        currency: ISO 4217 code.
        status: The gateway's state.
    """

    __repr__ = fields_repr

    id: str
    reference: str
    amount: int
    currency: str
    status: PayoutStatus


@final
@attrs.frozen(kw_only=True, repr=False)
class GatewayTransaction:
    """One settled money movement as the gateway reports it (for reconciliation).

    Attributes:
        id: The gateway's id of the payment, refund or payout.
        kind: Payment, refund or payout.
        reference: The id the ledger knows it by (payment id, refund key,
            withdrawal id).
        amount: Gateway minor units.
        currency: ISO 4217 code.
        status: ``captured`` (payments), ``processed`` (refunds), ``processed``
            or ``reversed`` (payouts).
        at: When it settled.
    """

    __repr__ = fields_repr

    id: str
    kind: TransactionKind
    reference: str
    amount: int
    currency: str
    status: str
    at: datetime


def to_gateway_units(money: Money, units: int) -> int:
    """``money`` in a gateway's minor units (``units`` decimals).

    Raises:
        InvalidAmountError: ``money.invalid_amount`` when the gateway cannot
            represent the amount exactly (fewer decimals than needed).

    Example:
        >>> to_gateway_units(Money.of("1500", "JPY"), 2)
        150000
    """
    shift = units - int(get_currency(money.currency).minor_unit)
    factor: int = 10 ** abs(shift)
    if shift >= 0:
        return money.amount * factor
    whole, rest = divmod(money.amount, factor)
    if rest:
        raise InvalidAmountError(
            field="amount",
            reason=f"the gateway counts {money.currency} in {units} decimals",
            value=str(money),
        )
    return whole


def from_gateway_units(amount: int, currency: str, units: int) -> Money:
    """A gateway amount (``units`` decimals) as :class:`Money`.

    Raises:
        InvalidAmountError: ``money.invalid_amount`` when it has more precision
            than the currency allows.

    Example:
        >>> str(from_gateway_units(150000, "JPY", 2))
        '1500 JPY'
    """
    code = get_currency(currency).code
    shift = int(get_currency(code).minor_unit) - units
    factor: int = 10 ** abs(shift)
    if shift >= 0:
        return Money(amount * factor, code)
    whole, rest = divmod(amount, factor)
    if rest:
        raise InvalidAmountError(
            field="amount",
            reason=f"{code} has fewer decimals than the gateway's {units}",
            value=amount,
        )
    return Money(whole, code)


def reported_fee(payment: GatewayPayment, units: int) -> GatewayFee | None:
    """The fee and tax ``payment`` reports, as Money, or ``None`` without them.

    Pass the result to :func:`~booking_core.money.split.split_payment`: the
    split then uses these figures exactly and is marked
    :attr:`~booking_core.money.split.FeeSource.REPORTED`; with ``None`` it
    estimates them from the policy's fee schedule and is marked
    :attr:`~booking_core.money.split.FeeSource.ESTIMATED`. A report the currency
    cannot hold exactly (a gateway counting JPY in hundredths reporting a
    fee of 12.34 JPY) is not used: ``None``, so the split is marked estimated
    rather than rounded silently.

    Args:
        payment: A payment as the gateway returned it.
        units: The gateway's decimals for its currency
            (:meth:`~booking_core.ports.PaymentGateway.minor_units`).

    Example:
        >>> paid = GatewayPayment(id="pay_1", order_id="order_1", amount=70000,
        ...     currency="INR", status=PaymentStatus.CAPTURED, fee=1652, tax=252)
        >>> fee = reported_fee(paid, 2)
        >>> str(fee.fee), str(fee.tax)
        ('16.52 INR', '2.52 INR')
        >>> reported_fee(attrs.evolve(paid, fee=None, tax=None), 2) is None
        True
    """
    if payment.fee is None or payment.tax is None:
        return None
    try:
        fee = from_gateway_units(payment.fee, payment.currency, units)
        tax = from_gateway_units(payment.tax, payment.currency, units)
    except InvalidAmountError:
        return None
    return GatewayFee(fee=fee, tax=tax)


def _seconds(value: object) -> timedelta:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise InvalidValueError(
            field="delay", reason="must be a timedelta >= 0", value=value
        )
    return value


@final
@attrs.frozen(kw_only=True, repr=False)
class RetryPolicy:
    """How often and how patiently a gateway call is retried (same key each time).

    Attributes:
        attempts: Calls in all, at least 1 (default 4).
        first_delay: The wait after the first failure (0.2 s).
        factor: Each wait is this many times the previous one (2).
        max_delay: No wait is longer (5 s).
    """

    __repr__ = fields_repr

    attempts: int = attrs.field(default=4, validator=positive_int)
    first_delay: timedelta = attrs.field(
        default=timedelta(seconds=0.2), converter=_seconds
    )
    factor: int = attrs.field(default=2, validator=positive_int)
    max_delay: timedelta = attrs.field(default=timedelta(seconds=5), converter=_seconds)

    def delays(self) -> tuple[float, ...]:
        """The waits in seconds between the attempts (``attempts - 1`` of them).

        Example:
            >>> RetryPolicy(attempts=4).delays()
            (0.2, 0.4, 0.8)
        """
        cap = self.max_delay.total_seconds()
        wait = min(self.first_delay.total_seconds(), cap)
        waits: list[float] = []
        for _ in range(self.attempts - 1):
            waits.append(wait)
            wait = min(wait * self.factor, cap)  # capped each step: never overflows
        return tuple(waits)
