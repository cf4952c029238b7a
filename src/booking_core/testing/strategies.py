"""Hypothesis strategies for ``booking_core``'s types, and DST-transition helpers.

For the property-based tests of hosts (and of the library itself): every strategy
makes values that pass their class's validation and store losslessly through
:mod:`booking_core.adapters.codec`. Families (see ``docs/testing.md`` for a table):

- time: :func:`zone_names`, :func:`wall_times`, :func:`aware_datetimes`,
  :func:`zoned_datetimes`, :func:`instants`, :func:`time_windows`,
  :func:`gap_wall_times`, :func:`fold_wall_times`, :func:`transitions`;
- recurrence: :func:`recurrence_rules`, :func:`recurrences`;
- policies: :func:`policies` (any ``*Policy`` class, from its attrs fields);
- sessions and people: :func:`sessions`, :func:`actors`;
- availability: :func:`weekly_availabilities`, :func:`one_time_availabilities`,
  :func:`blackouts`, :func:`availability_items`, :func:`slot_requests`,
  :func:`commitments`;
- money: :func:`currencies`, :func:`money`, :func:`amounts`, :func:`split_inputs`.

The DST helpers find a zone's offset transitions by scanning the zone database
itself, so tests can aim at gaps and folds instead of hoping to hit them.

Example:
    >>> from booking_core.testing.strategies import transitions
    >>> [str(t) for t in transitions("Europe/London", 2026)]
    ['2026-03-29T01:00:00+00:00 +0:00:00 -> +1:00:00 (gap)', \
'2026-10-25T01:00:00+00:00 +1:00:00 -> +0:00:00 (fold)']
"""

from __future__ import annotations

import enum
import functools
import itertools
import types
import typing
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal, TypeVar, final

import attrs
from hypothesis import reject
from hypothesis import strategies as st

from booking_core._repr import fields_repr
from booking_core.actors import Actor, Role
from booking_core.availability.commitments import Commitment, CommitmentKind
from booking_core.availability.slots import SlotRequest
from booking_core.availability.windows import (
    AvailabilityItem,
    Blackout,
    OneTimeAvailability,
    WeeklyAvailability,
)
from booking_core.bookings.seats import SeatOffer, SeatState, WaitlistEntry
from booking_core.errors import (
    AmountTooSmallForFeesError,
    BookingCoreError,
    InvalidOverrideError,
    InvalidValueError,
)
from booking_core.intervals import TimeWindow
from booking_core.money.amount import Money
from booking_core.money.currency import CURRENCIES, Currency, get_currency
from booking_core.money.split import FeeSchedule, GatewayFee, SplitPolicy, split_payment
from booking_core.recurrence import (
    Frequency,
    NthWeekday,
    Recurrence,
    RecurrenceRule,
    Weekday,
)
from booking_core.sessions.model import (
    MeetingInfo,
    RescheduleRequest,
    Session,
    SessionKind,
    SessionNote,
    SessionStatus,
)
from booking_core.zones import get_zone, to_instant, to_local

__all__ = [
    "DST_ZONES",
    "ZONE_NAMES",
    "Transition",
    "actors",
    "amounts",
    "availability_items",
    "aware_datetimes",
    "blackouts",
    "commitments",
    "currencies",
    "fold_wall_times",
    "gap_wall_times",
    "instants",
    "money",
    "one_time_availabilities",
    "policies",
    "recurrence_rules",
    "recurrences",
    "sessions",
    "slot_requests",
    "split_inputs",
    "time_windows",
    "transitions",
    "wall_times",
    "weekly_availabilities",
    "zone_names",
    "zoned_datetimes",
]

ZONE_NAMES: tuple[str, ...] = tuple(sorted(zoneinfo.available_timezones()))
"""Every IANA zone name the zone database knows."""

_HOUR = timedelta(hours=1)
_SECOND = timedelta(seconds=1)


@final
@attrs.frozen(kw_only=True, repr=False)
class Transition:
    """A change of a zone's UTC offset.

    Attributes:
        at: The instant (UTC) from which ``after`` applies.
        before: The offset in force just before ``at``.
        after: The offset from ``at`` on.
    """

    __repr__ = fields_repr

    at: datetime
    before: timedelta
    after: timedelta

    @property
    def kind(self) -> Literal["gap", "fold"]:
        """``"gap"`` when clocks jump forward (skipping wall times), else ``"fold"``."""
        return "gap" if self.after > self.before else "fold"

    @property
    def size(self) -> timedelta:
        """How long the gap or fold is."""
        return abs(self.after - self.before)

    @property
    def first_wall(self) -> datetime:
        """The first naive wall time inside the gap or fold."""
        return (self.at + min(self.before, self.after)).replace(tzinfo=None)

    def __str__(self) -> str:
        def fmt(offset: timedelta) -> str:
            sign = "-" if offset < timedelta(0) else "+"
            return f"{sign}{abs(offset)}"

        shift = f"{fmt(self.before)} -> {fmt(self.after)}"
        return f"{self.at.isoformat()} {shift} ({self.kind})"


