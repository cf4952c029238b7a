"""A reference PostgreSQL adapter for ``booking_core``, on psycopg 3 and plain SQL.

Built on the library's staging unit of work exactly as
:mod:`booking_core.adapters.sqlite` is: a unit of work stages writes in memory and
applies them on commit in one transaction, so every concept repository of
:mod:`booking_core.adapters._repositories` works unchanged on it.

* One PostgreSQL schema per store (``booking_core`` by default), created and
  upgraded by :meth:`PostgresDatabase.migrate` from the append-only
  :data:`MIGRATIONS`, under an advisory lock so that app servers starting together
  do not race; the applied step count is kept in ``schema_version``.
* ``aggregates (collection, id, version, body jsonb)``; bodies are
  :mod:`booking_core.adapters.codec` JSON, queryable with the ``jsonb`` operators.
* Commit applies the writes in ``(collection, id)`` order (so two commits never
  wait on each other crosswise), each save an ``UPDATE ... WHERE version = %s``
  (compare-and-set): a lost race raises
  :class:`~booking_core.errors.StaleVersionError`, an id taken meanwhile
  :class:`~booking_core.errors.DuplicateIdError`, and nothing is stored.
* Secondary index entries (``find``) and the events (``outbox``) are written in
  the same transaction. Committed events are published right after commit;
  :meth:`PostgresDatabase.relay` republishes any that a crash left unpublished
  (``FOR UPDATE SKIP LOCKED``, so several relays can run): at least once.

Connections are per thread (autocommit; transactions are explicit). Reads between
begin and commit see the latest committed data, not a snapshot; the
compare-and-set on commit is what keeps decisions taken on stale reads out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, final

import attrs
import psycopg
from psycopg import errors as pg_errors
from psycopg import sql

from booking_core.adapters import codec
from booking_core.adapters._repositories import (
    DEFAULT_INDEXES,
    StagedAttendeeRepository,
    StagedBookingRepository,
    StagedBookingSeriesRepository,
    StagedCommandRecords,
    StagedSessionRepository,
)
from booking_core.adapters._staging import Indexer, StagedRepository, StagingUnitOfWork
from booking_core.errors import ConcurrencyError, DuplicateIdError, StaleVersionError
from booking_core.events import DomainEvent
from booking_core.ports import EventPublisher, Versioned

__all__ = [
    "MIGRATIONS",
    "PostgresAttendeeRepository",
    "PostgresBookingRepository",
    "PostgresBookingSeriesRepository",
    "PostgresCommandRecords",
    "PostgresDatabase",
    "PostgresRepository",
    "PostgresSessionRepository",
    "PostgresUnitOfWork",
]

A = TypeVar("A", bound=Versioned)

MIGRATIONS: tuple[str, ...] = (
    # 1: aggregates, secondary index entries, the event outbox.
    """
    CREATE TABLE aggregates (
        collection text NOT NULL,
        id text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        body jsonb NOT NULL,
        PRIMARY KEY (collection, id)
    );
    CREATE TABLE index_entries (
        collection text NOT NULL,
        name text NOT NULL,
        value text NOT NULL,
        id text NOT NULL,
        PRIMARY KEY (collection, name, value, id)
    );
    CREATE INDEX index_entries_by_id ON index_entries (collection, id);
    CREATE TABLE outbox (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        name text NOT NULL,
        aggregate_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        body jsonb NOT NULL,
        published boolean NOT NULL DEFAULT false
    );
    CREATE INDEX outbox_unpublished ON outbox (seq) WHERE NOT published;
    """,
)
"""The schema, one upgrade step per entry; ``schema_version.steps`` is the number
of steps applied. Append steps, never edit one that shipped."""

# Any number: the advisory lock key that serialises migrations of one database.
_MIGRATION_LOCK = 0x626F6F6B  # "book"


@final
class PostgresDatabase:
    """One PostgreSQL database (one schema in it) holding a ``booking_core`` store.

    Opening it creates or upgrades the schema. Connections are opened lazily, one
    per thread, and closed by :meth:`close`.

    Args:
        conninfo: A libpq connection string or URL (``"dbname=app host=..."``).
        schema: The PostgreSQL schema holding the tables (created when missing).
        connect_timeout: Seconds to wait for a connection.
    """

    def __init__(
        self, conninfo: str, *, schema: str = "booking_core", connect_timeout: int = 10
    ) -> None:
        self.conninfo = conninfo
        self.schema = schema
        self.connect_timeout = connect_timeout
        self._local = threading.local()
        self._indexers: dict[str, Indexer] = dict(DEFAULT_INDEXES)
        self._open_connections: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self.migrate()

    # -- connections -----------------------------------------------------------------

    def connection(self) -> psycopg.Connection[Any]:
        """This thread's connection (autocommit; transactions are explicit)."""
        connection: psycopg.Connection[Any] | None = getattr(
            self._local, "connection", None
        )
        if connection is None or connection.closed:
            connection = psycopg.connect(
                self.conninfo, autocommit=True, connect_timeout=self.connect_timeout
            )
            connection.execute(
                sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema))
            )
            self._local.connection = connection
            with self._lock:
                self._open_connections.append(connection)
        return connection

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """A transaction on this thread's connection: commit on exit, else roll back."""
        connection = self.connection()
        with connection.transaction():
            yield connection

    def close(self) -> None:
        """Close every connection this object opened, in every thread."""
        with self._lock:
            connections, self._open_connections = self._open_connections, []
        for connection in connections:
            connection.close()

    # -- schema ----------------------------------------------------------------------

    def schema_version(self) -> int:
        """How many steps of :data:`MIGRATIONS` this database has applied."""
        row = self.connection().execute("SELECT steps FROM schema_version").fetchone()
        return 0 if row is None else int(row[0])

    def migrate(self) -> None:
        """Create the schema if needed and apply the steps not applied yet, in order.

        Safe when several processes open the database at once: the first one
        migrates under a transaction-scoped advisory lock, the others then find
        nothing left to do.
        """
        connection = psycopg.connect(
            self.conninfo, autocommit=True, connect_timeout=self.connect_timeout
        )
        try:
            with connection.transaction():
                connection.execute(
                    "SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,)
                )
                connection.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                        sql.Identifier(self.schema)
                    )
                )
                connection.execute(
                    sql.SQL("SET LOCAL search_path TO {}").format(
                        sql.Identifier(self.schema)
                    )
                )
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (steps integer NOT NULL)"
                )
                row = connection.execute("SELECT steps FROM schema_version").fetchone()
                if row is None:
                    connection.execute("INSERT INTO schema_version VALUES (0)")
                current = 0 if row is None else int(row[0])
                for number, script in enumerate(MIGRATIONS, start=1):
                    if number > current:
                        # Migration scripts are this module's constants, not input.
                        connection.execute(script.encode())
                        connection.execute(
                            "UPDATE schema_version SET steps = %s", (number,)
                        )
        finally:
            connection.close()

    # -- indexes and events ----------------------------------------------------------

    def register_index(self, collection: str, indexer: Indexer) -> None:
        """Maintain secondary index entries for ``collection`` on every write.

        ``indexer(aggregate)`` returns ``(name, value)`` pairs; repositories find
        aggregates by them with :meth:`PostgresRepository.find`.
        """
        self._indexers[collection] = indexer

    def indexer(self, collection: str) -> Indexer | None:
        """The indexer registered for ``collection``, if any."""
        return self._indexers.get(collection)

    def events(self) -> list[DomainEvent]:
        """Every committed event, in commit order per aggregate (outbox order)."""
        rows = (
            self.connection()
            .execute("SELECT body::text FROM outbox ORDER BY seq")
            .fetchall()
        )
        return [codec.loads(body) for (body,) in rows]

    def relay(self, publisher: EventPublisher, *, batch: int = 500) -> int:
        """Publish committed events not yet marked published; return how many.

        Run it periodically (or at start-up) from any number of processes to
        deliver events whose publication a crash interrupted: rows are claimed
        with ``FOR UPDATE SKIP LOCKED`` and marked published in the same
        transaction, after the publisher returned. Delivery is at least once:
        consumers de-duplicate by ``event_id``.

        Args:
            publisher: Receives the events, oldest first.
            batch: At most this many events per call.
        """
        with self.transaction() as connection:
            rows = connection.execute(
                "SELECT seq, body::text FROM outbox WHERE NOT published"
                " ORDER BY seq LIMIT %s FOR UPDATE SKIP LOCKED",
                (batch,),
            ).fetchall()
            if rows:
                publisher.publish([codec.loads(body) for _, body in rows])
                self._mark_published(connection, [seq for seq, _ in rows])
        return len(rows)

    @staticmethod
    def _mark_published(connection: psycopg.Connection[Any], seqs: list[int]) -> None:
        connection.execute(
            "UPDATE outbox SET published = true WHERE seq = ANY(%s)", (seqs,)
        )


