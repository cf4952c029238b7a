"""Journal.post_many moves both balances exactly like post, and refuses with details."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking_core.errors import CurrencyMismatchError, InsufficientFundsError
from booking_core.money import Journal, Transfer, TransferKind

AT = datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)  # Europe/London fold day


def _t(
    key: str, debit: str, credit: str, amount: int, currency: str = "INR"
) -> Transfer:
    return Transfer(
        key=key,
        debit=debit,
        credit=credit,
        amount=amount,
        currency=currency,
        kind=TransferKind.ADJUSTMENT,
        reference="r",
        at=AT,
    )


def test_post_many_debits_existing_accounts() -> None:
    journal = Journal("INR")
    journal.post(_t("seed", "payments", "escrow:m1", 100))
    posted = journal.post_many(
        [
            _t("a", "escrow:m1", "wallet:m1", 30),
            _t("b", "escrow:m1", "wallet:m1", 20),
            _t("c", "wallet:m1", "payouts", 5),
        ]
    )
    assert posted == 3
    assert journal.balances() == {
        "payments": -100,
        "escrow:m1": 50,
        "wallet:m1": 45,
        "payouts": 5,
    }


def test_post_many_refuses_an_overdraft_with_details_and_keeps_what_came_before() -> (
    None
):
    journal = Journal("INR")
    journal.post(_t("seed", "payments", "escrow:m1", 10))
    with pytest.raises(InsufficientFundsError) as caught:
        journal.post_many(
            [
                _t("a", "escrow:m1", "wallet:m1", 6),
                _t("b", "escrow:m1", "wallet:m1", 5),  # 4 left: refused
            ]
        )
    assert caught.value.details == {
        "account": "escrow:m1",
        "balance": "0.04 INR",
        "amount": "0.05 INR",
        "kind": "escrow",
    }
    assert journal.balance("escrow:m1") == 4
    assert journal.balance("wallet:m1") == 6
    # exactly the balance is allowed: down to zero
    assert journal.post_many([_t("c", "escrow:m1", "wallet:m1", 4)]) == 1
    assert journal.balance("escrow:m1") == 0


def test_post_many_refuses_another_currency() -> None:
    journal = Journal("INR")
    with pytest.raises(CurrencyMismatchError):
        journal.post_many([_t("u", "payments", "escrow:m1", 1, "USD")])
    assert journal.balances() == {}


ACCOUNTS = ["payments", "refunds", "fee_loss", "escrow:m1", "wallet:m1", "held:m1"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(ACCOUNTS),
            st.sampled_from(ACCOUNTS),
            st.integers(min_value=1, max_value=50),
        ),
        max_size=12,
    )
)
def test_post_many_leaves_the_journal_post_leaves(
    moves: list[tuple[str, str, int]],
) -> None:
    transfers = [
        _t(f"k{i}", debit, credit, amount)
        for i, (debit, credit, amount) in enumerate(moves)
        if debit != credit
    ]
    one_by_one, bulk = Journal("INR"), Journal("INR")
    posted, refused = 0, None
    for transfer in transfers:
        try:
            one_by_one.post(transfer)
        except InsufficientFundsError as error:
            refused = error.details
            break
        posted += 1
    if refused is None:
        assert bulk.post_many(transfers) == posted
    else:
        with pytest.raises(InsufficientFundsError) as caught:
            bulk.post_many(transfers)
        assert caught.value.details == refused
    assert bulk.balances() == one_by_one.balances()
    assert bulk.transfers() == one_by_one.transfers()
    assert sum(bulk.balances().values()) == 0
