from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking_core.actors import Actor, Role
from booking_core.adapters.codec import decode, dumps, encode, loads
from booking_core.errors import (
    InvalidDocumentError,
    InvalidValueError,
    UnknownTypeNameError,
)
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.money.amount import Money
from booking_core.money.currency import get_currency

T0 = datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)


def test_round_trips_every_supported_type() -> None:
    value = {
        "none": None,
        "flag": True,
        "n": 7,
        "text": "x",
        "role": Role.TEACHER,
        "when": T0,
        "fold": datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=ZoneInfo("Europe/London")),
        "day": date(2028, 2, 29),
        "at": time(18, 0),
        "span": timedelta(days=-1, seconds=5, microseconds=3),
        "rate": Decimal("0.10"),
        "uid": uuid.UUID(int=5),
        "pair": (1, "a"),
        "list": [1, 2],
        "set": frozenset({"b", "a"}),
        (1, 2): "tuple key",
        "window": TimeWindow.of(T0, timedelta(hours=1)),
        "event": DomainEvent(occurred_at=T0, actor=Actor.system(), aggregate_id="s"),
    }
    assert loads(dumps(value)) == value
    assert loads(dumps(value))["role"] is Role.TEACHER


def test_fold_survives() -> None:
    later = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=ZoneInfo("Europe/London"))
    assert loads(dumps(later)).utcoffset() == timedelta(0)


def test_refusals() -> None:
    with pytest.raises(InvalidValueError, match="floats"):
        encode(0.1)
    with pytest.raises(InvalidValueError, match="no JSON encoding"):
        encode(object())
    with pytest.raises(UnknownTypeNameError, match="unknown type 'os:system'"):
        decode({"$type": "os:system", "f": {}})
    with pytest.raises(UnknownTypeNameError):
        decode({"$type": "booking_core.zones:to_instant", "f": {}})
    with pytest.raises(InvalidDocumentError, match="not made by"):
        decode({"unknown": 1})


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.text()
        | st.datetimes(timezones=st.just(timezone.utc)),
        lambda inner: st.tuples(inner, inner) | st.lists(inner, max_size=3),
        max_leaves=10,
    )
)
def test_property_round_trip(value: object) -> None:
    assert loads(dumps(value)) == value


def test_zone_datetimes_keep_wall_time_fold_and_zone() -> None:
    london = ZoneInfo("Europe/London")
    gap = datetime(2026, 3, 29, 1, 30, tzinfo=london)  # clocks skip 01:00-02:00
    second = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=london)  # the later 01:30
    for value in (gap, second):
        back = loads(dumps(value))
        assert (back.replace(tzinfo=None), back.fold, back.tzinfo) == (
            value.replace(tzinfo=None),
            value.fold,
            london,
        )


def test_zone_datetimes_stored_with_an_offset_still_decode() -> None:
    # The encoding before wall times were kept: an ISO offset and the zone key.
    stored = '{"$dt": "2026-10-25T01:30:00+00:00", "tz": "Europe/London"}'
    back = loads(stored)
    assert back == datetime(
        2026, 10, 25, 1, 30, fold=1, tzinfo=ZoneInfo("Europe/London")
    )
    assert back.utcoffset() == timedelta(0)


def test_currencies_decode_to_the_shipped_instance() -> None:
    stored = loads(dumps(Money.of("1.00", "INR")))
    assert stored.currency is get_currency("INR")
    assert stored + Money.of("1.00", "INR") == Money.of("2.00", "INR")


def test_replace_stores_and_loads_other_field_values_without_a_copy() -> None:
    teacher = Actor.teacher("t-1")
    text = dumps(teacher, replace={"user_id": "t-2"})
    assert loads(text) == Actor.teacher("t-2")
    assert loads(text, replace={"user_id": "t-3"}) == Actor.teacher("t-3")
    with pytest.raises(InvalidValueError):
        dumps(("not", "attrs"), replace={"x": 1})
    with pytest.raises(InvalidDocumentError):
        loads("[1, 2]", replace={"x": 1})


def test_subclasses_of_plain_types_encode_as_the_plain_type() -> None:
    class Name(str):
        __slots__ = ()

    class Count(int):
        pass

    assert encode(Name("ann")) == "ann"
    assert encode(Count(3)) == 3


def test_an_unhashable_enum_value_is_an_invalid_document() -> None:
    with pytest.raises(InvalidDocumentError):
        loads('{"$enum": "role", "v": [1]}')
