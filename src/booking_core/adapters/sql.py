"""The SQL storage kernel: one commit algorithm for every DB-API 2 database.

A host writing an adapter for another database (MySQL, CockroachDB, SQL Server)
writes a :class:`Dialect` and a way to borrow connections, not a commit
algorithm. The kernel supplies the rest, the same for SQLite
(:mod:`booking_core.adapters.sqlite`) and PostgreSQL
(:mod:`booking_core.adapters.postgres`):

* **Staging.** :class:`SqlUnitOfWork` is a
  :class:`StagedUnitOfWork`: every repository of the library (``uow.sessions``,
  ``uow.bookings`` … ``uow.ledger(currency)``) reads committed rows and its own
  staged writes, and writes nothing until :meth:`SqlUnitOfWork.commit`.
* **Compare-and-set commit.** One transaction (the dialect's ``begin``) applies
  the staged writes in ``(collection, id)`` order, so two commits never wait on
  each other crosswise: an ``INSERT`` for a new aggregate (an integrity error
  becomes :class:`~booking_core.errors.DuplicateIdError`) and an
  ``UPDATE … WHERE version = ?`` for a changed one (no row matched:
  :class:`~booking_core.errors.StaleVersionError`). A serialization failure or
  deadlock the dialect names becomes :class:`~booking_core.errors.ConcurrencyError`.
  Either way nothing is stored and the services retry from a fresh load.
* **Index entries.** ``index_entries (collection, name, value, id)`` holds the
  ``(name, value)`` pairs an :data:`Indexer` returns for each aggregate; they are
  rewritten with the aggregate in the same transaction, and ``find(name, value)``
  is one join. :data:`DEFAULT_INDEXES` registers the library's own; a host adds
  its own with :meth:`SqlDatabase.register_index`. Values are text compared
  for equality; an indexer yields every pair a query needs.
* **Outbox and relay.** Collected events are inserted into ``outbox`` in the
  same transaction and published right after commit, then marked published.
  :meth:`SqlDatabase.relay` publishes what a crash left behind (at least once):
  it claims rows in a transaction, with ``FOR UPDATE SKIP LOCKED`` where the
  dialect has it, so several relays never deliver one event twice.
* **Migrations.** :meth:`SqlDatabase.migrate` applies the dialect's append-only
  :attr:`Dialect.migrations` not yet applied, in one transaction. A step is
  SQL text or a callable of the database and the cursor, such as
  :func:`reindex` ``(collection, …)``, which rewrites the index entries of
  existing rows when the library's indexers gain an entry.

The tables every dialect's first migration creates::

    aggregates    (collection, id, version, body)      PRIMARY KEY (collection, id)
    index_entries (collection, name, value, id)        PRIMARY KEY (all four)
    outbox        (seq, event_id, name, aggregate_id, occurred_at, body, published)

Bodies are :mod:`booking_core.adapters.codec` JSON text (``jsonb`` where the
database has it); the version lives in its own column.

This module's interface is versioned by :data:`KERNEL_VERSION`: a dialect written
for version 1 keeps working while it stays 1.

Example: a dialect is a handful of attributes; this one is SQLite's.
    >>> import sqlite3
    >>> from booking_core.adapters.sqlite import SqliteDialect
    >>> dialect = SqliteDialect()
    >>> dialect.sql("SELECT id FROM aggregates WHERE collection = ?")
    'SELECT id FROM aggregates WHERE collection = ?'
    >>> dialect.begin, dialect.skip_locked
    ('BEGIN IMMEDIATE', False)
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar, Protocol, TypeAlias

from booking_core.adapters import codec
from booking_core.adapters._decoded import DecodedCache
from booking_core.adapters._repositories import DEFAULT_INDEXES, StagedUnitOfWork
from booking_core.adapters._staging import Indexer, StagedRepository, StagingUnitOfWork
from booking_core.errors import (
    ConcurrencyError,
    DuplicateIdError,
    InvalidValueError,
    SchemaOutdatedError,
    StaleVersionError,
)
from booking_core.events import DomainEvent
from booking_core.ports import EventPublisher

__all__ = [
    "DEFAULT_INDEXES",
    "KERNEL_VERSION",
    "CommitWrites",
    "Connection",
    "Cursor",
    "Dialect",
    "Indexer",
    "MigrationStep",
    "SqlDatabase",
    "SqlUnitOfWork",
    "StagedRepository",
    "StagedUnitOfWork",
    "StagingUnitOfWork",
    "reindex",
]

KERNEL_VERSION = 1
"""The version of this module's interface to dialects and databases."""

