"""Recurrence expansion against python-dateutil and recurring_ical_events.

Cases (all at 18:00 Europe/London, so every run crosses DST changes):

- ``weekly_mo_we_fr_10y``: ``FREQ=WEEKLY;BYDAY=MO,WE,FR`` for 10 years;
- ``daily_100y``: ``FREQ=DAILY`` for 100 years;
- ``between_month_yr10``: a one-month ``between`` window in year 10 of an
  unbounded ``FREQ=WEEKLY`` rule;
- ``between_2d_yr50.count``: a two-day ``between`` window in year 50 of a rule
  with ``COUNT``, against the same window of the rule without it (peer
  ``case:recurrence.between_2d_yr50.nocount``): the index at the window is counted
  per period, never by walking from the start, so the target is ratio <= 2. The
  ``.bymonth`` variant uses a rule whose periods differ in shape (counted from
  cached period shapes rather than in closed form).

Peers: ``python-dateutil`` ``rrule`` on naive wall times followed by zone
localization (``replace(tzinfo=zone)``: the cheapest localization, which does not
even normalize gap times, so the peer's best case), and ``recurring_ical_events``
on the equivalent VEVENT. Ours materializes :class:`Occurrence` values (index,
start, ...), DST-correct. Targets: ratio <= 1.0 against dateutil for the first
two cases; for the window, at least 20 times faster than ``rrule.between`` (ratio
<= 0.05).

The ``.cold`` lines are the first call in a process: each measurement is a
fresh interpreter on each side, timing (after the imports and the zone object,
which both sides need) building the rule and expanding it once: ours pays its
per-zone offset scan there, dateutil its rule set-up, each side everything its
first call costs and nothing else. Medians of interleaved fresh processes.
Target for ``between_month_yr10.cold``: ratio <= 0.5.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from dateutil import rrule as du

sys.path.insert(0, str(Path(__file__).parent))

from _common import interleaved_medians, median_seconds, report

from booking_core.recurrence import Recurrence, RecurrenceRule

ZONE = ZoneInfo("Europe/London")
START = datetime(2026, 1, 5, 18, tzinfo=ZONE)  # a Monday
NAIVE_START = START.replace(tzinfo=None)


def _calendar(rrule: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    event = icalendar.Event()
    event.add("uid", "bench@booking-core")
    event.add("dtstart", START)
    event.add("dtend", START + timedelta(hours=1))
    event.add("rrule", icalendar.vRecur.from_ical(rrule))
    calendar.add_component(event)
    return calendar


COLD_RUNS = 9
COLD_SETUP = """
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo
from booking_core.recurrence import Recurrence, RecurrenceRule
from dateutil import rrule as du
ZONE = ZoneInfo("Europe/London")
START = datetime(2026, 1, 5, 18, tzinfo=ZONE)
NAIVE_START = START.replace(tzinfo=None)
LOW = datetime(2035, 6, 1, tzinfo=timezone.utc)
HIGH = datetime(2035, 7, 1, tzinfo=timezone.utc)
NAIVE_LOW = LOW.astimezone(ZONE).replace(tzinfo=None)
NAIVE_HIGH = HIGH.astimezone(ZONE).replace(tzinfo=None)
start = time.perf_counter()
"""
COLD_DONE = "\nprint(time.perf_counter() - start, found)"


def _cold_seconds(body: str) -> tuple[float, str]:
    """Seconds of ``body`` as the first call in a fresh interpreter, and its output."""
    out = subprocess.run(
        [sys.executable, "-c", COLD_SETUP + body + COLD_DONE],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split(maxsplit=1)
    return float(out[0]), out[1].strip()


def _cold_case(name: str, ours: str, dateutil_peer: str) -> None:
    """Report ``name.cold``: interleaved fresh processes of ours and dateutil."""
    ours_runs: list[float] = []
    peer_runs: list[float] = []
    for _ in range(COLD_RUNS):
        ours_s, ours_found = _cold_seconds(ours)
        peer_s, peer_found = _cold_seconds(dateutil_peer)
        assert ours_found == peer_found, (ours_found, peer_found)
        ours_runs.append(ours_s)
        peer_runs.append(peer_s)
    report(
        f"{name}.cold",
        statistics.median(ours_runs),
        "python-dateutil",
        statistics.median(peer_runs),
    )


def _expansion_case(
    name: str,
    rule: str,
    dateutil_rule: Callable[[], du.rrule],
    until: datetime,
    *,
    cold_peer: str,
    repeat: int,
    peer_repeat: int,
) -> None:
    recurrence = Recurrence(rule=RecurrenceRule.parse(rule), start=START)

    def ours() -> int:
        return len(list(recurrence.occurrences()))

    def dateutil_peer() -> int:
        return len([d.replace(tzinfo=ZONE) for d in dateutil_rule()])

    calendar = _calendar(rule)
    query_end = until + timedelta(days=1)

    def ical_peer() -> int:
        found = recurring_ical_events.of(calendar).between(START, query_end)
        return len(list(found))

    counts = {ours(), dateutil_peer(), ical_peer()}
    assert len(counts) == 1, counts
    ours_s = median_seconds(ours, repeat=repeat)
    dateutil_s = median_seconds(dateutil_peer, repeat=repeat)
    ical_s = median_seconds(ical_peer, repeat=peer_repeat)
    occurrences = counts.pop()
    report(name, ours_s, "python-dateutil", dateutil_s, occurrences=occurrences)
    report(name, ours_s, "recurring_ical_events", ical_s, occurrences=occurrences)
    cold_ours = (
        f"found = len(list(Recurrence(rule=RecurrenceRule.parse({rule!r}),"
        " start=START).occurrences()))"
    )
    _cold_case(
        name, cold_ours, f"found = len([d.replace(tzinfo=ZONE) for d in {cold_peer}])"
    )


def _between_case() -> None:
    name = "recurrence.between_month_yr10"
    recurrence = Recurrence(rule=RecurrenceRule.parse("FREQ=WEEKLY"), start=START)
    low = datetime(2035, 6, 1, tzinfo=timezone.utc)
    high = datetime(2035, 7, 1, tzinfo=timezone.utc)
    naive_low = low.astimezone(ZONE).replace(tzinfo=None)
    naive_high = high.astimezone(ZONE).replace(tzinfo=None)
    unbounded = du.rrule(du.WEEKLY, dtstart=NAIVE_START)
    calendar = _calendar("FREQ=WEEKLY")

    def ours() -> int:
        return len(list(recurrence.between(low, high)))

    def dateutil_peer() -> int:
        found = unbounded.between(naive_low, naive_high, inc=True)
        return len([d.replace(tzinfo=ZONE) for d in found if d < naive_high])

    def ical_peer() -> int:
        return len(list(recurring_ical_events.of(calendar).between(low, high)))

    counts = {ours(), dateutil_peer(), ical_peer()}
    assert len(counts) == 1, counts
    ours_s = median_seconds(ours, repeat=25)
    dateutil_s = median_seconds(dateutil_peer, repeat=11)
    ical_s = median_seconds(ical_peer, repeat=5)
    report(name, ours_s, "python-dateutil", dateutil_s, target_ratio=0.05)
    report(name, ours_s, "recurring_ical_events", ical_s)
    _cold_case(
        name,
        "found = len(list(Recurrence(rule=RecurrenceRule.parse('FREQ=WEEKLY'),"
        " start=START).between(LOW, HIGH)))",
        "found = len([d.replace(tzinfo=ZONE) for d in du.rrule(du.WEEKLY,"
        " dtstart=NAIVE_START).between(NAIVE_LOW, NAIVE_HIGH, inc=True)"
        " if d < NAIVE_HIGH])",
    )


def _count_case(suffix: str, rule: str) -> None:
    name = f"recurrence.between_2d_yr50{suffix}"
    low = datetime(2076, 3, 2, tzinfo=timezone.utc)
    high = datetime(2076, 3, 4, tzinfo=timezone.utc)
    counted = Recurrence(rule=RecurrenceRule.parse(f"{rule};COUNT=10000"), start=START)
    unbounded = Recurrence(rule=RecurrenceRule.parse(rule), start=START)

    def ours() -> list[tuple[int, datetime]]:
        return [(o.index, o.start) for o in counted.between(low, high)]

    def peer() -> list[tuple[int, datetime]]:
        return [(o.index, o.start) for o in unbounded.between(low, high)]

    found = ours()
    assert found, "the window holds an occurrence"
    assert found == peer()
    ours_s, peer_s = interleaved_medians([ours, peer], rounds=25)
    report(
        f"{name}.count",
        ours_s,
        f"case:{name}.nocount",
        peer_s,
        target_ratio=2.0,
        index=found[0][0],
    )


def main() -> None:
    until_a = datetime(2036, 1, 4, 23, 59, tzinfo=ZONE)
    _expansion_case(
        "recurrence.weekly_mo_we_fr_10y",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20360104T235959Z",
        lambda: du.rrule(
            du.WEEKLY,
            dtstart=NAIVE_START,
            byweekday=(du.MO, du.WE, du.FR),
            until=until_a.replace(tzinfo=None),
        ),
        until_a,
        cold_peer="du.rrule(du.WEEKLY, dtstart=NAIVE_START,"
        " byweekday=(du.MO, du.WE, du.FR), until=datetime(2036, 1, 4, 23, 59))",
        repeat=9,
        peer_repeat=5,
    )
    until_b = datetime(2126, 1, 4, 23, 59, tzinfo=ZONE)
    _expansion_case(
        "recurrence.daily_100y",
        "FREQ=DAILY;UNTIL=21260104T235959Z",
        lambda: du.rrule(
            du.DAILY, dtstart=NAIVE_START, until=until_b.replace(tzinfo=None)
        ),
        until_b,
        cold_peer="du.rrule(du.DAILY, dtstart=NAIVE_START,"
        " until=datetime(2126, 1, 4, 23, 59))",
        repeat=5,
        peer_repeat=3,
    )
    _between_case()
    _count_case("", "FREQ=WEEKLY;BYDAY=MO,WE,FR")
    _count_case(".bymonth", "FREQ=DAILY;BYMONTH=1,3,5,7,9,11")


if __name__ == "__main__":
    main()
