"""Real processes on one PostgreSQL, as if on several app servers.

Sixteen spawned processes race for group seats, for confirming overlapping 1:1
requests and for withdrawals from one wallet; processes killed inside and after
a commit; relays running at once. Children run ``postgres_process_workers.py``
and share nothing with this process but the database.
"""

from __future__ import annotations

import collections
import multiprocessing
import runpy
import time as time_module
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from booking_core import sessions
from booking_core.actors import Actor
from booking_core.adapters.postgres import PostgresDatabase, PostgresUnitOfWork
from booking_core.availability import WeeklyAvailability
from booking_core.availability.approval import ApprovalPolicy
from booking_core.availability.schedule import TeacherSchedule
from booking_core.bookings.model import BookingStatus
from booking_core.bookings.one_on_one import OneOnOnePolicy
from booking_core.clock import ManualClock
from booking_core.intervals import TimeWindow
from booking_core.money.ledger import Transfer, TransferKind
from booking_core.policies import Policies
from booking_core.services.ledger import LedgerService
from booking_core.services.one_on_one import OneOnOneService

WORKERS = Path(__file__).with_name("postgres_process_workers.py")
SPAWN: Any = multiprocessing.get_context("forkserver")
SPAWN.set_forkserver_preload(
    [
        "booking_core.adapters.postgres",
        "booking_core.services.booking",
        "booking_core.services.one_on_one",
        "booking_core.services.payments",
        "booking_core.adapters.fake_gateway",
    ]
)
NOW: datetime = runpy.run_path(str(WORKERS))["NOW"]
TEACHER = Actor.teacher("teacher-1")
PROCESSES = 16


def _child(task: str, **args: Any) -> Any:
    process = SPAWN.Process(
        target=runpy.run_path,
        args=(str(WORKERS),),
        kwargs={
            "init_globals": {"TASK": task, "ARGS": args},
            "run_name": "__postgres_worker__",
        },
    )
    process.start()
    return process