MigrationStep: TypeAlias = "str | Callable[[SqlDatabase, Cursor], None]"
"""One schema upgrade step: SQL text (run by :meth:`Dialect.run_script`) or a
callable of the database and the migration's cursor (e.g. :func:`reindex`)."""


def reindex(*collections: str) -> MigrationStep:
    """A migration step rewriting the index entries of ``collections``' rows.

    Append it to a dialect's migrations when an indexer of the library (or a
    host's, registered before the database migrates) yields new entries, so
    rows written before the upgrade are found by the new queries, without
    re-saving them.

    Example:
        >>> from booking_core.adapters.sqlite import MIGRATIONS
        >>> step = reindex("sessions", "bookings")
        >>> callable(step), isinstance(MIGRATIONS[0], str)
        (True, True)
    """

    def step(database: SqlDatabase, cursor: Cursor) -> None:
        for collection in collections:
            database.reindex(cursor, collection)

    return step


class Cursor(Protocol):
    """The part of a DB-API 2 cursor the kernel uses."""

    @property
    def rowcount(self) -> int:
        """Rows the last statement changed."""

    def execute(self, operation: Any, parameters: Any = ..., /) -> Any:
        """Run one statement."""

    def executemany(self, operation: Any, seq_of_parameters: Any, /) -> Any:
        """Run one statement once per parameter tuple."""

    def fetchone(self) -> Any:
        """The next row, or ``None``."""

    def fetchall(self) -> Sequence[Any]:
        """Every remaining row."""


class Connection(Protocol):
    """The part of a DB-API 2 connection the kernel uses (in autocommit mode)."""

    def cursor(self) -> Any:
        """A new cursor."""


