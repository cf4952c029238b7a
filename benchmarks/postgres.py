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
database must do for a booking: the same six reads (each answers a rule: the
session to decide on, the one-active-booking rule, the calendar token whose
version orders the student's commitments, the overlap rule as two index reads
(the student's bookings longer than a week and those on the session's UTC
day), the attendee the booking enrols) and the same rows written (bodies of the
same sizes, the same 13 index entries), in one transaction per booking sent as
one pipeline, the fewest round trips raw psycopg can use, with psycopg's
default statement preparation. It takes no decision, encodes nothing and never
retries (its session ``UPDATE`` is not compare-and-set): what ours adds over it
is the library's own cost.

Cases (``ours_s`` and ``peer_s`` are wall seconds per booking):

* ``postgres.distinct_{1,4,16}p``: each process books into sessions of its own.
* ``postgres.shared_{1,4,16}p``: every process books into ONE session, so
  racers lose compare-and-sets and retry; ``lost`` counts bookings missing
  afterwards (must be 0).

``bookings_per_s`` is our throughput, ``scaling`` our throughput over the
1-process throughput of the same mode, ``floor_scaling`` the same for the
floor (what the machine allows raw psycopg). Rounds interleave ours and the floor;
medians of ``ROUNDS``. Each process opens its connection (pool) and books one
warm-up student before a barrier starts the clock, so the timing is bookings,
not process start-up.

Where the time goes: ``client_cpu_ms`` is the CPU the booking processes used
per booking (Python: the service, codec and driver), ``server_cpu_ms`` the CPU
their PostgreSQL backends used per booking (read from ``/proc``; ``null`` when
the server is not local), the same for the floor. On a machine with ``cores``
cores, ``(client + server) / cores`` is the least wall time per booking any
number of processes can reach, so the scaling a many-process case can show is
bounded by ``1p wall / that``.
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
TOTAL = 640  # bookings per case and round, split over the processes
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


class _Ours:
    """One process booking through the service (its pool opened up front)."""

    def __init__(self, dsn: str, schema: str, session_id: str) -> None:
        from booking_core.adapters.postgres import PostgresDatabase, PostgresUnitOfWork
        from booking_core.clock import ManualClock
        from booking_core.policies import Policies
        from booking_core.services.booking import BookingService

        self.session_id = session_id
        self.database = PostgresDatabase(dsn, schema=schema, migrate=False, max_size=1)
        database = self.database
        self.service = BookingService(
            uow_factory=lambda: PostgresUnitOfWork(database),
            clock=ManualClock(NOW),
            policies=Policies(transaction_attempts=100_000),
        )

    def backend_pid(self) -> int:
        """The server process serving this process's (only) pooled connection."""
        with self.database.connect() as connection:
            return int(connection.info.backend_pid)

    def book(self, student: str) -> None:
        """One booking through :class:`BookingService`."""
        from booking_core.actors import Actor

        self.service.book(self.session_id, student, actor=Actor.student(student))

    def close(self) -> None:
        """Close the pool."""
        self.database.close()


def _pad(size: int) -> str:
    """A JSON object body of ``size`` characters (an encoded aggregate's size)."""
    head = '{"$type":"pad","f":{"pad":"'
    return head + "x" * (size - len(head) - 3) + '"}}'


# The sizes of the bodies ours writes per booking (session, attendee, booking,
# calendar, outbox event), measured on a PostgreSQL recording of the same path.
SESSION_BODY, ATTENDEE_BODY, BOOKING_BODY = _pad(669), _pad(407), _pad(588)
CALENDAR_BODY, EVENT_BODY = _pad(64), _pad(361)
GET = "SELECT version, body::text FROM aggregates WHERE collection = %s AND id = %s"
FIND = (
    "SELECT a.version, a.body::text FROM index_entries AS i JOIN aggregates AS a"
    " ON a.collection = i.collection AND a.id = i.id"
    " WHERE i.collection = %s AND i.name = %s AND i.value = %s"
)
DAY = (NOW + timedelta(days=7)).date().isoformat()  # the session's UTC day


