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
* :class:`DjangoDatabase` lends the kernel ``django.db.connections[using]``
  (one per thread, opened and closed by Django) as an :class:`AtomicConnection`:
  the kernel's ``BEGIN`` / ``COMMIT`` / ``ROLLBACK`` enter and leave
  ``transaction.atomic(using=...)``, so every kernel transaction is an atomic
  block. Inside a host's own ``atomic()`` block (or with ``ATOMIC_REQUESTS``)
  the commit becomes a savepoint of it, and the events wait for the outer
  commit (``transaction.on_commit``).
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
from contextlib import ExitStack, contextmanager
from datetime import datetime
from typing import Any, ClassVar

from booking_core.adapters.sql import Cursor, Dialect, SqlDatabase, SqlUnitOfWork
from booking_core.events import DomainEvent
from booking_core.ports import EventPublisher
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    OperationalError,
    connections,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = [
    "AtomicConnection",
    "AtomicCursor",
    "ConflictAbortError",
    "DjangoDatabase",
    "DjangoDialect",
    "DjangoPostgresDialect",
    "DjangoUnitOfWork",
    "OnCommitPublisher",
    "conflicts",
]

CONFLICT_SQLSTATES = frozenset({"40001", "40P01"})
"""SQLSTATEs of a transaction aborted for a concurrent one (serialization
failure, deadlock): the services retry them from a fresh load."""


class ConflictAbortError(OperationalError):
    """Raised when the database aborted a transaction for a concurrent one.

    The dialect names it in ``conflict_errors``, so the kernel answers it with
    :class:`~booking_core.errors.ConcurrencyError` (which the services retry).
    """


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
    conflict_errors: ClassVar[tuple[type[BaseException], ...]] = (ConflictAbortError,)
    data_errors: ClassVar[tuple[type[BaseException], ...]] = (DataError,)
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


class DjangoPostgresDialect(DjangoDialect):
    """PostgreSQL through Django: ``jsonb`` bodies, ``SKIP LOCKED`` relays."""

    name = "PostgreSQL (Django)"
    body_param = "?::jsonb"
    body_column = "body::text"
    skip_locked = True


class AtomicConnection:
    """Django's connection as the kernel sees it: transactions are ``atomic()``.

    The kernel opens, commits and rolls back its transactions with the
    statements ``BEGIN`` (the dialect's ``begin``), ``COMMIT`` and ``ROLLBACK``
    on a cursor. Here they enter and leave a
    ``transaction.atomic(using=...)`` block instead, so Django keeps track of
    the transaction: inside a host's own ``atomic()`` the kernel's transaction
    is a savepoint, and ``transaction.on_commit`` waits for the outermost
    commit. Every other statement runs on a Django cursor of this thread's
    connection.

    Args:
        using: The database alias.
        begin: The statement that opens a transaction.
    """

    def __init__(self, using: str, begin: str) -> None:
        self.using = using
        self.begin = begin
        self._blocks: list[ExitStack] = []

    def cursor(self) -> AtomicCursor:
        """A cursor on this thread's connection."""
        return AtomicCursor(self)

    def enter(self) -> None:
        """``BEGIN``: enter an ``atomic()`` block."""
        block = ExitStack()
        with conflicts():
            block.enter_context(transaction.atomic(using=self.using))
        self._blocks.append(block)

    def leave(self, *, commit: bool) -> None:
        """``COMMIT`` or ``ROLLBACK``: leave the innermost block (if still in it)."""
        if not self._blocks:
            return  # a failed COMMIT has already rolled back
        block = self._blocks.pop()
        if not commit:
            transaction.set_rollback(True, using=self.using)
        with conflicts():
            block.close()


class AtomicCursor:
    """A Django cursor whose ``BEGIN`` / ``COMMIT`` / ``ROLLBACK`` are ``atomic()``.

    Args:
        connection: The connection it belongs to.
    """

    def __init__(self, connection: AtomicConnection) -> None:
        self._connection = connection
        self._cursor = connections[connection.using].cursor()

    @property
    def rowcount(self) -> int:
        """Rows the last statement changed."""
        count: int = self._cursor.rowcount
        return count

    def execute(self, operation: Any, parameters: Any = None, /) -> Any:
        """Run one statement (the transaction statements through ``atomic()``)."""
        connection = self._connection
        if operation == connection.begin:
            return connection.enter()
        if operation in {"COMMIT", "ROLLBACK"}:
            return connection.leave(commit=operation == "COMMIT")
        with conflicts():
            return self._cursor.execute(operation, parameters)

    def executemany(self, operation: Any, seq_of_parameters: Any, /) -> Any:
        """Run one statement once per parameter tuple."""
        with conflicts():
            return self._cursor.executemany(operation, seq_of_parameters)

    def fetchone(self) -> Any:
        """The next row, or ``None``."""
        return self._cursor.fetchone()

    def fetchall(self) -> Sequence[Any]:
        """Every remaining row."""
        return list(self._cursor.fetchall())


@contextmanager
def conflicts() -> Iterator[None]:
    """Raise :class:`ConflictAbortError` for a transaction aborted by a concurrent one.

    Django wraps driver errors in its own classes (a serialization failure is an
    ``OperationalError``, like a lost connection); the SQLSTATE tells them apart.
    """
    try:
        yield
    except DatabaseError as error:
        cause = error.__cause__
        state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if state in CONFLICT_SQLSTATES and not isinstance(error, ConflictAbortError):
            raise ConflictAbortError(*error.args) from cause
        raise


class DjangoDatabase(SqlDatabase):
    """The kernel's database on a Django connection alias.

    Reads use this thread's connection outside any transaction (or inside the
    host's, if one is open); each commit and each relay batch is one
    ``transaction.atomic()`` block (:class:`AtomicConnection`). On SQLite, set
    ``"transaction_mode": "IMMEDIATE"`` in the database ``OPTIONS`` so that
    writers queue instead of failing with "database is locked" (and relays
    never claim one event twice).

    Args:
        using: The database alias.
    """

    def __init__(self, using: str = "default") -> None:
        super().__init__(DjangoDialect.for_alias(using))
        self.using = using

    @contextmanager
    def connect(self) -> Iterator[AtomicConnection]:
        """This thread's connection (Django opens and closes it), for the kernel."""
        yield AtomicConnection(self.using, self.dialect.begin)

    def close(self) -> None:
        """Close this thread's connection (Django reopens it when needed)."""
        connections[self.using].close()

    def mark_published(self, published: Sequence[Any]) -> None:
        """Mark outbox rows published once the transaction that wrote them commits."""
        transaction.on_commit(
            lambda: SqlDatabase.mark_published(self, published), using=self.using
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
