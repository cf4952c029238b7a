"""Our journals pass the same contract a host's journal must pass."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.money.ledger import Journal
from booking_core.ports import LedgerJournal
from booking_core.services.ledger import LedgerService
from booking_core.testing.ledger_contract import LedgerJournalContract


class TestJournal(LedgerJournalContract):
    @pytest.fixture
    def journal(self) -> LedgerJournal:
        return Journal("INR")


class TestInMemoryLedgerJournal(LedgerJournalContract):
    """Inside one open unit of work: reads see the staged postings."""

    @pytest.fixture
    def journal(self) -> Iterator[LedgerJournal]:
        with InMemoryUnitOfWork(InMemoryStore()) as uow:
            yield uow.ledger("INR")


class TestInMemoryLedgerService(LedgerJournalContract):
    """Every call committed through the staged journal on an in-memory store."""

    @pytest.fixture
    def journal(self) -> LedgerJournal:
        store = InMemoryStore()
        return LedgerService(
            uow_factory=lambda: InMemoryUnitOfWork(store),
            currency="INR",
        )


class TestSqliteLedgerJournal(LedgerJournalContract):
    """Inside one open SQLite unit of work."""

    @pytest.fixture
    def journal(self, tmp_path: Path) -> Iterator[LedgerJournal]:
        database = SqliteDatabase(tmp_path / "ledger.sqlite3")
        with SqliteUnitOfWork(database) as uow:
            yield uow.ledger("INR")
        database.close()


class TestSqliteLedgerService(LedgerJournalContract):
    """Every call committed to a SQLite file."""

    @pytest.fixture
    def journal(self, tmp_path: Path) -> Iterator[LedgerJournal]:
        database = SqliteDatabase(tmp_path / "ledger.sqlite3")
        yield LedgerService(
            uow_factory=lambda: SqliteUnitOfWork(database),
            currency="INR",
        )
        database.close()


class TestPostgresLedgerJournal(LedgerJournalContract):
    """Inside one open PostgreSQL unit of work."""

    @pytest.fixture
    def journal(self, postgres_database: Any) -> Iterator[LedgerJournal]:
        from booking_core.adapters.postgres import PostgresUnitOfWork

        with PostgresUnitOfWork(postgres_database) as uow:
            yield uow.ledger("INR")


class TestPostgresLedgerService(LedgerJournalContract):
    """Every call committed to PostgreSQL."""

    @pytest.fixture
    def journal(self, postgres_database: Any) -> LedgerJournal:
        from booking_core.adapters.postgres import PostgresUnitOfWork

        return LedgerService(
            uow_factory=lambda: PostgresUnitOfWork(postgres_database),
            currency="INR",
        )


def test_the_base_fixture_must_be_overridden() -> None:
    fixture = LedgerJournalContract.journal
    with pytest.raises(NotImplementedError):
        fixture.__wrapped__(LedgerJournalContract())  # type: ignore[attr-defined]
