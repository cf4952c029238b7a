"""Every RRULE example of RFC 5545 section 3.8.5.3 that uses the supported parts.

The expected dates are written from the RFC text ("==> (1997 9:00 AM EDT)
September 2-11"); every example starts at 09:00 America/New_York. Examples marked
"forever" are compared on the dates the RFC lists.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from booking_core.errors import UnsupportedRecurrencePartError
from booking_core.recurrence import Recurrence, RecurrenceRule

NY = ZoneInfo("America/New_York")


def span(year: int, month: int, first: int, last: int, step: int = 1) -> list[date]:
    return [date(year, month, day) for day in range(first, last + 1, step)]


def on(year: int, month: int, *days: int) -> list[date]:
    return [date(year, month, day) for day in days]


EXAMPLES: list[tuple[str, str, date, list[date]]] = [
    (
        "daily for 10 occurrences",
        "FREQ=DAILY;COUNT=10",
        date(1997, 9, 2),
        span(1997, 9, 2, 11),
    ),
    (
        "daily until December 24, 1997",
        "FREQ=DAILY;UNTIL=19971224T000000Z",
        date(1997, 9, 2),
        span(1997, 9, 2, 30)
        + span(1997, 10, 1, 31)
        + span(1997, 11, 1, 30)
        + span(1997, 12, 1, 23),
    ),
    (
        "every other day, forever",
        "FREQ=DAILY;INTERVAL=2",
        date(1997, 9, 2),
        span(1997, 9, 2, 30, 2)
        + span(1997, 10, 2, 30, 2)
        + span(1997, 11, 1, 29, 2)
        + on(1997, 12, 1, 3),
    ),
    (
        "every 10 days, 5 occurrences",
        "FREQ=DAILY;INTERVAL=10;COUNT=5",
        date(1997, 9, 2),
        on(1997, 9, 2, 12, 22) + on(1997, 10, 2, 12),
    ),
    (
        "every day in January, for 3 years (yearly form)",
        "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
        date(1998, 1, 1),
        span(1998, 1, 1, 31) + span(1999, 1, 1, 31) + span(2000, 1, 1, 31),
    ),
    (
        "every day in January, for 3 years (daily form)",
        "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
        date(1998, 1, 1),
        span(1998, 1, 1, 31) + span(1999, 1, 1, 31) + span(2000, 1, 1, 31),
    ),
    (
        "weekly for 10 occurrences",
        "FREQ=WEEKLY;COUNT=10",
        date(1997, 9, 2),
        on(1997, 9, 2, 9, 16, 23, 30) + on(1997, 10, 7, 14, 21, 28) + on(1997, 11, 4),
    ),
    (
        "weekly until December 24, 1997",
        "FREQ=WEEKLY;UNTIL=19971224T000000Z",
        date(1997, 9, 2),
        on(1997, 9, 2, 9, 16, 23, 30)
        + on(1997, 10, 7, 14, 21, 28)
        + on(1997, 11, 4, 11, 18, 25)
        + on(1997, 12, 2, 9, 16, 23),
    ),
    (
        "every other week, forever",
        "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
        date(1997, 9, 2),
        on(1997, 9, 2, 16, 30)
        + on(1997, 10, 14, 28)
        + on(1997, 11, 11, 25)
        + on(1997, 12, 9, 23)
        + on(1998, 1, 6, 20)
        + on(1998, 2, 3, 17),
    ),
    (
        "weekly on Tuesday and Thursday for five weeks (until form)",
        "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
        date(1997, 9, 2),
        on(1997, 9, 2, 4, 9, 11, 16, 18, 23, 25, 30) + on(1997, 10, 2),
    ),
    (
        "weekly on Tuesday and Thursday for five weeks (count form)",
        "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
        date(1997, 9, 2),
        on(1997, 9, 2, 4, 9, 11, 16, 18, 23, 25, 30) + on(1997, 10, 2),
    ),
    (
        "every other week on Monday, Wednesday and Friday until December 24",
        "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
        date(1997, 9, 1),
        on(1997, 9, 1, 3, 5, 15, 17, 19, 29)
        + on(1997, 10, 1, 3, 13, 15, 17, 27, 29, 31)
        + on(1997, 11, 10, 12, 14, 24, 26, 28)
        + on(1997, 12, 8, 10, 12, 22),
    ),
    (
        "every other week on Tuesday and Thursday, for 8 occurrences",
        "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
        date(1997, 9, 2),
        on(1997, 9, 2, 4, 16, 18, 30) + on(1997, 10, 2, 14, 16),
    ),
    (
        "monthly on the first Friday for 10 occurrences",
        "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
        date(1997, 9, 5),
        on(1997, 9, 5)
        + on(1997, 10, 3)
        + on(1997, 11, 7)
        + on(1997, 12, 5)
        + on(1998, 1, 2)
        + on(1998, 2, 6)
        + on(1998, 3, 6)
        + on(1998, 4, 3)
        + on(1998, 5, 1)
        + on(1998, 6, 5),
    ),
    (
        "monthly on the first Friday until December 24, 1997",
        "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
        date(1997, 9, 5),
        on(1997, 9, 5) + on(1997, 10, 3) + on(1997, 11, 7) + on(1997, 12, 5),
    ),
    (
        "every other month on the first and last Sunday, 10 occurrences",
        "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
        date(1997, 9, 7),
        on(1997, 9, 7, 28)
        + on(1997, 11, 2, 30)
        + on(1998, 1, 4, 25)
        + on(1998, 3, 1, 29)
        + on(1998, 5, 3, 31),
    ),
    (
        "monthly on the second-to-last Monday for 6 months",
        "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
        date(1997, 9, 22),
        on(1997, 9, 22)
        + on(1997, 10, 20)
        + on(1997, 11, 17)
        + on(1997, 12, 22)
        + on(1998, 1, 19)
        + on(1998, 2, 16),
    ),
    (
        "monthly on the third-to-the-last day, forever",
        "FREQ=MONTHLY;BYMONTHDAY=-3",
        date(1997, 9, 28),
        on(1997, 9, 28)
        + on(1997, 10, 29)
        + on(1997, 11, 28)
        + on(1997, 12, 29)
        + on(1998, 1, 29)
        + on(1998, 2, 26),
    ),
    (
        "monthly on the 2nd and 15th for 10 occurrences",
        "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
        date(1997, 9, 2),
        on(1997, 9, 2, 15)
        + on(1997, 10, 2, 15)
        + on(1997, 11, 2, 15)
        + on(1997, 12, 2, 15)
        + on(1998, 1, 2, 15),
    ),
    (
        "monthly on the first and last day for 10 occurrences",
        "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
        date(1997, 9, 30),
        on(1997, 9, 30)
        + on(1997, 10, 1, 31)
        + on(1997, 11, 1, 30)
        + on(1997, 12, 1, 31)
        + on(1998, 1, 1, 31)
        + on(1998, 2, 1),
    ),
    (
        "every 18 months on the 10th thru 15th for 10 occurrences",
        "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
        date(1997, 9, 10),
        span(1997, 9, 10, 15) + span(1999, 3, 10, 13),
    ),
    (
        "every Tuesday, every other month",
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU",
        date(1997, 9, 2),
        on(1997, 9, 2, 9, 16, 23, 30)
        + on(1997, 11, 4, 11, 18, 25)
        + on(1998, 1, 6, 13, 20, 27)
        + on(1998, 3, 3, 10, 17, 24, 31),
    ),
    (
        "yearly in June and July for 10 occurrences",
        "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
        date(1997, 6, 10),
        [date(year, month, 10) for year in range(1997, 2002) for month in (6, 7)],
    ),
    (
        "every other year on January, February and March for 10 occurrences",
        "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
        date(1997, 3, 10),
        on(1997, 3, 10)
        + [date(year, month, 10) for year in (1999, 2001, 2003) for month in (1, 2, 3)],
    ),
    (
        "every 20th Monday of the year, forever",
        "FREQ=YEARLY;BYDAY=20MO",
        date(1997, 5, 19),
        on(1997, 5, 19) + on(1998, 5, 18) + on(1999, 5, 17),
    ),
    (
        "every Thursday in March, forever",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
        date(1997, 3, 13),
        on(1997, 3, 13, 20, 27)
        + on(1998, 3, 5, 12, 19, 26)
        + on(1999, 3, 4, 11, 18, 25),
    ),
    (
        "every Thursday, but only during June, July and August, forever",
        "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
        date(1997, 6, 5),
        on(1997, 6, 5, 12, 19, 26)
        + on(1997, 7, 3, 10, 17, 24, 31)
        + on(1997, 8, 7, 14, 21, 28)
        + on(1998, 6, 4, 11, 18, 25)
        + on(1998, 7, 2, 9, 16, 23, 30)
        + on(1998, 8, 6, 13, 20, 27)
        + on(1999, 6, 3, 10, 17, 24)
        + on(1999, 7, 1, 8, 15, 22, 29)
        + on(1999, 8, 5, 12, 19, 26),
    ),
    (
        "the first Saturday that follows the first Sunday of the month, forever",
        "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
        date(1997, 9, 13),
        on(1997, 9, 13)
        + on(1997, 10, 11)
        + on(1997, 11, 8)
        + on(1997, 12, 13)
        + on(1998, 1, 10)
        + on(1998, 2, 7)
        + on(1998, 3, 7)
        + on(1998, 4, 11)
        + on(1998, 5, 9)
        + on(1998, 6, 13),
    ),
    (
        "every 4 years, the first Tuesday after a Monday in November, forever",
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
        date(1996, 11, 5),
        on(1996, 11, 5) + on(2000, 11, 7) + on(2004, 11, 2),
    ),
    (
        "the third instance of Tuesday, Wednesday or Thursday, for 3 months",
        "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
        date(1997, 9, 4),
        on(1997, 9, 4) + on(1997, 10, 7) + on(1997, 11, 6),
    ),
    (
        "the second-to-last weekday of the month",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
        date(1997, 9, 29),
        on(1997, 9, 29)
        + on(1997, 10, 30)
        + on(1997, 11, 27)
        + on(1997, 12, 30)
        + on(1998, 1, 29)
        + on(1998, 2, 26)
        + on(1998, 3, 30),
    ),
    (
        "WKST makes a difference (MO)",
        "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
        date(1997, 8, 5),
        on(1997, 8, 5, 10, 19, 24),
    ),
    (
        "WKST makes a difference (SU)",
        "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
        date(1997, 8, 5),
        on(1997, 8, 5, 17, 19, 31),
    ),
    (
        "an invalid date (February 30) is ignored",
        "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
        date(2007, 1, 15),
        on(2007, 1, 15, 30) + on(2007, 2, 15) + on(2007, 3, 15, 30),
    ),
]


def _expand(rule: str, first: date, limit: int | None) -> list[datetime]:
    start = datetime(first.year, first.month, first.day, 9, tzinfo=NY)
    recurrence = Recurrence(rule=RecurrenceRule.parse(rule), start=start)
    return [o.start for o in itertools.islice(recurrence.occurrences(), limit)]


@pytest.mark.parametrize(
    ("title", "rule", "first", "expected"), EXAMPLES, ids=[e[0] for e in EXAMPLES]
)
def test_rfc5545_example(
    title: str, rule: str, first: date, expected: list[date]
) -> None:
    bounded = "COUNT" in rule or "UNTIL" in rule
    # Bounded rules must stop exactly; forever ones are compared on what the RFC
    # lists.
    got = _expand(rule, first, None if bounded else len(expected))
    assert [o.date() for o in got] == expected, title
    assert all((o.hour, o.minute, o.tzinfo) == (9, 0, NY) for o in got)
    assert RecurrenceRule.parse(str(RecurrenceRule.parse(rule))) == (
        RecurrenceRule.parse(rule)
    )


def test_friday_13th_with_the_start_excluded() -> None:
    # "Every Friday the 13th, forever": DTSTART (a Tuesday) is the first instance
    # by RFC 5545, and the RFC's EXDATE removes it again.
    start = datetime(1997, 9, 2, 9, tzinfo=NY)
    recurrence = Recurrence(
        rule=RecurrenceRule.parse("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13"),
        start=start,
        exdates=[start],
    )
    got = [o.start.date() for o in itertools.islice(recurrence.occurrences(), 5)]
    assert got == [
        date(1998, 2, 13),
        date(1998, 3, 13),
        date(1998, 11, 13),
        date(1999, 8, 13),
        date(2000, 10, 13),
    ]


def test_daylight_labels_follow_the_rfc() -> None:
    # "(1997 9:00 AM EDT) September 2-30;October 1-25
    #  (1997 9:00 AM EST) October 26-31;..."
    got = _expand("FREQ=DAILY;UNTIL=19971224T000000Z", date(1997, 9, 2), None)
    labels = {o.date(): o.tzname() for o in got}
    assert labels[date(1997, 10, 25)] == "EDT"
    assert labels[date(1997, 10, 26)] == "EST"
    assert {labels[d] for d in span(1997, 9, 2, 30)} == {"EDT"}
    assert {labels[d] for d in span(1997, 11, 1, 30)} == {"EST"}


@pytest.mark.parametrize(
    ("rule", "part"),
    [
        ("FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200", "BYYEARDAY"),
        ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "BYWEEKNO"),
        ("FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z", "FREQ"),
        ("FREQ=MINUTELY;INTERVAL=15;COUNT=6", "FREQ"),
        ("FREQ=MINUTELY;INTERVAL=90;COUNT=4", "FREQ"),
        ("FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40", "BYHOUR"),
        ("FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16", "BYHOUR"),
    ],
)
def test_rfc5545_examples_with_unsupported_parts_are_refused(
    rule: str, part: str
) -> None:
    with pytest.raises(UnsupportedRecurrencePartError) as caught:
        RecurrenceRule.parse(rule)
    assert caught.value.details["part"] == part
    assert part in str(caught.value)
