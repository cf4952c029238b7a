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
from booking_core.errors import InvalidValueError
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow

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
    with pytest.raises(InvalidValueError, match="only booking_core types"):
        decode({"$type": "os:system", "f": {}})
    with pytest.raises(InvalidValueError, match="not a class"):
        decode({"$type": "booking_core.zones:to_instant", "f": {}})
    with pytest.raises(InvalidValueError, match="not made by"):
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
