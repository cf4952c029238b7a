"""Private home of :class:`~booking_core.recurrence.RecurrenceRule` and RRULE text.

Re-exported by :mod:`booking_core.recurrence`; import from there.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import TypedDict, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import (
    RECURRENCE_MAX_COUNT,
    RECURRENCE_MAX_INTERVAL,
    check_date,
    utc_instant,
)
from booking_core.errors import (
    FloatingUntilError,
    InvalidRecurrenceRuleError,
    UnsupportedRecurrencePartError,
)

__all__ = ["Frequency", "NthWeekday", "RecurrenceRule", "Weekday"]

_UTC = timezone.utc


@final
class Frequency(enum.Enum):
    """How often a rule's period repeats (RFC 5545 ``FREQ``)."""

    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


@final
class Weekday(enum.IntEnum):
    """Days of the week, Monday 0 to Sunday 6 (as ``date.weekday()``)."""

    MO = 0
    TU = 1
    WE = 2
    TH = 3
    FR = 4
    SA = 5
    SU = 6

    def nth(self, n: int) -> NthWeekday:
        """The ``n``-th such weekday of the month or year; negative from the end.

        Example:
            >>> str(Weekday.FR.nth(-1))
            '-1FR'
        """
        return NthWeekday(weekday=self, n=n)


def _weekday(value: object) -> Weekday:
    if isinstance(value, Weekday):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return Weekday(value)
    if isinstance(value, str) and value.upper() in Weekday.__members__:
        return Weekday[value.upper()]
    raise InvalidRecurrenceRuleError(
        part="BYDAY/WKST",
        reason="a weekday is MO..SU, a Weekday or 0 (Monday) to 6 (Sunday)",
        value=value,
    )


def _frequency_value(value: object) -> Frequency:
    if isinstance(value, Frequency):
        return value
    if isinstance(value, str) and value.upper() in Frequency.__members__:
        return Frequency(value.upper())
    raise InvalidRecurrenceRuleError(
        part="FREQ", reason="one of DAILY, WEEKLY, MONTHLY, YEARLY", value=value
    )


@final
@attrs.frozen(kw_only=True, order=True, repr=False)
class NthWeekday:
    """A ``BYDAY`` entry: a weekday, optionally the ``n``-th of the month or year.

    Attributes:
        weekday: The day of the week.
        n: ``None`` for every such weekday; ``1`` the first, ``-1`` the last, ...

    Example:
        >>> NthWeekday.parse("-2MO")
        NthWeekday(weekday=<Weekday.MO: 0>, n=-2)
    """

    __repr__ = fields_repr

    weekday: Weekday = attrs.field(converter=_weekday)
    n: int | None = attrs.field(default=None)

    @n.validator
    def _check_n(self, _attribute: attrs.Attribute[int | None], value: object) -> None:
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value == 0
            or not -53 <= value <= 53
        ):
            raise InvalidRecurrenceRuleError(
                part="BYDAY",
                reason="an ordinal is a whole number from -53 to 53 other than 0",
                value=value,
            )

    @classmethod
    def parse(cls, text: str) -> NthWeekday:
        """Read one ``BYDAY`` item such as ``"MO"``, ``"1FR"`` or ``"-1SU"``.

        Raises:
            InvalidRecurrenceRuleError: ``recurrence.invalid_rule`` when malformed.
        """
        match = re.fullmatch(_BYDAY_ITEM, text.strip().upper())
        if match is None:
            raise InvalidRecurrenceRuleError(
                part="BYDAY",
                reason="items look like MO, 1FR or -1SU (ordinal, then MO..SU)",
                value=text,
            )
        ordinal, name = match.groups()
        return cls(weekday=Weekday[name], n=int(ordinal) if ordinal else None)

    def __str__(self) -> str:
        return f"{'' if self.n is None else self.n}{self.weekday.name}"


# Patterns as text: ``re`` compiles (and caches) them on first use, not at import.
_BYDAY_ITEM = r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)"
_INTEGER = r"[+-]?\d{1,9}"
_UNTIL_DATE = r"(\d{4})(\d{2})(\d{2})"
_UNTIL_TIME = r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)"
_UNSUPPORTED = frozenset(
    {"BYSECOND", "BYMINUTE", "BYHOUR", "BYYEARDAY", "BYWEEKNO", "RSCALE", "SKIP"}
)


