"""Events as JSON: stable names, to_dict / from_dict, the shipped schemas, the docs."""

from __future__ import annotations

import enum
import json
import typing
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking_core import event_schemas
from booking_core._demo import run_demo
from booking_core._plain_types import from_plain, json_schema
from booking_core.actors import Actor
from booking_core.adapters.sqlite import SqliteDatabase
from booking_core.errors import BookingCoreError, InvalidEventError, InvalidValueError
from booking_core.events import ENVELOPE, DomainEvent, event_types
from booking_core.intervals import TimeWindow
from booking_core.money import Money
from booking_core.money.split import FeeSchedule, SplitPolicy
from booking_core.recurrence import RecurrenceRule
from booking_core.series import create_series
from booking_core.sessions.events import SessionCancelled, SessionScheduled
from booking_core.sessions.model import Session
from booking_core.testing import strategies as bs

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "src" / "booking_core" / "event_schemas"
EVENTS = event_types()
T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)


def _validator(name: str, version: int = 1) -> jsonschema.Draft202012Validator:
    schema = event_schemas.load_schema(name, version)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


VALIDATORS = {name: _validator(name) for name in EVENTS}


def _check(event: DomainEvent) -> None:
    """The event's JSON passes its schema and reads back to the same event."""
    data = json.loads(json.dumps(event.to_dict()))
    assert list(data) == list(ENVELOPE)
    VALIDATORS[event.name].validate(data)
    assert DomainEvent.from_dict(data) == event
    assert type(event).from_dict(data) == event


# -- names and versions --------------------------------------------------------


def test_every_event_has_a_stable_dotted_name_and_version_one() -> None:
    assert len(EVENTS) >= 40
    for name, cls in EVENTS.items():
        assert name.count(".") == 1, name
        assert cls.version == 1
    assert EVENTS["session.cancelled"] is SessionCancelled


def test_an_event_outside_the_table_is_named_by_its_path() -> None:
    @attrs.frozen(kw_only=True)
    class HostEvent(DomainEvent):
        pass

    event = HostEvent(occurred_at=T0, actor=Actor.system(), aggregate_id="a-1")
    assert event.name.endswith(
        ":test_an_event_outside_the_table_is_named_by_its_path.<locals>.HostEvent"
    )
    with pytest.raises(InvalidEventError) as caught:
        DomainEvent.from_dict(event.to_dict())
    assert caught.value.details["field"] == "name"


# -- round trip over every event class -----------------------------------------

_TEXT = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=8)


