"""Split a payment into platform commission, gateway fee and teacher share.

``gross = platform share + gateway fee (incl. its tax) + teacher share``, exactly,
in every currency. The commission is a rate of the gross (default 10 %, rounded
half-up to the minor unit). The gateway fee is either what the gateway reported
after capture (Razorpay's ``fee`` includes the 18 % GST and ``tax`` is the GST
part; those figures are used as they are) or, before capture, an estimate from a
:class:`FeeSchedule` (percentage + fixed + tax on the fee) for quotes. Who bears
the fee is :attr:`SplitPolicy.fee_bearer`: the teacher (default: the fee comes out
of the teacher's share) or the platform (it comes out of the commission).

A split never has a negative part; a payment too small to cover the commission
and the fee is refused with
:class:`~booking_core.errors.AmountTooSmallForFeesError`.

Example:
    >>> from booking_core.money import Money, split_payment
    >>> from booking_core.money.split import GatewayFee, SplitPolicy, FeeBearer
    >>> fee = GatewayFee(fee=Money.of("16.52", "INR"), tax=Money.of("2.52", "INR"))
    >>> split = split_payment(Money.of("700.00", "INR"), SplitPolicy(), fee)
    >>> str(split.commission), str(split.gateway_fee), str(split.teacher_share)
    ('70.00 INR', '16.52 INR', '613.48 INR')
    >>> platform_pays = SplitPolicy(fee_bearer=FeeBearer.PLATFORM)
    >>> str(split_payment(Money.of("700.00", "INR"), platform_pays, fee).teacher_share)
    '630.00 INR'
"""

from __future__ import annotations

import decimal
import enum
from decimal import Decimal
from fractions import Fraction
from typing import Any, final

import attrs

from booking_core._repr import fields_repr
from booking_core.errors import (
    AmountTooSmallForFeesError,
    CurrencyMismatchError,
    InvalidAmountError,
    InvalidValueError,
)
from booking_core.money._rates import as_rate, check_rounding, scale
from booking_core.money.amount import Money
from booking_core.money.currency import Currency

__all__ = [
    "FeeBearer",
    "FeeSchedule",
    "FeeSource",
    "GatewayFee",
    "PaymentSplit",
    "SplitPart",
    "SplitPolicy",
    "split_payment",
]

_make = Money._make


@final
class FeeBearer(str, enum.Enum):
    """Who absorbs a gateway fee: the teacher's share or the platform's."""

    TEACHER = "teacher"
    PLATFORM = "platform"


@final
class FeeSource(str, enum.Enum):
    """Where a split's gateway fee came from."""

    REPORTED = "reported"
    """The gateway reported it after capture (used as it is)."""
    ESTIMATED = "estimated"
    """Estimated from a :class:`FeeSchedule` before capture (quotes)."""


@final
class SplitPart(str, enum.Enum):
    """The named parts of a split, in the order of :meth:`PaymentSplit.parts`."""

    PLATFORM = "platform"
    GATEWAY_FEE = "gateway_fee"
    GATEWAY_TAX = "gateway_tax"
    TEACHER = "teacher"


def _unit_rate(value: Any, field: str) -> Decimal:
    exact = as_rate(value, field)
    if not 0 <= exact <= 1:
        raise InvalidValueError(
            field=field, reason="must be between 0 and 1 (0 % to 100 %)", value=value
        )
    return value  # type: ignore[no-any-return]


def _percent(value: Any) -> Decimal:
    return _unit_rate(value, "percent")


def _tax_rate(value: Any) -> Decimal:
    return _unit_rate(value, "tax_rate")


def _commission_rate(value: Any) -> Decimal:
    return _unit_rate(value, "commission_rate")


def _rounding(value: object) -> str:
    return check_rounding(value, "rounding")


