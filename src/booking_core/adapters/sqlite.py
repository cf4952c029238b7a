"""SQLite reference adapter: the ports on the standard library's ``sqlite3``.

A real database, transactional and safe across threads and processes sharing
one file, with no dependency beyond the standard library:

* The schema is created and versioned by the adapter (``PRAGMA user_version``);
  :data:`MIGRATIONS` lists the upgrade steps, applied in order on open.
* WAL journal mode, so readers never block the writer.
* Aggregates are stored as JSON (:mod:`booking_core.adapters.codec`) with their
  version in a column. A unit of work stages writes in memory and applies them on
  commit inside one ``BEGIN IMMEDIATE`` transaction, each save an
  ``UPDATE ... WHERE version = ?`` (compare-and-set); a lost race raises
  :class:`~booking_core.errors.StaleVersionError` and nothing is stored.
* Committed events are written to an ``outbox`` table in the same transaction and
  published after commit; :meth:`SqliteDatabase.relay` republishes any that a
  crash left unpublished, so delivery is at least once.

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar, final

import attrs

from booking_core.adapters import codec
from booking_core.adapters._repositories import DEFAULT_INDEXES, StagedUnitOfWork
from booking_core.adapters._staging import Indexer
from booking_core.errors import DuplicateIdError, StaleVersionError
from booking_core.events import DomainEvent
from booking_core.ports import EventPublisher, Versioned

__all__ = [
    "MIGRATIONS",
    "SqliteDatabase",
    "SqliteUnitOfWork",
]

A = TypeVar("A", bound=Versioned)

MIGRATIONS: tuple[str, ...] = (
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
)
"""The schema, one upgrade step per entry; the database's ``user_version`` is
the number of steps applied. Append steps, never edit one that shipped."""


@final
class SqliteDatabase:
    """One SQLite database file (or ``":memory:"``, for one process).

    Opening it creates or upgrades the schema. Connections are per thread.

    Args:
        path: The database file, or ``":memory:"``.
        timeout: Seconds a writer waits for another process's lock.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = str(path)
        self.timeout = timeout
        self._local = threading.local()
        self._indexers: dict[str, Indexer] = dict(DEFAULT_INDEXES)
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

    def lock(self) -> threading.RLock | _NoLock:
        """The lock serialising threads on a shared in-memory connection."""
        return self._shared_lock if self._shared is not None else _NO_LOCK

    def schema_version(self) -> int:
        """How many steps of :data:`MIGRATIONS` this database has applied."""
        row = self.connection().execute("PRAGMA user_version").fetchone()
        return int(row[0])

    def migrate(self) -> None:
        """Apply the upgrade steps this database has not applied yet, in order."""
        connection = self.connection()
        with self.lock():
            connection.execute("BEGIN IMMEDIATE")
            try:
                current = self.schema_version()
                for number, script in enumerate(MIGRATIONS, start=1):
                    if number > current:
                        for statement in script.split(";"):
                            if statement.strip():
                                connection.execute(statement)
                        connection.execute(f"PRAGMA user_version = {number}")
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def register_index(self, collection: str, indexer: Indexer) -> None:
        """Maintain secondary index entries for ``collection`` on every write.

        ``indexer(aggregate)`` returns ``(name, value)`` pairs; repositories find
        aggregates by them with :meth:`SqliteRepository.find`.
        """
        self._indexers[collection] = indexer

    def indexer(self, collection: str) -> Indexer | None:
        """The indexer registered for ``collection``, if any."""
        return self._indexers.get(collection)

    def events(self) -> list[DomainEvent]:
        """Every committed event, in commit order."""
        with self.lock():
            rows = (
                self.connection()
                .execute("SELECT body FROM outbox ORDER BY seq")
                .fetchall()
            )
        return [codec.loads(body) for (body,) in rows]

    def relay(self, publisher: EventPublisher) -> int:
        """Publish committed events not yet marked published; return how many.

        Run it periodically (or at start-up) to deliver events whose publication a
        crash interrupted. Delivery is at least once: consumers de-duplicate by
        ``event_id``.
        """
        connection = self.connection()
        with self.lock():
            rows = connection.execute(
                "SELECT seq, body FROM outbox WHERE published = 0 ORDER BY seq"
            ).fetchall()
        if not rows:
            return 0
        publisher.publish([codec.loads(body) for _, body in rows])
        self._mark_published([seq for seq, _ in rows])
        return len(rows)

    def _mark_published(self, seqs: Sequence[int]) -> None:
        with self.lock():
            self.connection().executemany(
                "UPDATE outbox SET published = 1 WHERE seq = ?",
                [(seq,) for seq in seqs],
            )

    def close(self) -> None:
        """Close this thread's connection (the shared one for ``":memory:"``)."""
        connection = self._shared or getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
        self._local.connection = None


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_LOCK = _NoLock()


