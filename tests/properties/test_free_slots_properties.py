"""free_slots against a brute-force, minute-by-minute reference.

The reference shares no code with the implementation beyond ``to_instant`` (the
documented DST policy: window starts "compatible", ends "later"): it expands
weekly windows over a generous range of dates into sets of minutes, then tries
every minute as a slot start and checks each rule literally.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from booking_core.availability import (
    AvailabilityItem,
    Blackout,
    Commitment,
    OneTimeAvailability,
    SlotRequest,
    WeeklyAvailability,
    free_slots,
    slots_in_zone,
)
from booking_core.intervals import TimeWindow
from booking_core.zones import to_instant

UTC = timezone.utc
MINUTE = timedelta(minutes=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZONES = ["Europe/London", "Asia/Kolkata", "America/Los_Angeles"]
# Days around both 2026 DST changes of London (Mar 29, Oct 25) and Los Angeles
# (Mar 8, Nov 1), a leap day, and an ordinary week.
ANCHORS = [
    date(2026, 3, 28),
    date(2026, 10, 24),
    date(2026, 3, 7),
    date(2026, 10, 31),
    date(2028, 2, 28),
    date(2026, 6, 1),
]
STEPS = [5, 10, 15, 20, 30, 60]


def minute_of(instant: datetime) -> int:
    return (instant - EPOCH) // MINUTE


def instant_of(minute: int) -> datetime:
    return EPOCH + minute * MINUTE


def reference(  # noqa: PLR0912 -- a literal reference reads best in one piece
    availability: list[AvailabilityItem],
    commitments: list[Commitment],
    request: SlotRequest,
    now: datetime,
) -> list[int]:
    zone = ZoneInfo(request.zone)
    available: set[int] = set()
    away: set[int] = set()
    for item in availability:
        if isinstance(item, Blackout):
            away.update(range(minute_of(item.window.start), minute_of(item.window.end)))
            continue
        if request.course is not None and item.course not in (None, request.course):
            continue
        if isinstance(item, OneTimeAvailability):
            available.update(
                range(minute_of(item.window.start), minute_of(item.window.end))
            )
            continue
        day = request.first_date - timedelta(days=3)
        while day <= request.last_date + timedelta(days=3):
            valid = (item.valid_from is None or item.valid_from <= day) and (
                item.valid_until is None or day <= item.valid_until
            )
            if valid and day.weekday() == item.weekday:
                end_day = day + timedelta(days=1) if item.end <= item.start else day
                start = to_instant(datetime.combine(day, item.start), item.zone)
                end = to_instant(
                    datetime.combine(end_day, item.end), item.zone, disambiguate="later"
                )
                available.update(range(minute_of(start), minute_of(end)))
            day += timedelta(days=1)
    available -= away
    before = request.buffer_before // MINUTE
    after = request.buffer_after // MINUTE
    blocked: set[int] = set()
    per_day: dict[date, int] = {}
    for c in commitments:
        blocked.update(
            range(minute_of(c.window.start) - before, minute_of(c.window.end) + after)
        )
        local_day = c.window.start.astimezone(zone).date()
        per_day[local_day] = per_day.get(local_day, 0) + 1
    duration = request.duration // MINUTE
    step = request.step // MINUTE
    now_minute = minute_of(now)
    lo = minute_of(to_instant(datetime.combine(request.first_date, time(0)), zone))
    hi = minute_of(
        to_instant(
            datetime.combine(request.last_date + timedelta(days=2), time(0)), zone
        )
    )
    found: list[int] = []
    for t in range(lo - 60 * 24, hi):
        local = instant_of(t).astimezone(zone)
        if not request.first_date <= local.date() <= request.last_date:
            continue
        if (local.hour * 60 + local.minute) % step:
            continue
        if t < now_minute + request.minimum_notice // MINUTE:
            continue
        if (
            request.horizon is not None
            and t + duration > now_minute + request.horizon // MINUTE
        ):
            continue
        minutes = set(range(t, t + duration))
        if not minutes <= available or minutes & blocked:
            continue
        if (
            request.max_per_day is not None
            and per_day.get(local.date(), 0) >= request.max_per_day
        ):
            continue
        found.append(t)
    if request.non_overlapping:
        chosen: list[int] = []
        for t in found:
            if not chosen or t >= chosen[-1] + duration:
                chosen.append(t)
        found = chosen
    return found


Scenario = tuple[list[AvailabilityItem], list[Commitment], SlotRequest, datetime]


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[list[AvailabilityItem], list[Commitment], SlotRequest, datetime]:
    zone = draw(st.sampled_from(ZONES))
    anchor = draw(st.sampled_from(ANCHORS))
    first = anchor + timedelta(days=draw(st.integers(0, 1)))
    last = first + timedelta(days=draw(st.integers(0, 2)))
    quarter = st.integers(0, 95).map(lambda q: time(q // 4, 15 * (q % 4)))
    any_minute = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
    near_dst = st.integers(0, 16).map(lambda q: time(q // 4, 15 * (q % 4)))
    wall = st.one_of(quarter, any_minute, near_dst)
    courses = st.sampled_from([None, "c-1", "c-2"])
    items: list[AvailabilityItem] = []
    for _ in range(draw(st.integers(1, 4))):
        start, end = draw(wall), draw(wall)
        if start == end:
            continue
        valid_from = draw(st.one_of(st.none(), st.just(first), st.just(last)))
        valid_until = draw(st.one_of(st.none(), st.just(first), st.just(last)))
        if valid_from and valid_until and valid_until < valid_from:
            valid_from, valid_until = valid_until, valid_from
        items.append(
            WeeklyAvailability(
                weekday=draw(
                    st.sampled_from(
                        [(first + timedelta(days=k)).weekday() for k in range(-1, 4)]
                    )
                ),
                start=start,
                end=end,
                zone=draw(st.sampled_from([zone, zone, "Asia/Kolkata"])),
                valid_from=valid_from,
                valid_until=valid_until,
                course=draw(courses),
            )
        )
    base = to_instant(datetime.combine(first, time(0)), zone)
    span_minutes = (last - first).days * 24 * 60 + 26 * 60

    def window(max_minutes: int) -> st.SearchStrategy[TimeWindow]:
        return st.tuples(
            st.integers(-120, span_minutes), st.integers(1, max_minutes)
        ).map(lambda p: TimeWindow.of(base + p[0] * MINUTE, p[1] * MINUTE))

    items.extend(
        OneTimeAvailability(window=draw(window(600)), course=draw(courses))
        for _ in range(draw(st.integers(0, 2)))
    )
    items.extend(
        Blackout(window=draw(window(300))) for _ in range(draw(st.integers(0, 2)))
    )
    commitments = [
        Commitment(
            window=draw(window(120)),
            teacher_id="t-1",
            student_id=f"s-{k}",
            kind="one_on_one",
            ref_id=f"b-{k}",
        )
        for k in range(draw(st.integers(0, 4)))
    ]
    horizon = draw(st.sampled_from([None, 24 * 60, 48 * 60]))
    request = SlotRequest(
        first_date=first,
        last_date=last,
        zone=zone,
        duration=draw(st.integers(1, 24)) * 5 * MINUTE,
        step=draw(st.sampled_from(STEPS)) * MINUTE,
        buffer_before=draw(st.sampled_from([0, 5, 15])) * MINUTE,
        buffer_after=draw(st.sampled_from([0, 10, 30])) * MINUTE,
        minimum_notice=draw(st.sampled_from([0, 60, 600])) * MINUTE,
        horizon=None if horizon is None else horizon * MINUTE,
        max_per_day=draw(st.sampled_from([None, 1, 2])),
        course=draw(courses),
        non_overlapping=draw(st.booleans()),
    )
    now = base + draw(st.integers(-3000, span_minutes)) * MINUTE
    return items, commitments, request, now


LONDON_SPRING: Scenario = (
    [WeeklyAvailability(weekday=6, start=time(1), end=time(3), zone="Europe/London")],
    [],
    SlotRequest(
        first_date=date(2026, 3, 29),
        last_date=date(2026, 3, 29),
        zone="Europe/London",
        duration=timedelta(minutes=30),
        step=timedelta(minutes=30),
    ),
    datetime(2026, 3, 1, tzinfo=UTC),
)
LONDON_FALL: Scenario = (
    [
        WeeklyAvailability(
            weekday=6, start=time(0, 30), end=time(2), zone="Europe/London"
        )
    ],
    [],
    SlotRequest(
        first_date=date(2026, 10, 25),
        last_date=date(2026, 10, 25),
        zone="Europe/London",
        duration=timedelta(minutes=60),
        step=timedelta(minutes=30),
    ),
    datetime(2026, 10, 1, tzinfo=UTC),
)
CROSSING_MIDNIGHT: Scenario = (
    [WeeklyAvailability(weekday=5, start=time(22), end=time(2), zone="Asia/Kolkata")],
    [],
    SlotRequest(
        first_date=date(2026, 6, 6),
        last_date=date(2026, 6, 7),
        zone="Asia/Kolkata",
        duration=timedelta(minutes=60),
        step=timedelta(minutes=60),
    ),
    datetime(2026, 6, 1, tzinfo=UTC),
)
VALID_UNTIL_LAST_DAY: Scenario = (
    [
        WeeklyAvailability(
            weekday=0,
            start=time(9),
            end=time(10),
            zone="Europe/London",
            valid_from=date(2026, 6, 1),
            valid_until=date(2026, 6, 8),
        )
    ],
    [],
    SlotRequest(
        first_date=date(2026, 6, 1),
        last_date=date(2026, 6, 15),
        zone="Europe/London",
        duration=timedelta(minutes=60),
    ),
    datetime(2026, 5, 1, tzinfo=UTC),
)
FOLD_END_AND_GAP_START: Scenario = (
    [
        WeeklyAvailability(
            weekday=6, start=time(0, 15), end=time(1, 30), zone="Europe/London"
        ),
        WeeklyAvailability(
            weekday=6, start=time(2, 30), end=time(4), zone="America/Los_Angeles"
        ),
        WeeklyAvailability(
            weekday=6, start=time(1, 15), end=time(1, 45), zone="Europe/London"
        ),
    ],
    [],
    SlotRequest(
        first_date=date(2026, 3, 7),
        last_date=date(2026, 11, 1),
        zone="Europe/London",
        duration=timedelta(minutes=15),
        step=timedelta(minutes=15),
    ),
    datetime(2026, 3, 1, tzinfo=UTC),
)
LEAP_DAY: Scenario = (
    [WeeklyAvailability(weekday=1, start=time(23), end=time(1), zone="Europe/London")],
    [
        Commitment(
            window=TimeWindow.of(
                datetime(2028, 2, 29, 23, 30, tzinfo=UTC), timedelta(minutes=30)
            ),
            teacher_id="t-1",
            kind="one_on_one",
            ref_id="b-1",
        )
    ],
    SlotRequest(
        first_date=date(2028, 2, 29),
        last_date=date(2028, 2, 29),
        zone="Europe/London",
        duration=timedelta(minutes=15),
        step=timedelta(minutes=15),
        buffer_after=timedelta(minutes=15),
    ),
    datetime(2028, 2, 1, tzinfo=UTC),
)


@settings(max_examples=150)
@given(scenarios())
@example(LONDON_SPRING)
@example(LONDON_FALL)
@example(CROSSING_MIDNIGHT)
@example(VALID_UNTIL_LAST_DAY)
@example(LEAP_DAY)
@example(FOLD_END_AND_GAP_START)
def test_free_slots_equals_the_minute_by_minute_reference(scenario: Scenario) -> None:
    availability, commitments, request, now = scenario
    slots = free_slots(availability, commitments, request, now=now)
    assert [minute_of(s.start) for s in slots] == reference(
        availability, commitments, request, now
    )


@settings(max_examples=150)
@given(scenarios())
def test_every_slot_obeys_every_rule(scenario: Scenario) -> None:
    availability, commitments, request, now = scenario
    slots = free_slots(availability, commitments, request, now=now)
    zone = ZoneInfo(request.zone)
    blackouts = [i.window for i in availability if isinstance(i, Blackout)]
    assert list(slots) == sorted(slots)
    for slot in slots:
        assert slot.start.tzinfo is UTC
        assert slot.duration == request.duration
        local = slot.start.astimezone(zone)
        since_midnight = timedelta(hours=local.hour, minutes=local.minute)
        assert since_midnight % request.step == timedelta(0)
        assert request.first_date <= local.date() <= request.last_date
        assert slot.start >= now + request.minimum_notice
        if request.horizon is not None:
            assert slot.end <= now + request.horizon
        assert not any(slot.overlaps(b) for b in blackouts)
        for c in commitments:
            assert not slot.overlaps(
                c.window.widen(request.buffer_before, request.buffer_after)
            )
        if request.max_per_day is not None:
            same_day = [
                c
                for c in commitments
                if c.window.start.astimezone(zone).date() == local.date()
            ]
            assert len(same_day) < request.max_per_day
    if request.non_overlapping:
        assert all(a.end <= b.start for a, b in pairwise(slots))


def test_spring_forward_window_is_the_hour_that_exists() -> None:
    availability, commitments, request, now = LONDON_SPRING
    slots = free_slots(availability, commitments, request, now=now)
    # 01:00-03:00 on the clock; 01:00-02:00 never happens: 02:00-03:00 BST.
    assert [
        s[0].strftime("%H:%M %Z") for s in slots_in_zone(slots, "Europe/London")
    ] == [
        "02:00 BST",
        "02:30 BST",
    ]
    assert slots[0].start == datetime(2026, 3, 29, 1, tzinfo=UTC)


def test_fall_back_window_covers_both_readings_of_the_repeated_hour() -> None:
    availability, commitments, request, now = LONDON_FALL
    slots = free_slots(availability, commitments, request, now=now)
    shown = [s[0].strftime("%H:%M %Z") for s in slots_in_zone(slots, "Europe/London")]
    # 00:30 BST to 02:00 GMT is 2.5 real hours: 01:00 and 01:30 happen twice.
    assert shown == ["00:30 BST", "01:00 BST", "01:30 BST", "01:00 GMT"]


def test_window_crossing_midnight_gives_slots_on_both_dates() -> None:
    availability, commitments, request, now = CROSSING_MIDNIGHT
    slots = free_slots(availability, commitments, request, now=now)
    shown = [s[0].strftime("%a %H:%M") for s in slots_in_zone(slots, "Asia/Kolkata")]
    # Saturday 22:00 to Sunday 02:00; Sunday's slots start on the request's
    # second date; nothing crosses from the Friday before.
    assert shown == ["Sat 22:00", "Sat 23:00", "Sun 00:00", "Sun 01:00"]


def test_valid_until_includes_its_last_day() -> None:
    availability, commitments, request, now = VALID_UNTIL_LAST_DAY
    slots = free_slots(availability, commitments, request, now=now)
    assert [s.start.date() for s in slots] == [date(2026, 6, 1), date(2026, 6, 8)]


def test_kolkata_teacher_and_los_angeles_student_see_the_same_instants() -> None:
    weekly = WeeklyAvailability(
        weekday=0, start=time(9), end=time(11), zone="Asia/Kolkata"
    )
    request = SlotRequest(
        first_date=date(2026, 3, 2),
        last_date=date(2026, 3, 16),
        zone="Asia/Kolkata",
        duration=timedelta(minutes=60),
        step=timedelta(minutes=60),
    )
    slots = free_slots([weekly], [], request, now=datetime(2026, 2, 1, tzinfo=UTC))
    teacher = slots_in_zone(slots, "Asia/Kolkata")
    student = slots_in_zone(slots, "America/Los_Angeles")
    assert [s.isoformat() for s, _ in teacher][:2] == [
        "2026-03-02T09:00:00+05:30",
        "2026-03-02T10:00:00+05:30",
    ]
    # Los Angeles springs forward on 2026-03-08: the student's clock moves, the
    # teacher's does not, and the instants stay the same.
    assert [s.strftime("%a %H:%M %Z") for s, _ in student] == [
        "Sun 19:30 PST",
        "Sun 20:30 PST",
        "Sun 20:30 PDT",
        "Sun 21:30 PDT",
        "Sun 20:30 PDT",
        "Sun 21:30 PDT",
    ]
    assert [
        (a == b, c == d) for (a, c), (b, d) in zip(teacher, student, strict=True)
    ] == [(True, True)] * 6


KOLKATA_TEACHER: Scenario = (
    [WeeklyAvailability(weekday=6, start=time(6), end=time(9), zone="Asia/Kolkata")],
    [],
    SlotRequest(
        first_date=date(2026, 3, 1),
        last_date=date(2026, 3, 14),
        zone="Asia/Kolkata",
        duration=timedelta(minutes=60),
    ),
    datetime(2026, 2, 1, tzinfo=UTC),
)


@settings(max_examples=50)
@given(scenarios(), st.sampled_from([*ZONES, "Pacific/Chatham", "UTC"]))
@example(KOLKATA_TEACHER, "America/Los_Angeles")
@example(
    (
        [
            WeeklyAvailability(
                weekday=6, start=time(0, 15), end=time(0), zone="Europe/London"
            )
        ],
        [],
        SlotRequest(
            first_date=date(2026, 10, 24),
            last_date=date(2026, 10, 25),
            zone="Europe/London",
            duration=timedelta(minutes=5),
            step=timedelta(minutes=5),
        ),
        datetime(2026, 10, 23, 23, 0, tzinfo=UTC),
    ),
    "Europe/London",
)
def test_every_zone_sees_the_same_instants(scenario: Scenario, viewer: str) -> None:
    availability, commitments, request, now = scenario
    slots = free_slots(availability, commitments, request, now=now)
    teacher = slots_in_zone(slots, request.zone)
    student = slots_in_zone(slots, viewer)

    # Compare as UTC: Python never calls an aware time inside a DST fold equal to
    # one in another zone (PEP 495), even when both name the same instant.
    def utc(pairs: object) -> list[tuple[datetime, datetime]]:
        return [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in pairs]  # type: ignore[attr-defined]

    assert [(s.start, s.end) for s in slots] == utc(teacher) == utc(student)
    assert all(s.tzinfo == ZoneInfo(viewer) for s, _ in student)
    assert all(s.tzinfo == ZoneInfo(request.zone) for s, _ in teacher)
