"""The PostgreSQL adapter in process: schema, jsonb, pool, relay, CLI, demo."""

from __future__ import annotations

import sqlite3
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.adapters import codec
from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.adapters.postgres import (
    MIGRATIONS,
    PostgresDatabase,
    PostgresUnitOfWork,
    upgrade,
)
from booking_core.adapters.sqlite import SqliteDatabase, SqliteDialect, SqliteUnitOfWork
from booking_core.cli import main
from booking_core.clock import ManualClock
from booking_core.errors import (
    ConcurrencyError,
    DuplicateIdError,
    SchemaOutdatedError,
    StaleVersionError,
)
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.services.booking import BookingService
from booking_core.sessions import Session, schedule

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)


@attrs.frozen(kw_only=True)
class Note:
    id: str
    text: str
    version: int = 0


codec.register_type("tests.note", Note)


def _group_session(session_id: str) -> Session:
    """A scheduled group session of teacher t-1 for 5 seats, three days ahead."""
    return schedule(
        session_id=session_id,
        kind="group",
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(T0 + timedelta(days=3), timedelta(hours=1)),
        zone="Europe/London",
        capacity=5,
        waitlist_enabled=True,
        actor=Actor.teacher("t-1"),
        now=T0,
    ).state


def _event(n: int) -> DomainEvent:
    return DomainEvent(occurred_at=T0, actor=Actor.system(), aggregate_id=f"a-{n}")


def test_a_new_schema_is_migrated_on_open_and_bodies_are_jsonb(
    postgres_database: PostgresDatabase,
) -> None:
    assert postgres_database.schema_version() == len(MIGRATIONS)
    assert postgres_database.migrate() == 0
    with PostgresUnitOfWork(postgres_database) as uow:
        uow.repository("notes", Note).add(Note(id="n1", text="hello"))
        uow.commit()
    (row,) = postgres_database.query(
        "SELECT jsonb_typeof(body), version FROM aggregates WHERE id = ?", ("n1",)
    )
    assert row == ("object", 1)
    with PostgresUnitOfWork(postgres_database) as uow:
        uow.writes[("notes", "n1")] = (None, Note(id="n1", text="again"))
        with pytest.raises(DuplicateIdError):
            uow.commit()


def _schemas(dsn: str, schema: str) -> int:
    import psycopg

    with psycopg.connect(dsn) as connection:
        query = "SELECT count(*) FROM pg_namespace WHERE nspname = %s"
        row = connection.execute(query, (schema,)).fetchone()
        assert row is not None
        return int(row[0])


def test_upgrade_applies_what_is_missing_once(
    postgres_dsn: str, postgres_schema: str
) -> None:
    with pytest.raises(SchemaOutdatedError) as refused:
        PostgresDatabase(postgres_dsn, schema=postgres_schema, migrate=False)
    assert refused.value.code == "setup.schema_outdated"
    assert refused.value.details["found"] == 0
    assert f"'{postgres_schema}' has 0 of the {len(MIGRATIONS)}" in str(refused.value)
    assert _schemas(postgres_dsn, postgres_schema) == 0  # created nothing
    assert upgrade(postgres_dsn, schema=postgres_schema) == (
        len(MIGRATIONS),
        len(MIGRATIONS),
    )
    assert upgrade(postgres_dsn, schema=postgres_schema) == (0, len(MIGRATIONS))
    opened = PostgresDatabase(postgres_dsn, schema=postgres_schema, migrate=False)
    assert (opened.migrated, opened.schema_version()) == (0, len(MIGRATIONS))
    opened.close()