def _non_negative_money(
    instance: object, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if not isinstance(value, Money) or value.amount < 0:
        raise InvalidAmountError(
            field=attribute.name, reason="must be Money of at least zero", value=value
        )


@final
@attrs.frozen(kw_only=True, repr=False)
class GatewayFee:
    """A gateway's fee on one payment; ``fee`` includes ``tax``.

    Attributes:
        fee: The whole fee the gateway keeps (Razorpay ``fee``), tax included.
        tax: The tax part of it (Razorpay ``tax``, the 18 % GST).

    Example:
        >>> GatewayFee(fee=Money.of("16.52", "INR"), tax=Money.of("2.52", "INR")).net
        Money(amount=1400, currency='INR')
    """

    __repr__ = fields_repr

    fee: Money = attrs.field(validator=_non_negative_money)
    tax: Money = attrs.field(validator=_non_negative_money)
    # (fee, tax, currency) for split_payment's hot path; set after validation
    _minor: tuple[int, int, Currency] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.tax.currency is not self.fee.currency:
            raise CurrencyMismatchError(action="combine", left=self.fee, right=self.tax)
        if self.tax.amount > self.fee.amount:
            raise InvalidAmountError(
                field="tax", reason=f"exceeds the whole fee {self.fee}", value=self.tax
            )
        object.__setattr__(
            self, "_minor", (self.fee.amount, self.tax.amount, self.fee.currency)
        )

    @property
    def net(self) -> Money:
        """The fee without its tax."""
        return self.fee - self.tax


@final
@attrs.frozen(kw_only=True, repr=False)
class FeeSchedule:
    """How a gateway prices a payment, to estimate its fee before capture.

    ``net fee = round(gross * percent) + fixed``; ``tax = round(net fee *
    tax_rate)``; ``fee = net fee + tax``. The defaults are Razorpay India's
    standard domestic pricing: 2 % and 18 % GST on the fee.

    Attributes:
        percent: The fee rate of the gross, as a fraction (``Decimal("0.02")``).
        fixed: A fixed fee per payment, or ``None`` for none.
        tax_rate: The tax rate on the fee (``Decimal("0.18")``).
        rounding: The :mod:`decimal` rounding mode of both steps (half-up).
    """

    __repr__ = fields_repr

    percent: Decimal = attrs.field(default=Decimal("0.02"), converter=_percent)
    fixed: Money | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(_non_negative_money),
    )
    tax_rate: Decimal = attrs.field(default=Decimal("0.18"), converter=_tax_rate)
    rounding: str = attrs.field(default=decimal.ROUND_HALF_UP, converter=_rounding)
    # (percent numerator, denominator, tax numerator, denominator, half-up?)
    _exact: tuple[int, int, int, int, bool] = attrs.field(
        init=False, eq=False, repr=False
    )

    @_exact.default
    def _exact_parts(self) -> tuple[int, int, int, int, bool]:
        percent, tax = Fraction(self.percent), Fraction(self.tax_rate)
        return (
            percent.numerator,
            percent.denominator,
            tax.numerator,
            tax.denominator,
            self.rounding == decimal.ROUND_HALF_UP,
        )

    def estimate(self, gross: Money) -> GatewayFee:
        """The fee this schedule charges on ``gross``.

        Raises:
            CurrencyMismatchError: ``money.currency_mismatch`` when ``fixed`` is in
                another currency than ``gross``.

        Example:
            >>> str(FeeSchedule().estimate(Money.of("700.00", "INR")).fee)
            '16.52 INR'
        """
        # split_payment inlines the same arithmetic on its hot path; the
        # properties check that both agree.
        net = scale(gross.amount, Fraction(self.percent), self.rounding)
        if self.fixed is not None:
            if self.fixed.currency is not gross.currency:
                raise CurrencyMismatchError(
                    action="charge", left=self.fixed, right=gross
                )
            net += self.fixed.amount
        tax = scale(net, Fraction(self.tax_rate), self.rounding)
        currency = gross.currency
        return GatewayFee(fee=_make(net + tax, currency), tax=_make(tax, currency))


@final
@attrs.frozen(kw_only=True, repr=False)
class SplitPolicy:
    """How payments are split.

    Attributes:
        commission_rate: The platform's commission as a fraction of the gross
            (default ``Decimal("0.10")``, 10 %).
        rounding: The :mod:`decimal` rounding mode of the commission (half-up).
        fee_bearer: Who bears the gateway fee (default the teacher).
        fee_schedule: Estimates the gateway fee when none is reported.
        version: Recorded on every split, so a split says which rules made it.
    """

    __repr__ = fields_repr

    commission_rate: Decimal = attrs.field(
        default=Decimal("0.10"), converter=_commission_rate
    )
    rounding: str = attrs.field(default=decimal.ROUND_HALF_UP, converter=_rounding)
    fee_bearer: FeeBearer = attrs.field(default=FeeBearer.TEACHER, converter=FeeBearer)
    fee_schedule: FeeSchedule = attrs.field(factory=FeeSchedule)
    version: str = "1"
    # Everything the hot path of split_payment needs, read at once: the rate as
    # exact integers, whether it rounds half-up, whether the teacher bears the
    # fee, and the fee schedule's exact rates and whether it can be inlined.
    _fast: tuple[int, int, bool, bool, int, int, int, int, bool] = attrs.field(
        init=False, eq=False, repr=False
    )

    @_fast.default
    def _fast_parts(self) -> tuple[int, int, bool, bool, int, int, int, int, bool]:
        exact = Fraction(self.commission_rate)
        p_num, p_den, t_num, t_den, half_up = self.fee_schedule._exact  # noqa: SLF001
        return (
            exact.numerator,
            exact.denominator,
            self.rounding == decimal.ROUND_HALF_UP,
            self.fee_bearer is FeeBearer.TEACHER,
            p_num,
            p_den,
            t_num,
            t_den,
            half_up and self.fee_schedule.fixed is None,
        )


