"""The contract every :class:`~booking_core.ports.LedgerJournal` must meet.

Hosts that keep the ledger in their own database subclass
:class:`LedgerJournalContract` in their test suite and provide one fixture,
``journal``, returning a fresh, empty INR journal; pytest then runs every check
against it, exactly as ``booking_core``'s own journals are checked::

    import pytest
    from booking_core.testing.ledger_contract import LedgerJournalContract

    class TestPostgresJournal(LedgerJournalContract):
        @pytest.fixture
        def journal(self, database):
            with PostgresUnitOfWork(database) as uow:
                yield uow.ledger("INR")
"""

from __future__ import annotations

import pytest

from booking_core.errors import (
    CurrencyMismatchError,
    IdempotencyKeyReuseError,
    InsufficientFundsError,
)
from booking_core.money.ledger import Transfer, TransferKind
from booking_core.ports import LedgerJournal

__all__ = ["LedgerJournalContract"]


def _transfer(
    key: str, debit: str, credit: str, amount: int, currency: str = "INR"
) -> Transfer:
    return Transfer(
        key=key,
        debit=debit,
        credit=credit,
        amount=amount,
        currency=currency,
        kind=TransferKind.ADJUSTMENT,
        reference="contract",
    )


def _state(journal: LedgerJournal) -> dict[str, int]:
    return dict(journal.balances())


class LedgerJournalContract:
    """Checks of the :class:`~booking_core.ports.LedgerJournal` contract.

    Subclass it and define a ``journal`` fixture returning a fresh, empty
    journal in INR.
    """

    _is_contract_base = True  # meant to be subclassed (tests/test_public_api.py)

    @pytest.fixture
    def journal(self) -> LedgerJournal:
        """A fresh, empty INR journal; subclasses must override it."""
        raise NotImplementedError

    def test_posting_moves_money_and_balances_sum_to_zero(
        self, journal: LedgerJournal
    ) -> None:
        """A transfer debits one account and credits the other; the sum stays 0."""
        assert journal.currency == "INR"
        journal.post(_transfer("c1", "payments", "escrow:m1", 500))
        journal.post(_transfer("c2", "escrow:m1", "wallet:m1", 200))
        assert journal.balance("payments") == -500
        assert journal.balance("escrow:m1") == 300
        assert journal.balance("wallet:m1") == 200
        assert journal.balance("unused") == 0
        assert sum(journal.balances().values()) == 0

    def test_history_lists_every_transfer_of_an_account_in_order(
        self, journal: LedgerJournal
    ) -> None:
        """``history`` returns the transfers touching an account, oldest first."""
        first = journal.post(_transfer("h1", "payments", "escrow:m1", 5))
        second = journal.post(_transfer("h2", "escrow:m1", "wallet:m1", 5))
        assert [t.key for t in journal.history("escrow:m1")] == [first.key, second.key]
        assert [t.key for t in journal.history("wallet:m1")] == [second.key]
        assert list(journal.history("nobody")) == []

    def test_same_key_same_content_is_a_no_op(self, journal: LedgerJournal) -> None:
        """A replay returns the original and changes nothing."""
        original = journal.post(_transfer("r1", "payments", "escrow:m1", 5))
        before = _state(journal)
        again = journal.post(_transfer("r1", "payments", "escrow:m1", 5))
        assert again == original
        assert journal.post_linked([_transfer("r1", "payments", "escrow:m1", 5)]) == (
            original,
        )
        assert _state(journal) == before
        assert journal.get("r1") == original
        assert journal.get("never") is None

    def test_same_key_other_content_is_refused(self, journal: LedgerJournal) -> None:
        """A reused key with other content raises and changes nothing."""
        journal.post(_transfer("k1", "payments", "escrow:m1", 5))
        before = _state(journal)
        with pytest.raises(IdempotencyKeyReuseError):
            journal.post(_transfer("k1", "payments", "escrow:m1", 6))
        assert _state(journal) == before

    def test_linked_transfers_post_all_or_nothing(self, journal: LedgerJournal) -> None:
        """If one linked transfer is refused, none of them posts."""
        journal.post(_transfer("s1", "payments", "escrow:m1", 100))
        before = _state(journal)
        with pytest.raises(InsufficientFundsError):
            journal.post_linked(
                [
                    _transfer("l1", "escrow:m1", "wallet:m1", 60),
                    _transfer("l2", "escrow:m1", "refunds", 50),
                ]
            )
        assert _state(journal) == before
        assert journal.get("l1") is None

    def test_teacher_accounts_never_go_negative(self, journal: LedgerJournal) -> None:
        """Escrow, wallet and held accounts refuse to go below zero."""
        for account in ("escrow:m1", "wallet:m1", "held:m1"):
            with pytest.raises(InsufficientFundsError):
                journal.post(_transfer(f"n-{account}", account, "payouts", 1))
        assert sum(abs(v) for v in journal.balances().values()) == 0

    def test_other_currency_is_refused(self, journal: LedgerJournal) -> None:
        """A transfer in another currency raises and changes nothing."""
        with pytest.raises(CurrencyMismatchError):
            journal.post(_transfer("u1", "payments", "escrow:m1", 1, currency="USD"))
        assert journal.get("u1") is None