def _offset(tz: zoneinfo.ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None
    return offset


@functools.lru_cache(maxsize=4096)
def transitions(zone: str, year: int) -> tuple[Transition, ...]:
    """Every offset transition of ``zone`` whose wall times touch ``year``.

    Scans hour by hour from the last day of the previous year to the first day of
    the next and bisects each change to the second.
    """
    tz = get_zone(zone)
    start = datetime(year - 1, 12, 30, tzinfo=timezone.utc)
    end = datetime(year + 1, 1, 3, tzinfo=timezone.utc)
    found: list[Transition] = []
    previous, previous_offset = start, _offset(tz, start)
    cursor = start + _HOUR
    while cursor <= end:
        offset = _offset(tz, cursor)
        if offset != previous_offset:
            low, high = previous, cursor
            while high - low > _SECOND:
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _offset(tz, middle) == previous_offset:
                    low = middle
                else:
                    high = middle
            found.append(Transition(at=high, before=previous_offset, after=offset))
        previous, previous_offset = cursor, offset
        cursor += _HOUR
    return tuple(found)


def _has_dst(name: str) -> bool:
    tz = zoneinfo.ZoneInfo(name)
    january = datetime(2025, 1, 15, tzinfo=timezone.utc)
    july = datetime(2025, 7, 15, tzinfo=timezone.utc)
    return _offset(tz, january) != _offset(tz, july)


DST_ZONES: tuple[str, ...] = tuple(name for name in ZONE_NAMES if _has_dst(name))
"""The zones that observed daylight saving time in 2025."""


def zone_names(*, dst_only: bool = False) -> st.SearchStrategy[str]:
    """IANA zone names; with ``dst_only`` only those observing DST nowadays."""
    return st.sampled_from(DST_ZONES if dst_only else ZONE_NAMES)


def wall_times(
    min_year: int = 1900, max_year: int = 2100
) -> st.SearchStrategy[datetime]:
    """Naive wall times, to the minute, between two years."""
    return st.datetimes(
        min_value=datetime(min_year, 1, 1),  # noqa: DTZ001 -- wall times are naive
        max_value=datetime(max_year, 12, 31, 23, 59),  # noqa: DTZ001
    ).map(lambda value: value.replace(second=0, microsecond=0))


def aware_datetimes(
    min_year: int = 1970, max_year: int = 2100
) -> st.SearchStrategy[datetime]:
    """Aware datetimes in real zones (including DST edges), to the second."""
    return st.builds(
        lambda wall, zone: wall.replace(tzinfo=get_zone(zone)),
        wall_times(min_year, max_year),
        zone_names(),
    )


def _inside(
    kind: Literal["gap", "fold"],
) -> Callable[[st.DrawFn], tuple[datetime, str, Transition]]:
    def draw_one(draw: st.DrawFn) -> tuple[datetime, str, Transition]:
        zone = draw(zone_names(dst_only=True))
        year = draw(st.integers(2000, 2037))
        candidates = [t for t in transitions(zone, year) if t.kind == kind]
        if not candidates:  # pragma: no cover -- a zone that changed its rules
            reject()
        transition = draw(st.sampled_from(candidates))
        minutes = int(transition.size / timedelta(minutes=1))
        offset = draw(st.integers(0, minutes - 1))
        return transition.first_wall + timedelta(minutes=offset), zone, transition

    return draw_one


@st.composite
def gap_wall_times(draw: st.DrawFn) -> tuple[datetime, str, Transition]:
    """``(wall, zone, transition)`` with ``wall`` skipped by a spring-forward gap."""
    return _inside("gap")(draw)


@st.composite
def fold_wall_times(draw: st.DrawFn) -> tuple[datetime, str, Transition]:
    """``(wall, zone, transition)`` with ``wall`` repeated by a fall-back fold."""
    return _inside("fold")(draw)


# -- instants, zoned datetimes and windows ------------------------------------------

_UTC = timezone.utc
_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)
_FAVOURITE_ZONES = ("Europe/London", "Asia/Kolkata", "America/New_York")
_MODES: tuple[Literal["earlier", "later"], ...] = ("earlier", "later")
_T = TypeVar("_T")


def _default_zones(zones: st.SearchStrategy[str] | None) -> st.SearchStrategy[str]:
    if zones is not None:
        return zones
    return st.one_of(st.sampled_from(_FAVOURITE_ZONES), zone_names())


def _instant_for(draw: st.DrawFn, zone: str, min_year: int, max_year: int) -> datetime:
    """An instant, within three hours of a transition of ``zone`` half the time."""
    if draw(st.booleans()):
        found = transitions(zone, draw(st.integers(min_year, max_year)))
        if found:
            transition = draw(st.sampled_from(found))
            return transition.at + draw(st.integers(-180, 180)) * _MINUTE
    wall = draw(wall_times(min_year, max_year))
    return to_instant(wall, zone, disambiguate=draw(st.sampled_from(_MODES)))


@st.composite
def instants(draw: st.DrawFn, min_year: int = 2000, max_year: int = 2037) -> datetime:
    """Aware UTC datetimes to the minute, often right next to a DST transition.

    About half of them lie within three hours of an offset change of a real zone,
    where wall-clock arithmetic goes wrong; the rest are spread over the years.

    Example:
        >>> from hypothesis import find
        >>> find(instants(), lambda at: at.year == 2026).tzinfo
        datetime.timezone.utc
    """
    return _instant_for(draw, draw(zone_names(dst_only=True)), min_year, max_year)


