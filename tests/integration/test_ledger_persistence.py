"""The ledger journal in a unit of work: atomic commits, restarts, races, threads."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.errors import (
    DuplicateIdError,
    InsufficientFundsError,
    StaleVersionError,
)
from booking_core.events import DomainEvent
from booking_core.money import Money
from booking_core.money.ledger import Transfer, TransferKind
from booking_core.money.payments import BookingPayment
from booking_core.policies import Policies
from booking_core.ports import BookingPaymentRepository, LedgerJournal
from booking_core.services import run_in_transaction
from booking_core.services.ledger import RETRY_ON, LedgerService

# London's autumn fold and an Asia/Kolkata morning (no DST): instants only.
T0 = datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)

UnitOfWork = InMemoryUnitOfWork | SqliteUnitOfWork


def transfer(
    key: str, debit: str, credit: str, amount: int, *, currency: str = "INR"
) -> Transfer:
    return Transfer(
        key=key,
        debit=debit,
        credit=credit,
        amount=amount,
        currency=currency,
        kind=TransferKind.ADJUSTMENT,
        reference="test",
        at=T0,
    )


class Backend:
    """One store (memory or a SQLite file) and how to open units of work on it."""

    def __init__(self, kind: str, path: Path) -> None:
        self.kind = kind
        self.path = path
        self.store = InMemoryStore()
        self.database = SqliteDatabase(path) if kind == "sqlite" else None

    def uow(self) -> UnitOfWork:
        if self.database is None:
            return InMemoryUnitOfWork(self.store)
        return SqliteUnitOfWork(self.database)

    def journal(self, uow: UnitOfWork, currency: str = "INR") -> LedgerJournal:
        return uow.ledger(currency)

    def payments(self, uow: UnitOfWork) -> BookingPaymentRepository:
        return uow.payments

    def ledger(self, currency: str = "INR") -> LedgerService:
        return LedgerService(uow_factory=self.uow, currency=currency)


@pytest.fixture(params=["memory", "sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    found = Backend(request.param, tmp_path / "ledger.sqlite3")
    yield found
    if found.database is not None:
        found.database.close()


def record(booking_id: str = "b1") -> BookingPayment:
    return BookingPayment(
        id=booking_id,
        teacher_id="m1",
        amount=Money.of("700.00", "INR"),
        starts_at=T0 + timedelta(days=1),
    )


def test_postings_commit_with_the_other_aggregates_or_not_at_all(
    backend: Backend,
) -> None:
    with backend.uow() as uow:
        backend.journal(uow).post(transfer("t1", "payments", "escrow:m1", 500))
        backend.payments(uow).add(record())
        # leaving without commit: rolled back
    with backend.uow() as uow:
        assert backend.journal(uow).balances() == {}
        assert backend.journal(uow).get("t1") is None
        assert backend.payments(uow).all() == []
    with backend.uow() as uow:
        backend.journal(uow).post(transfer("t1", "payments", "escrow:m1", 500))
        backend.payments(uow).add(record())
        uow.commit()
    with backend.uow() as uow:
        loaded = backend.payments(uow).get("b1")
        # A stale save in the same unit: the ledger posting is refused with it.
        backend.journal(uow).post(transfer("t2", "escrow:m1", "wallet:m1", 500))
        backend.payments(uow).save(loaded)
        with backend.uow() as other:
            backend.payments(other).save(loaded)
            other.commit()
        with pytest.raises(StaleVersionError):
            uow.commit()
    ledger = backend.ledger()
    assert ledger.balances() == {"payments": -500, "escrow:m1": 500}
    assert ledger.get("t2") is None
    assert ledger.history("wallet:m1") == ()


def test_reads_in_a_unit_see_its_own_postings_and_history_is_in_order(
    backend: Backend,
) -> None:
    with backend.uow() as uow:
        journal = backend.journal(uow)
        journal.post(transfer("a", "payments", "escrow:m1", 300))
        journal.post_linked(
            [
                transfer("b", "escrow:m1", "wallet:m1", 100),
                transfer("c", "escrow:m1", "wallet:m1", 100),
            ]
        )
        assert journal.balance("escrow:m1") == 100
        uow.commit()
    ledger = backend.ledger()
    ledger.post(transfer("d", "wallet:m1", "held:m1", 150))
    ledger.post(transfer("e", "payments", "escrow:m1", 1))
    assert [t.key for t in ledger.history("escrow:m1")] == ["a", "b", "c", "e"]
    assert [t.key for t in ledger.history("wallet:m1")] == ["b", "c", "d"]
    assert ledger.history("escrow:m1")[0].at == T0
    for account, balance in ledger.balances().items():
        moved = sum(
            t.amount if t.credit == account else -t.amount
            for t in ledger.history(account)
        )
        assert moved == balance


def test_each_currency_is_its_own_journal(backend: Backend) -> None:
    inr, usd = backend.ledger("INR"), backend.ledger("USD")
    inr.post(transfer("k", "payments", "escrow:m1", 5))
    usd.post(transfer("k", "payments", "escrow:m1", 7, currency="USD"))
    assert inr.balances() == {"payments": -5, "escrow:m1": 5}
    assert usd.balances() == {"payments": -7, "escrow:m1": 7}
    assert usd.currency == "USD"
    assert [t.amount for t in usd.history("payments")] == [7]


def test_refusals_change_nothing_in_the_unit(backend: Backend) -> None:
    with backend.uow() as uow:
        journal = backend.journal(uow)
        journal.post(transfer("s", "payments", "escrow:m1", 100))
        with pytest.raises(InsufficientFundsError):
            journal.post_linked(
                [
                    transfer("x1", "escrow:m1", "wallet:m1", 60),
                    transfer("x2", "escrow:m1", "refunds", 50),
                ]
            )
        assert journal.balances() == {"payments": -100, "escrow:m1": 100}
        assert journal.get("x1") is None
        uow.commit()
    assert backend.ledger().get("x1") is None


def test_a_sqlite_ledger_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "restart.sqlite3"
    first = Backend("sqlite", path)
    first.ledger().post_linked(
        [
            transfer("p", "payments", "escrow:m1", 61348),
            transfer("r", "escrow:m1", "wallet:m1", 61348),
        ]
    )
    assert first.database is not None
    first.database.close()
    again = Backend("sqlite", path)
    ledger = again.ledger()
    assert ledger.balances() == {"payments": -61348, "escrow:m1": 0, "wallet:m1": 61348}
    assert [t.key for t in ledger.history("escrow:m1")] == ["p", "r"]
    assert ledger.post(transfer("p", "payments", "escrow:m1", 61348)).key == "p"
    assert ledger.balance("escrow:m1") == 0


class Racing:
    """A unit of work that lets a competitor commit just before its own commit."""

    def __init__(self, inner: UnitOfWork, before_commit: Callable[[], None]) -> None:
        self.inner = inner
        self.before_commit: Callable[[], None] | None = before_commit

    def __enter__(self) -> Racing:
        self.inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.inner.__exit__(exc_type, exc, tb)

    def collect(self, events: Sequence[DomainEvent]) -> None:
        self.inner.collect(events)

    def rollback(self) -> None:
        self.inner.rollback()

    def commit(self) -> None:
        competitor, self.before_commit = self.before_commit, None
        if competitor is not None:
            competitor()
        self.inner.commit()

    def __getattr__(self, name: str) -> Any:
        # the repositories (uow.sessions, uow.ledger(...) ...) are the inner unit's
        return getattr(self.inner, name)


@pytest.mark.parametrize(
    ("competitor", "expected", "keys"),
    [
        # the same key (and new accounts) created first: a replay on retry
        (transfer("k", "payments", "escrow:m1", 10), -10, ["k"]),
        # another key on the same accounts: a stale balance, retried
        (transfer("other", "payments", "escrow:m1", 5), -15, ["other", "k"]),
    ],
)
def test_a_lost_race_is_retried_from_a_fresh_read(
    backend: Backend, competitor: Transfer, expected: int, keys: list[str]
) -> None:
    def rival() -> None:
        backend.ledger().post(competitor)

    racing: list[Racing] = []

    def factory() -> Racing:
        racing.append(Racing(backend.uow(), rival if not racing else lambda: None))
        return racing[-1]

    posted = run_in_transaction(
        factory,
        lambda uow: backend.journal(uow.inner).post(
            transfer("k", "payments", "escrow:m1", 10)
        ),
        retry_on=RETRY_ON,
    )
    assert posted.key == "k"
    assert len(racing) == 2
    assert backend.ledger().balance("payments") == expected
    assert [t.key for t in backend.ledger().history("payments")] == keys


def test_without_retrying_duplicates_a_same_key_race_fails(backend: Backend) -> None:
    with backend.uow() as uow:
        backend.journal(uow).post(transfer("k", "payments", "escrow:m1", 10))
        backend.ledger().post(transfer("k", "payments", "escrow:m1", 10))
        with pytest.raises(DuplicateIdError):
            uow.commit()
    assert backend.ledger().balances() == {"payments": -10, "escrow:m1": 10}


def test_threads_posting_to_one_sqlite_file_never_lose_a_paisa(
    tmp_path: Path,
) -> None:
    path = tmp_path / "threads.sqlite3"
    SqliteDatabase(path).close()
    threads, per_thread, teachers = 4, 25, 3
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        database = SqliteDatabase(path)
        ledger = LedgerService(
            uow_factory=lambda: SqliteUnitOfWork(database),
            currency="INR",
            policies=Policies(transaction_attempts=200),
        )
        try:
            for i in range(per_thread):
                teacher = f"m{i % teachers}"
                ledger.post_linked(
                    [
                        transfer(f"t{n}-{i}", "payments", f"escrow:{teacher}", 100 + i),
                        transfer(
                            f"r{n}-{i}", f"escrow:{teacher}", f"wallet:{teacher}", 1
                        ),
                    ]
                )
                # every thread also posts the same shared keys: stored once
                ledger.post(transfer(f"shared-{i}", "payments", "platform_revenue", 7))
        except BaseException as error:  # noqa: BLE001 -- reported below
            errors.append(error)
        finally:
            database.close()

    running = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    assert errors == []
    database = SqliteDatabase(path)
    ledger = LedgerService(
        uow_factory=lambda: SqliteUnitOfWork(database),
        currency="INR",
    )
    balances = ledger.balances()
    paid = threads * sum(100 + i for i in range(per_thread))
    assert balances["payments"] == -(paid + 7 * per_thread)
    assert balances["platform_revenue"] == 7 * per_thread
    assert (
        sum(balances[f"wallet:m{m}"] for m in range(teachers)) == threads * per_thread
    )
    assert sum(balances.values()) == 0
    keys = [t.key for t in ledger.history("payments")]
    assert len(keys) == len(set(keys)) == threads * per_thread + per_thread
    for account, balance in balances.items():
        history = ledger.history(account)
        assert balance == sum(
            t.amount if t.credit == account else -t.amount for t in history
        )
    database.close()


WORKER = """
import sys
from datetime import datetime, timezone
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.money.ledger import Transfer
from booking_core.policies import Policies
from booking_core.services.ledger import LedgerService

