"""Hostile input: every public entry point answers, or refuses with a coded error.

Hypothesis drives parsers (``RecurrenceRule.parse``, ``Money.of``, codec
``loads``, webhook parsing, CLI arguments), value constructors and a service
command with huge, tiny, negative, NaN, surrogate, deeply nested, far-dated and
wrongly typed values. Each call must succeed or raise a ``BookingCoreError``
within a time budget; a refused command changes nothing stored. Bounded: a few
dozen examples per target, so the suite stays well under 30 seconds.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from booking_core.actors import Actor
from booking_core.adapters import codec
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.availability import SlotRequest
from booking_core.cli import main
from booking_core.clock import ManualClock
from booking_core.errors import BookingCoreError
from booking_core.intervals import TimeWindow
from booking_core.money.amount import Money
from booking_core.money.gateway import parse_webhook
from booking_core.money.split import SplitPolicy
from booking_core.recurrence import Recurrence, RecurrenceRule
from booking_core.services.sessions import SessionService
from booking_core.zones import to_instant, to_local

T = TypeVar("T")

BUDGET_S = 2.0
"""The longest any single call may take (generous: the machine may be shared)."""

FUZZ = settings(max_examples=40, deadline=None)

HUGE_INTS = st.sampled_from([0, -1, 1, 2**31, -(2**63), 10**40, 10**400, 10**5000])
DECIMALS = st.sampled_from(
    [
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        Decimal("1e-400000000"),
        Decimal("1e400000000"),
        Decimal("-0.5"),
        Decimal("0.1"),
        Decimal("9" * 60),
    ]
)
NASTY_TEXT = st.sampled_from(
    ["", " ", "\x00", "\ud800", "a\udfffb", "\n", "x" * 10_000, "9" * 5000, "é", "-1"]
)
HOSTILE = st.one_of(
    HUGE_INTS,
    DECIMALS,
    NASTY_TEXT,
    st.text(max_size=30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.just(object()),
    st.lists(st.integers(), max_size=3),
)
ZONES = st.sampled_from(["UTC", "Europe/London", "Asia/Kolkata", "Pacific/Kiritimati"])
FAR = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=ZONES.map(ZoneInfo),
)
DURATIONS = st.one_of(
    st.timedeltas(),
    st.sampled_from([timedelta.max, timedelta.min, timedelta(0)]),
)


def answers(call: Callable[[], T]) -> T | BookingCoreError:
    """Run ``call``: it returns, or raises a BookingCoreError, within the budget."""
    started = time.perf_counter()
    try:
        result: T | BookingCoreError = call()
    except BookingCoreError as error:
        result = error
    spent = time.perf_counter() - started
    if isinstance(result, BookingCoreError):
        assert result.code, "every refusal carries a code"
    assert spent < BUDGET_S, f"took {spent:.2f}s"
    return result


# -- parsers -----------------------------------------------------------------------

RRULE_PART = st.one_of(
    st.sampled_from(["FREQ", "COUNT", "INTERVAL", "UNTIL", "BYDAY", "BYMONTHDAY"]),
    st.text(max_size=8),
).flatmap(
    lambda name: st.one_of(
        st.sampled_from(
            [
                "DAILY",
                "YEARLY",
                "99991231T235959Z",
                "00010101",
                "20260101",
                "999999999",
                "-1",
                "0",
                "1FR,-5MO",
                "\ud800",
            ]
        ),
        st.sampled_from(["4294967296", "10000000000000000000000", "-9" * 3]),
        st.text(max_size=10),
    ).map(lambda value: f"{name}={value}")
)


@FUZZ
@given(st.lists(RRULE_PART, max_size=5).map(";".join), FAR)
def test_rrule_parse_and_expansion(text: str, start: datetime) -> None:
    rule = answers(lambda: RecurrenceRule.parse(text))
    if isinstance(rule, RecurrenceRule):
        recurrence = answers(lambda: Recurrence(rule=rule, start=start))
        if isinstance(recurrence, Recurrence):
            low = start - timedelta(days=3)
            answers(lambda: list(recurrence.between(low, low + timedelta(days=9))))


@FUZZ
@given(st.text(max_size=60))
def test_rrule_parse_on_any_text(text: str) -> None:
    answers(lambda: RecurrenceRule.parse(text))


@FUZZ
@given(HOSTILE, st.one_of(st.sampled_from(["INR", "JPY", "KWD", "XXX"]), HOSTILE))
def test_money_of(value: Any, currency: Any) -> None:
    answers(lambda: Money.of(value, currency))
    answers(lambda: Money(value, currency))


JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=10),
    st.floats(allow_nan=False, allow_infinity=False),
)
TAGS = st.sampled_from(
    [
        "$type",
        "$enum",
        "$tuple",
        "$fset",
        "$dict",
        "$dt",
        "$date",
        "$time",
        "$td",
        "$dec",
        "$uuid",
        "tz",
        "f",
        "v",
    ]
)
NAMES = st.sampled_from(
    [
        "session",
        "money",
        "actor",
        "role",
        "time_window",
        "builtins:bytearray",
        "sqlite3:Connection",
        "booking_core.__main__:main",
        "booking_core.actors:Actor",
        "os:system",
    ]
)
DOCUMENTS = st.recursive(
    JSON_LEAF | NAMES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(TAGS | st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


@FUZZ
@given(DOCUMENTS)
def test_codec_loads_documents(data: Any) -> None:
    answers(lambda: codec.loads(json.dumps(data)))


@FUZZ
@given(st.text(max_size=80), st.integers(0, 5000))
def test_codec_loads_text_and_nesting(text: str, depth: int) -> None:
    answers(lambda: codec.loads(text))
    answers(lambda: codec.loads("[" * depth + "]" * depth))
    answers(lambda: codec.loads('{"$tuple":' * depth + "1" + "}" * depth))


@FUZZ
@given(
    st.one_of(st.binary(max_size=60), DOCUMENTS.map(lambda d: json.dumps(d).encode()))
)
def test_parse_webhook(body: bytes) -> None:
    answers(lambda: parse_webhook(body))
    answers(lambda: parse_webhook(b"[" * 100_000))


# -- value constructors --------------------------------------------------------------


@FUZZ
@given(st.one_of(FAR, HOSTILE), st.one_of(DURATIONS, HOSTILE))
def test_time_window_of(start: Any, duration: Any) -> None:
    answers(lambda: TimeWindow.of(start, duration))


@FUZZ
@given(
    st.one_of(FAR.map(lambda d: d.replace(tzinfo=None)), HOSTILE),
    st.one_of(ZONES, HOSTILE),
    st.one_of(FAR, HOSTILE),
)
def test_zone_conversions(wall: Any, zone: Any, instant: Any) -> None:
    answers(lambda: to_instant(wall, zone))
    answers(lambda: to_local(instant, zone))


@FUZZ
@given(HOSTILE, HOSTILE, HOSTILE)
def test_policies_and_ids(rate: Any, user_id: Any, other: Any) -> None:
    answers(lambda: SplitPolicy(commission_rate=rate))
    answers(lambda: Actor.student(user_id))
    answers(
        lambda: SlotRequest(
            first_date=datetime(2026, 1, 1, tzinfo=timezone.utc).date(),
            last_date=other,
            zone="UTC",
            duration=timedelta(hours=1),
        )
    )


# -- a command: refusals change nothing stored ------------------------------------

NOW = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)


@FUZZ
@given(HOSTILE, st.one_of(FAR, HOSTILE), st.one_of(DURATIONS, HOSTILE), HOSTILE)
def test_schedule_refusals_change_nothing(
    session_id: Any, start: Any, duration: Any, capacity: Any
) -> None:
    store = InMemoryStore()
    service = SessionService(
        uow_factory=lambda: InMemoryUnitOfWork(store),
        clock=ManualClock(NOW),
    )
    service.schedule(
        session_id="kept",
        kind="group",
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(NOW + timedelta(days=1), timedelta(hours=1)),
        zone="UTC",
        capacity=3,
        actor=Actor.teacher("t-1"),
    )
    before = codec.dumps(sorted(store.collection("sessions").items()))

    def schedule() -> object:
        return service.schedule(
            session_id=session_id,
            kind="group",
            teacher_id="t-1",
            course_id="c-1",
            window=TimeWindow.of(start, duration),
            zone="UTC",
            capacity=capacity,
            actor=Actor.teacher("t-1"),
        )

    if isinstance(answers(schedule), BookingCoreError):
        assert codec.dumps(sorted(store.collection("sessions").items())) == before


# -- the command line -----------------------------------------------------------------

TOKENS = st.one_of(
    st.sampled_from(
        [
            "expand",
            "slots",
            "split",
            "--zone",
            "--start",
            "--duration",
            "--limit",
            "--between",
            "--weekly",
            "--from",
            "--to",
            "--now",
            "--busy",
            "--commission",
            "--fee",
            "--tax",
            "--json",
            "FREQ=DAILY;COUNT=3",
            "FREQ=YEARLY;UNTIL=99991231T235959Z",
            "2026-03-28T01:30",
            "9999-12-31T23:59",
            "0001-01-01T00:00",
            "Europe/London",
            "Mars/Base",
            "1e-400000000",
            "1e999999999%",
            "700.00",
            "INR",
            "MO",
            "09:00-12:00",
            "2026-06-01",
            "2026-06-01T09:00Z",
            "99999999999999999999",
            "-5",
            "\ud800",
        ]
    ),
    st.text(max_size=12),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(TOKENS, max_size=8))
def test_cli_never_prints_a_traceback(argv: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = answers(lambda: main(argv))
    assert status in (0, 1, 2)
    assert "Traceback" not in err.getvalue()
    if status == 1:
        assert "error [" in err.getvalue()
        assert "error [storage]" not in err.getvalue()


def test_cli_refuses_far_and_huge_values_with_a_code() -> None:
    cases = [
        ["split", "700.00", "INR", "--commission", "1e-400000000"],
        ["split", "9" * 5000, "INR"],
        [
            "expand",
            "FREQ=DAILY;UNTIL=99991231T235959Z",
            "--start",
            "2026-01-01T09:00",
            "--zone",
            "UTC",
        ],
        ["expand", "FREQ=DAILY", "--start", "9999-12-31T23:00", "--zone", "Asia/Tokyo"],
    ]
    for argv in cases:
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            assert main(argv) == 1, argv
        assert "booking-core: error [" in err.getvalue()


def test_cli_usage_errors_and_storage_errors_never_trace(tmp_path: Path) -> None:
    start = ["--start", "2026-01-01T00:00", "--zone", "UTC"]
    usage = [
        ["split", "700", "INR", "--commission", "1e999999999%"],
        ["expand", "FREQ=DAILY", *start, "--duration", "9" * 12],
        ["expand", "FREQ=DAILY", *start, "--limit", "9" * 5000],
    ]
    for argv in usage:
        with (
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            assert main(argv) == 2, argv
    err = io.StringIO()
    missing = tmp_path / "missing" / "demo.sqlite3"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert main(["demo", "--db", str(missing)]) == 1
    assert "booking-core: error [storage]: unable to open" in err.getvalue()
