from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking_core.errors import (
    DatetimeOutOfRangeError,
    InvalidDisambiguationError,
    InvalidValueError,
    NaiveDatetimeError,
    RepeatedTimeError,
    SkippedTimeError,
    UnknownZoneError,
)
from booking_core.zones import (
    get_zone,
    local_time_kind,
    require_aware,
    to_instant,
    to_local,
)

UTC = timezone.utc


@pytest.mark.parametrize(
    ("wall", "zone", "mode", "expected"),
    [
        # Europe/London spring forward 2026-03-29 01:00 -> 02:00
        (
            datetime(2026, 3, 29, 1, 30),
            "Europe/London",
            "compatible",
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        ),
        (
            datetime(2026, 3, 29, 1, 30),
            "Europe/London",
            "later",
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        ),
        (
            datetime(2026, 3, 29, 1, 30),
            "Europe/London",
            "earlier",
            datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        ),
        # Europe/London fall back 2026-10-25 02:00 -> 01:00
        (
            datetime(2026, 10, 25, 1, 30),
            "Europe/London",
            "compatible",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        ),
        (
            datetime(2026, 10, 25, 1, 30),
            "Europe/London",
            "earlier",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        ),
        (
            datetime(2026, 10, 25, 1, 30),
            "Europe/London",
            "later",
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        ),
        # America/New_York 2026-03-08 gap, 2026-11-01 fold
        (
            datetime(2026, 3, 8, 2, 30),
            "America/New_York",
            "compatible",
            datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
        ),
        (
            datetime(2026, 3, 8, 2, 30),
            "America/New_York",
            "earlier",
            datetime(2026, 3, 8, 6, 30, tzinfo=UTC),
        ),
        (
            datetime(2026, 11, 1, 1, 30),
            "America/New_York",
            "compatible",
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        ),
        (
            datetime(2026, 11, 1, 1, 30),
            "America/New_York",
            "later",
            datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
        ),
        # Australia/Lord_Howe: 30-minute DST, gap 02:00 -> 02:30 on 2026-10-04
        (
            datetime(2026, 10, 4, 2, 15),
            "Australia/Lord_Howe",
            "compatible",
            datetime(2026, 10, 3, 15, 45, tzinfo=UTC),
        ),
        # Pacific/Apia skipped 2011-12-30 entirely
        (
            datetime(2011, 12, 30, 12, 0),
            "Pacific/Apia",
            "compatible",
            datetime(2011, 12, 30, 22, 0, tzinfo=UTC),
        ),
        # No DST in Asia/Kolkata: every mode agrees
        (
            datetime(2026, 3, 29, 1, 30),
            "Asia/Kolkata",
            "raise",
            datetime(2026, 3, 28, 20, 0, tzinfo=UTC),
        ),
    ],
)
def test_to_instant_examples(
    wall: datetime, zone: str, mode: str, expected: datetime
) -> None:
    assert to_instant(wall, zone, disambiguate=mode) == expected  # type: ignore[arg-type]
    assert to_instant(wall, zone, disambiguate=mode).tzinfo is UTC  # type: ignore[arg-type]


def test_apia_skipped_day_lands_on_the_next_day() -> None:
    instant = to_instant(datetime(2011, 12, 30, 12, 0), "Pacific/Apia")
    assert to_local(instant, "Pacific/Apia").replace(tzinfo=None) == datetime(
        2011, 12, 31, 12, 0
    )


def test_raise_in_gap_names_the_choices() -> None:
    with pytest.raises(SkippedTimeError) as info:
        to_instant(
            datetime(2026, 3, 8, 2, 30), "America/New_York", disambiguate="raise"
        )
    assert info.value.code == "time.skipped_local_time"
    assert "03:30" in str(info.value)
    assert "01:30" in str(info.value)
    assert info.value.details["gap"] == timedelta(hours=1)


def test_raise_in_fold() -> None:
    with pytest.raises(RepeatedTimeError) as info:
        to_instant(datetime(2026, 10, 25, 1, 30), "Europe/London", disambiguate="raise")
    assert info.value.code == "time.repeated_local_time"


def test_invalid_disambiguate() -> None:
    with pytest.raises(InvalidDisambiguationError, match="'sometimes'"):
        to_instant(datetime(2026, 1, 1), "UTC", disambiguate="sometimes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", ["Mars/Base", "", " Europe/London", "../etc/passwd", "Europe", 5]
)
def test_unknown_zone(bad: object) -> None:
    with pytest.raises(UnknownZoneError) as info:
        get_zone(bad)  # type: ignore[arg-type]
    assert info.value.code == "time.unknown_zone"
    assert isinstance(info.value, ValueError)


def test_get_zone_passes_zoneinfo_through() -> None:
    tz = ZoneInfo("Europe/London")
    assert get_zone(tz) is tz
    assert get_zone("Europe/London") == tz


def test_aware_wall_time_refused() -> None:
    with pytest.raises(InvalidValueError, match="naive"):
        to_instant(datetime(2026, 1, 1, tzinfo=UTC), "UTC")
    with pytest.raises(InvalidValueError, match="datetime"):
        to_instant("2026-01-01", "UTC")  # type: ignore[arg-type]


def test_out_of_range() -> None:
    with pytest.raises(DatetimeOutOfRangeError):
        to_instant(datetime(1, 1, 1), "Asia/Tokyo")


def test_require_aware() -> None:
    kolkata = datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert require_aware(kolkata) == datetime(2026, 6, 1, 3, 30, tzinfo=UTC)
    with pytest.raises(NaiveDatetimeError, match=r"^when must"):
        require_aware(datetime(2026, 6, 1, 9), field="when")


def test_local_time_kind() -> None:
    assert local_time_kind(datetime(2026, 3, 8, 2, 30), "America/New_York") == "gap"
    assert local_time_kind(datetime(2026, 11, 1, 1, 30), "America/New_York") == "fold"
    assert local_time_kind(datetime(2026, 11, 1, 3, 30), "America/New_York") == "normal"


def test_to_local() -> None:
    instant = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert to_local(instant, "Europe/London").isoformat() == "2026-07-01T13:00:00+01:00"
    with pytest.raises(NaiveDatetimeError):
        to_local(datetime(2026, 7, 1), "Europe/London")