def _ints(values: Iterable[object], part: str, low: int, high: int) -> tuple[int, ...]:
    result: set[int] = set()
    for value in values:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value == 0
            or not low <= value <= high
        ):
            reason = f"values are whole numbers from {low} to {high}"
            if low < 0:
                reason += ", other than 0"
            raise InvalidRecurrenceRuleError(part=part, reason=reason, value=value)
        result.add(value)
    return tuple(sorted(result))


def _by_month_day(values: Iterable[object]) -> tuple[int, ...]:
    return _ints(values, "BYMONTHDAY", -31, 31)


def _by_month(values: Iterable[object]) -> tuple[int, ...]:
    return _ints(values, "BYMONTH", 1, 12)


def _by_set_pos(values: Iterable[object]) -> tuple[int, ...]:
    return _ints(values, "BYSETPOS", -366, 366)


def _nth_weekdays(values: Iterable[object]) -> tuple[NthWeekday, ...]:
    result = {
        value
        if isinstance(value, NthWeekday)
        else NthWeekday.parse(value)
        if isinstance(value, str)
        else NthWeekday(weekday=_weekday(value))
        for value in values
    }
    return tuple(sorted(result, key=lambda item: (item.weekday, item.n or 0)))


def _until(value: date | datetime | None) -> date | datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        instant = utc_instant(value, "until")
        if instant.microsecond:
            raise InvalidRecurrenceRuleError(
                part="UNTIL",
                reason="an RRULE has whole seconds; round the instant",
                value=value.isoformat(),
            )
        return instant
    if isinstance(value, date):
        return check_date(value, "until")
    raise InvalidRecurrenceRuleError(
        part="UNTIL",
        reason="until is an inclusive local date or an aware datetime",
        value=value,
    )


def _optional_count(value: object) -> None:
    if value is not None and (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= RECURRENCE_MAX_COUNT
    ):
        raise InvalidRecurrenceRuleError(
            part="COUNT",
            reason=f"a whole number from 1 to {RECURRENCE_MAX_COUNT}",
            value=value,
        )


