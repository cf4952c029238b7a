"""What a payment gateway returns: orders, payments, refunds, payouts, webhooks.

The :class:`~booking_core.ports.PaymentGateway` protocol speaks in these frozen
records. Amounts on them are whole numbers in the *gateway's* minor units, which
may differ from ISO 4217 (a gateway may count JPY in hundredths): convert with
:func:`to_gateway_units` and :func:`from_gateway_units`.

Webhooks are verified with :func:`verify_webhook_signature`: the HMAC-SHA256 of
the raw body under the shared secret, hex encoded, compared in constant time.

Example:
    >>> from booking_core.money import Money
    >>> to_gateway_units(Money.of("700.00", "INR"), 2)
    70000
    >>> str(from_gateway_units(70000, "INR", 2))
    '700.00 INR'
    >>> body = b'{"id": "evt_1"}'
    >>> signature = sign_webhook(b"secret", body)
    >>> verify_webhook_signature(b"secret", body, signature)
    True
    >>> verify_webhook_signature(b"secret", body + b" ", signature)
    False
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from datetime import datetime
from typing import final

import attrs

from booking_core.errors import InvalidAmountError, InvalidWebhookError
from booking_core.money.amount import Money
from booking_core.money.currency import get_currency

__all__ = [
    "GatewayOrder",
    "GatewayPayment",
    "GatewayPayout",
    "GatewayRefund",
    "GatewayTransaction",
    "GatewayTransfer",
    "PaymentStatus",
    "PayoutStatus",
    "TransactionKind",
    "WebhookEvent",
    "from_gateway_units",
    "parse_webhook",
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
@attrs.frozen(kw_only=True)
class GatewayOrder:
    """An order: what the student is asked to pay.

    Attributes:
        id: The gateway's order id.
        amount: Gateway minor units.
        currency: ISO 4217 code.
        receipt: The host's reference (the booking id).
        payment_id: The payment made for it, once paid.
    """

    id: str
    amount: int
    currency: str
    receipt: str
    payment_id: str | None = None


@final
@attrs.frozen(kw_only=True)
class GatewayPayment:
    """A payment made for an order.

    Attributes:
        id: The gateway's payment id.
        order_id: The order paid.
        amount: Gateway minor units.
        currency: ISO 4217 code.
        status: Authorized, captured or failed.
        refunded: Gateway minor units refunded so far.
    """

    id: str
    order_id: str
    amount: int
    currency: str
    status: PaymentStatus
    refunded: int = 0


@final
@attrs.frozen(kw_only=True)
class GatewayRefund:
    """A refund of part or all of a payment.

    Attributes:
        id: The gateway's refund id.
        payment_id: The payment refunded.
        amount: Gateway minor units.
        currency: ISO 4217 code.
        reference: The host's reference (the ledger's refund key).
    """

    id: str
    payment_id: str
    amount: int
    currency: str
    reference: str


@final
@attrs.frozen(kw_only=True)
class GatewayTransfer:
    """A share of a payment routed to a linked account.

    Attributes:
        id: The gateway's transfer id.
        payment_id: The source payment.
        account: The linked account that receives it.
        amount: Gateway minor units.
        currency: ISO 4217 code.
    """

    id: str
    payment_id: str
    account: str
    amount: int
    currency: str


@final
@attrs.frozen(kw_only=True)
class GatewayPayout:
    """A payout to a fund (bank) account.

    Attributes:
        id: The gateway's payout id.
        reference: The host's reference (the withdrawal id).
        amount: Gateway minor units.
        currency: ISO 4217 code.
        status: The gateway's state.
    """

    id: str
    reference: str
    amount: int
    currency: str
    status: PayoutStatus


@final
@attrs.frozen(kw_only=True)
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

    id: str
    kind: TransactionKind
    reference: str
    amount: int
    currency: str
    status: str
    at: datetime


@final
@attrs.frozen(kw_only=True)
class WebhookEvent:
    """A parsed webhook.

    Attributes:
        id: The event's id (deliveries of one event repeat it).
        event: The event name, e.g. ``payment.captured`` or ``payout.processed``.
        entity_id: The payment or payout the event is about.
        reference: The order id (payments) or the withdrawal id (payouts).
        status: The entity's status the event reports.
    """

    id: str
    event: str
    entity_id: str
    reference: str
    status: str


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


def _secret(secret: bytes | str) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def sign_webhook(secret: bytes | str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``body`` under ``secret`` (what a gateway sends)."""
    return hmac.new(_secret(secret), body, hashlib.sha256).hexdigest()


def verify_webhook_signature(secret: bytes | str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the hex HMAC-SHA256 of the raw ``body``.

    Compared in constant time (:func:`hmac.compare_digest`); a signature of the
    wrong length or with non-hex characters is simply not valid.

    Args:
        secret: The webhook secret shared with the gateway.
        body: The raw request body, exactly as received.
        signature: The signature header.
    """
    expected = sign_webhook(secret, body).encode("ascii")
    given = signature.encode("utf-8", "replace")
    return hmac.compare_digest(expected, given)


_MAX_BODY = 1_000_000


def parse_webhook(body: bytes) -> WebhookEvent:
    """Parse a verified webhook body: a JSON object.

    Its keys are ``id``, ``event``, ``entity``, ``reference`` and ``status``.

    Raises:
        InvalidWebhookError: ``payments.invalid_webhook`` when it is not such
            a JSON object.

    Example:
        >>> parse_webhook(b'{"id": "e1", "event": "payout.processed", '
        ...               b'"entity": "pout_1", "reference": "w1", '
        ...               b'"status": "processed"}').status
        'processed'
    """
    given: object = body
    if not isinstance(given, (bytes, bytearray, str)) or len(given) > _MAX_BODY:
        raise InvalidWebhookError(
            reason=f"a body is JSON text of at most {_MAX_BODY} bytes"
        )
    try:
        data = json.loads(body)
        return WebhookEvent(
            id=str(data["id"]),
            event=str(data["event"]),
            entity_id=str(data["entity"]),
            reference=str(data["reference"]),
            status=str(data["status"]),
        )
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        reason = str(error)[:200]
        raise InvalidWebhookError(reason=f"malformed body ({reason})") from None
