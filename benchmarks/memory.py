"""What the in-memory store holds for a big session, against the same data as tuples.

Case ``memory.session_100k``: one group session with 100,000 seats and 100,000
confirmed bookings in an :class:`InMemoryStore`, each the pure seat decision
(:func:`booking_core.bookings.capacity.book`) staged through the public unit of
work, 1,000 to a commit (what :class:`BookingService` does, without its
per-command transaction, which ``tracemalloc`` would make minutes long). The
store then holds the aggregates, every index entry the library's queries need,
and whatever the events left behind; a relay drains the outbox after every
commit, as a host runs one. ``ours_s`` and ``peer_s`` are
megabytes here, not seconds: the memory ``tracemalloc`` counts as allocated and
still alive once the bookings are in.

Peer ``floor:tuples``: the same data as plain tuples, one per booking in a list
(its id, type, session, student, teacher, course, window start and end, status,
seats and creation time: the fields a booking has, the strings built the same
way) plus one for the session. It is the same work because it is the same
information with no lookup structure at all: anything a store adds over it is its
index and object overhead. Target ratio <= 2.5.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import report

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.bookings import capacity
from booking_core.bookings.model import Booking
from booking_core.bookings.policies import BookingPolicy
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.sessions import Session

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
SEATS = 100_000
BATCH = 1000
POLICY = BookingPolicy()
MB = 1024 * 1024


def _session() -> Session:
    return Session(
        id="big-session",
        kind="group",
        teacher_id="teacher-1",
        course_id="course-1",
        window=TimeWindow.of(T0 + timedelta(days=7), timedelta(hours=1)),
        zone="Europe/London",
        capacity=SEATS,
    )


def _ours() -> object:
    store = InMemoryStore()
    with InMemoryUnitOfWork(store) as uow:
        uow.sessions.add(_session())
        uow.commit()
    relay = _DroppingPublisher()
    for first in range(0, SEATS, BATCH):
        with InMemoryUnitOfWork(store) as uow:
            session = uow.sessions.get("big-session")
            for n in range(first, first + BATCH):
                student_id = f"student-{n:06d}"
                change = capacity.book(
                    session,
                    booking_id=f"booking-{n:06d}",
                    student_id=student_id,
                    seats=1,
                    actor=Actor.student(student_id),
                    now=T0,
                    policy=POLICY,
                )
                session = change.state.session
                move = change.state.moves[0]
                uow.bookings.add(
                    Booking(
                        id=move.booking_id,
                        type="group",
                        session_id=session.id,
                        student_id=student_id,
                        teacher_id=session.teacher_id,
                        course_id=session.course_id,
                        window=session.window,
                        status=move.status,
                        seats=move.seats,
                        created_at=T0,
                    )
                )
                uow.collect(change.events)
            uow.sessions.save(session)
            uow.commit()
        store.relay(relay)
    return store


class _DroppingPublisher:
    """A relay target that forwards nothing (the events' consumers are elsewhere)."""

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Drop the events."""


def _floor() -> object:
    session = _session()
    window = session.window
    rows: list[object] = [
        (
            session.id,
            session.kind,
            session.teacher_id,
            session.course_id,
            window.start,
            window.end,
            session.zone,
            session.capacity,
            SEATS,
        )
    ]
    rows.extend(
        (
            f"booking-{n:06d}",
            "group",
            session.id,
            f"student-{n:06d}",
            session.teacher_id,
            session.course_id,
            window.start,
            window.end,
            "confirmed",
            1,
            T0,
        )
        for n in range(SEATS)
    )
    return rows


def _retained_mb(build: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        kept = build()
        gc.collect()
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del kept
    return size / MB


def main() -> None:
    """Print the JSON line of the case."""
    floor = _retained_mb(_floor)
    ours = _retained_mb(_ours)
    report(
        "memory.session_100k",
        ours,
        "floor:tuples",
        floor,
        unit="MB",
        bookings=SEATS,
    )


if __name__ == "__main__":
    main()
