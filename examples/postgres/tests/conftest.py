"""PostgreSQL fixtures: a fresh schema per test in the database named by the DSN.

``BOOKING_CORE_PG_DSN`` (a libpq connection string) names the database; ``nox -s
postgres`` sets it, starting a throwaway cluster when none is given. Without it
every test here is skipped with that message.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the adapter module

import psycopg
import pytest
from booking_core_postgres import PostgresDatabase
from psycopg import sql

from booking_core.adapters.memory import InMemoryEventPublisher

DSN_VARIABLE = "BOOKING_CORE_PG_DSN"


@pytest.fixture(scope="session")
def dsn() -> str:
    found = os.environ.get(DSN_VARIABLE)
    if not found:
        pytest.skip(f"{DSN_VARIABLE} is not set: run `nox -s postgres`")
    return found


@pytest.fixture
def schema(dsn: str) -> Iterator[str]:
    """A schema name no other test uses; dropped with everything in it afterwards."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    yield name
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
        )


@pytest.fixture
def database(dsn: str, schema: str) -> Iterator[PostgresDatabase]:
    """A fresh, empty store."""
    opened = PostgresDatabase(dsn, schema=schema)
    yield opened
    opened.close()


@pytest.fixture
def publisher() -> InMemoryEventPublisher:
    return InMemoryEventPublisher()