@st.composite
def zoned_datetimes(
    draw: st.DrawFn,
    zones: st.SearchStrategy[str] | None = None,
    min_year: int = 2000,
    max_year: int = 2037,
) -> datetime:
    """Datetimes that exist on a real zone's clock, with a ``ZoneInfo`` tzinfo.

    Unlike :func:`aware_datetimes` they are never inside a DST gap; both readings
    of a fold occur (``fold=0`` and ``fold=1``), and instants next to transitions
    are favoured. Zones default to Europe/London, Asia/Kolkata, America/New_York
    and any IANA zone.

    Example:
        >>> from hypothesis import find
        >>> london = st.just("Europe/London")
        >>> find(zoned_datetimes(london), lambda d: d.fold == 1).tzinfo.key
        'Europe/London'
    """
    zone = draw(_default_zones(zones))
    return to_local(_instant_for(draw, zone, min_year, max_year), zone)


def time_windows(
    min_year: int = 2000,
    max_year: int = 2037,
    *,
    max_duration: timedelta = timedelta(hours=8),
) -> st.SearchStrategy[TimeWindow]:
    """:class:`TimeWindow` values: an :func:`instants` start, whole-minute length.

    Example:
        >>> from hypothesis import find
        >>> find(time_windows(), lambda w: w.duration > timedelta(hours=1)).duration
        datetime.timedelta(seconds=3660)
    """
    return st.builds(
        TimeWindow.of,
        instants(min_year, max_year),
        st.integers(1, max(int(max_duration / _MINUTE), 1)).map(lambda m: m * _MINUTE),
    )


# -- recurrence ---------------------------------------------------------------------


def _signed(low: int, high: int) -> st.SearchStrategy[int]:
    """Whole numbers from ``-high`` to ``high`` other than zero, small ones often."""
    magnitude = st.one_of(st.integers(low, min(high, 5)), st.integers(low, high))
    return st.builds(
        lambda n, negative: -n if negative else n, magnitude, st.booleans()
    )


@st.composite
def _rule_end(
    draw: st.DrawFn, *, bounded: bool | None
) -> dict[str, int | date | datetime]:
    kinds = ["never", "count", "until_date", "until_instant"]
    if bounded is not None:
        kinds = kinds[1:] if bounded else kinds[:1]
    kind = draw(st.sampled_from(kinds))
    if kind == "count":
        return {"count": draw(st.integers(1, 60))}
    if kind == "until_date":
        return {"until": draw(st.dates(date(2000, 1, 1), date(2040, 12, 31)))}
    if kind == "until_instant":
        return {"until": draw(instants(2000, 2040)).replace(second=0)}
    return {}


@st.composite
def recurrence_rules(
    draw: st.DrawFn,
    *,
    frequencies: Iterable[Frequency] = tuple(Frequency),
    bounded: bool | None = None,
) -> RecurrenceRule:
    """Valid :class:`~booking_core.recurrence.RecurrenceRule` values, every part.

    ``FREQ`` (``frequencies``), ``INTERVAL``, ``BYDAY`` (with ordinals ``-5..5``
    for monthly and ``-53..53`` for yearly rules), ``BYMONTHDAY``, ``BYMONTH``,
    ``BYSETPOS`` (only beside another BY part), ``WKST``, and ``COUNT`` or
    ``UNTIL`` (a local date or a UTC instant). ``bounded=True`` always ends the
    rule (COUNT / UNTIL), ``False`` never does, ``None`` (default) mixes both.

    Example:
        >>> from hypothesis import find
        >>> rule = find(recurrence_rules(), lambda r: any(d.n for d in r.by_weekday))
        >>> str(rule)
        'FREQ=MONTHLY;BYDAY=1MO'
    """
    frequency = draw(st.sampled_from(tuple(frequencies)))
    limit = {Frequency.MONTHLY: 5, Frequency.YEARLY: 53}.get(frequency)
    ordinal = st.none() if limit is None else st.one_of(st.none(), _signed(1, limit))
    by_weekday = draw(
        st.lists(st.builds(NthWeekday, weekday=st.sampled_from(Weekday), n=ordinal))
    )
    by_month_day: list[int] = []
    if frequency is not Frequency.WEEKLY:
        by_month_day = draw(st.lists(_signed(1, 31), max_size=3))
    by_month = draw(st.lists(st.integers(1, 12), max_size=3))
    by_set_pos: list[int] = []
    if by_weekday or by_month_day or by_month:
        # a period has at most 1, 7, 31 or 366 dates: larger positions pick none
        most = {Frequency.DAILY: 1, Frequency.WEEKLY: 7, Frequency.MONTHLY: 31}
        by_set_pos = draw(st.lists(_signed(1, most.get(frequency, 366)), max_size=2))
    return RecurrenceRule(
        frequency=frequency,
        interval=draw(st.one_of(st.just(1), st.integers(1, 12))),
        by_weekday=by_weekday[:4],
        by_month_day=by_month_day,
        by_month=by_month,
        by_set_pos=by_set_pos,
        week_start=draw(st.sampled_from(Weekday)),
        **draw(_rule_end(bounded=bounded)),  # type: ignore[arg-type]
    )


