"""Currencies (checked against iso4217) and the Money value."""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest
from iso4217 import Currency as IsoCurrency

from booking_core.errors import (
    CurrencyMismatchError,
    InvalidAmountError,
    InvalidValueError,
    UnknownCurrencyError,
)
from booking_core.money import Money
from booking_core.money.currency import CURRENCIES, Currency, get_currency


def test_table_matches_iso4217_package() -> None:
    iso = {c.code: c for c in IsoCurrency if c.exponent is not None}
    assert set(CURRENCIES) == set(iso)
    for code, currency in CURRENCIES.items():
        assert currency.minor_unit == iso[code].exponent, code
        assert currency.numeric == iso[code].number, code
        assert currency.name == iso[code].currency_name, code


@pytest.mark.parametrize(
    ("code", "minor"),
    [
        ("INR", 2),
        ("JPY", 0),
        ("KWD", 3),
        ("IQD", 3),
        ("BHD", 3),
        ("CLF", 4),
        ("USD", 2),
    ],
)
def test_known_minor_units(code: str, minor: int) -> None:
    assert get_currency(code).minor_unit == minor
    assert get_currency(code).factor == 10**minor


def test_get_currency_accepts_case_and_instances() -> None:
    inr = get_currency("INR")
    assert get_currency(" inr ") is inr
    assert get_currency(inr) is inr
    assert str(inr) == "INR"


@pytest.mark.parametrize("code", ["XAU", "XXX", "ABC", "", 356, None])
def test_unknown_currencies_refused(code: object) -> None:
    with pytest.raises(UnknownCurrencyError) as info:
        get_currency(code)  # type: ignore[arg-type]
    assert info.value.code == "money.unknown_currency"


def test_currency_equality_ignores_name() -> None:
    a = Currency(code="INR", numeric=356, minor_unit=2, name="x")
    assert a == get_currency("INR")


# -- Money ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        ("700.00", "INR", 70000),
        ("700", "INR", 70000),
        ("-0.5", "INR", -50),
        ("+1.25", "USD", 125),
        (" 5 ", "JPY", 5),
        (10, "KWD", 10000),
        (Decimal("1.234"), "KWD", 1234),
        (Decimal("1.2"), "INR", 120),
        (Decimal("1E+1"), "JPY", 10),
        ("0.0000", "CLF", 0),
    ],
)
def test_money_of(value: str | int | Decimal, currency: str, minor: int) -> None:
    assert Money.of(value, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    "value",
    [
        "1.005",
        "1.",
        ".5",
        "1e2",
        "abc",
        "",
        "1,00",
        1.5,
        True,
        None,
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("0.001"),
    ],
)
def test_money_of_refuses(value: object) -> None:
    with pytest.raises(InvalidAmountError) as info:
        Money.of(value, "INR")  # type: ignore[arg-type]
    assert info.value.code == "money.invalid_amount"


def test_money_of_jpy_refuses_decimals() -> None:
    with pytest.raises(InvalidAmountError, match="JPY allows at most 0"):
        Money.of("1.0", "JPY")


@pytest.mark.parametrize("amount", [1.0, True, "1", Decimal(1)])
def test_money_constructor_needs_int(amount: object) -> None:
    with pytest.raises(InvalidAmountError):
        Money(amount, "INR")  # type: ignore[arg-type]


def test_format_parse_round_trip() -> None:
    assert str(Money(-5, "INR")) == "-0.05 INR"
    assert Money(-5, "JPY").format() == "-5"
    assert Money(1234, "KWD").format() == "1.234"
    assert Money.parse("613.48 INR") == Money(61348, "INR")
    assert Money.parse(str(Money(-7, "KWD"))) == Money(-7, "KWD")
    assert Money(61348, "INR").to_decimal() == Decimal("613.48")
    assert repr(Money(1, "USD")) == "Money(amount=1, currency='USD')"