def test_opening_without_migrating_refuses_a_schema_lacking_steps(
    postgres_database: PostgresDatabase,
) -> None:
    schema = postgres_database.schema
    with postgres_database.transaction() as cursor:
        postgres_database.dialect.set_schema_version(cursor, len(MIGRATIONS) - 1)
    with pytest.raises(SchemaOutdatedError, match="booking-core db upgrade"):
        PostgresDatabase(postgres_database.conninfo, schema=schema, migrate=False)
    assert postgres_database.schema_version() == len(MIGRATIONS) - 1  # unchanged
    # A newer version's extra steps pass: steps only add (rolling deploys).
    with postgres_database.transaction() as cursor:
        postgres_database.dialect.set_schema_version(cursor, len(MIGRATIONS) + 1)
    PostgresDatabase(postgres_database.conninfo, schema=schema, migrate=False).close()


def test_the_db_upgrade_command(
    postgres_dsn: str, postgres_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["db", "upgrade", "--dsn", postgres_dsn, "--schema", postgres_schema]
    assert main(argv) == 0
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    steps = len(MIGRATIONS)
    assert out == [
        f"schema {postgres_schema}: applied {steps} migration step(s), now at version"
        f" {steps}",
        f"schema {postgres_schema}: applied 0 migration step(s), now at version"
        f" {steps}",
    ]


def test_without_the_extra_the_commands_say_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "booking_core.adapters.postgres", None)
    assert main(["db", "upgrade", "--dsn", "dbname=x"]) == 2
    assert "booking-core-domain[postgres]" in capsys.readouterr().err
    assert main(["demo", "--dsn", "dbname=x"]) == 1
    err = capsys.readouterr().err
    assert "input.invalid_value" in err
    assert "booking-core-domain[postgres]" in err


