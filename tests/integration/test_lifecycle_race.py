"""A reschedule approval and a 1:1 confirmation race for one teacher and hour.

On an SQLite file, two threads: one approves a group session's reschedule onto
an hour, the other confirms a pending 1:1 request for the same teacher and
hour. Both take the teacher's schedule token, so the second to commit starts
again from a fresh load and is refused: never both succeed, 50 times.
"""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from booking_core import bootstrap
from booking_core.actors import Actor
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.availability import WeeklyAvailability
from booking_core.availability.approval import ApprovalPolicy
from booking_core.availability.schedule import TeacherSchedule
from booking_core.bookings.one_on_one import OneOnOnePolicy
from booking_core.clock import ManualClock
from booking_core.errors import BookingCoreError
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies

UTC = timezone.utc
NOW = datetime(2026, 6, 1, 6, tzinfo=UTC)
HOUR = timedelta(hours=1)
TEACHER = Actor.teacher("t-1")


def test_approval_and_confirmation_never_both_take_the_hour(tmp_path: Path) -> None:
    database = SqliteDatabase(tmp_path / "race.db")
    clock = ManualClock(NOW)
    core = bootstrap(
        uow_factory=lambda: SqliteUnitOfWork(database),
        clock=clock,
        policies=Policies(
            # a pending request does not hold its slot: either side may win
            one_on_one=OneOnOnePolicy(
                approval=ApprovalPolicy(courses={"math": True}),
                pending_holds_slot=False,
            )
        ),
    )
    core.one_on_one.set_schedule(
        TeacherSchedule(
            id="t-1",
            availability=[
                WeeklyAvailability(weekday=d, start=time(0), end=time(23), zone="UTC")
                for d in range(7)
            ],
        ),
        actor=TEACHER,
    )
    both = 0
    winners: set[str] = set()
    for n in range(50):
        day = NOW + timedelta(days=3 + n)
        hour = TimeWindow.of(day.replace(hour=10), HOUR)
        core.sessions.schedule(
            session_id=f"g-{n}",
            kind="group",
            teacher_id="t-1",
            course_id="art",
            window=TimeWindow.of(day.replace(hour=15), HOUR),
            zone="UTC",
            capacity=3,
            actor=TEACHER,
        )
        core.sessions.request_reschedule(
            f"g-{n}",
            reason="the room is taken that day",
            new_start=hour.start,
            actor=Actor.admin("ops"),
        )
        core.one_on_one.request(
            teacher_id="t-1",
            student_id=f"s-{n}",
            course_id="math",
            slot=hour,
            actor=Actor.student(f"s-{n}"),
            booking_id=f"o-{n}",
        )
        barrier = threading.Barrier(2)
        won: list[str] = []

        def approve(
            n: int = n, barrier: threading.Barrier = barrier, won: list[str] = won
        ) -> None:
            barrier.wait()
            try:
                core.sessions.approve_reschedule(f"g-{n}", actor=TEACHER)
            except BookingCoreError:
                return
            won.append("approve")

        def confirm(
            n: int = n, barrier: threading.Barrier = barrier, won: list[str] = won
        ) -> None:
            barrier.wait()
            try:
                core.one_on_one.confirm(f"o-{n}", actor=TEACHER)
            except BookingCoreError:
                return
            won.append("confirm")

        threads = [threading.Thread(target=approve), threading.Thread(target=confirm)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) <= 1, (n, won)
        both += len(won) == 2
        winners.update(won)
    assert both == 0
    assert winners  # the hour was taken, by one side at a time
