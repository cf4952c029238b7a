"""The inline fee estimate of split_payment against FeeSchedule.estimate; allocation.

``split_payment`` inlines ``FeeSchedule.estimate``'s half-up arithmetic on its hot
path; these tests compare the two on the rounding edges, check the estimate
against an independent Decimal computation, and pin allocate's sign handling and
the details of its refusals (what a host shows next to the field).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking_core.errors import (
    AmountTooSmallForFeesError,
    CurrencyMismatchError,
    InvalidAmountError,
    InvalidValueError,
)
from booking_core.money import (
    FeeSchedule,
    GatewayFee,
    Money,
    SplitPolicy,
    allocate,
    split_payment,
)
from booking_core.money.split import FeeSource, _require_positive


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _reference_fee(total: int, percent: Decimal, tax_rate: Decimal) -> tuple[int, int]:
    """(fee, tax) in minor units, by Decimal arithmetic, half-up at each step."""
    net = _half_up(total * percent)
    tax = _half_up(net * tax_rate)
    return net + tax, tax


# -- the inline estimate agrees with FeeSchedule.estimate ---------------------------


@pytest.mark.parametrize(
    ("gross", "fee", "tax"),
    [
        # 12.50 INR: net 25 paise exactly, tax 4.5 -> 5 (half-up, not half-even 4)
        ("12.50", 30, 5),
        # 0.25 INR: net 0.5 -> 1, tax 0.18 -> 0
        ("0.25", 1, 0),
        # 0.24 INR: net 0.48 -> 0, no fee at all
        ("0.24", 0, 0),
        # 700 INR: net 1400, tax 252
        ("700.00", 1652, 252),
        # 1.75 INR: net 3.5 -> 4, tax 0.72 -> 1
        ("1.75", 5, 1),
    ],
)
def test_inline_estimate_rounds_half_up_like_fee_schedule(
    gross: str, fee: int, tax: int
) -> None:
    money = Money.of(gross, "INR")
    split = split_payment(money)
    estimate = FeeSchedule().estimate(money)
    assert (split.fee_minor, split.tax_minor) == (fee, tax)
    assert (estimate.fee.amount, estimate.tax.amount) == (fee, tax)
    assert split.fee_source is FeeSource.ESTIMATED


def test_half_even_schedule_rounds_the_tax_half_even() -> None:
    schedule = FeeSchedule(rounding=ROUND_HALF_EVEN)
    estimate = schedule.estimate(Money.of("12.50", "INR"))
    assert (estimate.fee.amount, estimate.tax.amount) == (29, 4)
    split = split_payment(Money.of("12.50", "INR"), SplitPolicy(fee_schedule=schedule))
    assert (split.fee_minor, split.tax_minor) == (29, 4)


rates = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 100)


@given(
    total=st.integers(min_value=1, max_value=10**9),
    percent=st.integers(min_value=0, max_value=20).map(lambda n: Decimal(n) / 400),
    tax_rate=rates,
)
def test_inline_estimate_matches_the_schedule_and_decimal_arithmetic(
    total: int, percent: Decimal, tax_rate: Decimal
) -> None:
    schedule = FeeSchedule(percent=percent, tax_rate=tax_rate)
    gross = Money.of(Decimal(total).scaleb(-2), "INR")
    expected = _reference_fee(total, percent, tax_rate)
    estimate = schedule.estimate(gross)
    assert (estimate.fee.amount, estimate.tax.amount) == expected
    split = split_payment(
        gross, SplitPolicy(fee_schedule=schedule, commission_rate=Decimal(0))
    )
    assert (split.fee_minor, split.tax_minor) == expected


def test_fixed_fee_is_added_before_the_tax() -> None:
    schedule = FeeSchedule(fixed=Money.of("2.00", "INR"))
    estimate = schedule.estimate(Money.of("100.00", "INR"))
    # net = 200 + 200 paise; tax = 72
    assert (estimate.fee.amount, estimate.tax.amount) == (472, 72)
    split = split_payment(Money.of("100.00", "INR"), SplitPolicy(fee_schedule=schedule))
    assert (split.fee_minor, split.tax_minor) == (472, 72)


def test_commission_rounds_half_up_at_exactly_half() -> None:
    # 10 % of 5 paise is 0.5 -> 1
    assert split_payment(Money.of("0.05", "INR")).commission_minor == 1
    assert split_payment(Money.of("0.04", "INR")).commission_minor == 0


def test_gross_detail_on_refusal() -> None:
    with pytest.raises(InvalidAmountError) as caught:
        split_payment(Money.of("0", "INR"))
    assert caught.value.details["field"] == "gross"
    assert caught.value.details["reason"] == "must be Money above zero"


# -- allocate ------------------------------------------------------------------------


def test_negative_amount_is_allocated_as_the_negated_positive() -> None:
    assert allocate(1, [1, 1]) == (1, 0)
    assert allocate(-1, [1, 1]) == (-1, 0)
    assert allocate(-7, [1, 2]) == (-2, -5)
    assert allocate(0, [1, 1]) == (0, 0)


def test_negative_money_is_allocated_too() -> None:
    parts = allocate(Money.of("-0.05", "INR"), [1, 1])
    assert [p.amount for p in parts] == [-3, -2]


def test_leftover_goes_to_the_largest_remainders_then_larger_ratio() -> None:
    assert allocate(10, [1, 1, 1]) == (4, 3, 3)
    assert allocate(5, [1, 3]) == (1, 4)  # 1.25, 3.75 -> the 0.75 remainder wins
    assert allocate(3, [1, 2, 1]) == (1, 1, 1)  # remainders .75, .5, .75
    assert allocate(1, [1, 2, 1]) == (0, 1, 0)  # equal remainders .25 .5 .25


@given(
    amount=st.integers(min_value=-(10**6), max_value=10**6),
    ratios=st.lists(
        st.integers(min_value=0, max_value=50), min_size=1, max_size=5
    ).filter(any),
)
def test_allocation_is_antisymmetric(amount: int, ratios: list[int]) -> None:
    positive = allocate(abs(amount), ratios)
    parts = allocate(amount, ratios)
    assert sum(parts) == amount
    assert parts == (positive if amount >= 0 else tuple(-p for p in positive))


@pytest.mark.parametrize(
    ("ratios", "reason"),
    [
        ("12", "must be a sequence of numbers"),
        ([], "must name at least one part"),
        ([1, -1], "must all be zero or more"),
        ([0, 0], "must not all be zero"),
    ],
)
def test_ratio_refusals_name_the_field_and_reason(ratios: object, reason: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        allocate(10, ratios)  # type: ignore[call-overload]
    assert caught.value.details == {
        "field": "ratios",
        "reason": reason,
        "value": ratios,
    }


def test_bool_ratios_are_read_as_rates_not_ints() -> None:
    with pytest.raises(InvalidValueError) as caught:
        allocate(10, [True, 1])
    assert caught.value.details["field"] == "ratios"


def test_amount_refusal_names_the_field() -> None:
    with pytest.raises(InvalidAmountError) as caught:
        allocate(True, [1])
    assert caught.value.details == {
        "field": "amount",
        "reason": "must be an int of minor units or Money",
        "value": True,
    }


# -- refusal details of the split values ----------------------------------------------


def test_gross_refusal_carries_the_value() -> None:
    zero = Money.of("0", "INR")
    with pytest.raises(InvalidAmountError) as caught:
        split_payment(zero)
    assert caught.value.details["value"] == zero


def test_the_smallest_positive_amount_passes_the_shared_check() -> None:
    # refunds validate their amount with the same helper split_payment uses
    _require_positive(Money.of("0.01", "INR"), "amount")
    with pytest.raises(InvalidAmountError) as caught:
        _require_positive(Money.of("0.00", "INR"), "amount")
    assert caught.value.details["field"] == "amount"


def test_rates_outside_zero_to_one_are_refused_with_details() -> None:
    reason = "must be between 0 and 1 (0 % to 100 %)"
    with pytest.raises(InvalidValueError) as caught:
        FeeSchedule(percent=Decimal("1.5"))
    assert (caught.value.details["field"], caught.value.details["reason"]) == (
        "percent",
        reason,
    )
    assert caught.value.details["value"] == Decimal("1.5")
    with pytest.raises(InvalidValueError) as caught:
        FeeSchedule(tax_rate=Decimal("-0.1"))
    assert caught.value.details == {
        "field": "tax_rate",
        "reason": reason,
        "value": Decimal("-0.1"),
    }


def test_negative_fee_parts_are_refused_with_the_field_name() -> None:
    with pytest.raises(InvalidAmountError) as caught:
        GatewayFee(fee=Money.of("-1", "INR"), tax=Money.of("0", "INR"))
    assert caught.value.details == {
        "field": "fee",
        "reason": "must be Money of at least zero",
        "value": Money.of("-1", "INR"),
    }
    with pytest.raises(InvalidAmountError) as caught:
        FeeSchedule(fixed=Money.of("-1", "INR"))
    assert caught.value.details["field"] == "fixed"


def test_gateway_fee_refusals_name_what_is_wrong() -> None:
    fee, tax = Money.of("1.00", "INR"), Money.of("0.18", "USD")
    with pytest.raises(CurrencyMismatchError) as caught:
        GatewayFee(fee=fee, tax=tax)
    assert caught.value.details == {"action": "combine", "left": fee, "right": tax}
    too_much = Money.of("1.01", "INR")
    with pytest.raises(InvalidAmountError) as caught_value:
        GatewayFee(fee=fee, tax=too_much)
    assert caught_value.value.details == {
        "field": "tax",
        "reason": "exceeds the whole fee 1.00 INR",
        "value": too_much,
    }


def test_a_fee_in_another_currency_is_refused_with_details() -> None:
    gross = Money.of("100", "INR")
    usd = GatewayFee(fee=Money.of("1", "USD"), tax=Money.of("0", "USD"))
    with pytest.raises(CurrencyMismatchError) as caught:
        split_payment(gross, SplitPolicy(), usd)
    assert caught.value.details == {"action": "split", "left": gross, "right": usd.fee}


def test_too_small_for_fees_reports_every_figure() -> None:
    gross = Money.of("0.10", "INR")
    fee = GatewayFee(fee=Money.of("0.20", "INR"), tax=Money.of("0.03", "INR"))
    with pytest.raises(AmountTooSmallForFeesError) as caught:
        split_payment(gross, SplitPolicy(), fee)
    assert caught.value.details == {
        "gross": gross,
        "commission": Money.of("0.01", "INR"),
        "fee": Money.of("0.20", "INR"),
        "bearer": "teacher",
        "part": "teacher share",
        "shortfall": Money.of("-0.11", "INR"),
    }


def test_a_fixed_fee_in_another_currency_is_refused_with_details() -> None:
    fixed, gross = Money.of("2.00", "USD"), Money.of("100.00", "INR")
    with pytest.raises(CurrencyMismatchError) as caught:
        FeeSchedule(fixed=fixed).estimate(gross)
    assert caught.value.details == {"action": "charge", "left": fixed, "right": gross}


def test_the_bearers_part_may_reach_zero_but_not_one_unit_below() -> None:
    gross = Money.of("0.10", "INR")  # commission 1 paisa
    exact = GatewayFee(fee=Money.of("0.09", "INR"), tax=Money.of("0", "INR"))
    assert split_payment(gross, SplitPolicy(), exact).teacher_share.amount == 0
    over = GatewayFee(fee=Money.of("0.10", "INR"), tax=Money.of("0", "INR"))
    with pytest.raises(AmountTooSmallForFeesError) as caught:
        split_payment(gross, SplitPolicy(), over)
    assert caught.value.details["shortfall"] == Money.of("-0.01", "INR")


def test_a_platform_too_small_for_the_fee_reports_its_shortfall() -> None:
    gross = Money.of("1.00", "INR")  # commission 10 paise
    fee = GatewayFee(fee=Money.of("0.20", "INR"), tax=Money.of("0.03", "INR"))
    with pytest.raises(AmountTooSmallForFeesError) as caught:
        split_payment(gross, SplitPolicy(fee_bearer="platform"), fee)
    assert caught.value.details == {
        "gross": gross,
        "commission": Money.of("0.10", "INR"),
        "fee": Money.of("0.20", "INR"),
        "bearer": "platform",
        "part": "platform share",
        "shortfall": Money.of("-0.10", "INR"),
    }