def test_the_demo_tells_the_same_story_on_postgresql(
    postgres_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    on_sqlite = capsys.readouterr().out.splitlines()
    assert main(["demo", "--dsn", postgres_dsn]) == 0
    on_postgres = capsys.readouterr().out.splitlines()
    differ = [(a, b) for a, b in zip(on_sqlite, on_postgres, strict=True) if a != b]
    assert [b for _, b in differ] == [
        "booking_core demo: a week of a teacher in Asia/Kolkata, on PostgreSQL",
        "Fri 05 Jun 18:00 IST  system   the PostgreSQL database holds the story",
    ]


def test_relay_delivers_every_batch_then_nothing(
    postgres_database: PostgresDatabase,
) -> None:
    with PostgresUnitOfWork(postgres_database) as uow:
        uow.collect([_event(n) for n in range(5)])
        uow.commit()
    publisher = InMemoryEventPublisher()
    assert postgres_database.relay(publisher, batch=2) == 5
    assert [e.aggregate_id for e in publisher.published] == [f"a-{n}" for n in range(5)]
    assert postgres_database.relay(publisher) == 0
    assert postgres_database.events() == publisher.published


def test_threads_sharing_one_pool_lose_no_booking(
    postgres_database: PostgresDatabase,
) -> None:
    with PostgresUnitOfWork(postgres_database) as uow:
        uow.sessions.add(_group_session("s-1"))
        uow.commit()
    service = BookingService(
        uow_factory=lambda: PostgresUnitOfWork(postgres_database),
        clock=ManualClock(T0),
        policies=Policies(transaction_attempts=1_000),
    )
    start = threading.Barrier(6)

    def book(n: int) -> None:
        start.wait()
        for k in range(4):
            student = f"st-{n}-{k}"
            service.book("s-1", student, actor=Actor.student(student))

    threads = [threading.Thread(target=book, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with PostgresUnitOfWork(postgres_database) as uow:
        stored = uow.bookings.of_session("s-1")
        session = uow.sessions.get("s-1")
    assert len(stored) == 24
    assert sum(b.status.value == "confirmed" for b in stored) == 5
    assert session.version == 25


def test_a_dialect_conflict_error_is_a_retryable_concurrency_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = SqliteDatabase(tmp_path / "conflict.sqlite3")
    monkeypatch.setattr(SqliteDialect, "integrity_errors", ())
    monkeypatch.setattr(SqliteDialect, "conflict_errors", (sqlite3.IntegrityError,))
    first, second = SqliteUnitOfWork(database), SqliteUnitOfWork(database)
    with first, second:
        first.repository("notes", Note).add(Note(id="n1", text="x"))
        second.repository("notes", Note).add(Note(id="n1", text="y"))
        first.commit()
        with pytest.raises(ConcurrencyError) as raised:
            second.commit()
    assert raised.value.code == "concurrency"
    database.close()


def test_one_round_trip_commit_refuses_stale_and_duplicate_and_stores_nothing(
    postgres_database: PostgresDatabase,
) -> None:
    with PostgresUnitOfWork(postgres_database) as uow:
        notes = uow.repository("notes", Note)
        notes.add(Note(id="rt-1", text="a"))
        notes.add(Note(id="rt-2", text="b"))
        uow.collect([_event(1), _event(2)])  # two outbox rows, two seqs back
        uow.commit()
    first = PostgresUnitOfWork(postgres_database)
    second = PostgresUnitOfWork(postgres_database)
    with first, second:
        mine, theirs = (uow.repository("notes", Note) for uow in (first, second))
        mine.save(attrs.evolve(mine.get("rt-1"), text="first"))
        mine.save(mine.get("rt-2"))
        theirs.save(attrs.evolve(theirs.get("rt-2"), text="second"))
        second.commit()
        with pytest.raises(StaleVersionError) as stale:
            first.commit()
    assert stale.value.details["id"] == "rt-2"
    assert stale.value.details["actual"] == 2
    with PostgresUnitOfWork(postgres_database) as uow:
        uow.repository("notes", Note).add(Note(id="rt-1", text="again"))
        uow.repository("notes", Note).add(Note(id="rt-3", text="new"))
        with pytest.raises(DuplicateIdError) as duplicate:
            uow.commit()
    assert duplicate.value.details["id"] == "rt-1"
    with PostgresUnitOfWork(postgres_database) as uow:
        notes = uow.repository("notes", Note)
        assert notes.get("rt-1").text == "a"
        assert [n.id for n in notes.list()] == ["rt-1", "rt-2"]


def test_commits_failing_around_the_prepare_threshold_leave_the_connection_usable(
    postgres_dsn: str, postgres_schema: str
) -> None:
    # One pooled connection, so every commit runs on the same one. Were the
    # writes prepared by psycopg (it prepares a statement on its
    # ``prepare_threshold``-th use), a commit aborting inside its pipeline would
    # skip preparations psycopg already counts as done (a stale update fails
    # first, a duplicate insert after the update). Every later commit must
    # still run, whatever the count of commits before the failure was.
    database = PostgresDatabase(postgres_dsn, schema=postgres_schema, max_size=1)
    other = PostgresDatabase(postgres_dsn, schema=postgres_schema, max_size=1)
    with PostgresUnitOfWork(database) as uow:
        uow.sessions.add(_group_session("s-prep"))
        uow.repository("notes", Note).add(Note(id="n-0", text="x"))
        uow.commit()
    written = 0

    def write() -> None:  # an update, its index entries, an insert, an outbox row
        nonlocal written
        written += 1
        with PostgresUnitOfWork(database) as uow:
            stored = uow.sessions.get("s-prep")
            uow.sessions.save(attrs.evolve(stored, capacity=stored.capacity + 1))
            uow.repository("notes", Note).add(Note(id=f"n-{written}", text="x"))
            uow.collect([_event(written)])
            uow.commit()

    with database.connect() as connection:
        threshold = connection.prepare_threshold
    assert threshold is not None
    failures = 0
    for before in range(2 * threshold + 2):
        for _ in range(before):
            write()
        with PostgresUnitOfWork(database) as uow:
            stale = uow.sessions.get("s-prep")
            with PostgresUnitOfWork(other) as theirs:
                fresh = theirs.sessions.get("s-prep")
                theirs.sessions.save(attrs.evolve(fresh, notes=(*fresh.notes,)))
                theirs.commit()
            uow.sessions.save(attrs.evolve(stale, capacity=stale.capacity + 1))
            uow.repository("notes", Note).add(Note(id=f"stale-{before}", text="x"))
            with pytest.raises(StaleVersionError):
                uow.commit()
        with PostgresUnitOfWork(database) as uow:
            stored = uow.sessions.get("s-prep")
            uow.sessions.save(attrs.evolve(stored, capacity=stored.capacity + 1))
            uow.repository("notes", Note).add(Note(id="n-0", text="again"))
            with pytest.raises(DuplicateIdError):
                uow.commit()
        failures += 2
        for _ in range(threshold + 1):
            write()
    with PostgresUnitOfWork(database) as uow:
        notes = uow.repository("notes", Note).list()
        final = uow.sessions.get("s-prep")
    assert len(notes) == written + 1
    assert final.capacity == 5 + written
    assert failures == 2 * (2 * threshold + 2)
    database.close()
    other.close()


def test_a_commit_aborted_by_the_server_is_a_concurrency_error(
    postgres_database: PostgresDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    from psycopg import errors as pg_errors

    from booking_core.adapters.postgres import PostgresDialect

    with PostgresUnitOfWork(postgres_database) as uow:
        uow.repository("notes", Note).add(Note(id="ab-1", text="a"))
        monkeypatch.setattr(PostgresDialect, "conflict_errors", (pg_errors.Error,))
        with monkeypatch.context() as patched:
            patched.setattr(PostgresDialect, "integrity_errors", ())
            uow.repository("notes", Note).add(Note(id="ab-2", text="b"))
            # a UniqueViolation the dialect does not name: a retryable conflict
            with PostgresUnitOfWork(postgres_database) as other:
                other.repository("notes", Note).add(Note(id="ab-1", text="x"))
                other.commit()
            with pytest.raises(ConcurrencyError):
                uow.commit()
    monkeypatch.setattr(PostgresDialect, "conflict_errors", ())
    monkeypatch.setattr(PostgresDialect, "integrity_errors", ())
    with PostgresUnitOfWork(postgres_database) as uow:
        uow.repository("notes", Note).add(Note(id="ab-1", text="y"))
        with pytest.raises(pg_errors.UniqueViolation):  # named by no tuple: as is
            uow.commit()


def test_a_duplicate_that_went_away_before_the_lookup_still_names_an_id(
    postgres_database: PostgresDatabase,
) -> None:
    from booking_core.adapters.sql import CommitWrites

    writes = CommitWrites()
    writes.inserts.append(("notes", "gone", 1, "{}"))
    with postgres_database.connect() as connection:
        error = writes.duplicate(postgres_database, connection.cursor())
    assert error.details["id"] == "gone"


def test_a_stale_row_changed_back_since_still_names_an_aggregate(
    postgres_database: PostgresDatabase,
) -> None:
    from booking_core.adapters.sql import CommitWrites

    with PostgresUnitOfWork(postgres_database) as uow:
        uow.repository("notes", Note).add(Note(id="back", text="a"))
        uow.commit()
    writes = CommitWrites(updates=[(2, "{}", "notes", "back", 1)])
    with postgres_database.connect() as connection:
        error = writes.stale(postgres_database, connection.cursor())
    assert error.details["id"] == "back"


def test_a_held_connection_marks_published_events_without_a_second_one(
    postgres_database: PostgresDatabase,
) -> None:
    publisher = InMemoryEventPublisher()
    with PostgresUnitOfWork(postgres_database, publisher) as uow:
        assert uow.repository("notes", Note).list() is not None  # holds one now
        uow.collect([_event(7)])
        uow.commit()
    assert [e.aggregate_id for e in publisher.published] == ["a-7"]
    assert postgres_database.relay(InMemoryEventPublisher()) == 0
