"""Our journals pass the same contract a host's journal must pass."""

from __future__ import annotations

import pytest

from booking_core.adapters.memory import InMemoryStore
from booking_core.adapters.memory_ledger import InMemoryLedgerJournal
from booking_core.money.ledger import Journal
from booking_core.ports import LedgerJournal
from booking_core.testing.ledger_contract import LedgerJournalContract


class TestJournal(LedgerJournalContract):
    @pytest.fixture
    def journal(self) -> LedgerJournal:
        return Journal("INR")


class TestInMemoryLedgerJournal(LedgerJournalContract):
    @pytest.fixture
    def journal(self) -> LedgerJournal:
        return InMemoryLedgerJournal(InMemoryStore(), "INR")


def test_the_base_fixture_must_be_overridden() -> None:
    fixture = LedgerJournalContract.journal
    with pytest.raises(NotImplementedError):
        fixture.__wrapped__(LedgerJournalContract())  # type: ignore[attr-defined]
