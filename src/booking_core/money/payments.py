"""Captured payments: the aggregate that says where each payment's money is.

A :class:`CapturedPayment` remembers the split of one captured payment, what has
been refunded from each part, and whether the teacher's share has left escrow.
The commands are pure: each returns a :class:`~booking_core.events.Decision`
whose event carries the frozen :class:`~booking_core.money.ledger.Transfer` s
to post (linked, all or nothing) to the ledger.

* :func:`capture_payment`: the payer's money is split: the platform's share to
  ``platform_revenue``, the gateway fee (net) to ``gateway_fees``, its tax to
  ``gateway_tax``, the teacher's share to ``escrow:<teacher>``.
* :func:`release_escrow`: once the session completes, the teacher's share (less
  anything refunded) moves from escrow to ``wallet:<teacher>`` (available).
* Refunds: :func:`booking_core.money.refunds.refund_payment`.
* :func:`check_order`: before an order goes to the gateway, refuse what could
  never settle (a non-positive amount, another currency than the ledger's, a
  booking id reused with other content).

Example:
    >>> from datetime import datetime, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.money import Money, split_payment
    >>> from booking_core.money.ledger import Journal
    >>> from booking_core.money.payments import capture_payment, release_escrow
    >>> now = datetime(2026, 3, 29, 9, tzinfo=timezone.utc)
    >>> journal = Journal("INR")
    >>> captured = capture_payment(
    ...     payment_id="pay_1", teacher_id="m1",
    ...     split=split_payment(Money.of("700.00", "INR")),
    ...     actor=Actor.system(), now=now)
    >>> _ = journal.post_linked(captured.events[0].transfers)
    >>> journal.balance("escrow:m1")
    61348
    >>> released = release_escrow(captured.state, actor=Actor.system(), now=now)
    >>> _ = journal.post_linked(released.events[0].transfers)
    >>> journal.balance("escrow:m1"), journal.balance("wallet:m1")
    (0, 61348)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import (
    identifier,
    non_negative_int,
    utc_instant,
    valid_key,
)
from booking_core.actors import Actor
from booking_core.errors import (
    CurrencyMismatchError,
    InvalidAmountError,
    InvalidTransitionError,
    InvalidValueError,
    OrderKeyReuseError,
)
from booking_core.events import Decision, DomainEvent
from booking_core.money.amount import Money
from booking_core.money.currency import get_currency
from booking_core.money.ledger import AccountKind, Transfer, TransferKind, account_id
from booking_core.money.split import PaymentSplit

__all__ = [
    "BookingPayment",
    "CapturedPayment",
    "EscrowReleased",
    "PaymentCaptured",
    "PendingRefund",
    "capture_payment",
    "check_order",
    "release_escrow",
]


def _captured_at(value: datetime) -> datetime:
    return utc_instant(value, "captured_at")


def _four_parts(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if (
        not isinstance(value, tuple)
        or len(value) != 4
        or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in value)
    ):
        raise InvalidValueError(
            field=attribute.name,
            reason="must be four whole numbers >= 0 (platform, fee, tax, teacher)",
            value=value,
        )


@final
@attrs.frozen(kw_only=True, repr=False)
class CapturedPayment:
    """One captured payment and where its money stands.

    Attributes:
        id: The payment's id (the gateway payment id is a good choice).
        teacher_id: The teacher the payment pays.
        split: How the gross was split at capture.
        captured_at: When it was captured (aware, stored in UTC).
        refunded_parts: Minor units refunded so far from each part, in the order
            of :meth:`~booking_core.money.split.PaymentSplit.minor_parts`
            (platform, gateway fee net, gateway tax, teacher).
        refund_count: How many refunds were made (numbers the refund keys).
        released: Whether the teacher's share left escrow for the wallet.
        version: The stored version (the repository's business).
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=identifier)
    teacher_id: str = attrs.field(validator=identifier)
    split: PaymentSplit
    captured_at: datetime = attrs.field(converter=_captured_at)
    refunded_parts: tuple[int, int, int, int] = attrs.field(
        default=(0, 0, 0, 0), validator=_four_parts
    )
    refund_count: int = attrs.field(default=0, validator=non_negative_int)
    released: bool = False
    version: int = 0

    @property
    def captured(self) -> Money:
        """The gross captured."""
        return self.split.gross

    @property
    def refunded(self) -> Money:
        """Everything refunded so far."""
        return Money(sum(self.refunded_parts), self.split.gross.currency)

    @property
    def refundable(self) -> Money:
        """What may still be refunded: captured minus refunded."""
        return self.captured - self.refunded

    def remaining_parts(self) -> tuple[int, int, int, int]:
        """Each part of the split less what was refunded from it (minor units)."""
        platform, fee, tax, teacher = self.split.minor_parts()
        r_platform, r_fee, r_tax, r_teacher = self.refunded_parts
        return (platform - r_platform, fee - r_fee, tax - r_tax, teacher - r_teacher)

    @property
    def in_escrow(self) -> Money:
        """The teacher's share still waiting in escrow (zero once released)."""
        left = 0 if self.released else self.remaining_parts()[3]
        return Money(left, self.split.gross.currency)


