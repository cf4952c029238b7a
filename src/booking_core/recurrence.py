"""Recurrence rules (RFC 5545 ``RRULE``) and their DST-correct expansion.

A :class:`RecurrenceRule` says *which days* (every Monday and Wednesday, the last
Friday of the month, ...); a :class:`Recurrence` anchors it on a start (an aware
datetime in an IANA zone) and yields :class:`Occurrence` values: each at the
start's local wall time, with a stable ``index`` (the n-th of the rule).

Time semantics (see ``docs/recurrence.md`` for the full table):

- every occurrence keeps the start's local wall time across DST changes;
- a wall time in a spring-forward gap is shifted forward by the gap (RFC 5545
  section 3.3.5: 02:30 New York on spring-forward day is 03:30 EDT);
- an ambiguous wall time (fall-back fold) is its first (earlier) occurrence;
- invalid dates are skipped and not counted: the 31st of a short month, Feb 29 in
  a common year, and a day the zone skipped (Pacific/Apia 2011-12-30);
- the start is always occurrence 0 and counts toward ``count`` (RFC 5545:
  "The DTSTART property value always counts as the first occurrence"), even when
  the rule itself would not produce it.

Example:
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from booking_core.recurrence import Recurrence, RecurrenceRule
    >>> rule = RecurrenceRule.parse("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4")
    >>> str(rule)
    'FREQ=WEEKLY;COUNT=4;BYDAY=MO,WE'
    >>> london = ZoneInfo("Europe/London")
    >>> start = datetime(2026, 3, 25, 18, tzinfo=london)  # a Wednesday, GMT
    >>> for occurrence in Recurrence(rule=rule, start=start).occurrences():
    ...     print(occurrence.index, occurrence.start.isoformat())
    0 2026-03-25T18:00:00+00:00
    1 2026-03-30T18:00:00+01:00
    2 2026-04-01T18:00:00+01:00
    3 2026-04-06T18:00:00+01:00
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import final
from zoneinfo import ZoneInfo

import attrs

from booking_core._recurrence_engine import (
    LAST_ORDINAL,
    Expander,
    gap_days,
    weekday_of,
)
from booking_core._repr import fields_repr
from booking_core._rrule import Frequency, NthWeekday, RecurrenceRule, Weekday
from booking_core._validation import utc_instant
from booking_core.errors import (
    InvalidOverrideError,
    InvalidValueError,
)
from booking_core.intervals import TimeWindow

__all__ = [
    "Frequency",
    "NthWeekday",
    "Occurrence",
    "Recurrence",
    "RecurrenceRule",
    "Weekday",
]

_UTC = timezone.utc


@functools.lru_cache(maxsize=256)
def _expander(rule: RecurrenceRule, anchor: int) -> Expander:
    day = date.fromordinal(anchor)
    months = frozenset(rule.by_month)
    month_days = frozenset(rule.by_month_day)
    weekdays = frozenset(int(w.weekday) for w in rule.by_weekday if w.n is None)
    nth = frozenset((w.n, int(w.weekday)) for w in rule.by_weekday if w.n is not None)
    freq = rule.frequency
    if freq is Frequency.WEEKLY and not weekdays:
        weekdays = frozenset({weekday_of(anchor)})
    if freq in {Frequency.MONTHLY, Frequency.YEARLY} and not (
        month_days or weekdays or nth
    ):
        month_days = frozenset({day.day})
        if freq is Frequency.YEARLY and not months:
            months = frozenset({day.month})
    return Expander(
        freq=freq.value,
        interval=rule.interval,
        anchor=anchor,
        months=months,
        month_days=month_days,
        weekdays=weekdays,
        nth_weekdays=nth,
        set_pos=rule.by_set_pos,
        week_start=int(rule.week_start),
    )


@final
@attrs.frozen(kw_only=True, repr=False)
class Occurrence:
    """One occurrence of a :class:`Recurrence`.

    Attributes:
        index: The n-th occurrence of the rule (the start is 0). Stable: exclusions
            and moves never renumber the others.
        start: When it starts: an aware datetime in the recurrence's zone.
        duration: How long it lasts (exact, absolute time), or ``None``.
        original_start: Where the rule put it; equal to ``start`` unless moved.
        moved: ``True`` when an override moved it away from ``original_start``.
    """

    __repr__ = fields_repr

    index: int
    start: datetime
    duration: timedelta | None = None
    original_start: datetime
    moved: bool = False

    @property
    def end(self) -> datetime | None:
        """``start + duration`` in absolute time (in the start's zone), or ``None``."""
        if self.duration is None:
            return None
        tz = self.start.tzinfo
        return (self.start.astimezone(_UTC) + self.duration).astimezone(tz)

    @property
    def window(self) -> TimeWindow | None:
        """The half-open :class:`~booking_core.intervals.TimeWindow`, or ``None``."""
        if self.duration is None:
            return None
        return TimeWindow.of(self.start, self.duration)


def _start(value: datetime) -> datetime:
    utc_instant(value, "start")
    if not isinstance(value.tzinfo, ZoneInfo):
        raise InvalidValueError(
            field="start",
            reason="needs a zoneinfo.ZoneInfo (an IANA zone) to keep its wall time",
            value=value.isoformat(),
        )
    return value


def _duration(value: object) -> timedelta | None:
    if value is not None and (
        not isinstance(value, timedelta) or value <= timedelta(0)
    ):
        raise InvalidValueError(
            field="duration", reason="a positive timedelta or None", value=value
        )
    return value


def _exdates(values: Iterable[datetime]) -> frozenset[datetime]:
    return frozenset(utc_instant(value, "exdates") for value in values)


def _overrides(
    values: Mapping[datetime, datetime] | Iterable[tuple[datetime, datetime]],
) -> tuple[tuple[datetime, datetime], ...]:
    pairs = values.items() if isinstance(values, Mapping) else values
    return tuple(
        sorted(
            (utc_instant(old, "overrides"), utc_instant(new, "overrides"))
            for old, new in pairs
        )
    )


@final
@attrs.frozen(kw_only=True, repr=False)
class Recurrence:
    """A rule anchored on a start in an IANA zone, with exclusions and moves.

    Attributes:
        rule: The :class:`RecurrenceRule`.
        start: The first occurrence (index 0): an aware datetime whose tzinfo is a
            ``zoneinfo.ZoneInfo``; its local wall time is kept by every occurrence.
        duration: Optional length of each occurrence (then ``Occurrence.window``).
        exdates: Instants of occurrences to leave out; they keep their index.
        overrides: Moved occurrences: original instant -> new start instant.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` for a naive start or exdate.
        InvalidValueError: ``input.invalid_value`` for a start without a
            ``ZoneInfo`` or on a day its zone skipped, or a non-positive duration.
        InvalidOverrideError: ``recurrence.invalid_override`` when a moved instant
            is not an occurrence, is excluded, or lands on another occurrence.
    """

    __repr__ = fields_repr

    rule: RecurrenceRule
    start: datetime = attrs.field(converter=_start)
    duration: timedelta | None = attrs.field(default=None, converter=_duration)
    exdates: frozenset[datetime] = attrs.field(default=(), converter=_exdates)
    overrides: tuple[tuple[datetime, datetime], ...] = attrs.field(
        default=(), converter=_overrides
    )

    def __attrs_post_init__(self) -> None:
        wall = self.start.replace(tzinfo=None, fold=0)
        if self.start.astimezone(_UTC).astimezone(self.zone).date() != wall.date():
            raise InvalidValueError(
                field="start",
                reason=f"its zone {self.zone.key} skipped that day",
                value=self.start.isoformat(),
            )
        self._check_overrides()

    @property
    def zone(self) -> ZoneInfo:
        """The start's zone, in which every occurrence keeps the wall time."""
        tz = self.start.tzinfo
        assert isinstance(tz, ZoneInfo)  # noqa: S101 -- checked by the converter
        return tz

    # -- public iteration ----------------------------------------------------

    def occurrences(self) -> Iterator[Occurrence]:
        """Every occurrence in order, lazily; safe for unbounded rules.

        Excluded instants are left out; moved occurrences come in the order of
        their new start. An unbounded rule ends before 31 December 2399 (the end
        of the supported span, ``docs/limits.md``) at the latest, or once a whole
        calendar cycle (400 years) produced nothing.

        Example:
            >>> from datetime import datetime
            >>> from zoneinfo import ZoneInfo
            >>> rule = RecurrenceRule.parse("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3")
            >>> start = datetime(2026, 1, 31, 9, tzinfo=ZoneInfo("Asia/Kolkata"))
            >>> [o.start.date().isoformat() for o in
            ...  Recurrence(rule=rule, start=start).occurrences()]
            ['2026-01-31', '2026-03-31', '2026-05-31']
        """
        regular = self._indexed(None)
        moved = self._moved_between(None, None)
        if not moved:
            return regular
        return heapq.merge(regular, moved, key=_instant)

    def between(self, a: datetime, b: datetime) -> Iterator[Occurrence]:
        """The occurrences with ``a <= start < b``, in order.

        The expansion jumps straight to the period containing ``a``: the index
        there (and so whether ``count`` is already used up) is counted per
        period, arithmetically or from cached period shapes, never by expanding
        the occurrences before it. The cost follows the window, not its distance
        from the start.

        Raises:
            NaiveDatetimeError: ``time.naive_datetime`` for a naive bound.
            DatetimeOutOfRangeError: ``time.out_of_range`` for a bound outside
                the supported span (``docs/limits.md``).

        Example:
            >>> from datetime import datetime, timezone
            >>> from zoneinfo import ZoneInfo
            >>> rule = RecurrenceRule.parse("FREQ=WEEKLY")
            >>> start = datetime(2026, 1, 5, 18, tzinfo=ZoneInfo("Europe/London"))
            >>> rec = Recurrence(rule=rule, start=start)
            >>> a = datetime(2036, 3, 1, tzinfo=timezone.utc)
            >>> b = datetime(2036, 3, 15, tzinfo=timezone.utc)
            >>> [(o.index, o.start.isoformat()) for o in rec.between(a, b)]
            [(530, '2036-03-03T18:00:00+00:00'), (531, '2036-03-10T18:00:00+00:00')]
        """
        low, high = utc_instant(a, "a"), utc_instant(b, "b")
        if low >= high:
            return iter(())
        target = low.astimezone(self.zone).toordinal() - 2
        regular = self._window(self._indexed(target), low, high)
        moved = self._moved_between(low, high)
        if not moved:
            return regular
        return heapq.merge(regular, moved, key=_instant)

    # -- the engine ----------------------------------------------------------

    def _indexed(  # noqa: PLR0911, PLR0912, PLR0915 -- one frame: the hot loop
        self, target: int | None, *, keep_all: bool = False
    ) -> Iterator[Occurrence]:
        """Every rule occurrence in order, as :class:`Occurrence` values.

        From the beginning, or (when ``count`` allows) from the period holding
        the date ordinal ``target``. Honours count and until; leaves out exdates
        and moved originals unless ``keep_all``.
        """
        zone = self.zone
        duration = self.duration
        local0 = self.start.astimezone(_UTC).astimezone(zone)
        anchor = self.start.toordinal()
        expander = _expander(self.rule, anchor)
        wall = self.start.time()
        wall_tz = wall.replace(tzinfo=zone, fold=0)
        count = self.rule.count
        until = self.rule.until
        until_ord, until_instant = LAST_ORDINAL, None
        if isinstance(until, datetime):
            until_instant = until
            until_ord = min(until.astimezone(zone).toordinal() + 1, LAST_ORDINAL)
        elif until is not None:
            until_ord = until.toordinal()
        skip: frozenset[datetime] = frozenset()
        if not keep_all:
            skip = self.exdates | {old for old, _new in self.overrides}
        skip_days = {instant.astimezone(zone).toordinal() for instant in skip}
        k = 0
        index = 0
        if target is not None:
            # With a count too: the index at period k is counted per period (in
            # closed form or from cached period shapes), never by walking days.
            k = max(expander.period_of(target), 0)
        if k == 0:
            if not _within(anchor, local0, until_ord, until_instant):
                return
            if local0.astimezone(_UTC) not in skip:
                yield Occurrence(
                    index=0, start=local0, duration=duration, original_start=local0
                )
        else:
            found = expander.period(k)
            first = LAST_ORDINAL if found is None else found[0]
            index = expander.count_dates(k) - _skipped(
                expander, zone, wall, anchor, first
            )
        year, gaps = 0, _NO_GAPS
        idle = 0
        cycle = expander.cycle
        # Periods of a constant rule differ only by where they start.
        constant = expander.period(k) if expander.constant else None
        constant_k = k
        weekly = expander.freq == "WEEKLY"
        step = expander.interval * (7 if weekly else 1)
        last_first = LAST_ORDINAL - (6 if weekly else 0)
        new = Occurrence
        fromordinal = date.fromordinal
        combine = datetime.combine
        while count is None or index + 1 < count:
            if constant is not None:
                first = constant[0] + (k - constant_k) * step
                offsets = constant[1]
                if first > last_first:
                    return
            else:
                found = expander.period(k)
                if found is None:
                    return
                first, offsets = found
            if first > until_ord:
                return
            k += 1
            idle += 1
            for offset in offsets:
                ordinal = first + offset
                if ordinal <= anchor:
                    continue
                day = fromordinal(ordinal)
                if day.year != year:
                    year = day.year
                    gaps = gap_days(zone, wall, year)
                if ordinal in gaps:
                    shifted = gaps[ordinal]
                    if shifted is None:
                        continue
                    local = shifted
                else:
                    local = combine(day, wall_tz)
                if ordinal >= until_ord - 1 and not _within(
                    ordinal, local, until_ord, until_instant
                ):
                    return
                index += 1
                idle = 0
                if ordinal not in skip_days or local.astimezone(_UTC) not in skip:
                    yield new(
                        index=index,
                        start=local,
                        duration=duration,
                        original_start=local,
                    )
                if index + 1 == count:
                    return
            if idle > cycle:
                return

    @staticmethod
    def _window(
        items: Iterator[Occurrence], low: datetime, high: datetime
    ) -> Iterator[Occurrence]:
        for item in items:
            if item.start >= high:
                return
            if item.start >= low:
                yield item

    def _moved_between(
        self, low: datetime | None, high: datetime | None
    ) -> list[Occurrence]:
        moved: list[Occurrence] = []
        zone = self.zone
        for old, new in self.overrides:
            if low is not None and high is not None and not low <= new < high:
                continue
            index = self._index_of(old)
            assert index is not None  # noqa: S101 -- checked at construction
            moved.append(
                Occurrence(
                    index=index,
                    start=new.astimezone(zone),
                    duration=self.duration,
                    original_start=old.astimezone(zone),
                    moved=True,
                )
            )
        moved.sort(key=_instant)
        return moved

    def _index_of(self, instant: datetime) -> int | None:
        """The index of the rule occurrence at ``instant``, or ``None``."""
        ordinal = instant.astimezone(self.zone).toordinal()
        for occurrence in self._indexed(ordinal - 2, keep_all=True):
            if occurrence.start.astimezone(_UTC) == instant:
                return occurrence.index
            if occurrence.start.toordinal() > ordinal + 1:
                break
        return None

    def _check_overrides(self) -> None:
        targets: set[datetime] = set()
        originals = {old for old, _new in self.overrides}
        for old, new in self.overrides:
            reason = None
            if self._index_of(old) is None:
                reason = "no occurrence of the rule starts then"
            elif old in self.exdates:
                reason = "that occurrence is excluded"
            elif new in targets:
                reason = "another moved occurrence already starts then"
            elif (
                new not in originals
                and new not in self.exdates
                and self._index_of(new) is not None
            ):
                reason = "another occurrence already starts then"
            if reason is not None:
                raise InvalidOverrideError(
                    original=old.isoformat(), moved=new.isoformat(), reason=reason
                )
            targets.add(new)


_NO_GAPS: Mapping[int, datetime | None] = {}


def _within(
    ordinal: int, local: datetime, until_ord: int, until_instant: datetime | None
) -> bool:
    if until_instant is None:
        return ordinal <= until_ord
    return local.astimezone(_UTC) <= until_instant


def _instant(occurrence: Occurrence) -> datetime:
    return occurrence.start.astimezone(_UTC)


def _skipped(
    expander: Expander, zone: ZoneInfo, wall: time, anchor: int, before: int
) -> int:
    """Rule dates in ``(anchor, before)`` that the zone skipped (not counted)."""
    first_year = date.fromordinal(anchor).year
    last_year = date.fromordinal(min(before, LAST_ORDINAL)).year
    total = 0
    for year in range(first_year, last_year + 1):
        for ordinal, shifted in gap_days(zone, wall, year).items():
            if (
                shifted is None
                and anchor < ordinal < before
                and expander.is_date(ordinal)
            ):
                total += 1
    return total
