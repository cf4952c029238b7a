"""Weekly windows read their wall times in one pass, exactly as one by one.

``_wall_instants`` (the pass over a list of ascending wall times that weekly
windows use) agrees with ``_wall_us`` (one wall time at a time, under the DST
policy) in zones with gaps, folds, half-hour shifts and a skipped day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from booking_core.availability.windows import _NAIVE_EPOCH, _wall_instants, _wall_us

MICROSECOND = timedelta(microseconds=1)

ZONES = [
    "Europe/London",
    "Asia/Kolkata",
    "Pacific/Apia",  # skipped 2011-12-30
    "Australia/Lord_Howe",  # half-hour DST
    "America/Santiago",
    "Antarctica/Troll",  # two-hour DST
]


@given(
    zone=st.sampled_from(ZONES),
    first=st.datetimes(
        min_value=datetime(1995, 1, 1),
        max_value=datetime(2040, 1, 1),
    ),
    step_days=st.sampled_from([1, 7]),
    count=st.integers(min_value=1, max_value=80),
    mode=st.sampled_from(["compatible", "later"]),
)
def test_one_pass_reads_each_wall_time_as_alone(
    zone: str, first: datetime, step_days: int, count: int, mode: str
) -> None:
    tz = ZoneInfo(zone)
    walls = [first + timedelta(days=step_days * k) for k in range(count)]
    local = [(wall - _NAIVE_EPOCH) // MICROSECOND for wall in walls]
    expected = [_wall_us(wall, tz, mode) for wall in walls]  # type: ignore[arg-type]
    assert _wall_instants(local, tz, mode) == expected  # type: ignore[arg-type]
