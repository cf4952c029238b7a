"""The journal: posting, idempotency, linked transfers, history, wallets."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from booking_core.adapters._repositories import StagedLedgerJournal
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.errors import (
    CurrencyMismatchError,
    IdempotencyKeyReuseError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidValueError,
    NaiveDatetimeError,
)
from booking_core.money.ledger import (
    AccountKind,
    Journal,
    Transfer,
    TransferKind,
    account_id,
    parse_account,
    teacher_wallet,
)
from booking_core.policies import Policies
from booking_core.ports import LedgerJournal, UnitOfWork
from booking_core.services.ledger import LedgerService

AT = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)  # Europe/London DST day


def t(  # noqa: PLR0917 -- a terse test builder
    key: str,
    debit: str,
    credit: str,
    amount: int,
    kind: TransferKind = TransferKind.ADJUSTMENT,
    currency: str = "INR",
) -> Transfer:
    return Transfer(
        key=key,
        debit=debit,
        credit=credit,
        amount=amount,
        currency=currency,
        kind=kind,
        reference="r",
        at=AT,
    )


def snapshot(journal: Journal) -> tuple[object, ...]:
    return (journal.balances(), journal.transfers(), len(journal))


def test_accounts() -> None:
    assert account_id(AccountKind.ESCROW, "m1") == "escrow:m1"
    assert account_id("payments") == "payments"
    assert parse_account("wallet:m:1") == (AccountKind.WALLET, "m:1")
    assert parse_account("fee_loss") == (AccountKind.FEE_LOSS, None)
    assert AccountKind.HELD.per_teacher
    assert not AccountKind.HELD.may_go_negative
    assert AccountKind.PAYMENTS.may_go_negative


@pytest.mark.parametrize(
    ("kind", "owner"),
    [("nope", None), ("escrow", None), ("escrow", " "), ("payments", "m1")],
)
def test_bad_accounts(kind: str, owner: str | None) -> None:
    with pytest.raises(InvalidValueError):
        account_id(kind, owner)


@pytest.mark.parametrize("account", ["escrow", "payments:x", "bank", 3])
def test_parse_bad_accounts(account: object) -> None:
    with pytest.raises(InvalidValueError):
        parse_account(account)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [
        {"key": ""},
        {"debit": "bank"},
        {"credit": "escrow"},
        {"amount": 0},
        {"amount": -3},
        {"amount": 1.0},
        {"kind": "gift"},
        {"credit": "payments"},
    ],
)
def test_transfer_validation(fields: dict[str, object]) -> None:
    base: dict[str, object] = {
        "key": "k",
        "debit": "payments",
        "credit": "escrow:m1",
        "amount": 1,
        "currency": "INR",
        "kind": "capture_teacher",
    }
    with pytest.raises(ValueError, match=r"."):
        Transfer(**{**base, **fields})  # type: ignore[arg-type]


def test_transfer_at_must_be_aware_and_is_not_content() -> None:
    with pytest.raises(NaiveDatetimeError):
        Transfer(
            key="k",
            debit="payments",
            credit="refunds",
            amount=1,
            currency="INR",
            kind="adjustment",
            at=datetime(2026, 1, 1),
        )
    a = t("k", "payments", "refunds", 1)
    b = Transfer(
        key="k",
        debit="payments",
        credit="refunds",
        amount=1,
        currency="inr",
        kind="adjustment",
        reference="r",
        at=AT + timedelta(hours=5),
    )
    assert a == b
    assert a.money.amount == 1


def test_post_updates_balances_and_history() -> None:
    journal = Journal("INR")
    first = journal.post(t("a", "payments", "escrow:m1", 500))
    second = journal.post(t("b", "escrow:m1", "wallet:m1", 200))
    assert journal.balance("escrow:m1") == 300
    assert journal.balance("wallet:m1") == 200
    assert journal.balance("payments") == -500
    assert journal.balance("never") == 0
    assert sum(journal.balances().values()) == 0
    assert journal.history("escrow:m1") == (first, second)
    assert journal.history("wallet:m1") == (second,)
    assert journal.history("nobody") == ()
    third = journal.post(t("c", "wallet:m1", "payouts", 50))
    assert journal.history("wallet:m1") == (second, third)  # index catches up
    assert journal.transfers() == (first, second, third)
    assert journal.get("b") is second
    assert journal.get("zzz") is None
    assert len(journal) == 3


def test_replay_is_a_no_op_returning_the_original() -> None:
    journal = Journal("INR")
    original = journal.post(t("a", "payments", "escrow:m1", 500))
    before = snapshot(journal)
    again = t("a", "payments", "escrow:m1", 500)
    assert again is not original
    assert journal.post(again) is original
    assert journal.post_many([again, again]) == 0
    assert journal.post_linked([again]) == (original,)
    assert snapshot(journal) == before


def test_key_reuse_with_other_content_refused_and_changes_nothing() -> None:
    journal = Journal("INR")
    journal.post(t("a", "payments", "escrow:m1", 500))
    before = snapshot(journal)
    for method in (journal.post, lambda x: journal.post_many([x])):
        with pytest.raises(IdempotencyKeyReuseError) as info:
            method(t("a", "payments", "escrow:m1", 501))
        assert info.value.code == "money.idempotency_key_reused"
    with pytest.raises(IdempotencyKeyReuseError):
        journal.post_linked([t("a", "payments", "escrow:m2", 500)])
    assert snapshot(journal) == before


def test_other_currency_refused() -> None:
    journal = Journal("inr")
    assert journal.currency == "INR"
    usd = t("u", "payments", "escrow:m1", 5, currency="USD")
    with pytest.raises(CurrencyMismatchError):
        journal.post(usd)
    with pytest.raises(CurrencyMismatchError):
        journal.post_many([usd])
    with pytest.raises(CurrencyMismatchError):
        journal.post_linked([usd])
    assert len(journal) == 0


@pytest.mark.parametrize("account", ["escrow:m1", "wallet:m1", "held:m1"])
def test_teacher_accounts_never_go_negative(account: str) -> None:
    journal = Journal("INR")
    journal.post(t("seed", "payments", account, 100))
    before = snapshot(journal)
    with pytest.raises(InsufficientFundsError) as info:
        journal.post(t("x", account, "refunds", 101))
    assert info.value.code == "money.insufficient_funds"
    assert "holds 1.00 INR but 1.01 INR is needed" in str(info.value)
    with pytest.raises(InsufficientFundsError):
        journal.post_many([t("y", account, "refunds", 101)])
    assert snapshot(journal) == before
    assert journal.get("x") is None
    journal.post(t("z", account, "refunds", 100))  # down to exactly zero is fine
    assert journal.balance(account) == 0


def test_platform_accounts_may_go_negative() -> None:
    journal = Journal("INR")
    journal.post(t("a", "fee_loss", "refunds", 10))
    journal.post(t("b", "platform_revenue", "refunds", 10))
    assert journal.balance("fee_loss") == -10


def test_post_many_counts_and_stops_at_first_refusal() -> None:
    journal = Journal("INR")
    batch = [
        t("a", "payments", "escrow:m1", 5),
        t("b", "escrow:m1", "wallet:m1", 5),
        t("a", "payments", "escrow:m1", 5),
    ]
    assert journal.post_many(batch) == 2
    with pytest.raises(InsufficientFundsError):
        journal.post_many(
            [t("c", "payments", "wallet:m2", 1), t("d", "wallet:m1", "payouts", 6)]
        )
    assert journal.get("c") is not None  # posted before the refusal
    assert journal.get("d") is None


def test_post_linked_is_all_or_nothing() -> None:
    journal = Journal("INR")
    journal.post(t("seed", "payments", "escrow:m1", 100))
    before = snapshot(journal)
    batch = [
        t("l1", "escrow:m1", "wallet:m1", 60),
        t("l2", "wallet:m1", "payouts", 50),
        t("l3", "escrow:m1", "refunds", 50),  # escrow has only 40 left
    ]
    with pytest.raises(InsufficientFundsError):
        journal.post_linked(batch)
    assert snapshot(journal) == before
    ok = journal.post_linked([*batch[:2], t("l3", "escrow:m1", "refunds", 40)])
    assert [x.key for x in ok] == ["l1", "l2", "l3"]
    assert journal.balance("escrow:m1") == 0
    assert journal.balance("wallet:m1") == 10


def test_post_linked_checks_intermediate_steps_and_duplicates_in_batch() -> None:
    journal = Journal("INR")
    # credit first, then debit: fine in order
    result = journal.post_linked(
        [t("in", "payments", "wallet:m1", 10), t("out", "wallet:m1", "payouts", 10)]
    )
    assert len(result) == 2
    # the same key twice in one batch with the same content posts once
    twice = t("dup", "payments", "wallet:m1", 3)
    assert journal.post_linked([twice, twice]) == (twice, twice)
    assert journal.balance("wallet:m1") == 3
    with pytest.raises(IdempotencyKeyReuseError):
        journal.post_linked(
            [t("d2", "payments", "wallet:m1", 3), t("d2", "payments", "wallet:m1", 4)]
        )
    assert journal.get("d2") is None


def test_teacher_wallet_view() -> None:
    journal = Journal("INR")
    capture = journal.post(
        t("c", "payments", "escrow:m1", 1000, TransferKind.CAPTURE_TEACHER)
    )
    capture2 = journal.post(
        t("c2", "payments", "escrow:m1", 500, TransferKind.CAPTURE_TEACHER)
    )
    release = journal.post(
        t("r", "escrow:m1", "wallet:m1", 1000, TransferKind.ESCROW_RELEASE)
    )
    clawback = journal.post(
        t("f", "wallet:m1", "refunds", 100, TransferKind.REFUND_TEACHER)
    )
    hold = journal.post(t("h", "wallet:m1", "held:m1", 300, TransferKind.PAYOUT_HOLD))
    journal.post(t("other", "payments", "escrow:m2", 7))
    wallet = teacher_wallet(journal, "m1")
    assert wallet.escrow.amount == 500
    assert wallet.available.amount == 600
    assert wallet.held.amount == 300
    assert wallet.lifetime_earned.amount == 900
    assert wallet.escrow_entries == (capture, capture2, release)
    assert wallet.available_entries == (release, clawback, hold)
    assert wallet.held_entries == (hold,)
    assert wallet.earned_entries == (release, clawback)
    assert str(teacher_wallet(journal, "nobody").available) == "0.00 INR"


def test_journal_satisfies_the_port() -> None:
    journal: LedgerJournal = Journal("INR")
    journal.post(t("a", "payments", "escrow:m1", 5))
    assert teacher_wallet(journal, "m1").escrow.amount == 5


def _ledger(store: InMemoryStore, currency: str) -> LedgerJournal:
    """A committing in-memory ledger: every call is one transaction."""
    return LedgerService(
        uow_factory=lambda: InMemoryUnitOfWork(store),
        currency=currency,
        # threads racing on one wallet must not run out of retries
        policies=Policies(transaction_attempts=100),
    )


def test_in_memory_ledger_is_shared_and_satisfies_the_port() -> None:
    store = InMemoryStore()
    journal = _ledger(store, "inr")
    assert journal.currency == "INR"
    posted = journal.post(t("a", "payments", "escrow:m1", 5))
    other = _ledger(store, "INR")
    assert other.get("a") == posted
    assert other.post_linked([t("b", "escrow:m1", "wallet:m1", 5)])[0].key == "b"
    assert other.balances() == {"payments": -5, "escrow:m1": 0, "wallet:m1": 5}
    assert other.balance("wallet:m1") == 5
    assert [x.key for x in other.history("escrow:m1")] == ["a", "b"]
    assert _ledger(store, "USD").balance("wallet:m1") == 0


def test_in_memory_ledger_threads_never_double_post() -> None:
    store = InMemoryStore()
    journal = _ledger(store, "INR")
    journal.post(t("seed", "payments", "wallet:m1", 100))

    refused: list[str] = []

    def withdraw() -> None:
        # every thread sends the same 50 keyed withdrawals: replays must not
        # double-post, and only 33 of 3.00 fit in 100
        for n in range(50):
            try:
                journal.post(t(f"w{n}", "wallet:m1", "payouts", 3))
            except InsufficientFundsError:  # noqa: PERF203
                refused.append(f"w{n}")

    threads = [threading.Thread(target=withdraw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert journal.balance("wallet:m1") == 100 - 3 * 33
    assert journal.balance("payouts") == 3 * 33
    assert len(refused) == 4 * 17


def test_invalid_amount_errors_are_value_errors() -> None:
    with pytest.raises(InvalidAmountError):
        t("k", "payments", "refunds", 0)


def test_post_many_into_existing_accounts() -> None:
    journal = Journal("INR")
    batch = [t(f"k{i}", "payments", "escrow:m1", i + 1) for i in range(3)]
    assert journal.post_many(batch) == 3
    assert journal.balance("escrow:m1") == 6


def test_refused_debit_of_an_unused_account_registers_nothing() -> None:
    journal = Journal("INR")
    journal.post(t("seed", "payments", "escrow:m1", 5))
    before = snapshot(journal)
    with pytest.raises(InsufficientFundsError, match=r"holds 0\.00 INR"):
        journal.post(t("x", "wallet:m9", "payouts", 1))
    with pytest.raises(InsufficientFundsError):
        journal.post_many([t("y", "held:m9", "payouts", 1)])
    with pytest.raises(InsufficientFundsError):
        journal.post_linked([t("z", "escrow:m9", "payouts", 1)])
    assert snapshot(journal) == before
    assert "wallet:m9" not in journal.balances()


def test_a_twin_committing_between_our_reads_is_a_replay_not_a_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Reads are not one snapshot. The journal reads balances before keys, so a
    # twin with the same key that commits in between is seen as its key (or
    # fails our commit), never as its debit alone: a false "insufficient funds".
    store = InMemoryStore()
    ledger = _ledger(store, "INR")
    ledger.post(t("seed", "payments", "wallet:m1", 3))
    twin = t("w1", "wallet:m1", "payouts", 3)

    class TwinCommitsAfterKeyLookup(StagedLedgerJournal):
        """The twin commits right after this unit looked its key up (once)."""

        raced = False

        def get(self, key: str) -> Transfer | None:
            found = super().get(key)
            if not TwinCommitsAfterKeyLookup.raced:
                TwinCommitsAfterKeyLookup.raced = True
                ledger.post(twin)
            return found

    def racing_uow() -> UnitOfWork:
        uow = InMemoryUnitOfWork(store)
        monkeypatch.setattr(
            uow, "ledger", lambda currency: TwinCommitsAfterKeyLookup(uow, currency)
        )
        return uow

    racing = LedgerService(uow_factory=racing_uow, currency="INR")
    assert racing.post(twin) == ledger.get("w1")  # the retry replays the twin
    assert TwinCommitsAfterKeyLookup.raced
    assert ledger.balance("payouts") == 3  # posted once
    # A real shortfall is still refused.
    with pytest.raises(InsufficientFundsError):
        ledger.post(t("w2", "wallet:m1", "payouts", 3))