@final
@attrs.frozen(kw_only=True, repr=False)
class PaymentCaptured(DomainEvent):
    """A payment was captured and split; ``transfers`` record where its money went.

    Attributes:
        teacher_id: The teacher paid.
        split: The split.
        transfers: The linked transfers to post.
    """

    __repr__ = fields_repr

    teacher_id: str
    split: PaymentSplit
    transfers: tuple[Transfer, ...]


@final
@attrs.frozen(kw_only=True, repr=False)
class EscrowReleased(DomainEvent):
    """A payment's teacher share left escrow and became available to the teacher.

    Attributes:
        teacher_id: The teacher.
        amount: What moved (zero when everything was refunded first).
        transfers: The transfer to post (none when the amount is zero).
    """

    __repr__ = fields_repr

    teacher_id: str
    amount: Money
    transfers: tuple[Transfer, ...]


def capture_payment(
    *,
    payment_id: str,
    teacher_id: str,
    split: PaymentSplit,
    actor: Actor,
    now: datetime,
) -> Decision[CapturedPayment]:
    """Record a captured payment and the transfers that split its money.

    Args:
        payment_id: The payment's id; the transfer keys derive from it, so
            capturing the same payment twice yields the same transfers (replays).
        teacher_id: The teacher it pays.
        split: From :func:`~booking_core.money.split.split_payment`.
        actor: Who records it (usually the system, from a gateway webhook).
        now: The capture instant.

    Returns:
        The new payment (version 0) and a :class:`PaymentCaptured` whose
        transfers move the gross from ``payments`` into the four parts; parts of
        zero make no transfer.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an empty id.
        NaiveDatetimeError: ``time.naive_datetime`` for a naive ``now``.
    """
    payment = CapturedPayment(
        id=payment_id, teacher_id=teacher_id, split=split, captured_at=now
    )
    currency = split.currency
    escrow = account_id(AccountKind.ESCROW, teacher_id)
    targets = (
        ("platform", AccountKind.PLATFORM_REVENUE.value, TransferKind.CAPTURE_PLATFORM),
        (
            "gateway_fee",
            AccountKind.GATEWAY_FEES.value,
            TransferKind.CAPTURE_GATEWAY_FEE,
        ),
        (
            "gateway_tax",
            AccountKind.GATEWAY_TAX.value,
            TransferKind.CAPTURE_GATEWAY_TAX,
        ),
        ("teacher", escrow, TransferKind.CAPTURE_TEACHER),
    )
    transfers = tuple(
        Transfer(
            key=f"capture/{payment_id}/{name}",
            debit=AccountKind.PAYMENTS.value,
            credit=credit,
            amount=amount,
            currency=currency,
            kind=kind,
            reference=payment_id,
            at=now,
        )
        for (name, credit, kind), amount in zip(
            targets, split.minor_parts(), strict=True
        )
        if amount > 0
    )
    event = PaymentCaptured(
        occurred_at=now,
        actor=actor,
        aggregate_id=payment_id,
        teacher_id=teacher_id,
        split=split,
        transfers=transfers,
    )
    return Decision(state=payment, events=(event,))


def release_escrow(
    payment: CapturedPayment, *, actor: Actor, now: datetime
) -> Decision[CapturedPayment]:
    """Move the payment's teacher share (less refunds) from escrow to the wallet.

    Call it when the session the payment is for completes (or is reviewed).

    Args:
        payment: A payment not released yet.
        actor: Who completes it (recorded on the event).
        now: The release instant.

    Returns:
        The payment marked released and an :class:`EscrowReleased` with the one
        transfer ``escrow:<teacher>`` -> ``wallet:<teacher>`` (none if nothing is
        left).

    Raises:
        InvalidTransitionError: ``invalid_transition`` when it was released.
    """
    if payment.released:
        raise InvalidTransitionError(
            action="release the escrow of",
            kind="payment",
            state="released",
            allowed="captured, not yet released",
        )
    amount = payment.in_escrow
    transfers: tuple[Transfer, ...] = ()
    if amount.amount > 0:
        transfers = (
            Transfer(
                key=f"release/{payment.id}",
                debit=account_id(AccountKind.ESCROW, payment.teacher_id),
                credit=account_id(AccountKind.WALLET, payment.teacher_id),
                amount=amount.amount,
                currency=amount.currency,
                kind=TransferKind.ESCROW_RELEASE,
                reference=payment.id,
                at=now,
            ),
        )
    event = EscrowReleased(
        occurred_at=now,
        actor=actor,
        aggregate_id=payment.id,
        teacher_id=payment.teacher_id,
        amount=amount,
        transfers=transfers,
    )
    return Decision(state=attrs.evolve(payment, released=True), events=(event,))


