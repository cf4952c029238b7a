"""Errors at the HTTP boundary: one status table, JSON-only ``to_dict``, the doc."""

from __future__ import annotations

import json
import pickle
import string
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import booking_core
from booking_core import errors
from booking_core.actors import Actor, Role
from booking_core.availability.commitments import (
    Commitment,
    CommitmentKind,
    ensure_no_conflict,
)
from booking_core.intervals import TimeWindow
from booking_core.money.amount import Money
from booking_core.money.currency import get_currency
from booking_core.sessions.model import SessionStatus

DOCS = Path(booking_core.__file__).parent.parent.parent / "docs"
UTC = timezone.utc
START = datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
WINDOW = TimeWindow(start=START, end=START + timedelta(hours=1))
COMMITMENT = Commitment(
    window=WINDOW,
    teacher_id="fay",
    student_id="ann",
    kind=CommitmentKind.ONE_ON_ONE,
    ref_id="b-1",
)
OTHER = Commitment(
    window=WINDOW, teacher_id="fay", kind=CommitmentKind.GROUP_SESSION, ref_id="s-9"
)
INR = Money.of("1500.50", "INR")

# A realistic value for every keyword detail any error template names.
DETAILS: dict[str, Any] = {
    "account": "wallet:fay",
    "action": "cancel",
    "actor": Actor(user_id="ann", role=Role.STUDENT),
    "actual": Money.of("10", "USD"),
    "allowed": (Role.TEACHER, Role.ADMIN),
    "amount": INR,
    "attendee_id": "att-1",
    "available": 0,
    "balance": Money.of("0", "INR"),
    "bearer": "student",
    "booked": frozenset({3, 1, 2}),
    "booking_id": "b-1",
    "capacity": 8,
    "captured": INR,
    "claimed": START,
    "closes": START + timedelta(hours=1, minutes=15),
    "commission": Money.of("150.05", "INR"),
    "count": 2,
    "currency": get_currency("JPY"),
    "current": SessionStatus.CANCELLED,
    "database": "PostgreSQL",
    "day": START.date(),
    "deadline": START - timedelta(hours=24),
    "differs": "amount",
    "earlier": START,
    "earliest": START + timedelta(hours=1),
    "end": START + timedelta(hours=1),
    "extra": "ical",
    "existing": {"amount": INR, "accounts": ["a", "b"]},
    "expected": Decimal("10.50"),
    "expires_at": START,
    "feature": "reading iCalendar feeds",
    "fee": Money.of("30.00", "INR"),
    "found": 3,
    "field": "start",
    "gap": timedelta(hours=1),
    "gross": INR,
    "id": "s-42",
    "index": 3,
    "key": "idem-1",
    "kind": CommitmentKind.GROUP_SESSION,
    "later": START + timedelta(hours=1),
    "lead": timedelta(hours=1),
    "left": INR,
    "length": 7,
    "limit": timedelta(minutes=30),
    "maximum": 500,
    "minimum": 10,
    "moved": START + timedelta(days=1),
    "needed": 4,
    "new_start": START + timedelta(minutes=30),
    "now": START - timedelta(minutes=1),
    "opens": START - timedelta(minutes=10),
    "operation": "capture",
    "original": START,
    "part": "BYHOUR",
    "package": "icalendar",
    "payment_id": "pay-1",
    "person": "fay",
    "recorded": START + timedelta(hours=1),
    "reason": "seat count changed",
    "ref_id": "s-9",
    "refundable": Money.of("0.50", "INR"),
    "refunded": INR,
    "remaining": timedelta(hours=9, minutes=59, seconds=30, microseconds=5),
    "requested": 3,
    "requested_by": Actor(user_id="fay", role=Role.TEACHER),
    "required": timedelta(days=2),
    "respond_by": START,
    "right": Money.of("1", "USD"),
    "role": Role.STUDENT,
    "series_id": "fay-piano",
    "session_id": "s-1",
    "shortfall": Money.of("-3.00", "INR"),
    "start": START,
    "state": SessionStatus.COMPLETED,
    "status": SessionStatus.MISSED,
    "store": "booking_core",
    "student_id": "ann",
    "taken": 9,
    "target": "paid",
    "teacher_id": "fay",
    "value": datetime(2026, 3, 29, 1, 30),  # the naive wall time refused
    "wall": datetime(2026, 3, 29, 1, 30),
    "zone": ZoneInfo("Europe/London"),
    "name": "booking_core.sqlite3:Connection",
    "path": "$.f.window.f.start",
    "span": "years 1800 to 2399 UTC",
    # not in templates: carried by the commitment conflicts
    "commitment": COMMITMENT,
    "conflicting": OTHER,
}


def _all_errors() -> list[type[errors.BookingCoreError]]:
    found, stack = [], [errors.BookingCoreError]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.code)


def _fields(cls: type[errors.BookingCoreError]) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(cls.template) if f}


def _realistic(cls: type[errors.BookingCoreError]) -> errors.BookingCoreError:
    names = _fields(cls)
    if issubclass(cls, errors.CommitmentConflictError):
        names |= {"commitment", "conflicting"}
    if cls is errors.InvalidBankAccountError:  # built from its problems
        return cls(problems=[("ifsc", "must be 11 characters", "SBIN")])
    return cls(**{name: DETAILS[name] for name in sorted(names)})