@st.composite
def recurrences(
    draw: st.DrawFn,
    rules: st.SearchStrategy[RecurrenceRule] | None = None,
    *,
    zones: st.SearchStrategy[str] | None = None,
    min_year: int = 2000,
    max_year: int = 2037,
) -> Recurrence:
    """:class:`~booking_core.recurrence.Recurrence` values with exclusions and moves.

    The start is a :func:`zoned_datetimes` value (so DST edges come up); some
    recurrences have a duration, some of their first occurrences excluded
    (``exdates``) and some moved by whole minutes (``overrides``).

    Example:
        >>> from hypothesis import find
        >>> moved = find(recurrences(), lambda r: bool(r.overrides))
        >>> any(o.moved for o in moved.occurrences())
        True
    """
    rule = draw(rules if rules is not None else recurrence_rules())
    start = draw(zoned_datetimes(zones, min_year, max_year))
    duration = draw(
        st.one_of(st.none(), st.integers(1, 600).map(lambda m: m * _MINUTE))
    )
    plain = Recurrence(rule=rule, start=start, duration=duration)
    first = [o.start for o in itertools.islice(plain.occurrences(), 6)]
    picked = draw(st.lists(st.sampled_from(first), unique=True)) if first else []
    split = draw(st.integers(0, len(picked)))
    exdates, moving = picked[:split], picked[split:]
    shifts = st.one_of(_signed(1, 600), _signed(1, 7).map(lambda days: days * 1440))
    overrides = [(old, old + draw(shifts) * _MINUTE) for old in moving]
    return _with_exceptions(plain, exdates, overrides)


def _with_exceptions(
    plain: Recurrence,
    exdates: list[datetime],
    overrides: list[tuple[datetime, datetime]],
) -> Recurrence:
    """``plain`` with its exclusions and moves, or only the exclusions.

    A move by whole days may land on another occurrence, which the recurrence
    refuses; the moves are then dropped and the exclusions kept.
    """
    try:
        return attrs.evolve(plain, exdates=exdates, overrides=overrides)
    except InvalidOverrideError:
        return attrs.evolve(plain, exdates=exdates)


# -- policies (and any other plain attrs settings) ------------------------------------

_TEXT = "abcdefghijklmnopqrstuvwxyz0123456789-_"
_NAME_HINTS: dict[str, st.SearchStrategy[Any]] = {
    "rounding": st.sampled_from(
        sorted(
            (
                "ROUND_CEILING",
                "ROUND_DOWN",
                "ROUND_FLOOR",
                "ROUND_HALF_DOWN",
                "ROUND_HALF_EVEN",
                "ROUND_HALF_UP",
                "ROUND_UP",
            )
        )
    ),
}


def _ids(prefix: str = "") -> st.SearchStrategy[str]:
    return st.text(_TEXT, min_size=1, max_size=8).map(lambda text: prefix + text)


def _first_of(item: Any) -> Any:
    if isinstance(item, tuple):
        return item[0]
    return getattr(item, attrs.fields(type(item))[0].name)


def _for_type(  # noqa: PLR0911 -- one branch per kind of type
    hint: Any, currency: Currency
) -> st.SearchStrategy[Any] | None:
    """A strategy for values of the type ``hint``, or ``None`` when unknown."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in {typing.Union, types.UnionType}:
        options = [_for_type(arg, currency) for arg in args]
        known = [option for option in options if option is not None]
        return st.one_of(known) if len(known) == len(options) else None
    simple: dict[Any, st.SearchStrategy[Any]] = {
        type(None): st.none(),
        bool: st.booleans(),
        int: st.integers(0, 1000),
        str: _ids(),
        Decimal: st.decimals(0, 1, places=4),
        timedelta: st.integers(0, 14 * 86_400).map(lambda s: timedelta(seconds=s)),
        Money: money(currency, positive=True),
    }
    if hint in simple:
        return simple[hint]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(hint)
    if isinstance(hint, type) and attrs.has(hint):
        return st.deferred(lambda: _attrs_values(hint, {}))
    found = [_for_type(arg, currency) for arg in args if arg is not Ellipsis]
    inner = [item for item in found if item is not None]
    if not args or len(inner) != len(found):
        return None
    if origin is frozenset:
        return st.frozensets(inner[0], max_size=4)
    if origin is tuple and args[-1] is Ellipsis:
        return st.lists(inner[0], max_size=4, unique_by=_first_of).map(tuple)
    if origin is tuple:
        return st.tuples(*inner)
    return None


def _valid_alone(cls: type, field: attrs.Attribute[Any], value: Any) -> bool:
    """Whether one field's converter and validator accept ``value``."""
    try:
        if field.converter is not None:
            value = field.converter(value)  # type: ignore[operator]
        if field.validator is not None:
            field.validator(None, field, value)
    except (BookingCoreError, AttributeError, TypeError):
        return False
    return True


