"""Sessions stored before the start-hour index get it from the schema migration.

The reminders step finds sessions by ``("start_hour", ...)`` entries. A store
written before they existed has none: migration step 2 (SQLite and
PostgreSQL) adds them for its scheduled sessions, from the stored bodies, with
the value the indexer computes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from booking_core.adapters._repositories import start_hour
from booking_core.adapters.sql import SqlDatabase, SqlUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase
from booking_core.intervals import TimeWindow
from booking_core.sessions import SessionStatus
from booking_core.testing._aggregate_contract import group_session
from booking_core.zones import to_instant


def _store_as_before(database: SqlDatabase) -> TimeWindow:
    """Two scheduled sessions and a cancelled one, then forget their entries."""
    london = to_instant(datetime(2026, 3, 29, 2, 30), "Europe/London")  # BST
    with SqlUnitOfWork(database) as uow:
        first = group_session("s-1")
        uow.sessions.add(
            attrs.evolve(first, window=TimeWindow.of(london, timedelta(hours=1)))
        )
        uow.sessions.add(
            attrs.evolve(
                first,
                id="s-2",
                window=TimeWindow.of(
                    london + timedelta(minutes=20), timedelta(hours=1)
                ),
            )
        )
        uow.sessions.add(
            attrs.evolve(
                first,
                id="s-3",
                status=SessionStatus.CANCELLED,
                window=TimeWindow.of(london, timedelta(hours=1)),
            )
        )
        uow.commit()
    with database.transaction() as cursor:
        cursor.execute(
            database.dialect.sql("DELETE FROM index_entries WHERE name = ?"),
            ("start_hour",),
        )
        database.dialect.set_schema_version(cursor, 1)
    return TimeWindow.of(london - timedelta(minutes=30), timedelta(hours=2))


def _found(database: SqlDatabase, window: TimeWindow) -> list[str]:
    with SqlUnitOfWork(database) as uow:
        return [s.id for s in uow.sessions.scheduled_starting(window)]


def _entries(database: SqlDatabase) -> list[Any]:
    return sorted(
        tuple(row)
        for row in database.query(
            "SELECT id, value FROM index_entries WHERE name = ?", ("start_hour",)
        )
    )


def test_sqlite_files_get_the_entries(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    database = SqliteDatabase(path)
    window = _store_as_before(database)
    assert _found(database, window) == []
    database.close()
    reopened = SqliteDatabase(path)  # migrates on open
    try:
        assert _found(reopened, window) == ["s-1", "s-2"]
        hour = start_hour(window.start + timedelta(minutes=30))
        assert _entries(reopened) == [("s-1", hour), ("s-2", hour)]
        assert reopened.migrate() == 0
    finally:
        reopened.close()


def test_postgres_schemas_get_the_entries(postgres_database: Any) -> None:
    from booking_core.adapters.postgres import MIGRATIONS

    window = _store_as_before(postgres_database)
    assert _found(postgres_database, window) == []
    assert postgres_database.migrate() == len(MIGRATIONS) - 1  # steps 2 and on
    assert _found(postgres_database, window) == ["s-1", "s-2"]
    hour = start_hour(window.start + timedelta(minutes=30))
    assert _entries(postgres_database) == [("s-1", hour), ("s-2", hour)]
