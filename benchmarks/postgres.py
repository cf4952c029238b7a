"""Bookings per second through the booking service on PostgreSQL, 1/4/16 processes.

``python benchmarks/postgres.py`` starts its own throwaway cluster
(``tools/pg_cluster.py``, as the tests do; ``BOOKING_CORE_PG_DSN`` names an
existing database instead) and needs the ``postgres`` extra.

Every booking goes through :class:`BookingService` on
:class:`~booking_core.adapters.postgres.PostgresUnitOfWork` (load the session,
look up the student's active booking, the student's calendar token, the
student's other active bookings and the attendee record, decide, then one
transaction: the session's compare-and-set ``UPDATE``; the booking, calendar
token and attendee ``INSERT``; their index entries and the outbox row).

The floor (``peer: raw_psycopg``) is plain psycopg doing the same work the
database must do for a booking: the same five reads (each answers a rule: the
session to decide on, the one-active-booking rule, the calendar token whose
version orders the student's commitments, the overlap rule, the attendee the
booking enrols) and the same rows written (bodies of the same sizes), in one
transaction per booking sent as one pipeline, the fewest round trips raw
psycopg can use. It takes no decision, encodes nothing and never retries (its
session ``UPDATE`` is not compare-and-set): what ours adds over it is the
library's own cost.

Cases (``ours_s`` and ``peer_s`` are wall seconds per booking):

* ``postgres.distinct_{1,4,16}p``: each process books into sessions of its own.
* ``postgres.shared_{1,4,16}p``: every process books into ONE session, so
  racers lose compare-and-sets and retry; ``lost`` counts bookings missing
  afterwards (must be 0).

``bookings_per_s`` is our throughput, ``scaling`` our throughput over the
1-process throughput of the same mode. Rounds interleave ours and the floor;
medians of ``ROUNDS``.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import time
import uuid
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT / "tools"))

import pg_cluster  # noqa: E402
from _common import report  # noqa: E402

NOW = datetime(2026, 3, 20, 9, tzinfo=timezone.utc)
TOTAL = 320  # bookings per case and round, split over the processes
ROUNDS = 3
PROCESSES = (1, 4, 16)
CTX = multiprocessing.get_context("spawn")


def _session(session_id: str) -> Any:
    from booking_core.actors import Actor
    from booking_core.intervals import TimeWindow
    from booking_core.sessions import schedule

    return schedule(
        session_id=session_id,
        kind="group",
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(NOW + timedelta(days=7), timedelta(hours=1)),
        zone="Europe/London",
        capacity=100_000,
        waitlist_enabled=False,
        actor=Actor.teacher("t-1"),
        now=NOW,
    ).state


def _ours(dsn: str, schema: str, session_id: str, students: list[str]) -> None:
    from booking_core.actors import Actor
    from booking_core.adapters.postgres import PostgresDatabase, PostgresUnitOfWork
    from booking_core.clock import ManualClock
    from booking_core.policies import Policies
    from booking_core.services.booking import BookingService

    database = PostgresDatabase(dsn, schema=schema, migrate=False, max_size=1)
    service = BookingService(
        uow_factory=lambda: PostgresUnitOfWork(database),
        clock=ManualClock(NOW),
        policies=Policies(transaction_attempts=100_000),
    )
    for student in students:
        service.book(session_id, student, actor=Actor.student(student))
    database.close()


def _pad(size: int) -> str:
    """A JSON object body of ``size`` characters (an encoded aggregate's size)."""
    head = '{"$type":"pad","f":{"pad":"'
    return head + "x" * (size - len(head) - 3) + '"}}'


# The sizes of the bodies ours writes per booking (session, attendee, booking,
# calendar, outbox event), measured on the SQLite recording of the same path.
SESSION_BODY, ATTENDEE_BODY, BOOKING_BODY = _pad(608), _pad(416), _pad(557)
CALENDAR_BODY, EVENT_BODY = _pad(70), _pad(369)
GET = "SELECT version, body::text FROM aggregates WHERE collection = %s AND id = %s"
FIND = (
    "SELECT a.version, a.body::text FROM index_entries AS i JOIN aggregates AS a"
    " ON a.collection = i.collection AND a.id = i.id"
    " WHERE i.collection = %s AND i.name = %s AND i.value = %s"
)


def _floor(dsn: str, schema: str, session_id: str, students: list[str]) -> None:
    """Raw psycopg: ours's reads and rows, one pipelined transaction per booking."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL("SET search_path TO {}").format(sql.Identifier(schema))
        )
        cursor = connection.cursor()
        for student in students:
            booking_id = f"raw-{uuid.uuid4().hex}"
            attendee_id = f"{session_id}~student~{student}"
            active = f"{len(session_id)}:{session_id}:{student}"
            for statement, parameters in (
                (GET, ("sessions", session_id)),
                (FIND, ("bookings", "active", active)),
                (GET, ("student_calendars", student)),
                (FIND, ("bookings", "student_active", student)),
                (GET, ("attendees", attendee_id)),
            ):
                cursor.execute(statement, parameters)
                cursor.fetchall()
            with connection.pipeline():
                cursor.execute("BEGIN")
                cursor.execute(
                    "UPDATE aggregates SET version = version + 1, body = %s::jsonb"
                    " WHERE collection = 'sessions' AND id = %s",
                    (SESSION_BODY, session_id),
                )
                cursor.executemany(
                    "INSERT INTO aggregates VALUES (%s, %s, 1, %s::jsonb)",
                    [
                        ("attendees", attendee_id, ATTENDEE_BODY),
                        ("bookings", booking_id, BOOKING_BODY),
                        ("student_calendars", student, CALENDAR_BODY),
                    ],
                )
                cursor.execute(
                    "DELETE FROM index_entries"
                    " WHERE collection = 'sessions' AND id = %s",
                    (session_id,),
                )
                cursor.executemany(
                    "INSERT INTO index_entries VALUES (%s, %s, %s, %s)",
                    [
                        ("attendees", "session", session_id, attendee_id),
                        ("attendees", "participant", student, attendee_id),
                        ("attendees", "payment_status", "due", attendee_id),
                        ("bookings", "session", session_id, booking_id),
                        ("bookings", "teacher", "t-1", booking_id),
                        ("bookings", "student", student, booking_id),
                        ("bookings", "active", active, booking_id),
                        ("bookings", "teacher_active", "t-1", booking_id),
                        ("bookings", "student_active", student, booking_id),
                        ("sessions", "status", "scheduled", session_id),
                        ("sessions", "teacher", "t-1", session_id),
                    ],
                )
                cursor.execute(
                    "INSERT INTO outbox (event_id, name, aggregate_id, occurred_at,"
                    " body) VALUES (%s, 'booking.seats_booked', %s, %s, %s::jsonb)"
                    " RETURNING seq",
                    (uuid.uuid4(), booking_id, NOW, EVENT_BODY),
                )
                cursor.execute("COMMIT")


def _worker(kind: str, args: tuple[Any, ...], start: Any, done: Any) -> None:
    import booking_core.adapters.postgres
    import booking_core.services.booking  # noqa: F401

    start.wait()
    (_ours if kind == "ours" else _floor)(*args)
    done.put(os.getpid())


def _run(kind: str, dsn: str, schema: str, *, shared: bool, processes: int) -> float:
    """Wall seconds per booking for one round."""
    from booking_core.adapters.postgres import PostgresDatabase, PostgresUnitOfWork

    tag = uuid.uuid4().hex[:8]
    sessions = [f"s-{tag}" if shared else f"s-{tag}-{n}" for n in range(processes)]
    database = PostgresDatabase(dsn, schema=schema, migrate=False, max_size=1)
    with PostgresUnitOfWork(database) as uow:
        for session_id in dict.fromkeys(sessions):
            uow.sessions.add(_session(session_id))
        uow.commit()
    per = TOTAL // processes
    start, done = CTX.Barrier(processes + 1), CTX.Queue()
    children = [
        CTX.Process(
            target=_worker,
            args=(
                kind,
                (dsn, schema, sessions[n], [f"st-{tag}-{n}-{k}" for k in range(per)]),
                start,
                done,
            ),
        )
        for n in range(processes)
    ]
    for child in children:
        child.start()
    start.wait()
    began = time.perf_counter()
    for _ in children:
        done.get(timeout=600)
    elapsed = time.perf_counter() - began
    for child in children:
        child.join()
    if kind == "ours":
        with PostgresUnitOfWork(database) as uow:
            stored = sum(len(uow.bookings.of_session(s)) for s in set(sessions))
        LOST[(shared, processes)] += TOTAL - stored
    database.close()
    return elapsed / (per * processes)


LOST: dict[tuple[bool, int], int] = {}


def main(dsn: str) -> None:
    from booking_core.adapters.postgres import PostgresDatabase

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    PostgresDatabase(dsn, schema=schema, max_size=1).close()
    throughput: dict[tuple[bool, int], float] = {}
    for shared in (False, True):
        for processes in PROCESSES:
            LOST[(shared, processes)] = 0
            ours, floor = [], []
            for _ in range(ROUNDS):
                ours.append(
                    _run("ours", dsn, schema, shared=shared, processes=processes)
                )
                floor.append(
                    _run("floor", dsn, schema, shared=shared, processes=processes)
                )
            ours_s, floor_s = statistics.median(ours), statistics.median(floor)
            throughput[(shared, processes)] = 1 / ours_s
            mode = "shared" if shared else "distinct"
            report(
                f"postgres.{mode}_{processes}p",
                ours_s,
                "raw_psycopg",
                floor_s,
                bookings_per_s=round(1 / ours_s, 1),
                floor_bookings_per_s=round(1 / floor_s, 1),
                scaling=round(
                    throughput[(shared, processes)] / throughput[(shared, 1)], 2
                ),
                lost=LOST[(shared, processes)],
            )


if __name__ == "__main__":
    with ExitStack() as stack:
        given = os.environ.get(pg_cluster.DSN_VARIABLE)
        if not given:
            binaries = pg_cluster.find_or_install_bindir()
            if binaries is None:
                sys.exit("no PostgreSQL: initdb/pg_ctl not found and not installable")
            given = stack.enter_context(
                pg_cluster.throwaway_cluster(binaries, log=lambda _: None)
            )
        main(given)
