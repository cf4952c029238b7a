"""dumps() writes the JSON text itself: character for character what it wrote before.

Before, dumps() serialised the data encode() builds with compact separators and
ASCII escapes; stored rows and outbox bodies depend on that text staying the
same, so every value here is written both ways and compared.
"""

from __future__ import annotations

import enum
import json
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking_core.actors import Actor, Role
from booking_core.adapters import codec
from booking_core.errors import InvalidDocumentError, InvalidValueError
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.money.amount import Money
from booking_core.testing import strategies as domain

T0 = datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)
LONDON = ZoneInfo("Europe/London")
_OLD = json.JSONEncoder(separators=(",", ":"))


def _as_before(value: object) -> str:
    """The text dumps() wrote before it wrote text itself."""
    return _OLD.encode(codec.encode(value))


class _Name(str):
    __slots__ = ()


class _Count(int):
    pass


class _Level(enum.IntEnum):
    LOW = 1


class _Pair(enum.Enum):
    BOTH = (1, 2)  # a tuple value: written as a JSON list, as before


@attrs.frozen
class _Empty:
    pass


@attrs.frozen
class _One:
    only: Any


@attrs.frozen
class _Many:
    first: Any
    second: Any = None


for _name, _cls in (
    ("test.text.level", _Level),
    ("test.text.pair", _Pair),
    ("test.text.empty", _Empty),
    ("test.text.one", _One),
    ("test.text.many", _Many),
):
    codec.register_type(_name, _cls)


VALUES: list[object] = [
    None,
    True,
    False,
    0,
    -7,
    10**30,
    "plain",
    'quote " back \\ slash \n newline \u00e9 \U0001f600 \x00',
    _Name("sub ✓"),
    _Count(3),
    Role.TEACHER,
    _Level.LOW,
    _Pair.BOTH,
    T0,
    datetime(2026, 10, 25, 1, 30, 5, 7, tzinfo=timezone(timedelta(hours=5))),
    datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON),
    datetime(2026, 3, 29, 1, 30, tzinfo=LONDON),
    datetime(2026, 1, 1, 12),  # naive: encode() writes it, decoding refuses later
    date(2028, 2, 29),
    time(18, 0, 1, 5),
    time(18, 0, tzinfo=timezone.utc),
    timedelta(days=-1, seconds=5, microseconds=3),
    Decimal("0.10"),
    Decimal("-1E+3"),
    uuid.UUID(int=5),
    (),
    (1, "a", None),
    [1, [2, (3,)]],
    frozenset({"b", "a", 3}),
    {"k": 1, (1, 2): "tuple key", 3: frozenset()},
    _Empty(),
    _One(only="x"),
    _One(only=_One(only=(T0, Role.ADMIN))),
    _Many(first=[1, {"a": None}], second=_Level.LOW),
    TimeWindow.of(T0, timedelta(hours=1)),
    Money.of("10.50", "INR"),
    Actor.teacher("t-1"),
    DomainEvent(occurred_at=T0, actor=Actor.system(), aggregate_id="s"),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda value: type(value).__name__)
def test_the_text_is_what_the_data_encoder_wrote(value: object) -> None:
    assert codec.dumps(value) == _as_before(value)
    assert codec.dumps(value) == _as_before(value)  # the cached writers again


def test_enum_members_are_written_once_and_reused() -> None:
    first = codec.dumps((Role.TEACHER, Role.STUDENT, Role.TEACHER))
    assert first == _as_before((Role.TEACHER, Role.STUDENT, Role.TEACHER))


def test_replace_writes_the_given_values_and_ignores_other_names() -> None:
    many = _Many(first=1, second=2)
    text = codec.dumps(many, replace={"second": T0, "unknown": 5})
    assert text == _as_before(_Many(first=1, second=T0))
    assert codec.dumps(_One(only=1), replace={"only": "y"}) == _as_before(_One("y"))
    assert codec.dumps(_Empty(), replace={"x": 1}) == _as_before(_Empty())


