"""Bookings per second through the booking service: SQLite vs memory, 1 vs 4 processes.

Every booking goes through :class:`BookingService` (load the session, look up
the student's active booking, decide, save session and booking, commit; the
SQLite commit is one ``BEGIN IMMEDIATE`` transaction with compare-and-set and
the outbox row). Sessions have capacity 10 and 10 students each, so every
booking is confirmed.

Cases (``ours_s`` and ``peer_s`` are wall seconds per booking, so ``ratio`` > 1
means slower; ``bookings_per_s`` is the throughput of ``ours``):

* ``persistence.sqlite_1p``: one process on a SQLite file in WAL mode, vs
  ``case:memory_1p``, the in-memory adapter in one process.
* ``persistence.memory_4p``: 4 processes, each with its own in-memory store,
  vs ``case:memory_1p``.
* ``persistence.sqlite_4p_own_sessions``: 4 processes on ONE SQLite file, each
  booking into its own sessions (writers serialise on the file's write lock,
  never on a version), vs ``case:sqlite_1p``.
* ``persistence.sqlite_4p_shared_session``: 4 processes on one file booking into
  ONE shared session (capacity 100,000): every booking saves that session, so
  racers lose compare-and-sets and retry, vs ``case:sqlite_4p_own_sessions``.

* ``persistence.booking_sqlite``: one booking through the service on a SQLite
  file (seconds per booking), vs ``floor:sqlite3 same rows``: bare ``sqlite3``
  on an identical file replaying, per booking, every statement ours ran for it
  (recorded by a cursor wrapper on a third identical file): the same reads and
  the same rows written in the same ``BEGIN IMMEDIATE`` transaction, with no
  encoding, decoding, decision or object building. Each booking is a student of
  its own on a session of its own hour (no history, no overlap). The five reads
  are each needed: the session (to decide), the student's active booking on it
  (one active booking per student), the student's calendar token (its version
  orders the student's commitments), the student's other active bookings (the
  overlap rule) and the attendee record the booking enrols (a re-booking finds
  it). ``add`` reads nothing (the primary key refuses a stored id on commit).
  ``reads_per_booking`` and ``statements_per_booking`` say what was replayed.
  What ours adds over the floor is the library's own cost. Target ratio <= 1.5.

Multi-process timings run in 4 spawned worker processes kept alive across runs;
a barrier starts them together and the wall time is from the first start to the
last finish. The machine has 2 cores shared with other work, so 4 processes can
at best double throughput here.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import median_seconds, report

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.clock import ManualClock
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.services.booking import BookingService
from booking_core.sessions import Session

HOUR = timedelta(hours=1)

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
BATCH = 200  # bookings per process per run
REPEAT = 5
PROCESSES = 4


def _session(session_id: str, capacity: int, slot: int = 0) -> Session:
    """A group session of teacher ``t``; ``slot`` n starts 2n hours after the first."""
    return Session(
        id=session_id,
        kind="group",
        teacher_id="t",
        course_id="c",
        window=TimeWindow.of(T0 + timedelta(days=7, hours=2 * slot), HOUR),
        zone="Europe/London",
        capacity=capacity,
        waitlist_enabled=True,
    )


class _Store:
    """One process's view of a store: memory (private) or a SQLite file."""

    def __init__(self, path: str | None) -> None:
        self.memory = InMemoryStore() if path is None else None
        self.database = None if path is None else SqliteDatabase(path)

    def service(self) -> BookingService:
        if self.database is not None:
            database = self.database
            return BookingService(
                uow_factory=lambda: SqliteUnitOfWork(database),
                clock=ManualClock(T0),
                policies=Policies(transaction_attempts=10_000),
            )
        store = self.memory
        assert store is not None
        return BookingService(
            uow_factory=lambda: InMemoryUnitOfWork(store), clock=ManualClock(T0)
        )

    def add_sessions(self, ids: list[str], capacity: int) -> None:
        if self.database is not None:
            with SqliteUnitOfWork(self.database) as uow:
                for slot, session_id in enumerate(ids):
                    uow.sessions.add(_session(session_id, capacity, slot))
                uow.commit()
            return
        assert self.memory is not None
        with InMemoryUnitOfWork(self.memory) as uow:
            for slot, session_id in enumerate(ids):
                uow.sessions.add(_session(session_id, capacity, slot))
            uow.commit()


