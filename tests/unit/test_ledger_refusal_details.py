"""Ledger refusals carry their details; plan_posting and the wallet's exact figures."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from booking_core.errors import (
    CurrencyMismatchError,
    IdempotencyKeyReuseError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidValueError,
)
from booking_core.money import (
    AccountKind,
    Journal,
    Money,
    Transfer,
    TransferKind,
    account_id,
    teacher_wallet,
)
from booking_core.money.ledger import (
    LedgerAccount,
    LedgerEntry,
    parse_account,
    plan_posting,
)

AT = datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)  # Europe/London gap day
KINDS = (
    "payments, escrow, wallet, held, payouts, platform_revenue, gateway_fees, "
    "gateway_tax, fee_loss, refunds, receivable, uncovered_loss"
)


def _t(
    key: str,
    debit: str,
    credit: str,
    amount: int,
    kind: TransferKind = TransferKind.ADJUSTMENT,
) -> Transfer:
    return Transfer(
        key=key,
        debit=debit,
        credit=credit,
        amount=amount,
        currency="INR",
        kind=kind,
        reference="r",
        at=AT,
    )


def test_account_id_refusals() -> None:
    with pytest.raises(InvalidValueError) as caught:
        account_id("savings")
    assert caught.value.details == {
        "field": "kind",
        "reason": f"must be one of {KINDS}",
        "value": "savings",
    }
    for owner in (None, " "):
        with pytest.raises(InvalidValueError) as caught:
            account_id(AccountKind.ESCROW, owner)
        assert caught.value.details == {
            "field": "owner",
            "reason": "escrow accounts need a teacher",
            "value": owner,
        }
    with pytest.raises(InvalidValueError) as caught:
        account_id("refunds", "m1")
    assert caught.value.details == {
        "field": "owner",
        "reason": "refunds is one account for all",
        "value": "m1",
    }


def test_parse_account_refuses_non_strings() -> None:
    with pytest.raises(InvalidValueError) as caught:
        parse_account(7)  # type: ignore[arg-type]
    assert caught.value.details == {
        "field": "account",
        "reason": "must be a str",
        "value": 7,
    }
    assert parse_account("refunds") == (AccountKind.REFUNDS, None)


def test_transfer_refusals_name_the_field() -> None:
    with pytest.raises(InvalidValueError) as caught:
        _t("k", "escrow", "refunds", 1)
    assert caught.value.details == {
        "field": "debit",
        "reason": "must be an account id such as 'escrow:m1' or 'refunds'",
        "value": "escrow",
    }
    with pytest.raises(InvalidValueError) as caught:
        _t("k", "refunds", "bank", 1)
    assert caught.value.details["field"] == "credit"
    for amount in (0, True, -1):
        with pytest.raises(InvalidAmountError) as amount_error:
            _t("k", "payments", "refunds", amount)
        assert amount_error.value.details == {
            "field": "amount",
            "reason": "must be a whole number of minor units above 0",
            "value": amount,
        }
    with pytest.raises(InvalidValueError) as caught:
        _t("k", "refunds", "refunds", 1)
    assert caught.value.details == {
        "field": "credit",
        "reason": "must differ from the debit account",
        "value": "refunds",
    }


def test_post_refusals_carry_details() -> None:
    journal = Journal("INR")
    usd = Transfer(
        key="u", debit="payments", credit="refunds", amount=1, currency="USD",
        kind=TransferKind.ADJUSTMENT,
    )  # fmt: skip
    with pytest.raises(CurrencyMismatchError) as mismatch:
        journal.post(usd)
    assert mismatch.value.details == {
        "action": "post",
        "left": Money.of("0.01", "USD"),
        "right": "a INR journal",
    }
    first = journal.post(_t("k", "payments", "escrow:m1", 5))
    other = _t("k", "payments", "escrow:m1", 6)
    with pytest.raises(IdempotencyKeyReuseError) as reuse:
        journal.post(other)
    assert reuse.value.details == {"key": "k", "existing": first, "requested": other}
    with pytest.raises(InsufficientFundsError) as funds:
        journal.post(_t("w", "wallet:m1", "payouts", 1))
    assert funds.value.details == {
        "account": "wallet:m1",
        "balance": "0.00 INR",
        "amount": "0.01 INR",
        "kind": "wallet",
    }


def test_plan_posting_overlays_balances_in_order() -> None:
    stored = {"escrow:m1": 10}
    plan = plan_posting(
        [
            _t("a", "escrow:m1", "wallet:m1", 4),
            _t("b", "escrow:m1", "wallet:m1", 6),  # exactly down to zero
            _t("c", "wallet:m1", "payouts", 10),
        ],
        currency="INR",
        posted=lambda key: None,
        balance=lambda account: stored.get(account, 0),
    )
    assert plan.balances == (("escrow:m1", 0), ("wallet:m1", 0), ("payouts", 10))
    assert [t.key for t in plan.new] == ["a", "b", "c"]


def test_plan_posting_refuses_with_details() -> None:
    with pytest.raises(InsufficientFundsError) as caught:
        plan_posting(
            [_t("a", "escrow:m1", "wallet:m1", 4), _t("b", "escrow:m1", "held:m1", 7)],
            currency="INR",
            posted=lambda key: None,
            balance=lambda account: 10 if account == "escrow:m1" else 0,
        )
    assert caught.value.details == {
        "account": "escrow:m1",
        "balance": "0.06 INR",
        "amount": "0.07 INR",
        "kind": "escrow",
    }
    with pytest.raises(CurrencyMismatchError) as mismatch:
        plan_posting(
            [_t("a", "payments", "refunds", 1)],
            currency="USD",
            posted=lambda key: None,
            balance=lambda account: 0,
        )
    assert mismatch.value.details == {
        "action": "post",
        "left": Money.of("0.01", "INR"),
        "right": "a USD journal",
    }


def test_lifetime_earnings_subtract_refunds_charged_to_the_wallet() -> None:
    journal = Journal("INR")
    journal.post_linked(
        [
            _t("cap", "payments", "escrow:m1", 1000, TransferKind.CAPTURE_TEACHER),
            _t("rel", "escrow:m1", "wallet:m1", 1000, TransferKind.ESCROW_RELEASE),
            _t("ref", "wallet:m1", "refunds", 300, TransferKind.REFUND_TEACHER),
            _t("loss", "wallet:m1", "fee_loss", 20, TransferKind.REFUND_FEE_LOSS),
            _t("hold", "wallet:m1", "held:m1", 100, TransferKind.PAYOUT_HOLD),
        ]
    )
    wallet = teacher_wallet(journal, "m1")
    assert wallet.lifetime_earned == Money.of("6.80", "INR")
    assert wallet.available == Money.of("5.80", "INR")
    assert wallet.held == Money.of("1.00", "INR")
    assert wallet.escrow == Money.of("0", "INR")
    assert [t.key for t in wallet.earned_entries] == ["rel", "ref", "loss"]
    assert [t.key for t in wallet.held_entries] == ["hold"]
    assert [t.key for t in wallet.escrow_entries] == ["cap", "rel"]


def test_stored_rows_start_empty() -> None:
    account = LedgerAccount(id="INR/refunds", currency="INR", account="refunds")
    assert (account.balance, account.entries, account.version) == (0, 0, 0)
    entry = LedgerEntry(
        id="INR/k", transfer=_t("k", "payments", "refunds", 1), debit_seq=1,
        credit_seq=1,
    )  # fmt: skip
    assert entry.version == 0


def test_only_releases_and_refunds_count_as_earnings() -> None:
    journal = Journal("INR")
    journal.post_linked(
        [
            _t("bonus", "payments", "wallet:m1", 500),  # an adjustment, not earned
            _t("back", "wallet:m1", "payments", 200),
        ]
    )
    wallet = teacher_wallet(journal, "m1")
    assert wallet.available == Money.of("3.00", "INR")
    assert wallet.lifetime_earned == Money.of("0", "INR")
    assert wallet.earned_entries == ()


def test_an_entry_knows_its_place_on_either_side() -> None:
    entry = LedgerEntry(
        id="INR/k", transfer=_t("k", "payments", "refunds", 1), debit_seq=3,
        credit_seq=7,
    )  # fmt: skip
    assert (entry.seq("payments"), entry.seq("refunds")) == (3, 7)
