"""Bookings per second through the booking service, small vs huge sessions.

Cases:
  * ``booking.capacity_10``: book 10 students into each of many empty sessions of
    capacity 10 (every booking through :class:`BookingService` with the in-memory
    adapter: load the session, index lookup for an active booking, seat decision,
    save session and booking, commit).
  * ``booking.capacity_100000``: book students into one session of capacity
    100,000 that already holds 50,000 confirmed bookings.

The per-booking cost of the second must stay within 1.5x of the first: the seat
state keeps counters and the waitlist, never the list of confirmed bookings, and
"one active booking per student" is an index lookup.

Both cases do the same, valid work per booking: every booking is confirmed
(checked after the timing), because the small sessions follow one another an
hour apart, so neither their teacher nor a student ever holds two overlapping
commitments (overlapping sessions would be refused, not booked).
"""

from __future__ import annotations

import itertools
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import median_seconds, report

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.clock import ManualClock
from booking_core.intervals import TimeWindow
from booking_core.services.booking import BookingService
from booking_core.sessions import Session

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
BATCH = 400
PREFILL = 50_000
REPEAT = 5


def _service(store: InMemoryStore) -> BookingService:
    return BookingService(
        uow_factory=lambda: InMemoryUnitOfWork(store), clock=ManualClock(T0)
    )


def _add_session(
    store: InMemoryStore, session_id: str, capacity: int, slot: int = 0
) -> None:
    """Add a session starting ``slot`` hours after the first one."""
    with InMemoryUnitOfWork(store) as uow:
        uow.sessions.add(
            Session(
                id=session_id,
                kind="group",
                teacher_id="t",
                course_id="c",
                window=TimeWindow.of(
                    T0 + timedelta(days=7, hours=slot), timedelta(hours=1)
                ),
                zone="Europe/London",
                capacity=capacity,
                waitlist_enabled=True,
            )
        )
        uow.commit()


def main() -> None:
    """Print the JSON line comparing capacity 100,000 with capacity 10."""
    small = InMemoryStore()
    small_service = _service(small)
    for n in range((REPEAT + 1) * BATCH // 10):  # created outside the timing
        _add_session(small, f"small-{n}", 10, slot=n)
    sessions = itertools.count()

    def small_batch() -> None:
        for _ in range(BATCH // 10):
            session_id = f"small-{next(sessions)}"
            for i in range(10):
                student = f"st-{i}"
                small_service.book(session_id, student, actor=Actor.student(student))

    big = InMemoryStore()
    big_service = _service(big)
    _add_session(big, "big", 100_000)
    students = itertools.count()

    def big_batch() -> None:
        for _ in range(BATCH):
            student = f"st-{next(students)}"
            big_service.book("big", student, actor=Actor.student(student))

    for _ in range(PREFILL // BATCH):
        big_batch()
    small_batch()  # warm up
    small_s = median_seconds(small_batch, repeat=REPEAT) / BATCH
    big_s = median_seconds(big_batch, repeat=REPEAT) / BATCH
    confirmed = big.collection("sessions")["big"].seats.confirmed
    assert confirmed == PREFILL + BATCH * REPEAT, confirmed
    small_sessions = small.collection("sessions").values()
    assert sum(s.seats.confirmed for s in small_sessions) == BATCH * (REPEAT + 1)
    report(
        "booking.capacity_100000",
        big_s,
        "case:booking.capacity_10",
        small_s,
        bookings_per_s=round(1 / big_s),
        peer_bookings_per_s=round(1 / small_s),
        confirmed_before=PREFILL,
    )


if __name__ == "__main__":
    main()
