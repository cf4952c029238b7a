"""JSON encoding of ``booking_core`` values: aggregates, events, policies.

Adapters that keep aggregates or events as text (the SQLite adapter, an outbox
relay, a host's PostgreSQL ``jsonb`` column) translate them with :func:`dumps` and
:func:`loads`. The encoding is explicit and lossless for the types the domain
uses: attrs classes, aware datetimes (a zone's as wall time, fold and zone),
dates, times, timedeltas, decimals, enums, UUIDs, tuples, frozensets and dicts.

Stored data is untrusted. Type names are stable names from one registry
(:mod:`booking_core.type_names`: ``session``, ``money``,
``session.cancelled``), never module paths, and decoding resolves them only
through that registry plus the types a host registers with :func:`register_type`:
nothing is imported or looked up by attribute because a document says so.
Documents written before stable names (``booking_core.sessions.model:Session``)
still decode, through a literal table of legacy names. A document is at most
:data:`MAX_DOCUMENT_CHARS` characters and :data:`MAX_DEPTH` levels deep; every
malformed document raises ``codec.invalid_document`` (or ``codec.unknown_type``)
whose ``details["path"]`` says where (``$.f.seats[3].f.at``).

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.adapters.codec import dumps, loads
    >>> one = datetime(2026, 3, 29, 1, tzinfo=timezone.utc)
    >>> window = TimeWindow.of(one, timedelta(hours=1))
    >>> loads(dumps((window, Actor.teacher("t-1")))) == (window, Actor.teacher("t-1"))
    True
    >>> dumps(Actor.teacher("t-1"))
    '{"$type":"actor","f":{"role":{"$enum":"role","v":"teacher"},"user_id":"t-1"}}'
    >>> loads('{"$type": "builtins:bytearray", "f": {}}')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    booking_core.errors.UnknownTypeNameError: stored document names unknown ...
"""

from __future__ import annotations

import enum
import importlib
import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring_ascii
from operator import add, attrgetter
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from booking_core._validation import bounded_decimal
from booking_core.errors import (
    BookingCoreError,
    InvalidDocumentError,
    InvalidValueError,
    UnknownTypeNameError,
)
from booking_core.type_names import LEGACY_TYPE_NAMES, TYPE_NAMES
from booking_core.zones import get_zone

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_CHARS",
    "decode",
    "dumps",
    "encode",
    "loads",
    "register_type",
    "type_name",
]

MAX_DOCUMENT_CHARS: Final = 4_000_000
"""The longest JSON text :func:`loads` reads (characters)."""

MAX_DEPTH: Final = 64
"""The deepest nesting of lists and objects :func:`decode` follows."""

_MAX_INT_DIGITS: Final = 40
_MAX_SCALAR_CHARS: Final = 100
_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")

_HOST_TYPES: dict[str, type] = {}
_RESOLVED: dict[str, type] = {}
_NAME_OF: dict[type, str] = {}
_NAME_AT: Final = {path: name for name, path in TYPE_NAMES.items()}


def register_type(name: str, cls: type) -> None:
    """Let the codec store and load a host's own attrs class or enum as ``name``.

    Hosts that keep their own values beside the library's register each type once,
    at import time, under a stable name of their choosing (prefix it with the
    host's name to stay clear of the library's). Registering the same class under
    the same name again does nothing.

    Args:
        name: Lower-case words with ``_``, dot-separated (``"myapp.room"``).
        cls: An attrs class or an :class:`enum.Enum`.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a malformed or taken name,
            or a class that is neither attrs nor an enum.

    Example:
        >>> import attrs
        >>> @attrs.frozen
        ... class Room:
        ...     name: str
        >>> register_type("doc.room", Room)
        >>> loads(dumps(Room("blue")))
        Room(name='blue')
    """
    given: object = name
    if not isinstance(given, str) or not _NAME.fullmatch(given) or len(given) > 100:
        raise InvalidValueError(
            field="name",
            reason="must be lower-case words with '_', dot-separated, at most 100",
            value=name,
        )
    kind: object = cls
    if not isinstance(kind, type) or not (
        attrs.has(kind) or issubclass(kind, enum.Enum)
    ):
        raise InvalidValueError(
            field="cls", reason="must be an attrs class or an enum", value=cls
        )
    known = _HOST_TYPES.get(name)
    if known is cls:
        return
    if known is not None or name in TYPE_NAMES or cls in _NAME_OF:
        raise InvalidValueError(
            field="name", reason="already registered to another type", value=name
        )
    _HOST_TYPES[name] = cls
    _NAME_OF[cls] = name