path, n, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
database = SqliteDatabase(path)
ledger = LedgerService(
    uow_factory=lambda: SqliteUnitOfWork(database),
    currency="INR",
    policies=Policies(transaction_attempts=500),
)
at = datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)
def transfer(key, debit, credit, amount):
    return Transfer(key=key, debit=debit, credit=credit, amount=amount,
                    currency="INR", kind="adjustment", at=at)
for i in range(count):
    teacher = f"m{i % 3}"
    ledger.post_linked([
        transfer(f"t{n}-{i}", "payments", f"escrow:{teacher}", 100 + i),
        transfer(f"r{n}-{i}", f"escrow:{teacher}", f"wallet:{teacher}", 1),
    ])
    ledger.post(transfer(f"shared-{i}", "payments", "platform_revenue", 7))
database.close()
"""


def test_processes_posting_to_one_sqlite_file_never_lose_a_paisa(
    tmp_path: Path,
) -> None:
    path = tmp_path / "processes.sqlite3"
    SqliteDatabase(path).close()
    processes, count = 4, 40
    running = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), str(n), str(count)],
            stderr=subprocess.PIPE,
        )
        for n in range(processes)
    ]
    for process in running:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    database = SqliteDatabase(path)
    ledger = LedgerService(
        uow_factory=lambda: SqliteUnitOfWork(database),
        currency="INR",
    )
    balances = ledger.balances()
    paid = processes * sum(100 + i for i in range(count))
    assert balances["payments"] == -(paid + 7 * count)
    assert sum(balances.values()) == 0
    keys = [t.key for t in ledger.history("payments")]
    assert len(keys) == len(set(keys)) == processes * count + count
    for account, balance in balances.items():
        assert balance == sum(
            t.amount if t.credit == account else -t.amount
            for t in ledger.history(account)
        )
    database.close()
