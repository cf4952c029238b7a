"""Busy times from a teacher's external calendar, as commitments that block slots.

Parsing uses the ``icalendar`` package (the optional extra ``[ical]``), imported
only when a feed is read; recurring events are expanded by the library's own
recurrence engine, over a bounded window only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from booking_core import Commitment, Recurrence, RecurrenceRule, TimeWindow, get_zone
from booking_core._repr import fields_repr
from booking_core._validation import check_id
from booking_core.availability.commitments import CommitmentKind
from booking_core.errors import InvalidCalendarError, MissingExtraError

__all__ = ["MAX_BUSY_EVENTS", "busy_commitments"]

MAX_BUSY_EVENTS = 10_000
"""The default bound on busy windows one import may produce."""

_UTC = timezone.utc


def _icalendar() -> Any:
    try:
        import icalendar
    except ImportError:
        raise MissingExtraError(
            feature="reading iCalendar feeds", package="icalendar", extra="ical"
        ) from None
    return icalendar


@attrs.frozen(repr=False)
class _Reader:
    """What one import reads events against."""

    __repr__ = fields_repr

    zone: ZoneInfo
    window: TimeWindow


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """A DATE (local midnight), floating or zoned DATE-TIME as an aware instant."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=zone)
    if value.tzinfo is None:  # floating: the teacher's own wall time
        return value.replace(tzinfo=zone)
    return value


def _anchor(value: date | datetime, zone: ZoneInfo) -> datetime:
    """The recurrence anchor: an aware start whose tzinfo is a ``ZoneInfo``.

    Starts in a zone ``zoneinfo`` does not know (a custom ``VTIMEZONE``, such as
    Outlook's ``W. Europe Standard Time``) are anchored in the teacher's zone at
    the same instant: their wall time is kept there.
    """
    instant = _instant(value, zone)
    if isinstance(instant.tzinfo, ZoneInfo):
        return instant
    if instant.tzinfo is timezone.utc:
        return instant.astimezone(ZoneInfo("UTC"))
    return instant.astimezone(zone)


def _length(event: Any, start: date | datetime, zone: ZoneInfo) -> timedelta:
    if "DTEND" in event:
        end = event.decoded("DTEND")
        if isinstance(start, datetime) and isinstance(end, datetime):
            return _instant(end, zone) - _instant(start, zone)
        return timedelta(days=(_day(end) - _day(start)).days)
    if "DURATION" in event:
        duration: timedelta = event.decoded("DURATION")
        return duration
    return timedelta(days=1) if not isinstance(start, datetime) else timedelta(0)


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _dates(event: Any, name: str) -> list[date | datetime]:
    found = event.get(name)
    if found is None:
        return []
    lists = found if isinstance(found, list) else [found]
    return [item.dt for value in lists for item in value.dts]


def _window(start: datetime, length: timedelta) -> TimeWindow | None:
    if length <= timedelta(0):
        return None
    return TimeWindow.of(start, length)


def _key(uid: str, start: datetime) -> str:
    digest = hashlib.sha256(uid.encode("utf-8")).hexdigest()[:16]
    stamp = start.astimezone(_UTC).strftime("%Y%m%dT%H%M%SZ")
    return check_id(f"ical~{digest}~{stamp}", "ref_id")


def _is_busy(event: Any) -> bool:
    transparent = str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT"
    cancelled = str(event.get("STATUS", "")).upper() == "CANCELLED"
    return not transparent and not cancelled


def _expand(
    event: Any, reader: _Reader, moved: set[datetime]
) -> Iterator[tuple[datetime, TimeWindow]]:
    """``(original start, window)`` of every instance of a master event."""
    raw_start = event.decoded("DTSTART")
    length = _length(event, raw_start, reader.zone)
    if "RRULE" not in event:
        start = _instant(raw_start, reader.zone)
        window = _window(start, length)
        if window is not None:
            yield start, window
        return
    rule = RecurrenceRule.parse(event["RRULE"].to_ical().decode("ascii"))
    anchor = _anchor(raw_start, reader.zone)
    excluded = {
        _instant(value, anchor.tzinfo)  # type: ignore[arg-type]
        for value in _dates(event, "EXDATE")
    }
    recurrence = Recurrence(
        rule=rule,
        start=anchor,
        exdates={e.astimezone(_UTC) for e in excluded} | moved,
    )
    low = reader.window.start - max(length, timedelta(0))
    for occurrence in recurrence.between(low, reader.window.end):
        window = _window(occurrence.start, length)
        if window is not None:
            yield occurrence.start, window


