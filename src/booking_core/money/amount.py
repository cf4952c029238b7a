"""``Money``: an exact integer number of minor units in one ISO 4217 currency.

Amounts never pass through floats. Construct from minor units (``Money(70000,
"INR")``) or from major units given as ``str``, ``int`` or ``Decimal``
(:meth:`Money.of`); a value with more decimals than the currency has is refused,
never rounded silently. Arithmetic and ordering refuse mixed currencies. Rates are
applied with :meth:`Money.scale` and an explicit :mod:`decimal` rounding mode.

Example:
    >>> from decimal import Decimal
    >>> from booking_core.money import Money
    >>> price = Money.of("700.00", "INR")
    >>> price
    Money(amount=70000, currency='INR')
    >>> str(price - Money.of("16.52", "INR"))
    '683.48 INR'
    >>> price.scale(Decimal("0.10"))
    Money(amount=7000, currency='INR')
    >>> Money.of("1.005", "INR")
    Traceback (most recent call last):
    ...
    booking_core.errors.InvalidAmountError: amount is not a valid amount: has 3 \
decimal places, INR allows at most 2; got '1.005'
    >>> Money.of("1", "JPY") + Money.of("1", "INR")
    Traceback (most recent call last):
    ...
    booking_core.errors.CurrencyMismatchError: cannot add 1 JPY and 1.00 INR: ...
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, ClassVar, final

import attrs

from booking_core._validation import MONEY_MAX_MAJOR_DIGITS, short
from booking_core.errors import CurrencyMismatchError, InvalidAmountError
from booking_core.money._rates import (
    allocate_minor,
    as_rate,
    check_rounding,
    integer_ratios,
    scale,
)
from booking_core.money.currency import Currency, get_currency

__all__ = ["Money"]

_NUMBER = r"[+-]?\d+(\.\d+)?"  # compiled (and cached) by re on first use
_LIMIT_MAJOR = 10**MONEY_MAX_MAJOR_DIGITS


def _whole_minor_units(
    instance: object, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmountError(
            field=attribute.name,
            reason=(
                "must be a whole number of minor units (an int); use Money.of() "
                "for major units"
            ),
            value=value,
        )
    # attrs runs validators after every converter: the currency is known here.
    currency: Currency = instance.currency  # type: ignore[attr-defined]
    if abs(value) >= _LIMIT_MAJOR * currency.factor:
        _too_big(attribute.name, value)


def _too_big(field: str, value: object) -> None:
    raise InvalidAmountError(
        field=field,
        reason=f"has more than {MONEY_MAX_MAJOR_DIGITS} digits in major units",
        value=short(value),
    )


def _words(text: object) -> list[str]:
    return text.split() if isinstance(text, str) else []


@final
@attrs.frozen(order=False, repr=False)
class Money:
    """An exact amount: integer minor units of one ISO 4217 currency.

    ``Money(70000, "INR")`` is 700.00 rupees; ``Money(5, "JPY")`` is 5 yen.
    Equality is exact (amount and currency); ordering and arithmetic with another
    currency raise :class:`~booking_core.errors.CurrencyMismatchError`.

    Attributes:
        amount: The amount in minor units (paise, cents, fils); negative allowed.
        currency: The :class:`~booking_core.money.currency.Currency` (a code is
            converted on construction).
    """

    amount: int = attrs.field(validator=_whole_minor_units)
    currency: Currency = attrs.field(converter=get_currency)

    @classmethod
    def _make(cls, amount: int, currency: Currency) -> Money:
        # Fast path for values computed from already-valid Money: skips validation.
        made = object.__new__(cls)
        object.__setattr__(made, "amount", amount)
        object.__setattr__(made, "currency", currency)
        return made

    @classmethod
    def of(cls, value: str | int | Decimal, currency: str | Currency) -> Money:
        """Money from major units: ``"10.50"``, ``10`` or ``Decimal("10.5")``.

        Args:
            value: Major units as a plain decimal string, an ``int`` or a finite
                ``Decimal``; never a float.
            currency: An ISO 4217 code or :class:`Currency`.

        Returns:
            The exact amount.

        Raises:
            InvalidAmountError: ``money.invalid_amount`` for floats, non-numbers,
                non-finite values or more decimals than the currency has.
            UnknownCurrencyError: ``money.unknown_currency`` for an unknown code.

        Example:
            >>> Money.of("10.5", "KWD").amount
            10500
        """
        return cls._of(value, get_currency(currency))

    @classmethod
    def _of(cls, value: object, found: Currency) -> Money:
        if isinstance(value, str):
            text = value.strip()
            if not re.fullmatch(_NUMBER, text):
                raise InvalidAmountError(
                    field="amount",
                    reason="must be a plain decimal number such as '700.00'",
                    value=value,
                )
            number = Decimal(text)
        elif isinstance(value, Decimal):
            if not value.is_finite():
                raise InvalidAmountError(
                    field="amount", reason="must be finite", value=value
                )
            number = value
        elif isinstance(value, int) and not isinstance(value, bool):
            if value.bit_length() > 64 or abs(value) >= _LIMIT_MAJOR:
                _too_big("amount", value)
            return cls._make(value * found.factor, found)
        else:
            raise InvalidAmountError(
                field="amount",
                reason="must be a str, int or Decimal (never a float)",
                value=value,
            )
        if number and number.adjusted() >= MONEY_MAX_MAJOR_DIGITS:
            _too_big("amount", value)
        exponent = int(number.as_tuple().exponent)  # finite: checked above
        if -exponent > found.minor_unit:
            places = -exponent
            raise InvalidAmountError(
                field="amount",
                reason=(
                    f"has {places} decimal places, {found.code} allows at most "
                    f"{found.minor_unit}"
                ),
                value=value,
            )
        return cls._make(int(number.scaleb(found.minor_unit)), found)

    @classmethod
    def zero(cls, currency: str | Currency) -> Money:
        """Zero in ``currency``."""
        return cls._make(0, get_currency(currency))

    @classmethod
    def parse(cls, text: str) -> Money:
        """Parse the plain format of :meth:`__str__`: ``"700.00 INR"``.

        Raises:
            InvalidAmountError: ``money.invalid_amount`` when the text is not
                ``"<decimal> <CODE>"`` or has too many decimals.
            UnknownCurrencyError: ``money.unknown_currency`` for an unknown code.

        Example:
            >>> Money.parse("613.48 INR")
            Money(amount=61348, currency='INR')
        """
        parts = _words(text)
        if len(parts) != 2:
            raise InvalidAmountError(
                field="text",
                reason="must look like '700.00 INR' (amount, space, ISO code)",
                value=text,
            )
        return cls.of(parts[0], parts[1])

    JSON_SCHEMA: ClassVar[Mapping[str, Any]] = MappingProxyType(
        {
            "type": "object",
            "properties": {
                "amount": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            },
            "required": ["amount", "currency"],
            "additionalProperties": False,
        }
    )
    """The JSON Schema of :meth:`to_json`'s output."""

    @classmethod
    def from_json(cls, data: object) -> Money:
        """The amount :meth:`to_json` rendered, back.

        Raises:
            InvalidAmountError: ``money.invalid_amount`` for anything but
                ``{"amount": "<decimal string>", "currency": "<ISO code>"}`` or
                more decimals than the currency has.
            UnknownCurrencyError: ``money.unknown_currency`` for an unknown code.

        Example:
            >>> Money.from_json({"amount": "700.00", "currency": "INR"}).amount
            70000
        """
        if (
            not isinstance(data, dict)
            or set(data) != {"amount", "currency"}
            or not isinstance(data["amount"], str)
        ):
            raise InvalidAmountError(
                field="money",
                reason='expected {"amount": "<decimal string>", "currency": "<code>"}',
                value=short(data),
            )
        return cls.of(data["amount"], data["currency"])

    def to_json(self) -> dict[str, str]:
        """The amount as JSON: ``{"amount": "700.00", "currency": "INR"}``.

        Example:
            >>> Money.of("700.00", "INR").to_json()
            {'amount': '700.00', 'currency': 'INR'}
        """
        return {"amount": str(self.to_decimal()), "currency": self.currency.code}

    def to_decimal(self) -> Decimal:
        """The amount in major units as an exact ``Decimal`` (``Decimal("700.00")``)."""
        return Decimal(self.amount).scaleb(-self.currency.minor_unit)

    def format(self) -> str:
        """The amount in major units as a plain decimal: ``"700.00"``, ``"-5"``."""
        minor = self.currency.minor_unit
        sign = "-" if self.amount < 0 else ""
        whole, fraction = divmod(abs(self.amount), 10**minor)
        if minor == 0:
            return f"{sign}{whole}"
        return f"{sign}{whole}.{fraction:0{minor}d}"

    def __str__(self) -> str:
        return f"{self.format()} {self.currency.code}"

    def __repr__(self) -> str:
        return f"Money(amount={self.amount}, currency={self.currency.code!r})"

    def _same(self, other: object, action: str) -> Money:
        if not isinstance(other, Money):
            raise InvalidAmountError(
                field="other", reason=f"can only {action} Money", value=other
            )
        if other.currency is not self.currency:
            raise CurrencyMismatchError(action=action, left=self, right=other)
        return other

    def __add__(self, other: Money) -> Money:
        return Money._make(self.amount + self._same(other, "add").amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money._make(
            self.amount - self._same(other, "subtract").amount, self.currency
        )

    def __neg__(self) -> Money:
        return Money._make(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money._make(abs(self.amount), self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise InvalidAmountError(
                field="factor",
                reason="Money multiplies by an int only; use scale() for rates",
                value=factor,
            )
        return Money._make(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other, "compare").amount

    def is_zero(self) -> bool:
        """Whether the amount is exactly zero."""
        return self.amount == 0

    def scale(
        self,
        rate: Decimal | int | Fraction,
        rounding: str = decimal.ROUND_HALF_UP,
    ) -> Money:
        """``self * rate`` rounded to the minor unit with an explicit rounding mode.

        Args:
            rate: The factor as a ``Decimal``, ``int`` or ``Fraction`` (no floats).
            rounding: A :mod:`decimal` rounding mode (default half-up).

        Raises:
            InvalidValueError: ``input.invalid_value`` for a float rate or an
                unknown rounding mode.

        Example:
            >>> Money.of("0.05", "INR").scale(Decimal("0.5"))
            Money(amount=3, currency='INR')
            >>> Money.of("0.05", "INR").scale(Decimal("0.5"), decimal.ROUND_HALF_EVEN)
            Money(amount=2, currency='INR')
        """
        exact = as_rate(rate, "rate")
        mode = check_rounding(rounding, "rounding")
        return Money._make(scale(self.amount, exact, mode), self.currency)

    def allocate(self, ratios: Sequence[int | Decimal | Fraction]) -> tuple[Money, ...]:
        """Split into parts by ``ratios`` that sum exactly to ``self``.

        See :func:`booking_core.money.allocation.allocate` for the rule.

        Example:
            >>> [str(m) for m in Money.of("1.00", "INR").allocate([1, 1, 1])]
            ['0.34 INR', '0.33 INR', '0.33 INR']
        """
        parts = allocate_minor(self.amount, integer_ratios(ratios))
        return tuple(Money._make(part, self.currency) for part in parts)
