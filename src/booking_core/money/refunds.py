"""Refunds: cancellation tiers, the pure refund quote, and carrying a refund out.

A refund is never more than captured minus already refunded. It is split back
across the parts of the payment with :func:`~booking_core.money.allocate`, in
proportion to what is left of each part, so repeated partial refunds can never
take a part below zero and a full refund returns every part exactly. Gateways
keep their fee on refunds (Razorpay does): the fee share of a refund is money the
gateway will not return, so somebody absorbs it, by
:attr:`RefundPolicy.fee_loss_bearer`: the platform (``fee_loss`` account,
default) or the teacher (taken from their available wallet).

How much a cancellation refunds is a :class:`CancellationPolicy`: a teacher who
cancels or does not show refunds in full; a platform cancellation (admin or
system) refunds in full; a student cancellation refunds by tiers of notice
(hours before the start -> share), none by default; a student no-show refunds
``student_no_show_share`` (none by default). :func:`refund_quote` computes it
without changing anything, so hosts can show it before the user confirms;
:func:`refund_payment` carries one refund out.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from decimal import Decimal
    >>> from booking_core.actors import Actor, Role
    >>> from booking_core.money import Money, split_payment
    >>> from booking_core.money.payments import capture_payment
    >>> from booking_core.money.refunds import (
    ...     CancellationPolicy, RefundTier, refund_quote)
    >>> start = datetime(2026, 10, 25, 9, tzinfo=timezone.utc)
    >>> payment = capture_payment(
    ...     payment_id="pay_1", teacher_id="m1",
    ...     split=split_payment(Money.of("700.00", "INR")),
    ...     actor=Actor.system(), now=start - timedelta(days=3)).state
    >>> policy = CancellationPolicy(student_tiers=(
    ...     RefundTier(hours_before=48, share=Decimal(1)),
    ...     RefundTier(hours_before=24, share=Decimal("0.5"))))
    >>> quote = refund_quote(policy, starts_at=start, payments=[payment],
    ...                      now=start - timedelta(hours=30), by=Role.STUDENT)
    >>> str(quote.amount), str(quote.fee_kept)
    ('350.00 INR', '8.26 INR')
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import member, non_negative_int, utc_instant
from booking_core.actors import Actor, Role, require_role
from booking_core.errors import (
    CurrencyMismatchError,
    InvalidValueError,
    RefundExceedsCaptureError,
)
from booking_core.events import Decision, DomainEvent
from booking_core.money._rates import as_rate, check_rounding, scale
from booking_core.money.allocation import allocate
from booking_core.money.amount import Money
from booking_core.money.ledger import AccountKind, Transfer, TransferKind, account_id
from booking_core.money.losses import UncoveredLoss
from booking_core.money.payments import CapturedPayment
from booking_core.money.split import FeeBearer, _require_positive

__all__ = [
    "CancellationPolicy",
    "CancellationReason",
    "PaymentRefunded",
    "RefundBreakdown",
    "RefundPolicy",
    "RefundQuote",
    "RefundQuoteLine",
    "RefundTier",
    "refund_breakdown",
    "refund_payment",
    "refund_quote",
    "refund_share",
]


@final
class CancellationReason(str, enum.Enum):
    """Why a booking ends early: a cancellation or a no-show."""

    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


def _share(value: object) -> Decimal:
    exact = as_rate(value, "share")
    if not 0 <= exact <= 1:
        raise InvalidValueError(
            field="share", reason="must be between 0 and 1 (0 % to 100 %)", value=value
        )
    return value  # type: ignore[return-value]


@final
@attrs.frozen(kw_only=True, repr=False)
class RefundTier:
    """Cancelling at least ``hours_before`` the start refunds ``share`` of the gross.

    Attributes:
        hours_before: Whole hours of notice, at least 0.
        share: The refunded fraction, from ``Decimal(0)`` to ``Decimal(1)``.
    """

    __repr__ = fields_repr

    hours_before: int = attrs.field(validator=non_negative_int)
    share: Decimal = attrs.field(converter=_share)


def _tiers(value: Iterable[RefundTier]) -> tuple[RefundTier, ...]:
    tiers = tuple(value)
    if not all(isinstance(tier, RefundTier) for tier in tiers):
        raise InvalidValueError(
            field="student_tiers", reason="must all be RefundTier", value=tiers
        )
    hours = [tier.hours_before for tier in tiers]
    if len(set(hours)) != len(hours):
        raise InvalidValueError(
            field="student_tiers",
            reason="must not repeat an hours_before",
            value=tiers,
        )
    return tuple(sorted(tiers, key=lambda tier: -tier.hours_before))


def _rounding(value: object) -> str:
    return check_rounding(value, "rounding")


@final
@attrs.frozen(kw_only=True, repr=False)
class CancellationPolicy:
    """How much a cancellation or no-show refunds, as a share of the gross.

    Attributes:
        student_tiers: Notice tiers for student cancellations; the tier with the
            most hours the notice still meets applies; none met refunds nothing.
            Default: no tiers (a student cancellation refunds nothing).
        student_no_show_share: Refunded when the student did not show (0).
        teacher_share: Refunded when the teacher cancels or does not show (1).
        platform_share: Refunded when an admin or the system cancels (1).
        rounding: Rounding of ``share * gross`` to the minor unit (half-up).
    """

    __repr__ = fields_repr

    student_tiers: tuple[RefundTier, ...] = attrs.field(default=(), converter=_tiers)
    student_no_show_share: Decimal = attrs.field(default=Decimal(0), converter=_share)
    teacher_share: Decimal = attrs.field(default=Decimal(1), converter=_share)
    platform_share: Decimal = attrs.field(default=Decimal(1), converter=_share)
    rounding: str = attrs.field(default=decimal.ROUND_HALF_UP, converter=_rounding)


@final
@attrs.frozen(kw_only=True, repr=False)
class RefundPolicy:
    """How refunds are carried out.

    Attributes:
        fee_loss_bearer: Who absorbs the gateway fee the gateway keeps on a
            refund: the platform (``fee_loss`` account, default) or the teacher
            (taken from their available wallet).
        uncovered_loss: Where a loss charged to the teacher goes when their
            wallet cannot cover it (a fee loss, or the teacher's part of a
            refund after release): ``receivable`` (default; the teacher owes
            it, settled from future earnings) or ``platform`` (the platform
            absorbs it); see :mod:`booking_core.money.losses`.
    """

    __repr__ = fields_repr

    fee_loss_bearer: FeeBearer = attrs.field(
        default=FeeBearer.PLATFORM, converter=FeeBearer
    )
    uncovered_loss: UncoveredLoss = attrs.field(
        default=UncoveredLoss.RECEIVABLE, converter=UncoveredLoss
    )


def refund_share(
    policy: CancellationPolicy,
    *,
    starts_at: datetime,
    now: datetime,
    by: Role,
    reason: CancellationReason = CancellationReason.CANCELLED,
) -> Decimal:
    """The share of the gross a cancellation refunds under ``policy``.

    Args:
        policy: The cancellation policy.
        starts_at: When the session or booking starts.
        now: When it is cancelled.
        by: Whose cancellation or no-show it is (admin / system: the platform).
        reason: A cancellation or a no-show.

    Returns:
        A share from 0 to 1.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` for a naive instant.

    Example:
        >>> from datetime import datetime, timezone
        >>> start = datetime(2026, 3, 29, 9, tzinfo=timezone.utc)
        >>> refund_share(CancellationPolicy(), starts_at=start, now=start,
        ...              by=Role.TEACHER, reason=CancellationReason.NO_SHOW)
        Decimal('1')
    """
    start = utc_instant(starts_at, "starts_at")
    moment = utc_instant(now, "now")
    role = member(Role, by, "by")
    if role is Role.TEACHER:
        return policy.teacher_share
    if role is not Role.STUDENT:
        return policy.platform_share
    if member(CancellationReason, reason, "reason") is CancellationReason.NO_SHOW:
        return policy.student_no_show_share
    notice = start - moment
    for tier in policy.student_tiers:
        if notice >= timedelta(hours=tier.hours_before):
            return tier.share
    return Decimal(0)


@final
@attrs.frozen(kw_only=True, repr=False)
class RefundBreakdown:
    """Where one refund's money comes from.

    ``platform + teacher + gateway_fee == amount``.

    Attributes:
        amount: The refund.
        platform: Taken back from the platform's share.
        teacher: Taken back from the teacher's share.
        gateway_fee: The gateway fee share (tax included) the gateway keeps;
            absorbed by ``fee_loss_bearer``.
        fee_loss_bearer: Who absorbs ``gateway_fee``.
        parts: The refund per split part in minor units (platform, fee net,
            tax, teacher).
    """

    __repr__ = fields_repr

    amount: Money
    platform: Money
    teacher: Money
    gateway_fee: Money
    fee_loss_bearer: FeeBearer
    parts: tuple[int, int, int, int]


def refund_breakdown(
    payment: CapturedPayment, amount: Money, policy: RefundPolicy = RefundPolicy()
) -> RefundBreakdown:
    """Split a refund of ``amount`` across what is left of the payment's parts.

    Args:
        payment: The captured payment.
        amount: The refund, above zero and at most :attr:`CapturedPayment.refundable`.
        policy: Who bears the lost gateway fee.

    Returns:
        The breakdown (``allocate`` of ``amount`` by the remaining parts).

    Raises:
        InvalidAmountError: ``money.invalid_amount`` when ``amount`` is not
            positive Money.
        CurrencyMismatchError: ``money.currency_mismatch`` for another currency.
        RefundExceedsCaptureError: ``money.refund_exceeds_capture`` when it is
            more than captured minus refunded.
    """
    _require_positive(amount, "amount")
    if amount.currency is not payment.captured.currency:
        raise CurrencyMismatchError(
            action="refund", left=amount, right=payment.captured
        )
    refundable = payment.refundable
    if amount.amount > refundable.amount:
        raise RefundExceedsCaptureError(
            amount=amount,
            payment_id=payment.id,
            captured=payment.captured,
            refunded=payment.refunded,
            refundable=refundable,
        )
    platform, fee, tax, teacher = allocate(amount.amount, payment.remaining_parts())
    currency = amount.currency
    return RefundBreakdown(
        amount=amount,
        platform=Money(platform, currency),
        teacher=Money(teacher, currency),
        gateway_fee=Money(fee + tax, currency),
        fee_loss_bearer=policy.fee_loss_bearer,
        parts=(platform, fee, tax, teacher),
    )


@final
@attrs.frozen(kw_only=True, repr=False)
class PaymentRefunded(DomainEvent):
    """Part or all of a payment was refunded.

    Attributes:
        amount: The refund.
        breakdown: Where it came from.
        reason: Why (free text for the audit trail).
        transfers: The linked transfers to post.
    """

    __repr__ = fields_repr

    amount: Money
    breakdown: RefundBreakdown
    reason: str
    transfers: tuple[Transfer, ...]


def refund_payment(
    payment: CapturedPayment,
    amount: Money,
    *,
    policy: RefundPolicy = RefundPolicy(),
    actor: Actor,
    now: datetime,
    reason: str = "",
) -> Decision[CapturedPayment]:
    """Refund ``amount`` of ``payment``, split back across its parts.

    The platform's part comes from ``platform_revenue``; the teacher's part from
    ``escrow:<teacher>`` before release or ``wallet:<teacher>`` after it; the lost
    gateway fee from ``fee_loss`` (platform bears it) or ``wallet:<teacher>``.
    Everything goes to ``refunds``. Post the event's transfers linked: if the
    teacher's wallet cannot cover its part, the ledger refuses them all with
    :class:`~booking_core.errors.InsufficientFundsError`; pass them through
    :func:`~booking_core.money.losses.cover_wallet_shortfall` with
    ``policy.uncovered_loss`` first (as
    :class:`~booking_core.services.payments.PaymentService` does) to post
    what the wallet cannot cover as a receivable or a platform loss.

    Args:
        payment: The captured payment.
        amount: The refund (see :func:`refund_breakdown`).
        policy: Who bears the lost gateway fee.
        actor: An admin or the system (teacher and student cancellations are
            refunded by the service acting as the system).
        now: The refund instant.
        reason: Why, for the audit trail.

    Returns:
        The payment with the refund recorded and a :class:`PaymentRefunded`.

    Raises:
        PermissionDeniedError: ``permission_denied`` for students and teachers.
        InvalidAmountError: ``money.invalid_amount``.
        CurrencyMismatchError: ``money.currency_mismatch``.
        RefundExceedsCaptureError: ``money.refund_exceeds_capture``.
    """
    require_role(actor, {Role.ADMIN, Role.SYSTEM}, action="refund a payment")
    breakdown = refund_breakdown(payment, amount, policy)
    number = payment.refund_count + 1
    teacher = payment.teacher_id
    teacher_source = account_id(
        AccountKind.WALLET if payment.released else AccountKind.ESCROW, teacher
    )
    fee_source = (
        AccountKind.FEE_LOSS.value
        if policy.fee_loss_bearer is FeeBearer.PLATFORM
        else account_id(AccountKind.WALLET, teacher)
    )
    legs = (
        (
            "platform",
            AccountKind.PLATFORM_REVENUE.value,
            breakdown.platform.amount,
            TransferKind.REFUND_PLATFORM,
        ),
        (
            "teacher",
            teacher_source,
            breakdown.teacher.amount,
            TransferKind.REFUND_TEACHER,
        ),
        (
            "fee_loss",
            fee_source,
            breakdown.gateway_fee.amount,
            TransferKind.REFUND_FEE_LOSS,
        ),
    )
    transfers = tuple(
        Transfer(
            key=f"refund/{payment.id}/{number}/{name}",
            debit=debit,
            credit=AccountKind.REFUNDS.value,
            amount=minor,
            currency=amount.currency,
            kind=kind,
            reference=payment.id,
            at=now,
        )
        for name, debit, minor, kind in legs
        if minor > 0
    )
    done, more = payment.refunded_parts, breakdown.parts
    refunded = (
        done[0] + more[0],
        done[1] + more[1],
        done[2] + more[2],
        done[3] + more[3],
    )
    state = attrs.evolve(
        payment,
        refunded_parts=refunded,
        refund_count=number,
    )
    event = PaymentRefunded(
        occurred_at=now,
        actor=actor,
        aggregate_id=payment.id,
        amount=amount,
        breakdown=breakdown,
        reason=reason,
        transfers=transfers,
    )
    return Decision(state=state, events=(event,))


@final
@attrs.frozen(kw_only=True, repr=False)
class RefundQuoteLine:
    """The refund one payment would get.

    Attributes:
        payment_id: The payment.
        amount: Its refund (zero when nothing is due or left).
        breakdown: Where the refund would come from, or ``None`` when zero.
    """

    __repr__ = fields_repr

    payment_id: str
    amount: Money
    breakdown: RefundBreakdown | None


@final
@attrs.frozen(kw_only=True, repr=False)
class RefundQuote:
    """What a cancellation would refund, before anything is done.

    Attributes:
        share: The share of each gross refunded under the policy.
        amount: The total refund.
        fee_kept: The gateway fee share of the refund that the gateway keeps
            (absorbed by the fee-loss bearer).
        lines: One line per payment.
    """

    __repr__ = fields_repr

    share: Decimal
    amount: Money
    fee_kept: Money
    lines: tuple[RefundQuoteLine, ...]


def refund_quote(
    policy: CancellationPolicy,
    *,
    starts_at: datetime,
    payments: Sequence[CapturedPayment],
    now: datetime,
    by: Role,
    reason: CancellationReason = CancellationReason.CANCELLED,
    refund_policy: RefundPolicy = RefundPolicy(),
) -> RefundQuote:
    """Quote the refund of a cancellation or no-show; pure, changes nothing.

    Each payment refunds ``share * gross`` (rounded by ``policy.rounding``),
    capped at what is still refundable.

    Args:
        policy: The cancellation policy.
        starts_at: When the booked session starts.
        payments: The booking's captured payments (at least one, one currency).
        now: When it is cancelled.
        by: Whose cancellation or no-show it is.
        reason: A cancellation or a no-show.
        refund_policy: Who would bear the lost gateway fee.

    Returns:
        The share, the total, the fee kept and a line per payment.

    Raises:
        InvalidValueError: ``input.invalid_value`` when ``payments`` is empty.
        CurrencyMismatchError: ``money.currency_mismatch`` for mixed currencies.
        NaiveDatetimeError: ``time.naive_datetime`` for a naive instant.
    """
    found = tuple(payments)
    if not found:
        raise InvalidValueError(
            field="payments", reason="must name at least one payment", value=found
        )
    share = refund_share(policy, starts_at=starts_at, now=now, by=by, reason=reason)
    exact = Fraction(share)
    currency = found[0].captured.currency
    total = Money.zero(currency)
    fee_kept = Money.zero(currency)
    lines = []
    for payment in found:
        wanted = scale(payment.captured.amount, exact, policy.rounding)
        amount = Money(
            min(wanted, payment.refundable.amount), payment.captured.currency
        )
        total = total + amount
        breakdown = None
        if amount.amount > 0:
            breakdown = refund_breakdown(payment, amount, refund_policy)
            fee_kept = fee_kept + breakdown.gateway_fee
        lines.append(
            RefundQuoteLine(payment_id=payment.id, amount=amount, breakdown=breakdown)
        )
    return RefundQuote(share=share, amount=total, fee_kept=fee_kept, lines=tuple(lines))
