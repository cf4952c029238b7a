"""Split an amount by ratios so the parts sum exactly to it (largest remainder).

The rule, on integer minor units: give every part the floor of its exact share
``amount * ratio / sum(ratios)``, then hand the leftover units, one each, to the
parts with the largest fractional remainders; ties go to the larger ratio, then
to the lower index. Hence:

* the parts sum exactly to the amount;
* every part is the floor or the ceiling of its exact share (so it differs from
  it by less than one minor unit);
* a zero ratio gets zero;
* allocating ``-a`` gives the negation of allocating ``a``.

(Giving the leftovers to the first parts, or to the largest ratios, breaks the
floor/ceiling property; this rule does not.)

Example:
    >>> from booking_core.money import allocate, Money
    >>> allocate(5, [70, 30]), allocate(5, [3, 7]), allocate(100, [1, 1, 1])
    ((4, 1), (1, 4), (34, 33, 33))
    >>> allocate(1003, [0, 50, 50]), allocate(5, [3, 4, 3]), allocate(-5, [70, 30])
    ((0, 502, 501), (2, 2, 1), (-4, -1))
    >>> allocate(Money.of("10.00", "INR"), [1, 2])
    (Money(amount=333, currency='INR'), Money(amount=667, currency='INR'))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from booking_core.errors import InvalidAmountError
from booking_core.money._rates import Ratio, allocate_minor, integer_ratios
from booking_core.money.amount import Money

__all__ = ["allocate"]


@overload
def allocate(amount: int, ratios: Sequence[Ratio]) -> tuple[int, ...]: ...
@overload
def allocate(amount: Money, ratios: Sequence[Ratio]) -> tuple[Money, ...]: ...
def allocate(
    amount: int | Money, ratios: Sequence[Ratio]
) -> tuple[int, ...] | tuple[Money, ...]:
    """Split ``amount`` into ``len(ratios)`` parts proportional to ``ratios``.

    Args:
        amount: Minor units (``int``) or :class:`~booking_core.money.Money`.
        ratios: Non-negative ``int`` / ``Decimal`` / ``Fraction`` weights, not all
            zero (floats are refused).

    Returns:
        The parts, in the order of ``ratios``, of the same type as ``amount``;
        they sum exactly to it (largest-remainder rule, see the module doc).

    Raises:
        InvalidValueError: ``input.invalid_value`` for empty, negative, all-zero
            or float ratios.
        InvalidAmountError: ``money.invalid_amount`` when ``amount`` is neither an
            ``int`` nor ``Money``.

    Example:
        >>> from decimal import Decimal
        >>> allocate(7, [Decimal("0.5"), Decimal("0.25"), Decimal("0.25")])
        (3, 2, 2)
    """
    whole = integer_ratios(ratios)
    if isinstance(amount, Money):
        currency = amount.currency
        return tuple(
            Money._make(part, currency) for part in allocate_minor(amount.amount, whole)
        )
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidAmountError(
            field="amount",
            reason="must be an int of minor units or Money",
            value=amount,
        )
    return allocate_minor(amount, whole)