def _load(name: str) -> type:
    """Return the library class registered as ``name`` (imports its module once)."""
    cls = _RESOLVED.get(name)
    if cls is None:
        module_name, _, qualname = TYPE_NAMES[name].partition(":")
        cls = getattr(importlib.import_module(module_name), qualname)
        _RESOLVED[name] = cls
        _NAME_OF[cls] = name
    return cls


def type_name(cls: type) -> str:
    """Return the stable name the codec stores ``cls`` under.

    Raises:
        InvalidValueError: ``input.invalid_value`` when ``cls`` is not registered.

    Example:
        >>> from booking_core.sessions.events import SessionCancelled
        >>> type_name(SessionCancelled)
        'session.cancelled'
    """
    name = _NAME_OF.get(cls)
    if name is not None:
        return name
    where = f"{cls.__module__}:{cls.__qualname__}"
    name = _NAME_AT.get(where)
    if name is not None and _load(name) is cls:
        return name
    for candidate in TYPE_NAMES:  # the table may name a re-export: load them all
        _load(candidate)
    if cls in _NAME_OF:
        return _NAME_OF[cls]
    raise InvalidValueError(
        field="value",
        reason="its type is not in the codec registry; see codec.register_type()",
        value=where,
    )


# Stored name (legacy names too) -> class, filled as documents name them, so
# decoding a value is one dict lookup (no registry walk, no import).
_BY_NAME: dict[str, type] = {}


def _class_for(name: object, path: str) -> type:
    if isinstance(name, str):
        cls = _BY_NAME.get(name)
        if cls is not None:
            return cls
        stable = LEGACY_TYPE_NAMES.get(name, name)
        cls = _HOST_TYPES.get(stable)
        if cls is None and stable in TYPE_NAMES:
            cls = _load(stable)
        if cls is not None:  # only known names are kept: the cache stays bounded
            _BY_NAME[name] = cls
            return cls
    shown = name[:_MAX_SCALAR_CHARS] if isinstance(name, str) else name
    raise UnknownTypeNameError(name=shown, path=path)


# Per class: its stored name and, for attrs classes, the (alias, attribute)
# pairs of its init fields in alias order (so the JSON needs no key sorting),
# computed once per class.
_SHAPES: dict[type, tuple[str, tuple[tuple[str, str], ...]]] = {}


