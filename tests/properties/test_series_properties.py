"""Properties of series expansion: indexes, conflict modes, idempotent extension."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from booking_core.actors import Actor
from booking_core.availability.commitments import Commitment, find_conflicts
from booking_core.errors import SeriesConflictError
from booking_core.intervals import TimeWindow
from booking_core.recurrence import RecurrenceRule
from booking_core.series import (
    BookingSeries,
    ConflictMode,
    create_series,
    draft_series,
    extend_series,
    start_series,
)

UTC = timezone.utc
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ZONES = ("Europe/London", "Asia/Kolkata")
RULES = (
    "FREQ=WEEKLY",
    "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=MONTHLY;BYMONTHDAY=29,31",
    "FREQ=WEEKLY;COUNT=5",
)


@st.composite
def plans(draw: st.DrawFn) -> dict[str, object]:
    zone = draw(st.sampled_from(ZONES))
    # wall times around the DST changes of 2026 (London: 29 March, 25 October)
    day = draw(st.sampled_from((datetime(2026, 3, 23), datetime(2026, 10, 19))))
    start = day + timedelta(
        days=draw(st.integers(0, 8)),
        hours=draw(st.integers(0, 23)),
        minutes=draw(st.sampled_from((0, 30))),
    )
    weeks = draw(st.integers(1, 12))
    busy = draw(
        st.lists(
            st.tuples(
                st.integers(0, weeks * 7 * 24),
                st.sampled_from(("t-1", "t-2")),
                st.sampled_from(("s-1", "s-2")),
            ),
            max_size=8,
        )
    )
    existing = [
        Commitment(
            window=TimeWindow.of(
                datetime(2026, 3, 20, tzinfo=UTC)
                + timedelta(hours=hours, days=210 if start.month == 10 else 0),
                timedelta(hours=2),
            ),
            teacher_id=teacher,
            student_id=student,
            kind="one_on_one",
            ref_id=f"b-{n}",
        )
        for n, (hours, teacher, student) in enumerate(busy)
    ]
    return {
        "rule": RecurrenceRule.parse(draw(st.sampled_from(RULES))),
        "start": start,
        "zone": zone,
        "duration": timedelta(minutes=draw(st.sampled_from((30, 60, 90)))),
        "until": (start + timedelta(weeks=weeks)).replace(tzinfo=UTC),
        "existing": existing,
    }


def _create(plan: dict[str, object], mode: ConflictMode) -> BookingSeries:
    return create_series(
        id="series",
        teacher_id="t-1",
        student_id="s-1",
        actor=Actor.system(),
        now=NOW,
        mode=mode,
        **plan,  # type: ignore[arg-type]
    ).state


@settings(max_examples=80, deadline=None)
@given(plans())
def test_items_carry_the_recurrences_indexes_and_windows(
    plan: dict[str, object],
) -> None:
    series = _create(plan, ConflictMode.SKIP_CONFLICTS)
    expected = {
        o.index: o.window
        for o in series.recurrence.between(series.first_start, series.expanded_until)
    }
    indexes = [item.occurrence_index for item in series.items]
    assert indexes == sorted(set(indexes))
    skipped = {s.occurrence_index for s in series.skipped}
    assert not skipped & set(indexes)
    assert skipped | set(indexes) == set(expected)
    for item in series.items:
        assert item.window == expected[item.occurrence_index]
    # what was booked never conflicts with the given commitments or itself
    ours = {c.ref_id for c in series.commitments()}
    existing: list[Commitment] = plan["existing"]  # type: ignore[assignment]
    clashes = find_conflicts([*existing, *series.commitments()])
    assert not [c for c in clashes if {c.first.ref_id, c.second.ref_id} & ours]


@settings(max_examples=80, deadline=None)
@given(plans())
def test_all_or_nothing_books_everything_or_nothing(plan: dict[str, object]) -> None:
    relaxed = _create(plan, ConflictMode.SKIP_CONFLICTS)
    if relaxed.skipped:
        with pytest.raises(SeriesConflictError) as caught:
            _create(plan, ConflictMode.ALL_OR_NOTHING)
        assert caught.value.details["count"] == len(relaxed.skipped)
    else:
        assert _create(plan, ConflictMode.ALL_OR_NOTHING) == relaxed


@settings(max_examples=60, deadline=None)
@given(plans(), st.lists(st.integers(0, 24 * 7 * 12), min_size=1, max_size=4))
@example(
    {
        "rule": RecurrenceRule.parse("FREQ=WEEKLY"),
        "start": datetime(2026, 3, 23, 18),
        "zone": "Europe/London",
        "duration": timedelta(hours=1),
        "until": datetime(2026, 4, 20, tzinfo=UTC),
        "existing": [],
    },
    [0, 24 * 7 * 30, 24 * 7 * 30],
)
def test_extending_in_steps_equals_extending_at_once(
    plan: dict[str, object], steps: list[int]
) -> None:
    series = _create(plan, ConflictMode.SKIP_CONFLICTS)
    existing: list[Commitment] = plan["existing"]  # type: ignore[assignment]
    horizons = [series.expanded_until + timedelta(hours=h) for h in steps]
    stepped = series
    for horizon in horizons:
        stepped = extend_series(
            stepped,
            until=horizon,
            existing=existing,
            actor=Actor.system(),
            now=NOW,
            mode="skip_conflicts",
        ).state
    at_once = extend_series(
        series,
        until=max(horizons),
        existing=existing,
        actor=Actor.system(),
        now=NOW,
        mode="skip_conflicts",
    ).state
    if max(horizons) > series.expanded_until:
        assert stepped == at_once
    else:
        assert stepped is series
    indexes = [item.occurrence_index for item in stepped.items]
    assert indexes == sorted(set(indexes))


@settings(max_examples=80, deadline=None)
@given(plans(), st.sampled_from(ConflictMode))
@example(  # the first occurrence in London's spring-forward gap
    plan={
        "rule": RecurrenceRule.parse("FREQ=WEEKLY"),
        "start": datetime(2026, 3, 29, 1, 30),
        "zone": "Europe/London",
        "duration": timedelta(minutes=60),
        "until": datetime(2026, 4, 20, tzinfo=UTC),
        "existing": [
            Commitment(
                window=TimeWindow.of(datetime(2026, 4, 5, tzinfo=UTC), timedelta(1)),
                teacher_id="t-1",
                student_id="s-2",
                kind="one_on_one",
                ref_id="b-0",
            )
        ],
    },
    mode=ConflictMode.ALL_OR_NOTHING,
)
def test_a_draft_lists_every_window_its_creation_checks(
    plan: dict[str, object], mode: ConflictMode
) -> None:
    # What OneOnOneService relies on to read only the commitments overlapping
    # the span of the draft's candidates: given only those, start_series
    # decides exactly as create_series given every commitment.
    fields = {k: v for k, v in plan.items() if k not in ("until", "existing")}
    draft = draft_series(
        id="series",
        teacher_id="t-1",
        student_id="s-1",
        actor=Actor.system(),
        now=NOW,
        **fields,  # type: ignore[arg-type]
    )
    until: datetime = plan["until"]  # type: ignore[assignment]
    existing: list[Commitment] = plan["existing"]  # type: ignore[assignment]
    windows = [window for _, _, window in draft.candidates(until)]
    span = TimeWindow(
        start=min(w.start for w in windows), end=max(w.end for w in windows)
    )
    nearby = [c for c in existing if c.window.overlaps(span)]
    try:
        expected: object = _create(plan, mode)
    except SeriesConflictError as refused:
        expected = refused.details
    try:
        got: object = start_series(draft, until=until, existing=nearby, mode=mode).state
    except SeriesConflictError as refused:
        got = refused.details
    assert got == expected