def _strategy(hint: Any) -> st.SearchStrategy[Any]:
    """Values of ``hint``: the test kit's strategies where it has one."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in {typing.Union, __import__("types").UnionType}:
        return st.one_of([_strategy(arg) for arg in args])
    known: dict[Any, st.SearchStrategy[Any]] = {
        type(None): st.none(),
        bool: st.booleans(),
        int: st.integers(0, 50),
        str: _TEXT,
        uuid.UUID: st.uuids(),
        datetime: bs.instants(),
        date: st.dates(date(2000, 1, 1), date(2037, 12, 31)),
        time: st.times(),
        timedelta: st.timedeltas(timedelta(days=-900), timedelta(days=900)),
        Decimal: st.decimals(0, 1, places=4),
        Actor: bs.actors(),
        TimeWindow: bs.time_windows(),
        Money: bs.money(),
        Session: bs.sessions(),
        SplitPolicy: bs.policies(SplitPolicy),
        FeeSchedule: bs.policies(FeeSchedule),
    }
    if hint in known:
        return known[hint]
    if typing.get_origin(hint) is tuple:
        if args[-1] is Ellipsis:
            return st.lists(_strategy(args[0]), max_size=3).map(tuple)
        return st.tuples(*(_strategy(arg) for arg in args))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(hint)
    return _built(hint)


@st.composite
def _built_draw(draw: st.DrawFn, cls: type) -> Any:
    hints = typing.get_type_hints(cls)
    values = {
        field.alias: draw(_strategy(hints[field.name]))
        for field in attrs.fields(cls)
        if field.init
    }
    try:
        return cls(**values)
    except BookingCoreError:
        return None


def _built(cls: type) -> st.SearchStrategy[Any]:
    return _built_draw(cls).filter(lambda value: value is not None)


# aggregates whose invariants random fields rarely meet: from real commands below
STORY_ONLY = {"series.created", "teacher_schedule.set"}


@pytest.mark.parametrize("name", sorted(set(EVENTS) - STORY_ONLY))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_every_event_round_trips_and_matches_its_schema(
    name: str, data: st.DataObject
) -> None:
    _check(data.draw(_built(EVENTS[name])))


# -- real events, from the services --------------------------------------------


@pytest.fixture(scope="module")
def story_events(tmp_path_factory: pytest.TempPathFactory) -> list[DomainEvent]:
    """The events of the demo: a week of the services wired by bootstrap."""
    path = tmp_path_factory.mktemp("story") / "demo.sqlite3"
    run_demo(path, lambda entry: None)
    database = SqliteDatabase(path)
    try:
        return database.events()
    finally:
        database.close()


def test_real_events_match_their_schemas_and_round_trip(
    story_events: list[DomainEvent],
) -> None:
    names = {event.name for event in story_events}
    assert {"teacher_schedule.set", "payment.captured", "session.scheduled"} <= names
    for event in story_events:
        _check(event)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6",
        "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20261231",
        "FREQ=DAILY;INTERVAL=3;UNTIL=20260501T000000Z",
    ],
)
def test_series_events_round_trip_and_match_their_schemas(rule: str) -> None:
    created = create_series(
        id="series-1",
        teacher_id="t-1",
        student_id="s-1",
        rule=RecurrenceRule.parse(rule),
        start=datetime(2026, 3, 16, 18),
        zone="Europe/London",
        duration=timedelta(hours=1),
        until=datetime(2026, 6, 1, tzinfo=timezone.utc),
        existing=[],
        actor=Actor.student("s-1"),
        now=T0.replace(month=3, day=2),
        mode="skip_conflicts",
    )
    assert [event.name for event in created.events] == [
        "series.created",
        "series.extended",
    ]
    for event in created.events:
        _check(event)


# -- malformed input -----------------------------------------------------------


def _cancelled() -> dict[str, Any]:
    return SessionCancelled(
        occurred_at=T0,
        actor=Actor.teacher("t-1"),
        aggregate_id="s-1",
        reason="ill",
        old_window=None,
        new_window=TimeWindow.of(T0, timedelta(hours=1)),
    ).to_dict()


def _refused(data: Any, call: Callable[[Any], Any] = DomainEvent.from_dict) -> str:
    with pytest.raises(InvalidEventError) as caught:
        call(data)
    assert caught.value.code == "events.invalid_event"
    assert caught.value.http_status == 422
    field: str = caught.value.details["field"]
    return field


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    data = _cancelled()
    place = data
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("name",), "session.vanished", "name"),
        (("name",), 7, "name"),
        (("version",), 2, "version"),
        (("version",), True, "version"),
        (("event_id",), "not-a-uuid", "event_id"),
        (("occurred_at",), "2026-06-01 09:00", "occurred_at"),
        (("occurred_at",), "2026-06-01T09:00:00", "occurred_at"),
        (("occurred_at",), "2026-13-01T09:00:00+00:00", "occurred_at"),
        (("actor",), "t-1", "actor"),
        (("actor", "role"), "janitor", "actor.role"),
        (("aggregate_id",), 5, "aggregate_id"),
        (("aggregate_id",), "", "data"),
        (("data",), [], "data"),
        (("data", "reason"), 5, "data.reason"),
        (("data", "old_window"), "yesterday", "data.old_window"),
        (("data", "new_window", "end"), "tomorrow", "data.new_window.end"),
        (("data", "new_window", "end"), "2026-06-01T08:00:00+00:00", "data.new_window"),
        (("data", "new_window", "extra"), 1, "data.new_window.extra"),
        (("data", "occurred_at"), "2026-06-01T09:00:00+00:00", "data.occurred_at"),
        (("data", "surprise"), 1, "data.surprise"),
        (("surprise",), 1, "surprise"),
    ],
)
def test_malformed_input_names_the_field(
    path: tuple[str, ...], value: Any, field: str
) -> None:
    assert _refused(_with(path, value)) == field


def test_missing_keys_are_named() -> None:
    data = _cancelled()
    del data["actor"]
    assert _refused(data) == "actor"
    data = _cancelled()
    del data["data"]["new_window"]
    assert _refused(data) == "data.new_window"
    assert _refused(["not", "an", "object"]) == "event"


def test_an_event_class_reads_only_its_own_events() -> None:
    assert _refused(_cancelled(), SessionScheduled.from_dict) == "name"


def test_a_utc_z_suffix_is_read() -> None:
    data = _with(("occurred_at",), "2026-06-01T09:00:00Z")
    assert DomainEvent.from_dict(data).occurred_at == T0


READS: list[tuple[Any, Any, Any]] = [
    (bool, True, True),
    (int, 3, 3),
    (Decimal, "0.10", Decimal("0.10")),
    (date, "2026-02-28", date(2026, 2, 28)),
    (time, "09:30:00", time(9, 30)),
    (timedelta, "-P1DT0.5S", -timedelta(days=1, microseconds=500_000)),
    (timedelta, "PT0S", timedelta(0)),
    (date | datetime, "2026-02-28", date(2026, 2, 28)),
    (
        date | datetime,
        "2026-02-28T00:00:00+00:00",
        datetime(2026, 2, 28, tzinfo=timezone.utc),
    ),
    (tuple[int, str], [1, "a"], (1, "a")),
    (Money, {"amount": "10.50", "currency": "INR"}, Money.of("10.50", "INR")),
    (int | None, None, None),
    (type(None), None, None),
]


@pytest.mark.parametrize(("hint", "data", "value"), READS)
def test_values_read_back(hint: Any, data: Any, value: Any) -> None:
    assert from_plain(hint, data, "x") == value


REFUSALS: list[tuple[Any, Any]] = [
    (bool, 1),
    (int, True),
    (int, "3"),
    (str, None),
    (type(None), 0),
    (Decimal, "NaN"),
    (date, "2026-02-30"),
    (date, "28.02.2026"),
    (time, "25:00"),
    (timedelta, "1 hour"),
    (timedelta, "P9999999999D"),
    (date | datetime, "soon"),
    (tuple[int, ...], "1,2"),
    (tuple[int, str], [1]),
    (Money, {"amount": "10.505", "currency": "INR"}),
    (Money, {"amount": 10, "currency": "INR"}),
]


@pytest.mark.parametrize(("hint", "data"), REFUSALS)
def test_values_refused(hint: Any, data: Any) -> None:
    assert _refused(data, lambda d: from_plain(hint, d, "x")).startswith("x")


def test_a_field_with_a_default_may_be_missing() -> None:
    @attrs.frozen(kw_only=True)
    class Note:
        text: str
        pinned: bool = False

    assert from_plain(Note, {"text": "hi"}, "x") == Note(text="hi")


def test_unions_of_values_read_by_their_fields() -> None:
    # a teacher schedule lists weekly windows, one-time windows and blackouts
    defs: dict[str, Any] = {}
    from booking_core.availability.windows import Blackout, OneTimeAvailability

    hint = tuple[OneTimeAvailability | Blackout, ...]
    window = TimeWindow.of(T0, timedelta(hours=1))
    items = (OneTimeAvailability(window=window), Blackout(window=window, reason="x"))
    from booking_core._plain import plain

    assert from_plain(hint, plain(items), "x") == items
    assert json_schema(hint, defs)["items"]["anyOf"][1] == {"$ref": "#/$defs/blackout"}


# -- the shipped files and the docs --------------------------------------------


def test_committed_schema_files_are_the_generated_ones() -> None:
    generated = event_schemas.generate()
    committed = {
        path.name: path.read_text(encoding="utf-8")
        for path in SCHEMA_DIR.glob("*.json")
    }
    assert committed == generated, (
        "the event schemas are stale: run python tools/event_schemas.py"
    )


def test_events_doc_holds_the_generated_table() -> None:
    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    begin, end = "<!-- events-table:begin -->\n", "<!-- events-table:end -->"
    committed = text[text.index(begin) + len(begin) : text.index(end)]
    assert committed == event_schemas.events_table(), (
        "docs/events.md is stale: run python tools/event_schemas.py"
    )


def test_write_replaces_stale_files(tmp_path: Path) -> None:
    (tmp_path / "session.vanished.v1.json").write_text("{}", encoding="utf-8")
    (tmp_path / "session.cancelled.v1.json").write_text("{}", encoding="utf-8")
    written = event_schemas.write(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        path.name for path in written
    )


def test_unknown_schemas_and_classes_are_refused() -> None:
    with pytest.raises(InvalidValueError):
        event_schemas.load_schema("session.cancelled", 2)
    with pytest.raises(InvalidValueError):
        event_schemas.event_schema(DomainEvent)


def test_the_schema_rejects_what_from_dict_rejects() -> None:
    data = _with(("data", "new_window", "end"), "tomorrow")
    with pytest.raises(jsonschema.ValidationError):
        VALIDATORS["session.cancelled"].validate(data)