@final
@attrs.frozen(kw_only=True, slots=False, repr=False)  # a __dict__ class: see _new
class PaymentSplit:
    """One payment split into named parts that sum exactly to ``gross``.

    ``platform_share + gateway_fee + teacher_share == gross``; ``gateway_fee``
    includes ``gateway_tax``. Build it with :func:`split_payment`. The parts are
    stored as integer minor units (the ``*_minor`` fields) and read as
    :class:`~booking_core.money.Money` through the properties; the policy fields
    (rate, rounding, bearer, version) are read from the recorded ``policy``.

    Attributes:
        gross: What the payer paid.
        commission_minor: The commission in minor units.
        fee_minor: The whole gateway fee in minor units, tax included.
        tax_minor: The tax inside the fee in minor units.
        fee_source: Whether the fee was reported or estimated.
        policy: The :class:`SplitPolicy` the split was made with.
        order_id: The gateway's order id, if known.
        payment_id: The gateway's payment id, if known.
    """

    __repr__ = fields_repr

    gross: Money
    commission_minor: int
    fee_minor: int
    tax_minor: int
    fee_source: FeeSource
    policy: SplitPolicy
    order_id: str | None = None
    payment_id: str | None = None

    @property
    def currency(self) -> str:
        """The ISO code of every part."""
        return self.gross.currency.code

    @property
    def commission(self) -> Money:
        """The platform's commission: ``commission_rate`` of the gross, rounded."""
        return _make(self.commission_minor, self.gross.currency)

    @property
    def gateway_fee(self) -> Money:
        """The gateway's whole fee, tax included."""
        return _make(self.fee_minor, self.gross.currency)

    @property
    def gateway_tax(self) -> Money:
        """The tax inside the gateway fee (e.g. the 18 % GST)."""
        return _make(self.tax_minor, self.gross.currency)

    @property
    def gateway_fee_net(self) -> Money:
        """The gateway fee without its tax."""
        return _make(self.fee_minor - self.tax_minor, self.gross.currency)

    @property
    def platform_share(self) -> Money:
        """What the platform keeps: the commission, less the fee if it bears it."""
        platform = self.commission_minor
        if self.policy.fee_bearer is FeeBearer.PLATFORM:
            platform -= self.fee_minor
        return _make(platform, self.gross.currency)

    @property
    def teacher_share(self) -> Money:
        """What the teacher earns: the gross less commission (and fee if borne)."""
        teacher = self.gross.amount - self.commission_minor
        if self.policy.fee_bearer is FeeBearer.TEACHER:
            teacher -= self.fee_minor
        return _make(teacher, self.gross.currency)

    @property
    def commission_rate(self) -> Decimal:
        """The commission rate applied."""
        return self.policy.commission_rate

    @property
    def rounding(self) -> str:
        """The rounding mode of the commission."""
        return self.policy.rounding

    @property
    def fee_bearer(self) -> FeeBearer:
        """Who bore the gateway fee."""
        return self.policy.fee_bearer

    @property
    def policy_version(self) -> str:
        """The version of the policy that made the split."""
        return self.policy.version

    def parts(self) -> tuple[tuple[SplitPart, Money], ...]:
        """Every part that sums to ``gross``: platform, fee net of tax, tax, teacher.

        Example:
            >>> split = split_payment(Money.of("100", "INR"))
            >>> [(part.value, str(m)) for part, m in split.parts()]
            [('platform', '10.00 INR'), ('gateway_fee', '2.00 INR'), \
('gateway_tax', '0.36 INR'), ('teacher', '87.64 INR')]
        """
        return (
            (SplitPart.PLATFORM, self.platform_share),
            (SplitPart.GATEWAY_FEE, self.gateway_fee_net),
            (SplitPart.GATEWAY_TAX, self.gateway_tax),
            (SplitPart.TEACHER, self.teacher_share),
        )

    def minor_parts(self) -> tuple[int, int, int, int]:
        """:meth:`parts` as minor units: (platform, fee net, tax, teacher)."""
        fee = self.fee_minor
        commission = self.commission_minor
        if self.policy.fee_bearer is FeeBearer.TEACHER:
            platform, teacher = commission, self.gross.amount - commission - fee
        else:
            platform, teacher = commission - fee, self.gross.amount - commission
        return (platform, fee - self.tax_minor, self.tax_minor, teacher)


