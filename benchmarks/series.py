"""Series expansion and the 1:1 slot check, against their bare ingredients.

Cases:

- ``create_weekly_2y_vs_2000``: :func:`create_series` for a weekly 18:00
  Europe/London rule over two years (105 occurrences) with ``skip_conflicts``
  against 2,000 commitments of the teacher and student. Peer
  ``floor:between+ensure_no_conflict``: the recurrence's ``between`` plus one
  :func:`ensure_no_conflict` per occurrence, building nothing else (what any
  implementation must at least do).
- ``ensure_slot_bookable_vs_500``: the decision-time check of one 1:1 slot
  against 500 commitments. Peer ``floor:free_slots``: one listing of that date.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import median_seconds, report

from booking_core.actors import Actor
from booking_core.availability import SlotRequest, WeeklyAvailability, free_slots
from booking_core.availability.commitments import Commitment, ensure_no_conflict
from booking_core.bookings.one_on_one import ensure_slot_bookable
from booking_core.errors import CommitmentConflictError
from booking_core.intervals import TimeWindow
from booking_core.recurrence import RecurrenceRule
from booking_core.series import create_series

UTC = timezone.utc
NOW = datetime(2026, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
RULE = RecurrenceRule.parse("FREQ=WEEKLY")
START = datetime(2026, 1, 5, 18)  # noqa: DTZ001 -- local wall time
UNTIL = datetime(2028, 1, 5, tzinfo=UTC)


def _busy(count: int) -> list[Commitment]:
    return [
        Commitment(
            window=TimeWindow.of(NOW + timedelta(hours=9 * n + 1), HOUR),
            teacher_id="t-1" if n % 2 else "t-2",
            student_id="s-1" if n % 3 else "s-2",
            kind="one_on_one",
            ref_id=f"b-{n}",
        )
        for n in range(count)
    ]


def bench_create() -> None:
    existing = _busy(2000)

    def ours() -> object:
        return create_series(
            id="series",
            teacher_id="t-1",
            student_id="s-1",
            rule=RULE,
            start=START,
            zone="Europe/London",
            duration=HOUR,
            until=UNTIL,
            existing=existing,
            actor=Actor.system(),
            now=NOW,
            mode="skip_conflicts",
        )

    recurrence = ours().state.recurrence  # type: ignore[attr-defined]

    def floor() -> object:
        clear = 0
        for occurrence in recurrence.between(recurrence.start, UNTIL):
            new = Commitment(
                window=TimeWindow.of(occurrence.start, HOUR),
                teacher_id="t-1",
                student_id="s-1",
                kind="one_on_one",
                ref_id=f"x-{occurrence.index}",
            )
            try:
                ensure_no_conflict(new, existing)
            except CommitmentConflictError:
                clear -= 1
            clear += 1
        return clear

    report(
        "series.create_weekly_2y_vs_2000",
        median_seconds(ours, repeat=5),
        "floor:between+ensure_no_conflict",
        median_seconds(floor, repeat=5),
    )


def bench_slot_check() -> None:
    mondays = [
        WeeklyAvailability(weekday=0, start=time(9), end=time(17), zone="Europe/London")
    ]
    request = SlotRequest(
        first_date=date(2026, 6, 1),
        last_date=date(2026, 6, 1),
        zone="Europe/London",
        duration=HOUR,
    )
    existing = _busy(500)
    slot = TimeWindow.of(datetime(2026, 6, 1, 15, tzinfo=UTC), HOUR)

    def ours() -> object:
        try:
            return ensure_slot_bookable(
                slot,
                teacher_id="t-9",
                student_id="s-9",
                availability=mondays,
                commitments=existing,
                request=request,
                now=NOW,
                ref_id="b-new",
            )
        except CommitmentConflictError:
            return None

    def floor() -> object:
        return free_slots(mondays, existing, request, now=NOW)

    report(
        "series.ensure_slot_bookable_vs_500",
        median_seconds(ours, repeat=9, number=20),
        "floor:free_slots",
        median_seconds(floor, repeat=9, number=20),
    )


if __name__ == "__main__":
    bench_create()
    bench_slot_check()
