"""Calendar invites and feeds: sessions, bookings and series as RFC 5545 text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs

from booking_core import Occurrence, Session, SessionStatus, TimeWindow, get_zone
from booking_core._validation import utc_instant
from booking_core.bookings.model import Booking, BookingStatus
from booking_core.ical._content import (
    calendar,
    content_line,
    escape_text,
    local_datetime,
    utc_datetime,
    vtimezone,
)
from booking_core.series import BookingSeries, SeriesItemStatus

__all__ = [
    "DEFAULT_DOMAIN",
    "booking_invite",
    "calendar_feed",
    "series_invite",
    "session_invite",
    "uid",
]

DEFAULT_DOMAIN = "booking-core.invalid"
"""The right-hand side of UIDs unless the host passes its own ``domain``."""

_UTC = timezone.utc
_TENTATIVE = frozenset(
    {BookingStatus.PENDING, BookingStatus.WAITLISTED, BookingStatus.OFFERED}
)


def uid(kind: str, id: str, *, domain: str = DEFAULT_DOMAIN) -> str:  # noqa: A002
    """The stable ``UID`` of a session, booking or series: ``kind-id@domain``.

    Example:
        >>> uid("session", "s-1", domain="school.example")
        'session-s-1@school.example'
    """
    return f"{kind}-{id}@{domain}"


def _duration(value: timedelta) -> str:
    """An exact RFC 5545 duration in hours, minutes, seconds (``PT1H30M``)."""
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "".join(
        f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if n
    )
    return f"PT{text or '0S'}"


def _when(name: str, instant: datetime, zone: ZoneInfo) -> str:
    return content_line(name, local_datetime(instant, zone), tzid=zone.key)


def _people(organizer: str | None, attendees: Sequence[str]) -> list[str]:
    lines = [] if organizer is None else [content_line("ORGANIZER", organizer)]
    lines += [
        content_line(
            "ATTENDEE", address, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION"
        )
        for address in attendees
    ]
    return lines


def _texts(summary: str, description: str | None, location: str | None) -> list[str]:
    lines = [content_line("SUMMARY", escape_text(summary))]
    if description is not None:
        lines.append(content_line("DESCRIPTION", escape_text(description)))
    if location is not None:
        lines.append(content_line("LOCATION", escape_text(location)))
    return lines


def _session_lines(
    session: Session,
    *,
    now: datetime,
    domain: str,
    summary: str | None,
    description: str | None,
    organizer: str | None,
    attendees: Sequence[str],
) -> list[str]:
    zone = get_zone(session.zone)
    meeting = session.meeting
    status = "CANCELLED" if session.status is SessionStatus.CANCELLED else "CONFIRMED"
    return [
        "BEGIN:VEVENT",
        content_line("UID", uid("session", session.id, domain=domain)),
        content_line("DTSTAMP", utc_datetime(now)),
        _when("DTSTART", session.start, zone),
        _when("DTEND", session.end, zone),
        content_line("SEQUENCE", str(session.version)),
        content_line("STATUS", status),
        *_texts(
            summary if summary is not None else session.course_id,
            description,
            None if meeting is None else meeting.link,
        ),
        *_people(organizer, attendees),
        "END:VEVENT",
    ]


def session_invite(
    session: Session,
    *,
    now: datetime,
    organizer: str,
    attendees: Sequence[str] = (),
    summary: str | None = None,
    description: str | None = None,
    domain: str = DEFAULT_DOMAIN,
) -> str:
    """An iTIP invite (RFC 5546) for one session: ``METHOD:REQUEST`` or ``CANCEL``.

    A cancelled session gives ``METHOD:CANCEL`` with ``STATUS:CANCELLED``; any
    other a ``REQUEST``. The ``UID`` is stable per session, ``DTSTART`` and
    ``DTEND`` are local times in the session's zone (``TZID`` with its
    ``VTIMEZONE``), and ``SEQUENCE`` is the session's stored ``version``: it rises
    with every saved change, so every reschedule (and the cancellation) reaches
    calendars as a newer copy of the same event.

    Args:
        session: The session.
        now: The current instant (``DTSTAMP``).
        organizer: The organizer's calendar address (``mailto:...``).
        attendees: The attendees' calendar addresses.
        summary: The title (default the course id).
        description: Free text (escaped as RFC 5545 TEXT).
        domain: The right-hand side of the ``UID``.

    Returns:
        The ``VCALENDAR`` text, CRLF line endings, folded at 75 octets.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from booking_core.intervals import TimeWindow
        >>> from booking_core.sessions import Session
        >>> start = datetime(2026, 3, 30, 17, tzinfo=timezone.utc)
        >>> session = Session(id="s-1", kind="group", teacher_id="fay",
        ...     course_id="piano", window=TimeWindow.of(start, timedelta(minutes=60)),
        ...     zone="Europe/London", capacity=4)
        >>> fay = "mailto:fay@example.com"
        >>> text = session_invite(session, now=start, organizer=fay)
        >>> [x for x in text.splitlines() if x.startswith(("METHOD", "DTSTART;"))]
        ['METHOD:REQUEST', 'DTSTART;TZID=Europe/London:20260330T180000']
    """
    now = utc_instant(now, "now")
    zone = get_zone(session.zone)
    method = "CANCEL" if session.status is SessionStatus.CANCELLED else "REQUEST"
    lines = [
        *vtimezone(zone, session.start, session.end),
        *_session_lines(
            session,
            now=now,
            domain=domain,
            summary=summary,
            description=description,
            organizer=organizer,
            attendees=attendees,
        ),
    ]
    return calendar(lines, method=method)


def booking_invite(
    booking: Booking,
    *,
    zone: str,
    now: datetime,
    organizer: str,
    attendees: Sequence[str] = (),
    summary: str | None = None,
    description: str | None = None,
    domain: str = DEFAULT_DOMAIN,
) -> str:
    """An iTIP invite for one booking (the student's copy of their seat or 1:1).

    ``METHOD:REQUEST`` while the booking is active (``STATUS:TENTATIVE`` while
    pending, waitlisted or offered, ``CONFIRMED`` once confirmed),
    ``METHOD:CANCEL`` once it ended otherwise (cancelled, declined, expired).
    ``SEQUENCE`` is the booking's ``version``; the ``UID`` is stable per booking.

    Args:
        booking: The booking.
        zone: The IANA zone to show it in (the session's zone).
        now: The current instant (``DTSTAMP``).
        organizer: The organizer's calendar address.
        attendees: The attendees' calendar addresses (the student).
        summary: The title (default the course id).
        description: Free text.
        domain: The right-hand side of the ``UID``.

    Returns:
        The ``VCALENDAR`` text.
    """
    now = utc_instant(now, "now")
    tz = get_zone(zone)
    active = booking.is_active or booking.status in {
        BookingStatus.ATTENDED,
        BookingStatus.NO_SHOW,
    }
    if not active:
        status = "CANCELLED"
    elif booking.status in _TENTATIVE:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    lines = [
        *vtimezone(tz, booking.window.start, booking.window.end),
        "BEGIN:VEVENT",
        content_line("UID", uid("booking", booking.id, domain=domain)),
        content_line("DTSTAMP", utc_datetime(now)),
        _when("DTSTART", booking.window.start, tz),
        _when("DTEND", booking.window.end, tz),
        content_line("SEQUENCE", str(booking.version)),
        content_line("STATUS", status),
        *_texts(
            summary if summary is not None else booking.course_id, description, None
        ),
        *_people(organizer, attendees),
        "END:VEVENT",
    ]
    return calendar(lines, method="REQUEST" if active else "CANCEL")


def calendar_feed(
    sessions: Iterable[Session],
    *,
    window: TimeWindow,
    now: datetime,
    name: str | None = None,
    domain: str = DEFAULT_DOMAIN,
) -> str:
    """A subscribable feed of the sessions that overlap ``window``.

    Hand it a teacher's or a student's sessions (from the repository's window
    query); cancelled ones stay in with ``STATUS:CANCELLED`` so subscribed
    calendars drop them. No ``METHOD``: a feed is published, not sent.

    Args:
        sessions: The person's sessions (any order; others outside the window
            are left out).
        window: The span of the feed.
        now: The current instant (``DTSTAMP``).
        name: The calendar's display name (``X-WR-CALNAME``), if any.
        domain: The right-hand side of the ``UID``s.

    Returns:
        The ``VCALENDAR`` text, events in order of start.
    """
    now = utc_instant(now, "now")
    chosen = sorted(
        (s for s in sessions if s.window.overlaps(window)),
        key=lambda s: (s.start, s.id),
    )
    lines: list[str] = []
    if name is not None:
        lines.append(content_line("X-WR-CALNAME", escape_text(name)))
    spans: dict[str, tuple[datetime, datetime]] = {}
    for session in chosen:
        low, high = spans.get(session.zone, (session.start, session.end))
        spans[session.zone] = (min(low, session.start), max(high, session.end))
    for zone_name, (low, high) in sorted(spans.items()):
        lines += vtimezone(get_zone(zone_name), low, high)
    for session in chosen:
        lines += _session_lines(
            session,
            now=now,
            domain=domain,
            summary=None,
            description=None,
            organizer=None,
            attendees=(),
        )
    return calendar(lines)


# -- series -------------------------------------------------------------------


def _rule_starts(series: BookingSeries, limit: datetime) -> dict[int, Occurrence]:
    """The rule's occurrences (no moves) starting before ``limit``, by index."""
    found: dict[int, Occurrence] = {}
    for occurrence in series.recurrence.occurrences():
        if occurrence.start >= limit or (
            series.last_index is not None and occurrence.index > series.last_index
        ):
            break
        found[occurrence.index] = occurrence
    return found


def _series_rule(series: BookingSeries, considered: dict[int, Occurrence]) -> str:
    """The ``RRULE`` value: UNTIL in UTC, cut at ``last_index`` or the expansion.

    The cut at the expansion applies when a wall-clock shift moves the future
    occurrences (the rule alone would put them at the old time).
    """
    rule = series.rule
    end_index = series.last_index
    if series.wall_shifts and considered:
        last_considered = max(considered)
        end_index = (
            last_considered if end_index is None else min(end_index, last_considered)
        )
    if end_index is not None and end_index in considered:
        rule = attrs.evolve(
            rule, count=None, until=considered[end_index].start.astimezone(_UTC)
        )
    elif rule.until is not None and not isinstance(rule.until, datetime):
        zone = get_zone(series.zone)
        day_after = datetime.combine(
            rule.until + timedelta(days=1), datetime.min.time()
        )
        last = day_after.replace(tzinfo=zone) - timedelta(seconds=1)
        rule = attrs.evolve(rule, until=last.astimezone(_UTC))
    return str(rule)


def series_invite(
    series: BookingSeries,
    *,
    now: datetime,
    organizer: str,
    attendees: Sequence[str] = (),
    summary: str | None = None,
    description: str | None = None,
    domain: str = DEFAULT_DOMAIN,
) -> str:
    """An iTIP invite for a whole series: one recurring ``VEVENT`` and its exceptions.

    The master event has ``DTSTART`` at the first occurrence's local time in the
    series' zone, an exact ``DURATION`` and the series' ``RRULE`` (``UNTIL`` in
    UTC, as RFC 5545 requires with a ``TZID`` start). Occurrences the series
    considered but does not hold (cancelled, or skipped for a conflict or for
    being past) are ``EXDATE``s; a moved occurrence is its own ``VEVENT`` with
    the same ``UID`` and a ``RECURRENCE-ID`` naming the rule's original start.
    After ``cancel this and following`` the rule ends at the last kept
    occurrence; after a wall-clock shift of future occurrences the rule ends at
    the current expansion (a later invite carries the occurrences added by
    extending the series). ``SEQUENCE`` is the series' ``version``; a series with
    no occurrence left gives ``METHOD:CANCEL``.

    Args:
        series: The series.
        now: The current instant (``DTSTAMP``).
        organizer: The organizer's calendar address.
        attendees: The attendees' calendar addresses.
        summary: The title (default the course id, or the series id).
        description: Free text.
        domain: The right-hand side of the ``UID``.

    Returns:
        The ``VCALENDAR`` text.
    """
    now = utc_instant(now, "now")
    zone = get_zone(series.zone)
    considered = _rule_starts(series, series.expanded_until)
    items = {item.occurrence_index: item for item in series.items}
    title = summary if summary is not None else (series.course_id or series.id)
    ended = series.ended
    common = [
        content_line("UID", uid("series", series.id, domain=domain)),
        content_line("DTSTAMP", utc_datetime(now)),
        content_line("SEQUENCE", str(series.version)),
    ]
    exdates = sorted(
        occurrence.start
        for index, occurrence in considered.items()
        if index not in items or items[index].status is SeriesItemStatus.CANCELLED
    )
    master = [
        "BEGIN:VEVENT",
        *common,
        _when("DTSTART", series.first_start, zone),
        content_line("DURATION", _duration(series.duration)),
        content_line("RRULE", _series_rule(series, considered)),
        *(_when("EXDATE", instant, zone) for instant in exdates),
        content_line("STATUS", "CANCELLED" if ended else "CONFIRMED"),
        *_texts(title, description, None),
        *_people(organizer, attendees),
        "END:VEVENT",
    ]
    overrides: list[str] = []
    for index, item in sorted(items.items()):
        original = considered.get(index)
        if (
            original is None
            or item.status is SeriesItemStatus.CANCELLED
            or (
                item.window.start == original.start
                and item.window.duration == series.duration
            )
        ):
            continue
        overrides += [
            "BEGIN:VEVENT",
            *common,
            _when("RECURRENCE-ID", original.start, zone),
            _when("DTSTART", item.window.start, zone),
            _when("DTEND", item.window.end, zone),
            content_line("STATUS", "CONFIRMED"),
            *_texts(title, description, None),
            *_people(organizer, attendees),
            "END:VEVENT",
        ]
    starts = [series.first_start, *(item.window.start for item in series.items)]
    ends = [series.expanded_until, *(item.window.end for item in series.items)]
    horizon = max(ends) + timedelta(days=366)
    lines = [*vtimezone(zone, min(starts), horizon), *master, *overrides]
    return calendar(lines, method="CANCEL" if ended else "REQUEST")