def busy_commitments(
    text: str | bytes,
    *,
    teacher_id: str,
    zone: str,
    window: TimeWindow,
    max_events: int = MAX_BUSY_EVENTS,
) -> tuple[Commitment, ...]:
    """The busy times of an external calendar inside ``window``, as commitments.

    Every ``VEVENT`` blocks time unless it is ``TRANSP:TRANSPARENT`` (shown as
    free) or ``STATUS:CANCELLED``. Zoned (``TZID``), UTC and floating times and
    all-day events (``VALUE=DATE``: local midnight to midnight in ``zone``) are
    read; an ``RRULE`` is expanded by :class:`~booking_core.Recurrence` over
    ``window`` only, leaving out its ``EXDATE``s and the instances a
    ``RECURRENCE-ID`` event replaces (which blocks its own new time, unless it is
    transparent or cancelled). Floating times are read in ``zone``.

    Pass the result with the teacher's other commitments to
    :func:`~booking_core.free_slots`: it removes exactly the overlapping slots.

    Args:
        text: The ``.ics`` text of the feed.
        teacher_id: Whose busy times these are.
        zone: The teacher's IANA zone (for all-day and floating times, and for
            recurring events in zones unknown to the IANA database).
        window: Only busy time overlapping it is returned (the bound).
        max_events: Refuse feeds giving more busy windows than this.

    Returns:
        ``CommitmentKind.EXTERNAL`` commitments sorted by start; ``ref_id`` is
        stable per event instance (derived from its ``UID`` and start).

    Raises:
        MissingExtraError: ``setup.missing_extra`` without the ``[ical]`` extra.
        InvalidCalendarError: ``ical.invalid_calendar`` for text that does not
            parse, or more than ``max_events`` busy windows.
        InvalidRecurrenceRuleError: ``recurrence.invalid_rule`` for a malformed
            ``RRULE``.
        UnsupportedRecurrencePartError: ``recurrence.unsupported_part`` for a
            rule the engine does not expand (e.g. ``FREQ=HOURLY``).
    """
    icalendar = _icalendar()
    reader = _Reader(zone=get_zone(zone), window=window)
    try:
        parsed = icalendar.Calendar.from_ical(text)
        events = list(parsed.walk("VEVENT"))
        for event in events:
            event.decoded("DTSTART")
    except (ValueError, KeyError, IndexError) as exc:
        raise InvalidCalendarError(reason=f"it does not parse ({exc})") from None
    overrides: dict[str, list[Any]] = {}
    masters: list[Any] = []
    for event in events:
        if "RECURRENCE-ID" in event:
            overrides.setdefault(str(event.get("UID", "")), []).append(event)
        else:
            masters.append(event)
    found: dict[str, Commitment] = {}

    def add(uid: str, start: datetime, busy: TimeWindow) -> None:
        if not busy.overlaps(window):
            return
        ref = _key(uid, start)
        found[ref] = Commitment(
            window=busy,
            teacher_id=teacher_id,
            kind=CommitmentKind.EXTERNAL,
            ref_id=ref,
        )
        if len(found) > max_events:
            raise InvalidCalendarError(
                reason=f"it holds more than {max_events} busy windows in the window"
            )

    seen = {str(master.get("UID", "")) for master in masters}
    for master in masters:
        uid = str(master.get("UID", ""))
        replaced = overrides.get(uid, [])
        moved = {
            _instant(e.decoded("RECURRENCE-ID"), reader.zone).astimezone(_UTC)
            for e in replaced
        }
        instances = list(_expand(master, reader, moved)) if _is_busy(master) else []
        instances += [
            pair for e in replaced if _is_busy(e) for pair in _expand(e, reader, set())
        ]
        for start, busy in instances:
            add(uid, start, busy)
    orphans = [e for uid, group in overrides.items() if uid not in seen for e in group]
    for event in orphans:  # a moved instance whose series is not in the feed
        if _is_busy(event):
            for start, busy in _expand(event, reader, set()):
                add(str(event.get("UID", "")), start, busy)
    return tuple(sorted(found.values(), key=lambda c: (c.window.start, c.ref_id)))
