"""Worked examples of allocate and split_payment, and their refusals."""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest

from booking_core.errors import (
    AmountTooSmallForFeesError,
    CurrencyMismatchError,
    InvalidAmountError,
    InvalidValueError,
)
from booking_core.money import (
    FeeBearer,
    FeeSchedule,
    GatewayFee,
    Money,
    SplitPolicy,
    allocate,
    split_payment,
)
from booking_core.money.split import FeeSource, PaymentSplit, SplitPart


@pytest.mark.parametrize(
    ("amount", "ratios", "expected"),
    [
        (5, [70, 30], (4, 1)),
        (5, [3, 7], (1, 4)),
        (100, [1, 1, 1], (34, 33, 33)),
        (1003, [0, 50, 50], (0, 502, 501)),
        (5, [3, 4, 3], (2, 2, 1)),
        (-5, [70, 30], (-4, -1)),
        (0, [1, 2], (0, 0)),
        (7, [5], (7,)),
        (10, [Decimal("0.7"), Decimal("0.3")], (7, 3)),
        (1, [Fraction(1, 3), 0, Fraction(2, 3)], (0, 0, 1)),
    ],
)
def test_allocate_worked_examples(
    amount: int, ratios: list[int | Decimal | Fraction], expected: tuple[int, ...]
) -> None:
    assert allocate(amount, ratios) == expected


def test_allocate_money_keeps_currency() -> None:
    parts = allocate(Money.of("-0.05", "INR"), [70, 30])
    assert parts == (Money(-4, "INR"), Money(-1, "INR"))


@pytest.mark.parametrize(
    "ratios",
    [[], [0, 0], [1, -1], [0.5, 0.5], [True, 1], "12", 12, [Decimal("-0.1"), 1]],
)
def test_allocate_refuses_bad_ratios(ratios: object) -> None:
    with pytest.raises(InvalidValueError):
        allocate(10, ratios)  # type: ignore[call-overload]


@pytest.mark.parametrize("amount", [1.5, "10", True, Decimal(10)])
def test_allocate_refuses_bad_amounts(amount: object) -> None:
    with pytest.raises(InvalidAmountError):
        allocate(amount, [1, 1])  # type: ignore[call-overload]


# -- split ------------------------------------------------------------------------

GROSS = Money.of("700.00", "INR")
RAZORPAY_FEE = GatewayFee(fee=Money.of("16.52", "INR"), tax=Money.of("2.52", "INR"))


def _sum(split: PaymentSplit) -> Money:
    return sum((money for _, money in split.parts()), Money.zero(split.currency))


def test_700_inr_teacher_bears_fee() -> None:
    split = split_payment(
        GROSS, SplitPolicy(), RAZORPAY_FEE, order_id="order_1", payment_id="pay_1"
    )
    assert split.commission == Money.of("70.00", "INR")
    assert split.gateway_fee == Money.of("16.52", "INR")
    assert split.gateway_tax == Money.of("2.52", "INR")
    assert split.gateway_fee_net == Money.of("14.00", "INR")
    assert split.platform_share == Money.of("70.00", "INR")
    assert split.teacher_share == Money.of("613.48", "INR")
    assert split.fee_bearer is FeeBearer.TEACHER
    assert split.fee_source is FeeSource.REPORTED
    assert split.commission_rate == Decimal("0.10")
    assert split.rounding == decimal.ROUND_HALF_UP
    assert split.policy_version == "1"
    assert (split.order_id, split.payment_id) == ("order_1", "pay_1")
    assert _sum(split) == GROSS
    assert [part for part, _ in split.parts()] == list(SplitPart)
    assert split.minor_parts() == (7000, 1400, 252, 61348)


def test_700_inr_platform_bears_fee() -> None:
    policy = SplitPolicy(fee_bearer=FeeBearer.PLATFORM, version="2026-03")
    split = split_payment(GROSS, policy, RAZORPAY_FEE)
    assert split.teacher_share == Money.of("630.00", "INR")
    assert split.platform_share == Money.of("53.48", "INR")
    assert split.commission == Money.of("70.00", "INR")
    assert split.policy_version == "2026-03"
    assert _sum(split) == GROSS
    assert split.minor_parts() == (5348, 1400, 252, 63000)


def test_estimated_fee_matches_razorpay_report() -> None:
    split = split_payment(GROSS)
    assert split.fee_source is FeeSource.ESTIMATED
    assert split.gateway_fee == RAZORPAY_FEE.fee
    assert split.gateway_tax == RAZORPAY_FEE.tax
    assert FeeSchedule().estimate(GROSS) == RAZORPAY_FEE