_DEFAULT_POLICY = SplitPolicy()


def _require_positive(value: object, field: str) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise InvalidAmountError(
            field=field, reason="must be Money above zero", value=value
        )


# split_payment builds the frozen value without the generated __init__ (a third
# of the cost of a split): every field is computed and checked by it.
_new = object.__new__
_ESTIMATED = FeeSource.ESTIMATED
_REPORTED = FeeSource.REPORTED


def split_payment(
    gross: Money,
    policy: SplitPolicy = _DEFAULT_POLICY,
    gateway_fee: GatewayFee | None = None,
    *,
    order_id: str | None = None,
    payment_id: str | None = None,
) -> PaymentSplit:
    """Split ``gross`` into platform share, gateway fee and teacher share.

    Args:
        gross: What the payer paid; must be positive.
        policy: Commission rate, rounding, fee bearer, fee schedule, version.
        gateway_fee: The fee the gateway reported after capture, used as it is;
            ``None`` estimates it with ``policy.fee_schedule`` (for quotes).
        order_id: The gateway's order id, recorded on the split.
        payment_id: The gateway's payment id, recorded on the split.

    Returns:
        The split; its parts are never negative and sum exactly to ``gross``.

    Raises:
        InvalidAmountError: ``money.invalid_amount`` when ``gross`` is not
            positive Money.
        CurrencyMismatchError: ``money.currency_mismatch`` when the fee is in
            another currency.
        AmountTooSmallForFeesError: ``money.amount_too_small_for_fees`` when the
            bearer's part would go negative.

    Example:
        >>> split = split_payment(Money.of("1.00", "INR"))
        >>> str(split.teacher_share), split.fee_source.value
        ('0.88 INR', 'estimated')
    """
    given: object = gross  # callers may pass anything; typed callers cannot
    if type(given) is not Money or gross.amount <= 0:
        _require_positive(gross, "gross")
    total = gross.amount
    (
        numerator,
        denominator,
        half_up,
        teacher_bears,
        p_num,
        p_den,
        t_num,
        t_den,
        inline_fee,
    ) = policy._fast  # noqa: SLF001
    if half_up:  # the default, inline: total > 0 so half-up is floor(x + 1/2)
        commission, remainder = divmod(total * numerator, denominator)
        if remainder + remainder >= denominator:
            commission += 1
    else:
        commission = scale(total, Fraction(numerator, denominator), policy.rounding)
    if gateway_fee is not None:
        fee, tax, currency = gateway_fee._minor  # noqa: SLF001
        if currency is not gross.currency:
            raise CurrencyMismatchError(
                action="split", left=gross, right=gateway_fee.fee
            )
        source = _REPORTED
    elif inline_fee:  # FeeSchedule.estimate's arithmetic, half-up, no fixed part
        net, remainder = divmod(total * p_num, p_den)
        if remainder + remainder >= p_den:
            net += 1
        tax, remainder = divmod(net * t_num, t_den)
        if remainder + remainder >= t_den:
            tax += 1
        fee = net + tax
        source = _ESTIMATED
    else:
        estimated = policy.fee_schedule.estimate(gross)
        fee, tax = estimated.fee.amount, estimated.tax.amount
        source = _ESTIMATED
    if (total - commission - fee if teacher_bears else commission - fee) < 0:
        _too_small(gross, commission, fee, policy)
    split = _new(PaymentSplit)
    fields = split.__dict__  # filling the instance dict in place is the fastest way
    fields["gross"] = gross
    fields["commission_minor"] = commission
    fields["fee_minor"] = fee
    fields["tax_minor"] = tax
    fields["fee_source"] = source
    fields["policy"] = policy
    fields["order_id"] = order_id
    fields["payment_id"] = payment_id
    return split


def _too_small(gross: Money, commission: int, fee: int, policy: SplitPolicy) -> None:
    currency = gross.currency
    if policy.fee_bearer is FeeBearer.TEACHER:
        part, short = "teacher share", gross.amount - commission - fee
    else:
        part, short = "platform share", commission - fee
    raise AmountTooSmallForFeesError(
        gross=gross,
        commission=_make(commission, currency),
        fee=_make(fee, currency),
        bearer=policy.fee_bearer.value,
        part=part,
        shortfall=_make(short, currency),
    )