class Dialect(abc.ABC):
    """How one database speaks SQL; the kernel does everything else.

    Subclass it and set the attributes that differ; override the methods for
    what cannot be a string. The kernel writes every statement with ``?``
    placeholders and passes it through :meth:`sql`.

    Attributes:
        name: A human name for messages ("SQLite", "PostgreSQL").
        placeholder: The driver's parameter marker (``"?"`` or ``"%s"``).
        begin: The statement opening a write transaction. Without
            ``skip_locked`` it must serialise writers (SQLite's ``BEGIN
            IMMEDIATE``), so that relays never claim one event twice.
        body_param: How a JSON body parameter is written (``"?::jsonb"``).
        body_column: How a body is selected as text (``"body::text"``).
        skip_locked: Whether ``SELECT … FOR UPDATE SKIP LOCKED`` exists.
        migrations: The schema, one upgrade step per entry (SQL text or a
            callable, :data:`MigrationStep`). Append steps, never edit one that
            shipped.
        integrity_errors: Driver errors meaning a unique key was violated.
        conflict_errors: Driver errors meaning the database aborted the
            transaction for a concurrent one (serialization failure, deadlock).
        data_errors: Driver errors meaning the database cannot hold a value it
            was given (PostgreSQL's ``jsonb`` refuses a NUL character); they
            become :class:`~booking_core.errors.InvalidValueError`.
    """

    name: ClassVar[str] = "SQL"
    placeholder: ClassVar[str] = "?"
    begin: ClassVar[str] = "BEGIN"
    body_param: ClassVar[str] = "?"
    body_column: ClassVar[str] = "body"
    skip_locked: ClassVar[bool] = False
    migrations: ClassVar[tuple[MigrationStep, ...]] = ()
    integrity_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    conflict_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    data_errors: ClassVar[tuple[type[BaseException], ...]] = ()

    def sql(self, statement: str) -> str:
        """``statement`` with the driver's placeholders instead of ``?``."""
        if self.placeholder == "?":
            return statement
        return statement.replace("?", self.placeholder)

    def instant(self, at: datetime) -> Any:
        """An aware instant as the driver stores it (ISO 8601 text by default)."""
        return at.isoformat()

    def run_script(self, cursor: Cursor, script: str) -> None:
        """Run one migration step (statements separated by ``;``)."""
        for statement in script.split(";"):
            if statement.strip():
                cursor.execute(statement)

    def prepare_migrations(self, cursor: Cursor) -> None:
        """Run first in the migration transaction (take a lock, create the catalogue).

        Does nothing by default.
        """
        return

    @abc.abstractmethod
    def schema_version(self, cursor: Cursor) -> int:
        """How many steps of :attr:`migrations` the database has applied."""

    @abc.abstractmethod
    def set_schema_version(self, cursor: Cursor, number: int) -> None:
        """Record that the database has applied ``number`` steps."""

    def unstorable(self, exc: BaseException) -> InvalidValueError:
        """The error for a value the database cannot hold (one of :attr:`data_errors`).

        ``input.invalid_value`` on the field ``body``, naming the database and
        the driver's first line; the transaction was rolled back, nothing stored.
        """
        return InvalidValueError(
            field="body",
            reason=f"{self.name} cannot store it",
            value=str(exc).partition("\n")[0],
        )

    def commit_writes(
        self, connection: Any, writes: CommitWrites, database: SqlDatabase
    ) -> list[int] | None:
        """Optionally commit a unit's writes in fewer round trips; ``None``: no.

        A dialect that can send a whole commit at once (PostgreSQL's calls one
        function with the commit as one document) opens the transaction, applies
        ``writes`` (compare-and-set updates first, each
        matching exactly one row) and commits, all on ``connection``, and
        returns the outbox ``seq`` of each event. It raises what the kernel
        would: :class:`~booking_core.errors.StaleVersionError` and
        :class:`~booking_core.errors.DuplicateIdError` (after rolling back,
        :meth:`CommitWrites.stale` and :meth:`CommitWrites.duplicate` name
        which), :class:`~booking_core.errors.ConcurrencyError` for one of
        :attr:`conflict_errors`; nothing is stored then. The default returns
        ``None``: the kernel runs ``begin``, the statements one by one and
        ``COMMIT`` on a cursor.
        """
        return None

    def insert_returning_seq(self, cursor: Cursor, statement: str, row: Any) -> int:
        """Insert an outbox row and return its ``seq`` (``RETURNING`` by default).

        ``statement`` has ``?`` placeholders (pass it through :meth:`sql`).
        """
        cursor.execute(self.sql(f"{statement} RETURNING seq"), row)
        return int(cursor.fetchone()[0])