def _plan(tag: str, shared: str | None) -> list[tuple[str, str]]:
    """(session, student) pairs of one batch: 10 per own session, or one session.

    Students are the batch's own; its sessions lie two hours apart (one slot
    each, in id order), so a student booking one of each never overlaps.
    """
    if shared is not None:
        return [(shared, f"{tag}-student-{n}") for n in range(BATCH)]
    return [
        (f"{tag}-session-{n // 10:03d}", f"{tag}-student-{n % 10}")
        for n in range(BATCH)
    ]


def _book_batch(
    store: _Store, tag: str, shared: str | None, start: Callable[[], object]
) -> tuple[float, float]:
    """Book one batch after ``start()`` returns; the (start, end) perf counters."""
    service = store.service()
    plan = _plan(tag, shared)
    if shared is None:
        store.add_sessions(sorted({session for session, _ in plan}), 10)
    start()
    began = time.perf_counter()
    for session_id, student in plan:
        service.book(session_id, student, actor=Actor.student(student))
    return began, time.perf_counter()


_WORKER_STORES: dict[str | None, _Store] = {}


def _worker(args: tuple[str | None, str, str | None, Any]) -> tuple[float, float]:
    path, tag, shared, barrier = args
    store = _WORKER_STORES.get(path)
    if store is None:
        store = _WORKER_STORES[path] = _Store(path)
    return _book_batch(store, tag, shared, barrier.wait)


def _single(path: str | None) -> float:
    """Median seconds per booking in this process."""
    store = _Store(path)
    runs = iter(range(REPEAT + 1))

    def batch() -> None:
        _book_batch(store, f"p0-run{next(runs)}", None, lambda: None)

    batch()  # warm-up
    return median_seconds(batch, repeat=REPEAT) / BATCH


def _parallel(
    pool: multiprocessing.pool.Pool, barrier: Any, path: str | None, *, shared: bool
) -> float:
    """Median wall seconds per booking with :data:`PROCESSES` processes."""
    walls: list[float] = []
    for run in range(REPEAT + 1):
        session = None
        if shared:
            session = f"shared-{run}"
            _Store(path).add_sessions([session], 100_000)
        mode = "shared" if shared else "own"
        jobs = [
            (path, f"p{n}-{mode}-run{run}", session, barrier) for n in range(PROCESSES)
        ]
        spans: list[tuple[float, float]] = pool.map(_worker, jobs)
        if run:  # the first run warms the workers up
            walls.append(max(e for _, e in spans) - min(b for b, _ in spans))
    return statistics.median(walls) / (PROCESSES * BATCH)


def _report(bench: str, ours: float, peer: str, theirs: float) -> None:
    report(
        bench,
        ours,
        peer,
        theirs,
        bookings_per_s=round(1 / ours),
        peer_bookings_per_s=round(1 / theirs),
    )


Statement = tuple[str, Any, bool]  # sql, parameters, executemany


class _RecordingCursor:
    """A cursor stand-in that records every statement it passes on."""

    def __init__(self, cursor: sqlite3.Cursor, log: list[Statement]) -> None:
        self.cursor = cursor
        self.log = log

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        """Record the statement, then execute it."""
        self.log.append((sql, parameters, False))
        return self.cursor.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any) -> sqlite3.Cursor:
        """Record the statement, then execute it."""
        rows = list(parameters)
        self.log.append((sql, rows, True))
        return self.cursor.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cursor, name)


