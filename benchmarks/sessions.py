"""Cost of the session state machine against the floor of bare ``attrs.evolve``.

Cases:
  * ``sessions.request+approve``: one reschedule request and its approval (two
    validated commands, two events) vs two ``attrs.evolve`` calls on the session.
  * ``sessions.replay.100``: rebuilding a session from a 100-event audit trail vs
    100 ``attrs.evolve`` calls.
  * ``sessions.can_join``: the join predicate (permission, status, window) vs
    ``TimeWindow.contains`` on the precomputed join window.

Each peer is a floor of the same work: the new states (or the one instant
check) any implementation must produce, from the same session, with the
validation, rules and events left out, so a ratio is what those cost.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).parent))

from _common import median_seconds, report

from booking_core.actors import Actor
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.sessions import (
    ReschedulePolicy,
    Session,
    SessionPolicy,
    approve_reschedule,
    can_join,
    decline_reschedule,
    join_window,
    replay,
    request_reschedule,
    schedule,
)

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
START = T0 + timedelta(days=30)
TEACHER = Actor.teacher("t-1")
STUDENT = Actor.student("s-1")
STUDENTS = frozenset({"s-1"})
RP = ReschedulePolicy()
SP = SessionPolicy()


def _scheduled() -> tuple[Session, list[DomainEvent]]:
    decision = schedule(
        session_id="s",
        kind="one_on_one",
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(START, timedelta(hours=1)),
        zone="Europe/London",
        actor=TEACHER,
        now=T0,
    )
    return decision.state, list(decision.events)


def request_and_approve(session: Session) -> Session:
    asked = request_reschedule(
        session,
        reason="a clash with an exam",
        new_start=START + timedelta(days=1),
        students=STUDENTS,
        actor=STUDENT,
        now=T0,
        policy=RP,
    ).state
    return approve_reschedule(
        asked, students=STUDENTS, actor=TEACHER, now=T0, policy=RP
    ).state


def history(length: int) -> list[DomainEvent]:
    session, events = _scheduled()
    while len(events) < length:
        asked = request_reschedule(
            session,
            reason="a clash with an exam",
            students=STUDENTS,
            actor=STUDENT,
            now=T0,
            policy=RP,
        )
        declined = decline_reschedule(
            asked.state, students=STUDENTS, actor=TEACHER, now=T0, policy=RP
        )
        session = declined.state
        events.extend([*asked.events, *declined.events])
    return events[:length]


def main() -> None:
    session, _ = _scheduled()
    moved = TimeWindow.of(START + timedelta(days=1), timedelta(hours=1))

    def floor_two() -> None:
        attrs.evolve(attrs.evolve(session, window=moved), window=session.window)

    ours = median_seconds(lambda: request_and_approve(session), repeat=7, number=2000)
    peer = median_seconds(floor_two, repeat=7, number=2000)
    report("sessions.request+approve", ours, "floor:attrs.evolve x2", peer)

    events = history(100)

    def floor_hundred() -> None:
        current = session
        for _ in range(100):
            current = attrs.evolve(current, window=moved)

    ours = median_seconds(lambda: replay(events), repeat=7, number=50)
    peer = median_seconds(floor_hundred, repeat=7, number=50)
    report("sessions.replay.100", ours, "floor:attrs.evolve x100", peer)

    now = START
    window = join_window(session, SP)
    ours = median_seconds(
        lambda: can_join(session, STUDENT, now=now, policy=SP, students=STUDENTS),
        repeat=7,
        number=5000,
    )
    peer = median_seconds(lambda: window.contains(now), repeat=7, number=5000)
    report("sessions.can_join", ours, "floor:TimeWindow.contains", peer)


if __name__ == "__main__":
    main()
