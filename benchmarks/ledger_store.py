"""Ledger persistence benchmark: committed postings per second, memory and SQLite.

Each case posts the same captures, one committed transaction per capture (the
four linked transfers ``capture_payment`` makes: platform, gateway fee, tax and
teacher share), over 20 teachers.

* ``ledger_store.sqlite``: :class:`~booking_core.services.ledger.LedgerService`
  over a SQLite unit of work's ledger (``uow.ledger("INR")``) on a
  SQLite file in WAL mode (every rule checked: replay lookup, currency, no
  negative teacher account; entries and balances stored). Peer: the floor of
  the same writes with raw ``sqlite3`` on the same kind of file, per
  transaction ``BEGIN IMMEDIATE``, four entry rows inserted with their
  pre-encoded JSON, five balance rows upserted, ``COMMIT``: no reads, no checks.
* ``ledger_store.memory``: the same service over an in-memory store
  (an in-memory unit of work's ``uow.ledger("INR")``).
  Peer: ``case:Journal``, the in-process :class:`~booking_core.money.ledger.Journal`
  posting the same batches (no unit of work, nothing versioned).

The script first checks that every variant ends with the same balances.
"""

from __future__ import annotations

import itertools
import sqlite3
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import median_seconds, report

from booking_core.actors import Actor
from booking_core.adapters import codec
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.money import Money, split_payment
from booking_core.money.ledger import Journal, Transfer
from booking_core.money.payments import capture_payment
from booking_core.services.ledger import LedgerService

CAPTURES = 600
REPEAT = 3
NOW = datetime(2026, 3, 29, 9, tzinfo=timezone.utc)
_FILES = itertools.count()  # a fresh database file per run


def batches() -> list[tuple[Transfer, ...]]:
    """The transfers of ``CAPTURES`` captures, four linked transfers each."""
    found = []
    for n in range(CAPTURES):
        decision = capture_payment(
            payment_id=f"pay_{n:06d}",
            teacher_id=f"m{n % 20}",
            split=split_payment(Money(50_000 + n, "INR"), payment_id=f"pay_{n:06d}"),
            actor=Actor.system(),
            now=NOW,
        )
        found.append(decision.events[0].transfers)  # type: ignore[attr-defined]
    return found


BATCHES = batches()


def ours_sqlite(directory: Path) -> dict[str, int]:
    """Post every batch through the service on a fresh SQLite file."""
    database = SqliteDatabase(directory / f"ours-{next(_FILES)}.sqlite3")
    ledger = LedgerService(
        uow_factory=lambda: SqliteUnitOfWork(database), currency="INR"
    )
    for batch in BATCHES:
        ledger.post_linked(batch)
    balances = ledger.balances()
    database.close()
    return balances


ENCODED = [[(t.key, codec.dumps(t)) for t in batch] for batch in BATCHES]


def floor_sqlite(directory: Path) -> dict[str, int]:
    """The same rows written with raw sqlite3: no reads, no checks."""
    connection = sqlite3.connect(
        directory / f"floor-{next(_FILES)}.sqlite3", isolation_level=None
    )
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, body TEXT)")
    connection.execute(
        "CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL)"
    )
    upsert = (
        "INSERT INTO accounts (id, balance) VALUES (?, ?)"
        " ON CONFLICT (id) DO UPDATE SET balance = balance + excluded.balance"
    )
    for batch, encoded in zip(BATCHES, ENCODED, strict=True):
        moves: dict[str, int] = {}
        for t in batch:
            moves[t.debit] = moves.get(t.debit, 0) - t.amount
            moves[t.credit] = moves.get(t.credit, 0) + t.amount
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany("INSERT INTO entries VALUES (?, ?)", encoded)
        connection.executemany(upsert, list(moves.items()))
        connection.execute("COMMIT")
    balances = dict(connection.execute("SELECT id, balance FROM accounts").fetchall())
    connection.close()
    return balances


def ours_memory() -> dict[str, int]:
    """Post every batch through the service on a fresh in-memory store."""
    store = InMemoryStore()
    ledger = LedgerService(
        uow_factory=lambda: InMemoryUnitOfWork(store), currency="INR"
    )
    for batch in BATCHES:
        ledger.post_linked(batch)
    return ledger.balances()


def journal_memory() -> dict[str, int]:
    """Post every batch to an in-process Journal."""
    journal = Journal("INR")
    for batch in BATCHES:
        journal.post_linked(batch)
    return journal.balances()


def main() -> None:
    """Check the variants agree, then time them and print one JSON line each."""
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        expected = journal_memory()
        for variant in (ours_memory(), ours_sqlite(directory), floor_sqlite(directory)):
            assert variant == expected, "the variants disagree"
        ours_s = median_seconds(lambda: ours_sqlite(directory), repeat=REPEAT)
        floor_s = median_seconds(lambda: floor_sqlite(directory), repeat=REPEAT)
        report(
            "ledger_store.sqlite",
            ours_s,
            "floor:sqlite3 same rows",
            floor_s,
            captures=CAPTURES,
            ours_per_s=round(CAPTURES / ours_s),
            peer_per_s=round(CAPTURES / floor_s),
        )
    ours_s = median_seconds(ours_memory, repeat=REPEAT)
    peer_s = median_seconds(journal_memory, repeat=REPEAT)
    report(
        "ledger_store.memory",
        ours_s,
        "case:Journal",
        peer_s,
        captures=CAPTURES,
        ours_per_s=round(CAPTURES / ours_s),
        peer_per_s=round(CAPTURES / peer_s),
    )


if __name__ == "__main__":
    main()
