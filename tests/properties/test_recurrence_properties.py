"""Properties of Recurrence over random rules, zones and starts."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from booking_core.recurrence import (
    Frequency,
    NthWeekday,
    Occurrence,
    Recurrence,
    RecurrenceRule,
    Weekday,
)
from booking_core.testing.strategies import zone_names
from booking_core.zones import local_time_kind, to_instant

UTC = timezone.utc
LIMIT = 60
ZONES = [
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Pacific/Chatham",
    "America/Santiago",
    "America/Nuuk",
    "Africa/Casablanca",
    "Asia/Tehran",
]


@st.composite
def rules(draw: st.DrawFn, *, bounded: bool | None = None) -> RecurrenceRule:
    frequency = draw(st.sampled_from(Frequency))
    weekdays = st.sampled_from(Weekday)
    by_weekday: list[NthWeekday] = []
    if draw(st.booleans()):
        if frequency in {Frequency.MONTHLY, Frequency.YEARLY}:
            limit = 5 if frequency is Frequency.MONTHLY else 53
            ordinals = st.none() | st.integers(-limit, limit).filter(bool)
            by_weekday = draw(
                st.lists(
                    st.builds(NthWeekday, weekday=weekdays, n=ordinals),
                    min_size=1,
                    max_size=3,
                )
            )
        else:
            by_weekday = [
                NthWeekday(weekday=w)
                for w in draw(st.lists(weekdays, min_size=1, max_size=4))
            ]
    by_month = draw(
        st.lists(st.integers(1, 12), max_size=3)
        if draw(st.integers(0, 3)) == 0
        else st.just([])
    )
    by_month_day: list[int] = []
    if frequency is not Frequency.WEEKLY and draw(st.booleans()):
        top = 28 if by_month else 31
        by_month_day = draw(
            st.lists(st.integers(-top, top).filter(bool), min_size=1, max_size=3)
        )
    by_set_pos: list[int] = []
    if (by_weekday or by_month_day or by_month) and draw(st.integers(0, 3)) == 0:
        top = 1 if frequency is Frequency.DAILY else 3
        by_set_pos = draw(
            st.lists(st.integers(-top, top).filter(bool), min_size=1, max_size=2)
        )
    end = draw(
        st.sampled_from(
            ["count", "until", None]
            if bounded is None
            else (["count", "until"] if bounded else [None])
        )
    )
    count = draw(st.integers(1, 40)) if end == "count" else None
    until = None
    if end == "until":
        until = draw(
            st.dates(date(2000, 1, 1), date(2045, 1, 1))
            | st.datetimes(datetime(2000, 1, 1), datetime(2045, 1, 1)).map(
                lambda d: d.replace(microsecond=0, tzinfo=UTC)
            )
        )
    return RecurrenceRule(
        frequency=frequency,
        interval=draw(st.integers(1, 4)),
        by_weekday=by_weekday,
        by_month_day=by_month_day,
        by_month=by_month,
        by_set_pos=by_set_pos,
        week_start=draw(weekdays),
        count=count,
        until=until,
    )


zones = st.sampled_from(ZONES) | zone_names()
walls = st.datetimes(datetime(1995, 1, 1), datetime(2040, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


def make(
    rule: RecurrenceRule, wall: datetime, zone: str, **kwargs: object
) -> Recurrence:
    start = wall.replace(tzinfo=ZoneInfo(zone))
    if start.astimezone(UTC).astimezone(start.tzinfo).date() != wall.date():
        start = start + timedelta(days=1)  # a day the zone skipped; use the next
    return Recurrence(rule=rule, start=start, **kwargs)  # type: ignore[arg-type]


def first(recurrence: Recurrence, limit: int = LIMIT) -> list[Occurrence]:
    return list(itertools.islice(recurrence.occurrences(), limit))


@settings(max_examples=150)
@given(rules(), walls, zones)
@example(  # weekly 18:00 London across both DST changes
    RecurrenceRule.parse("FREQ=WEEKLY"), datetime(2026, 3, 2, 18), "Europe/London"
)
@example(  # 02:30 New York on spring-forward day
    RecurrenceRule.parse("FREQ=DAILY"), datetime(2026, 3, 8, 2, 30), "America/New_York"
)
@example(  # 01:30 on fall-back day
    RecurrenceRule.parse("FREQ=DAILY"),
    datetime(2026, 10, 30, 1, 30),
    "America/New_York",
)
@example(  # monthly on the 31st
    RecurrenceRule.parse("FREQ=MONTHLY"), datetime(2026, 1, 31, 9), "Asia/Kolkata"
)
@example(  # yearly on Feb 29
    RecurrenceRule.parse("FREQ=YEARLY"), datetime(2024, 2, 29, 9), "Europe/London"
)
@example(  # last Friday of the month
    RecurrenceRule.parse("FREQ=MONTHLY;BYDAY=-1FR"),
    datetime(2026, 1, 30, 18),
    "Europe/London",
)
@example(  # Lord Howe's half-hour gap
    RecurrenceRule.parse("FREQ=DAILY"),
    datetime(2026, 10, 1, 2, 15),
    "Australia/Lord_Howe",
)
@example(  # Apia skipped 2011-12-30
    RecurrenceRule.parse("FREQ=DAILY"), datetime(2011, 12, 25, 10), "Pacific/Apia"
)
def test_occurrences_increase_and_keep_the_wall_time(
    rule: RecurrenceRule, wall: datetime, zone: str
) -> None:
    recurrence = make(rule, wall, zone)
    got = first(recurrence)
    instants = [o.start.astimezone(UTC) for o in got]
    assert all(a < b for a, b in itertools.pairwise(instants))
    indexes = [o.index for o in got]
    assert indexes == list(range(len(got)))
    time_of_day = recurrence.start.time()
    for occurrence in got[1:]:
        assert occurrence.start.tzinfo is recurrence.zone
        intended = datetime.combine(occurrence.start.date(), time_of_day)
        # the documented policy: compatible = earlier in a fold, forward in a gap
        assert instants[occurrence.index] == to_instant(intended, zone)
        real = instants[occurrence.index].astimezone(recurrence.zone)
        assert occurrence.start.replace(tzinfo=None) == real.replace(tzinfo=None)
        if local_time_kind(intended, zone) != "gap":
            assert occurrence.start.replace(tzinfo=None) == intended


@settings(max_examples=150)
@given(
    rules(),
    walls,
    zones,
    st.integers(0, 3 * 366 * 24),
    st.integers(1, 120 * 24),
)
@example(
    RecurrenceRule.parse("FREQ=DAILY"),
    datetime(2011, 6, 1, 10),
    "Pacific/Apia",
    (220 * 24),
    10 * 24,
)
@example(
    RecurrenceRule.parse("FREQ=WEEKLY;BYDAY=MO,WE,FR"),
    datetime(2026, 1, 5, 18),
    "Europe/London",
    (9 * 366 * 24),
    31 * 24,
)
def test_between_equals_filtering_occurrences(
    rule: RecurrenceRule, wall: datetime, zone: str, after: int, width: int
) -> None:
    recurrence = make(rule, wall, zone)
    low = recurrence.start.astimezone(UTC) + timedelta(hours=after - 48)
    high = low + timedelta(hours=width)
    expected = [
        o
        for o in itertools.takewhile(lambda o: o.start < high, recurrence.occurrences())
        if o.start >= low
    ]
    assert list(recurrence.between(low, high)) == expected


@settings(max_examples=100)
@given(
    rules(bounded=False), walls, zones, st.integers(1, 40), st.sets(st.integers(0, 39))
)
def test_count_and_exdates_agree(
    rule: RecurrenceRule,
    wall: datetime,
    zone: str,
    count: int,
    excluded: set[int],
) -> None:
    counted = RecurrenceRule.parse(f"{rule};COUNT={count}")
    unbounded = make(rule, wall, zone)
    expected = first(unbounded, count)
    plain = make(counted, wall, zone)
    assert first(plain) == expected
    exdates = [o.start for o in expected if o.index in excluded]
    with_exdates = make(counted, wall, zone, exdates=exdates)
    got = first(with_exdates)
    assert len(got) == len(expected) - len(exdates)
    assert [o for o in expected if o.index not in excluded] == got


@given(rules())
def test_parse_and_format_round_trip(rule: RecurrenceRule) -> None:
    text = str(rule)
    assert RecurrenceRule.parse(text) == rule
    assert str(RecurrenceRule.parse(text)) == text
