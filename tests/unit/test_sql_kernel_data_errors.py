"""A value the database cannot hold is a coded refusal that stores nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from booking_core.adapters.sqlite import SqliteDatabase, SqliteDialect
from booking_core.errors import InvalidValueError


class _StrictDialect(SqliteDialect):
    data_errors = (sqlite3.DataError,)


def test_a_data_error_of_the_dialect_is_input_invalid_value(tmp_path: Path) -> None:
    database = SqliteDatabase(tmp_path / "kernel.sqlite3")
    database.dialect = _StrictDialect()
    try:
        with (  # noqa: PT012 - the insert, then the refusal
            pytest.raises(InvalidValueError) as refused,
            database.transaction() as cursor,
        ):
            cursor.execute(
                "INSERT INTO aggregates (collection, id, version, body)"
                " VALUES ('notes', 'n-1', 1, '{}')"
            )
            raise sqlite3.DataError("cannot hold this\nsecond line")
        assert refused.value.code == "input.invalid_value"
        assert refused.value.details["value"] == "cannot hold this"
        assert "SQLite cannot store it" in refused.value.message
        assert database.query("SELECT id FROM aggregates") == []
    finally:
        database.close()
