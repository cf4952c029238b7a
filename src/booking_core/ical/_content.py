"""RFC 5545 text: content lines, TEXT escaping, line folding, dates, VTIMEZONE.

Written by hand (no runtime dependency): every line ends with CRLF and is folded
at 75 octets of UTF-8, never inside a character (RFC 5545 section 3.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = [
    "PRODID",
    "calendar",
    "content_line",
    "escape_text",
    "fold",
    "local_datetime",
    "utc_datetime",
    "vtimezone",
]

PRODID = "-//booking_core//booking-core-domain//EN"
"""The ``PRODID`` of every calendar the library writes."""

_CRLF = "\r\n"
_LIMIT = 75
_UTC = timezone.utc


def escape_text(value: str) -> str:
    r"""``value`` as an RFC 5545 TEXT value (section 3.3.11).

    Backslash, semicolon and comma are escaped with a backslash; a line break
    (CRLF, CR or LF) becomes ``\n``.

    Example:
        >>> print(escape_text("Piano; grade 2, room\\A\nbring music"))
        Piano\; grade 2\, room\\A\nbring music
    """
    text = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    r"""One content line folded to lines of at most 75 octets, joined by CRLF.

    A continuation line starts with one space (which counts toward its 75
    octets); a multi-octet UTF-8 character is never split.

    Example:
        >>> folded = fold("DESCRIPTION:" + "x" * 100)
        >>> [len(part) for part in folded.split("\r\n")]
        [75, 38]
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > _LIMIT:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return _CRLF.join(parts)


def content_line(name: str, value: str, **params: str) -> str:
    """``NAME;PARAM=value:value``, folded; parameter names use ``_`` for ``-``.

    Parameter values holding ``:``, ``;`` or ``,`` are quoted (section 3.2).
    """
    rendered = "".join(
        f";{key.replace('_', '-').upper()}={_param(param)}"
        for key, param in params.items()
    )
    return fold(f"{name}{rendered}:{value}")


def _param(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ":;,") else value


def utc_datetime(value: datetime) -> str:
    """An aware instant as a UTC DATE-TIME (``20260329T170000Z``)."""
    return value.astimezone(_UTC).strftime("%Y%m%dT%H%M%SZ")


def local_datetime(value: datetime, zone: ZoneInfo) -> str:
    """An aware instant as a local DATE-TIME in ``zone`` (used with ``TZID``)."""
    return value.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def calendar(lines: Iterable[str], *, method: str | None = None) -> str:
    """A whole ``VCALENDAR`` around ``lines`` (already folded), CRLF-terminated."""
    head = ["BEGIN:VCALENDAR", f"PRODID:{PRODID}", "VERSION:2.0", "CALSCALE:GREGORIAN"]
    if method is not None:
        head.append(f"METHOD:{method}")
    return _CRLF.join([*head, *lines, "END:VCALENDAR"]) + _CRLF


# -- VTIMEZONE ----------------------------------------------------------------


def _offset(delta: timedelta) -> str:
    sign = "-" if delta < timedelta(0) else "+"
    seconds = abs(int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, timedelta, str]:
    local = instant.astimezone(zone)
    return (
        local.utcoffset() or timedelta(0),
        local.dst() or timedelta(0),
        local.tzname() or zone.key,
    )


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, _UTC)


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """Instants in ``[start, end)`` at which ``zone``'s offset or name changes."""
    step = timedelta(days=1)
    low = start
    while low < end:
        high = min(low + step, end)
        if _state(zone, low) != _state(zone, high):
            # bisect to the second: ``a`` has the old state, ``b`` the new one
            a, b = int(low.timestamp()), int(high.timestamp())
            while b - a > 1:
                middle = (a + b) // 2
                if _state(zone, _at(middle)) == _state(zone, _at(a)):
                    a = middle
                else:
                    b = middle
            yield _at(b)
        low = high


def vtimezone(zone: ZoneInfo, start: datetime, end: datetime) -> list[str]:
    """A ``VTIMEZONE`` for ``zone`` with every transition between start and end.

    Each transition is one ``STANDARD`` or ``DAYLIGHT`` observance with its own
    ``DTSTART`` (the onset in the local time before it); the observance in force
    at ``start`` comes first, so every local time in the span resolves.
    """
    begin = (start - timedelta(days=1)).astimezone(_UTC).replace(microsecond=0)
    finish = (end + timedelta(days=1)).astimezone(_UTC)
    lines = ["BEGIN:VTIMEZONE", content_line("TZID", zone.key)]
    offset, dst, name = _state(zone, begin)
    lines += _observance(begin.astimezone(zone), offset, offset, dst, name)
    for instant in _transitions(zone, begin, finish):
        new_offset, new_dst, new_name = _state(zone, instant)
        onset = (instant + offset).replace(tzinfo=None)  # local time before it
        lines += _observance(onset, offset, new_offset, new_dst, new_name)
        offset = new_offset
    lines.append("END:VTIMEZONE")
    return lines


def _observance(
    onset: datetime,
    offset_from: timedelta,
    offset_to: timedelta,
    dst: timedelta,
    name: str,
) -> list[str]:
    kind = "DAYLIGHT" if dst else "STANDARD"
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{onset.strftime('%Y%m%dT%H%M%S')}",
        f"TZOFFSETFROM:{_offset(offset_from)}",
        f"TZOFFSETTO:{_offset(offset_to)}",
        content_line("TZNAME", escape_text(name)),
        f"END:{kind}",
    ]