def _ordered_pairs(names: Iterable[str]) -> list[tuple[str, str]]:
    """``(min..., max...)`` field pairs, such as ``minimum``/``maximum``."""
    names = set(names)
    pairs = []
    for name in sorted(names):
        for low, high in (("minimum", "maximum"), ("_min_", "_max_")):
            other = name.replace(low, high)
            if low in name and other in names:
                pairs.append((name, other))
    return pairs


@st.composite
def _attrs_values(
    draw: st.DrawFn, cls: type[_T], overrides: dict[str, st.SearchStrategy[Any]]
) -> _T:
    hints = typing.get_type_hints(cls)
    every = attrs.fields(typing.cast("type[attrs.AttrsInstance]", cls))
    fields = [field for field in every if field.init]
    for _attempt in range(5):
        currency = draw(currencies())
        values: dict[str, Any] = {}
        defaults: dict[str, Any] = {}
        for field in fields:
            if field.name in overrides:
                values[field.alias] = draw(overrides[field.name])
                continue
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            defaults[field.alias] = default
            strategy = _NAME_HINTS.get(field.name)
            if strategy is None:
                strategy = _for_type(hints[field.name], currency)
            if strategy is None or (
                default is not attrs.NOTHING and draw(st.integers(0, 4)) == 0
            ):
                values[field.alias] = default
                continue
            value = draw(strategy)
            if not _valid_alone(cls, field, value) and default is not attrs.NOTHING:
                value = default
            values[field.alias] = value
        for low, high in _ordered_pairs(values):
            if low in overrides or high in overrides:
                continue
            try:
                values[low], values[high] = sorted((values[low], values[high]))
            except BookingCoreError:  # Money in two currencies: keep the defaults
                values[low], values[high] = defaults[low], defaults[high]
        try:
            return cls(**values)
        except BookingCoreError:
            continue
    reject()
    raise AssertionError  # pragma: no cover -- reject() raises


def policies(
    cls: type[_T], **overrides: st.SearchStrategy[Any]
) -> st.SearchStrategy[_T]:
    """Valid instances of any ``*Policy`` class (or other plain attrs settings).

    Built from the class's attrs fields and their types: booleans, whole numbers,
    durations, shares and rates (``Decimal`` 0..1), :mod:`decimal` rounding modes,
    enums, ids, Money (one currency per value), tuples, frozensets and nested
    attrs values (so ``OneOnOnePolicy`` gets random ``ApprovalPolicy`` ...). Every
    field keeps its default now and then; a drawn value a field's own converter
    or validator refuses falls back to the default; ``min``/``max`` field pairs
    come ordered; a value the class still refuses is drawn again. A new policy
    class therefore needs no new strategy.

    Args:
        cls: The policy class.
        **overrides: Strategies for some fields, by field name (as
            :func:`hypothesis.strategies.builds`).

    Returns:
        A strategy of ``cls`` instances that passed its validation.

    Raises:
        InvalidValueError: ``input.invalid_value`` when ``cls`` is no attrs class.

    Example:
        >>> from hypothesis import find
        >>> from booking_core.sessions import ReschedulePolicy
        >>> found = find(policies(ReschedulePolicy), lambda p: p.reason_min_length > 1)
        >>> found.reason_min_length <= found.reason_max_length
        True
    """
    if getattr(cls, "__attrs_attrs__", None) is None:
        raise InvalidValueError(
            field="cls", reason="must be an attrs class such as SplitPolicy", value=cls
        )
    return _attrs_values(cls, overrides)


# -- actors and sessions -------------------------------------------------------------


def actors(roles: Iterable[Role] = tuple(Role)) -> st.SearchStrategy[Actor]:
    """:class:`~booking_core.actors.Actor` values in ``roles`` (default: any role).

    Example:
        >>> from hypothesis import find
        >>> find(actors([Role.TEACHER]), lambda a: True).role.value
        'teacher'
    """
    return st.builds(Actor, _ids(), st.sampled_from(tuple(roles)))


@st.composite
def _seats(
    draw: st.DrawFn, capacity: int, start: datetime, *, waitlist: bool
) -> SeatState:
    confirmed = draw(st.integers(0, capacity))
    count = draw(st.integers(0, 6)) if waitlist else 0
    sequences = sorted(
        draw(st.lists(st.integers(0, 99), min_size=count, max_size=count, unique=True))
    )
    offers: list[SeatOffer] = []
    entries: list[WaitlistEntry] = []
    free = capacity - confirmed
    for sequence in sequences:
        seats = draw(st.integers(1, 3))
        requested = start - draw(st.integers(1, 30 * 24 * 60)) * _MINUTE
        entry = WaitlistEntry(
            booking_id=f"b-{sequence}",
            student_id=f"st-{sequence}",
            seats=seats,
            requested_at=requested,
            sequence=sequence,
        )
        if seats <= free and draw(st.booleans()):
            free -= seats
            ttl = draw(st.integers(1, 24 * 60)) * _MINUTE
            offers.append(
                SeatOffer(
                    expires_at=min(requested + ttl, start),
                    **attrs.asdict(entry, recurse=False),
                )
            )
        else:
            entries.append(entry)
    return SeatState(
        confirmed=confirmed,
        offers=offers,
        waitlist=entries,
        next_sequence=(sequences[-1] + 1 if sequences else 0) + draw(st.integers(0, 3)),
    )


