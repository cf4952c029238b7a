"""JSON encoding of ``booking_core`` values: aggregates, events, policies.

Adapters that keep aggregates or events as text (the SQLite adapter, an outbox
relay, a host's PostgreSQL ``jsonb`` column) translate them with :func:`dumps` and
:func:`loads`. The encoding is explicit and lossless for the types the domain
uses: attrs classes, aware datetimes (a zone's as wall time, fold and zone),
dates, times, timedeltas, decimals, enums, UUIDs, tuples, frozensets and dicts.
Only attrs classes defined inside ``booking_core`` are decoded, so stored data can
never make the decoder import arbitrary code.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.adapters.codec import dumps, loads
    >>> one = datetime(2026, 3, 29, 1, tzinfo=timezone.utc)
    >>> window = TimeWindow.of(one, timedelta(hours=1))
    >>> loads(dumps((window, Actor.teacher("t-1")))) == (window, Actor.teacher("t-1"))
    True
"""

from __future__ import annotations

import enum
import importlib
import json
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from booking_core.errors import InvalidValueError
from booking_core.zones import get_zone

__all__ = ["allow_module", "decode", "dumps", "encode", "loads"]

_ALLOWED: set[str] = {"booking_core"}


def allow_module(prefix: str) -> None:
    """Let :func:`decode` build attrs classes from modules under ``prefix`` too.

    For hosts and tests that store their own attrs values beside the library's.
    """
    _ALLOWED.add(prefix)


def _allowed(module_name: str) -> bool:
    return any(
        module_name == prefix or module_name.startswith(prefix + ".")
        for prefix in _ALLOWED
    )


def _type_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


# Per class: its stored name and, for attrs classes, the (alias, attribute)
# pairs of its init fields.
_SHAPES: dict[type, tuple[str, tuple[tuple[str, str], ...]]] = {}
# Stored names already resolved (and allowed): never refused later, as
# allow_module only ever adds prefixes.
_RESOLVED: dict[str, type] = {}


def _shape(cls: type) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The stored name of ``cls`` and, for an attrs class, its init fields."""
    shape = _SHAPES.get(cls)
    if shape is None:
        fields = tuple(
            (field.alias or field.name, field.name)
            for field in (attrs.fields(cls) if attrs.has(cls) else ())
            if field.init
        )
        shape = _SHAPES[cls] = (_type_name(cls), fields)
    return shape


def _resolve(name: str) -> type:
    found = _RESOLVED.get(name)
    if found is None:
        found = _RESOLVED[name] = _import(name)
    return found


def _import(name: str) -> type:
    module_name, _, qualname = name.partition(":")
    if not _allowed(module_name):
        raise InvalidValueError(
            field="$type",
            reason="only booking_core types (and allow_module() ones) are decoded",
            value=name,
        )
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    if not isinstance(target, type):
        raise InvalidValueError(field="$type", reason="not a class", value=name)
    return target


def encode(value: object) -> Any:  # noqa: PLR0911, PLR0912 -- a branch per type
    """Turn a domain value into JSON-compatible data (dicts, lists, strings, numbers).

    Raises:
        InvalidValueError: ``input.invalid_value`` for a type it cannot encode.
    """
    if isinstance(value, enum.Enum):
        return {"$enum": _shape(type(value))[0], "v": value.value}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise InvalidValueError(
            field="value",
            reason="floats are never stored; use int or Decimal",
            value=value,
        )
    cls: type[Any] = type(value)
    if attrs.has(cls):
        name, shape = _shape(cls)
        fields = {
            alias: encode(getattr(value, attribute)) for alias, attribute in shape
        }
        return {"$type": name, "f": fields}
    if isinstance(value, datetime):
        if isinstance(value.tzinfo, ZoneInfo):
            # The wall time, its fold and the zone: exactly what was given, even
            # a wall time inside a DST gap (an offset would move it).
            wall = value.replace(tzinfo=None).isoformat()
            return {"$dt": wall, "tz": value.tzinfo.key, "fold": value.fold}
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$td": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, frozenset):
        items = [encode(item) for item in value]
        return {
            "$fset": sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
        }
    if isinstance(value, dict):
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    raise InvalidValueError(
        field="value", reason="no JSON encoding for its type", value=value
    )


_TAGGED = {
    "$dt": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$dec": Decimal,
    "$uuid": uuid.UUID,
}


def decode(data: Any) -> Any:  # noqa: PLR0911 -- one branch per supported tag
    """Turn data made by :func:`encode` back into the domain value.

    Raises:
        InvalidValueError: ``input.invalid_value`` for data it did not make.
    """
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "$type" in data:
        cls = _resolve(data["$type"])
        return cls(**{name: decode(item) for name, item in data["f"].items()})
    if "$enum" in data:
        return _resolve(data["$enum"])(data["v"])
    if "$tuple" in data:
        return tuple(decode(item) for item in data["$tuple"])
    if "$fset" in data:
        return frozenset(decode(item) for item in data["$fset"])
    if "$dict" in data:
        return {decode(k): decode(v) for k, v in data["$dict"]}
    if "tz" in data:
        stored = datetime.fromisoformat(data["$dt"])
        zone = get_zone(data["tz"])
        if stored.tzinfo is not None:  # written before wall times were kept
            return stored.astimezone(zone)
        return stored.replace(tzinfo=zone, fold=data["fold"])
    if "$td" in data:
        days, seconds, micros = data["$td"]
        return timedelta(days=days, seconds=seconds, microseconds=micros)
    for tag, parse in _TAGGED.items():
        if tag in data:
            return parse(data[tag])
    raise InvalidValueError(field="data", reason="not made by codec.encode", value=data)


def dumps(value: object) -> str:
    """Encode ``value`` to a compact JSON string."""
    return json.dumps(encode(value), separators=(",", ":"), sort_keys=True)


def loads(text: str) -> Any:
    """Decode a JSON string made by :func:`dumps`."""
    return decode(json.loads(text))
