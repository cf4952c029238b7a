"""What the 1:1 service's transaction costs over the pure decisions it wraps.

Cases (in-memory adapter, a teacher in Europe/London already holding
``PREFILL`` confirmed 1:1 bookings, approval required):

  * ``one_on_one_service.request_confirm``: one request and its confirmation
    through :class:`OneOnOneService` (each: load and save the teacher's
    schedule, index lookups of the teacher's and the student's active
    bookings and the sessions they teach, the pure decision, commit), against
    ``floor:pure_request_confirm``: the same two pure decisions
    (:func:`request_booking`, :func:`confirm_booking`) on the bookings within
    two days of the slot (what the service checks too), looked up by day in a
    dict kept outside the timing. The same work as the service's decisions with
    no storage at all, and no scan of the teacher's other bookings, so a real
    lower bound.
  * ``one_on_one_service.slots_week``: a week's slot listing through the
    service against ``floor:pure_bookable_slots``: the same pure listing given
    only the commitments that can reach the week (within two days of it),
    filtered before the timing, so again a lower bound of the service's work.
"""

from __future__ import annotations

import itertools
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import median_seconds, report

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.availability import WeeklyAvailability
from booking_core.availability.approval import ApprovalPolicy
from booking_core.availability.schedule import TeacherSchedule
from booking_core.bookings.model import Booking
from booking_core.bookings.one_on_one import (
    OneOnOnePolicy,
    bookable_slots,
    booking_commitment,
    confirm_booking,
    request_booking,
)
from booking_core.clock import ManualClock
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.services.one_on_one import OneOnOneService

NOW = datetime(2026, 5, 25, 9, tzinfo=timezone.utc)
ZONE = "Europe/London"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
PREFILL = 200
BATCH = 50
REPEAT = 5
POLICY = OneOnOnePolicy(approval=ApprovalPolicy(courses={"math": True}))
SCHEDULE = TeacherSchedule(
    id="t-1",
    zone=ZONE,
    availability=[
        WeeklyAvailability(weekday=d, start=time(8), end=time(20), zone=ZONE)
        for d in range(7)
    ],
)
TEACHER = Actor.teacher("t-1")


def _slot(n: int) -> TimeWindow:
    day = datetime(2026, 6, 1, 7, tzinfo=timezone.utc) + timedelta(days=n // 12)
    return TimeWindow.of(day + timedelta(hours=n % 12), HOUR)


def main() -> None:
    """Print the JSON lines of both cases."""
    store = InMemoryStore()
    service = OneOnOneService(
        uow_factory=lambda: InMemoryUnitOfWork(store),
        clock=ManualClock(NOW),
        policies=Policies(one_on_one=POLICY),
    )
    service.set_schedule(SCHEDULE, actor=TEACHER)
    numbers = itertools.count()
    for _ in range(PREFILL):
        n = next(numbers)
        service.request(
            teacher_id="t-1",
            student_id=f"s-{n}",
            course_id="art",
            slot=_slot(n),
            actor=Actor.student(f"s-{n}"),
            booking_id=f"b-{n}",
        )

    def through_service() -> None:
        for _ in range(BATCH):
            n = next(numbers)
            service.request(
                teacher_id="t-1",
                student_id=f"s-{n}",
                course_id="math",
                slot=_slot(n),
                actor=Actor.student(f"s-{n}"),
                booking_id=f"b-{n}",
            )
            service.confirm(f"b-{n}", actor=TEACHER)

    held: dict[int, list[Booking]] = {}  # by UTC day ordinal of the start

    def hold(booking: Booking) -> None:
        held.setdefault(booking.window.start.toordinal(), []).append(booking)

    for booking in store.collection("bookings").values():
        hold(booking)
    pure_numbers = itertools.count(10_000)

    def pure() -> None:
        for _ in range(BATCH):
            n = next(pure_numbers)
            slot = _slot(n)
            request = SCHEDULE.slot_request(
                slot.start.date(), slot.start.date(), HOUR, course="math"
            )
            day = slot.start.toordinal()
            nearby = [b for d in range(day - 3, day + 4) for b in held.get(d, ())]
            pending = request_booking(
                booking_id=f"p-{n}",
                session_id=f"p-{n}",
                slot=slot,
                teacher_id="t-1",
                student_id=f"s-{n}",
                course_id="math",
                availability=SCHEDULE.availability,
                request=request,
                bookings=nearby,
                actor=Actor.student(f"s-{n}"),
                now=NOW,
                policy=POLICY,
            ).state
            hold(
                confirm_booking(
                    pending,
                    availability=SCHEDULE.availability,
                    request=request,
                    bookings=nearby,
                    actor=TEACHER,
                    now=NOW,
                    policy=POLICY,
                ).state
            )

    through_service()  # warm up
    pure()
    ours = median_seconds(through_service, repeat=REPEAT) / BATCH
    floor = median_seconds(pure, repeat=REPEAT) / BATCH
    report(
        "one_on_one_service.request_confirm",
        ours,
        "floor:pure_request_confirm",
        floor,
        teacher_bookings_before=PREFILL,
        pairs_per_s=round(1 / ours),
    )

    first = date(2026, 6, 1)
    last = first + timedelta(days=6)

    def listing() -> object:
        return service.slots("t-1", first, last, HOUR)

    reach = TimeWindow(
        start=datetime.combine(first - 2 * DAY, time(), tzinfo=timezone.utc),
        end=datetime.combine(last + 3 * DAY, time(), tzinfo=timezone.utc),
    )
    commitments = [
        c
        for c in map(booking_commitment, store.collection("bookings").values())
        if c is not None and c.window.overlaps(reach)
    ]
    week = SCHEDULE.slot_request(first, last, HOUR)

    def pure_listing() -> object:
        return bookable_slots(
            SCHEDULE.availability, commitments, week, now=NOW, policy=POLICY
        )

    assert listing() == pure_listing()
    report(
        "one_on_one_service.slots_week",
        median_seconds(listing, repeat=REPEAT, number=5),
        "floor:pure_bookable_slots",
        median_seconds(pure_listing, repeat=REPEAT, number=5),
        teacher_bookings=len(commitments),
    )


if __name__ == "__main__":
    main()