@st.composite
def _reschedule(draw: st.DrawFn, window: TimeWindow) -> RescheduleRequest:
    asked = window.start - draw(st.integers(1, 14 * 24 * 60)) * _MINUTE
    new_window = None
    if draw(st.booleans()):
        lead = draw(st.integers(60, 30 * 24 * 60)) * _MINUTE
        new_window = TimeWindow.of(asked + lead, window.duration)
    reason = draw(st.text(_TEXT, min_size=10, max_size=40))
    return RescheduleRequest(
        requested_by=draw(actors([Role.STUDENT, Role.TEACHER, Role.ADMIN])),
        requested_at=asked,
        reason=reason,
        new_window=new_window,
        respond_by=min(asked + draw(st.integers(0, 48 * 60)) * _MINUTE, window.start),
    )


_CLOSERS = {
    SessionStatus.COMPLETED: (Role.STUDENT, Role.TEACHER, Role.ADMIN, Role.SYSTEM),
    SessionStatus.CANCELLED: (Role.STUDENT, Role.TEACHER, Role.ADMIN, Role.SYSTEM),
    SessionStatus.MISSED: (Role.TEACHER, Role.ADMIN, Role.SYSTEM),
}


@st.composite
def sessions(
    draw: st.DrawFn,
    *,
    kinds: Iterable[SessionKind] = tuple(SessionKind),
    statuses: Iterable[SessionStatus] = tuple(SessionStatus),
    zones: st.SearchStrategy[str] | None = None,
) -> Session:
    """:class:`~booking_core.sessions.Session` values, group and 1:1, in any status.

    Consistent the way commands leave them: a 1:1 session has one seat and no
    waitlist; a group session has 1-40 seats, some confirmed, and with a
    waitlist also open offers (never more seats than free) and waiting bookings
    with unique arrival numbers below ``next_sequence``, all requested before the
    start; a scheduled session may carry a pending reschedule request; a closed
    one has ``closed_at``/``closed_by`` (a cancellation a reason, a completion
    maybe the closer's notes). Windows start at :func:`instants` (DST edges)
    and the zone is any IANA zone (Europe/London and Asia/Kolkata often).

    Example:
        >>> from hypothesis import find
        >>> full = find(sessions(), lambda s: s.seats.taken == s.capacity > 2)
        >>> full.kind.value, full.capacity
        ('group', 3)
    """
    kind = draw(st.sampled_from(tuple(kinds)))
    status = draw(st.sampled_from(tuple(statuses)))
    window = draw(time_windows(max_duration=timedelta(hours=4)))
    capacity, waitlist, seats = 1, False, SeatState()
    if kind is SessionKind.GROUP:
        capacity = draw(st.integers(1, 40))
        waitlist = draw(st.booleans())
        seats = draw(_seats(capacity, window.start, waitlist=waitlist))
    pending = None
    if status is SessionStatus.SCHEDULED and draw(st.booleans()):
        pending = draw(_reschedule(window))
    closed_at = closed_by = reason = None
    notes: tuple[SessionNote, ...] = ()
    if status.is_terminal:
        closed_by = draw(actors(_CLOSERS[status]))
        after = draw(st.integers(0, 7 * 24 * 60)) * _MINUTE
        closed_at = {
            SessionStatus.COMPLETED: window.end + after,
            SessionStatus.CANCELLED: window.start - after,
            SessionStatus.MISSED: window.start + timedelta(minutes=30) + after,
        }[status]
        if status is not SessionStatus.COMPLETED:
            reason = draw(st.one_of(st.none(), st.text(_TEXT, min_size=1)))
        if status is SessionStatus.CANCELLED and reason is None:
            reason = "cancelled"
        if status is SessionStatus.COMPLETED and draw(st.booleans()):
            text = draw(st.text(_TEXT, min_size=1, max_size=60))
            notes = (SessionNote(author=closed_by, text=text, written_at=closed_at),)
    meeting = draw(
        st.one_of(
            st.none(),
            st.builds(
                MeetingInfo,
                provider=st.sampled_from(("zoom", "meet", "jitsi")),
                link=_ids("https://meet.example/"),
                passcode=st.one_of(st.none(), _ids()),
            ),
        )
    )
    return Session(
        id=draw(_ids("s-")),
        kind=kind,
        teacher_id=draw(_ids("t-")),
        course_id=draw(_ids("c-")),
        window=window,
        zone=draw(_default_zones(zones)),
        meeting=meeting,
        capacity=capacity,
        waitlist_enabled=waitlist,
        seats=seats,
        status=status,
        pending_reschedule=pending,
        notes=notes,
        closed_at=closed_at,
        closed_by=closed_by,
        close_reason=reason,
    )


# -- availability, slot requests and commitments --------------------------------


def _wall_clock() -> st.SearchStrategy[time]:
    """Naive wall-clock times to the minute, on the hour and half hour often."""
    return st.one_of(
        st.builds(time, st.integers(0, 23), st.sampled_from((0, 30))),
        st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    )


