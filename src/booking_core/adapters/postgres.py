"""PostgreSQL adapter: the storage kernel on psycopg 3 and a connection pool.

Install it with ``pip install "booking-core-domain[postgres]"`` (psycopg 3 and
psycopg_pool). Many app processes on many machines share one PostgreSQL: that is
the library's scale-out path.

* :class:`PostgresDialect` of the storage kernel (:mod:`booking_core.adapters.sql`):
  ``jsonb`` bodies, ``timestamptz`` and ``uuid`` in the outbox, unique violations
  as :class:`~booking_core.errors.DuplicateIdError`, serialization failures and
  deadlocks as :class:`~booking_core.errors.ConcurrencyError` (the services retry
  both), text ``jsonb`` cannot hold (a NUL character, a lone surrogate) as
  :class:`~booking_core.errors.InvalidValueError`, and an outbox relay
  claiming rows with ``FOR UPDATE SKIP LOCKED``, so any number of workers can
  relay at once and none delivers an event twice.
* One PostgreSQL schema per store (``booking_core`` by default), created and
  upgraded on open from the append-only :data:`MIGRATIONS` under an advisory
  lock (app servers starting together migrate once); the applied step count is
  kept in ``schema_version``. Hosts that migrate separately run
  ``booking-core db upgrade --dsn …`` (or :func:`upgrade`) and open with
  ``migrate=False``.
* A :class:`psycopg_pool.ConnectionPool` shared by every thread: each read and
  each commit borrows a connection for its duration.

Every repository of the unit of work (``uow.sessions`` … ``uow.ledger(currency)``)
is the kernel's, unchanged. Reads see the latest committed data (READ COMMITTED,
not a snapshot); the compare-and-set on commit keeps decisions taken on stale
reads out, and a concurrent ``UPDATE`` of the same row waits for the first
commit, then matches nothing and fails the second with a stale version.

Example (needs a server)::

    database = PostgresDatabase("postgresql://app@db/app")
    core = bootstrap(uow_factory=lambda: PostgresUnitOfWork(database, bus),
                     clock=SystemClock())
    database.relay(bus)   # every few seconds, in any number of workers
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, final

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg_pool import ConnectionPool

from booking_core.adapters._repositories import BOOKINGS, SERIES, SESSIONS
from booking_core.adapters.sql import (
    CommitWrites,
    Cursor,
    Dialect,
    MigrationStep,
    SqlDatabase,
    SqlUnitOfWork,
    reindex,
)
from booking_core.errors import ConcurrencyError
from booking_core.ports import EventPublisher

__all__ = [
    "MIGRATIONS",
    "PostgresDatabase",
    "PostgresDialect",
    "PostgresUnitOfWork",
    "upgrade",
]

MIGRATIONS: tuple[MigrationStep, ...] = (
    # 1: aggregates, index entries, the event outbox.
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
    CREATE INDEX outbox_unpublished ON outbox (seq) WHERE NOT published
    """,
    # 2: the time-bounded index entries for existing rows: a teacher's scheduled
    # sessions and 1:1 bookings and a student's active bookings by UTC day; due
    # sets by due time (sessions to mark or complete, reschedules, offers, series, and
    # scheduled sessions by start hour for the monitor's reminders).
    reindex(SESSIONS, BOOKINGS, SERIES),
    # 3: each series' entry per item booking id, for the series holding a
    # booking (``BookingSeriesRepository.of_booking``, every 1:1 cancel).
    reindex(SERIES),
    # 4: one commit as one call of a function (PostgresDialect.commit_writes):
    # PL/pgSQL keeps the plans of its statements for the connection's life.
    """
    CREATE OR REPLACE FUNCTION booking_core_commit(writes jsonb) RETURNS bigint[]
    LANGUAGE plpgsql AS $commit$
    DECLARE
        item jsonb;
        seq bigint;
        seqs bigint[] := '{}';
    BEGIN
        FOR item IN SELECT value FROM jsonb_array_elements(writes -> 'updates') LOOP
            UPDATE aggregates
            SET version = (item ->> 0)::integer, body = item -> 1
            WHERE collection = item ->> 2 AND id = item ->> 3
              AND version = (item ->> 4)::integer;
            IF NOT FOUND THEN
                RAISE division_by_zero USING MESSAGE = 'stale version';
            END IF;
        END LOOP;
        INSERT INTO aggregates (collection, id, version, body)
        SELECT r ->> 0, r ->> 1, (r ->> 2)::integer, r -> 3
        FROM jsonb_array_elements(writes -> 'inserts') AS e(r);
        FOR item IN SELECT value FROM jsonb_array_elements(writes -> 'unindex') LOOP
            DELETE FROM index_entries
            WHERE collection = item ->> 0 AND id = item ->> 1;
        END LOOP;
        INSERT INTO index_entries (collection, name, value, id)
        SELECT r ->> 0, r ->> 1, r ->> 2, r ->> 3
        FROM jsonb_array_elements(writes -> 'index') AS e(r);
        FOR item IN SELECT value FROM jsonb_array_elements(writes -> 'outbox') LOOP
            INSERT INTO outbox (event_id, name, aggregate_id, occurred_at, body)
            VALUES ((item ->> 0)::uuid, item ->> 1, item ->> 2,
                    (item ->> 3)::timestamptz, item -> 4)
            RETURNING outbox.seq INTO seq;
            seqs := seqs || seq;
        END LOOP;
        RETURN seqs;
    END
    $commit$
    """,
)
"""The schema, one upgrade step per entry; ``schema_version.steps`` is the number
of steps applied. Append steps, never edit one that shipped."""