@attrs.define
class _Mutable:
    """A host's own attrs class that is not frozen: its text is never reused."""

    value: Any


codec.register_type("test.text.mutable", _Mutable)


def test_a_value_written_again_reuses_its_text_only_when_it_cannot_differ() -> None:
    window = TimeWindow.of(T0, timedelta(hours=1))
    assert codec.dumps((window, window)) == _as_before((window, window))
    # the same instant in another zone is another datetime: its own text
    same_instant = T0.astimezone(timezone(timedelta(hours=1)))
    texts = [codec.dumps(T0), codec.dumps(same_instant), codec.dumps(T0)]
    assert texts == [_as_before(T0), _as_before(same_instant), _as_before(T0)]
    assert texts[0] != texts[1]
    # a host's mutable value is written afresh every time
    mutable = _Mutable(value=1)
    assert codec.dumps(mutable) == _as_before(_Mutable(value=1))
    mutable.value = 2
    assert codec.dumps(mutable) == _as_before(_Mutable(value=2))


def test_replace_on_a_class_never_written_before() -> None:
    @attrs.frozen
    class Fresh:
        first: int
        second: int = 0

    codec.register_type("test.text.fresh_replace", Fresh)
    text = codec.dumps(Fresh(first=1), replace={"second": 5})
    assert text == _as_before(Fresh(first=1, second=5))


def test_refusals_are_those_of_encode() -> None:
    with pytest.raises(InvalidValueError, match="floats"):
        codec.dumps((1, 0.5))
    with pytest.raises(InvalidValueError, match="no JSON encoding"):
        codec.dumps([object()])
    with pytest.raises(InvalidValueError, match="attrs values only"):
        codec.dumps({"a": 1}, replace={"a": 2})

    @attrs.frozen
    class Unregistered:
        x: int = 0

    with pytest.raises(InvalidValueError, match="not in the codec registry"):
        codec.dumps(_One(only=Unregistered()))


_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.datetimes(timezones=st.sampled_from([timezone.utc, LONDON]))
    | st.sampled_from(list(Role))
)


@given(
    st.recursive(
        _JSON_LEAVES,
        lambda inner: (
            st.tuples(inner, inner)
            | st.lists(inner, max_size=3)
            | st.frozensets(st.text(max_size=3), max_size=3)
            | st.builds(_Many, first=inner, second=inner)
        ),
        max_leaves=12,
    )
)
def test_property_the_text_is_what_the_data_encoder_wrote(value: object) -> None:
    assert codec.dumps(value) == _as_before(value)


@given(domain.sessions())
def test_property_sessions_are_written_as_before(session: Any) -> None:
    assert codec.dumps(session) == _as_before(session)
    assert codec.dumps(session, replace={"version": 9}) == _as_before(
        attrs.evolve(session, version=9)
    )


def _nested(levels: int) -> Any:
    data: Any = "leaf"
    for _ in range(levels):
        data = {"$type": "test.text.one", "f": {"only": data}}
    return data


def test_a_plain_field_below_the_depth_limit_is_refused_too() -> None:
    """Plain field values skip the path-building decoder, never the depth bound."""
    inner = codec.decode(_nested(codec.MAX_DEPTH))
    for _ in range(codec.MAX_DEPTH - 1):
        inner = inner.only
    assert inner == _One(only="leaf")
    with pytest.raises(InvalidDocumentError, match="deeper than") as refused:
        codec.decode(_nested(codec.MAX_DEPTH + 1))
    assert refused.value.details["path"].endswith(".f.only")


def test_unknown_and_missing_fields_name_the_first_one() -> None:
    with pytest.raises(InvalidDocumentError, match="unknown field 'b'"):
        codec.decode({"$type": "test.text.many", "f": {"first": 1, "b": 2, "c": 3}})
    with pytest.raises(InvalidDocumentError, match="missing field 'first'"):
        codec.decode({"$type": "test.text.many", "f": {"second": 2}})