def _shape(cls: type) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The stored name of ``cls`` and, for an attrs class, its init fields."""
    shape = _SHAPES.get(cls)
    if shape is None:
        fields = sorted(
            (field.alias or field.name, field.name)
            for field in (attrs.fields(cls) if attrs.has(cls) else ())
            if field.init
        )
        shape = _SHAPES[cls] = (type_name(cls), tuple(fields))
    return shape


# Every dict below is built with its keys in sorted order: dumps() writes them
# as built, and the text stays what sort_keys=True wrote before.
Encoder = Callable[[Any], Any]
_ENCODERS: dict[type, Encoder] = {}


def _same(value: Any) -> Any:
    return value


def _attrs_encoder(cls: type) -> Encoder:
    name, shape = _shape(cls)

    def encode_attrs(value: Any) -> Any:
        fields = {
            alias: encode(getattr(value, attribute)) for alias, attribute in shape
        }
        return {"$type": name, "f": fields}

    return encode_attrs


def _enum_encoder(cls: type) -> Encoder:
    name = _shape(cls)[0]
    return lambda value: {"$enum": name, "v": value.value}


def _encode_datetime(value: datetime) -> Any:
    if isinstance(value.tzinfo, ZoneInfo):
        # The wall time, its fold and the zone: exactly what was given, even
        # a wall time inside a DST gap (an offset would move it).
        wall = value.replace(tzinfo=None).isoformat()
        return {"$dt": wall, "fold": value.fold, "tz": value.tzinfo.key}
    return {"$dt": value.isoformat()}


def _encode_frozenset(value: frozenset[Any]) -> Any:
    items = [encode(item) for item in value]
    return {"$fset": sorted(items, key=lambda item: json.dumps(item, sort_keys=True))}


# (base class, encoder) in the order they are tried for a new class.
_BY_BASE: Final[tuple[tuple[type, Encoder], ...]] = (
    (datetime, _encode_datetime),
    (date, lambda value: {"$date": value.isoformat()}),
    (time, lambda value: {"$time": value.isoformat()}),
    (timedelta, lambda value: {"$td": [value.days, value.seconds, value.microseconds]}),
    (Decimal, lambda value: {"$dec": str(value)}),
    (uuid.UUID, lambda value: {"$uuid": str(value)}),
    (tuple, lambda value: {"$tuple": [encode(item) for item in value]}),
    (list, lambda value: [encode(item) for item in value]),
    (frozenset, _encode_frozenset),
    (dict, lambda value: {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}),
)


def _encoder_for(value: object) -> Encoder:
    """The encoder of ``type(value)``, found once per class and cached."""
    cls: type[Any] = type(value)
    encoder: Encoder | None = None
    if issubclass(cls, enum.Enum):
        encoder = _enum_encoder(cls)
    elif issubclass(cls, (bool, str, int)):
        encoder = _same
    elif issubclass(cls, float):
        raise InvalidValueError(
            field="value",
            reason="floats are never stored; use int or Decimal",
            value=value,
        )
    elif attrs.has(cls):
        encoder = _attrs_encoder(cls)
    else:
        encoder = next((enc for base, enc in _BY_BASE if issubclass(cls, base)), None)
    if encoder is None:
        raise InvalidValueError(
            field="value", reason="no JSON encoding for its type", value=value
        )
    _ENCODERS[cls] = encoder
    return encoder


def encode(value: object) -> Any:
    """Turn a domain value into JSON-compatible data (dicts, lists, strings, numbers).

    One dictionary lookup per value finds its class's encoder (built once per
    class).

    Raises:
        InvalidValueError: ``input.invalid_value`` for a type it cannot encode,
            including an attrs class or enum missing from the registry.
    """
    cls = type(value)
    if cls is str or cls is int or value is None or cls is bool:
        return value
    encoder = _ENCODERS.get(cls)
    if encoder is None:
        encoder = _encoder_for(value)
    return encoder(value)


class _Refused:
    """A JSON number the codec never writes (float, NaN, a huge integer)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text[:_MAX_SCALAR_CHARS]


def _parse_int(text: str) -> int | _Refused:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        return _Refused(text)
    return int(text)


def _text(data: object, path: str) -> str:
    if not isinstance(data, str) or len(data) > _MAX_SCALAR_CHARS:
        raise InvalidDocumentError(
            path=path, reason=f"expected a string of at most {_MAX_SCALAR_CHARS}"
        )
    return data


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    return bounded_decimal(value, "$dec")


_SCALARS: Final = {
    "$dt": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$dec": _decimal,
    "$uuid": uuid.UUID,
}

_CONVERSION_ERRORS: Final = (
    BookingCoreError,
    TypeError,
    ValueError,
    ArithmeticError,
    LookupError,
)


def _fail(path: str, exc: BaseException) -> InvalidDocumentError:
    reason = str(exc)[:300] or type(exc).__name__
    return InvalidDocumentError(path=path, reason=reason)


def _items(data: dict[str, Any], tag: str, path: str) -> list[Any]:
    items = data[tag]
    if not isinstance(items, list):
        raise InvalidDocumentError(path=f"{path}.{tag}", reason="expected a list")
    return items


# The JSON values a document holds as themselves (a _Refused number is not one).
_PLAIN: Final = frozenset({str, int, bool, type(None)})

