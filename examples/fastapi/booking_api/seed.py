"""Schedule two group sessions to try the API on: ``python -m booking_api.seed``."""

from __future__ import annotations

import os
from datetime import timedelta

from booking_core.actors import Actor
from booking_core.adapters.sqlite import (
    SqliteDatabase,
    SqliteSessionRepository,
    SqliteUnitOfWork,
)
from booking_core.clock import SystemClock
from booking_core.intervals import TimeWindow
from booking_core.services.sessions import SessionService


def main() -> None:
    """Schedule ``yoga-1`` (2 seats, waitlist) and ``maths-1`` (10 seats)."""
    database = SqliteDatabase(os.environ.get("BOOKING_API_DB", "booking_api.sqlite3"))
    clock = SystemClock()
    sessions = SessionService(
        uow_factory=lambda: SqliteUnitOfWork(database),
        sessions=SqliteSessionRepository,
        clock=clock,
    )
    teacher = Actor.teacher("teacher-1")
    start = clock.now().replace(minute=0, second=0, microsecond=0)
    for session_id, days, seats in (("yoga-1", 1, 2), ("maths-1", 2, 10)):
        sessions.schedule(
            session_id=session_id,
            kind="group",
            teacher_id=teacher.user_id,
            course_id=session_id.split("-")[0],
            window=TimeWindow.of(start + timedelta(days=days), timedelta(hours=1)),
            zone="Europe/London",
            capacity=seats,
            waitlist_enabled=True,
            actor=teacher,
        )
        print(f"scheduled {session_id}: {seats} seats, in {days} day(s)")


if __name__ == "__main__":
    main()