@final
class SqliteUnitOfWork(StagedUnitOfWork):
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
        super().__init__()
        self.database = database
        self.publisher = publisher

    def __enter__(self) -> SqliteUnitOfWork:
        super().__enter__()
        return self

    def _rows(self, sql: str, parameters: tuple[str, ...]) -> dict[str, Any]:
        database = self.database
        with database.lock():
            rows = database.connection().execute(sql, parameters).fetchall()
        found: dict[str, Any] = {}
        for version, body in rows:
            aggregate = attrs.evolve(codec.loads(body), version=version)
            found[aggregate.id] = aggregate
        return found

    def committed(self, name: str, aggregate_id: str) -> Any | None:
        """The committed aggregate, or ``None``."""
        found = self._rows(
            "SELECT version, body FROM aggregates WHERE collection = ? AND id = ?",
            (name, aggregate_id),
        )
        return found.get(aggregate_id)

    def committed_all(self, name: str) -> dict[str, Any]:
        """Every committed aggregate of a collection, by id."""
        return self._rows(
            "SELECT version, body FROM aggregates WHERE collection = ?", (name,)
        )

    def committed_find(self, name: str, index: str, value: str) -> dict[str, Any]:
        """The committed aggregates under ``(index, value)``, by id."""
        return self._rows(
            "SELECT a.version, a.body FROM index_entries AS i JOIN aggregates AS a"
            " ON a.collection = i.collection AND a.id = i.id"
            " WHERE i.collection = ? AND i.name = ? AND i.value = ?",
            (name, index, value),
        )

    def indexer(self, name: str) -> Indexer | None:
        """The indexer registered for a collection, if any."""
        return self.database.indexer(name)

    def commit(self) -> None:
        """Apply every staged write and the outbox rows in one transaction.

        Raises:
            StaleVersionError: ``concurrency.stale_version`` when a saved aggregate
                changed since it was loaded; nothing is stored.
            DuplicateIdError: ``conflict.duplicate_id`` when an added id now exists.
        """
        database = self.database
        connection = database.connection()
        with database.lock():
            connection.execute("BEGIN IMMEDIATE")
            try:
                for (name, aggregate_id), (expected, aggregate) in self.writes.items():
                    self._write(connection, name, aggregate_id, expected, aggregate)
                seqs = [self._outbox(connection, event) for event in self.events]
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        events = self.finish()
        if self.publisher is not None and events:
            self.publisher.publish(events)
            database._mark_published(seqs)  # noqa: SLF001 -- the adapter's own helper

    def _write(
        self,
        connection: sqlite3.Connection,
        name: str,
        aggregate_id: str,
        expected: int | None,
        aggregate: Any,
    ) -> None:
        version = 1 if expected is None else expected + 1
        body = codec.dumps(attrs.evolve(aggregate, version=version))
        if expected is None:
            try:
                connection.execute(
                    "INSERT INTO aggregates (collection, id, version, body)"
                    " VALUES (?, ?, ?, ?)",
                    (name, aggregate_id, version, body),
                )
            except sqlite3.IntegrityError as exc:
                raise DuplicateIdError(kind=name, id=aggregate_id) from exc
        else:
            cursor = connection.execute(
                "UPDATE aggregates SET version = ?, body = ?"
                " WHERE collection = ? AND id = ? AND version = ?",
                (version, body, name, aggregate_id, expected),
            )
            if cursor.rowcount != 1:
                row = connection.execute(
                    "SELECT version FROM aggregates WHERE collection = ? AND id = ?",
                    (name, aggregate_id),
                ).fetchone()
                raise StaleVersionError(
                    kind=name,
                    id=aggregate_id,
                    expected=expected,
                    actual=None if row is None else row[0],
                )
            connection.execute(
                "DELETE FROM index_entries WHERE collection = ? AND id = ?",
                (name, aggregate_id),
            )
        indexer = self.database.indexer(name)
        if indexer is not None:
            connection.executemany(
                "INSERT OR IGNORE INTO index_entries (collection, name, value, id)"
                " VALUES (?, ?, ?, ?)",
                [
                    (name, index, value, aggregate_id)
                    for index, value in indexer(aggregate)
                ],
            )

    @staticmethod
    def _outbox(connection: sqlite3.Connection, event: DomainEvent) -> int:
        cursor = connection.execute(
            "INSERT INTO outbox (event_id, name, aggregate_id, occurred_at, body)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                str(event.event_id),
                event.name,
                event.aggregate_id,
                event.occurred_at.isoformat(),
                codec.dumps(event),
            ),
        )
        return int(cursor.lastrowid or 0)