@final
@attrs.frozen(kw_only=True, repr=False)
class PendingRefund:
    """A refund decided and checked with the ledger, not yet confirmed by the gateway.

    Stored on the :class:`BookingPayment` *before* the gateway is called, so a
    process that dies between the gateway and the ledger leaves it behind and
    :meth:`~booking_core.services.payments.PaymentService.resume` finishes it
    (same key: the gateway applies it once) or compensates it (the gateway
    refused it: the record is as it was before).

    Attributes:
        key: The gateway idempotency key and ledger key prefix
            (``refund/<payment>/<n>``).
        amount: The refund.
        reason: Why, for the audit trail.
        settles: Whether the refund settles the booking: what it leaves of the
            teacher's share is released to the teacher with it, and the record
            closes (a cancellation or outcome refund); ``False`` for an
            explicit partial refund that leaves the record as it is.
    """

    __repr__ = fields_repr

    key: str = attrs.field(validator=valid_key)
    amount: Money
    reason: str = ""
    settles: bool = False


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingPayment:
    """One booking's money: its order, captured payment and what is pending.

    The record :class:`~booking_core.services.payments.PaymentService` keeps per
    booking, in a :class:`~booking_core.ports.BookingPaymentRepository`.

    Attributes:
        id: The booking id.
        teacher_id: The teacher paid.
        amount: The price.
        starts_at: When the booked session starts (for refund tiers).
        order_id: The gateway order, once created.
        payment: The captured payment, once captured.
        pending_refund: A refund decided but not yet confirmed by the gateway
            (:class:`PendingRefund`).
        closed: Settled: the teacher's share was released (or refunded in
            full); only an explicit partial refund may still move money.
        version: The stored version (the repository's business).
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=identifier)
    teacher_id: str = attrs.field(validator=identifier)
    amount: Money
    starts_at: datetime
    order_id: str | None = None
    payment: CapturedPayment | None = None
    pending_refund: PendingRefund | None = None
    closed: bool = False
    version: int = 0


def check_order(
    *,
    booking_id: str,
    teacher_id: str,
    amount: Money,
    ledger_currency: str,
    existing: BookingPayment | None,
) -> BookingPayment | None:
    """Refuse an order that could never settle, before the gateway is called.

    Args:
        booking_id: The booking the order pays (the order's idempotency key).
        teacher_id: The teacher paid.
        amount: The price; positive, in the ledger's currency.
        ledger_currency: The currency of the journal the capture posts to.
        existing: The record already stored for ``booking_id``, if any.

    Returns:
        ``existing`` when the booking's order is opened again with the same
        teacher and amount (a retry: use it, create nothing), ``None`` when
        there is no order yet (create one).

    Raises:
        InvalidAmountError: ``money.invalid_amount`` when ``amount`` is not
            Money above zero (details ``field``, ``reason``, ``value``).
        CurrencyMismatchError: ``money.currency_mismatch`` when it is in
            another currency than the ledger (details ``field``, ``reason``,
            ``expected``, ``value``).
        OrderKeyReuseError: ``payments.idempotency_key_reused`` when
            ``existing`` has another teacher, amount or currency (details
            ``key``, ``differs``, ``existing``, ``requested``).

    Example:
        >>> price = Money.of("700.00", "INR")
        >>> check_order(booking_id="b1", teacher_id="t1", amount=price,
        ...             ledger_currency="INR", existing=None) is None
        True
        >>> check_order(booking_id="b1", teacher_id="t1",
        ...             amount=Money.of("-700.00", "INR"),
        ...             ledger_currency="INR", existing=None)
        Traceback (most recent call last):
        ...
        booking_core.errors.InvalidAmountError: amount is not a valid amount: \
must be above zero: an order must ask for something; got Money(amount=-70000, \
currency='INR')
    """
    given: object = amount
    if not isinstance(given, Money) or amount.amount <= 0:
        raise InvalidAmountError(
            field="amount",
            reason="must be above zero: an order must ask for something",
            value=given,
        )
    expected = get_currency(ledger_currency)
    if amount.currency is not expected:
        raise CurrencyMismatchError(
            action="combine",
            left=amount,
            right=f"the {expected.code} ledger",
            field="amount",
            reason=f"orders are taken in the ledger's currency {expected.code}",
            expected=expected.code,
            value=amount,
        )
    if existing is None:
        return None
    differs = tuple(
        name
        for name, same in (
            ("teacher_id", existing.teacher_id == teacher_id),
            ("currency", existing.amount.currency is amount.currency),
            ("amount", existing.amount.amount == amount.amount),
        )
        if not same
    )
    if differs:
        raise OrderKeyReuseError(
            key=booking_id,
            differs=", ".join(differs),
            fields=differs,
            existing=f"teacher {existing.teacher_id!r}, {existing.amount}",
            requested=f"teacher {teacher_id!r}, {amount}",
        )
    return existing
