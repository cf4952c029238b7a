"""``manage.py seed_sessions``: schedule two group sessions to try the views on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from booking_core.actors import Actor
from booking_core.intervals import TimeWindow
from django.core.management.base import BaseCommand

from classroom.services import core


class Command(BaseCommand):
    """Schedule ``yoga-1`` (2 seats, waitlist) and ``maths-1`` (10 seats)."""

    help = "Schedule two group sessions (yoga-1, maths-1) starting in 1 and 2 days."

    def handle(self, *args: Any, **options: Any) -> None:
        """Schedule the sessions through the library's session service (its clock)."""
        teacher = Actor.teacher("teacher-1")
        start = core().clock.now().replace(minute=0, second=0, microsecond=0)
        for session_id, days, seats in (("yoga-1", 1, 2), ("maths-1", 2, 10)):
            core().sessions.schedule(
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
            self.stdout.write(
                f"scheduled {session_id}: {seats} seats, in {days} day(s)"
            )