# One commit: the function of migration step 4 on one jsonb document.
_COMMIT = "SELECT booking_core_commit(%s::jsonb)"


def _document(writes: CommitWrites) -> str:
    """``writes`` as the JSON text ``booking_core_commit`` reads.

    One array of rows per list of :class:`CommitWrites`, each row an array in
    the list's column order; the encoded bodies go in as they are (they are
    JSON already), everything else as JSON strings and numbers.
    """
    text = json.dumps
    updates = ",".join(
        f"[{version},{body},{text(name)},{text(key)},{expected}]"
        for version, body, name, key, expected in writes.updates
    )
    inserts = ",".join(
        f"[{text(name)},{text(key)},{version},{body}]"
        for name, key, version, body in writes.inserts
    )
    unindex = ",".join(f"[{text(name)},{text(key)}]" for name, key in writes.unindex)
    index = ",".join(text(row) for row in writes.index)
    outbox = ",".join(
        f"[{text(event_id)},{text(name)},{text(key)},{text(at.isoformat())},{body}]"
        for event_id, name, key, at, body in writes.outbox
    )
    return (
        f'{{"updates":[{updates}],"inserts":[{inserts}],"unindex":[{unindex}],'
        f'"index":[{index}],"outbox":[{outbox}]}}'
    )


# Any number: the advisory lock key that serialises migrations of one database.
_MIGRATION_LOCK = 0x626F6F6B  # "book"


class PostgresDialect(Dialect):
    """PostgreSQL for the storage kernel.

    Args:
        schema: The PostgreSQL schema holding the tables (created on migration).
    """

    name = "PostgreSQL"
    placeholder = "%s"
    begin = "BEGIN"
    body_param = "?::jsonb"
    body_column = "body::text"
    skip_locked = True
    migrations = MIGRATIONS
    integrity_errors = (pg_errors.UniqueViolation,)
    conflict_errors = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)
    data_errors = (psycopg.DataError,)  # jsonb holds no NUL, no lone surrogate

    def __init__(self, schema: str = "booking_core") -> None:
        self.schema = schema

    def instant(self, at: datetime) -> Any:
        """Instants go to ``timestamptz`` as they are."""
        return at

    def commit_writes(
        self, connection: Any, writes: CommitWrites, database: SqlDatabase
    ) -> list[int]:
        """Commit in one round trip: one call of ``booking_core_commit``.

        The function (migration step 4) takes the whole commit as one ``jsonb``
        document (:func:`_document`): it applies the compare-and-set updates
        (raising a division by zero at the first that matched no row), the
        inserts, the index entries and the outbox rows, and returns the outbox
        ``seq`` of each event. One statement in autocommit is one transaction:
        a failure stores nothing, and one more query names the stale or
        duplicate aggregate. Row locks are held only while the server runs the
        function. PL/pgSQL keeps the plans of the function's statements for the
        connection's life, so the server plans a commit's writes once per
        connection, not once per commit, and the client sends one parameter,
        not one statement per row.
        """
        cursor = connection.cursor()
        try:
            cursor.execute(_COMMIT, (_document(writes),))
        except psycopg.Error as failed:
            if isinstance(failed, pg_errors.DivisionByZero):
                raise writes.stale(database, cursor) from failed
            if isinstance(failed, self.integrity_errors):
                raise writes.duplicate(database, cursor) from failed
            if isinstance(failed, self.conflict_errors):
                raise ConcurrencyError(reason=type(failed).__name__) from failed
            if isinstance(failed, self.data_errors):
                raise self.unstorable(failed) from failed
            raise
        row = cursor.fetchone()
        return [int(seq) for seq in row[0]]

    def run_script(self, cursor: Cursor, script: str) -> None:
        """Run one migration step as one multi-statement query."""
        cursor.execute(script.encode())

    def prepare_migrations(self, cursor: Cursor) -> None:
        """Take the migration lock; create the schema and ``schema_version``."""
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        schema = sql.Identifier(self.schema)
        cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
        cursor.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {}.schema_version (steps integer NOT NULL)"
            ).format(schema)
        )

    def schema_version(self, cursor: Cursor) -> int:
        """``schema_version.steps`` (0 for a new schema, or none at all)."""
        cursor.execute("SELECT to_regclass('schema_version') IS NULL")
        if cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT steps FROM schema_version")
        row = cursor.fetchone()
        return 0 if row is None else int(row[0])

    def set_schema_version(self, cursor: Cursor, number: int) -> None:
        """Record ``number`` in ``schema_version``."""
        cursor.execute("DELETE FROM schema_version")
        cursor.execute("INSERT INTO schema_version VALUES (%s)", (number,))