class _Floor:
    """Raw psycopg: ours's reads and rows, one pipelined transaction per booking."""

    def __init__(self, dsn: str, schema: str, session_id: str) -> None:
        import psycopg
        from psycopg import sql

        self.session_id = session_id
        self.connection = psycopg.connect(dsn, autocommit=True)
        self.connection.execute(
            sql.SQL("SET search_path TO {}").format(sql.Identifier(schema))
        )
        self.cursor = self.connection.cursor()

    def backend_pid(self) -> int:
        """The server process serving this connection."""
        return int(self.connection.info.backend_pid)

    def book(self, student: str) -> None:
        """The reads and writes ours makes for one booking, nothing decided."""
        session_id, cursor = self.session_id, self.cursor
        booking_id = uuid.uuid4().hex
        attendee_id = f"{session_id}~student~{student}"
        active = f"{len(session_id)}:{session_id}:{student}"
        for statement, parameters in (
            (GET, ("sessions", session_id)),
            (FIND, ("bookings", "active", active)),
            (GET, ("student_calendars", student)),
            (FIND, ("bookings", "student_long", student)),
            (FIND, ("bookings", f"student_day/{DAY}", student)),
            (GET, ("attendees", attendee_id)),
        ):
            cursor.execute(statement, parameters)
            cursor.fetchall()
        with self.connection.pipeline():
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
                "DELETE FROM index_entries WHERE collection = 'sessions' AND id = %s",
                (session_id,),
            )
            start = (NOW + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S.%f")
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
                    ("bookings", f"student_day/{DAY}", student, booking_id),
                    ("sessions", "status", "scheduled", session_id),
                    ("sessions", "teacher", "t-1", session_id),
                    ("sessions", f"scheduled_day/{DAY}", "t-1", session_id),
                    ("sessions", "scheduled_start", start, session_id),
                    ("sessions", "start_hour", start[:13], session_id),
                ],
            )
            cursor.execute(
                "INSERT INTO outbox (event_id, name, aggregate_id, occurred_at,"
                " body) VALUES (%s, 'booking.seats_booked', %s, %s, %s::jsonb)"
                " RETURNING seq",
                (uuid.uuid4(), booking_id, NOW, EVENT_BODY),
            )
            cursor.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def _server_cpu(pid: int) -> float | None:
    """CPU seconds the server process ``pid`` has used (``None``: not local)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _worker(
    kind: str, args: tuple[str, str, str], students: list[str], start: Any, done: Any
) -> None:
    """Open, warm up (one booking), wait for the start, book, report CPU used."""
    booker = (_Ours if kind == "ours" else _Floor)(*args)
    booker.book(f"{students[0]}-warm-up")
    pid = booker.backend_pid()
    start.wait()
    client, server = time.process_time(), _server_cpu(pid)
    for student in students:
        booker.book(student)
    client, after = time.process_time() - client, _server_cpu(pid)
    done.put((client, None if server is None or after is None else after - server))
    booker.close()


ROUND = dict[str, Any]


def _run(kind: str, dsn: str, schema: str, *, shared: bool, processes: int) -> ROUND:
    """One round: wall seconds per booking, client and server CPU per booking."""
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
                (dsn, schema, sessions[n]),
                [f"st-{tag}-{n}-{k}" for k in range(per)],
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
    used = [done.get(timeout=600) for _ in children]
    elapsed = time.perf_counter() - began
    for child in children:
        child.join()
    if kind == "ours":  # every process booked ``per`` students and its warm-up
        with PostgresUnitOfWork(database) as uow:
            stored = sum(len(uow.bookings.of_session(s)) for s in set(sessions))
        LOST[(shared, processes)] += (per + 1) * processes - stored
    database.close()
    bookings = per * processes
    servers = [server for _, server in used]
    return {
        "wall": elapsed / bookings,
        "client": sum(client for client, _ in used) / bookings,
        "server": None if None in servers else sum(servers) / bookings,
    }


LOST: dict[tuple[bool, int], int] = {}


def _ms(rounds: list[ROUND], key: str) -> float | None:
    values = [r[key] for r in rounds]
    return None if None in values else round(statistics.median(values) * 1000, 3)


def main(dsn: str) -> None:
    """Print one JSON line per mode and process count."""
    from booking_core.adapters.postgres import PostgresDatabase

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    PostgresDatabase(dsn, schema=schema, max_size=1).close()
    throughput: dict[tuple[bool, int], float] = {}
    floor_throughput: dict[tuple[bool, int], float] = {}
    for shared in (False, True):
        for processes in PROCESSES:
            LOST[(shared, processes)] = 0
            ours: list[ROUND] = []
            floor: list[ROUND] = []
            for _ in range(ROUNDS):
                ours.append(
                    _run("ours", dsn, schema, shared=shared, processes=processes)
                )
                floor.append(
                    _run("floor", dsn, schema, shared=shared, processes=processes)
                )
            ours_s = statistics.median(r["wall"] for r in ours)
            floor_s = statistics.median(r["wall"] for r in floor)
            throughput[(shared, processes)] = 1 / ours_s
            floor_throughput[(shared, processes)] = 1 / floor_s
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
                floor_scaling=round(
                    floor_throughput[(shared, processes)]
                    / floor_throughput[(shared, 1)],
                    2,
                ),
                lost=LOST[(shared, processes)],
                client_cpu_ms=_ms(ours, "client"),
                server_cpu_ms=_ms(ours, "server"),
                floor_client_cpu_ms=_ms(floor, "client"),
                floor_server_cpu_ms=_ms(floor, "server"),
                cores=os.cpu_count(),
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
