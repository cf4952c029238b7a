"""``of_booking`` finds what the old scan over the teacher's series found.

The 1:1 cancel used to read every series of the booking's teacher and look
for the booking among their items; it now asks the series store for the
series holding the booking. On the in-memory store and SQLite, staged and
committed, and after a second save that cancels or drops items, both answer
the same for every booking id (and for ids no series holds).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import attrs
from hypothesis import given
from hypothesis import strategies as st

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.ports import UnitOfWork
from booking_core.recurrence import RecurrenceRule
from booking_core.series import BookingSeries, cancel_occurrences, create_series

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
TEACHERS = ("t-1", "t-2")


def _series(n: int, teacher: str, count: int) -> BookingSeries:
    return create_series(
        id=f"series-{n}",
        teacher_id=teacher,
        student_id=f"s-{n % 3}",
        rule=RecurrenceRule.parse(f"FREQ=DAILY;COUNT={count}"),
        start=datetime(2026, 3, 2, 9 + n % 8, tzinfo=timezone.utc),
        zone="Europe/London",
        duration=timedelta(minutes=45),
        until=datetime(2026, 4, 1, tzinfo=timezone.utc),
        existing=[],
        actor=Actor.system(),
        now=NOW,
    ).state


def _stores() -> Iterator[Callable[[], UnitOfWork]]:
    store = InMemoryStore()
    yield lambda: InMemoryUnitOfWork(store)
    database = SqliteDatabase(":memory:")
    yield lambda: SqliteUnitOfWork(database)


def _scan(uow: UnitOfWork, teacher: str, booking_id: str) -> str | None:
    """What the cancel found before: the teacher's series, scanned in order."""
    for series in uow.series.of_teacher(teacher):
        if any(item.booking_id == booking_id for item in series.items):
            return series.id
    return None


def _check(uow: UnitOfWork, asked: list[str]) -> None:
    for booking_id in asked:
        found = uow.series.of_booking(booking_id)
        scanned = [_scan(uow, teacher, booking_id) for teacher in TEACHERS]
        holders = [s for s in scanned if s is not None]
        assert len(holders) <= 1
        assert (None if found is None else found.id) == (
            holders[0] if holders else None
        )


def _changed(series: BookingSeries, change: int) -> BookingSeries:
    """0: unchanged, 1: first item cancelled, 2: last item dropped."""
    if change == 1:
        return cancel_occurrences(
            series,
            occurrence_index=series.items[0].occurrence_index,
            scope="one",
            reason="ill",
            actor=Actor.system(),
            now=NOW,
        ).state
    return attrs.evolve(series, items=series.items[:-1])


@given(
    plans=st.lists(
        st.tuples(st.sampled_from(TEACHERS), st.integers(1, 5), st.integers(0, 2)),
        max_size=8,
    ),
    staged=st.booleans(),
)
def test_of_booking_equals_the_scan_over_the_teachers_series(
    plans: list[tuple[str, int, int]], staged: bool
) -> None:
    all_series = [
        _series(n, teacher, count) for n, (teacher, count, _) in enumerate(plans)
    ]
    asked = [item.booking_id for series in all_series for item in series.items]
    asked += ["series-0", "series-0~9", "booking-from-a-slot"]
    for factory in _stores():
        with factory() as uow:
            for series in all_series:
                uow.series.add(series)
            if staged:
                _check(uow, asked)
                continue
            uow.commit()
        with factory() as uow:
            _check(uow, asked)
        with factory() as uow:
            for series, (_, _, change) in zip(all_series, plans, strict=True):
                if change:
                    uow.series.save(_changed(uow.series.get(series.id), change))
            _check(uow, asked)
            uow.commit()
        with factory() as uow:
            _check(uow, asked)