# Per attrs class: its init aliases and the ones without a default (a set, and
# in field order for the message naming the first one missing), once.
_Fields = tuple[frozenset[str], frozenset[str], tuple[str, ...]]
_INIT_FIELDS: dict[type, _Fields] = {}


def _init_fields(cls: type) -> _Fields:
    known = _INIT_FIELDS.get(cls)
    if known is None:
        fields = [field for field in attrs.fields(cls) if field.init]
        required = tuple(
            field.alias or field.name
            for field in fields
            if field.default is attrs.NOTHING
        )
        known = _INIT_FIELDS[cls] = (
            frozenset(field.alias or field.name for field in fields),
            frozenset(required),
            required,
        )
    return known


def _decode_attrs(
    cls: type,
    data: dict[str, Any],
    path: str,
    depth: int,
    replace: Mapping[str, Any] | None = None,
) -> Any:
    raw = data.get("f")
    if not isinstance(raw, dict):
        raise InvalidDocumentError(path=f"{path}.f", reason="expected an object")
    if not attrs.has(cls):  # an enum: those are stored with $enum
        raise InvalidDocumentError(path=path, reason="an enum is stored with $enum")
    aliases, required, in_order = _init_fields(cls)
    if not aliases.issuperset(raw):
        shown = next(key for key in raw if key not in aliases)[:_MAX_SCALAR_CHARS]
        raise InvalidDocumentError(path=f"{path}.f", reason=f"unknown field {shown!r}")
    if not required.issubset(raw):
        missing = next(alias for alias in in_order if alias not in raw)
        raise InvalidDocumentError(
            path=f"{path}.f", reason=f"missing field {missing!r}"
        )
    if depth < MAX_DEPTH:  # a plain value one level down is itself: no path built
        values = {
            key: item
            if type(item) in _PLAIN
            else _decode(item, f"{path}.f.{key}", depth + 1)
            for key, item in raw.items()
        }
    else:
        values = {
            key: _decode(item, f"{path}.f.{key}", depth + 1)
            for key, item in raw.items()
        }
    if replace:
        values.update(replace)
    try:
        return cls(**values)
    except _CONVERSION_ERRORS as exc:
        raise _fail(path, exc) from exc


def _decode_zoned(data: dict[str, Any], path: str) -> datetime:
    stored = datetime.fromisoformat(_text(data["$dt"], f"{path}.$dt"))
    zone = get_zone(_text(data["tz"], f"{path}.tz"))
    if stored.tzinfo is not None:  # written before wall times were kept
        return stored.astimezone(zone)
    fold = data.get("fold", 0)
    if fold not in (0, 1) or isinstance(fold, bool):
        raise InvalidDocumentError(path=f"{path}.fold", reason="expected 0 or 1")
    return stored.replace(tzinfo=zone, fold=fold)


def _decode_tagged(data: dict[str, Any], path: str, depth: int) -> Any:  # noqa: PLR0911, PLR0912 -- one branch per tag
    if "$type" in data:
        return _decode_attrs(_class_for(data["$type"], path), data, path, depth)
    if "$enum" in data:
        cls = _class_for(data["$enum"], path)
        if not issubclass(cls, enum.Enum):
            raise InvalidDocumentError(path=path, reason="not an enum type")
        value = data.get("v")
        members: dict[Any, Any] = cls._value2member_map_
        try:
            member = members.get(value)
        except TypeError:  # an unhashable value: the enum refuses it below
            member = None
        return member if member is not None else cls(value)
    if "$tuple" in data:
        items = _items(data, "$tuple", path)
        return tuple(
            _decode(item, f"{path}.$tuple[{i}]", depth + 1)
            for i, item in enumerate(items)
        )
    if "$fset" in data:
        items = _items(data, "$fset", path)
        return frozenset(
            _decode(item, f"{path}.$fset[{i}]", depth + 1)
            for i, item in enumerate(items)
        )
    if "$dict" in data:
        pairs = _items(data, "$dict", path)
        result = {}
        for i, pair in enumerate(pairs):
            where = f"{path}.$dict[{i}]"
            if not isinstance(pair, list) or len(pair) != 2:
                raise InvalidDocumentError(path=where, reason="expected [key, value]")
            key = _decode(pair[0], f"{where}[0]", depth + 2)
            result[key] = _decode(pair[1], f"{where}[1]", depth + 2)
        return result
    if "tz" in data:
        return _decode_zoned(data, path)
    if "$td" in data:
        parts = _items(data, "$td", path)
        if len(parts) != 3 or not all(type(part) is int for part in parts):
            raise InvalidDocumentError(path=f"{path}.$td", reason="expected 3 ints")
        days, seconds, micros = parts
        return timedelta(days=days, seconds=seconds, microseconds=micros)
    for tag, parse in _SCALARS.items():
        if tag in data:
            return parse(_text(data[tag], f"{path}.{tag}"))
    raise InvalidDocumentError(path=path, reason="an object not made by codec.encode")


