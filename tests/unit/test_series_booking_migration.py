"""Series stored before the per-booking index get it from migration step 3.

``BookingSeriesRepository.of_booking`` finds a series by ``("booking", id)``
entries, one per item. A store written before they existed has none: step 3
(SQLite and PostgreSQL) adds them from the stored bodies, so a 1:1 cancel of
an old series' occurrence still cancels it in its series.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from booking_core.actors import Actor
from booking_core.adapters.sql import SqlDatabase, SqlUnitOfWork
from booking_core.adapters.sqlite import MIGRATIONS, SqliteDatabase
from booking_core.recurrence import RecurrenceRule
from booking_core.series import BookingSeries, cancel_occurrences, create_series

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _series(series_id: str) -> BookingSeries:
    return create_series(
        id=series_id,
        teacher_id="t-1",
        student_id="s-1",
        rule=RecurrenceRule.parse("FREQ=WEEKLY;BYDAY=MO"),
        start=datetime(2026, 3, 2, 18),  # a wall time in the zone
        zone="Europe/London",
        duration=timedelta(hours=1),
        until=datetime(2026, 4, 1, tzinfo=timezone.utc),
        existing=[],
        actor=Actor.system(),
        now=NOW,
    ).state


def _store_as_before(database: SqlDatabase) -> list[BookingSeries]:
    """Two series (one with a cancelled item) at version 2, without the entries."""
    first = _series("series-a")
    second = cancel_occurrences(
        _series("series-b"),
        occurrence_index=0,
        scope="one",
        reason="ill",
        actor=Actor.system(),
        now=NOW,
    ).state
    with SqlUnitOfWork(database) as uow:
        uow.series.add(first)
        uow.series.add(second)
        uow.commit()
    with database.transaction() as cursor:
        cursor.execute(
            database.dialect.sql("DELETE FROM index_entries WHERE name = ?"),
            ("booking",),
        )
        database.dialect.set_schema_version(cursor, 2)
    return [first, second]


def _holders(database: SqlDatabase, stored: list[BookingSeries]) -> list[str | None]:
    with SqlUnitOfWork(database) as uow:
        found = [
            uow.series.of_booking(item.booking_id)
            for series in stored
            for item in series.items
        ]
        assert uow.series.of_booking("not-in-a-series") is None
    return [None if series is None else series.id for series in found]


def _expected(stored: list[BookingSeries]) -> list[str | None]:
    return [series.id for series in stored for _ in series.items]


def test_sqlite_files_get_the_entries(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    database = SqliteDatabase(path)
    stored = _store_as_before(database)
    assert set(_holders(database, stored)) == {None}
    database.close()
    reopened = SqliteDatabase(path)  # migrates on open
    try:
        assert reopened.schema_version() == len(MIGRATIONS)
        assert _holders(reopened, stored) == _expected(stored)
        assert reopened.migrate() == 0
    finally:
        reopened.close()


def test_postgres_schemas_get_the_entries(postgres_database: Any) -> None:
    from booking_core.adapters.postgres import MIGRATIONS as POSTGRES_STEPS

    stored = _store_as_before(postgres_database)
    assert set(_holders(postgres_database, stored)) == {None}
    assert postgres_database.migrate() == len(POSTGRES_STEPS) - 2
    assert postgres_database.schema_version() == len(POSTGRES_STEPS)
    assert _holders(postgres_database, stored) == _expected(stored)