_DATES = st.dates(date(2000, 1, 1), date(2037, 12, 31))


@st.composite
def weekly_availabilities(
    draw: st.DrawFn, zones: st.SearchStrategy[str] | None = None
) -> WeeklyAvailability:
    """:class:`~booking_core.availability.WeeklyAvailability` windows.

    Any weekday and wall-clock window (an end not after the start crosses
    midnight), in a zone with or without DST, with or without validity dates and
    a course.

    Example:
        >>> from hypothesis import find
        >>> find(weekly_availabilities(), lambda w: w.crosses_midnight).end
        datetime.time(0, 0)
    """
    start = draw(_wall_clock())
    end = draw(_wall_clock().filter(lambda value: value != start))
    valid_from = draw(st.one_of(st.none(), _DATES))
    valid_until = draw(st.one_of(st.none(), _DATES))
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        valid_from, valid_until = valid_until, valid_from
    return WeeklyAvailability(
        weekday=draw(st.integers(0, 6)),
        start=start,
        end=end,
        zone=draw(_default_zones(zones)),
        valid_from=valid_from,
        valid_until=valid_until,
        course=draw(st.one_of(st.none(), _ids("c-"))),
    )


def one_time_availabilities() -> st.SearchStrategy[OneTimeAvailability]:
    """:class:`~booking_core.availability.OneTimeAvailability` windows.

    Example:
        >>> from hypothesis import find
        >>> find(one_time_availabilities(), lambda a: a.course is not None).course
        'c-0'
    """
    return st.builds(
        OneTimeAvailability,
        window=time_windows(max_duration=timedelta(hours=12)),
        course=st.one_of(st.none(), _ids("c-")),
    )


def blackouts(
    zones: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Blackout]:
    """:class:`~booking_core.availability.Blackout` values: windows or whole days.

    Example:
        >>> from hypothesis import find
        >>> find(blackouts(), lambda b: b.window.duration > timedelta(days=1)).reason
        ''
    """
    whole_days = st.builds(
        lambda first, days, zone, reason: Blackout.whole_days(
            first, first + days * _DAY, zone, reason=reason
        ),
        _DATES,
        st.integers(0, 14),
        _default_zones(zones),
        st.text(_TEXT, max_size=12),
    )
    return st.one_of(
        st.builds(Blackout, window=time_windows(), reason=st.text(_TEXT, max_size=12)),
        whole_days,
    )


