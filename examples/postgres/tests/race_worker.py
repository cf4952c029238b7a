"""One process of the booking race (run by test_race.py, not collected by pytest).

Usage: ``python race_worker.py DSN SCHEMA STUDENT_ID...``. It opens the store,
prints ``ready``, waits for a line on stdin (the starting gun), books every
student through :class:`~booking_core.services.booking.BookingService` with the
idempotency key ``key-<student>``, and prints one JSON line
``{"student": ..., "booking": ..., "status": ...}`` per booking.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from booking_core_postgres import (
    PostgresBookingRepository,
    PostgresCommandRecords,
    PostgresDatabase,
    PostgresSessionRepository,
    PostgresUnitOfWork,
)

from booking_core.actors import Actor
from booking_core.clock import ManualClock
from booking_core.services.booking import BookingService

NOW = datetime(2026, 3, 28, 9, tzinfo=timezone.utc)


def main(dsn: str, schema: str, students: list[str]) -> None:
    database = PostgresDatabase(dsn, schema=schema)
    service = BookingService(
        uow_factory=lambda: PostgresUnitOfWork(database),
        sessions=PostgresSessionRepository,
        bookings=PostgresBookingRepository,
        records=PostgresCommandRecords,
        clock=ManualClock(NOW),
        attempts=2000,
    )
    print("ready", flush=True)
    sys.stdin.readline()
    for student in students:
        decision = service.book(
            "s", student, actor=Actor.student(student), idempotency_key=f"key-{student}"
        )
        line = {
            "student": student,
            "booking": decision.state.id,
            "status": decision.state.status.value,
        }
        print(json.dumps(line), flush=True)
    database.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
