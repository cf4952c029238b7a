"""Interval sets at their boundaries: touching windows, exact ends, exact totals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from booking_core import IntervalSet, TimeWindow
from booking_core.errors import InvalidValueError, InvalidWindowError


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 29, hour, minute, tzinfo=timezone.utc)


def w(a: int, b: int) -> TimeWindow:
    return TimeWindow(start=at(a), end=at(b))


def hours(s: IntervalSet) -> list[tuple[int, int]]:
    return [(x.start.hour, x.end.hour) for x in s]


def test_total_duration_sums_the_windows_exactly() -> None:
    s = IntervalSet.of([w(1, 3), w(5, 6), w(10, 14)])
    assert s.total_duration == timedelta(hours=7)


def test_touching_sets_do_not_intersect() -> None:
    a, b = IntervalSet.of([w(9, 10)]), IntervalSet.of([w(10, 11)])
    meet = a & b
    assert not meet
    assert len(meet) == 0
    assert meet.windows == ()
    assert hours(IntervalSet.of([w(9, 11)]) & IntervalSet.of([w(10, 12)])) == [(10, 11)]


def test_intersection_walks_both_sets() -> None:
    a = IntervalSet.of([w(1, 4), w(6, 9), w(11, 12)])
    b = IntervalSet.of([w(2, 7), w(8, 13)])
    assert hours(a & b) == [(2, 4), (6, 7), (8, 9), (11, 12)]
    assert hours(b & a) == [(2, 4), (6, 7), (8, 9), (11, 12)]


def test_touching_windows_merge_on_union() -> None:
    merged = IntervalSet.of([w(9, 10)]) | IntervalSet.of([w(10, 11), w(12, 13)])
    assert hours(merged) == [(9, 11), (12, 13)]
    inside = IntervalSet.of([w(9, 12), w(10, 11)])
    assert hours(inside) == [(9, 12)]


def test_difference_at_exact_ends() -> None:
    day = IntervalSet.of([w(9, 17)])
    assert hours(day - IntervalSet.of([w(15, 17)])) == [(9, 15)]
    assert hours(day - IntervalSet.of([w(9, 10)])) == [(10, 17)]
    assert hours(day - IntervalSet.of([w(8, 9), w(17, 18)])) == [(9, 17)]
    assert hours(day - IntervalSet.of([w(10, 11), w(12, 17), w(18, 19)])) == [
        (9, 10),
        (11, 12),
    ]
    assert not day - IntervalSet.of([w(9, 17)])


def test_membership_is_half_open() -> None:
    s = IntervalSet.of([w(9, 10)])
    assert at(9) in s
    assert at(10) not in s
    assert (at(10) - timedelta(microseconds=1)) in s
    assert s.encloses(w(9, 10))
    assert not s.encloses(TimeWindow(start=at(9), end=at(10, 1)))
    assert not s.overlaps(w(10, 11))
    assert s.overlaps(TimeWindow(start=at(9, 59), end=at(11)))


def test_clip_cuts_at_both_bounds() -> None:
    s = IntervalSet.of([w(1, 4), w(6, 9)])
    assert hours(s.clip(w(2, 7))) == [(2, 4), (6, 7)]
    assert hours(s.clip(w(4, 6))) == []


def test_a_window_must_end_after_it_starts() -> None:
    with pytest.raises(InvalidWindowError) as caught:
        TimeWindow(start=at(10), end=at(10))
    assert caught.value.details == {
        "start": at(10).isoformat(),
        "end": at(10).isoformat(),
    }


def test_from_pairs_drops_empty_and_reversed_pairs() -> None:
    # the integer-instant constructor free_slots builds its sets with
    built = IntervalSet._from_pairs([(5, 5), (9, 3), (1, 4), (4, 6), (7, 7), (8, 9)])
    assert (built._starts, built._ends) == ((1, 8), (6, 9))
    assert not IntervalSet._from_pairs([(7, 7)])


def test_touching_windows_do_not_overlap_either_way_round() -> None:
    assert not w(9, 10).overlaps(w(10, 11))
    assert not w(10, 11).overlaps(w(9, 10))
    assert w(10, 11).overlaps(w(9, 12))


def test_window_of_and_set_of_name_the_bad_argument() -> None:
    assert TimeWindow.of(at(9), timedelta(hours=2)) == w(9, 11)
    with pytest.raises(InvalidValueError) as caught:
        TimeWindow.of(at(9), 2)  # type: ignore[arg-type]
    assert caught.value.details == {
        "field": "duration",
        "reason": "must be a timedelta",
        "value": 2,
    }
    with pytest.raises(InvalidValueError) as caught:
        IntervalSet.of([w(9, 10), (at(1), at(2))])  # type: ignore[list-item]
    assert caught.value.details == {
        "field": "windows",
        "reason": "items must be TimeWindow",
        "value": (at(1), at(2)),
    }