def availability_items(
    zones: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[AvailabilityItem]:
    """Any item :func:`~booking_core.availability.free_slots` takes.

    Example:
        >>> from hypothesis import find
        >>> type(find(availability_items(), lambda i: isinstance(i, Blackout))).__name__
        'Blackout'
    """
    return st.one_of(
        weekly_availabilities(zones), one_time_availabilities(), blackouts(zones)
    )


_DAY_MINUTES = 24 * 60
_STEPS = tuple(m for m in range(1, _DAY_MINUTES + 1) if _DAY_MINUTES % m == 0)


@st.composite
def slot_requests(
    draw: st.DrawFn,
    zones: st.SearchStrategy[str] | None = None,
    *,
    max_days: int = 14,
) -> SlotRequest:
    """:class:`~booking_core.availability.SlotRequest` values.

    One to ``max_days + 1`` local dates, a duration of 5 minutes to 3 hours, a
    step that divides the day (15, 30 and 60 minutes often), buffers, notice,
    an optional horizon, per-day cap and course, and either overlap mode.

    Example:
        >>> from hypothesis import find
        >>> request = find(slot_requests(), lambda r: r.max_per_day is not None)
        >>> request.max_per_day, (24 * 60) % (request.step // timedelta(minutes=1))
        (1, 0)
    """
    first = draw(_DATES)
    minutes = st.integers(0, 120).map(lambda m: m * _MINUTE)
    return SlotRequest(
        first_date=first,
        last_date=first + draw(st.integers(0, max_days)) * _DAY,
        zone=draw(_default_zones(zones)),
        duration=draw(st.integers(1, 36)) * 5 * _MINUTE,
        step=draw(st.one_of(st.sampled_from((15, 30, 60)), st.sampled_from(_STEPS)))
        * _MINUTE,
        buffer_before=draw(minutes),
        buffer_after=draw(minutes),
        minimum_notice=draw(st.integers(0, 72)) * timedelta(hours=1),
        horizon=draw(st.one_of(st.none(), st.integers(1, 90).map(lambda d: d * _DAY))),
        max_per_day=draw(st.one_of(st.none(), st.integers(1, 5))),
        course=draw(st.one_of(st.none(), _ids("c-"))),
        non_overlapping=draw(st.booleans()),
    )


def commitments(
    *,
    teacher_ids: st.SearchStrategy[str] | None = None,
    student_ids: st.SearchStrategy[str | None] | None = None,
    windows: st.SearchStrategy[TimeWindow] | None = None,
) -> st.SearchStrategy[Commitment]:
    """:class:`~booking_core.availability.Commitment` values of any kind.

    Teachers and students come from small pools by default (``t-1``..``t-3``,
    ``s-1``..``s-3`` or none), so lists of commitments hold real double
    bookings; pass ``windows`` to crowd them into a few days.

    Example:
        >>> from hypothesis import find
        >>> find(commitments(), lambda c: c.student_id is None).kind.value
        'one_on_one'
    """
    return st.builds(
        Commitment,
        window=windows if windows is not None else time_windows(),
        teacher_id=teacher_ids or st.sampled_from(("t-1", "t-2", "t-3")),
        student_id=student_ids or st.sampled_from((None, "s-1", "s-2", "s-3")),
        kind=st.sampled_from(CommitmentKind),
        ref_id=_ids("ref-"),
    )


# -- money -----------------------------------------------------------------------------

_CURRENCIES = tuple(sorted(CURRENCIES.values(), key=lambda c: c.code))


def currencies() -> st.SearchStrategy[Currency]:
    """Every ISO 4217 currency of :data:`booking_core.money.currency.CURRENCIES`.

    INR, USD, JPY (no minor unit) and KWD (three) come up often.

    Example:
        >>> from hypothesis import find
        >>> find(currencies(), lambda c: c.minor_unit == 3).code
        'KWD'
    """
    favourites = tuple(get_currency(code) for code in ("INR", "USD", "JPY", "KWD"))
    return st.one_of(st.sampled_from(favourites), st.sampled_from(_CURRENCIES))


def _currency(currency: str | Currency | None) -> st.SearchStrategy[Currency]:
    return currencies() if currency is None else st.just(get_currency(currency))


def _minor_units(
    *, signed: bool, positive: bool, max_major: int, factor: int
) -> st.SearchStrategy[int]:
    high = max_major * factor
    low = -high if signed else 1 if positive else 0
    edges = st.sampled_from([n for n in (0, 1, -1, low, high) if low <= n <= high])
    return st.one_of(edges, st.integers(low, high))


@st.composite
def money(
    draw: st.DrawFn,
    currency: str | Currency | None = None,
    *,
    signed: bool = False,
    positive: bool = False,
    max_major: int = 1_000_000,
) -> Money:
    """:class:`~booking_core.money.Money` in any currency (or ``currency``).

    Whole minor units of the currency's exponent (paise, yen, fils), up to
    ``max_major`` major units: non-negative by default (zero and the last paisa
    often), above zero with ``positive=True``, of either sign with
    ``signed=True``.

    Example:
        >>> from hypothesis import find
        >>> find(money("INR", signed=True), lambda m: m.amount < 0)
        Money(amount=-1, currency='INR')
    """
    found = draw(_currency(currency))
    amount = draw(
        _minor_units(
            signed=signed, positive=positive, max_major=max_major, factor=found.factor
        )
    )
    return Money(amount, found)


@st.composite
def amounts(
    draw: st.DrawFn,
    currency: str | Currency | None = None,
    *,
    signed: bool = False,
    max_major: int = 1_000_000,
) -> tuple[Decimal, Currency]:
    """``(major units, currency)`` pairs :meth:`Money.of` accepts, as hosts get them.

    The ``Decimal`` has at most as many places as the currency's minor unit
    (``"10.5"`` and ``"10.50"`` for INR, ``"10"`` for JPY, ``"0.125"`` for KWD).

    Example:
        >>> from hypothesis import find
        >>> places = lambda pair: -pair[0].as_tuple().exponent
        >>> value, found = find(amounts("KWD"), lambda pair: places(pair) == 3)
        >>> str(value), Money.of(value, found).amount
        ('0.000', 0)
    """
    found = draw(_currency(currency))
    places = draw(st.integers(0, found.minor_unit))
    units = draw(
        _minor_units(
            signed=signed, positive=False, max_major=max_major, factor=10**places
        )
    )
    return Decimal(units).scaleb(-places), found


@st.composite
def split_inputs(
    draw: st.DrawFn, currency: str | Currency | None = None
) -> tuple[Money, SplitPolicy, GatewayFee | None]:
    """``(gross, policy, gateway_fee)`` that :func:`split_payment` accepts.

    Any positive gross, a random :class:`SplitPolicy` (its fee schedule's fixed
    part in the same currency) and a reported fee, or ``None`` to estimate it.
    When the fee would push the bearer's part below zero the fee is zero instead,
    so every triple splits; test refusals with your own inputs.

    Example:
        >>> from hypothesis import find
        >>> gross, policy, fee = find(split_inputs("INR"), lambda t: t[2] is not None)
        >>> split_payment(gross, policy, fee).gross == gross
        True
    """
    found = draw(_currency(currency))
    gross = draw(money(found, positive=True))
    schedule = draw(
        policies(FeeSchedule, fixed=st.one_of(st.none(), money(found, max_major=10)))
    )
    policy = draw(policies(SplitPolicy, fee_schedule=st.just(schedule)))
    fee = None
    if draw(st.booleans()):
        whole = draw(st.integers(0, gross.amount))
        tax = draw(st.integers(0, whole))
        fee = GatewayFee(fee=Money(whole, found), tax=Money(tax, found))
    try:
        split_payment(gross, policy, fee)
    except AmountTooSmallForFeesError:
        fee = GatewayFee(fee=Money(0, found), tax=Money(0, found))
    return gross, policy, fee
