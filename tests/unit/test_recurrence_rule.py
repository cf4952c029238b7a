"""RecurrenceRule: construction, validation, RRULE parse and canonical format."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import attrs
import pytest

from booking_core.errors import (
    FloatingUntilError,
    InvalidRecurrenceRuleError,
    NaiveDatetimeError,
    UnsupportedRecurrencePartError,
)
from booking_core.recurrence import Frequency, NthWeekday, RecurrenceRule, Weekday

UTC = timezone.utc


def test_python_construction_matches_parse() -> None:
    built = RecurrenceRule(
        frequency=Frequency.MONTHLY,
        interval=2,
        by_weekday=(Weekday.FR.nth(-1), "1MO", Weekday.WE),
        by_month=(12, 1, 1),
        by_month_day=(),
        count=5,
    )
    parsed = RecurrenceRule.parse(
        "rrule:freq=monthly;interval=2;count=5;bymonth=1,12;byday=1MO,WE,-1FR"
    )
    assert built == parsed
    assert (
        str(built) == "FREQ=MONTHLY;INTERVAL=2;COUNT=5;BYMONTH=1,12;BYDAY=1MO,WE,-1FR"
    )
    assert built.by_month == (1, 12)


def test_canonical_format_orders_parts_and_omits_defaults() -> None:
    rule = RecurrenceRule.parse(
        "WKST=SU;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR;BYMONTHDAY=1,-1;FREQ=MONTHLY"
    )
    assert str(rule) == (
        "FREQ=MONTHLY;BYMONTHDAY=-1,1;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;WKST=SU"
    )
    assert str(RecurrenceRule.parse("FREQ=WEEKLY;INTERVAL=1;WKST=MO")) == "FREQ=WEEKLY"


def test_until_forms() -> None:
    zulu = RecurrenceRule.parse("FREQ=DAILY;UNTIL=19971224T000000Z")
    assert zulu.until == datetime(1997, 12, 24, tzinfo=UTC)
    assert str(zulu) == "FREQ=DAILY;UNTIL=19971224T000000Z"
    local_day = RecurrenceRule.parse("FREQ=DAILY;UNTIL=19971224")
    assert local_day.until == date(1997, 12, 24)
    assert str(local_day) == "FREQ=DAILY;UNTIL=19971224"
    aware = RecurrenceRule(
        frequency="WEEKLY",
        until=datetime(2026, 6, 1, 18, tzinfo=ZoneInfo("Europe/London")),
    )
    assert aware.until == datetime(2026, 6, 1, 17, tzinfo=UTC)
    assert str(aware) == "FREQ=WEEKLY;UNTIL=20260601T170000Z"


def test_floating_until_is_refused_not_read_as_utc() -> None:
    with pytest.raises(FloatingUntilError) as caught:
        RecurrenceRule.parse("FREQ=DAILY;UNTIL=19971224T000000")
    assert caught.value.code == "recurrence.floating_until"
    assert "UNTIL=19971224T000000Z" in str(caught.value)
    assert "UNTIL=19971224)" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("FREQ=SECONDLY", "FREQ"),
        ("FREQ=DAILY;BYSECOND=1", "BYSECOND"),
        ("FREQ=DAILY;BYMINUTE=1", "BYMINUTE"),
        ("FREQ=YEARLY;BYYEARDAY=1", "BYYEARDAY"),
        ("FREQ=DAILY;X-NAME=1", "X-NAME"),
        ("FREQ=YEARLY;RSCALE=GREGORIAN", "RSCALE"),
    ],
)
def test_unsupported_parts_name_the_part(text: str, part: str) -> None:
    with pytest.raises(UnsupportedRecurrencePartError) as caught:
        RecurrenceRule.parse(text)
    assert caught.value.code == "recurrence.unsupported_part"
    assert str(caught.value).startswith(part)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("", "RRULE"),
        ("FREQ=DAILY;", "RRULE"),
        ("FREQ", "FREQ"),
        ("FREQ=", "FREQ"),
        ("INTERVAL=2", "FREQ"),
        ("FREQ=FORTNIGHTLY", "FREQ"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ"),
        ("FREQ=DAILY;COLOR=RED", "COLOR"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL"),
        ("FREQ=DAILY;INTERVAL=-1", "INTERVAL"),
        ("FREQ=DAILY;INTERVAL=two", "INTERVAL"),
        ("FREQ=DAILY;COUNT=0", "COUNT"),
        ("FREQ=DAILY;COUNT=1;UNTIL=20260101", "COUNT/UNTIL"),
        ("FREQ=DAILY;UNTIL=2026-01-01", "UNTIL"),
        ("FREQ=DAILY;UNTIL=20260230", "UNTIL"),
        ("FREQ=DAILY;UNTIL=20260101T250000Z", "UNTIL"),
        ("FREQ=MONTHLY;BYDAY=MONDAY", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=6MO", "BYDAY"),
        ("FREQ=YEARLY;BYDAY=54MO", "BYDAY"),
        ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY"),
        ("FREQ=DAILY;BYDAY=-1FR", "BYDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,x", "BYMONTHDAY"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=367", "BYSETPOS"),
        ("FREQ=WEEKLY;WKST=XX", "WKST"),
    ],
)
def test_malformed_rules_name_the_part(text: str, part: str) -> None:
    with pytest.raises(InvalidRecurrenceRuleError) as caught:
        RecurrenceRule.parse(text)
    assert caught.value.code == "recurrence.invalid_rule"
    assert caught.value.details["part"] == part
    assert isinstance(caught.value, ValueError)


def test_parse_refuses_non_strings() -> None:
    with pytest.raises(InvalidRecurrenceRuleError):
        RecurrenceRule.parse(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"interval": True},
        {"count": 1.5},
        {"count": False},
        {"by_month": (True,)},
        {"by_month": ("1",)},
        {"until": "2026-01-01"},
        {"until": datetime(2026, 1, 1, 0, 0, 0, 5, tzinfo=UTC)},
        {"by_weekday": (NthWeekday(weekday=Weekday.MO, n=2),)},
        {"by_weekday": ("XX",)},
        {"by_weekday": (7,)},
        {"week_start": "monday"},
        {"week_start": True},
    ],
)
def test_bad_python_values_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidRecurrenceRuleError):
        RecurrenceRule(frequency=Frequency.DAILY, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("frequency", ["hourly", 3, None])
def test_bad_frequencies_are_refused(frequency: object) -> None:
    with pytest.raises(InvalidRecurrenceRuleError) as caught:
        RecurrenceRule(frequency=frequency)
    assert caught.value.details["part"] == "FREQ"


def test_frequency_and_weekday_accept_names() -> None:
    rule = RecurrenceRule(frequency="weekly", week_start="su", by_weekday=["mo"])
    assert str(rule) == "FREQ=WEEKLY;BYDAY=MO;WKST=SU"


def test_naive_until_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        RecurrenceRule(frequency="DAILY", until=datetime(2026, 1, 1))


@pytest.mark.parametrize("n", [True, 0, 54, -54, "1"])
def test_bad_ordinals_are_refused(n: object) -> None:
    with pytest.raises(InvalidRecurrenceRuleError):
        NthWeekday(weekday=Weekday.MO, n=n)  # type: ignore[arg-type]


def test_weekday_helpers() -> None:
    assert str(Weekday.SU.nth(2)) == "2SU"
    assert str(NthWeekday(weekday=4)) == "FR"
    assert NthWeekday(weekday="TH") == NthWeekday.parse(" th ")
    rule = RecurrenceRule(frequency="WEEKLY", by_weekday=(4, "MO"), week_start=6)
    assert str(rule) == "FREQ=WEEKLY;BYDAY=MO,FR;WKST=SU"


def test_rules_are_frozen_and_hashable() -> None:
    rule = RecurrenceRule.parse("FREQ=DAILY")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        rule.interval = 2  # type: ignore[misc]
    assert hash(rule) == hash(RecurrenceRule.parse("FREQ=DAILY;INTERVAL=1"))
