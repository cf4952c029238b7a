"""Cost of a monitor tick against the floor of the work it cannot avoid.

Cases:
  * ``monitor.tick.idle.200``: a tick that finds nothing due among 200 scheduled
    future sessions (in memory) vs the floor: the three "what is due" queries
    (``offers_due``, ``pending_reschedules``, ``scheduled_sessions``) alone.
  * ``monitor.tick.complete.50``: a tick that completes 50 sessions past their
    grace period (attendance marked, session completed) vs calling
    ``AttendanceService.mark_session`` and ``SessionService.complete`` directly
    for the same 50 sessions (what the tick does, without finding them).

The inputs are valid, so both sides do real work: the future sessions of the
one teacher follow one another an hour apart, and each session that ran has a
teacher of its own (one teacher cannot hold overlapping sessions; scheduling
them would be refused).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import median_seconds, report

from booking_core import bootstrap
from booking_core.actors import Actor, Role
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.attendance.model import ParticipationEvent
from booking_core.clock import ManualClock
from booking_core.intervals import TimeWindow
from booking_core.services.monitor import Monitor

T0 = datetime(2026, 10, 20, 9, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
SYSTEM = Actor.system()
REPEAT = 5


def _teacher(session_id: str) -> str:
    """The teacher of a session that ran: one per session, so none overlap."""
    return f"t-{session_id}"


class World:
    """``future`` sessions not due yet, ``ran`` sessions past their grace period."""

    def __init__(self, *, future: int, ran: int) -> None:
        self.store = InMemoryStore()
        self.clock = ManualClock(T0)
        core = bootstrap(
            uow_factory=self.uow,
            clock=self.clock,
            gateway=FakePaymentGateway(
                secret=b"bench-webhook-secret", clock=self.clock.now
            ),
        )
        self.sessions = core.sessions
        self.attendance = core.attendance
        # The session steps only (no payments, no 1:1), as the floors measure.
        self.monitor = Monitor(
            uow_factory=self.uow,
            clock=self.clock,
            booking_service=core.bookings,
            session_service=self.sessions,
            attendance_service=self.attendance,
        )
        self.ran = [f"ran-{n}" for n in range(ran)]
        for n in range(future):
            self._schedule(f"future-{n}", "t-1", T0 + timedelta(days=2, hours=n))
        for session_id in self.ran:
            self._schedule(session_id, _teacher(session_id), T0 + HOUR)
            self.attendance.enrol(session_id, _teacher(session_id), Role.TEACHER)
        self.clock.set(T0 + HOUR)
        for session_id in self.ran:
            self.attendance.record(
                session_id,
                _teacher(session_id),
                Role.TEACHER,
                ParticipationEvent.joined(T0 + HOUR),
                actor=SYSTEM,
            )
        self.after = T0 + 3 * HOUR
        self.clock.set(self.after)

    def uow(self) -> InMemoryUnitOfWork:
        """A unit of work on the world's store."""
        return InMemoryUnitOfWork(self.store)

    def _schedule(self, session_id: str, teacher_id: str, start: datetime) -> None:
        self.sessions.schedule(
            session_id=session_id,
            kind="group",
            teacher_id=teacher_id,
            course_id="c-1",
            window=TimeWindow.of(start, HOUR),
            zone="Europe/London",
            capacity=5,
            actor=Actor.teacher(teacher_id),
        )

    def due_queries(self) -> None:
        """The floor of an idle tick: the queries that find what is due."""
        with self.uow() as uow:
            uow.bookings.offers_due(due_by=self.after)
            sessions = uow.sessions
            sessions.pending_reschedules(due_by=self.after)
            sessions.scheduled_sessions(starting_before=self.after)

    def direct(self) -> None:
        """The floor of a busy tick: the services called for each session."""
        for session_id in self.ran:
            self.attendance.mark_session(session_id, actor=SYSTEM)
            self.sessions.complete(session_id, actor=SYSTEM)


def _fresh(make: Callable[[], World], use: Callable[[World], object]) -> float:
    """Median of REPEAT runs, each on its own freshly built world (not timed)."""
    worlds = [make() for _ in range(REPEAT)]
    return median_seconds(lambda: use(worlds.pop()), repeat=REPEAT)


def main() -> None:
    idle = World(future=200, ran=0)
    assert idle.monitor.tick().total == 0
    report(
        "monitor.tick.idle.200",
        median_seconds(idle.monitor.tick, repeat=REPEAT),
        "floor:due-queries",
        median_seconds(idle.due_queries, repeat=REPEAT),
    )

    def ticked(world: World) -> None:
        result = world.monitor.tick()
        assert len(result.sessions_completed) == 50, result.summary()

    make = lambda: World(future=0, ran=50)  # noqa: E731 - a one-line factory
    report(
        "monitor.tick.complete.50",
        _fresh(make, ticked),
        "floor:services-direct",
        _fresh(make, World.direct),
    )


if __name__ == "__main__":
    main()
