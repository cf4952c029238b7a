"""Eight processes race to book 100 students into a 10-seat session on PostgreSQL.

Every student is asked for twice, by two different processes, with the same
idempotency key. Exactly 10 bookings end confirmed and 90 waitlisted, each
student has one booking (both requests answer with it), the session's seat
state agrees with the bookings, and the outbox holds one event per booking.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from booking_core_postgres import (
    PostgresBookingRepository,
    PostgresDatabase,
    PostgresSessionRepository,
    PostgresUnitOfWork,
)

from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.intervals import TimeWindow
from booking_core.sessions import Session

WORKER = Path(__file__).with_name("race_worker.py")
PROCESSES = 8
STUDENTS = [f"st-{i:03}" for i in range(100)]
NOW_ISO = "2026-03-28T09:00:00+00:00"  # the workers' clock (race_worker.NOW)


def _seed(database: PostgresDatabase) -> None:
    start = datetime.fromisoformat(NOW_ISO) + timedelta(days=2)  # past London's DST
    with PostgresUnitOfWork(database) as uow:
        PostgresSessionRepository(uow).add(
            Session(
                id="s",
                kind="group",
                teacher_id="t",
                course_id="c",
                window=TimeWindow.of(start, timedelta(hours=1)),
                zone="Europe/London",
                capacity=10,
                waitlist_enabled=True,
            )
        )
        uow.commit()


def _race(dsn: str, schema: str) -> list[dict[str, str]]:
    # Process p books its share, then the next process's share again (same keys).
    shares = [STUDENTS[p::PROCESSES] for p in range(PROCESSES)]
    workers = [
        subprocess.Popen(  # noqa: S603 -- our own interpreter and script
            [
                sys.executable,
                str(WORKER),
                dsn,
                schema,
                *shares[p],
                *shares[(p + 1) % PROCESSES],
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for p in range(PROCESSES)
    ]
    for worker in workers:  # everybody connected before anybody books
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results: list[dict[str, str]] = []
    for worker in workers:
        out, _ = worker.communicate(timeout=600)
        assert worker.returncode == 0
        results.extend(json.loads(line) for line in out.splitlines())
    return results


def test_eight_processes_book_one_hundred_students_into_ten_seats(
    dsn: str, schema: str, database: PostgresDatabase
) -> None:
    _seed(database)
    results = _race(dsn, schema)

    # Both requests of every student answered with one and the same booking.
    assert len(results) == 2 * len(STUDENTS)
    answers: dict[str, set[tuple[str, str]]] = {}
    for line in results:
        answers.setdefault(line["student"], set()).add(
            (line["booking"], line["status"])
        )
    assert sorted(answers) == STUDENTS
    assert all(len(answer) == 1 for answer in answers.values())

    with PostgresUnitOfWork(database) as uow:
        session = PostgresSessionRepository(uow).get("s")
        bookings = PostgresBookingRepository(uow).of_session("s")
    # No duplicate, no lost booking.
    assert sorted(b.student_id for b in bookings) == STUDENTS
    assert {b.id for b in bookings} == {
        booking for answer in answers.values() for booking, _ in answer
    }
    statuses = Counter(b.status.value for b in bookings)
    assert statuses == {"confirmed": 10, "waitlisted": 90}
    # The session's seat state agrees with the bookings.
    assert session.seats.confirmed == 10
    waitlisted = {b.id for b in bookings if b.status.value == "waitlisted"}
    assert len(session.seats.waitlist) == 90
    assert {entry.booking_id for entry in session.seats.waitlist} == waitlisted
    assert session.version == 1 + len(STUDENTS)  # one save per booking

    # The outbox: exactly one event per state change, relayed once.
    events = database.events()
    assert len(events) == len(STUDENTS)
    assert len({event.event_id for event in events}) == len(events)
    assert Counter(event.name for event in events) == {
        "booking.seats_booked": 10,
        "booking.waitlisted": 90,
    }
    publisher = InMemoryEventPublisher()
    assert database.relay(publisher, batch=1000) == len(STUDENTS)
    assert database.relay(publisher) == 0
    assert publisher.published == events
