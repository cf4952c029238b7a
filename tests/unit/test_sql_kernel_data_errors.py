"""A value the database cannot hold is a coded refusal that stores nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from booking_core.adapters.sql import Dialect
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


def test_the_default_outbox_insert_reads_the_seq_back_with_returning() -> None:
    """A dialect that keeps the default gets ``seq`` from ``RETURNING``."""
    connection = sqlite3.connect(":memory:")
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE outbox (seq INTEGER PRIMARY KEY, name TEXT)")
    dialect = SqliteDialect()
    insert = "INSERT INTO outbox (name) VALUES (?)"
    seqs = [Dialect.insert_returning_seq(dialect, cursor, insert, (n,)) for n in "ab"]
    assert seqs == [1, 2]
    connection.close()