@final
class PostgresRepository(StagedRepository[A]):
    """A versioned repository for one collection, bound to one unit of work."""


@final
class PostgresUnitOfWork(StagingUnitOfWork):
    """A unit of work over a :class:`PostgresDatabase`: one transaction on commit.

    Args:
        database: The database to read from and commit to.
        publisher: Receives the committed events right after commit (optional;
            without one, events wait in the outbox for
            :meth:`PostgresDatabase.relay`).
    """

    def __init__(
        self, database: PostgresDatabase, publisher: EventPublisher | None = None
    ) -> None:
        super().__init__()
        self.database = database
        self.publisher = publisher

    def __enter__(self) -> PostgresUnitOfWork:
        super().__enter__()
        return self

    def repository(self, name: str, kind: type[A]) -> PostgresRepository[A]:
        """The repository of collection ``name`` holding aggregates of type ``kind``."""
        return PostgresRepository(self, name)

    def _rows(self, query: str, parameters: tuple[str, ...]) -> dict[str, Any]:
        rows = self.database.connection().execute(query.encode(), parameters)
        found: dict[str, Any] = {}
        for version, body in rows.fetchall():
            aggregate = attrs.evolve(codec.loads(body), version=version)
            found[aggregate.id] = aggregate
        return found

    def committed(self, name: str, aggregate_id: str) -> Any | None:
        """The committed aggregate, or ``None``."""
        found = self._rows(
            "SELECT version, body::text FROM aggregates"
            " WHERE collection = %s AND id = %s",
            (name, aggregate_id),
        )
        return found.get(aggregate_id)

    def committed_all(self, name: str) -> dict[str, Any]:
        """Every committed aggregate of a collection, by id."""
        return self._rows(
            "SELECT version, body::text FROM aggregates WHERE collection = %s"
            " ORDER BY id",
            (name,),
        )

    def committed_find(self, name: str, index: str, value: str) -> dict[str, Any]:
        """The committed aggregates under ``(index, value)``, by id."""
        return self._rows(
            "SELECT a.version, a.body::text FROM index_entries AS i"
            " JOIN aggregates AS a ON a.collection = i.collection AND a.id = i.id"
            " WHERE i.collection = %s AND i.name = %s AND i.value = %s ORDER BY a.id",
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
            ConcurrencyError: ``concurrency`` when PostgreSQL aborted the
                transaction to break a deadlock or a serialization failure
                (retry, as for a stale version).
        """
        database = self.database
        try:
            with database.transaction() as connection:
                for key in sorted(self.writes):
                    expected, aggregate = self.writes[key]
                    self._write(connection, *key, expected, aggregate)
                seqs = [self._outbox(connection, event) for event in self.events]
        except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure) as exc:
            raise ConcurrencyError(reason=exc.sqlstate or "aborted") from exc
        events = self.finish()
        if self.publisher is not None and events:
            self.publisher.publish(events)
            with database.transaction() as connection:
                database._mark_published(connection, seqs)  # noqa: SLF001

    def _write(
        self,
        connection: psycopg.Connection[Any],
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
                    " VALUES (%s, %s, %s, %s::jsonb)",
                    (name, aggregate_id, version, body),
                )
            except pg_errors.UniqueViolation as exc:
                raise DuplicateIdError(kind=name, id=aggregate_id) from exc
        else:
            cursor = connection.execute(
                "UPDATE aggregates SET version = %s, body = %s::jsonb"
                " WHERE collection = %s AND id = %s AND version = %s",
                (version, body, name, aggregate_id, expected),
            )
            if cursor.rowcount != 1:
                row = connection.execute(
                    "SELECT version FROM aggregates WHERE collection = %s AND id = %s",
                    (name, aggregate_id),
                ).fetchone()
                raise StaleVersionError(
                    kind=name,
                    id=aggregate_id,
                    expected=expected,
                    actual=None if row is None else row[0],
                )
            connection.execute(
                "DELETE FROM index_entries WHERE collection = %s AND id = %s",
                (name, aggregate_id),
            )
        indexer = self.database.indexer(name)
        if indexer is not None:
            entries = sorted(set(indexer(aggregate)))
            if entries:
                with connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO index_entries (collection, name, value, id)"
                        " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                        [
                            (name, index, value, aggregate_id)
                            for index, value in entries
                        ],
                    )

    @staticmethod
    def _outbox(connection: psycopg.Connection[Any], event: DomainEvent) -> int:
        row = connection.execute(
            "INSERT INTO outbox (event_id, name, aggregate_id, occurred_at, body)"
            " VALUES (%s, %s, %s, %s, %s::jsonb) RETURNING seq",
            (
                event.event_id,
                event.name,
                event.aggregate_id,
                event.occurred_at,
                codec.dumps(event),
            ),
        ).fetchone()
        assert row is not None  # RETURNING always yields the row
        return int(row[0])


@final
class PostgresSessionRepository(StagedSessionRepository):
    """A :class:`~booking_core.ports.SessionRepository` on PostgreSQL.

    Args:
        uow: The :class:`PostgresUnitOfWork` it stages into.
    """


@final
class PostgresBookingSeriesRepository(StagedBookingSeriesRepository):
    """A :class:`~booking_core.ports.BookingSeriesRepository` on PostgreSQL.

    Args:
        uow: The :class:`PostgresUnitOfWork` it stages into.
    """


@final
class PostgresBookingRepository(StagedBookingRepository):
    """A :class:`~booking_core.ports.BookingRepository` on PostgreSQL.

    Args:
        uow: The :class:`PostgresUnitOfWork` it stages into.
    """


@final
class PostgresCommandRecords(StagedCommandRecords):
    """:class:`~booking_core.ports.IdempotencyRecords` on PostgreSQL.

    Args:
        uow: The :class:`PostgresUnitOfWork` it stages into.
        collection: The collection holding the records.
    """


@final
class PostgresAttendeeRepository(StagedAttendeeRepository):
    """An :class:`~booking_core.ports.AttendeeRepository` on PostgreSQL.

    Args:
        uow: The :class:`PostgresUnitOfWork` it stages into.
    """