def test_fee_schedule_with_fixed_part_and_other_rounding() -> None:
    schedule = FeeSchedule(
        percent=Decimal("0.029"),
        fixed=Money.of("0.30", "USD"),
        tax_rate=Decimal(0),
        rounding=decimal.ROUND_HALF_EVEN,
    )
    fee = schedule.estimate(Money.of("10.50", "USD"))
    # 2.9 % of 1050 = 30.45 -> 30 (half-even), + 30 fixed
    assert fee == GatewayFee(fee=Money(60, "USD"), tax=Money(0, "USD"))
    policy = SplitPolicy(
        commission_rate=Decimal("0.125"),
        rounding=decimal.ROUND_HALF_EVEN,
        fee_schedule=schedule,
    )
    split = split_payment(Money.of("10.50", "USD"), policy)
    assert split.commission == Money(131, "USD")  # 131.25 -> 131
    assert _sum(split) == Money.of("10.50", "USD")


def test_fixed_fee_in_other_currency_refused() -> None:
    schedule = FeeSchedule(fixed=Money.of("0.30", "USD"))
    with pytest.raises(CurrencyMismatchError):
        schedule.estimate(GROSS)
    with pytest.raises(CurrencyMismatchError):
        split_payment(GROSS, SplitPolicy(fee_schedule=schedule))


def test_reported_fee_in_other_currency_refused() -> None:
    fee = GatewayFee(fee=Money(10, "USD"), tax=Money(1, "USD"))
    with pytest.raises(CurrencyMismatchError):
        split_payment(GROSS, SplitPolicy(), fee)


def test_jpy_and_kwd_splits() -> None:
    jpy = split_payment(Money.of("1000", "JPY"))
    assert jpy.commission == Money(100, "JPY")
    assert _sum(jpy) == Money.of("1000", "JPY")
    kwd = split_payment(Money.of("1.005", "KWD"))
    assert kwd.commission == Money(101, "KWD")  # 100.5 -> 101 half-up
    assert _sum(kwd) == Money.of("1.005", "KWD")


def test_too_small_for_fees_teacher_bearer() -> None:
    fee = GatewayFee(fee=Money(95, "INR"), tax=Money(0, "INR"))
    with pytest.raises(AmountTooSmallForFeesError) as info:
        split_payment(Money(100, "INR"), SplitPolicy(), fee)
    assert info.value.code == "money.amount_too_small_for_fees"
    assert "teacher share would be -0.05 INR" in str(info.value)


def test_too_small_for_fees_platform_bearer() -> None:
    policy = SplitPolicy(fee_bearer="platform")
    with pytest.raises(AmountTooSmallForFeesError, match="platform share"):
        split_payment(Money.of("1.00", "INR"), policy, RAZORPAY_FEE)


def test_fixed_fee_makes_tiny_payment_too_small() -> None:
    policy = SplitPolicy(fee_schedule=FeeSchedule(fixed=Money.of("3.00", "INR")))
    with pytest.raises(AmountTooSmallForFeesError):
        split_payment(Money.of("2.00", "INR"), policy)


@pytest.mark.parametrize("gross", [Money(0, "INR"), Money(-1, "INR"), 700, "700"])
def test_gross_must_be_positive_money(gross: object) -> None:
    with pytest.raises(InvalidAmountError):
        split_payment(gross)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "make",
    [
        lambda: SplitPolicy(commission_rate=Decimal("1.5")),
        lambda: SplitPolicy(commission_rate=Decimal(-1)),
        lambda: SplitPolicy(commission_rate=0.1),
        lambda: SplitPolicy(rounding="up"),
        lambda: SplitPolicy(fee_bearer="nobody"),
        lambda: FeeSchedule(percent=Decimal(2)),
        lambda: FeeSchedule(tax_rate=Decimal("-0.18")),
        lambda: FeeSchedule(fixed=Money(-1, "INR")),
        lambda: GatewayFee(fee=Money(-1, "INR"), tax=Money(0, "INR")),
        lambda: GatewayFee(fee=Money(1, "INR"), tax=Money(2, "INR")),
        lambda: GatewayFee(fee=10, tax=Money(2, "INR")),  # type: ignore[arg-type]
    ],
)
def test_invalid_policies_refused(make: object) -> None:
    with pytest.raises(ValueError, match=r"."):
        make()  # type: ignore[operator]


def test_gateway_fee_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatchError):
        GatewayFee(fee=Money(10, "INR"), tax=Money(1, "USD"))


def test_zero_commission_policy() -> None:
    split = split_payment(Money(100, "INR"), SplitPolicy(commission_rate=0), None)
    assert split.commission.is_zero()
    assert split.minor_parts()[3] == 100 - 2 - 0  # 2 % fee = 2, tax 0.36 -> 0


def test_estimated_fee_rounds_half_up() -> None:
    split = split_payment(Money(75, "INR"))  # 2 % of 75 = 1.5 -> 2; GST 0.36 -> 0
    assert split.gateway_fee == Money(2, "INR")
    assert split.commission == Money(8, "INR")  # 7.5 -> 8
