"""The codec decodes only registered types, by stable name, and refuses hostile data."""

from __future__ import annotations

import enum
import importlib
import json
import pkgutil
import re
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest

import booking_core
from booking_core.actors import Actor
from booking_core.adapters import codec
from booking_core.errors import (
    BookingCoreError,
    InvalidDocumentError,
    InvalidValueError,
)
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.money.amount import Money
from booking_core.sessions.events import SessionCancelled
from booking_core.type_names import LEGACY_TYPE_NAMES, TYPE_NAMES

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)

# Internal helpers, never stored: a demo row, the fault plan of the fake gateway,
# the test kit's transition record, services' private bookkeeping, event bases.
UNSTORED = {
    "booking_core._demo:Entry",
    "booking_core.adapters.fake_gateway:FaultPlan",
    "booking_core.testing.strategies:Transition",
    "booking_core.services.monitor:_Progress",
    "booking_core.services.one_on_one:_Held",
    "booking_core.services.reactions:ReactionContext",
    "booking_core.bookings.model:_SeatEvent",
    "booking_core.bookings.one_on_one:_OneOnOneEvent",
    "booking_core.sessions.events:_SessionEventFields",
    "booking_core.ical._busy:_Reader",
    "booking_core.money.webhooks:WebhookVerifier",
    "booking_core.services.app:BookingCore",
}


def _library_types() -> dict[str, type]:
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(booking_core.__path__, "booking_core."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == info.name
                and (attrs.has(value) or issubclass(value, enum.Enum))
            ):
                found[f"{value.__module__}:{value.__qualname__}"] = value
    return found


def test_every_stored_library_type_has_one_stable_name() -> None:
    types = _library_types()
    registered = {
        codec.type_name(cls) for key, cls in types.items() if key not in UNSTORED
    }
    assert registered == set(TYPE_NAMES)
    for key in UNSTORED:
        with pytest.raises(InvalidValueError, match="not in the codec registry"):
            codec.type_name(types[key])


def test_names_are_snake_case_nouns_and_events_are_aggregate_dot_verb() -> None:
    for name in TYPE_NAMES:
        cls = codec._load(name)
        if issubclass(cls, DomainEvent) and cls is not DomainEvent:
            assert re.fullmatch(r"[a-z_]+\.[a-z_]+", name), name
            aggregate = name.split(".")[0]
            assert aggregate in TYPE_NAMES or aggregate == "payment_request", name
        else:
            assert re.fullmatch(r"[a-z_]+", name), name


def test_every_legacy_name_decodes_to_its_stable_type() -> None:
    # types added since stable names were introduced have no legacy name
    assert set(LEGACY_TYPE_NAMES.values()) <= set(TYPE_NAMES)
    for legacy, name in LEGACY_TYPE_NAMES.items():
        assert codec._class_for(legacy, "$") is codec._load(name)


def test_rows_written_with_module_paths_still_decode() -> None:
    actor = (
        '{"$type":"booking_core.actors:Actor","f":{"role":'
        '{"$enum":"booking_core.actors:Role","v":"teacher"},"user_id":"t-1"}}'
    )
    assert codec.loads(actor) == Actor.teacher("t-1")


def test_the_encoder_writes_stable_names() -> None:
    event = SessionCancelled(
        occurred_at=T0,
        actor=Actor.system(),
        aggregate_id="s-1",
        old_window=None,
        new_window=TimeWindow.of(T0, timedelta(hours=1)),
        reason="the teacher is ill today",
    )
    data = codec.encode(event)
    assert data["$type"] == "session.cancelled"
    assert codec.encode(Money.of("1.00", "INR"))["$type"] == "money"
    assert codec.decode(data) == event


def test_register_type_refuses_bad_names_taken_names_and_other_classes() -> None:
    @attrs.frozen
    class Box:
        size: int

    codec.register_type("tests.box", Box)
    codec.register_type("tests.box", Box)  # the same again: nothing happens
    assert codec.loads(codec.dumps(Box(3))) == Box(3)
    for name in ("Tests.Box", "session", "tests.box", "", "x" * 101, 7):
        with pytest.raises(InvalidValueError):
            codec.register_type(name, attrs.make_class("Other", ["a"]))  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="attrs class or an enum"):
        codec.register_type("tests.dict", dict)
    with pytest.raises(InvalidValueError, match="already registered"):
        codec.register_type("tests.box2", Box)


def _doc(value: object) -> str:
    return json.dumps(value)