@pytest.mark.parametrize("text", ["700.00", "700.00 INR extra", "", 700])
def test_parse_refuses(text: object) -> None:
    with pytest.raises(InvalidAmountError):
        Money.parse(text)  # type: ignore[arg-type]


def test_arithmetic_and_ordering() -> None:
    a, b = Money.of("10.50", "INR"), Money.of("0.50", "INR")
    assert a + b == Money(1100, "INR")
    assert a - b == Money(1000, "INR")
    assert -a == Money(-1050, "INR")
    assert abs(-a) == a
    assert a * 3 == 3 * a == Money(3150, "INR")
    assert b < a
    assert b <= a
    assert a > b
    assert a >= b
    assert a >= a  # noqa: PLR0124
    assert Money.zero("INR").is_zero()
    assert not a.is_zero()
    assert a != Money(1050, "USD")


@pytest.mark.parametrize(
    "op",
    [
        lambda x, y: x + y,
        lambda x, y: x - y,
        lambda x, y: x < y,
        lambda x, y: x <= y,
        lambda x, y: x > y,
        lambda x, y: x >= y,
    ],
)
def test_mixed_currencies_refused(op: object) -> None:
    with pytest.raises(CurrencyMismatchError) as info:
        op(Money(1, "INR"), Money(1, "USD"))  # type: ignore[operator]
    assert info.value.code == "money.currency_mismatch"


def test_operations_with_non_money_refused() -> None:
    with pytest.raises(InvalidAmountError):
        Money(1, "INR") + 1  # type: ignore[operator]
    with pytest.raises(InvalidAmountError):
        Money(1, "INR") * Decimal("1.5")  # type: ignore[operator]
    with pytest.raises(InvalidAmountError):
        Money(1, "INR") * True


@pytest.mark.parametrize(
    ("mode", "five", "minus_five", "fifteen"),
    [
        (decimal.ROUND_HALF_UP, 3, -3, 8),
        (decimal.ROUND_HALF_DOWN, 2, -2, 7),
        (decimal.ROUND_HALF_EVEN, 2, -2, 8),
        (decimal.ROUND_UP, 3, -3, 8),
        (decimal.ROUND_DOWN, 2, -2, 7),
        (decimal.ROUND_CEILING, 3, -2, 8),
        (decimal.ROUND_FLOOR, 2, -3, 7),
    ],
)
def test_scale_rounding_modes(
    mode: str, five: int, minus_five: int, fifteen: int
) -> None:
    half = Decimal("0.5")
    assert Money(5, "INR").scale(half, mode).amount == five
    assert Money(-5, "INR").scale(half, mode).amount == minus_five
    assert Money(15, "INR").scale(half, mode).amount == fifteen
    assert Money(4, "INR").scale(half, mode).amount == 2


def test_scale_non_half_remainders() -> None:
    assert Money(10, "INR").scale(Fraction(1, 3)).amount == 3
    assert Money(20, "INR").scale(Fraction(1, 3)).amount == 7
    assert Money(-20, "INR").scale(Fraction(1, 3)).amount == -7
    assert Money(7, "INR").scale(2).amount == 14


@pytest.mark.parametrize(
    ("rate", "rounding"),
    [
        (0.1, decimal.ROUND_HALF_UP),
        (Decimal("NaN"), decimal.ROUND_HALF_UP),
        (True, decimal.ROUND_HALF_UP),
        (Decimal("0.1"), "ROUND_05UP"),
        (Decimal("0.1"), "nearest"),
    ],
)
def test_scale_refuses_floats_and_unknown_modes(rate: object, rounding: str) -> None:
    with pytest.raises(InvalidValueError):
        Money(5, "INR").scale(rate, rounding)  # type: ignore[arg-type]


def test_money_allocate_method() -> None:
    assert Money.of("1.00", "INR").allocate([1, 1, 1]) == (
        Money(34, "INR"),
        Money(33, "INR"),
        Money(33, "INR"),
    )
