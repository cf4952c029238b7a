"""booking_core's storage kernel on Django's database connection.

The library's public SQL kernel (:mod:`booking_core.adapters.sql`) stages a unit
of work's writes and commits them by compare-and-set, with the index entries
and the event outbox, over any DB-API 2 connection. This module hands it the
connection Django already manages, so booking_core's data lives in the
project's own database, next to the host's tables:

* :class:`DjangoDialect` is how Django's cursors speak SQL: ``%s`` placeholders
  on every backend (Django translates them for SQLite), Django's own
  ``IntegrityError`` for a taken id, instants adapted the way the ORM stores a
  ``DateTimeField``. :class:`DjangoPostgresDialect` adds ``jsonb`` bodies and
  ``FOR UPDATE SKIP LOCKED`` for the outbox relay.
* :class:`DjangoDatabase` borrows ``django.db.connections[using]`` (one per
  thread, opened and closed by Django) and runs every kernel transaction in
  ``transaction.atomic(using=...)``. Inside a host's own ``atomic()`` block (or
  with ``ATOMIC_REQUESTS``) the commit becomes a savepoint of it, and the events
  wait for the outer commit (``transaction.on_commit``).
* :class:`DjangoUnitOfWork` is the kernel's
  :class:`~booking_core.adapters.sql.SqlUnitOfWork` unchanged: every
  repository of ``booking_core.ports.UnitOfWork``
  (``uow.sessions`` … ``uow.ledger(currency)``), the compare-and-set commit and
  the outbox are the library's; nothing here re-implements them.

The tables (``aggregates``, ``index_entries``, ``outbox``) are declared in
:mod:`booking_store.models` and created by Django's migrations, not by the
kernel: the dialect's own migration list is empty. The library's instants are
aware, so the project needs ``USE_TZ = True`` (Django's default).

Example::

    from booking_core import SystemClock, bootstrap
    from booking_store.storage import DjangoDatabase, DjangoUnitOfWork

    database = DjangoDatabase()            # the "default" alias
    core = bootstrap(uow_factory=lambda: DjangoUnitOfWork(database, publisher),
                     clock=SystemClock())
    database.relay(publisher)              # e.g. from ``manage.py relay_events``
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, ClassVar

from booking_core.adapters.sql import Cursor, Dialect, SqlDatabase, SqlUnitOfWork
from booking_core.errors import ConcurrencyError
from booking_core.events import DomainEvent
from booking_core.ports import EventPublisher
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = [
    "DjangoDatabase",
    "DjangoDialect",
    "DjangoPostgresDialect",
    "DjangoUnitOfWork",
    "OnCommitPublisher",
]

CONFLICT_SQLSTATES = frozenset({"40001", "40P01"})
"""SQLSTATEs of a transaction aborted for a concurrent one (serialization
failure, deadlock): the services retry them from a fresh load."""


class DjangoDialect(Dialect):
    """SQL through a Django cursor, on any backend Django supports.

    Django's cursors take ``%s`` placeholders on every backend and raise
    Django's own exception classes, whatever the driver.

    Args:
        using: The database alias (``settings.DATABASES`` key).
    """

    name = "Django"
    placeholder = "%s"
    integrity_errors: ClassVar[tuple[type[BaseException], ...]] = (IntegrityError,)
    migrations: ClassVar[tuple[str, ...]] = ()  # Django's migrations own the schema

    def __init__(self, using: str = "default") -> None:
        self.using = using

    @staticmethod
    def for_alias(using: str = "default") -> DjangoDialect:
        """The dialect for the backend of the database alias ``using``."""
        if connections[using].vendor == "postgresql":
            return DjangoPostgresDialect(using)
        return DjangoDialect(using)

    @property
    def connection(self) -> BaseDatabaseWrapper:
        """This thread's Django connection to the alias."""
        return connections[self.using]

    def instant(self, at: datetime) -> Any:
        """An instant as the ORM stores a ``DateTimeField`` on this backend."""
        return self.connection.ops.adapt_datetimefield_value(at)

    def schema_version(self, cursor: Cursor) -> int:
        """Always 0: ``manage.py migrate`` applies the schema, not the kernel."""
        return 0

    def set_schema_version(self, cursor: Cursor, number: int) -> None:
        """Nothing to record: Django's migration table does it."""

    def insert_returning_seq(self, cursor: Cursor, statement: str, row: Any) -> int:
        """Insert an outbox row; ``RETURNING seq`` where the backend has it."""
        if self.connection.features.can_return_columns_from_insert:
            return super().insert_returning_seq(cursor, statement, row)
        cursor.execute(self.sql(statement), row)  # MySQL: no RETURNING
        return int(cursor.lastrowid)  # type: ignore[attr-defined]

    def is_conflict(self, error: DatabaseError) -> bool:
        """Whether the database aborted the transaction for a concurrent one."""
        cause = error.__cause__
        state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        return state in CONFLICT_SQLSTATES