@final
@attrs.frozen(kw_only=True, repr=False)
class RecurrenceRule:
    """Which days a recurrence falls on: the supported subset of RFC 5545 ``RECUR``.

    Lists are stored sorted and without duplicates, so equal rules compare equal
    and ``RecurrenceRule.parse(str(rule)) == rule``.

    Attributes:
        frequency: ``Frequency.DAILY``, ``WEEKLY``, ``MONTHLY`` or ``YEARLY``.
        interval: Every ``interval``-th period (``2`` with weekly: every other week).
        by_weekday: ``BYDAY``: weekdays, with ordinals (``Weekday.FR.nth(-1)``)
            only for monthly and yearly rules.
        by_month_day: ``BYMONTHDAY``: 1..31 or -31..-1 (``-1`` the last day);
            not with weekly rules.
        by_month: ``BYMONTH``: 1..12.
        by_set_pos: ``BYSETPOS``: keep only these positions of each period's
            dates (``-1`` the last); needs another BY part.
        week_start: ``WKST``, the first day of a week (Monday by default).
        count: Stop after this many occurrences (the start included).
        until: Stop after this: an inclusive local ``date`` (read in the start's
            zone) or an aware ``datetime`` (an instant, stored in UTC).

    Raises:
        InvalidRecurrenceRuleError: ``recurrence.invalid_rule`` for a bad value or
            combination (both count and until, an ordinal with a weekly rule, ...).

    Example:
        >>> from datetime import date
        >>> rule = RecurrenceRule(
        ...     frequency=Frequency.MONTHLY,
        ...     by_weekday=(Weekday.FR.nth(-1),),
        ...     until=date(2026, 12, 31),
        ... )
        >>> str(rule)
        'FREQ=MONTHLY;UNTIL=20261231;BYDAY=-1FR'
    """

    __repr__ = fields_repr

    frequency: Frequency = attrs.field(converter=_frequency_value)
    interval: int = 1
    by_weekday: tuple[NthWeekday, ...] = attrs.field(
        default=(), converter=_nth_weekdays
    )
    by_month_day: tuple[int, ...] = attrs.field(default=(), converter=_by_month_day)
    by_month: tuple[int, ...] = attrs.field(default=(), converter=_by_month)
    by_set_pos: tuple[int, ...] = attrs.field(default=(), converter=_by_set_pos)
    week_start: Weekday = attrs.field(default=Weekday.MO, converter=_weekday)
    count: int | None = None
    until: date | datetime | None = attrs.field(default=None, converter=_until)

    def __attrs_post_init__(self) -> None:
        interval: object = self.interval
        if (
            isinstance(interval, bool)
            or not isinstance(interval, int)
            or not 1 <= interval <= RECURRENCE_MAX_INTERVAL
        ):
            raise InvalidRecurrenceRuleError(
                part="INTERVAL",
                reason=f"a whole number from 1 to {RECURRENCE_MAX_INTERVAL}",
                value=interval,
            )
        _optional_count(self.count)
        if self.count is not None and self.until is not None:
            raise InvalidRecurrenceRuleError(
                part="COUNT/UNTIL", reason="give at most one of them", value=str(self)
            )
        ordinals = [item for item in self.by_weekday if item.n is not None]
        if ordinals and self.frequency not in {Frequency.MONTHLY, Frequency.YEARLY}:
            raise InvalidRecurrenceRuleError(
                part="BYDAY",
                reason="ordinals (1MO, -1FR) need FREQ=MONTHLY or YEARLY",
                value=str(ordinals[0]),
            )
        if self.frequency is Frequency.MONTHLY and any(
            abs(item.n or 0) > 5 for item in ordinals
        ):
            raise InvalidRecurrenceRuleError(
                part="BYDAY",
                reason="a month has at most 5 of a weekday (ordinals -5..5)",
                value=",".join(map(str, ordinals)),
            )
        if self.by_month_day and self.frequency is Frequency.WEEKLY:
            raise InvalidRecurrenceRuleError(
                part="BYMONTHDAY",
                reason="RFC 5545 does not allow it with FREQ=WEEKLY",
                value=self.by_month_day,
            )
        if self.by_set_pos and not (
            self.by_weekday or self.by_month_day or self.by_month
        ):
            raise InvalidRecurrenceRuleError(
                part="BYSETPOS",
                reason="it selects among dates of another BY part; add one",
                value=self.by_set_pos,
            )

    @classmethod
    def parse(cls, text: str) -> RecurrenceRule:
        """Read an RFC 5545 ``RRULE`` value (an ``RRULE:`` prefix is allowed).

        ``UNTIL`` is read as RFC 5545 requires for a zoned start: a UTC date-time
        (``...Z``) or a date (here: an inclusive local date). A local date-time
        without ``Z`` is refused rather than silently read as UTC.

        Raises:
            InvalidRecurrenceRuleError: ``recurrence.invalid_rule`` for a malformed
                string or value, naming the part.
            UnsupportedRecurrencePartError: ``recurrence.unsupported_part`` for
                ``FREQ=HOURLY`` and finer, ``BYYEARDAY``, ``BYWEEKNO``, ``BYHOUR``...
            FloatingUntilError: ``recurrence.floating_until`` for ``UNTIL`` without
                ``Z``.

        Example:
            >>> RecurrenceRule.parse("RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3").interval
            2
            >>> RecurrenceRule.parse("FREQ=HOURLY")
            Traceback (most recent call last):
            ...
            booking_core.errors.UnsupportedRecurrencePartError: FREQ is not ...
        """
        if not isinstance(text, str):
            raise InvalidRecurrenceRuleError(
                part="RRULE", reason="an RRULE is a string", value=text
            )
        body = text.strip()
        if body.upper().startswith("RRULE:"):
            body = body[len("RRULE:") :]
        parts: dict[str, str] = {}
        for item in body.split(";"):
            name, equals, value = item.partition("=")
            name = name.strip().upper()
            if not equals or not name or not value.strip():
                raise InvalidRecurrenceRuleError(
                    part=name or "RRULE",
                    reason="parts look like NAME=VALUE, separated by ';'",
                    value=item,
                )
            if name in parts:
                raise InvalidRecurrenceRuleError(
                    part=name, reason="each part may appear once", value=text
                )
            parts[name] = value.strip().upper()
        return cls(**_fields(parts))

    def __str__(self) -> str:
        parts = [f"FREQ={self.frequency.value}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if isinstance(self.until, datetime):
            parts.append(f"UNTIL={self.until:%Y%m%dT%H%M%SZ}")
        elif self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        for name, values in (
            ("BYMONTH", self.by_month),
            ("BYMONTHDAY", self.by_month_day),
            ("BYDAY", self.by_weekday),
            ("BYSETPOS", self.by_set_pos),
        ):
            if values:
                parts.append(f"{name}={','.join(map(str, values))}")
        if self.week_start is not Weekday.MO:
            parts.append(f"WKST={self.week_start.name}")
        return ";".join(parts)


def _integers(part: str, value: str) -> list[int]:
    items = value.split(",")
    if not all(re.fullmatch(_INTEGER, item) for item in items):
        raise InvalidRecurrenceRuleError(
            part=part, reason="a comma-separated list of whole numbers", value=value
        )
    return [int(item) for item in items]


def _integer(part: str, value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise InvalidRecurrenceRuleError(
            part=part, reason="a whole number of at least 1", value=value
        )
    return int(value)


def _parse_until(value: str) -> date | datetime:
    try:
        if match := re.fullmatch(_UNTIL_DATE, value):
            return date(*map(int, match.groups()))
        if match := re.fullmatch(_UNTIL_TIME, value):
            year, month, day, hour, minute, second, zulu = match.groups()
            if not zulu:
                raise FloatingUntilError(value=value, day=value[:8])
            return datetime(
                int(year),
                int(month),
                int(day),
                int(hour),
                int(minute),
                int(second),
                tzinfo=_UTC,
            )
    except ValueError as exc:
        if isinstance(exc, FloatingUntilError):
            raise
        raise InvalidRecurrenceRuleError(
            part="UNTIL", reason="not a real date or time", value=value
        ) from exc
    raise InvalidRecurrenceRuleError(
        part="UNTIL", reason="YYYYMMDD or YYYYMMDDTHHMMSSZ", value=value
    )


class _RuleFields(TypedDict, total=False):
    frequency: Frequency
    interval: int
    count: int
    until: date | datetime
    by_weekday: list[NthWeekday]
    by_month_day: list[int]
    by_month: list[int]
    by_set_pos: list[int]
    week_start: Weekday


def _frequency(value: str) -> Frequency:
    if value in {"SECONDLY", "MINUTELY", "HOURLY"}:
        raise UnsupportedRecurrencePartError(part="FREQ", value=value)
    if value not in Frequency.__members__:
        raise InvalidRecurrenceRuleError(
            part="FREQ", reason="one of DAILY, WEEKLY, MONTHLY, YEARLY", value=value
        )
    return Frequency(value)


def _week_start(value: str) -> Weekday:
    if value not in Weekday.__members__:
        raise InvalidRecurrenceRuleError(
            part="WKST", reason="one of MO, TU, WE, TH, FR, SA, SU", value=value
        )
    return Weekday[value]


def _fields(parts: dict[str, str]) -> _RuleFields:
    for name, value in parts.items():
        if name in _UNSUPPORTED or name.startswith("X-"):
            raise UnsupportedRecurrencePartError(part=name, value=value)
        if name not in _KNOWN:
            raise InvalidRecurrenceRuleError(
                part=name, reason="not an RFC 5545 rule part", value=value
            )
    if "FREQ" not in parts:
        raise InvalidRecurrenceRuleError(
            part="FREQ", reason="every RRULE needs FREQ", value=";".join(parts)
        )
    fields = _RuleFields(frequency=_frequency(parts["FREQ"]))
    if "INTERVAL" in parts:
        fields["interval"] = _integer("INTERVAL", parts["INTERVAL"])
    if "COUNT" in parts:
        fields["count"] = _integer("COUNT", parts["COUNT"])
    if "UNTIL" in parts:
        fields["until"] = _parse_until(parts["UNTIL"])
    if "BYDAY" in parts:
        fields["by_weekday"] = [NthWeekday.parse(v) for v in parts["BYDAY"].split(",")]
    if "BYMONTHDAY" in parts:
        fields["by_month_day"] = _integers("BYMONTHDAY", parts["BYMONTHDAY"])
    if "BYMONTH" in parts:
        fields["by_month"] = _integers("BYMONTH", parts["BYMONTH"])
    if "BYSETPOS" in parts:
        fields["by_set_pos"] = _integers("BYSETPOS", parts["BYSETPOS"])
    if "WKST" in parts:
        fields["week_start"] = _week_start(parts["WKST"])
    return fields


_KNOWN = frozenset(
    {
        "FREQ",
        "INTERVAL",
        "COUNT",
        "UNTIL",
        "BYDAY",
        "BYMONTHDAY",
        "BYMONTH",
        "BYSETPOS",
        "WKST",
    }
)
