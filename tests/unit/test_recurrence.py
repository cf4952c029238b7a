"""Recurrence: DST-correct expansion, indexes, exclusions, moves, windows."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking_core.errors import (
    InvalidOverrideError,
    InvalidValueError,
    NaiveDatetimeError,
)
from booking_core.intervals import TimeWindow
from booking_core.recurrence import Occurrence, Recurrence, RecurrenceRule

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
APIA = ZoneInfo("Pacific/Apia")


def expand(
    rule: str, start: datetime, limit: int | None = None, **kwargs: object
) -> list[Occurrence]:
    recurrence = Recurrence(rule=RecurrenceRule.parse(rule), start=start, **kwargs)  # type: ignore[arg-type]
    return list(itertools.islice(recurrence.occurrences(), limit))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_weekly_1800_london_keeps_wall_time_across_both_changes() -> None:
    got = expand("FREQ=WEEKLY;COUNT=32", datetime(2026, 3, 23, 18, tzinfo=LONDON))
    assert {o.start.time().isoformat() for o in got} == {"18:00:00"}
    instants = [o.start.astimezone(UTC) for o in got]
    assert instants[0] == utc(2026, 3, 23, 18)  # GMT
    assert instants[1] == utc(2026, 3, 30, 17)  # BST after 29 March
    assert instants[30] == utc(2026, 10, 19, 17)  # still BST
    assert instants[31] == utc(2026, 10, 26, 18)  # GMT after 25 October
    assert [o.index for o in got] == list(range(32))


def test_0230_new_york_on_spring_forward_day_shifts_by_the_gap() -> None:
    got = expand("FREQ=DAILY;COUNT=3", datetime(2026, 3, 7, 2, 30, tzinfo=NEW_YORK))
    assert [o.start.isoformat() for o in got] == [
        "2026-03-07T02:30:00-05:00",
        "2026-03-08T03:30:00-04:00",  # RFC 5545 3.3.5: 02:30 does not exist
        "2026-03-09T02:30:00-04:00",
    ]


def test_start_inside_the_gap_is_its_shifted_instant() -> None:
    got = expand("FREQ=WEEKLY;COUNT=2", datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK))
    assert [o.start.isoformat() for o in got] == [
        "2026-03-08T03:30:00-04:00",
        "2026-03-15T02:30:00-04:00",
    ]


def test_0130_on_fall_back_day_takes_the_first() -> None:
    got = expand("FREQ=DAILY;COUNT=3", datetime(2026, 10, 31, 1, 30, tzinfo=NEW_YORK))
    assert [o.start.astimezone(UTC) for o in got] == [
        utc(2026, 10, 31, 5, 30),
        utc(2026, 11, 1, 5, 30),  # 01:30 EDT, the first of the two
        utc(2026, 11, 2, 6, 30),
    ]


def test_a_start_given_as_the_second_fold_reading_is_kept() -> None:
    start = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)
    got = expand("FREQ=DAILY;COUNT=2", start)
    assert got[0].start.astimezone(UTC) == utc(2026, 11, 1, 6, 30)
    assert got[1].start.astimezone(UTC) == utc(2026, 11, 2, 6, 30)


def test_monthly_on_the_31st_skips_short_months_and_does_not_count_them() -> None:
    got = expand("FREQ=MONTHLY;COUNT=5", datetime(2026, 1, 31, 9, tzinfo=KOLKATA))
    assert [o.start.date() for o in got] == [
        date(2026, 1, 31),
        date(2026, 3, 31),
        date(2026, 5, 31),
        date(2026, 7, 31),
        date(2026, 8, 31),
    ]
    assert {o.start.utcoffset() for o in got} == {timedelta(hours=5, minutes=30)}


def test_yearly_on_feb_29_only_in_leap_years() -> None:
    got = expand("FREQ=YEARLY;COUNT=3", datetime(2024, 2, 29, 12, tzinfo=LONDON))
    assert [o.start.date() for o in got] == [
        date(2024, 2, 29),
        date(2028, 2, 29),
        date(2032, 2, 29),
    ]


def test_last_friday_of_the_month() -> None:
    got = expand(
        "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4", datetime(2026, 1, 30, 17, tzinfo=LONDON)
    )
    assert [o.start.date() for o in got] == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 27),
        date(2026, 4, 24),
    ]


def test_lord_howe_half_hour_shifts() -> None:
    # DST starts 2026-10-04 02:00 -> 02:30 (+10:30 -> +11); ends 2026-04-05
    # 02:00 -> 01:30 (+11 -> +10:30).
    gap = expand("FREQ=DAILY;COUNT=3", datetime(2026, 10, 3, 2, 15, tzinfo=LORD_HOWE))
    assert [o.start.isoformat() for o in gap] == [
        "2026-10-03T02:15:00+10:30",
        "2026-10-04T02:45:00+11:00",
        "2026-10-05T02:15:00+11:00",
    ]
    fold = expand("FREQ=DAILY;COUNT=3", datetime(2026, 4, 4, 1, 45, tzinfo=LORD_HOWE))
    assert [o.start.isoformat() for o in fold] == [
        "2026-04-04T01:45:00+11:00",
        "2026-04-05T01:45:00+11:00",
        "2026-04-06T01:45:00+10:30",
    ]


def test_apia_skipped_day_is_neither_yielded_nor_counted() -> None:
    got = expand("FREQ=DAILY;COUNT=4", datetime(2011, 12, 28, 10, tzinfo=APIA))
    assert [(o.index, o.start.date()) for o in got] == [
        (0, date(2011, 12, 28)),
        (1, date(2011, 12, 29)),
        (2, date(2011, 12, 31)),
        (3, date(2012, 1, 1)),
    ]


def test_between_jumps_over_the_apia_day_with_the_same_indexes() -> None:
    recurrence = Recurrence(
        rule=RecurrenceRule.parse("FREQ=DAILY"),
        start=datetime(2011, 1, 1, 10, tzinfo=APIA),
    )
    window = list(recurrence.between(utc(2012, 1, 5), utc(2012, 1, 8)))
    full = [
        o
        for o in itertools.islice(recurrence.occurrences(), 400)
        if utc(2012, 1, 5) <= o.start < utc(2012, 1, 8)
    ]
    assert window == full
    assert window[0].start.date() == date(2012, 1, 6)
    assert window[0].index == 369  # 370 days after the start, one skipped


def test_a_start_on_a_day_its_zone_skipped_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="skipped"):
        Recurrence(
            rule=RecurrenceRule.parse("FREQ=DAILY"),
            start=datetime(2011, 12, 30, 10, tzinfo=APIA),
        )


def test_kolkata_has_no_shifts() -> None:
    got = expand(
        "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=60", datetime(2026, 1, 6, 9, tzinfo=KOLKATA)
    )
    assert {o.start.astimezone(UTC).time().isoformat() for o in got} == {"03:30:00"}


def test_until_date_is_inclusive_and_local() -> None:
    # 23:30 in Auckland is still the same local day, though UTC is a day behind.
    auckland = ZoneInfo("Pacific/Auckland")
    got = expand(
        "FREQ=DAILY;UNTIL=20260630", datetime(2026, 6, 28, 23, 30, tzinfo=auckland)
    )
    assert [o.start.date() for o in got] == [
        date(2026, 6, 28),
        date(2026, 6, 29),
        date(2026, 6, 30),
    ]


def test_until_instant_is_inclusive() -> None:
    start = datetime(2026, 6, 1, 18, tzinfo=LONDON)
    got = expand("FREQ=DAILY;UNTIL=20260603T170000Z", start)
    assert [o.start.day for o in got] == [1, 2, 3]
    got = expand("FREQ=DAILY;UNTIL=20260603T165959Z", start)
    assert [o.start.day for o in got] == [1, 2]


def test_start_after_until_gives_nothing() -> None:
    start = datetime(2026, 6, 1, 18, tzinfo=LONDON)
    assert expand("FREQ=DAILY;UNTIL=20260531", start) == []
    assert expand("FREQ=DAILY;UNTIL=20260601T165959Z", start) == []


def test_start_the_rule_would_not_produce_is_occurrence_zero() -> None:
    # A Monday start for a Tuesday/Thursday rule: RFC 5545, DTSTART counts.
    got = expand(
        "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=3", datetime(2026, 6, 1, 9, tzinfo=KOLKATA)
    )
    assert [(o.index, o.start.day) for o in got] == [(0, 1), (1, 2), (2, 4)]


def test_exdates_keep_the_other_indexes() -> None:
    start = datetime(2026, 6, 1, 9, tzinfo=KOLKATA)
    got = expand(
        "FREQ=DAILY;COUNT=5",
        start,
        exdates=[start + timedelta(days=1), datetime(2026, 6, 4, 3, 30, tzinfo=UTC)],
    )
    assert [(o.index, o.start.day) for o in got] == [(0, 1), (2, 3), (4, 5)]


def test_an_exdate_that_is_no_occurrence_changes_nothing() -> None:
    start = datetime(2026, 6, 1, 9, tzinfo=KOLKATA)
    got = expand("FREQ=DAILY;COUNT=2", start, exdates=[start + timedelta(hours=1)])
    assert len(got) == 2


def test_moved_occurrences_keep_their_index_and_come_in_time_order() -> None:
    start = datetime(2026, 6, 1, 9, tzinfo=KOLKATA)
    second = start + timedelta(days=1)
    recurrence = Recurrence(
        rule=RecurrenceRule.parse("FREQ=DAILY;COUNT=4"),
        start=start,
        overrides={second: start + timedelta(days=3, hours=2)},
        duration=timedelta(hours=1),
    )
    got = list(recurrence.occurrences())
    assert [(o.index, o.start.isoformat(), o.moved) for o in got] == [
        (0, "2026-06-01T09:00:00+05:30", False),
        (2, "2026-06-03T09:00:00+05:30", False),
        (3, "2026-06-04T09:00:00+05:30", False),
        (1, "2026-06-04T11:00:00+05:30", True),
    ]
    assert got[3].original_start == second
    assert got[3].window == TimeWindow(
        start=datetime(2026, 6, 4, 11, tzinfo=KOLKATA),
        end=datetime(2026, 6, 4, 12, tzinfo=KOLKATA),
    )
    window = list(recurrence.between(utc(2026, 6, 4), utc(2026, 6, 5)))
    assert [o.index for o in window] == [3, 1]
    assert list(recurrence.between(utc(2026, 6, 1), utc(2026, 6, 2))) == got[:1]


def test_two_occurrences_may_swap() -> None:
    start = datetime(2026, 6, 1, 9, tzinfo=KOLKATA)
    other = start + timedelta(days=1)
    recurrence = Recurrence(
        rule=RecurrenceRule.parse("FREQ=DAILY;COUNT=2"),
        start=start,
        overrides=[(start, other), (other, start)],
    )
    assert [o.index for o in recurrence.occurrences()] == [1, 0]


@pytest.mark.parametrize(
    ("moves", "exdates", "reason"),
    [
        ({"2026-06-01T10:00": "2026-06-05T09:00"}, [], "no occurrence"),
        ({"2026-06-09T09:00": "2026-06-20T09:00"}, [], "no occurrence"),
        ({"2026-06-02T09:00": "2026-06-03T09:00"}, [], "another occurrence"),
        (
            {
                "2026-06-02T09:00": "2026-06-09T09:00",
                "2026-06-03T09:00": "2026-06-09T09:00",
            },
            [],
            "another moved occurrence",
        ),
        ({"2026-06-02T09:00": "2026-06-09T09:00"}, ["2026-06-02T09:00"], "excluded"),
    ],
)
def test_bad_moves_are_refused(
    moves: dict[str, str], exdates: list[str], reason: str
) -> None:
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=KOLKATA)

    with pytest.raises(InvalidOverrideError, match=reason) as caught:
        Recurrence(
            rule=RecurrenceRule.parse("FREQ=DAILY;COUNT=5"),
            start=at("2026-06-01T09:00"),
            overrides={at(old): at(new) for old, new in moves.items()},
            exdates=[at(text) for text in exdates],
        )
    assert caught.value.code == "recurrence.invalid_override"


def test_a_move_onto_an_excluded_instant_is_allowed() -> None:
    start = datetime(2026, 6, 1, 9, tzinfo=KOLKATA)
    third = start + timedelta(days=2)
    recurrence = Recurrence(
        rule=RecurrenceRule.parse("FREQ=DAILY;COUNT=3"),
        start=start,
        exdates=[third],
        overrides={start + timedelta(days=1): third},
    )
    assert [(o.index, o.moved) for o in recurrence.occurrences()] == [
        (0, False),
        (1, True),
    ]


def test_duration_is_exact_across_a_fold() -> None:
    got = expand(
        "FREQ=DAILY;COUNT=3",
        datetime(2026, 10, 24, 1, 0, tzinfo=LONDON),
        duration=timedelta(hours=1),
    )
    fold_day = got[1]
    assert fold_day.end is not None
    assert fold_day.end.astimezone(UTC) - fold_day.start.astimezone(UTC) == timedelta(
        hours=1
    )
    assert fold_day.end.astimezone(UTC) == utc(2026, 10, 25, 1)
    assert fold_day.window == TimeWindow(
        start=utc(2026, 10, 25, 0), end=utc(2026, 10, 25, 1)
    )
    plain = expand("FREQ=DAILY;COUNT=1", datetime(2026, 10, 24, 1, tzinfo=LONDON))
    assert plain[0].end is None
    assert plain[0].window is None


def test_between_jumps_with_the_right_indexes() -> None:
    recurrence = Recurrence(
        rule=RecurrenceRule.parse("FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        start=datetime(2026, 1, 7, 18, tzinfo=LONDON),
    )
    low, high = utc(2035, 3, 1), utc(2035, 4, 1)
    window = list(recurrence.between(low, high))
    full = [
        o
        for o in itertools.takewhile(lambda o: o.start < high, recurrence.occurrences())
        if o.start >= low
    ]
    assert window == full
    assert len(window) == 13


def test_between_with_count_counts_from_the_start() -> None:
    recurrence = Recurrence(
        rule=RecurrenceRule.parse("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=10"),
        start=datetime(2026, 1, 31, 9, tzinfo=NEW_YORK),
    )
    window = list(recurrence.between(utc(2027, 1, 1), utc(2030, 1, 1)))
    assert [(o.index, o.start.date()) for o in window] == [
        (7, date(2027, 1, 31)),
        (8, date(2027, 3, 31)),
        (9, date(2027, 5, 31)),
    ]


def test_between_edges() -> None:
    start = datetime(2026, 6, 1, 9, tzinfo=KOLKATA)
    recurrence = Recurrence(rule=RecurrenceRule.parse("FREQ=DAILY"), start=start)
    assert list(recurrence.between(utc(2026, 6, 3), utc(2026, 6, 3))) == []
    before = list(recurrence.between(utc(2020, 1, 1), start + timedelta(days=1)))
    assert [o.index for o in before] == [0]
    # a is inclusive, b exclusive
    exact = list(recurrence.between(start, start + timedelta(days=1)))
    assert [o.start for o in exact] == [start]
    with pytest.raises(NaiveDatetimeError):
        list(recurrence.between(datetime(2026, 1, 1), utc(2026, 2, 1)))


def test_between_past_until_is_empty() -> None:
    recurrence = Recurrence(
        rule=RecurrenceRule.parse("FREQ=WEEKLY;UNTIL=20261231"),
        start=datetime(2026, 1, 5, 9, tzinfo=KOLKATA),
    )
    assert list(recurrence.between(utc(2030, 1, 1), utc(2030, 2, 1))) == []
    last = list(recurrence.between(utc(2026, 12, 20), utc(2027, 2, 1)))
    assert [o.start.date() for o in last] == [date(2026, 12, 21), date(2026, 12, 28)]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31",
        "FREQ=WEEKLY;INTERVAL=3;BYMONTH=7;BYSETPOS=8",
        "FREQ=DAILY;BYMONTHDAY=1;BYDAY=MO;BYSETPOS=2",
    ],
)
def test_unbounded_rules_that_never_match_again_terminate(rule: str) -> None:
    got = expand(rule, datetime(2025, 4, 30, 9, tzinfo=KOLKATA))
    assert [o.index for o in got] == [0]


def test_expansion_stops_at_the_end_of_the_supported_span() -> None:
    yearly = expand("FREQ=YEARLY", datetime(2390, 6, 1, 9, tzinfo=KOLKATA))
    assert yearly[-1].start.year == 2398
    daily = expand("FREQ=DAILY", datetime(2399, 12, 20, 9, tzinfo=KOLKATA))
    assert daily[-1].start.date() == date(2399, 12, 30)
    weekly = expand("FREQ=WEEKLY;BYMONTH=12", datetime(2399, 12, 1, 9, tzinfo=KOLKATA))
    assert weekly[-1].start.date() < date(2399, 12, 31)
    monthly = expand("FREQ=MONTHLY", datetime(2398, 11, 1, 9, tzinfo=KOLKATA))
    assert monthly[-1].start.date() == date(2398, 12, 1)
    filtered = expand(
        "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR,SA,SU",
        datetime(2399, 12, 20, 9, tzinfo=KOLKATA),
    )
    assert filtered[-1].start.date() == date(2399, 12, 30)
    late = Recurrence(
        rule=RecurrenceRule.parse("FREQ=MONTHLY;BYMONTHDAY=1,15"),
        start=datetime(2390, 1, 1, 9, tzinfo=KOLKATA),
    )
    assert list(late.between(utc(2399, 6, 1), utc(2399, 7, 1))) == []


def test_between_matches_occurrences_across_gaps() -> None:
    recurrence = Recurrence(
        rule=RecurrenceRule.parse("FREQ=DAILY;BYDAY=SU,MO"),
        start=datetime(2024, 1, 7, 2, 30, tzinfo=NEW_YORK),
    )
    low, high = utc(2026, 3, 1), utc(2026, 3, 20)
    window = list(recurrence.between(low, high))
    full = [
        o
        for o in itertools.takewhile(lambda o: o.start < high, recurrence.occurrences())
        if o.start >= low
    ]
    assert window == full
    assert "2026-03-08T03:30:00-04:00" in [o.start.isoformat() for o in window]


@pytest.mark.parametrize(
    ("start", "duration", "error"),
    [
        (datetime(2026, 1, 1, 9), None, NaiveDatetimeError),
        (datetime(2026, 1, 1, 9, tzinfo=UTC), None, InvalidValueError),
        (datetime(2026, 1, 1, 9, tzinfo=KOLKATA), timedelta(0), InvalidValueError),
        (datetime(2026, 1, 1, 9, tzinfo=KOLKATA), 60, InvalidValueError),
    ],
)
def test_bad_recurrences_are_refused(
    start: datetime, duration: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        Recurrence(
            rule=RecurrenceRule.parse("FREQ=DAILY"),
            start=start,
            duration=duration,
        )


def test_zone_property() -> None:
    recurrence = Recurrence(
        rule=RecurrenceRule.parse("FREQ=DAILY"),
        start=datetime(2026, 1, 1, 9, tzinfo=KOLKATA),
    )
    assert recurrence.zone is KOLKATA


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=DAILY;BYDAY=SA",
        "FREQ=DAILY;BYMONTHDAY=1,15,-1",
        "FREQ=WEEKLY;INTERVAL=2;BYMONTH=1,2,3;BYDAY=TU",
        "FREQ=MONTHLY;INTERVAL=5;BYDAY=2TH,-1MO",
        "FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU",
    ],
)
def test_far_windows_match_full_expansion(rule: str) -> None:
    recurrence = Recurrence(
        rule=RecurrenceRule.parse(rule),
        start=datetime(2026, 1, 6, 1, 30, tzinfo=LONDON),
    )
    low, high = utc(2031, 3, 20), utc(2031, 11, 2)
    window = list(recurrence.between(low, high))
    full = [
        o
        for o in itertools.takewhile(lambda o: o.start < high, recurrence.occurrences())
        if o.start >= low
    ]
    assert window == full
    assert window