class DjangoPostgresDialect(DjangoDialect):
    """PostgreSQL through Django: ``jsonb`` bodies, ``SKIP LOCKED`` relays."""

    name = "PostgreSQL (Django)"
    body_param = "?::jsonb"
    body_column = "body::text"
    skip_locked = True


class DjangoDatabase(SqlDatabase):
    """The kernel's database on a Django connection alias.

    Reads borrow this thread's connection outside any transaction (or inside
    the host's, if one is open); each commit and each relay batch runs in one
    ``transaction.atomic()``. On SQLite, set ``"transaction_mode": "IMMEDIATE"``
    in the database ``OPTIONS`` so that writers queue instead of failing with
    "database is locked" (and relays never claim one event twice).

    Args:
        using: The database alias.
    """

    def __init__(self, using: str = "default") -> None:
        self.dialect: DjangoDialect
        super().__init__(DjangoDialect.for_alias(using))
        self.using = using

    @contextmanager
    def connect(self) -> Iterator[BaseDatabaseWrapper]:
        """This thread's connection; Django opens and closes it."""
        yield connections[self.using]

    def close(self) -> None:
        """Close this thread's connection (Django reopens it when needed)."""
        connections[self.using].close()

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """A cursor in ``transaction.atomic()``: committed on exit, else rolled back.

        Nested in a host's ``atomic()`` block it is a savepoint, committed with
        the host's transaction.

        Raises:
            ConcurrencyError: ``concurrency`` when the database aborted it for a
                concurrent transaction (serialization failure, deadlock).
        """
        try:
            with (
                transaction.atomic(using=self.using),
                connections[self.using].cursor() as cursor,
            ):
                yield cursor
        except DatabaseError as error:
            if self.dialect.is_conflict(error):
                raise ConcurrencyError(reason=type(error.__cause__).__name__) from error
            raise

    def mark_published(self, seqs: Sequence[int]) -> None:
        """Mark outbox rows published once the transaction that wrote them commits."""
        transaction.on_commit(
            lambda: SqlDatabase.mark_published(self, seqs), using=self.using
        )


class OnCommitPublisher:
    """An :class:`~booking_core.ports.EventPublisher` that waits for the commit.

    Events handed to it inside a Django transaction go to ``publisher`` when
    that transaction commits (the host's outermost ``atomic()``), and never if
    it rolls back; outside one they go at once.

    Args:
        publisher: Receives the events after commit.
        using: The database alias whose commit they wait for.
    """

    def __init__(self, publisher: EventPublisher, using: str = "default") -> None:
        self.publisher = publisher
        self.using = using

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Hand ``events`` to the publisher when the transaction commits."""
        batch = list(events)
        transaction.on_commit(lambda: self.publisher.publish(batch), using=self.using)


class DjangoUnitOfWork(SqlUnitOfWork):
    """A unit of work on the Django database: the kernel's, events on commit.

    Every named repository of :class:`booking_core.ports.UnitOfWork` is the
    kernel's. Reads see committed rows and this unit's staged writes; commit
    runs one ``atomic()`` block of compare-and-set writes, index entries and
    outbox rows; the events reach ``publisher`` after the commit (the outermost
    one) and their outbox rows are then marked published. Without a publisher
    they wait in the outbox for :meth:`DjangoDatabase.relay`.

    Args:
        database: The database to read from and commit to.
        publisher: Receives the committed events.
    """

    def __init__(
        self, database: DjangoDatabase, publisher: EventPublisher | None = None
    ) -> None:
        super().__init__(
            database,
            None if publisher is None else OnCommitPublisher(publisher, database.using),
        )
        self.database: DjangoDatabase = database

    def __enter__(self) -> DjangoUnitOfWork:
        super().__enter__()
        return self
