"""Where the API keeps its data: a SQLite file, or PostgreSQL when a DSN is set.

Both are the library's shipped adapters on its public SQL kernel
(:mod:`booking_core.adapters.sql`); nothing here writes SQL or a repository.

* ``BOOKING_API_DSN`` set (``postgresql://app@db/app``): PostgreSQL
  (``pip install "booking-core-domain[postgres]"``), in the schema
  ``BOOKING_API_SCHEMA`` (default ``booking_core``), migrated on open. Every
  app process on every machine points at the same database.
* Otherwise the SQLite file ``BOOKING_API_DB`` (default ``booking_api.sqlite3``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import final

from booking_core.adapters.sql import SqlDatabase, SqlUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.ports import EventPublisher

__all__ = ["DSN_VARIABLE", "FILE_VARIABLE", "SCHEMA_VARIABLE", "Store", "open_store"]

DSN_VARIABLE = "BOOKING_API_DSN"
"""The environment variable naming a PostgreSQL database (libpq DSN or URL)."""

FILE_VARIABLE = "BOOKING_API_DB"
"""The environment variable naming the SQLite file (without a DSN)."""

SCHEMA_VARIABLE = "BOOKING_API_SCHEMA"
"""The environment variable naming the PostgreSQL schema (``booking_core``)."""


@final
class Store:
    """An open database and how to begin a unit of work on it.

    Args:
        database: The shipped adapter's database.
        unit_of_work: Begins a unit of work on it, handing events to a publisher.
        name: ``"SQLite"`` or ``"PostgreSQL"``, for messages.
    """

    def __init__(
        self,
        database: SqlDatabase,
        unit_of_work: Callable[[EventPublisher | None], SqlUnitOfWork],
        name: str,
    ) -> None:
        self.database = database
        self.name = name
        self._unit_of_work = unit_of_work

    def uow_factory(
        self, publisher: EventPublisher | None = None
    ) -> Callable[[], SqlUnitOfWork]:
        """A zero-argument unit-of-work factory for ``booking_core.bootstrap``."""
        return lambda: self._unit_of_work(publisher)

    def close(self) -> None:
        """Release the database's connections."""
        self.database.close()


def sqlite_store(path: str | Path) -> Store:
    """The SQLite file at ``path`` (created and migrated on open)."""
    database = SqliteDatabase(path)
    return Store(
        database, lambda publisher: SqliteUnitOfWork(database, publisher), "SQLite"
    )


def postgres_store(dsn: str, *, schema: str = "booking_core") -> Store:
    """The PostgreSQL database at ``dsn``, in ``schema`` (migrated on open)."""
    from booking_core.adapters.postgres import PostgresDatabase, PostgresUnitOfWork

    database = PostgresDatabase(dsn, schema=schema)
    return Store(
        database,
        lambda publisher: PostgresUnitOfWork(database, publisher),
        "PostgreSQL",
    )


def open_store(environ: Mapping[str, str] = os.environ) -> Store:
    """PostgreSQL when ``BOOKING_API_DSN`` is set, else the SQLite file."""
    dsn = environ.get(DSN_VARIABLE)
    if dsn:
        return postgres_store(dsn, schema=environ.get(SCHEMA_VARIABLE, "booking_core"))
    return sqlite_store(environ.get(FILE_VARIABLE, "booking_api.sqlite3"))
