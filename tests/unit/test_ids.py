"""One id rule: URL-safe ids given by hosts, and every id the library generates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from booking_core._validation import ID_CHARACTERS, check_id
from booking_core.actors import Actor
from booking_core.attendance.model import attendee_id
from booking_core.errors import InvalidValueError
from booking_core.intervals import TimeWindow
from booking_core.sessions import Session, SessionKind

UTC = timezone.utc


@pytest.mark.parametrize(
    "value", ["s-1", "fay.piano", "A_b~9", "x", "...", "2026-03-29"]
)
def test_ids_of_unreserved_characters_pass(value: str) -> None:
    assert check_id(value, "id") == value
    assert quote(value, safe="") == value  # needs no escaping anywhere in a URL


@pytest.mark.parametrize(
    "value",
    ["", ".", "..", "fay-piano#1", "a/b", "a b", "ann@x", "é", "a?b", 7, None],
)
def test_other_ids_are_refused_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidValueError) as caught:
        check_id(value, "session_id")
    assert caught.value.details["field"] == "session_id"


def test_the_rule_is_rfc_3986_unreserved() -> None:
    assert "".join(sorted(ID_CHARACTERS)) == "".join(
        sorted(c for c in map(chr, range(128)) if quote(c, safe="") == c)
    )


def test_aggregates_apply_the_rule() -> None:
    with pytest.raises(InvalidValueError):
        Actor.student("ann smith")
    start = datetime(2026, 3, 29, 9, tzinfo=UTC)
    with pytest.raises(InvalidValueError, match="must be an id"):
        Session(
            id="s#1",
            kind=SessionKind.GROUP,
            teacher_id="t-1",
            course_id="c-1",
            window=TimeWindow(start=start, end=start + timedelta(hours=1)),
            zone="Europe/London",
        )


def test_generated_attendee_ids_are_ids() -> None:
    assert check_id(attendee_id("s-1", "ann", "student"), "id") == "s-1~student~ann"
