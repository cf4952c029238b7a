"""The gateway-reported fee reaches the split exactly, or the split says estimated."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from booking_core.errors import AmountTooSmallForFeesError
from booking_core.money import Money, SplitPolicy, split_payment
from booking_core.money.currency import get_currency
from booking_core.money.gateway import (
    GatewayPayment,
    PaymentStatus,
    from_gateway_units,
    reported_fee,
)
from booking_core.money.split import FeeSource


@settings(max_examples=200)
@given(
    st.sampled_from(["INR", "JPY", "KWD", "USD"]),
    st.integers(0, 2),  # extra decimals the gateway counts in (JPY in hundredths)
    st.integers(1, 10**9),
    st.one_of(st.none(), st.tuples(st.integers(0, 10**8), st.integers(0, 10**8))),
)
@example("INR", 0, 700, (1652, 252))
@example("JPY", 2, 150000, (3501, 500))  # 35.01 JPY cannot be held: estimated
def test_reported_fee_is_used_exactly_when_present(
    code: str, extra: int, gross_iso: int, reported: tuple[int, int] | None
) -> None:
    units = int(get_currency(code).minor_unit) + extra
    amount = gross_iso * 10**extra
    fee = tax = None
    if reported is not None:
        fee, tax = max(reported), min(reported)
    payment = GatewayPayment(
        id="pay_1",
        order_id="order_1",
        amount=amount,
        currency=code,
        status=PaymentStatus.CAPTURED,
        fee=fee,
        tax=tax,
    )
    gross = from_gateway_units(amount, code, units)
    assert gross == Money(gross_iso, code)
    found = reported_fee(payment, units)
    exact = fee is not None and tax is not None and fee % 10**extra == 0
    exact = exact and tax is not None and tax % 10**extra == 0
    assert (found is not None) == exact
    try:
        split = split_payment(gross, SplitPolicy(), found, payment_id=payment.id)
    except AmountTooSmallForFeesError:
        return
    if found is None:
        assert split.fee_source is FeeSource.ESTIMATED
        estimate = SplitPolicy().fee_schedule.estimate(gross)
        assert (split.gateway_fee, split.gateway_tax) == (estimate.fee, estimate.tax)
    else:
        assert fee is not None
        assert tax is not None
        assert split.fee_source is FeeSource.REPORTED
        assert split.gateway_fee == Money(fee // 10**extra, code)
        assert split.gateway_tax == Money(tax // 10**extra, code)
    assert sum(split.minor_parts()) == gross_iso
