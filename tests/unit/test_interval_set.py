from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking_core.errors import InvalidValueError, NaiveDatetimeError
from booking_core.intervals import IntervalSet, TimeWindow

UTC = timezone.utc


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 29, hour, minute, tzinfo=UTC)


def w(a: int, b: int) -> TimeWindow:
    return TimeWindow(start=at(a), end=at(b))


def test_empty_and_truthiness() -> None:
    empty = IntervalSet.empty()
    assert not empty
    assert len(empty) == 0
    assert empty.windows == ()
    assert empty.span is None
    assert empty.total_duration == timedelta(0)
    assert empty == IntervalSet.of([])
    assert not empty.overlaps(w(1, 2))
    assert not empty.encloses(w(1, 2))
    assert at(1) not in empty
    assert empty.gaps() == empty
    assert repr(empty) == "IntervalSet([])"


def test_of_merges_sorts_and_is_hashable() -> None:
    built = IntervalSet.of([w(5, 6), w(1, 2), w(2, 3), w(1, 2)])
    assert built.windows == (w(1, 3), w(5, 6))
    assert list(built) == [w(1, 3), w(5, 6)]
    assert hash(built) == hash(IntervalSet.of([w(5, 6), w(1, 3)]))
    assert built.span == w(1, 6)
    assert repr(built) == (
        "IntervalSet([2026-03-29T01:00:00+00:00/2026-03-29T03:00:00+00:00, "
        "2026-03-29T05:00:00+00:00/2026-03-29T06:00:00+00:00])"
    )


def test_of_refuses_non_windows() -> None:
    with pytest.raises(InvalidValueError, match="TimeWindow"):
        IntervalSet.of([(at(1), at(2))])  # type: ignore[list-item]


def test_windows_in_other_zones_are_stored_in_utc() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    built = IntervalSet.of(
        [TimeWindow(start=datetime(2026, 3, 29, 9, tzinfo=kolkata), end=at(4))]
    )
    assert built.windows[0].start == datetime(2026, 3, 29, 3, 30, tzinfo=UTC)
    assert built.windows[0].start.tzinfo is UTC


def test_algebra_examples() -> None:
    day = IntervalSet.of([w(9, 17)])
    busy = IntervalSet.of([w(8, 10), w(12, 13), w(16, 18)])
    assert (day - busy).windows == (w(10, 12), w(13, 16))
    assert (day & busy).windows == (w(9, 10), w(12, 13), w(16, 17))
    assert (day | busy).windows == (w(8, 18),)
    assert day.difference(IntervalSet.empty()) == day
    assert IntervalSet.empty().difference(day) == IntervalSet.empty()
    assert (busy - IntervalSet.of([w(0, 23)])) == IntervalSet.empty()


def test_queries() -> None:
    s = IntervalSet.of([w(1, 3), w(5, 6)])
    assert s.overlaps(w(2, 4))
    assert not s.overlaps(w(3, 5))  # touching is no overlap
    assert s.overlapping(w(2, 6)) == (w(1, 3), w(5, 6))
    assert s.overlapping(w(3, 5)) == ()
    assert s.encloses(w(1, 2))
    assert not s.encloses(w(2, 5))
    assert not s.encloses(w(0, 1))
    assert at(1) in s
    assert at(3) not in s
    assert at(0) not in s
    assert "01:00" not in s
    assert s.clip(w(2, 23)).windows == (w(2, 3), w(5, 6))
    assert s.clip(w(3, 5)) == IntervalSet.empty()
    assert s.gaps().windows == (w(3, 5),)
    assert s.gaps(w(0, 8)).windows == (w(0, 1), w(3, 5), w(6, 8))
    with pytest.raises(NaiveDatetimeError):
        _ = datetime(2026, 3, 29, 1) in s
