"""Stateful: no two active 1:1 bookings of one teacher ever overlap.

Books, approvals, declines, expiries and cancels run in any order beside a
plain dict model; after every step the teacher's active bookings are checked
for overlaps and the slots listed are exactly the availability the active
bookings leave free.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from booking_core.actors import Actor
from booking_core.availability import AvailabilityItem, SlotRequest, WeeklyAvailability
from booking_core.availability.approval import ApprovalPolicy
from booking_core.availability.commitments import find_conflicts
from booking_core.bookings.model import Booking, BookingStatus
from booking_core.bookings.one_on_one import (
    OneOnOnePolicy,
    bookable_slots,
    booking_commitment,
    cancel_booking,
    confirm_booking,
    decline_booking,
    expire_booking,
    request_booking,
)
from booking_core.errors import BookingCoreError
from booking_core.intervals import TimeWindow

UTC = timezone.utc
START = datetime(2026, 10, 20, 9, tzinfo=UTC)
ZONE = "Europe/London"
# Monday 26 October 2026, the day after DST ends: 14:00-17:00 GMT
AVAILABILITY: list[AvailabilityItem] = [
    WeeklyAvailability(weekday=0, start=time(14), end=time(17), zone=ZONE)
]
REQUEST = SlotRequest(
    first_date=date(2026, 10, 26),
    last_date=date(2026, 10, 26),
    zone=ZONE,
    duration=timedelta(hours=1),
    step=timedelta(minutes=30),
)
STARTS = [
    datetime(2026, 10, 26, 14, tzinfo=UTC) + timedelta(minutes=30 * n) for n in range(5)
]
STUDENTS = ["s-1", "s-2", "s-3"]


class OneOnOneMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.bookings: dict[str, Booking] = {}
        self.now = START
        self.count = 0
        self.policy = OneOnOnePolicy()

    @initialize(approval=st.booleans(), holds=st.booleans())
    def configure(self, approval: bool, holds: bool) -> None:
        self.policy = OneOnOnePolicy(
            approval=ApprovalPolicy(platform_default=approval),
            pending_holds_slot=holds,
        )

    def _blocking(self) -> list[Booking]:
        statuses = {BookingStatus.CONFIRMED}
        if self.policy.pending_holds_slot:
            statuses.add(BookingStatus.PENDING)
        return [b for b in self.bookings.values() if b.status in statuses]

    @rule(start=st.sampled_from(STARTS), student=st.sampled_from(STUDENTS))
    def book(self, start: datetime, student: str) -> None:
        self.count += 1
        slot = TimeWindow.of(start, timedelta(hours=1))
        listed = slot in self._listed()
        try:
            decision = request_booking(
                booking_id=f"b-{self.count}",
                session_id=f"session-{self.count}",
                slot=slot,
                teacher_id="t-1",
                student_id=student,
                course_id="c-1",
                availability=AVAILABILITY,
                request=REQUEST,
                bookings=list(self.bookings.values()),
                actor=Actor.student(student),
                now=self.now,
                policy=self.policy,
            )
        except BookingCoreError:
            # refused only if not listed, or the student is busy / already booked
            mine = [
                b
                for b in self.bookings.values()
                if b.is_active and b.student_id == student and b.window.overlaps(slot)
            ]
            assert not listed or mine
            return
        assert listed
        self.bookings[decision.state.id] = decision.state

    def _pick(self, data: st.DataObject, status: BookingStatus) -> Booking | None:
        found = sorted(b.id for b in self.bookings.values() if b.status is status)
        if not found:
            return None
        return self.bookings[data.draw(st.sampled_from(found))]

    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        booking = self._pick(data, BookingStatus.PENDING)
        if booking is None:
            return
        try:
            decision = confirm_booking(
                booking,
                availability=AVAILABILITY,
                request=REQUEST,
                bookings=list(self.bookings.values()),
                actor=Actor.teacher("t-1"),
                now=self.now,
                policy=self.policy,
            )
        except BookingCoreError:
            return
        self.bookings[booking.id] = decision.state

    @rule(data=st.data())
    def decline(self, data: st.DataObject) -> None:
        booking = self._pick(data, BookingStatus.PENDING)
        if booking is None:
            return
        try:
            decision = decline_booking(
                booking, actor=Actor.teacher("t-1"), now=self.now
            )
        except BookingCoreError:
            return
        self.bookings[booking.id] = decision.state

    @rule(hours=st.integers(1, 40))
    def time_passes_and_expiries_run(self, hours: int) -> None:
        self.now += timedelta(hours=hours)
        for booking in list(self.bookings.values()):
            if booking.status is BookingStatus.PENDING:
                try:
                    decision = expire_booking(
                        booking, actor=Actor.system(), now=self.now, policy=self.policy
                    )
                except BookingCoreError:
                    continue
                self.bookings[booking.id] = decision.state

    @rule(data=st.data(), by_teacher=st.booleans())
    def cancel(self, data: st.DataObject, by_teacher: bool) -> None:
        status = data.draw(
            st.sampled_from([BookingStatus.PENDING, BookingStatus.CONFIRMED])
        )
        booking = self._pick(data, status)
        if booking is None:
            return
        actor = (
            Actor.teacher("t-1") if by_teacher else Actor.student(booking.student_id)
        )
        decision = cancel_booking(
            booking, reason="changed plans", actor=actor, now=self.now
        )
        self.bookings[booking.id] = decision.state

    def _listed(self) -> tuple[TimeWindow, ...]:
        held = [c for c in map(booking_commitment, self.bookings.values()) if c]
        return bookable_slots(
            AVAILABILITY, held, REQUEST, now=self.now, policy=self.policy
        )

    @invariant()
    def no_two_blocking_bookings_of_the_teacher_overlap(self) -> None:
        held = [booking_commitment(b) for b in self._blocking()]
        assert not find_conflicts([c for c in held if c is not None])

    @invariant()
    def listed_slots_are_exactly_what_blocking_bookings_leave_free(self) -> None:
        if self.now >= STARTS[0]:
            return
        taken = [b.window for b in self._blocking()]
        expected = tuple(
            TimeWindow.of(start, timedelta(hours=1))
            for start in STARTS
            if not any(
                TimeWindow.of(start, timedelta(hours=1)).overlaps(w) for w in taken
            )
        )
        assert self._listed() == expected


OneOnOneMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None
)
TestOneOnOne = OneOnOneMachine.TestCase
