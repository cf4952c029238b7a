"""The recurrence engine's calendar edges, checked against dateutil's rrule.

Weekly rules filtered by month (each week's shape depends on where it starts),
yearly rules with negative BYDAY ordinals (counted back from a 365- or 366-day
year), WKST with INTERVAL=2, and the counting that lets ``between`` jump to a
far window (indexes must match a full expansion). Asia/Kolkata has no DST, so
local dates compare directly with dateutil's naive ones.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from booking_core import Recurrence, RecurrenceRule
from booking_core._recurrence_engine import _offset_changes, gap_days
from booking_core.recurrence import _expander

KOLKATA = ZoneInfo("Asia/Kolkata")


def _oracle(text: str, seed: date) -> list[datetime]:
    start = datetime(seed.year, seed.month, seed.day, 9)
    return list(itertools.islice(rrulestr(text, dtstart=start), 400))


def _recurrence(text: str, first: datetime) -> Recurrence:
    return Recurrence(
        rule=RecurrenceRule.parse(text), start=first.replace(tzinfo=KOLKATA)
    )


def _compare_all(text: str, seed: date, n: int) -> list[date]:
    expected = _oracle(text, seed)
    rec = _recurrence(text, expected[0])
    got = [o.start.date() for o in itertools.islice(rec.occurrences(), n)]
    assert got == [d.date() for d in expected[:n]]
    return got


CASES = [
    # weekly with BYMONTH: weeks straddling month and year ends
    ("FREQ=WEEKLY;BYMONTH=1,3;BYDAY=MO,TH,SU", date(2025, 12, 20)),
    ("FREQ=WEEKLY;BYMONTH=2;BYDAY=SA,SU,MO", date(2026, 1, 1)),
    ("FREQ=WEEKLY;INTERVAL=3;BYMONTH=12,1;BYDAY=WE,FR", date(2024, 11, 1)),
    # yearly, negative ordinals counted back from the year's end (leap years too)
    ("FREQ=YEARLY;BYDAY=-1SU", date(2023, 1, 1)),
    ("FREQ=YEARLY;BYDAY=-1MO,-53TH", date(2023, 1, 1)),
    ("FREQ=YEARLY;BYDAY=-2SA,1MO", date(2026, 1, 1)),
    ("FREQ=YEARLY;BYDAY=-52FR", date(2020, 1, 1)),
    # monthly negative ordinals: 28-31 day months
    ("FREQ=MONTHLY;BYDAY=-1SU,-5MO", date(2024, 1, 1)),
    ("FREQ=MONTHLY;BYDAY=5FR,-4WE", date(2024, 1, 1)),
    # WKST decides which weeks an INTERVAL=2 rule skips
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO", date(1997, 8, 5)),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU", date(1997, 8, 5)),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SA;WKST=WE", date(2026, 3, 5)),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,FR,SU;WKST=SA", date(2026, 3, 6)),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU;WKST=TU", date(2026, 3, 1)),
    # BYSETPOS at exactly the number of dates in the period, from both ends
    ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=4", date(2026, 1, 1)),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE;BYSETPOS=3,-3", date(2026, 1, 1)),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1,-1", date(2026, 1, 1)),
    # daily filtered by month day and weekday
    ("FREQ=DAILY;BYMONTHDAY=-1,1;BYDAY=MO,TU", date(2024, 1, 1)),
]


@pytest.mark.parametrize(("text", "seed"), CASES)
def test_occurrences_match_dateutil(text: str, seed: date) -> None:
    _compare_all(text, seed, 40)


def test_rfc_wkst_examples_exactly() -> None:
    monday = _compare_all(
        "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", date(1997, 8, 5), 4
    )
    sunday = _compare_all(
        "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", date(1997, 8, 5), 4
    )
    assert [d.day for d in monday] == [5, 10, 19, 24]
    assert [d.day for d in sunday] == [5, 17, 19, 31]


def test_last_sunday_of_a_leap_year_is_december_31() -> None:
    got = _compare_all("FREQ=YEARLY;BYDAY=-1SU", date(2026, 1, 1), 4)
    assert got == [
        date(2026, 12, 27),
        date(2027, 12, 26),
        date(2028, 12, 31),
        date(2029, 12, 30),
    ]


FAR = [
    # (rule, seed, window start): the window lies many periods after the start
    ("FREQ=MONTHLY;BYDAY=MO,FR;COUNT=300", date(2026, 1, 1), date(2028, 6, 1)),
    ("FREQ=MONTHLY;BYDAY=TU", date(2026, 1, 1), date(2029, 7, 1)),
    ("FREQ=MONTHLY;BYDAY=-1WE,1SA", date(2026, 1, 1), date(2030, 5, 1)),
    ("FREQ=DAILY;BYDAY=MO,WE;COUNT=500", date(2026, 1, 1), date(2027, 3, 3)),
    ("FREQ=DAILY;BYDAY=TU,TH,SA", date(2026, 1, 1), date(2026, 8, 19)),
    ("FREQ=DAILY;INTERVAL=3;BYDAY=SU", date(2026, 1, 1), date(2027, 1, 1)),
    ("FREQ=WEEKLY;BYMONTH=6;BYDAY=MO", date(2026, 1, 1), date(2030, 6, 1)),
    ("FREQ=YEARLY;BYDAY=-1FR;COUNT=40", date(2026, 1, 1), date(2040, 12, 1)),
]


@pytest.mark.parametrize(("text", "seed", "window"), FAR)
def test_a_far_window_has_the_indexes_of_a_full_expansion(
    text: str, seed: date, window: date
) -> None:
    expected = _oracle(text, seed)
    rec = _recurrence(text, expected[0])
    low = datetime(window.year, window.month, window.day, tzinfo=KOLKATA)
    high = low + timedelta(days=70)
    got = [(o.index, o.start.date()) for o in rec.between(low, high)]
    want = [
        (i, d.date())
        for i, d in enumerate(expected)
        if low <= d.replace(tzinfo=KOLKATA) < high
    ]
    assert got
    assert got == want


def test_monthly_mondays_and_fridays_a_year_on_exactly() -> None:
    text = "FREQ=MONTHLY;BYDAY=MO,FR"
    rec = _recurrence(text, datetime(2026, 1, 2, 9))  # a Friday
    low = datetime(2027, 1, 1, tzinfo=timezone.utc)
    got = [(o.index, o.start.date()) for o in rec.between(low, low + timedelta(days=8))]
    # 2026 has 52 Mondays and 52 Fridays after 2 January (104 dates, index 1..104)
    assert got == [
        (104, date(2027, 1, 1)),
        (105, date(2027, 1, 4)),
        (106, date(2027, 1, 8)),
    ]


@pytest.mark.parametrize(
    ("zone", "start", "expected"),
    [
        # a 15-minute gap at midnight on 1 January (+05:30 -> +05:45)
        (
            "Asia/Kathmandu",
            datetime(1985, 12, 30, 0, 5),
            [
                "1985-12-30T00:05:00+05:30",
                "1985-12-31T00:05:00+05:30",
                "1986-01-01T00:20:00+05:45",
                "1986-01-02T00:05:00+05:45",
            ],
        ),
        # 31 December 1994 never happened on Kiritimati (-10:00 -> +14:00)
        (
            "Pacific/Kiritimati",
            datetime(1994, 12, 29, 9),
            [
                "1994-12-29T09:00:00-10:00",
                "1994-12-30T09:00:00-10:00",
                "1995-01-01T09:00:00+14:00",
                "1995-01-02T09:00:00+14:00",
            ],
        ),
    ],
)
def test_gaps_at_the_turn_of_the_year(
    zone: str, start: datetime, expected: list[str]
) -> None:
    rec = Recurrence(
        rule=RecurrenceRule.parse("FREQ=DAILY;COUNT=4"),
        start=start.replace(tzinfo=ZoneInfo(zone)),
    )
    assert [o.start.isoformat() for o in rec.occurrences()] == expected


UTC_ZONE = ZoneInfo("UTC")


def _dates(text: str, start: datetime) -> list[date]:
    rec = Recurrence(rule=RecurrenceRule.parse(text), start=start)
    return [o.start.date() for o in rec.occurrences()]


def test_a_weekly_rule_keeps_its_last_whole_week_before_the_span_ends() -> None:
    # expansion stops at 2399-12-30 (a Thursday): the week Friday 24 .. Thursday
    # 30 December is the last one whole; a week from Saturday 25 is not
    start = datetime(2399, 12, 2, 9, tzinfo=UTC_ZONE)
    friday_weeks = _dates("FREQ=WEEKLY;BYMONTH=12;BYDAY=TH;WKST=FR", start)
    assert friday_weeks[-2:] == [date(2399, 12, 23), date(2399, 12, 30)]
    saturday_weeks = _dates("FREQ=WEEKLY;BYMONTH=12;BYDAY=TH;WKST=SA", start)
    assert saturday_weeks[-1] == date(2399, 12, 23)


def test_a_yearly_rule_idle_for_centuries_is_not_cut_short() -> None:
    # every 7th year's 29 February on a Monday: the next one after 1800 is in
    # 2304, 72 periods on (the calendar repeats only after 400 periods)
    start = datetime(1800, 3, 1, 12, tzinfo=UTC_ZONE)
    text = "FREQ=YEARLY;INTERVAL=7;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO"
    assert _dates(text, start)[:2] == [date(1800, 3, 1), date(2304, 2, 29)]


def test_monthly_periods_are_counted_from_the_anchor_month() -> None:
    rule = RecurrenceRule.parse("FREQ=MONTHLY;INTERVAL=2")
    expander = _expander(rule, date(2026, 3, 15).toordinal())
    # periods: 2026-03, -05, -07, -09, -11, 2027-01 (5), -03 (6)
    assert expander.period_of(date(2027, 1, 10).toordinal()) == 5
    assert expander.period_of(date(2027, 2, 28).toordinal()) == 5
    assert expander.period_of(date(2027, 3, 1).toordinal()) == 6
    assert expander.period_of(date(2026, 1, 31).toordinal()) == -1
    assert expander.is_date(date(2027, 1, 15).toordinal())
    assert not expander.is_date(date(2027, 2, 15).toordinal())
    assert not expander.is_date(date(2027, 1, 16).toordinal())


def test_gap_days_lists_only_the_years_gap_days() -> None:
    london = ZoneInfo("Europe/London")
    wall = datetime(2026, 1, 1, 1, 30).time()
    gaps = gap_days(london, wall, 2026)
    # the fold in October is no gap: only 29 March, shifted to 02:30 BST
    assert gaps == {
        date(2026, 3, 29).toordinal(): datetime(2026, 3, 29, 2, 30, tzinfo=london)
    }
    # Sao Tome's gap at 01:00 on 1 January 2018 belongs to 2018, not to 2017
    sao_tome = ZoneInfo("Africa/Sao_Tome")
    assert gap_days(sao_tome, wall, 2017) == {}
    assert list(gap_days(sao_tome, wall, 2018)) == [date(2018, 1, 1).toordinal()]


def test_offset_changes_are_the_days_whose_noon_offset_changed() -> None:
    london = ZoneInfo("Europe/London")
    assert _offset_changes(london, 2026) == (
        date(2026, 3, 29).toordinal(),
        date(2026, 10, 25).toordinal(),
    )