def _only_json_types(value: object) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, list):
        return all(_only_json_types(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _only_json_types(v) for k, v in value.items())
    return False


@pytest.mark.parametrize("cls", _all_errors(), ids=lambda c: c.code)
def test_every_error_renders_as_json(cls: type[errors.BookingCoreError]) -> None:
    err = _realistic(cls)
    data = err.to_dict()
    assert set(data) == {"code", "message", "field", "details"}
    assert data["code"] == cls.code
    assert data["message"] == str(err)
    assert _only_json_types(data), data
    assert json.loads(json.dumps(data)) == data
    assert set(data["details"]) == set(err.details)
    assert err.http_status in {400, 403, 404, 409, 422, 500, 502}


@pytest.mark.parametrize("cls", _all_errors(), ids=lambda c: c.code)
def test_every_error_survives_pickling(cls: type[errors.BookingCoreError]) -> None:
    # Worker pools pickle a raised error to hand it to the parent process.
    err = _realistic(cls)
    copy = pickle.loads(pickle.dumps(err))  # noqa: S301 (bytes this test made)
    assert type(copy) is cls
    assert str(copy) == str(err)
    assert copy.args == err.args
    assert copy.details == err.details
    assert copy.to_dict() == err.to_dict()


def test_every_template_field_has_a_realistic_value() -> None:
    built = [c for c in _all_errors() if c is not errors.InvalidBankAccountError]
    used = set().union(*(_fields(cls) for cls in built))
    assert used <= set(DETAILS), sorted(used - set(DETAILS))


def test_plain_values() -> None:
    err = errors.TeacherDoubleBookedError(
        commitment=COMMITMENT,
        conflicting=OTHER,
        person="fay",
        kind=OTHER.kind,
        ref_id=OTHER.ref_id,
        start=OTHER.window.start,
        end=OTHER.window.end,
    )
    details = err.to_dict()["details"]
    assert details["commitment"] == {
        "window": {
            "start": "2026-03-29T09:00:00+00:00",
            "end": "2026-03-29T10:00:00+00:00",
        },
        "teacher_id": "fay",
        "student_id": "ann",
        "kind": "one_on_one",
        "ref_id": "b-1",
    }
    assert details["kind"] == "group_session"
    rendered = errors.InvalidValueError(
        field="x",
        reason="r",
        value={
            "money": INR,
            "jpy": Money.of("500", "JPY"),
            "currency": get_currency("KWD"),
            "zone": ZoneInfo("Asia/Kolkata"),
            "tags": frozenset({"b", "a"}),
            "nan": float("nan"),
            "half": 0.5,
            "other": object,
            3: (1, 2),
        },
    ).to_dict()
    assert rendered["field"] == "x"
    value = rendered["details"]["value"]
    assert value["money"] == {"amount": "1500.50", "currency": "INR"}
    assert value["jpy"] == {"amount": "500", "currency": "JPY"}
    assert value["currency"] == "KWD"
    assert value["zone"] == "Asia/Kolkata"
    assert value["tags"] == ["a", "b"]
    assert (value["nan"], value["half"]) == ("nan", 0.5)
    assert value["other"] == str(object)
    assert value["3"] == [1, 2]


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "PT0S"),
        (timedelta(hours=24), "P1D"),
        (timedelta(hours=1), "PT1H"),
        (timedelta(days=1, hours=2, minutes=30), "P1DT2H30M"),
        (timedelta(minutes=-15), "-PT15M"),
        (timedelta(seconds=1, microseconds=500000), "PT1.5S"),
        (timedelta(microseconds=5), "PT0.000005S"),
    ],
)
def test_durations_are_iso_8601(delta: timedelta, text: str) -> None:
    err = errors.InvalidValueError(field="f", reason="r", value=delta)
    assert err.to_dict()["details"]["value"] == text


def test_real_conflict_serialises() -> None:
    with pytest.raises(errors.TeacherDoubleBookedError) as caught:
        ensure_no_conflict(
            Commitment(
                window=WINDOW,
                teacher_id="fay",
                kind=CommitmentKind.ONE_ON_ONE,
                ref_id="b-2",
            ),
            [OTHER],
        )
    assert caught.value.http_status == 409
    json.dumps(caught.value.to_dict())


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidValueError(field="f", reason="r", value=1), 422),
        (errors.InvalidBankAccountError(problems=[("ifsc", "r", "x")]), 422),
        (errors.NotSeriesParticipantError(actor="a", action="b", series_id="c"), 403),
        (errors.SeriesOccurrenceNotFoundError(series_id="s", index=1, booked=[]), 404),
        (errors.StaleVersionError(kind="session", id="s", expected=1, actual=2), 409),
        (errors.WithdrawalAmountError(amount=1, minimum=2, maximum=3), 409),
        (errors.GatewayRetryableError(operation="capture", reason="503"), 502),
        (errors.BookingCoreError(), 400),
    ],
)
def test_status_follows_the_nearest_family(
    error: errors.BookingCoreError, status: int
) -> None:
    assert error.http_status == status


def test_statuses_are_unique_per_family() -> None:
    families = [family for family, _, _ in errors.HTTP_STATUS]
    assert len(families) == len(set(families))


def test_errors_doc_holds_the_rendered_table() -> None:
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    begin, end = "<!-- http-status:begin -->\n", "<!-- http-status:end -->"
    committed = text[text.index(begin) + len(begin) : text.index(end)]
    assert committed == errors.http_status_table(), (
        "docs/errors.md is stale: paste booking_core.errors.http_status_table() "
        "between its http-status markers"
    )