class _Statements:
    """Every statement of the kernel in one dialect, built once per database."""

    def __init__(self, dialect: Dialect) -> None:
        sql, body, param = dialect.sql, dialect.body_column, dialect.body_param
        lock = " FOR UPDATE SKIP LOCKED" if dialect.skip_locked else ""
        self.get = sql(
            f"SELECT id, version, {body} FROM aggregates"  # noqa: S608
            " WHERE collection = ? AND id = ?"
        )
        self.all = sql(
            f"SELECT id, version, {body} FROM aggregates"  # noqa: S608
            " WHERE collection = ?"
        )
        self.find = sql(
            f"SELECT a.id, a.version, {body.replace('body', 'a.body')}"  # noqa: S608
            " FROM index_entries AS i JOIN aggregates AS a"
            " ON a.collection = i.collection AND a.id = i.id"
            " WHERE i.collection = ? AND i.name = ? AND i.value = ?"
        )
        self.upto = sql(
            f"SELECT a.id, a.version, {body.replace('body', 'a.body')}"  # noqa: S608
            " FROM index_entries AS i JOIN aggregates AS a"
            " ON a.collection = i.collection AND a.id = i.id"
            " WHERE i.collection = ? AND i.name = ? AND i.value <= ?"
            " ORDER BY i.value, i.id"
        )
        self.insert = sql(
            "INSERT INTO aggregates (collection, id, version, body)"  # noqa: S608
            f" VALUES (?, ?, ?, {param})"
        )
        self.update = sql(
            f"UPDATE aggregates SET version = ?, body = {param}"  # noqa: S608
            " WHERE collection = ? AND id = ? AND version = ?"
        )
        self.version = sql(
            "SELECT version FROM aggregates WHERE collection = ? AND id = ?"
        )
        self.exists = sql("SELECT id FROM aggregates WHERE collection = ? AND id = ?")
        self.unindex = sql("DELETE FROM index_entries WHERE collection = ? AND id = ?")
        self.drop_index = sql("DELETE FROM index_entries WHERE collection = ?")
        self.index = sql(
            "INSERT INTO index_entries (collection, name, value, id)"
            " VALUES (?, ?, ?, ?)"
        )
        self.outbox = (
            "INSERT INTO outbox (event_id, name, aggregate_id, occurred_at, body)"  # noqa: S608
            f" VALUES (?, ?, ?, ?, {param})"
        )
        self.events = f"SELECT {body} FROM outbox ORDER BY seq"  # noqa: S608
        self.claim = sql(
            f"SELECT seq, {body} FROM outbox"  # noqa: S608
            f" WHERE NOT published ORDER BY seq LIMIT ?{lock}"
        )
        self.mark = sql("UPDATE outbox SET published = TRUE WHERE seq = ?")


