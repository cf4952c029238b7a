"""Shared test configuration: hypothesis profiles chosen by HYPOTHESIS_PROFILE.

The default profile is deterministic: the same examples on every run, with no
example database, so ``nox`` (the README's command) passes or fails the same way
on every clone. Exploration is opt-in: ``HYPOTHESIS_PROFILE=explore`` (or
``nox -s explore``) draws new examples each run and never gates coverage.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
    derandomize=True,
    database=None,
)
settings.register_profile(
    "explore",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# -- PostgreSQL -----------------------------------------------------------------
# ``nox`` starts a throwaway cluster and names it in BOOKING_CORE_PG_DSN; a bare
# ``pytest`` starts one itself (tools/pg_cluster.py). Each test gets a schema of
# its own, dropped afterwards, so an existing database is safe to point at.

import sys  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent.parent / "tools"))

import pg_cluster  # noqa: E402


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """The libpq connection string of the tests' PostgreSQL database."""
    dsn = os.environ.get(pg_cluster.DSN_VARIABLE)
    if dsn:
        yield dsn
        return
    binaries = (
        None
        if os.environ.get(pg_cluster.SKIPPED_VARIABLE)
        else pg_cluster.find_or_install_bindir()
    )
    if binaries is None:
        pytest.skip("no PostgreSQL server (initdb/pg_ctl) could be found or installed")
    with pg_cluster.throwaway_cluster(binaries, log=lambda _: None) as started:
        os.environ[pg_cluster.DSN_VARIABLE] = started
        yield started
        del os.environ[pg_cluster.DSN_VARIABLE]


def _drop_schema(dsn: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


@pytest.fixture
def postgres_schema(postgres_dsn: str) -> Iterator[str]:
    """A schema name of this test's own, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    yield schema
    _drop_schema(postgres_dsn, schema)


@pytest.fixture
def postgres_database(postgres_dsn: str, postgres_schema: str) -> Iterator[Any]:
    """A migrated :class:`PostgresDatabase` in the test's own schema."""
    from booking_core.adapters.postgres import PostgresDatabase

    database = PostgresDatabase(postgres_dsn, schema=postgres_schema, max_size=4)
    yield database
    database.close()


@pytest.fixture
def make_uow_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[[str, Any], Callable[[], Any]]:
    """``make(backend, publisher)``: a unit-of-work factory on a fresh store.

    ``backend`` is ``"memory"``, ``"sqlite"`` or ``"postgres"``.
    """

    def make(backend: str, publisher: Any) -> Callable[[], Any]:
        if backend == "memory":
            from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork

            store = InMemoryStore()
            return lambda: InMemoryUnitOfWork(store, publisher)
        if backend == "sqlite":
            from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork

            database = SqliteDatabase(tmp_path / f"{uuid.uuid4().hex}.sqlite3")
            request.addfinalizer(database.close)
            return lambda: SqliteUnitOfWork(database, publisher)
        from booking_core.adapters.postgres import PostgresUnitOfWork

        pg = request.getfixturevalue("postgres_database")
        return lambda: PostgresUnitOfWork(pg, publisher)

    return make


BACKENDS = ("memory", "sqlite", "postgres")
"""Every shipped storage adapter, for tests parametrized over them."""
