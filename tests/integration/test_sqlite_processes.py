"""Real processes on one SQLite file: the booking race and a crash mid-commit.

Children are spawned (not forked) and run ``sqlite_process_workers.py``; they
share nothing with this process but the database file, in WAL mode.
"""

from __future__ import annotations

import collections
import multiprocessing
import runpy
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path
from typing import Any

import pytest

from booking_core import sessions
from booking_core.actors import Actor
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.bookings.model import BookingStatus, BookingWaitlisted
from booking_core.intervals import TimeWindow

WORKERS = Path(__file__).with_name("sqlite_process_workers.py")
SPAWN: SpawnContext = multiprocessing.get_context("spawn")
NOW = runpy.run_path(str(WORKERS))["NOW"]
TEACHER = Actor.teacher("teacher-1")


def _child(task: str, **args: Any) -> SpawnProcess:
    process = SPAWN.Process(
        target=runpy.run_path,
        args=(str(WORKERS),),
        kwargs={
            "init_globals": {"TASK": task, "ARGS": args},
            "run_name": "__sqlite_worker__",
        },
    )
    process.start()
    return process


def _schedule(database: SqliteDatabase, session_id: str, capacity: int) -> None:
    decision = sessions.schedule(
        session_id=session_id,
        kind="group",
        teacher_id=TEACHER.user_id,
        course_id="course-1",
        window=TimeWindow.of(NOW + timedelta(days=7), timedelta(hours=1)),
        zone="Europe/London",
        capacity=capacity,
        waitlist_enabled=True,
        actor=TEACHER,
        now=NOW,
    )
    with SqliteUnitOfWork(database) as uow:
        uow.sessions.add(decision.state)
        uow.collect(decision.events)
        uow.commit()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "race.sqlite3")
    yield database
    database.close()


def _outbox(path: str) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT name, aggregate_id FROM outbox ORDER BY seq"
        ).fetchall()
    connection.close()
    return [(str(name), str(aggregate_id)) for name, aggregate_id in rows]


def test_eight_processes_book_a_hundred_students_into_ten_seats(
    database: SqliteDatabase,
) -> None:
    students = [f"student-{n:03}" for n in range(100)]
    _schedule(database, "s-race", capacity=10)
    processes = 8
    # Every student is asked for by two processes with the same idempotency key:
    # one booking each all the same.
    shares: list[list[str]] = [[] for _ in range(processes)]
    for n, student in enumerate(students):
        shares[n % processes].append(student)
        shares[(n + 3) % processes].append(student)
    start, out = SPAWN.Barrier(processes), SPAWN.Queue()
    children = [
        _child(
            "race",
            path=database.path,
            session_id="s-race",
            students=share,
            seed=n,
            start=start,
            out=out,
        )
        for n, share in enumerate(shares)
    ]
    reports = [out.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0

    with sqlite3.connect(database.path) as connection:
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
    connection.close()
    assert mode == "wal"

    with SqliteUnitOfWork(database) as uow:
        stored = uow.bookings.of_session("s-race")
        session = uow.sessions.get("s-race")
        records = [uow.records.get(f"book-{s}") for s in students]
    # Exactly ten confirmed, ninety waitlisted, one booking per student.
    statuses = collections.Counter(b.status for b in stored)
    assert statuses == {BookingStatus.CONFIRMED: 10, BookingStatus.WAITLISTED: 90}
    assert sorted(b.student_id for b in stored) == students
    assert session.capacity == 10
    # No lost booking: every answer any process got is the stored booking.
    by_id = {b.id: b for b in stored}
    answers = [answer for report in reports for answer in report]
    assert len(answers) == 200
    for student, booking_id, status in answers:
        assert by_id[booking_id].student_id == student
        assert by_id[booking_id].status.value == status
    assert {booking_id for _, booking_id, _ in answers} == set(by_id)
    assert all(r is not None and r.result.id in by_id for r in records)

    # The outbox: exactly one event per state change. The session changed once
    # when scheduled and once per booking (its version counts the changes);
    # each booking once, when made.
    outbox = _outbox(database.path)
    assert len(outbox) == session.version == 101
    per_aggregate = collections.Counter(aggregate for _, aggregate in outbox)
    assert per_aggregate["s-race"] == 1
    assert all(per_aggregate[b.id] == 1 for b in stored)
    expected = {
        BookingStatus.CONFIRMED: "booking.seats_booked",
        BookingStatus.WAITLISTED: "booking.waitlisted",
    }
    names = {aggregate: name for name, aggregate in outbox}
    assert all(names[b.id] == expected[b.status] for b in stored)
    waitlisted = [e for e in database.events() if isinstance(e, BookingWaitlisted)]
    assert sorted(e.position for e in waitlisted) == list(range(1, 91))


def _snapshot(path: str) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as connection:
        snapshot = {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608
            for table in ("aggregates", "index_entries", "outbox")
        }
    connection.close()
    return snapshot


@pytest.mark.parametrize(
    "statement",
    ["INSERT INTO outbox", "COMMIT"],
    ids=["mid-transaction", "before-commit"],
)
def test_a_process_killed_before_commit_leaves_no_trace(
    database: SqliteDatabase, statement: str
) -> None:
    _schedule(database, "s-1", capacity=2)
    before = _snapshot(database.path)
    child = _child(
        "crash",
        path=database.path,
        session_id="s-1",
        student="ann",
        statement=statement,
    )
    child.join(timeout=30)
    assert child.exitcode == -9  # SIGKILL, inside the transaction
    assert _snapshot(database.path) == before  # as if the command never ran

    # The next process relays only the schedule's event and books normally.
    out = SPAWN.Queue()
    child = _child(
        "book_and_relay", path=database.path, session_id="s-1", student="ann", out=out
    )
    relayed, published, booking_id = out.get(timeout=30)
    child.join(timeout=30)
    assert child.exitcode == 0
    assert (relayed, published) == (1, ["session.scheduled", "booking.seats_booked"])
    with SqliteUnitOfWork(database) as uow:
        assert uow.bookings.get(booking_id).version == 1
        assert uow.sessions.get("s-1").version == 2


def test_a_process_killed_after_commit_has_its_events_relayed(
    database: SqliteDatabase,
) -> None:
    _schedule(database, "s-1", capacity=2)
    child = _child(
        "crash",
        path=database.path,
        session_id="s-1",
        student="ann",
        statement="UPDATE outbox SET published",
    )
    child.join(timeout=30)
    assert child.exitcode == -9  # committed, killed before marking published
    with SqliteUnitOfWork(database) as uow:
        (booking,) = uow.bookings.of_session("s-1")
    assert booking.student_id == "ann"

    out = SPAWN.Queue()
    child = _child(
        "book_and_relay", path=database.path, session_id="s-1", student="bob", out=out
    )
    relayed, published, _ = out.get(timeout=30)
    child.join(timeout=30)
    assert child.exitcode == 0
    # The schedule's event and ann's (both unpublished: no publisher), then bob's.
    assert (relayed, published) == (
        2,
        ["session.scheduled", "booking.seats_booked", "booking.seats_booked"],
    )