@final
class PostgresDatabase(SqlDatabase):
    """One PostgreSQL database (one schema in it) holding a ``booking_core`` store.

    Opening it opens the pool and, unless ``migrate=False``, creates or upgrades
    the schema. Safe to share between threads; close it when done. A unit of
    work entered with ``with`` holds one pooled connection from its first read
    to its end (no pool checkout per read); its reads run in autocommit, so no
    lock is held between them.

    Args:
        conninfo: A libpq connection string or URL (``"postgresql://app@db/app"``).
        schema: The PostgreSQL schema holding the tables.
        min_size: Connections the pool keeps open.
        max_size: Connections the pool opens at most (threads wait beyond).
        migrate: Apply the migrations not applied yet on open (under an
            advisory lock). ``False`` (for hosts that migrate before deploying)
            only checks that every step is applied.
        timeout: Seconds to wait for a connection from the pool.

    Raises:
        SchemaOutdatedError: ``setup.schema_outdated`` when opened with
            ``migrate=False`` on a schema lacking steps this version needs
            (run ``booking-core db upgrade`` first); the pool is closed.
    """

    hold_connection = True

    def __init__(
        self,
        conninfo: str,
        *,
        schema: str = "booking_core",
        min_size: int = 1,
        max_size: int = 10,
        migrate: bool = True,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(PostgresDialect(schema))
        self.conninfo = conninfo
        self.schema = schema
        search_path = sql.SQL("SET search_path TO {}").format(sql.Identifier(schema))

        def configure(connection: psycopg.Connection[Any]) -> None:
            connection.execute(search_path)

        self.pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            conninfo,
            min_size=min_size,
            max_size=max_size,
            kwargs={"autocommit": True},
            configure=configure,
            timeout=timeout,
            open=True,
            name=f"booking_core:{schema}",
        )
        self.migrated = 0
        """How many migration steps opening it applied."""
        if migrate:
            self.migrated = self.migrate()
        else:
            try:
                self.check_schema(schema)
            except BaseException:
                self.pool.close()
                raise

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection[Any]]:
        """Borrow a pooled connection (autocommit; transactions are explicit)."""
        with self.pool.connection() as connection:
            yield connection

    def close(self) -> None:
        """Close the pool and every connection in it."""
        self.pool.close()


@final
class PostgresUnitOfWork(SqlUnitOfWork):
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
        super().__init__(database, publisher)
        self.database: PostgresDatabase = database

    def __enter__(self) -> PostgresUnitOfWork:
        super().__enter__()
        return self


def upgrade(conninfo: str, *, schema: str = "booking_core") -> tuple[int, int]:
    """Apply the migrations a database has not applied yet.

    Returns:
        ``(steps applied now, schema version after)``.
    """
    database = PostgresDatabase(conninfo, schema=schema, min_size=1, max_size=1)
    try:
        return database.migrated, database.schema_version()
    finally:
        database.close()
