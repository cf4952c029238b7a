"""Exported calendars read back by icalendar + recurring_ical_events.

The instants a calendar client computes from our text must be the library's own:
series across DST changes in Europe/London and America/New_York, with moved and
cancelled occurrences, single sessions, bookings and feeds.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs
import icalendar
import pytest
import recurring_ical_events

from booking_core import Session, TimeWindow
from booking_core.actors import Actor
from booking_core.bookings.model import Booking, BookingStatus
from booking_core.ical import (
    booking_invite,
    calendar_feed,
    series_invite,
    session_invite,
    uid,
)
from booking_core.ical._content import content_line, escape_text, fold
from booking_core.recurrence import RecurrenceRule
from booking_core.series import (
    BookingSeries,
    ChangeScope,
    SeriesItemStatus,
    cancel_occurrences,
    create_series,
    move_occurrences,
)
from booking_core.sessions import (
    MeetingInfo,
    ReschedulePolicy,
    SessionPolicy,
    approve_reschedule,
    cancel,
    request_reschedule,
)

UTC = timezone.utc
HOUR = timedelta(hours=1)
NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
STUDENT = Actor.student("ann")
TEACHER = Actor.teacher("fay")
FAY = "mailto:fay@example.com"
FAR = datetime(2030, 1, 1, tzinfo=UTC)
ZONES = ["Europe/London", "America/New_York"]


def _parse(text: str) -> icalendar.Calendar:
    assert text.endswith("\r\n")
    for line in text.split("\r\n")[:-1]:
        assert len(line.encode("utf-8")) <= 75, line
        assert "\n" not in line
        assert "\r" not in line
    return icalendar.Calendar.from_ical(text)


def _instants(
    text: str, low: datetime, high: datetime
) -> list[tuple[datetime, datetime]]:
    events = recurring_ical_events.of(_parse(text)).between(low, high)
    return sorted(
        (e.decoded("DTSTART").astimezone(UTC), e.decoded("DTEND").astimezone(UTC))
        for e in events
    )


def _windows(series: BookingSeries) -> list[tuple[datetime, datetime]]:
    return sorted(
        (item.window.start, item.window.end)
        for item in series.items
        if item.status is SeriesItemStatus.ACTIVE
    )


def _series(zone: str, rule: str = "FREQ=WEEKLY;BYDAY=MO,TH") -> BookingSeries:
    # 18:00 local from February to December: both DST changes of both zones
    return create_series(
        id="fay-piano",
        teacher_id="fay",
        student_id="ann",
        course_id="piano",
        rule=RecurrenceRule.parse(rule),
        start=datetime(2026, 2, 2, 18),
        zone=zone,
        duration=HOUR,
        until=datetime(2026, 12, 1, tzinfo=UTC),
        existing=(),
        actor=STUDENT,
        now=NOW,
    ).state


def _expansion(series: BookingSeries) -> tuple[datetime, datetime]:
    return series.first_start, series.expanded_until


@pytest.mark.parametrize("zone", ZONES)
def test_a_series_reads_back_as_its_occurrences_across_dst(zone: str) -> None:
    series = _series(zone)
    text = series_invite(series, now=NOW, organizer=FAY, attendees=["mailto:ann@x.org"])
    assert _instants(text, *_expansion(series)) == _windows(series)
    assert len(_windows(series)) > 80
    master = _parse(text).walk("VEVENT")[0]
    assert str(master["UID"]) == uid("series", "fay-piano")
    assert master["DTSTART"].params["TZID"] == zone
    assert "METHOD:REQUEST" in text


@pytest.mark.parametrize("zone", ZONES)
def test_moved_and_cancelled_occurrences_read_back(zone: str) -> None:
    series = _series(zone)
    by_date = {item.local_start.date().isoformat(): item for item in series.items}
    # cancel one occurrence in summer time, one in winter time
    for day in ("2026-03-30", "2026-11-05"):
        series = cancel_occurrences(
            series,
            occurrence_index=by_date[day].occurrence_index,
            scope=ChangeScope.ONE,
            reason="ill",
            actor=STUDENT,
            now=NOW,
        ).state
    # move one across the autumn change (to the next local day, 09:30)
    moved = by_date["2026-10-29"]
    series = move_occurrences(
        series,
        occurrence_index=moved.occurrence_index,
        new_start=datetime(2026, 11, 3, 14, 30, tzinfo=UTC),
        scope=ChangeScope.ONE,
        existing=(),
        reason="travel",
        actor=TEACHER,
        now=NOW,
    ).state
    series = attrs.evolve(series, version=series.version + 3)
    text = series_invite(series, now=NOW, organizer=FAY)
    assert _instants(text, *_expansion(series)) == _windows(series)
    assert "EXDATE;TZID=" in text
    assert "RECURRENCE-ID;TZID=" in text
    assert "SEQUENCE:3" in text


@pytest.mark.parametrize("zone", ZONES)
def test_this_and_following_changes_read_back(zone: str) -> None:
    series = _series(zone)
    by_date = {item.local_start.date().isoformat(): item for item in series.items}
    series = move_occurrences(
        series,
        occurrence_index=by_date["2026-04-02"].occurrence_index,
        new_start=datetime(2026, 4, 2, 19, 30, tzinfo=ZoneInfo(zone)),  # 19:30 on
        scope=ChangeScope.THIS_AND_FOLLOWING,
        existing=(),
        reason="later",
        actor=TEACHER,
        now=NOW,
    ).state
    series = cancel_occurrences(
        series,
        occurrence_index=by_date["2026-11-16"].occurrence_index,
        scope=ChangeScope.THIS_AND_FOLLOWING,
        reason="end",
        actor=STUDENT,
        now=NOW,
    ).state
    text = series_invite(series, now=NOW, organizer=FAY)
    assert _instants(text, series.first_start, FAR) == _windows(series)


@pytest.mark.parametrize("zone", ZONES)
def test_a_series_until_a_date_and_its_unexpanded_plan(zone: str) -> None:
    series = _series(zone, "FREQ=WEEKLY;UNTIL=20270301")
    text = series_invite(series, now=NOW, organizer=FAY)
    assert "UNTIL=2027" in text
    assert "Z" in text.split("RRULE:")[1].split("\r\n")[0]
    expected = [
        (o.start.astimezone(UTC), o.start.astimezone(UTC) + HOUR)
        for o in series.recurrence.occurrences()
    ]
    assert _instants(text, series.first_start, FAR) == expected
    assert expected[-1][0].astimezone(series.recurrence.zone).date().isoformat() == (
        "2027-03-01"
    )


def test_a_fully_expanded_series_reads_back() -> None:
    series = _series("America/New_York", "FREQ=DAILY;COUNT=5")
    text = series_invite(series, now=NOW, organizer=FAY)
    assert _instants(text, series.first_start, FAR) == _windows(series)
    assert len(_windows(series)) == 5


def test_an_ended_series_is_cancelled() -> None:
    series = _series("Europe/London")
    series = cancel_occurrences(
        series,
        occurrence_index=0,
        scope=ChangeScope.ALL,
        reason="stop",
        actor=STUDENT,
        now=NOW,
    ).state
    text = series_invite(series, now=NOW, organizer=FAY, summary="Piano")
    assert "METHOD:CANCEL" in text
    assert "STATUS:CANCELLED" in text


def _session(zone: str, start: datetime) -> Session:
    return Session(
        id="s-1",
        kind="group",
        teacher_id="fay",
        course_id="piano",
        window=TimeWindow.of(start, timedelta(minutes=45)),
        zone=zone,
        capacity=4,
    )


@pytest.mark.parametrize("zone", ZONES)
def test_a_rescheduled_session_raises_sequence_and_keeps_uid(zone: str) -> None:
    session = _session(zone, datetime(2026, 10, 22, 17, tzinfo=UTC))
    first = session_invite(session, now=NOW, organizer=FAY, attendees=["mailto:a@x"])
    requested = request_reschedule(
        session,
        reason="teacher travels that week",
        new_start=datetime(2026, 11, 5, 18, tzinfo=UTC),
        actor=TEACHER,
        now=NOW,
        policy=ReschedulePolicy(),
        students=["ann"],
    ).state
    requested = attrs.evolve(requested, version=requested.version + 1)  # saved
    moved = approve_reschedule(
        requested, actor=STUDENT, now=NOW, policy=ReschedulePolicy(), students=["ann"]
    ).state
    moved = attrs.evolve(moved, version=moved.version + 1)  # saved
    second = session_invite(moved, now=NOW, organizer=FAY)
    one, two = (_parse(t).walk("VEVENT")[0] for t in (first, second))
    assert one["UID"] == two["UID"] == uid("session", "s-1")
    assert int(str(two["SEQUENCE"])) > int(str(one["SEQUENCE"]))
    assert _instants(second, NOW, FAR) == [(moved.start, moved.end)]
    cancelled = cancel(
        moved, reason="closed", actor=TEACHER, now=NOW, policy=SessionPolicy()
    ).state
    cancelled = attrs.evolve(cancelled, version=cancelled.version + 1)
    third = session_invite(cancelled, now=NOW, organizer=FAY)
    assert "METHOD:CANCEL" in third
    assert "STATUS:CANCELLED" in third
    assert int(str(_parse(third).walk("VEVENT")[0]["SEQUENCE"])) > int(
        str(two["SEQUENCE"])
    )


def test_feed_holds_the_sessions_in_the_window_in_their_zones() -> None:
    london = _session("Europe/London", datetime(2026, 3, 29, 17, tzinfo=UTC))
    york = attrs.evolve(
        _session("America/New_York", datetime(2026, 3, 8, 15, tzinfo=UTC)), id="s-2"
    )
    late = attrs.evolve(london, id="s-3", window=TimeWindow.of(FAR, HOUR))
    window = TimeWindow(start=NOW, end=datetime(2026, 6, 1, tzinfo=UTC))
    text = calendar_feed([london, late, york], window=window, now=NOW, name="Fay, all")
    assert "METHOD" not in text
    assert "X-WR-CALNAME:Fay\\, all" in text
    assert _instants(text, NOW, FAR) == [
        (york.start, york.end),
        (london.start, london.end),
    ]
    assert text.count("BEGIN:VTIMEZONE") == 2
    with_link = attrs.evolve(
        london, meeting=MeetingInfo(provider="zoom", link="https://zoom.example/j/1")
    )
    plain = calendar_feed([with_link], window=window, now=NOW)
    assert "X-WR-CALNAME" not in plain
    assert str(_parse(plain).walk("VEVENT")[0]["LOCATION"]) == (
        "https://zoom.example/j/1"
    )


@pytest.mark.parametrize(
    ("status", "method", "shown"),
    [
        (BookingStatus.CONFIRMED, "REQUEST", "CONFIRMED"),
        (BookingStatus.PENDING, "REQUEST", "TENTATIVE"),
        (BookingStatus.ATTENDED, "REQUEST", "CONFIRMED"),
        (BookingStatus.CANCELLED, "CANCEL", "CANCELLED"),
    ],
)
def test_booking_invites(status: BookingStatus, method: str, shown: str) -> None:
    start = datetime(2026, 3, 8, 15, tzinfo=UTC)
    booking = Booking(
        id="b-1",
        type="one_on_one",
        session_id="s-1",
        student_id="ann",
        teacher_id="fay",
        course_id="piano",
        window=TimeWindow.of(start, HOUR),
        status=status,
        created_at=NOW,
        version=2,
    )
    text = booking_invite(
        booking,
        zone="America/New_York",
        now=NOW,
        organizer=FAY,
        attendees=["mailto:ann@example.com"],
        description="Room 2; bring: books, pencil\nsee you",
    )
    event = _parse(text).walk("VEVENT")[0]
    assert f"METHOD:{method}" in text
    assert str(event["STATUS"]) == shown
    assert str(event["DESCRIPTION"]) == "Room 2; bring: books, pencil\nsee you"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert _instants(text, NOW, FAR) == [(start, start + HOUR)]


def test_text_escaping_and_folding() -> None:
    assert escape_text("a\\b;c,d\r\ne\rf") == "a\\\\b\\;c\\,d\\ne\\nf"
    line = "SUMMARY:" + "é" * 80
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
    assert content_line("ATTENDEE", "mailto:a@x", cn="Ann; B") == (
        'ATTENDEE;CN="Ann; B":mailto:a@x'
    )


def test_zone_without_transitions_and_fractional_offsets() -> None:
    session = _session("Asia/Kolkata", datetime(2026, 3, 29, 12, tzinfo=UTC))
    text = session_invite(session, now=NOW, organizer=FAY)
    assert "TZOFFSETTO:+0530" in text
    assert "BEGIN:DAYLIGHT" not in text
    assert _instants(text, NOW, FAR) == [(session.start, session.end)]
    historic = _session("Europe/Amsterdam", datetime(1937, 6, 30, 12, tzinfo=UTC))
    old = session_invite(historic, now=NOW, organizer=FAY)
    assert "TZOFFSETFROM:+011932" in old  # seconds kept (RFC 5545 utc-offset)
    assert "TZOFFSETTO:+0120" in old
    assert _instants(old, historic.start - HOUR, FAR) == [
        (historic.start, historic.end)
    ]
