"""Every documented bound refuses with a coded error naming the field and the limit."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking_core._validation import SPAN_END, SPAN_START, bounded_decimal, check_id
from booking_core.errors import (
    DatetimeOutOfRangeError,
    InvalidRecurrenceRuleError,
    InvalidValueError,
)
from booking_core.intervals import TimeWindow
from booking_core.recurrence import Recurrence, RecurrenceRule
from booking_core.zones import to_instant, to_local

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
START = datetime(2026, 1, 5, 18, tzinfo=LONDON)


@pytest.mark.parametrize(
    "call",
    [
        lambda: TimeWindow.of(datetime(9999, 12, 31, 23, tzinfo=KOLKATA), timedelta(1)),
        lambda: TimeWindow.of(datetime(1, 1, 1, tzinfo=KOLKATA), timedelta(hours=1)),
        lambda: TimeWindow.of(datetime(2026, 1, 1, tzinfo=UTC), timedelta.max),
        lambda: TimeWindow.of(
            datetime(2026, 1, 1, tzinfo=UTC), timedelta(days=200_000)
        ),
        lambda: to_local(datetime(9999, 12, 31, 23, tzinfo=UTC), "Asia/Kolkata"),
        lambda: to_local(datetime(1799, 12, 31, tzinfo=UTC), "UTC"),
        lambda: to_instant(datetime(9999, 12, 31, 23), "America/New_York"),
        lambda: to_instant(datetime(1, 1, 1), "Asia/Tokyo"),
        lambda: to_instant(datetime(2400, 1, 1, 1), "UTC"),
        lambda: Recurrence(
            rule=RecurrenceRule.parse("FREQ=DAILY"),
            start=datetime(9999, 12, 31, 23, tzinfo=KOLKATA),
        ),
        lambda: list(
            Recurrence(rule=RecurrenceRule.parse("FREQ=DAILY"), start=START).between(
                datetime(2026, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)
            )
        ),
        lambda: RecurrenceRule.parse("FREQ=DAILY;UNTIL=99991231T235959Z"),
        lambda: RecurrenceRule.parse("FREQ=DAILY;UNTIL=99991231"),
        lambda: RecurrenceRule.parse("FREQ=DAILY;UNTIL=00010101"),
    ],
)
def test_datetimes_outside_the_span_are_out_of_range(call: object) -> None:
    assert callable(call)
    with pytest.raises(DatetimeOutOfRangeError) as caught:
        call()
    assert caught.value.code == "time.out_of_range"
    assert "years 1800 to 2399 UTC" in str(caught.value)


def test_the_span_edges() -> None:
    assert TimeWindow.of(SPAN_START, timedelta(hours=1)).start == SPAN_START
    last = SPAN_END - timedelta(hours=2)
    assert TimeWindow.of(last, timedelta(hours=1)).end == SPAN_END - timedelta(hours=1)
    with pytest.raises(DatetimeOutOfRangeError, match="end"):
        TimeWindow.of(last, timedelta(hours=3))
    with pytest.raises(InvalidValueError, match="duration"):
        TimeWindow.of(last, 5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("FREQ=DAILY;COUNT=10001", "COUNT"),
        ("FREQ=DAILY;INTERVAL=1001", "INTERVAL"),
        ("FREQ=DAILY;COUNT=999999999", "COUNT"),
    ],
)
def test_recurrence_count_and_interval_are_bounded(text: str, part: str) -> None:
    with pytest.raises(InvalidRecurrenceRuleError, match=part) as caught:
        RecurrenceRule.parse(text)
    assert "1000" in str(caught.value)
    assert RecurrenceRule.parse("FREQ=DAILY;COUNT=10000;INTERVAL=1000").count == 10000


def test_a_count_rule_answers_far_windows_without_walking() -> None:
    low = datetime(2076, 3, 2, tzinfo=UTC)
    high = datetime(2076, 3, 4, tzinfo=UTC)
    results = []
    for text in ("FREQ=DAILY;BYDAY=MO,WE,FR;COUNT=10000", "FREQ=DAILY;BYDAY=MO,WE,FR"):
        rec = Recurrence(rule=RecurrenceRule.parse(text), start=START)
        results.append([(o.index, o.start) for o in rec.between(low, high)])
    assert results[0] == results[1] == [(7851, datetime(2076, 3, 2, 18, tzinfo=UTC))]
    daily = Recurrence(rule=RecurrenceRule.parse("FREQ=DAILY;COUNT=10000"), start=START)
    spent = time.perf_counter()
    far = datetime(2053, 5, 1, 18, tzinfo=LONDON)
    moved = Recurrence(
        rule=daily.rule,
        start=START,
        overrides={far: far + timedelta(hours=1), far + timedelta(1): far},
    )
    walked = {o.start: o.index for o in daily.occurrences()}
    expected = [walked[far + timedelta(1)], walked[far]]
    assert [o.index for o in moved.between(far, far + timedelta(2))] == expected
    assert list(daily.between(datetime(2060, 1, 1, tzinfo=UTC), SPAN_END)) == []
    assert time.perf_counter() - spent < 1.0
    assert len(walked) == 10000


def test_dates_of_until_inside_the_span_are_kept() -> None:
    assert RecurrenceRule.parse("FREQ=DAILY;UNTIL=23991231").until == date(2399, 12, 31)


@pytest.mark.parametrize(
    "value",
    ["", "   ", "a\x00b", "line\nbreak", "\ud800", "x" * 201, 5, None, "\x85"],
)
def test_ids_are_refused_alike(value: object) -> None:
    with pytest.raises(InvalidValueError, match="must be an id: 1 to 200") as caught:
        check_id(value, "session_id")
    assert caught.value.details["field"] == "session_id"


def test_decimals_are_bounded() -> None:
    from decimal import Decimal

    for bad in ("1e-400000000", "1e41", "NaN", "Infinity", "1" * 41):
        with pytest.raises(InvalidValueError, match="rate"):
            bounded_decimal(Decimal(bad), "rate")
    with pytest.raises(InvalidValueError, match="finite decimal"):
        bounded_decimal(0.5, "rate")  # type: ignore[arg-type]
    assert bounded_decimal(Decimal("0.1"), "rate") == Decimal("0.1")


def test_the_limits_page_names_every_constant_with_its_value() -> None:
    from pathlib import Path

    from booking_core import _validation as limits

    page = (Path(__file__).parents[2] / "docs" / "limits.md").read_text()
    shown = {
        "DECIMAL_MAX_DIGITS": "40",
        "DECIMAL_MAX_EXPONENT": "40",
        "ID_MAX_CHARS": "200",
        "MONEY_MAX_MAJOR_DIGITS": "15",
        "RECURRENCE_MAX_COUNT": "10 000",
        "RECURRENCE_MAX_INTERVAL": "1 000",
        "SLOT_QUERY_MAX_DAYS": "366",
        "BATCH_MAX_ITEMS": "10 000",
    }
    for name, text in shown.items():
        assert f"`{name}`" in page, name
        assert int(text.replace(" ", "")) == getattr(limits, name), name
        assert text in page, name
    assert limits.SPAN_START.year == 1800
    assert limits.SPAN_END.year == 2400
    assert "years 1800 to 2399 UTC" in page


def test_money_bounds_per_currency() -> None:
    from booking_core.errors import InvalidAmountError
    from booking_core.money.amount import Money

    assert Money(10**17 - 1, "INR").amount == 10**17 - 1
    assert Money(10**15 - 1, "JPY").amount == 10**15 - 1
    for amount, code in ((10**17, "INR"), (10**15, "JPY"), (-(10**18), "KWD")):
        with pytest.raises(InvalidAmountError, match="15 digits"):
            Money(amount, code)
    for value in ("9" * 5000, 10**5000, 10**15, "1000000000000000"):
        with pytest.raises(InvalidAmountError, match="15 digits"):
            Money.of(value, "INR")
    from decimal import Decimal

    with pytest.raises(InvalidAmountError, match="15 digits"):
        Money.of(Decimal("1e100000000"), "INR")
    assert Money.of(Decimal(0), "INR").amount == 0


def test_rates_are_bounded_fast() -> None:
    from decimal import Decimal
    from fractions import Fraction

    from booking_core.money._rates import as_rate
    from booking_core.money.split import SplitPolicy

    spent = time.perf_counter()
    for bad in (Decimal("1e-400000000"), Fraction(1, 10**5000), 10**5000):
        with pytest.raises(InvalidValueError, match=r"^rate"):
            as_rate(bad, "rate")
    with pytest.raises(InvalidValueError, match="commission_rate"):
        SplitPolicy(commission_rate=Decimal("1e-400000000"))
    assert time.perf_counter() - spent < 0.5


def test_ids_are_checked_by_every_adapter_before_storage() -> None:
    from pathlib import Path

    from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
    from booking_core.sessions.model import Session

    with InMemoryUnitOfWork(InMemoryStore()) as uow:
        repo = uow.repository("sessions", Session)
        with pytest.raises(InvalidValueError, match="an id"):
            repo.get("s\ud800")
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        database = SqliteDatabase(Path(folder) / "x.sqlite3")
        with (
            SqliteUnitOfWork(database) as stored,
            pytest.raises(InvalidValueError, match="an id"),
        ):
            stored.repository("sessions", Session).get("s\ud800")


def test_batches_are_bounded() -> None:
    from booking_core._validation import BATCH_MAX_ITEMS, bounded_batch

    bounded_batch(BATCH_MAX_ITEMS, "attendees")
    with pytest.raises(InvalidValueError, match="at most 10000 items"):
        bounded_batch(BATCH_MAX_ITEMS + 1, "attendees")


def test_error_messages_cut_huge_details_short() -> None:
    error = InvalidValueError(field="x", reason="too big", value=10**5000)
    assert "<an integer of 16610 bits>" in str(error)
    assert error.details["value"] == 10**5000
    long = InvalidValueError(field="x", reason="too long", value="y" * 10_000)
    assert len(str(long)) < 700


def test_webhook_bodies_are_bounded() -> None:
    from booking_core.errors import InvalidWebhookError
    from booking_core.money.gateway import parse_webhook

    for body in (b"[" * 100_000, b" " * 1_000_001, 5):
        with pytest.raises(InvalidWebhookError):
            parse_webhook(body)  # type: ignore[arg-type]


def test_other_text_must_be_valid_unicode() -> None:
    from booking_core.sessions.model import MeetingInfo

    with pytest.raises(InvalidValueError, match="no lone surrogates"):
        MeetingInfo(provider="zoom\ud800", link="https://example.test/j/1")
