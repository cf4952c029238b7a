"""IntervalSet against a brute-force model: sets of whole minutes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import pairwise

from hypothesis import example, given
from hypothesis import strategies as st

from booking_core.intervals import IntervalSet, TimeWindow

BASE = datetime(2026, 3, 29, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)

Pair = tuple[int, int]


def window(pair: Pair) -> TimeWindow:
    return TimeWindow(start=BASE + pair[0] * MINUTE, end=BASE + pair[1] * MINUTE)


def minutes_of(pairs: list[Pair]) -> set[int]:
    return {m for start, end in pairs for m in range(start, end)}


def minutes_in(interval_set: IntervalSet) -> set[int]:
    found: set[int] = set()
    for w in interval_set:
        found.update(range((w.start - BASE) // MINUTE, (w.end - BASE) // MINUTE))
    return found


def is_canonical(interval_set: IntervalSet) -> bool:
    """Sorted, non-empty windows that neither overlap nor touch."""
    ws = interval_set.windows
    return all(a.end < b.start for a, b in pairwise(ws))


pairs_st = st.tuples(st.integers(0, 120), st.integers(1, 30)).map(
    lambda p: (p[0], p[0] + p[1])
)
pair_lists = st.lists(pairs_st, max_size=8)


@given(pair_lists)
@example([(0, 10), (10, 20)])  # touching windows merge
@example([(5, 10), (0, 30)])  # one inside another
def test_of_is_the_union_of_its_windows(pairs: list[Pair]) -> None:
    built = IntervalSet.of(window(p) for p in pairs)
    assert minutes_in(built) == minutes_of(pairs)
    assert is_canonical(built)
    assert len(built) == len(built.windows)
    assert bool(built) == bool(pairs)
    assert built.total_duration == len(minutes_of(pairs)) * MINUTE
    assert IntervalSet.of(reversed([window(p) for p in pairs])) == built


@given(pair_lists, pair_lists)
@example([(0, 10)], [(10, 20)])
@example([(0, 30)], [(10, 20)])
@example([(10, 20)], [(0, 30)])
def test_set_operations_match_minutes(a: list[Pair], b: list[Pair]) -> None:
    sa, sb = IntervalSet.of(map(window, a)), IntervalSet.of(map(window, b))
    ma, mb = minutes_of(a), minutes_of(b)
    for result, expected in [
        (sa | sb, ma | mb),
        (sa & sb, ma & mb),
        (sa - sb, ma - mb),
        (sb - sa, mb - ma),
    ]:
        assert minutes_in(result) == expected
        assert is_canonical(result)
    assert sa | sb == sb | sa
    assert sa & sb == sb & sa
    assert (sa - sb) | (sa & sb) == sa


@given(pair_lists, pairs_st)
def test_queries_match_minutes(pairs: list[Pair], probe: Pair) -> None:
    built = IntervalSet.of(map(window, pairs))
    minutes = minutes_of(pairs)
    probe_minutes = set(range(*probe))
    w = window(probe)
    assert built.overlaps(w) == bool(minutes & probe_minutes)
    assert built.encloses(w) == any(
        s <= probe[0] and probe[1] <= e for s, e in zip_pairs(built)
    )
    assert minutes_in(built.clip(w)) == minutes & probe_minutes
    assert all(o.overlaps(w) for o in built.overlapping(w))
    assert sum(len(m) for m in map(minutes_in_window, built.overlapping(w))) >= len(
        minutes & probe_minutes
    )
    assert (BASE + probe[0] * MINUTE in built) == (probe[0] in minutes)
    assert minutes_in(built.gaps(w)) == probe_minutes - minutes


def zip_pairs(interval_set: IntervalSet) -> list[Pair]:
    return [
        ((w.start - BASE) // MINUTE, (w.end - BASE) // MINUTE) for w in interval_set
    ]


def minutes_in_window(w: TimeWindow) -> set[int]:
    return set(range((w.start - BASE) // MINUTE, (w.end - BASE) // MINUTE))


@given(pair_lists)
def test_gaps_are_the_holes_inside_the_span(pairs: list[Pair]) -> None:
    built = IntervalSet.of(map(window, pairs))
    gaps = built.gaps()
    if not pairs:
        assert not gaps
        assert built.span is None
        return
    span = built.span
    assert span is not None
    lo, hi = (span.start - BASE) // MINUTE, (span.end - BASE) // MINUTE
    assert minutes_in(gaps) == set(range(lo, hi)) - minutes_of(pairs)
    assert (gaps | built) == IntervalSet.of([span])
