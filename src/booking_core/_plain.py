"""Plain JSON renderings of domain values: the one rendering at every boundary.

Error details (:meth:`booking_core.errors.BookingCoreError.to_dict`) and published
events (:meth:`booking_core.events.DomainEvent.to_dict`) render values the same
way: datetimes, dates and times as ISO 8601 strings, durations as ISO 8601
durations (``"PT1H30M"``), ``Money`` and ``Currency`` by their own ``to_json``,
enums as their values, decimals and zones as strings, attrs values as objects of
their constructor arguments, collections as lists; anything else as its ``str``.
:mod:`booking_core._plain_types` reads these renderings back and describes them
as JSON Schema.

Example:
    >>> from datetime import timedelta
    >>> plain({"notice": timedelta(hours=36), "seats": (1, 2)})
    {'notice': 'P1DT12H', 'seats': [1, 2]}
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import math
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import attrs

__all__ = ["duration_text", "plain"]


def duration_text(value: dt.timedelta) -> str:
    """``value`` as an ISO 8601 duration (``P1DT2H30M``, ``-PT15M``, ``PT0S``).

    Example:
        >>> duration_text(dt.timedelta(days=1, hours=2, minutes=30))
        'P1DT2H30M'
    """
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    second_text = f"{seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".")
    time_part = "".join(
        f"{number}{unit}" for number, unit in ((hours, "H"), (minutes, "M")) if number
    )
    if second_text != "0":
        time_part += f"{second_text}S"
    days = f"{value.days}D" if value.days else ""
    if not days and not time_part:
        return "PT0S"
    return f"{sign}P{days}{'T' + time_part if time_part else ''}"


def plain(value: Any) -> Any:  # noqa: PLR0911 -- one branch per JSON rendering
    """``value`` as JSON types only (see the module docstring)."""
    to_json = getattr(value, "to_json", None)
    if callable(to_json):  # Money, Currency: their own JSON rendering
        return to_json()
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_text(value)
    if isinstance(value, (decimal.Decimal, ZoneInfo)):
        return str(value)
    if attrs.has(type(value)):
        return {
            field.alias: plain(getattr(value, field.name))
            for field in attrs.fields(type(value))
            if field.init
        }
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)
