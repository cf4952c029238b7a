"""The plain JSON renderings of :mod:`booking_core._plain`, read back and described.

Both walk a Python type (an attrs class's field annotations, down to the leaves):
:func:`from_plain` turns a rendering back into the exact value, refusing anything
else with :class:`~booking_core.errors.InvalidEventError` naming the place;
:func:`json_schema` describes the renderings of a type as JSON Schema (2020-12),
with every attrs class once under ``$defs`` by its stable name
(:mod:`booking_core.type_names`).

The types understood are those events carry: ``None``, ``bool``, ``int``,
``str``, ``Decimal``, ``UUID``, datetimes (aware), dates, times, timedeltas,
enums, classes with ``from_json`` and ``JSON_SCHEMA`` (``Money``, ``Currency``),
attrs classes, ``X | Y`` unions and tuples (``tuple[X, ...]`` and fixed).

Example:
    >>> from datetime import timedelta
    >>> from_plain(tuple[timedelta, ...], ["PT1H30M", "-P1D"], "data.shifts")
    (datetime.timedelta(seconds=5400), datetime.timedelta(days=-1))
    >>> from_plain(int, "3", "data.seats")
    Traceback (most recent call last):
    ...
    booking_core.errors.InvalidEventError: event data.seats is invalid: expected ...
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import functools
import re
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from booking_core.errors import BookingCoreError, InvalidEventError
from booking_core.type_names import TYPE_NAMES

__all__ = [
    "build",
    "field_values",
    "from_plain",
    "json_schema",
    "object_schema",
    "stable_name",
]

_NAME_AT: Final = {path: name for name, path in TYPE_NAMES.items()}

_DATETIME: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"([+-][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?|Z)$"
)
_DATE: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TIME: Final = r"^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$"
_DURATION: Final = (
    r"^-?P(?:([0-9]+)D)?"
    r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]{1,6})?)S)?)?$"
)
_DECIMAL: Final = r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
_UUID: Final = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

_REFUSALS: Final = (BookingCoreError, TypeError, ValueError, ArithmeticError)


def stable_name(cls: type) -> str | None:
    """The stable name of ``cls`` in :mod:`booking_core.type_names`, if it has one."""
    return _NAME_AT.get(f"{cls.__module__}:{cls.__qualname__}")


def _fail(path: str, reason: str) -> InvalidEventError:
    return InvalidEventError(field=path, reason=reason)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _init_fields(cls: type) -> dict[str, attrs.Attribute[Any]]:
    every = attrs.fields(typing.cast("type[attrs.AttrsInstance]", cls))
    return {field.alias: field for field in every if field.init}


def _union_args(hint: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(hint) in {typing.Union, types.UnionType}:
        return typing.get_args(hint)
    return None


# -- reading back ----------------------------------------------------------------


def from_plain(hint: Any, data: Any, path: str) -> Any:  # noqa: PLR0911 -- per type
    """The value of type ``hint`` that :func:`~booking_core._plain.plain` rendered.

    Args:
        hint: The type, as annotated (``TimeWindow | None``, ``tuple[int, ...]``).
        data: The JSON data.
        path: Where ``data`` is, for the error (``data.window``).

    Raises:
        InvalidEventError: ``events.invalid_event`` naming ``path`` (or a place
            inside it) for data that is no rendering of ``hint``.
    """
    options = _union_args(hint)
    if options is not None:
        return _from_union(options, data, path)
    if hint is type(None):
        if data is not None:
            raise _fail(path, "expected null")
        return None
    reader = _READERS.get(hint)
    if reader is not None:
        return reader(data, path)
    if typing.get_origin(hint) is tuple:
        return _from_tuple(typing.get_args(hint), data, path)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _from_enum(hint, data, path)
    from_json = getattr(hint, "from_json", None)
    if from_json is not None:
        try:
            return from_json(data)
        except _REFUSALS as exc:
            raise _fail(path, _reason(exc)) from exc
    return build(hint, field_values(hint, data, path), path)


def field_values(
    cls: type, data: Any, path: str, *, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The constructor arguments of attrs class ``cls`` read from ``data``.

    Args:
        cls: The attrs class.
        data: An object of its fields by alias (a field with a default may be
            missing).
        path: Where ``data`` is (``""`` at the top).
        skip: Aliases read elsewhere (neither required nor allowed in ``data``).

    Raises:
        InvalidEventError: ``events.invalid_event`` for a non-object, an unknown
            or missing field, or a field that does not read back.
    """
    if not isinstance(data, dict):
        raise _fail(path or "data", "expected an object")
    fields = _init_fields(cls)
    for key in data:
        if key not in fields or key in skip:
            raise _fail(_at(path, str(key)[:100]), "unknown field")
    hints = _hints(cls)
    values = {}
    for alias, field in fields.items():
        if alias in skip:
            continue
        where = _at(path, alias)
        if alias in data:
            values[alias] = from_plain(hints[field.name], data[alias], where)
        elif field.default is attrs.NOTHING:
            raise _fail(where, "missing")
    return values


