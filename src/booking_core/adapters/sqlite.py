"""SQLite reference adapter: the ports on the standard library's ``sqlite3``.

A real database, transactional and safe across threads and processes sharing
one file, with no dependency beyond the standard library:

* The schema is created and versioned by the adapter (``PRAGMA user_version``);
  :data:`MIGRATIONS` lists the upgrade steps, applied in order on open.
* WAL journal mode, so readers never block the writer.
* It is :class:`SqliteDialect` of the storage kernel
  (:mod:`booking_core.adapters.sql`): the kernel stages, commits by
  compare-and-set inside one ``BEGIN IMMEDIATE`` transaction, keeps the index
  entries and the outbox, and relays; a lost race raises
  :class:`~booking_core.errors.StaleVersionError` and nothing is stored.

Example:
    >>> from datetime import datetime, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.events import DomainEvent
    >>> from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
    >>> database = SqliteDatabase(":memory:")
    >>> database.schema_version() == len(MIGRATIONS)
    True
    >>> happened = DomainEvent(
    ...     occurred_at=datetime(2026, 6, 1, 9, tzinfo=timezone.utc),
    ...     actor=Actor.system(),
    ...     aggregate_id="session-1",
    ... )
    >>> with SqliteUnitOfWork(database) as uow:
    ...     uow.collect([happened])
    ...     uow.commit()
    >>> database.events() == [happened]
    True
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, final

from booking_core.adapters._repositories import BOOKINGS, SERIES, SESSIONS
from booking_core.adapters.sql import (
    Cursor,
    Dialect,
    MigrationStep,
    SqlDatabase,
    SqlUnitOfWork,
    reindex,
)
from booking_core.ports import EventPublisher

__all__ = [
    "MIGRATIONS",
    "SqliteDatabase",
    "SqliteDialect",
    "SqliteUnitOfWork",
]

MIGRATIONS: tuple[MigrationStep, ...] = (
    # 1: aggregates, secondary index entries, the event outbox.
    """
    CREATE TABLE aggregates (
        collection TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (collection, id)
    ) WITHOUT ROWID;
    CREATE TABLE index_entries (
        collection TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        id TEXT NOT NULL,
        PRIMARY KEY (collection, name, value, id)
    ) WITHOUT ROWID;
    CREATE INDEX index_entries_by_id ON index_entries (collection, id);
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        aggregate_id TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        body TEXT NOT NULL,
        published INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX outbox_unpublished ON outbox (published, seq);
    """,
    # 2: the time-bounded index entries for existing rows: a teacher's scheduled
    # sessions and 1:1 bookings and a student's active bookings by UTC day; due
    # sets by due time (sessions to mark or complete, reschedules, offers, series, and
    # scheduled sessions by start hour for the monitor's reminders).
    reindex(SESSIONS, BOOKINGS, SERIES),
    # 3: each series' entry per item booking id, for the series holding a
    # booking (``BookingSeriesRepository.of_booking``, every 1:1 cancel).
    reindex(SERIES),
)
"""The schema, one upgrade step per entry; the database's ``user_version`` is
the number of steps applied. Append steps, never edit one that shipped."""


class SqliteDialect(Dialect):
    """SQLite for the storage kernel: ``BEGIN IMMEDIATE``, ``PRAGMA user_version``.

    SQLite has one writer at a time, so ``BEGIN IMMEDIATE`` serialises commits
    and relays (there is no ``SKIP LOCKED``).
    """

    name = "SQLite"
    begin = "BEGIN IMMEDIATE"
    migrations = MIGRATIONS
    integrity_errors = (sqlite3.IntegrityError,)

    def schema_version(self, cursor: Cursor) -> int:
        """``PRAGMA user_version``."""
        cursor.execute("PRAGMA user_version")
        return int(cursor.fetchone()[0])

    def set_schema_version(self, cursor: Cursor, number: int) -> None:
        """Set ``PRAGMA user_version``."""
        cursor.execute(f"PRAGMA user_version = {int(number)}")

    def insert_returning_seq(self, cursor: Cursor, statement: str, row: Any) -> int:
        """Insert an outbox row; its ``seq`` is the cursor's ``lastrowid``."""
        cursor.execute(self.sql(statement), row)
        return int(cursor.lastrowid)  # type: ignore[attr-defined]


class _Locked:
    """The shared in-memory connection, held under its lock for a ``with`` block."""

    __slots__ = ("connection", "lock")

    def __init__(self, connection: sqlite3.Connection, lock: threading.RLock) -> None:
        self.connection = connection
        self.lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self.lock.acquire()
        return self.connection

    def __exit__(self, *exc_info: object) -> None:
        self.lock.release()


@final
class SqliteDatabase(SqlDatabase):
    """One SQLite database file (or ``":memory:"``, for one process).

    Opening it creates or upgrades the schema. Connections are per thread.

    Args:
        path: The database file, or ``":memory:"``.
        timeout: Seconds a writer waits for another process's lock.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        super().__init__(SqliteDialect())
        self.path = str(path)
        self.timeout = timeout
        self._local = threading.local()
        self._shared: sqlite3.Connection | None = None
        self._shared_lock = threading.RLock()
        if self.path == ":memory:":
            # One connection shared by every thread, serialised by a lock.
            self._shared = self._open()
        self.migrate()

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path,
            timeout=self.timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        return connection

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit mode; transactions are explicit)."""
        if self._shared is not None:
            return self._shared
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._open()
            self._local.connection = connection
        return connection

    def connect(self) -> AbstractContextManager[sqlite3.Connection]:
        """This thread's connection; the shared in-memory one under its lock.

        A plain context manager (no generator): every read borrows one.
        """
        if self._shared is None:
            return nullcontext(self.connection())
        return _Locked(self._shared, self._shared_lock)

    def close(self) -> None:
        """Close this thread's connection (the shared one for ``":memory:"``)."""
        connection = self._shared or getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
        self._local.connection = None


@final
class SqliteUnitOfWork(SqlUnitOfWork):
    """A unit of work over a :class:`SqliteDatabase`: one ``BEGIN IMMEDIATE`` on commit.

    Reads between begin and commit are not isolated from other writers; every
    aggregate the unit saves is compare-and-set on commit, which is what keeps
    decisions taken on stale reads from being stored.

    Args:
        database: The database to read from and commit to.
        publisher: Receives the committed events right after commit (optional;
            without one, events wait in the outbox for :meth:`SqliteDatabase.relay`).
    """

    def __init__(
        self, database: SqliteDatabase, publisher: EventPublisher | None = None
    ) -> None:
        super().__init__(database, publisher)
        self.database: SqliteDatabase = database

    def __enter__(self) -> SqliteUnitOfWork:
        super().__enter__()
        return self
