"""Free slots and conflict detection at scale, beside ``portion`` and ``sorted()``.

A teacher in Europe/London with 5 weekly ten-hour windows (one crossing midnight)
valid for all of 2026 and 2,000 existing one-hour bookings inside them:

(a) ``year``: every 30-minute slot of the year, against ``portion`` doing only the
    interval subtraction (availability minus the union of the bookings). The peer
    builds the union with ``portion.Interval(*atomics)`` (its fast path: one sort
    and merge of all 2,000 bookings, not 2,000 one-by-one unions), so it does the
    same work as ours, the free time of the year from the same windows and
    bookings, in its best way; ours does more (cuts the free time into slots).
    Target ratio <= 0.2.
(b) ``month``: the slots of one 30-day window, against (a). Target ratio <= 0.1.
    Given the window's bookings, as the library's own listing passes them
    (``OneOnOneService.slots`` loads only the commitments that can reach the
    requested dates). Reported a second time with all 2,000 bookings of the year
    passed unsorted: then each is still looked at once (a linear scan of about
    0.15 ms that no window can avoid), which puts that line near 0.11.
(c) ``conflicts``: ``find_conflicts`` over 1,000,000 commitments (2,000 teachers,
    50,000 students, a year, input in random order), against the floor of
    ``sorted()`` over the same 1,000,000 ``(start, end)`` pairs. Target ratio <= 3.
"""

from __future__ import annotations

import random
import statistics
import sys
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import portion

sys.path.insert(0, str(Path(__file__).parent))

from _common import median_seconds, report

from booking_core.availability import (
    Commitment,
    CommitmentKind,
    SlotRequest,
    WeeklyAvailability,
    available_windows,
    find_conflicts,
    free_slots,
)
from booking_core.intervals import TimeWindow

ZONE = "Europe/London"
FIRST, LAST = date(2026, 1, 1), date(2026, 12, 31)
NOW = datetime(2025, 12, 1, tzinfo=timezone.utc)
HALF_HOUR = timedelta(minutes=30)
HOUR = timedelta(hours=1)

WEEKLY = [
    WeeklyAvailability(
        weekday=day,
        start=time(start),
        end=time(end),
        zone=ZONE,
        valid_from=FIRST,
        valid_until=LAST,
    )
    for day, start, end in [
        (0, 8, 18),
        (1, 8, 18),
        (2, 12, 22),
        (3, 8, 18),
        (5, 20, 6),  # Saturday night into Sunday morning
    ]
]


def interleaved_medians(
    cases: dict[str, tuple[Callable[[], object], int]], *, rounds: int
) -> dict[str, float]:
    """Median seconds per call of each case, the cases taking turns every round.

    The machine is shared: taking turns exposes every case to the same load, so
    the ratios stay honest when the absolute times drift. Each round times
    ``number`` calls of a case with ``median_seconds``.
    """
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, (func, number) in cases.items():
            timings[name].append(median_seconds(func, repeat=1, number=number))
    return {name: statistics.median(values) for name, values in timings.items()}


def bookings(count: int, rng: random.Random) -> list[Commitment]:
    """``count`` one-hour bookings on the hour inside the availability, disjoint."""
    windows = available_windows(WEEKLY, first_date=FIRST, last_date=LAST, zone=ZONE)
    starts = [
        window.start + HOUR * k
        for window in windows
        for k in range(int(window.duration / HOUR))
    ]
    return [
        Commitment(
            window=TimeWindow.of(start, HOUR),
            teacher_id="t-1",
            student_id=f"s-{rng.randrange(300)}",
            kind=CommitmentKind.ONE_ON_ONE,
            ref_id=f"b-{index}",
        )
        for index, start in enumerate(rng.sample(starts, count))
    ]


def bench_slots() -> None:
    rng = random.Random(2026)
    booked = bookings(2000, rng)
    year = SlotRequest(first_date=FIRST, last_date=LAST, zone=ZONE, duration=HALF_HOUR)
    month = SlotRequest(
        first_date=date(2026, 6, 1),
        last_date=date(2026, 6, 30),
        zone=ZONE,
        duration=HALF_HOUR,
    )
    available = available_windows(WEEKLY, first_date=FIRST, last_date=LAST, zone=ZONE)
    p_available = portion.Interval(
        *(portion.closedopen(window.start, window.end) for window in available)
    )

    def peer() -> portion.Interval:
        busy = portion.Interval(
            *(portion.closedopen(c.window.start, c.window.end) for c in booked)
        )
        return p_available - busy

    def ours_year() -> tuple[TimeWindow, ...]:
        return free_slots(WEEKLY, booked, year, now=NOW)

    def ours_month() -> tuple[TimeWindow, ...]:
        return free_slots(WEEKLY, booked, month, now=NOW)

    # What OneOnOneService.slots passes: the commitments within two days of the
    # requested dates (all that a buffer, a cap or a night window can reach).
    reach = TimeWindow(
        start=datetime(2026, 5, 30, tzinfo=timezone.utc),
        end=datetime(2026, 7, 3, tzinfo=timezone.utc),
    )
    june = [c for c in booked if c.window.overlaps(reach)]

    def ours_month_prefiltered() -> tuple[TimeWindow, ...]:
        return free_slots(WEEKLY, june, month, now=NOW)

    assert ours_month() == ours_month_prefiltered()

    # Same instants: the free time portion finds is exactly covered by our slots.
    slots = ours_year()
    free = peer()
    assert sum((s.duration for s in slots), timedelta()) == sum(
        (i.upper - i.lower for i in free), timedelta()
    )
    timings = interleaved_medians(
        {
            "peer": (peer, 1),
            "year": (ours_year, 10),
            "month": (ours_month, 50),
            "june": (ours_month_prefiltered, 50),
        },
        rounds=5,
    )
    peer_s, year_s = timings["peer"], timings["year"]
    month_s, june_s = timings["month"], timings["june"]
    report(
        "availability.slots_year",
        year_s,
        "portion:Interval(*atomics)",
        peer_s,
        slots=len(slots),
        bookings=len(booked),
    )
    report(
        "availability.slots_30_days",
        june_s,
        "case:availability.slots_year",
        year_s,
        slots=len(ours_month()),
        bookings=len(june),
    )
    report(
        "availability.slots_30_days_all_year_bookings",
        month_s,
        "case:availability.slots_year",
        year_s,
        bookings=len(booked),
    )


def bench_conflicts() -> None:
    rng = random.Random(7)
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    kinds = list(CommitmentKind)
    commitments = []
    for index in range(1_000_000):
        start = base + timedelta(minutes=15 * rng.randrange(35_040))
        commitments.append(
            Commitment(
                window=TimeWindow.of(start, HOUR),
                teacher_id=f"t-{rng.randrange(2000)}",
                student_id=f"s-{rng.randrange(50_000)}",
                kind=kinds[index % 3],
                ref_id=f"c-{index}",
            )
        )
    pairs = [(c.window.start, c.window.end) for c in commitments]
    found = find_conflicts(commitments)
    timings = interleaved_medians(
        {
            "floor": (lambda: sorted(pairs), 1),
            "ours": (lambda: find_conflicts(commitments), 1),
        },
        rounds=3,
    )
    floor_s, ours_s = timings["floor"], timings["ours"]
    report(
        "availability.find_conflicts_1m",
        ours_s,
        "floor:sorted() of (start, end)",
        floor_s,
        commitments=len(commitments),
        conflicts=len(found),
    )


def main() -> None:
    bench_slots()
    bench_conflicts()


if __name__ == "__main__":
    main()