def build(cls: type, values: dict[str, Any], path: str) -> Any:
    """``cls(**values)``; its refusal becomes ``events.invalid_event`` at ``path``."""
    try:
        return cls(**values)
    except _REFUSALS as exc:
        raise _fail(path or "data", _reason(exc)) from exc


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _reason(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    text = str(exc)[:300] or type(exc).__name__
    return f"{text} ({code})" if code else text


def _from_union(options: tuple[Any, ...], data: Any, path: str) -> Any:
    if data is None and type(None) in options:
        return None
    kinds = [option for option in options if option is not type(None)]
    if len(kinds) == 1:
        return from_plain(kinds[0], data, path)
    for kind in kinds:
        read, value = _attempt(kind, data, path)
        if read:
            return value
    names = ", ".join(getattr(kind, "__name__", str(kind)) for kind in kinds)
    raise _fail(path, f"matches none of {names}")


def _attempt(kind: Any, data: Any, path: str) -> tuple[bool, Any]:
    try:
        return True, from_plain(kind, data, path)
    except InvalidEventError:
        return False, None


def _from_tuple(args: tuple[Any, ...], data: Any, path: str) -> tuple[Any, ...]:
    if not isinstance(data, list):
        raise _fail(path, "expected an array")
    if len(args) == 2 and args[1] is Ellipsis:
        kinds = [args[0]] * len(data)
    elif len(data) != len(args):
        raise _fail(path, f"expected an array of {len(args)} items")
    else:
        kinds = list(args)
    return tuple(
        from_plain(kind, item, f"{path}[{i}]")
        for i, (kind, item) in enumerate(zip(kinds, data, strict=True))
    )


def _from_enum(cls: type[enum.Enum], data: Any, path: str) -> enum.Enum:
    for member in cls:
        if type(member.value) is type(data) and member.value == data:
            return member
    allowed = ", ".join(repr(member.value) for member in cls)
    raise _fail(path, f"expected one of {allowed}")


def _text(data: Any, path: str, pattern: str, what: str) -> str:
    if not isinstance(data, str) or not re.fullmatch(pattern, data):
        raise _fail(path, f"expected {what}")
    return data


def _read_bool(data: Any, path: str) -> bool:
    if not isinstance(data, bool):
        raise _fail(path, "expected true or false")
    return data


def _read_int(data: Any, path: str) -> int:
    if type(data) is not int:
        raise _fail(path, "expected an integer")
    return data


def _read_str(data: Any, path: str) -> str:
    if not isinstance(data, str):
        raise _fail(path, "expected a string")
    return data


def _read_decimal(data: Any, path: str) -> decimal.Decimal:
    return decimal.Decimal(_text(data, path, _DECIMAL, "a decimal number as a string"))


def _read_uuid(data: Any, path: str) -> uuid.UUID:
    return uuid.UUID(_text(data, path, _UUID, "a UUID in lower-case hex"))


def _read_datetime(data: Any, path: str) -> dt.datetime:
    text = _text(data, path, _DATETIME, "an ISO 8601 date-time with its UTC offset")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise _fail(path, _reason(exc)) from exc


def _read_date(data: Any, path: str) -> dt.date:
    text = _text(data, path, _DATE, "an ISO 8601 date")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise _fail(path, _reason(exc)) from exc


def _read_time(data: Any, path: str) -> dt.time:
    text = _text(data, path, _TIME, "an ISO 8601 time of day")
    try:
        return dt.time.fromisoformat(text)
    except ValueError as exc:
        raise _fail(path, _reason(exc)) from exc


def _read_timedelta(data: Any, path: str) -> dt.timedelta:
    text = _text(data, path, _DURATION, "an ISO 8601 duration such as PT1H30M")
    found = re.fullmatch(_DURATION, text)
    assert found is not None  # noqa: S101 -- _text matched the same pattern
    days, hours, minutes, seconds = (part or "0" for part in found.groups())
    whole, _, fraction = seconds.partition(".")
    try:
        value = dt.timedelta(
            days=int(days),
            hours=int(hours),
            minutes=int(minutes),
            seconds=int(whole),
            microseconds=int(fraction.ljust(6, "0")),
        )
    except OverflowError as exc:
        raise _fail(path, _reason(exc)) from exc
    return -value if text.startswith("-") else value


_READERS: Final[dict[Any, Callable[[Any, str], Any]]] = {
    bool: _read_bool,
    int: _read_int,
    str: _read_str,
    decimal.Decimal: _read_decimal,
    uuid.UUID: _read_uuid,
    dt.datetime: _read_datetime,
    dt.date: _read_date,
    dt.time: _read_time,
    dt.timedelta: _read_timedelta,
}


# -- describing ------------------------------------------------------------------

_SCHEMAS: Final[Mapping[Any, Mapping[str, Any]]] = {
    type(None): {"type": "null"},
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    str: {"type": "string"},
    decimal.Decimal: {"type": "string", "pattern": _DECIMAL},
    uuid.UUID: {"type": "string", "format": "uuid", "pattern": _UUID},
    dt.datetime: {"type": "string", "format": "date-time", "pattern": _DATETIME},
    dt.date: {"type": "string", "format": "date", "pattern": _DATE},
    dt.time: {"type": "string", "pattern": _TIME},
    dt.timedelta: {"type": "string", "format": "duration", "pattern": _DURATION},
}


def json_schema(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0911 -- per type
    """The JSON Schema of the renderings of ``hint``.

    Args:
        hint: The type, as annotated.
        defs: The ``$defs`` being built: every attrs class met is added once,
            under its stable name, and referred to by ``$ref``.

    Returns:
        A schema (a ``$ref`` for attrs classes).
    """
    options = _union_args(hint)
    if options is not None:
        return {"anyOf": [json_schema(option, defs) for option in options]}
    if hint in _SCHEMAS:
        return dict(_SCHEMAS[hint])
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": json_schema(args[0], defs)}
        return {
            "type": "array",
            "prefixItems": [json_schema(arg, defs) for arg in args],
            "items": False,
            "minItems": len(args),
        }
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [member.value for member in hint]}
    fixed = getattr(hint, "JSON_SCHEMA", None)
    if fixed is not None:
        return dict(fixed)
    name = stable_name(hint) or hint.__qualname__
    if name not in defs:
        defs[name] = {}  # reserved first: a class may refer to itself
        defs[name] = object_schema(hint, defs)
    return {"$ref": f"#/$defs/{name}"}


def object_schema(
    cls: type, defs: dict[str, Any], *, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The JSON Schema of the object of ``cls``'s fields (all required)."""
    hints = _hints(cls)
    properties = {
        alias: json_schema(hints[field.name], defs)
        for alias, field in _init_fields(cls).items()
        if alias not in skip
    }
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
