"""to_instant against an independent oracle: transitions found by scanning the zone."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from booking_core.errors import NaiveDatetimeError, RepeatedTimeError, SkippedTimeError
from booking_core.testing.strategies import (
    Transition,
    fold_wall_times,
    gap_wall_times,
    transitions,
    wall_times,
    zone_names,
)
from booking_core.zones import require_aware, to_instant, to_local

MODES = ("compatible", "earlier", "later", "raise")


def _kind(wall: datetime, zone: str) -> str:
    for transition in transitions(zone, wall.year):
        first = transition.first_wall
        if first <= wall < first + transition.size:
            return transition.kind
    return "normal"


@given(wall=wall_times(1900, 2100), zone=zone_names())
@example(wall=datetime(2026, 3, 29, 0, 59), zone="Europe/London")
@example(wall=datetime(2026, 3, 29, 2, 0), zone="Europe/London")
@example(wall=datetime(2026, 10, 25, 2, 0), zone="Europe/London")
@example(wall=datetime(2026, 3, 8, 3, 0), zone="America/New_York")
@example(wall=datetime(2026, 11, 1, 2, 0), zone="America/New_York")
@example(wall=datetime(2026, 10, 4, 2, 30), zone="Australia/Lord_Howe")
@example(wall=datetime(2011, 12, 31, 0, 0), zone="Pacific/Apia")
@example(wall=datetime(2011, 12, 29, 23, 59), zone="Pacific/Apia")
def test_round_trip_outside_gaps_and_folds(wall: datetime, zone: str) -> None:
    if _kind(wall, zone) != "normal":
        return
    results = {to_instant(wall, zone, disambiguate=mode) for mode in MODES}  # type: ignore[arg-type]
    assert len(results) == 1
    (instant,) = results
    assert to_local(instant, zone).replace(tzinfo=None) == wall


def _gap_examples() -> list[tuple[datetime, str]]:
    return [
        (datetime(2026, 3, 29, 1, 30), "Europe/London"),
        (datetime(2026, 3, 8, 2, 30), "America/New_York"),
        (datetime(2026, 10, 4, 2, 15), "Australia/Lord_Howe"),
        (datetime(2011, 12, 30, 12, 0), "Pacific/Apia"),
    ]


def _with_transition(wall: datetime, zone: str) -> tuple[datetime, str, Transition]:
    (found,) = [
        t
        for t in transitions(zone, wall.year)
        if t.first_wall <= wall < t.first_wall + t.size
    ]
    return wall, zone, found


gap_examples = [_with_transition(w, z) for w, z in _gap_examples()]
fold_examples = [
    _with_transition(datetime(2026, 10, 25, 1, 30), "Europe/London"),
    _with_transition(datetime(2026, 11, 1, 1, 30), "America/New_York"),
    _with_transition(datetime(2026, 4, 5, 1, 45), "Australia/Lord_Howe"),
    _with_transition(datetime(2011, 4, 2, 3, 30), "Pacific/Apia"),
]


def _gap_test(case: tuple[datetime, str, Transition]) -> None:
    wall, zone, transition = case
    assert transition.kind == "gap"
    compatible = to_instant(wall, zone)
    assert to_local(compatible, zone).replace(tzinfo=None) == wall + transition.size
    assert to_instant(wall, zone, disambiguate="later") == compatible
    earlier = to_instant(wall, zone, disambiguate="earlier")
    assert to_local(earlier, zone).replace(tzinfo=None) == wall - transition.size
    assert compatible - earlier == transition.size
    with pytest.raises(SkippedTimeError):
        to_instant(wall, zone, disambiguate="raise")


def _fold_test(case: tuple[datetime, str, Transition]) -> None:
    wall, zone, transition = case
    assert transition.kind == "fold"
    earlier = to_instant(wall, zone, disambiguate="earlier")
    later = to_instant(wall, zone, disambiguate="later")
    assert later - earlier == transition.size
    assert to_instant(wall, zone) == earlier
    for instant in (earlier, later):
        assert to_local(instant, zone).replace(tzinfo=None) == wall
    with pytest.raises(RepeatedTimeError):
        to_instant(wall, zone, disambiguate="raise")


@given(case=gap_wall_times())
@example(case=gap_examples[0])
@example(case=gap_examples[1])
@example(case=gap_examples[2])
@example(case=gap_examples[3])
def test_gaps_shift_forward_by_their_size(
    case: tuple[datetime, str, Transition],
) -> None:
    _gap_test(case)


@given(case=fold_wall_times())
@example(case=fold_examples[0])
@example(case=fold_examples[1])
@example(case=fold_examples[2])
@example(case=fold_examples[3])
def test_folds_are_exactly_their_size_apart(
    case: tuple[datetime, str, Transition],
) -> None:
    _fold_test(case)


@given(wall=st.datetimes())
def test_naive_input_always_raises(wall: datetime) -> None:
    with pytest.raises(NaiveDatetimeError):
        require_aware(wall)
    with pytest.raises(NaiveDatetimeError):
        to_local(wall, "UTC")


def test_transition_sizes() -> None:
    lord_howe = transitions("Australia/Lord_Howe", 2026)
    assert {t.size for t in lord_howe} == {timedelta(minutes=30)}
    apia = transitions("Pacific/Apia", 2011)
    assert apia[-1].size == timedelta(hours=24)
