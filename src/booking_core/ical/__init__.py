r"""Calendar interop (RFC 5545): invites, feeds, and busy times from outside.

Writing needs no dependency: :func:`session_invite`, :func:`booking_invite` and
:func:`series_invite` give iTIP invites (``METHOD:REQUEST``, or ``CANCEL`` once
cancelled) with a stable ``UID`` and a ``SEQUENCE`` that rises with every saved
change; :func:`calendar_feed` gives a subscribable feed of sessions over a
window. Times are local times in the session's zone (``TZID`` with a
``VTIMEZONE``); lines end with CRLF and are folded at 75 octets.

Reading a teacher's external calendar (:func:`busy_commitments`) needs the
optional extra ``booking-core-domain[ical]`` (the ``icalendar`` package).

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core import Session, TimeWindow
    >>> from booking_core.ical import session_invite
    >>> start = datetime(2026, 10, 26, 18, tzinfo=timezone.utc)
    >>> session = Session(id="s-1", kind="one_on_one", teacher_id="fay",
    ...     course_id="piano", window=TimeWindow.of(start, timedelta(minutes=45)),
    ...     zone="America/New_York")
    >>> fay = "mailto:fay@example.com"
    >>> invite = session_invite(session, now=start, organizer=fay)
    >>> print(invite.replace("\r\n", "\n"))  # doctest: +ELLIPSIS
    BEGIN:VCALENDAR
    PRODID:-//booking_core//booking-core-domain//EN
    VERSION:2.0
    CALSCALE:GREGORIAN
    METHOD:REQUEST
    BEGIN:VTIMEZONE
    TZID:America/New_York
    ...
    BEGIN:VEVENT
    UID:session-s-1@booking-core.invalid
    DTSTAMP:20261026T180000Z
    DTSTART;TZID=America/New_York:20261026T140000
    DTEND;TZID=America/New_York:20261026T144500
    SEQUENCE:0
    STATUS:CONFIRMED
    SUMMARY:piano
    ORGANIZER:mailto:fay@example.com
    END:VEVENT
    END:VCALENDAR
"""

from __future__ import annotations

from booking_core.ical._busy import MAX_BUSY_EVENTS, busy_commitments
from booking_core.ical._export import (
    DEFAULT_DOMAIN,
    booking_invite,
    calendar_feed,
    series_invite,
    session_invite,
    uid,
)

__all__ = [
    "DEFAULT_DOMAIN",
    "MAX_BUSY_EVENTS",
    "booking_invite",
    "busy_commitments",
    "calendar_feed",
    "series_invite",
    "session_invite",
    "uid",
]
