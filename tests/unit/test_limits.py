"""Every documented bound refuses with a coded error naming the field and the limit."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking_core._validation import SPAN_END, SPAN_START, bounded_decimal, check_id
from booking_core.errors import (
    DatetimeOutOfRangeError,
    InvalidRecurrenceRuleError,
    InvalidValueError,
)
from booking_core.intervals import TimeWindow
from booking_core.recurrence import Recurrence, RecurrenceRule
from booking_core.zones import to_instant, to_local

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
START = datetime(2026, 1, 5, 18, tzinfo=LONDON)


@pytest.mark.parametrize(
    "call",
    [
        lambda: TimeWindow.of(datetime(9999, 12, 31, 23, tzinfo=KOLKATA), timedelta(1)),
        lambda: TimeWindow.of(datetime(1, 1, 1, tzinfo=KOLKATA), timedelta(hours=1)),
        lambda: TimeWindow.of(datetime(2026, 1, 1, tzinfo=UTC), timedelta.max),
        lambda: TimeWindow.of(
            datetime(2026, 1, 1, tzinfo=UTC), timedelta(days=200_000)
        ),
        lambda: to_local(datetime(9999, 12, 31, 23, tzinfo=UTC), "Asia/Kolkata"),
        lambda: to_local(datetime(1799, 12, 31, tzinfo=UTC), "UTC"),
        lambda: to_instant(datetime(9999, 12, 31, 23), "America/New_York"),
        lambda: to_instant(datetime(1, 1, 1), "Asia/Tokyo"),
        lambda: to_instant(datetime(2400, 1, 1, 1), "UTC"),
        lambda: Recurrence(
            rule=RecurrenceRule.parse("FREQ=DAILY"),
            start=datetime(9999, 12, 31, 23, tzinfo=KOLKATA),
        ),
        lambda: list(
            Recurrence(rule=RecurrenceRule.parse("FREQ=DAILY"), start=START).between(
                datetime(2026, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)
            )
        ),
        lambda: RecurrenceRule.parse("FREQ=DAILY;UNTIL=99991231T235959Z"),
        lambda: RecurrenceRule.parse("FREQ=DAILY;UNTIL=99991231"),
        lambda: RecurrenceRule.parse("FREQ=DAILY;UNTIL=00010101"),
    ],
)
def test_datetimes_outside_the_span_are_out_of_range(call: object) -> None:
    assert callable(call)
    with pytest.raises(DatetimeOutOfRangeError) as caught:
        call()
    assert caught.value.code == "time.out_of_range"
    assert "years 1800 to 2399 UTC" in str(caught.value)


def test_the_span_edges() -> None:
    assert TimeWindow.of(SPAN_START, timedelta(hours=1)).start == SPAN_START
    last = SPAN_END - timedelta(hours=2)
    assert TimeWindow.of(last, timedelta(hours=1)).end == SPAN_END - timedelta(hours=1)
    with pytest.raises(DatetimeOutOfRangeError, match="end"):
        TimeWindow.of(last, timedelta(hours=3))
    with pytest.raises(InvalidValueError, match="duration"):
        TimeWindow.of(last, 5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("FREQ=DAILY;COUNT=10001", "COUNT"),
        ("FREQ=DAILY;INTERVAL=1001", "INTERVAL"),
        ("FREQ=DAILY;COUNT=999999999", "COUNT"),
    ],
)
def test_recurrence_count_and_interval_are_bounded(text: str, part: str) -> None:
    with pytest.raises(InvalidRecurrenceRuleError, match=part) as caught:
        RecurrenceRule.parse(text)
    assert "1000" in str(caught.value)
    assert RecurrenceRule.parse("FREQ=DAILY;COUNT=10000;INTERVAL=1000").count == 10000


def test_a_count_rule_answers_far_windows_without_walking() -> None:
    low = datetime(2076, 3, 2, tzinfo=UTC)
    high = datetime(2076, 3, 4, tzinfo=UTC)
    results = []
    for text in ("FREQ=DAILY;BYDAY=MO,WE,FR;COUNT=10000", "FREQ=DAILY;BYDAY=MO,WE,FR"):
        rec = Recurrence(rule=RecurrenceRule.parse(text), start=START)
        results.append([(o.index, o.start) for o in rec.between(low, high)])
    assert results[0] == results[1] == [(7851, datetime(2076, 3, 2, 18, tzinfo=UTC))]
    daily = Recurrence(rule=RecurrenceRule.parse("FREQ=DAILY;COUNT=10000"), start=START)
    spent = time.perf_counter()
    far = datetime(2053, 5, 1, 18, tzinfo=LONDON)
    moved = Recurrence(
        rule=daily.rule,
        start=START,
        overrides={far: far + timedelta(hours=1), far + timedelta(1): far},
    )
    walked = {o.start: o.index for o in daily.occurrences()}
    expected = [walked[far + timedelta(1)], walked[far]]
    assert [o.index for o in moved.between(far, far + timedelta(2))] == expected
    assert list(daily.between(datetime(2060, 1, 1, tzinfo=UTC), SPAN_END)) == []
    assert time.perf_counter() - spent < 1.0
    assert len(walked) == 10000


def test_dates_of_until_inside_the_span_are_kept() -> None:
    assert RecurrenceRule.parse("FREQ=DAILY;UNTIL=23991231").until == date(2399, 12, 31)


@pytest.mark.parametrize(
    "value",
    ["", "   ", "a\x00b", "line\nbreak", "\ud800", "x" * 201, 5, None, "\x85"],
)
def test_ids_are_refused_alike(value: object) -> None:
    with pytest.raises(InvalidValueError, match="an id is 1 to 200") as caught:
        check_id(value, "session_id")
    assert caught.value.details["field"] == "session_id"


def test_decimals_are_bounded() -> None:
    from decimal import Decimal

    for bad in ("1e-400000000", "1e41", "NaN", "Infinity", "1" * 41):
        with pytest.raises(InvalidValueError, match="rate"):
            bounded_decimal(Decimal(bad), "rate")
    with pytest.raises(InvalidValueError, match="finite decimal"):
        bounded_decimal(0.5, "rate")  # type: ignore[arg-type]
    assert bounded_decimal(Decimal("0.1"), "rate") == Decimal("0.1")
