"""A process SIGKILLed inside the commit leaves no trace; killed after it, its
events are still delivered, by the relay."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from booking_core_postgres import (
    PostgresBookingRepository,
    PostgresCommandRecords,
    PostgresDatabase,
    PostgresSessionRepository,
    PostgresUnitOfWork,
)

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.clock import ManualClock
from booking_core.intervals import TimeWindow
from booking_core.services.booking import BookingService
from booking_core.sessions import Session

WORKER = Path(__file__).with_name("crash_worker.py")
NOW = datetime(2026, 3, 28, 9, tzinfo=timezone.utc)  # the worker's clock


def _seed(database: PostgresDatabase) -> None:
    with PostgresUnitOfWork(database) as uow:
        PostgresSessionRepository(uow).add(
            Session(
                id="s",
                kind="group",
                teacher_id="t",
                course_id="c",
                window=TimeWindow.of(NOW + timedelta(days=2), timedelta(hours=1)),
                zone="Asia/Kolkata",
                capacity=1,
                waitlist_enabled=True,
            )
        )
        uow.commit()


def _kill_at(dsn: str, schema: str, mode: str) -> None:
    with subprocess.Popen(  # noqa: S603 -- our own interpreter and script
        [sys.executable, str(WORKER), dsn, schema, mode],
        stdout=subprocess.PIPE,
        text=True,
    ) as worker:
        try:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == mode
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=60)
    assert worker.returncode == -signal.SIGKILL


def _service(database: PostgresDatabase) -> BookingService[PostgresUnitOfWork]:
    return BookingService(
        uow_factory=lambda: PostgresUnitOfWork(database),
        sessions=PostgresSessionRepository,
        bookings=PostgresBookingRepository,
        records=PostgresCommandRecords,
        clock=ManualClock(NOW),
    )


def test_killed_inside_the_commit_the_command_never_ran(
    dsn: str, schema: str, database: PostgresDatabase
) -> None:
    _seed(database)
    _kill_at(dsn, schema, "in-commit")
    with PostgresUnitOfWork(database) as uow:
        assert PostgresSessionRepository(uow).get("s").version == 1
        assert PostgresBookingRepository(uow).of_session("s") == []
        assert PostgresCommandRecords(uow).get("ann-1") is None
    assert database.events() == []
    # The killed transaction holds no lock: the retry books the seat.
    booked = _service(database).book(
        "s", "ann", actor=Actor.student("ann"), idempotency_key="ann-1"
    )
    assert booked.state.status.value == "confirmed"
    assert [event.name for event in database.events()] == ["booking.seats_booked"]


def test_killed_after_the_commit_the_relay_delivers_its_events(
    dsn: str, schema: str, database: PostgresDatabase
) -> None:
    _seed(database)
    _kill_at(dsn, schema, "after-commit")
    with PostgresUnitOfWork(database) as uow:
        record = PostgresCommandRecords(uow).get("ann-1")
    assert record is not None
    publisher = InMemoryEventPublisher()
    assert database.relay(publisher) == 1
    assert publisher.published == list(record.events)
    # The client's retry with its key replays the booking, books nothing new.
    again = _service(database).book(
        "s", "ann", actor=Actor.student("ann"), idempotency_key="ann-1"
    )
    assert again.state == record.result
    assert len(database.events()) == 1


@pytest.fixture(autouse=True)
def _posix_only() -> None:
    if sys.platform == "win32":  # pragma: no cover - SIGKILL is POSIX
        pytest.skip("SIGKILL needs POSIX")