class SqlDatabase(abc.ABC):
    """A database holding a ``booking_core`` store, on the kernel.

    Subclasses borrow connections (:meth:`connect`) and set :attr:`dialect`;
    opening one migrates it (call :meth:`migrate` from the subclass's
    ``__init__``).

    Args:
        dialect: How the database speaks SQL.
    """

    hold_connection: ClassVar[bool] = False
    """Whether a unit of work entered with ``with`` keeps one connection from its
    first read to its end (PostgreSQL: no pool checkout per read) instead of
    borrowing one per read."""

    decoded_cache_entries: ClassVar[int] = 1024
    """How many decoded aggregates the database keeps (least recently used goes
    first; 0 keeps none). A read whose row has the version and body text of a
    kept one reuses it instead of decoding (see
    :mod:`booking_core.adapters._decoded`)."""

    decoded_cache_chars: ClassVar[int] = 16_384
    """The longest body text (characters) whose decoded aggregate is kept."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._indexers: dict[str, Indexer] = dict(DEFAULT_INDEXES)
        self._sql = _Statements(dialect)
        self._decoded = DecodedCache(
            entries=self.decoded_cache_entries, max_chars=self.decoded_cache_chars
        )

    # -- what subclasses supply --------------------------------------------------

    @abc.abstractmethod
    def connect(self) -> AbstractContextManager[Any]:
        """Borrow a connection in autocommit mode for one read or one transaction."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release every connection."""

    # -- statements ----------------------------------------------------------------

    def query(self, statement: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """The rows of one statement (``?`` placeholders), outside any transaction."""
        return self._query(self.dialect.sql(statement), parameters)

    def _query(self, statement: str, parameters: Sequence[Any]) -> list[Any]:
        with self.connect() as connection:
            return list(self._query_on(connection, statement, parameters))

    @staticmethod
    def _query_on(
        connection: Any, statement: str, parameters: Sequence[Any]
    ) -> Sequence[Any]:
        cursor = connection.cursor()
        cursor.execute(statement, tuple(parameters))
        rows: Sequence[Any] = cursor.fetchall()
        return rows

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """A cursor in one transaction: committed on exit, rolled back on error.

        Raises:
            ConcurrencyError: ``concurrency`` when the database aborted it for a
                concurrent transaction (one of :attr:`Dialect.conflict_errors`).
            InvalidValueError: ``input.invalid_value`` when the database cannot
                hold a value it was given (one of :attr:`Dialect.data_errors`).
        """
        with self.connect() as connection, self._transaction(connection) as cursor:
            yield cursor

    @contextmanager
    def _transaction(self, connection: Any) -> Iterator[Cursor]:
        dialect = self.dialect
        cursor = connection.cursor()
        cursor.execute(dialect.begin)
        try:
            yield cursor
            cursor.execute("COMMIT")
        except dialect.conflict_errors as exc:
            cursor.execute("ROLLBACK")
            raise ConcurrencyError(reason=type(exc).__name__) from exc
        except dialect.data_errors as exc:
            cursor.execute("ROLLBACK")
            raise dialect.unstorable(exc) from exc
        except BaseException:
            cursor.execute("ROLLBACK")
            raise

    # -- schema --------------------------------------------------------------------

    def schema_version(self) -> int:
        """How many steps of the dialect's migrations this database has applied."""
        with self.transaction() as cursor:
            return self.dialect.schema_version(cursor)

    def check_schema(self, store: str) -> None:
        """Refuse a schema lacking steps: what opening with ``migrate=False`` runs.

        A schema with more steps than this version knows passes (a newer
        version migrated it during a rolling deploy; steps only add).

        Args:
            store: How the error names the store (a PostgreSQL schema, a path).

        Raises:
            SchemaOutdatedError: ``setup.schema_outdated`` when fewer steps are
                applied than :attr:`Dialect.migrations` holds; nothing changed.
        """
        found, needed = self.schema_version(), len(self.dialect.migrations)
        if found < needed:
            raise SchemaOutdatedError(
                database=self.dialect.name, store=store, found=found, needed=needed
            )

    def migrate(self) -> int:
        """Apply the migration steps not applied yet, in order, in one transaction.

        Returns:
            How many steps it applied (0 when the schema was current).
        """
        dialect = self.dialect
        applied = 0
        with self.transaction() as cursor:
            dialect.prepare_migrations(cursor)
            current = dialect.schema_version(cursor)
            for number, script in enumerate(dialect.migrations, start=1):
                if number > current:
                    if isinstance(script, str):
                        dialect.run_script(cursor, script)
                    else:
                        script(self, cursor)
                    dialect.set_schema_version(cursor, number)
                    applied += 1
        return applied

    # -- index entries ---------------------------------------------------------------

    def register_index(self, collection: str, indexer: Indexer) -> None:
        """Maintain index entries for ``collection`` on every write.

        ``indexer(aggregate)`` returns ``(name, value)`` pairs; repositories find
        aggregates by them with ``find(name, value)``. Register before writing:
        aggregates written earlier have no entries.
        """
        self._indexers[collection] = indexer

    def indexer(self, collection: str) -> Indexer | None:
        """The indexer registered for ``collection``, if any."""
        return self._indexers.get(collection)

    def reindex(self, cursor: Cursor, collection: str) -> int:
        """Rewrite the index entries of every stored aggregate of ``collection``.

        Runs in the caller's transaction (a migration step's, see
        :func:`reindex`); returns how many aggregates it indexed. A collection
        without an indexer loses its entries.
        """
        statements = self._sql
        indexer = self._indexers.get(collection)
        cursor.execute(statements.all, (collection,))
        bodies = [body for _, _, body in cursor.fetchall()]
        cursor.execute(statements.drop_index, (collection,))
        if indexer is None:
            return 0
        rows: list[tuple[str, str, str, str]] = []
        for body in bodies:
            aggregate = codec.loads(body)
            rows.extend(
                (collection, name, value, aggregate.id)
                for name, value in dict.fromkeys(indexer(aggregate))
            )
        if rows:
            cursor.executemany(statements.index, rows)
        return len(bodies)

    # -- events ----------------------------------------------------------------------

    def events(self) -> list[DomainEvent]:
        """Every committed event, in outbox order."""
        rows = self._query(self._sql.events, ())
        return [codec.loads(body) for (body,) in rows]

    def relay(self, publisher: EventPublisher, *, batch: int = 500) -> int:
        """Publish committed events not yet marked published; return how many.

        Run it periodically (or at start-up), from any number of workers, to
        deliver events whose publication a crash interrupted. Each batch is
        claimed in a transaction (``FOR UPDATE SKIP LOCKED`` where the dialect
        has it, else under the dialect's serialising ``begin``) and marked
        published in it after the publisher returned: no two relays deliver one
        event, and a crash before the mark delivers it again later (at least
        once: consumers de-duplicate by ``event_id``).

        Args:
            publisher: Receives the events, oldest first.
            batch: At most this many events per transaction.
        """
        statement = self._sql.claim
        total = 0
        while True:
            with self.transaction() as cursor:
                cursor.execute(statement, (batch,))
                rows = cursor.fetchall()
                if rows:
                    publisher.publish([codec.loads(body) for _, body in rows])
                    self._mark(cursor, [seq for seq, _ in rows])
            total += len(rows)
            if len(rows) < batch:
                return total

    def mark_published(self, seqs: Sequence[int]) -> None:
        """Mark the outbox rows ``seqs`` published."""
        with self.transaction() as cursor:
            self._mark(cursor, seqs)

    def _mark(self, cursor: Cursor, seqs: Sequence[int]) -> None:
        cursor.executemany(self._sql.mark, [(seq,) for seq in seqs])


class CommitWrites:
    """One commit's writes, encoded before the transaction opens.

    A dialect's :meth:`Dialect.commit_writes` receives it. Rows are in
    ``(collection, id)`` order within each list, so concurrent commits take
    their row locks in one order (compare-and-set updates first).

    Attributes:
        updates: ``(version, body, collection, id, expected)`` per saved aggregate.
        inserts: ``(collection, id, version, body)`` per added aggregate.
        unindex: ``(collection, id)`` per saved aggregate (its old entries go).
        index: ``(collection, name, value, id)`` per index entry to write.
        outbox: ``(event_id, name, aggregate_id, occurred_at, body)`` per event.
    """

    __slots__ = ("index", "inserts", "outbox", "unindex", "updates")

    def __init__(
        self, updates: list[tuple[int, str, str, str, int]] | None = None
    ) -> None:
        self.updates: list[tuple[int, str, str, str, int]] = updates or []
        self.inserts: list[tuple[str, str, int, str]] = []
        self.unindex: list[tuple[str, str]] = []
        self.index: list[tuple[str, str, str, str]] = []
        self.outbox: list[tuple[Any, ...]] = []

    def stale(self, database: SqlDatabase, cursor: Cursor) -> StaleVersionError:
        """The error for the first update whose row no longer has its version.

        Run on a cursor inside the failed transaction or after its rollback.
        """
        statement = database._sql.version  # noqa: SLF001
        found: list[StaleVersionError] = []
        for _, _, name, aggregate_id, expected in self.updates:
            cursor.execute(statement, (name, aggregate_id))
            row = cursor.fetchone()
            actual = None if row is None else row[0]
            found.append(
                StaleVersionError(
                    kind=name, id=aggregate_id, expected=expected, actual=actual
                )
            )
            if actual != expected:
                return found[-1]
        return found[-1]  # changed and changed back since: name the last one

    def duplicate(self, database: SqlDatabase, cursor: Cursor) -> DuplicateIdError:
        """The error for the first insert whose id is stored (after rollback)."""
        statement = database._sql.exists  # noqa: SLF001
        for name, aggregate_id, _, _ in self.inserts:
            cursor.execute(statement, (name, aggregate_id))
            if cursor.fetchone() is not None:
                return DuplicateIdError(kind=name, id=aggregate_id)
        name, aggregate_id = self.inserts[0][:2]  # a twin committed, then went
        return DuplicateIdError(kind=name, id=aggregate_id)


class SqlUnitOfWork(StagedUnitOfWork):
    """A unit of work over a :class:`SqlDatabase`: one transaction on commit.

    Reads see the latest committed rows (not a snapshot) and this unit's staged
    writes; the compare-and-set on commit is what keeps a decision taken on a
    stale read from being stored. ``add`` reads nothing: a stored id is refused
    on commit by the primary key. Every body is encoded before the transaction
    opens, so the transaction holds its locks only while the statements run.
    Where the database says so (:attr:`SqlDatabase.hold_connection`), a unit
    entered with ``with`` keeps one connection from its first read to its end.

    Args:
        database: The database to read from and commit to.
        publisher: Receives the committed events right after commit (optional;
            without one, events wait in the outbox for :meth:`SqlDatabase.relay`).
    """

    def __init__(
        self, database: SqlDatabase, publisher: EventPublisher | None = None
    ) -> None:
        super().__init__()
        self.database = database
        self.publisher = publisher
        self._entered = False
        self._lease: AbstractContextManager[Any] | None = None
        self._connection: Any = None

    def __enter__(self) -> SqlUnitOfWork:
        super().__enter__()
        self._entered = self.database.hold_connection
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        finally:
            self._entered = False
            lease, self._lease, self._connection = self._lease, None, None
            if lease is not None:
                lease.__exit__(exc_type, exc, tb)

    def _connected(self) -> AbstractContextManager[Any]:
        """This unit's held connection, or one borrowed for the duration.

        A plain context manager, not a generator: a read costs one of these.
        """
        if not self._entered:
            return self.database.connect()
        if self._lease is None:
            lease = self.database.connect()
            self._connection = lease.__enter__()
            self._lease = lease
        return nullcontext(self._connection)

    def _rows(self, statement: str, parameters: tuple[str, ...]) -> dict[str, Any]:
        """The aggregates of ``(id, version, body)`` rows (collection first), by id.

        A row whose version and body the database's decoded cache holds is not
        decoded again.
        """
        with self._connected() as connection:
            rows = self.database._query_on(connection, statement, parameters)  # noqa: SLF001
        name = parameters[0]
        cache = self.database._decoded  # noqa: SLF001
        loads = codec.loads
        found: dict[str, Any] = {}
        for row_id, version, body in rows:
            aggregate = cache.get(name, row_id, version, body)
            if aggregate is None:
                aggregate = loads(body, replace={"version": version})
                cache.put(name, row_id, version, body, aggregate)
            found[aggregate.id] = aggregate
        return found

    def committed(self, name: str, aggregate_id: str) -> Any | None:
        """The committed aggregate, or ``None``."""
        found = self._rows(self.database._sql.get, (name, aggregate_id))  # noqa: SLF001
        return found.get(aggregate_id)

    def committed_all(self, name: str) -> dict[str, Any]:
        """Every committed aggregate of a collection, by id."""
        return self._rows(self.database._sql.all, (name,))  # noqa: SLF001

    def committed_find(self, name: str, index: str, value: str) -> dict[str, Any]:
        """The committed aggregates under ``(index, value)``, by id."""
        return self._rows(self.database._sql.find, (name, index, value))  # noqa: SLF001

    def committed_upto(self, name: str, index: str, upper: str) -> dict[str, Any]:
        """The committed aggregates under ``index`` with a value ``<= upper``.

        One range query on ``index_entries``' primary key, ordered by value.
        """
        return self._rows(self.database._sql.upto, (name, index, upper))  # noqa: SLF001

    def indexer(self, name: str) -> Indexer | None:
        """The indexer registered for a collection, if any."""
        return self.database.indexer(name)

    def commit(self) -> None:
        """Apply every staged write and the outbox rows in one transaction.

        Bodies are encoded first; then, in one transaction, the
        compare-and-set updates (in ``(collection, id)`` order), the inserts,
        the index entries (one batched statement each way) and the outbox rows.

        Raises:
            StaleVersionError: ``concurrency.stale_version`` when a saved aggregate
                changed since it was loaded; nothing is stored.
            DuplicateIdError: ``conflict.duplicate_id`` when an added id exists.
            ConcurrencyError: ``concurrency`` when the database aborted the
                transaction for a concurrent one; nothing is stored.
        """
        database = self.database
        writes = self._encode()
        with self._connected() as connection:
            seqs = database.dialect.commit_writes(connection, writes, database)
            if seqs is None:
                with database._transaction(connection) as cursor:  # noqa: SLF001
                    seqs = self._apply(cursor, writes)
        self._remember(writes)
        events = self.finish()
        if self.publisher is not None and events:
            self.publisher.publish(events)
            if self._lease is None:
                database.mark_published(seqs)
            else:  # on the held connection: never wait for a second one
                with database._transaction(self._connection) as cursor:  # noqa: SLF001
                    database._mark(cursor, seqs)  # noqa: SLF001

    def _remember(self, writes: CommitWrites) -> None:
        """Keep each committed body with the aggregate it was encoded from.

        The next read of an unchanged row then needs no decoding.
        """
        cache = self.database._decoded  # noqa: SLF001
        staged = self.writes
        for version, body, name, aggregate_id, _ in writes.updates:
            cache.put(name, aggregate_id, version, body, staged[name, aggregate_id][1])
        for name, aggregate_id, version, body in writes.inserts:
            cache.put(name, aggregate_id, version, body, staged[name, aggregate_id][1])

    def _encode(self) -> CommitWrites:
        database = self.database
        dialect = database.dialect
        writes = CommitWrites()
        dumps = codec.dumps
        for key in sorted(self.writes):
            name, aggregate_id = key
            expected, aggregate = self.writes[key]
            version = 1 if expected is None else expected + 1
            body = dumps(aggregate, replace={"version": version})
            if expected is None:
                writes.inserts.append((name, aggregate_id, version, body))
            else:
                writes.updates.append((version, body, name, aggregate_id, expected))
                writes.unindex.append((name, aggregate_id))
            indexer = database.indexer(name)
            if indexer is not None:
                writes.index.extend(
                    (name, index, value, aggregate_id)
                    for index, value in dict.fromkeys(indexer(aggregate))
                )
        writes.outbox = [
            (
                str(event.event_id),
                event.name,
                event.aggregate_id,
                dialect.instant(event.occurred_at),
                dumps(event),
            )
            for event in self.events
        ]
        return writes

    def _apply(self, cursor: Cursor, writes: CommitWrites) -> list[int]:
        """Run ``writes`` statement by statement (the default of every dialect)."""
        database = self.database
        statements = database._sql  # noqa: SLF001
        for row in writes.updates:
            cursor.execute(statements.update, row)
            if cursor.rowcount != 1:
                raise CommitWrites(updates=[row]).stale(database, cursor)
        name, aggregate_id = "", ""
        try:
            for name, aggregate_id, version, body in writes.inserts:
                cursor.execute(statements.insert, (name, aggregate_id, version, body))
        except database.dialect.integrity_errors as exc:
            raise DuplicateIdError(kind=name, id=aggregate_id) from exc
        if writes.unindex:
            cursor.executemany(statements.unindex, writes.unindex)
        if writes.index:
            cursor.executemany(statements.index, writes.index)
        dialect = database.dialect
        return [
            dialect.insert_returning_seq(cursor, statements.outbox, row)
            for row in writes.outbox
        ]