def _decode(data: Any, path: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise InvalidDocumentError(path=path, reason=f"nested deeper than {MAX_DEPTH}")
    if isinstance(data, list):
        return [_decode(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(data)]
    if isinstance(data, _Refused):
        raise InvalidDocumentError(
            path=path,
            reason=f"numbers are integers of at most {_MAX_INT_DIGITS} digits; "
            f"got {data.text!r}",
        )
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if not isinstance(data, dict):
        raise InvalidDocumentError(path=path, reason="not JSON data")
    try:
        return _decode_tagged(data, path, depth)
    except InvalidDocumentError:
        raise
    except _CONVERSION_ERRORS as exc:
        raise _fail(path, exc) from exc


def decode(data: Any) -> Any:
    """Turn data made by :func:`encode` back into the domain value.

    Raises:
        InvalidDocumentError: ``codec.invalid_document`` for data it did not make;
            ``details["path"]`` says where.
        UnknownTypeNameError: ``codec.unknown_type`` for a type name that is not
            in the registry.
    """
    return _decode(data, "$", 0)


# Built once: json.dumps / json.loads with options build a new one per call.
_JSON_OUT: Final = json.JSONEncoder(separators=(",", ":"))
_JSON_IN: Final = json.JSONDecoder(
    parse_int=_parse_int, parse_float=_Refused, parse_constant=_Refused
)


# Text encoders: dumps() writes the JSON text directly, one function per class
# (built once), without building the data encode() returns and serialising it.
# The text is, character for character, what _JSON_OUT.encode(encode(value))
# writes (compact separators, ASCII escapes, keys in the order encode builds
# them); tests compare the two for every supported type. A class without a text
# encoder of its own (frozenset, dict, subclasses of str and int) is written
# through its data encoder.
TextEncoder = Callable[[Any], str]
_TEXTS: dict[type, TextEncoder] = {}
_escape: Final = encode_basestring_ascii


# Every frozen attrs class shares one ``__setattr__`` (the one refusing changes);
# a class made on the spot (never a module attribute, so never a stored type)
# shows which it is.
_FROZEN_SETATTR: object = attrs.frozen(type("_Probe", (), {})).__setattr__
_IMMUTABLE: dict[type, bool] = {}


def _immutable(cls: type) -> bool:
    """Whether ``cls`` is a frozen attrs class of the library's type registry.

    Its fields hold immutable values (``tests/unit/test_decoded_cache.py``
    checks every registered type), so one instance always has one text and
    may be shared. Decided once per class.
    """
    known = _IMMUTABLE.get(cls)
    if known is None:
        known = _IMMUTABLE[cls] = (
            attrs.has(cls)
            and cls.__setattr__ is _FROZEN_SETATTR
            and type_name(cls) in TYPE_NAMES
        )
    return known


class _AttrsPlan:
    """How one attrs class is written: its head, its keys, its fields in order.

    ``shared``: its values may be shared (:func:`_immutable`), so the text of
    the value written last is kept in ``last`` and written again for that very
    object (a session's window, written with the session and its booking).
    """

    __slots__ = ("head", "keys", "last", "position", "shared", "values")

    def __init__(self, cls: type) -> None:
        name, shape = _shape(cls)
        self.head = '{"$type":' + _escape(name) + ',"f":{'
        self.keys = [
            ("," if i else "") + _escape(alias) + ":"
            for i, (alias, _) in enumerate(shape)
        ]
        attributes = [attribute for _, attribute in shape]
        self.position = {attribute: i for i, attribute in enumerate(attributes)}
        getter = attrgetter(*attributes) if attributes else (lambda value: ())
        # attrgetter of one name returns the value itself, not a 1-tuple
        self.values: Callable[[Any], Any] = (
            (lambda value: (getter(value),)) if len(attributes) == 1 else getter
        )
        self.shared = _immutable(cls)
        self.last: tuple[object, str] = (None, "")

    def write(self, values: Any) -> str:
        # one value per key, always: both come from the class's shape
        return self.head + "".join(map(add, self.keys, map(_write, values))) + "}}"


_PLANS: dict[type, _AttrsPlan] = {}


def _plan(cls: type) -> _AttrsPlan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _AttrsPlan(cls)
    return plan


def _attrs_text(cls: type) -> TextEncoder:
    plan = _plan(cls)
    write, values = plan.write, plan.values
    if not plan.shared:
        return lambda value: write(values(value))

    def shared_text(value: Any) -> str:
        last = plan.last  # one tuple, replaced whole: safe across threads
        if last[0] is value:
            return last[1]
        text = write(values(value))
        plan.last = (value, text)
        return text

    return shared_text


def _enum_text(cls: type) -> TextEncoder:
    encoder = _enum_encoder(cls)
    known: dict[Any, str] = {}  # per member: one text per member, ever

    def enum_text(value: Any) -> str:
        found = known.get(value)
        if found is None:
            found = known[value] = _JSON_OUT.encode(encoder(value))
        return found

    return enum_text


# The datetime written last and its text (one tuple, replaced whole): a unit
# writes its ``now`` several times (a booking's created_at, its event's
# occurred_at), and a datetime never changes.
_last_datetime: tuple[object, str] = (None, "")


def _datetime_text(value: datetime) -> str:
    global _last_datetime  # noqa: PLW0603
    last = _last_datetime
    if last[0] is value:
        return last[1]
    zone = value.tzinfo
    if isinstance(zone, ZoneInfo):
        wall = value.replace(tzinfo=None).isoformat()
        text = (
            '{"$dt":'
            + _escape(wall)
            + ',"fold":'
            + str(value.fold)
            + ',"tz":'
            + _escape(zone.key)
            + "}"
        )
    else:
        text = '{"$dt":' + _escape(value.isoformat()) + "}"
    _last_datetime = (value, text)
    return text


def _timedelta_text(value: timedelta) -> str:
    return f'{{"$td":[{value.days},{value.seconds},{value.microseconds}]}}'


# (base class, text encoder) for the _BY_BASE classes written directly.
_TEXT_BY_BASE: Final[tuple[tuple[type, TextEncoder], ...]] = (
    (datetime, _datetime_text),
    (date, lambda value: '{"$date":' + _escape(value.isoformat()) + "}"),
    (time, lambda value: '{"$time":' + _escape(value.isoformat()) + "}"),
    (timedelta, _timedelta_text),
    (Decimal, lambda value: '{"$dec":' + _escape(str(value)) + "}"),
    (uuid.UUID, lambda value: '{"$uuid":' + _escape(str(value)) + "}"),
    (tuple, lambda value: '{"$tuple":[' + ",".join(map(_write, value)) + "]}"),
    (list, lambda value: "[" + ",".join(map(_write, value)) + "]"),
)


def _text_for(value: object) -> TextEncoder:
    """The text encoder of ``type(value)``, found once per class and cached.

    It refuses what :func:`encode` refuses (its data encoder is found first).
    """
    cls: type[Any] = type(value)
    encoder = _ENCODERS.get(cls) or _encoder_for(value)
    found: TextEncoder | None = None
    if issubclass(cls, enum.Enum):
        found = _enum_text(cls)
    elif attrs.has(cls):
        found = _attrs_text(cls)
    elif encoder is not _same:
        found = next(
            (enc for base, enc in _TEXT_BY_BASE if issubclass(cls, base)), None
        )
    if found is None:
        found = lambda value: _JSON_OUT.encode(encoder(value))  # noqa: E731
    _TEXTS[cls] = found
    return found


def _write(value: object) -> str:
    """``value`` as the compact JSON text :func:`dumps` writes.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a value :func:`encode`
            refuses.
    """
    cls = type(value)
    if cls is str:
        return _escape(value)  # type: ignore[arg-type]
    if value is None:
        return "null"
    if cls is int:
        return int.__repr__(value)
    if cls is bool:
        return "true" if value else "false"
    encoder = _TEXTS.get(cls)
    if encoder is None:
        encoder = _text_for(value)
    return encoder(value)


def _text_replacing(value: object, replace: Mapping[str, Any]) -> str:
    """``_write(value)`` with some of an attrs value's fields given other values."""
    cls = type(value)
    plan = _PLANS.get(cls)
    if plan is None:
        if not attrs.has(cls):
            raise InvalidValueError(
                field="replace", reason="applies to attrs values only", value=value
            )
        plan = _plan(cls)
    values = list(plan.values(value))
    position = plan.position
    for attribute, given in replace.items():
        at = position.get(attribute)
        if at is not None:  # a name that is no init field is not stored
            values[at] = given
    return plan.write(values)


def dumps(value: object, *, replace: Mapping[str, Any] | None = None) -> str:
    """Encode ``value`` to a compact JSON string.

    Args:
        value: The value.
        replace: For an attrs value, fields (by attribute name) to store with
            other values, as ``dumps(attrs.evolve(value, **replace))`` would
            without building the copy (adapters store the next ``version``).

    Raises:
        InvalidValueError: ``input.invalid_value`` for a value it cannot encode,
            or ``replace`` given for a value that is not an attrs instance.

    Example:
        >>> from booking_core.actors import Actor
        >>> loads(dumps(Actor.teacher("t-1"), replace={"user_id": "t-2"}))
        Actor(user_id='t-2', role=<Role.TEACHER: 'teacher'>)
    """
    if replace is None:
        return _write(value)
    return _text_replacing(value, replace)


def loads(text: str | bytes, *, replace: Mapping[str, Any] | None = None) -> Any:
    """Decode a JSON string made by :func:`dumps`.

    Args:
        text: The JSON text.
        replace: For a document of an attrs value, init arguments (by alias)
            given instead of the stored ones, as ``attrs.evolve(loads(text),
            **replace)`` would without building the object twice (adapters
            pass the ``version`` column).

    Raises:
        InvalidDocumentError: ``codec.invalid_document`` for text that is not
            JSON, longer than :data:`MAX_DOCUMENT_CHARS`, nested deeper than
            :data:`MAX_DEPTH`, or not made by :func:`dumps`.
        UnknownTypeNameError: ``codec.unknown_type`` for an unknown type name.
    """
    if not isinstance(text, (str, bytes)):
        raise InvalidDocumentError(path="$", reason="expected JSON text")
    if len(text) > MAX_DOCUMENT_CHARS:
        raise InvalidDocumentError(
            path="$", reason=f"longer than {MAX_DOCUMENT_CHARS} characters"
        )
    try:
        if isinstance(text, bytes):
            text = text.decode(json.detect_encoding(text), "surrogatepass")
        data = _JSON_IN.decode(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        reason = "nested too deep" if isinstance(exc, RecursionError) else str(exc)
        raise InvalidDocumentError(path="$", reason=f"not JSON: {reason}") from exc
    if replace is None:
        return decode(data)
    if not isinstance(data, dict) or "$type" not in data:
        raise InvalidDocumentError(path="$", reason="expected an attrs value")
    return _decode_attrs(_class_for(data["$type"], "$"), data, "$", 0, replace)
