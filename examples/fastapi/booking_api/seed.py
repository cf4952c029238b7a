"""Schedule two group sessions to try the API on: ``python -m booking_api.seed``."""

from __future__ import annotations

from datetime import timedelta

from booking_core import bootstrap
from booking_core.actors import Actor
from booking_core.clock import SystemClock
from booking_core.intervals import TimeWindow

from booking_api.storage import open_store


def main() -> None:
    """Schedule ``yoga-1`` (2 seats, waitlist) and ``maths-1`` (10 seats)."""
    store = open_store()
    clock = SystemClock()
    core = bootstrap(uow_factory=store.uow_factory(), clock=clock)
    teacher = Actor.teacher("teacher-1")
    start = clock.now().replace(minute=0, second=0, microsecond=0)
    try:
        for session_id, days, seats in (("yoga-1", 1, 2), ("maths-1", 2, 10)):
            core.sessions.schedule(
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
    finally:
        store.close()


if __name__ == "__main__":
    main()