def _run_all(task: str, shares: list[dict[str, Any]]) -> list[Any]:
    """Start one child per share behind one barrier; their reports."""
    start, out = SPAWN.Barrier(len(shares)), SPAWN.Queue()
    children = [_child(task, start=start, out=out, **share) for share in shares]
    reports = [out.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    return reports


def _schedule(database: PostgresDatabase, session_id: str, capacity: int) -> None:
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
    with PostgresUnitOfWork(database) as uow:
        uow.sessions.add(decision.state)
        uow.collect(decision.events)
        uow.commit()


def _rows(dsn: str, schema: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as connection:
        connection.execute(
            sql.SQL("SET search_path TO {}").format(sql.Identifier(schema))
        )
        return connection.execute(query.encode()).fetchall()


def test_sixteen_processes_book_a_hundred_students_into_ten_seats(
    postgres_database: PostgresDatabase, postgres_dsn: str
) -> None:
    students = [f"student-{n:03}" for n in range(100)]
    _schedule(postgres_database, "s-race", capacity=10)
    # Every student is asked for by two processes with the same idempotency key.
    shares: list[list[str]] = [[] for _ in range(PROCESSES)]
    for n, student in enumerate(students):
        shares[n % PROCESSES].append(student)
        shares[(n + 5) % PROCESSES].append(student)
    reports = _run_all(
        "race",
        [
            {
                "dsn": postgres_dsn,
                "schema": postgres_database.schema,
                "session_id": "s-race",
                "students": share,
                "seed": n,
            }
            for n, share in enumerate(shares)
        ],
    )
    with PostgresUnitOfWork(postgres_database) as uow:
        stored = uow.bookings.of_session("s-race")
        session = uow.sessions.get("s-race")
    statuses = collections.Counter(b.status for b in stored)
    assert statuses == {BookingStatus.CONFIRMED: 10, BookingStatus.WAITLISTED: 90}
    assert sorted(b.student_id for b in stored) == students
    by_id = {b.id: b for b in stored}
    answers = [answer for report in reports for answer in report]
    assert len(answers) == 200
    for student, booking_id, status in answers:
        assert by_id[booking_id].student_id == student
        assert by_id[booking_id].status.value == status
    # Exactly one event per state change: the schedule and one per booking.
    outbox = _rows(
        postgres_dsn, postgres_database.schema, "SELECT aggregate_id FROM outbox"
    )
    assert len(outbox) == session.version == 101
    per_aggregate = collections.Counter(aggregate for (aggregate,) in outbox)
    assert all(per_aggregate[b.id] == 1 for b in stored)


def test_sixteen_processes_confirm_overlapping_requests_one_per_teacher(
    postgres_database: PostgresDatabase, postgres_dsn: str
) -> None:
    now = datetime(2026, 5, 25, 9, tzinfo=timezone.utc)
    slot = TimeWindow.of(
        datetime(2026, 6, 1, 13, tzinfo=timezone.utc), timedelta(hours=1)
    )
    service = OneOnOneService(
        uow_factory=lambda: PostgresUnitOfWork(postgres_database),
        clock=ManualClock(now),
        policies=Policies(
            one_on_one=OneOnOnePolicy(
                pending_holds_slot=False,
                approval=ApprovalPolicy(courses={"math": True}),
            )
        ),
    )
    teachers, per_teacher = 4, 4
    pairs: list[tuple[str, str]] = []
    for t in range(teachers):
        teacher = f"t-{t}"
        service.set_schedule(
            TeacherSchedule(
                id=teacher,
                zone="Europe/London",
                availability=(
                    WeeklyAvailability(
                        weekday=0, start=time(14), end=time(15), zone="Europe/London"
                    ),
                ),
            ),
            actor=Actor.teacher(teacher),
        )
        for s in range(per_teacher):
            booking_id = f"b-{t}-{s}"
            service.request(
                teacher_id=teacher,
                student_id=f"s-{t}-{s}",
                course_id="math",
                slot=slot,
                actor=Actor.student(f"s-{t}-{s}"),
                booking_id=booking_id,
            )
            pairs.append((teacher, booking_id))
    reports = _run_all(
        "confirm",
        [
            {
                "dsn": postgres_dsn,
                "schema": postgres_database.schema,
                "pairs": [pair],
                "now": now,
            }
            for pair in pairs
        ],
    )
    outcomes: dict[str, list[str]] = collections.defaultdict(list)
    for report in reports:
        for teacher, _, outcome in report:
            outcomes[teacher].append(outcome)
    for results in outcomes.values():
        assert sorted(results) == ["confirmed"] + ["refused"] * (per_teacher - 1)
    with PostgresUnitOfWork(postgres_database) as uow:
        confirmed = [
            b.id
            for b in uow.bookings.pending_requests()
            + [uow.bookings.get(booking_id) for _, booking_id in pairs]
            if b.status is BookingStatus.CONFIRMED
        ]
    assert len(confirmed) == teachers


def test_sixteen_processes_withdraw_from_one_wallet_without_overdrawing(
    postgres_database: PostgresDatabase, postgres_dsn: str
) -> None:
    ledger = LedgerService(
        uow_factory=lambda: PostgresUnitOfWork(postgres_database), currency="INR"
    )
    ledger.post(
        Transfer(
            key="fund",
            debit="payments",
            credit="wallet:m1",
            amount=1_000_000,
            currency="INR",
            kind=TransferKind.ADJUSTMENT,
            reference="test",
            at=NOW,
        )
    )
    reports = _run_all(
        "withdraw",
        [
            {
                "dsn": postgres_dsn,
                "schema": postgres_database.schema,
                "ids": [f"w-{n}-a", f"w-{n}-b"],
                "amount": "1000.00",
            }
            for n in range(PROCESSES)
        ],
    )
    outcomes = collections.Counter(outcome for r in reports for _, outcome in r)
    assert outcomes == {"held": 10, "refused": 2 * PROCESSES - 10}
    assert ledger.balance("wallet:m1") == 0
    assert ledger.balance("held:m1") == 1_000_000
    assert sum(ledger.balances().values()) == 0


def _snapshot(dsn: str, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: _rows(dsn, schema, f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608
        for table in ("aggregates", "index_entries", "outbox")
    }


def _book_again(
    postgres_database: PostgresDatabase, postgres_dsn: str, *, pending: list[str]
) -> None:
    """ann books into s-1 afresh: one booking; ``pending`` events relayed first."""
    schema = postgres_database.schema
    out = SPAWN.Queue()
    child = _child(
        "book_and_relay",
        dsn=postgres_dsn,
        schema=schema,
        session_id="s-1",
        student="ann",
        out=out,
    )
    relayed, published, booking_id = out.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    assert relayed == len(pending)
    assert published == [*pending, "booking.seats_booked"]
    with PostgresUnitOfWork(postgres_database) as uow:
        assert uow.bookings.get(booking_id).version == 1
        assert uow.sessions.get("s-1").version == 2


def test_a_process_killed_before_its_commit_is_sent_leaves_no_trace(
    postgres_database: PostgresDatabase, postgres_dsn: str
) -> None:
    schema = postgres_database.schema
    _schedule(postgres_database, "s-1", capacity=2)
    before = _snapshot(postgres_dsn, schema)
    child = _child(
        "crash",
        dsn=postgres_dsn,
        schema=schema,
        session_id="s-1",
        student="ann",
        statement="SELECT booking_core_commit",
    )
    child.join(timeout=60)
    assert child.exitcode == -9  # SIGKILL, the commit about to be sent
    assert _snapshot(postgres_dsn, schema) == before  # as if it never ran
    _book_again(postgres_database, postgres_dsn, pending=["session.scheduled"])


def _wait_for_blocked_commit(dsn: str) -> int:
    """The backend running ``booking_core_commit`` while it waits on a lock."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        for _ in range(600):
            row = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE 'SELECT booking_core_commit%'"
            ).fetchone()
            if row is not None:
                return int(row[0])
            time_module.sleep(0.05)
    pytest.fail("no commit blocked on the lock within 30 s")


def test_a_connection_lost_inside_the_commit_leaves_no_trace(
    postgres_database: PostgresDatabase, postgres_dsn: str
) -> None:
    # The commit runs on the server as one transaction: the session's
    # compare-and-set UPDATE has run when its INSERT of the attendee row waits
    # for this test's uncommitted row of the same key; the backend then dies
    # (a lost connection, a crashed app server): nothing of it stays.
    schema = postgres_database.schema
    _schedule(postgres_database, "s-1", capacity=2)
    before = _snapshot(postgres_dsn, schema)
    out = SPAWN.Queue()  # kept: the child unpickles it after this test goes on
    with psycopg.connect(postgres_dsn) as blocker:
        blocker.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        blocker.execute(
            "INSERT INTO aggregates VALUES ('attendees', 's-1~student~ann', 1, '{}')"
        )
        child = _child(
            "book_and_relay",
            dsn=postgres_dsn,
            schema=schema,
            session_id="s-1",
            student="ann",
            out=out,
        )
        backend = _wait_for_blocked_commit(postgres_dsn)
        with psycopg.connect(postgres_dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        child.join(timeout=60)
        blocker.rollback()
    assert child.exitcode == 1  # the booking failed with the lost connection
    after = _snapshot(postgres_dsn, schema)
    # Nothing of the booking stays; the child relayed session.scheduled first.
    assert after["aggregates"] == before["aggregates"]
    assert after["index_entries"] == before["index_entries"]
    assert [row[:2] for row in after["outbox"]] == [row[:2] for row in before["outbox"]]
    _book_again(postgres_database, postgres_dsn, pending=[])


def test_a_process_killed_after_commit_has_its_events_relayed(
    postgres_database: PostgresDatabase, postgres_dsn: str
) -> None:
    schema = postgres_database.schema
    _schedule(postgres_database, "s-1", capacity=2)
    child = _child(
        "crash",
        dsn=postgres_dsn,
        schema=schema,
        session_id="s-1",
        student="ann",
        statement="UPDATE outbox SET published",
    )
    child.join(timeout=60)
    assert child.exitcode == -9  # committed, killed before marking published
    out = SPAWN.Queue()
    child = _child(
        "book_and_relay",
        dsn=postgres_dsn,
        schema=schema,
        session_id="s-1",
        student="bob",
        out=out,
    )
    relayed, published, _ = out.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    assert (relayed, published) == (
        2,
        [
            "session.scheduled",
            "booking.seats_booked",
            "booking.seats_booked",
        ],
    )


def test_relays_running_at_once_deliver_each_event_exactly_once(
    postgres_database: PostgresDatabase, postgres_dsn: str
) -> None:
    for n in range(20):
        _schedule(postgres_database, f"s-{n}", capacity=2)
    events = {str(event.event_id) for event in postgres_database.events()}
    reports: list[list[str]] = _run_all(
        "relay",
        [{"dsn": postgres_dsn, "schema": postgres_database.schema} for _ in range(4)],
    )
    delivered = [event_id for report in reports for event_id in report]
    assert sorted(delivered) == sorted(events)  # all, none twice
    assert postgres_database.relay(_Nobody()) == 0


class _Nobody:
    def publish(self, events: Any) -> None:
        raise AssertionError(events)  # pragma: no cover - nothing is left
