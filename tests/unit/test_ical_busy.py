"""Busy times from an external calendar block exactly the matching slots."""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta, timezone

import pytest

from booking_core import TimeWindow, WeeklyAvailability, free_slots
from booking_core.availability.commitments import CommitmentKind
from booking_core.availability.slots import SlotRequest
from booking_core.errors import (
    InvalidCalendarError,
    MissingExtraError,
    UnsupportedRecurrencePartError,
)
from booking_core.ical import busy_commitments

UTC = timezone.utc
LONDON = "Europe/London"
WINDOW = TimeWindow(
    start=datetime(2026, 3, 16, tzinfo=UTC), end=datetime(2026, 4, 13, tzinfo=UTC)
)
NOW = datetime(2026, 3, 1, tzinfo=UTC)

LONDON_TZ = """BEGIN:VTIMEZONE\r
TZID:Europe/London\r
BEGIN:DAYLIGHT\r
DTSTART:19810329T010000\r
TZOFFSETFROM:+0000\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
TZNAME:BST\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
DTSTART:19961027T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
TZNAME:GMT\r
END:STANDARD\r
END:VTIMEZONE\r
BEGIN:VTIMEZONE\r
TZID:W. Europe Standard Time\r
BEGIN:STANDARD\r
DTSTART:16010101T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""


def _event(uid: str, *lines: str) -> str:
    body = "".join(f"{line}\r\n" for line in lines)
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260301T000000Z\r\n{body}END:VEVENT\r\n"
    )


FEED = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Calendar//EN\r\n"
    + LONDON_TZ
    # weekly Tuesday lesson 10:00 London across the spring change; one off, one moved
    + _event(
        "tue",
        "DTSTART;TZID=Europe/London:20260310T100000",
        "DTEND;TZID=Europe/London:20260310T110000",
        "RRULE:FREQ=WEEKLY;BYDAY=TU",
        "EXDATE;TZID=Europe/London:20260324T100000",
    )
    + _event(
        "tue",
        "RECURRENCE-ID;TZID=Europe/London:20260331T100000",
        "DTSTART;TZID=Europe/London:20260401T140000",
        "DTEND;TZID=Europe/London:20260401T150000",
    )
    # a weekly Monday that started years ago and never ends: only the window
    + _event(
        "mon",
        "DTSTART;TZID=Europe/London:20200106T170000",
        "DTEND;TZID=Europe/London:20200106T180000",
        "RRULE:FREQ=WEEKLY",
    )
    # all day on Good Friday (local midnight to midnight)
    + _event("fri", "DTSTART;VALUE=DATE:20260403", "DTEND;VALUE=DATE:20260404")
    # shown as free, and cancelled: neither blocks
    + _event(
        "free",
        "DTSTART;TZID=Europe/London:20260319T090000",
        "DTEND;TZID=Europe/London:20260319T180000",
        "TRANSP:TRANSPARENT",
    )
    + _event(
        "off",
        "DTSTART:20260320T090000Z",
        "DTEND:20260320T180000Z",
        "STATUS:CANCELLED",
    )
    # UTC, floating (read in the teacher's zone), another zone
    + _event("utc", "DTSTART:20260318T120000Z", "DTEND:20260318T130000Z")
    + _event("floating", "DTSTART:20260323T150000", "DTEND:20260323T160000")
    + _event(
        "ny",
        "DTSTART;TZID=America/New_York:20260325T090000",
        "DTEND;TZID=America/New_York:20260325T100000",
    )
    # a count-limited daily with a DURATION
    + _event(
        "dur",
        "DTSTART;TZID=Europe/London:20260409T090000",
        "DURATION:PT30M",
        "RRULE:FREQ=DAILY;COUNT=2",
    )
    # Outlook's own zone name, weekly on Thursday 08:00 CET/CEST
    + _event(
        "outlook",
        "DTSTART;TZID=W. Europe Standard Time:20260312T080000",
        "DTEND;TZID=W. Europe Standard Time:20260312T090000",
        "RRULE:FREQ=WEEKLY;UNTIL=20260403T000000Z",
    )
    # outside the window; and a zero-length reminder
    + _event("may", "DTSTART:20260505T090000Z", "DTEND:20260505T100000Z")
    + _event("tick", "DTSTART:20260317T090000Z")
    + _event("ticks", "DTSTART:20260317T090000Z", "RRULE:FREQ=DAILY")
    + "END:VCALENDAR\r\n"
)


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


EXPECTED = {
    # Tuesdays: 17 Mar GMT, (24 Mar excluded), (31 Mar moved), 7 Apr BST
    TimeWindow(start=_utc(2026, 3, 17, 10), end=_utc(2026, 3, 17, 11)),
    TimeWindow(start=_utc(2026, 4, 7, 9), end=_utc(2026, 4, 7, 10)),
    TimeWindow(start=_utc(2026, 4, 1, 13), end=_utc(2026, 4, 1, 14)),  # moved
    # Mondays 17:00 London
    TimeWindow(start=_utc(2026, 3, 16, 17), end=_utc(2026, 3, 16, 18)),
    TimeWindow(start=_utc(2026, 3, 23, 17), end=_utc(2026, 3, 23, 18)),
    TimeWindow(start=_utc(2026, 3, 30, 16), end=_utc(2026, 3, 30, 17)),
    TimeWindow(start=_utc(2026, 4, 6, 16), end=_utc(2026, 4, 6, 17)),
    # Good Friday, BST
    TimeWindow(start=_utc(2026, 4, 2, 23), end=_utc(2026, 4, 3, 23)),
    TimeWindow(start=_utc(2026, 3, 18, 12), end=_utc(2026, 3, 18, 13)),
    TimeWindow(start=_utc(2026, 3, 23, 15), end=_utc(2026, 3, 23, 16)),
    TimeWindow(start=_utc(2026, 3, 25, 13), end=_utc(2026, 3, 25, 14)),  # EDT
    TimeWindow(start=_utc(2026, 4, 9, 8), end=_utc(2026, 4, 9, 8, 30)),
    TimeWindow(start=_utc(2026, 4, 10, 8), end=_utc(2026, 4, 10, 8, 30)),
    # Thursdays 08:00 Amsterdam time: 07:00Z in winter, 06:00Z from 29 March
    TimeWindow(start=_utc(2026, 3, 19, 7), end=_utc(2026, 3, 19, 8)),
    TimeWindow(start=_utc(2026, 3, 26, 7), end=_utc(2026, 3, 26, 8)),
    TimeWindow(start=_utc(2026, 4, 2, 6), end=_utc(2026, 4, 2, 7)),
}


def test_busy_windows_are_the_feeds_busy_time_in_the_window() -> None:
    busy = busy_commitments(FEED, teacher_id="fay", zone=LONDON, window=WINDOW)
    assert {c.window for c in busy} == EXPECTED
    assert len(busy) == len(EXPECTED)
    assert {c.kind for c in busy} == {CommitmentKind.EXTERNAL}
    assert {c.teacher_id for c in busy} == {"fay"}
    assert len({c.ref_id for c in busy}) == len(busy)
    again = busy_commitments(
        FEED.encode(), teacher_id="fay", zone=LONDON, window=WINDOW
    )
    assert again == busy  # stable ref ids: a re-import gives the same commitments


def test_external_busy_time_blocks_exactly_the_matching_slots() -> None:
    availability = [
        WeeklyAvailability(weekday=day, start=time(6), end=time(20), zone=LONDON)
        for day in range(7)
    ]
    request = SlotRequest(
        first_date=date(2026, 3, 16),
        last_date=date(2026, 4, 12),
        zone=LONDON,
        duration=timedelta(hours=1),
        step=timedelta(minutes=30),
    )
    before = free_slots(availability, [], request, now=NOW)
    busy = busy_commitments(FEED, teacher_id="fay", zone=LONDON, window=WINDOW)
    after = free_slots(availability, busy, request, now=NOW)
    expected = tuple(s for s in before if not any(s.overlaps(b) for b in EXPECTED))
    assert after == expected
    assert len(before) - len(after) > 60


def test_an_override_without_its_series_still_blocks() -> None:
    feed = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        + _event(
            "lone",
            "RECURRENCE-ID:20260317T100000Z",
            "DTSTART:20260318T100000Z",
            "DTEND:20260318T110000Z",
        )
        + _event(
            "lone-free",
            "RECURRENCE-ID:20260317T100000Z",
            "DTSTART:20260318T100000Z",
            "DTEND:20260318T110000Z",
            "TRANSP:TRANSPARENT",
        )
        + "END:VCALENDAR\r\n"
    )
    busy = busy_commitments(feed, teacher_id="fay", zone=LONDON, window=WINDOW)
    assert [c.window for c in busy] == [
        TimeWindow(start=_utc(2026, 3, 18, 10), end=_utc(2026, 3, 18, 11))
    ]


def test_a_cancelled_series_and_an_all_day_series() -> None:
    feed = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        + _event(
            "gone",
            "DTSTART:20260317T100000Z",
            "DTEND:20260317T110000Z",
            "RRULE:FREQ=DAILY",
            "STATUS:CANCELLED",
        )
        + _event(
            "gone",
            "RECURRENCE-ID:20260318T100000Z",
            "DTSTART:20260318T120000Z",
            "DTEND:20260318T130000Z",
        )
        + _event(
            "days",
            "DTSTART;VALUE=DATE:20260406",
            "RRULE:FREQ=DAILY;COUNT=3",
            "EXDATE;VALUE=DATE:20260407",
        )
        + "END:VCALENDAR\r\n"
    )
    busy = busy_commitments(feed, teacher_id="fay", zone=LONDON, window=WINDOW)
    assert [c.window for c in busy] == [
        TimeWindow(start=_utc(2026, 3, 18, 12), end=_utc(2026, 3, 18, 13)),
        TimeWindow(start=_utc(2026, 4, 5, 23), end=_utc(2026, 4, 6, 23)),
        TimeWindow(start=_utc(2026, 4, 7, 23), end=_utc(2026, 4, 8, 23)),
    ]


def test_bounds_and_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidCalendarError, match="more than 3"):
        busy_commitments(
            FEED, teacher_id="fay", zone=LONDON, window=WINDOW, max_events=3
        )
    with pytest.raises(InvalidCalendarError) as caught:
        busy_commitments("not a calendar", teacher_id="fay", zone=LONDON, window=WINDOW)
    assert caught.value.http_status == 422
    no_start = "BEGIN:VCALENDAR\r\n" + _event("x", "SUMMARY:x") + "END:VCALENDAR\r\n"
    with pytest.raises(InvalidCalendarError):
        busy_commitments(no_start, teacher_id="fay", zone=LONDON, window=WINDOW)
    hourly = (
        "BEGIN:VCALENDAR\r\n"
        + _event("h", "DTSTART:20260317T100000Z", "RRULE:FREQ=HOURLY")
        + "END:VCALENDAR\r\n"
    )
    with pytest.raises(UnsupportedRecurrencePartError):
        busy_commitments(hourly, teacher_id="fay", zone=LONDON, window=WINDOW)
    monkeypatch.setitem(sys.modules, "icalendar", None)
    with pytest.raises(
        MissingExtraError, match=r"booking-core-domain\[ical\]"
    ) as missing:
        busy_commitments(FEED, teacher_id="fay", zone=LONDON, window=WINDOW)
    assert isinstance(missing.value, ImportError)
    assert missing.value.http_status == 500


def test_a_utc_anchor_from_a_plain_timezone_keeps_utc() -> None:
    from zoneinfo import ZoneInfo

    from booking_core.ical._busy import _anchor

    anchored = _anchor(_utc(2026, 3, 17, 10), ZoneInfo(LONDON))
    assert anchored.tzinfo == ZoneInfo("UTC")
    assert anchored == _utc(2026, 3, 17, 10)