class _Recorder:
    """A connection stand-in whose cursors record every statement."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.statements: list[Statement] = []

    def cursor(self) -> _RecordingCursor:
        """A recording cursor."""
        return _RecordingCursor(self.connection.cursor(), self.statements)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


def _recorded(path: str, plan: list[tuple[str, str]]) -> list[list[Statement]]:
    """Per booking of ``plan``, every statement (and parameters) ours executes."""
    store = _Store(path)
    service = store.service()
    database = store.database
    assert database is not None
    recorder = _Recorder(database.connection())
    database.connection = lambda: recorder  # type: ignore[method-assign,assignment,return-value]
    per_booking: list[list[Statement]] = []
    for session_id, student in plan:
        recorder.statements = []
        service.book(session_id, student, actor=Actor.student(student))
        per_booking.append(recorder.statements)
    return per_booking


def _solo_plan(total: int) -> tuple[list[Session], list[tuple[str, str]]]:
    """Sessions two hours apart, 10 students of their own each (no history)."""
    sessions = [_session(f"solo-session-{n}", 10, n) for n in range(total // 10)]
    plan = [
        (sessions[n // 10].id, f"solo-{n // 10}-student-{n % 10}") for n in range(total)
    ]
    return sessions, plan


def _booking_sqlite(tmp: str) -> None:
    """``persistence.booking_sqlite`` against the bare ``sqlite3`` floor."""
    total = REPEAT * BATCH
    sessions, plan = _solo_plan(total)
    paths = [
        str(Path(tmp) / f"solo-{name}.sqlite3") for name in ("rec", "ours", "floor")
    ]
    for path in paths:
        database = SqliteDatabase(path)
        with SqliteUnitOfWork(database) as uow:
            for session in sessions:
                uow.sessions.add(session)
            uow.commit()
        database.close()
    statements = _recorded(paths[0], plan)
    reads = statistics.mean(
        sum(sql.lstrip().startswith("SELECT") for sql, _, _ in booking)
        for booking in statements
    )
    ours_store = _Store(paths[1])
    service = ours_store.service()
    floor = sqlite3.connect(paths[2], isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        floor.execute(f"PRAGMA {pragma}")  # as the adapter opens its file

    def ours(chunk: range) -> None:
        for n in chunk:
            session_id, student = plan[n]
            service.book(session_id, student, actor=Actor.student(student))

    def bare(chunk: range) -> None:
        cursor = floor.cursor()
        for n in chunk:
            for sql, parameters, many in statements[n]:
                if many:
                    cursor.executemany(sql, parameters)
                else:
                    cursor.execute(sql, parameters).fetchall()

    ours_runs: list[float] = []
    floor_runs: list[float] = []
    for first in range(0, total, BATCH):  # interleaved batches, each seat once
        chunk = range(first, first + BATCH)
        for func, runs in ((ours, ours_runs), (bare, floor_runs)):
            started = time.perf_counter()
            func(chunk)
            runs.append((time.perf_counter() - started) / BATCH)
    floor.close()
    ours_s, floor_s = statistics.median(ours_runs), statistics.median(floor_runs)
    report(
        "persistence.booking_sqlite",
        ours_s,
        "floor:sqlite3 same rows",
        floor_s,
        bookings=total,
        reads_per_booking=reads,
        statements_per_booking=statistics.mean(len(b) for b in statements),
        target_ratio=1.5,
    )


def main() -> None:
    """Print the JSON lines of every case."""
    with tempfile.TemporaryDirectory() as tmp:
        _booking_sqlite(tmp)
        single_file = str(Path(tmp) / "single.sqlite3")
        shared_file = str(Path(tmp) / "shared.sqlite3")
        SqliteDatabase(shared_file).close()  # schema created before the workers
        memory_1p = _single(None)
        sqlite_1p = _single(single_file)
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(PROCESSES) as pool:
            barrier = manager.Barrier(PROCESSES)
            memory_4p = _parallel(pool, barrier, None, shared=False)
            sqlite_4p = _parallel(pool, barrier, shared_file, shared=False)
            sqlite_4p_shared = _parallel(pool, barrier, shared_file, shared=True)
    _report("persistence.sqlite_1p", sqlite_1p, "case:memory_1p", memory_1p)
    _report("persistence.memory_4p", memory_4p, "case:memory_1p", memory_1p)
    _report(
        "persistence.sqlite_4p_own_sessions", sqlite_4p, "case:sqlite_1p", sqlite_1p
    )
    _report(
        "persistence.sqlite_4p_shared_session",
        sqlite_4p_shared,
        "case:sqlite_4p_own_sessions",
        sqlite_4p,
    )


if __name__ == "__main__":
    main()