HOSTILE: list[tuple[str, str, str]] = [
    ('{"$type": "nope", "f": {}}', "codec.unknown_type", "$"),
    (
        '{"$type": "builtins:bytearray", "f": {"source": 2000000000}}',
        "codec.unknown_type",
        "$",
    ),
    (
        '{"$type": "sqlite3:Connection", "f": {"database": "/tmp/x"}}',
        "codec.unknown_type",
        "$",
    ),
    ('{"$type": "booking_core.__main__:main", "f": {}}', "codec.unknown_type", "$"),
    ('{"$type": "booking_core.__main__", "f": {}}', "codec.unknown_type", "$"),
    ('{"$enum": "sqlite3:Connection", "v": 1}', "codec.unknown_type", "$"),
    ('[{"$type": 5, "f": {}}]', "codec.unknown_type", "$[0]"),
    ("[" * 100 + "]" * 100, "codec.invalid_document", "$" + "[0]" * 65),
    ("[" * 100_000 + "]" * 100_000, "codec.invalid_document", "$"),
    ("9" * 5000, "codec.invalid_document", "$"),
    ("1.5", "codec.invalid_document", "$"),
    ("NaN", "codec.invalid_document", "$"),
    ("{", "codec.invalid_document", "$"),
    ('{"a": 1}', "codec.invalid_document", "$"),
    ('{"$dec": "1e-400000000"}', "codec.invalid_document", "$"),
    ('{"$dec": "NaN"}', "codec.invalid_document", "$"),
    ('{"$dec": "abc"}', "codec.invalid_document", "$"),
    ('{"$dec": 5}', "codec.invalid_document", "$.$dec"),
    ('{"$dt": "x" }', "codec.invalid_document", "$"),
    ('{"$dt": "2026-01-01T00:00", "tz": "Mars/Base"}', "codec.invalid_document", "$"),
    (
        '{"$dt": "2026-01-01T00:00", "tz": "UTC", "fold": 7}',
        "codec.invalid_document",
        "$.fold",
    ),
    ('{"$dt": "0001-01-01T00:00+05:00", "tz": "UTC"}', "codec.invalid_document", "$"),
    ('{"$td": [1e9, 0, 0]}', "codec.invalid_document", "$.$td"),
    ('{"$td": [999999999, 86400000, 0]}', "codec.invalid_document", "$"),
    ('{"$td": 5}', "codec.invalid_document", "$.$td"),
    ('{"$tuple": {"a": 1}}', "codec.invalid_document", "$.$tuple"),
    ('{"$fset": [[1]]}', "codec.invalid_document", "$"),
    ('{"$dict": [[1]]}', "codec.invalid_document", "$.$dict[0]"),
    ('{"$dict": [[[1], 2]]}', "codec.invalid_document", "$"),
    ('{"$uuid": "zz"}', "codec.invalid_document", "$"),
    ('{"$enum": "role", "v": "emperor"}', "codec.invalid_document", "$"),
    ('{"$enum": "actor", "v": "x"}', "codec.invalid_document", "$"),
    ('{"$type": "role", "f": {}}', "codec.invalid_document", "$"),
    ('{"$type": "actor"}', "codec.invalid_document", "$.f"),
    ('{"$type": "actor", "f": {"user_id": "u"}}', "codec.invalid_document", "$.f"),
    (
        '{"$type": "actor", "f": {"user_id": "u", "role": 3, "evil": 1}}',
        "codec.invalid_document",
        "$.f",
    ),
    (
        '{"$type": "actor", "f": {"user_id": 5, "role": 3}}',
        "codec.invalid_document",
        "$",
    ),
    (
        '{"$type": "time_window", "f": {"start": 1, "end": 2}}',
        "codec.invalid_document",
        "$",
    ),
    (
        '{"$tuple": [{"$type": "money", "f": {"amount": {"$dec": "1"}, '
        '"currency": {"$type": "currency", "f": {}}}}]}',
        "codec.invalid_document",
        "$.$tuple[0].f.currency.f",
    ),
    ('{"$dt": "' + "1" * 200 + '"}', "codec.invalid_document", "$.$dt"),
]


@pytest.mark.parametrize(("text", "code", "path"), HOSTILE)
def test_hostile_documents_raise_a_coded_error_and_import_nothing(
    text: str, code: str, path: str
) -> None:
    with pytest.raises(BookingCoreError):  # zoneinfo's own first lookup imports tzdata
        codec.loads('{"$dt": "2026-01-01T00:00", "tz": "Mars/Base"}')
    before = set(sys.modules)
    with pytest.raises(BookingCoreError) as caught:
        codec.loads(text)
    assert caught.value.code == code
    assert caught.value.details["path"] == path
    assert set(sys.modules) - before == set()


def test_documents_beyond_the_size_limit_are_refused_unread() -> None:
    with pytest.raises(InvalidDocumentError, match="longer than"):
        codec.loads(" " * (codec.MAX_DOCUMENT_CHARS + 1))
    with pytest.raises(InvalidDocumentError, match="expected JSON text"):
        codec.loads(5)  # type: ignore[arg-type]
    with pytest.raises(InvalidDocumentError, match="not JSON"):
        codec.loads(b"\xff")


def test_depth_is_bounded_in_decode_too() -> None:
    deep: Any = 1
    for _ in range(codec.MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(InvalidDocumentError, match="deeper than"):
        codec.decode(deep)
    with pytest.raises(InvalidDocumentError, match="not JSON data"):
        codec.decode(object())


def test_small_decimals_and_big_amounts_within_bounds_round_trip() -> None:
    value = (Decimal("0.0000000001"), Decimal("1" * 30), 10**39, -(10**39))
    assert codec.loads(codec.dumps(value)) == value


def test_a_table_entry_naming_a_re_export_is_still_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # After a move the table may name where a class is re-exported from.
    monkeypatch.setattr(codec, "_NAME_OF", {})
    monkeypatch.setattr(codec, "_RESOLVED", {})
    monkeypatch.setattr(codec, "_NAME_AT", {})
    assert codec.type_name(Actor) == "actor"
