"""Properties of allocate, rates, Money and split_payment in every currency."""

from __future__ import annotations

import decimal
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from booking_core.errors import AmountTooSmallForFeesError
from booking_core.money import (
    FeeBearer,
    FeeSchedule,
    GatewayFee,
    Money,
    SplitPolicy,
    allocate,
    split_payment,
)
from booking_core.money._rates import ROUNDINGS, scale
from booking_core.money.currency import CURRENCIES

amounts = st.integers(min_value=-(10**12), max_value=10**12)
ratio_lists = st.lists(
    st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8
).filter(any)
currencies = st.sampled_from(sorted(CURRENCIES))
unit_rates = st.decimals(
    min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False
)


@given(amounts, ratio_lists)
@example(5, [70, 30])
@example(1003, [0, 50, 50])
@example(1, [1, 1, 1])  # the last paisa
@example(-1, [1, 1, 1])
def test_allocate_sums_and_stays_within_one_unit(
    amount: int, ratios: list[int]
) -> None:
    parts = allocate(amount, ratios)
    assert sum(parts) == amount
    total = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        share = Fraction(amount * ratio, total)
        assert part in {math.floor(share), math.ceil(share)}
        assert abs(part - share) < 1
        if ratio == 0:
            assert part == 0


@given(amounts, ratio_lists)
def test_allocate_negation_symmetry(amount: int, ratios: list[int]) -> None:
    assert allocate(-amount, ratios) == tuple(-p for p in allocate(amount, ratios))


@given(amounts, ratio_lists)
def test_allocate_ties_prefer_larger_ratio_then_lower_index(
    amount: int, ratios: list[int]
) -> None:
    parts = allocate(abs(amount), ratios)
    total = sum(ratios)
    got_extra = [
        p * total > abs(amount) * r for p, r in zip(parts, ratios, strict=True)
    ]
    remainders = [(abs(amount) * r) % total for r in ratios]
    for i, extra in enumerate(got_extra):
        for j, other in enumerate(got_extra):
            if extra and not other:
                # i won a unit j did not: i must rank before j
                assert (-remainders[i], -ratios[i], i) < (-remainders[j], -ratios[j], j)


@given(
    amounts,
    st.decimals(
        min_value=-10, max_value=10, places=6, allow_nan=False, allow_infinity=False
    ),
    st.sampled_from(sorted(ROUNDINGS)),
)
@example(5, Decimal("0.5"), decimal.ROUND_HALF_EVEN)
@example(-5, Decimal("0.5"), decimal.ROUND_HALF_UP)
def test_scale_equals_decimal_quantize(
    amount: int, rate: Decimal, rounding: str
) -> None:
    with decimal.localcontext() as context:
        context.prec = 60
        expected = (Decimal(amount) * rate).quantize(Decimal(1), rounding=rounding)
    assert scale(amount, Fraction(rate), rounding) == int(expected)


@given(amounts, currencies)
def test_format_parse_round_trip(amount: int, code: str) -> None:
    money = Money(amount, code)
    assert Money.parse(str(money)) == money
    assert Money.of(money.to_decimal(), code) == money
    assert Money.of(money.format(), code) == money


@settings(max_examples=200)
@given(
    currencies,
    st.integers(min_value=1, max_value=10**10),
    unit_rates,
    st.sampled_from(list(FeeBearer)),
    st.sampled_from(sorted(ROUNDINGS)),
    st.one_of(
        st.none(),
        st.tuples(st.integers(0, 10**9), st.integers(0, 10**9)),
    ),
    unit_rates,
    st.integers(0, 10**4),
)
@example(
    "INR",
    70000,
    Decimal("0.1"),
    FeeBearer.TEACHER,
    decimal.ROUND_HALF_UP,
    (1652, 252),
    Decimal("0.02"),
    0,
)
@example(
    "JPY",
    1,
    Decimal("0.1"),
    FeeBearer.PLATFORM,
    decimal.ROUND_HALF_UP,
    None,
    Decimal("0.02"),
    0,
)
def test_split_parts_sum_to_gross_and_never_go_negative(  # noqa: PLR0917
    code: str,
    gross_minor: int,
    rate: Decimal,
    bearer: FeeBearer,
    rounding: str,
    reported: tuple[int, int] | None,
    percent: Decimal,
    fixed: int,
) -> None:
    gross = Money(gross_minor, code)
    schedule = FeeSchedule(percent=percent, fixed=Money(fixed, code), rounding=rounding)
    policy = SplitPolicy(
        commission_rate=rate,
        rounding=rounding,
        fee_bearer=bearer,
        fee_schedule=schedule,
    )
    fee = None
    if reported is not None:
        total_fee, tax = max(reported), min(reported)
        fee = GatewayFee(fee=Money(total_fee, code), tax=Money(tax, code))
    try:
        split = split_payment(gross, policy, fee)
    except AmountTooSmallForFeesError:
        commission = gross.scale(rate, rounding)
        charged = fee.fee if fee is not None else schedule.estimate(gross).fee
        left = (
            gross - commission - charged
            if bearer is FeeBearer.TEACHER
            else commission - charged
        )
        assert left.amount < 0
        return
    parts = split.minor_parts()
    assert sum(parts) == gross_minor
    assert all(part >= 0 for part in parts)
    assert split.commission == gross.scale(rate, rounding)
    assert split.platform_share + split.gateway_fee + split.teacher_share == gross
    if fee is None:
        assert schedule.estimate(gross) == GatewayFee(
            fee=split.gateway_fee, tax=split.gateway_tax
        )


@pytest.mark.parametrize("code", sorted(CURRENCIES))
def test_split_in_every_shipped_currency(code: str) -> None:
    for bearer in FeeBearer:
        policy = SplitPolicy(fee_bearer=bearer)
        for gross_minor in (1, 7, 99, 1001, 70000, 10**9 + 7):
            gross = Money(gross_minor, code)
            try:
                split = split_payment(gross, policy)
            except AmountTooSmallForFeesError:
                assert gross_minor < 100
                continue
            parts = split.minor_parts()
            assert sum(parts) == gross_minor
            assert min(parts) >= 0
