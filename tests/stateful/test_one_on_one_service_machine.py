"""Stateful, through the service: a teacher is never double booked.

Requests, confirmations, declines, expiries, cancels and series operations
(create under both conflict modes, cancel and move occurrences with every
scope, extend) run in any order through
:class:`~booking_core.services.one_on_one.OneOnOneService` on the in-memory
adapter. After every step: no two of the teacher's confirmed bookings overlap
(nor any two active ones while pending requests hold their slots), every
listed slot is free and every free candidate slot is listed, and each active
series item has an active booking with its window.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from itertools import combinations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.availability import WeeklyAvailability
from booking_core.availability.approval import ApprovalPolicy
from booking_core.availability.schedule import TeacherSchedule
from booking_core.bookings.model import Booking, BookingStatus
from booking_core.bookings.one_on_one import OneOnOnePolicy
from booking_core.clock import ManualClock
from booking_core.errors import BookingCoreError
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.recurrence import RecurrenceRule
from booking_core.series import BookingSeries, SeriesItemStatus
from booking_core.services.one_on_one import OneOnOneService

UTC = timezone.utc
HOUR = timedelta(hours=1)
START = datetime(2026, 10, 20, 9, tzinfo=UTC)
LAST_NOW = datetime(2026, 10, 25, 23, tzinfo=UTC)
ZONE = "Europe/London"
DAY = date(2026, 10, 26)  # the Monday after DST ends: 14:00-20:00 GMT
STARTS = [
    datetime(2026, 10, 26, 14, tzinfo=UTC) + n * timedelta(minutes=30)
    for n in range(11)
]
STUDENTS = ["s-1", "s-2", "s-3"]
TEACHER = Actor.teacher("t-1")
WEEKLY = RecurrenceRule.parse("FREQ=WEEKLY")


class ServiceMachine(RuleBasedStateMachine):
    policy = OneOnOnePolicy(approval=ApprovalPolicy(courses={"math": True}))

    def __init__(self) -> None:
        super().__init__()
        self.store = InMemoryStore()
        self.clock = ManualClock(START)
        self.service = OneOnOneService(
            uow_factory=lambda: InMemoryUnitOfWork(self.store),
            clock=self.clock,
            policies=Policies(
                one_on_one=self.policy, series_horizon=timedelta(weeks=2)
            ),
        )
        self.service.set_schedule(
            TeacherSchedule(
                id="t-1",
                zone=ZONE,
                availability=[
                    WeeklyAvailability(
                        weekday=0, start=time(14), end=time(20), zone=ZONE
                    )
                ],
            ),
            actor=TEACHER,
        )
        self.count = 0

    # -- helpers ------------------------------------------------------------------

    def _bookings(self) -> list[Booking]:
        return sorted(self.store.collection("bookings").values(), key=lambda b: b.id)

    def _series(self) -> list[BookingSeries]:
        return sorted(
            self.store.collection("booking_series").values(), key=lambda s: s.id
        )

    def _pick(
        self, data: st.DataObject, status: BookingStatus | None
    ) -> Booking | None:
        found = [b for b in self._bookings() if status is None or b.status is status]
        return data.draw(st.sampled_from(found)) if found else None

    def _try(self, action: Callable[[], object]) -> None:
        with contextlib.suppress(BookingCoreError):
            action()

    # -- rules --------------------------------------------------------------------

    @rule(
        start=st.sampled_from(STARTS),
        student=st.sampled_from(STUDENTS),
        course=st.sampled_from(["art", "math"]),
    )
    def request(self, start: datetime, student: str, course: str) -> None:
        self.count += 1
        self._try(
            lambda: self.service.request(
                teacher_id="t-1",
                student_id=student,
                course_id=course,
                slot=TimeWindow.of(start, HOUR),
                actor=Actor.student(student),
                booking_id=f"b-{self.count}",
            )
        )

    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        booking = self._pick(data, BookingStatus.PENDING)
        if booking is not None:
            self._try(lambda: self.service.confirm(booking.id, actor=TEACHER))

    @rule(data=st.data())
    def decline(self, data: st.DataObject) -> None:
        booking = self._pick(data, BookingStatus.PENDING)
        if booking is not None:
            self._try(lambda: self.service.decline(booking.id, actor=TEACHER))

    @rule(data=st.data(), by_teacher=st.booleans())
    def cancel(self, data: st.DataObject, by_teacher: bool) -> None:
        booking = self._pick(data, None)
        if booking is not None:
            actor = TEACHER if by_teacher else Actor.student(booking.student_id)
            self._try(
                lambda: self.service.cancel(booking.id, reason="change", actor=actor)
            )

    @rule(hours=st.integers(1, 60))
    def time_passes_and_requests_expire(self, hours: int) -> None:
        self.clock.set(min(self.clock.now() + timedelta(hours=hours), LAST_NOW))
        self.service.expire_undecided()

    @rule(
        student=st.sampled_from(STUDENTS),
        start=st.sampled_from(STARTS[::2]),
        skip=st.booleans(),
    )
    def create_series(self, student: str, start: datetime, skip: bool) -> None:
        self.count += 1
        self._try(
            lambda: self.service.create_series(
                teacher_id="t-1",
                student_id=student,
                course_id="art",
                rule=WEEKLY,
                start=start,
                zone=ZONE,
                duration=HOUR,
                until=datetime(2026, 11, 3, tzinfo=UTC),
                actor=Actor.student(student),
                series_id=f"ser-{self.count}",
                mode="skip_conflicts" if skip else "all_or_nothing",
            )
        )

    @rule(data=st.data(), scope=st.sampled_from(["one", "this_and_following", "all"]))
    def cancel_occurrences(self, data: st.DataObject, scope: str) -> None:
        series = self._series()
        if not series:
            return
        chosen = data.draw(st.sampled_from(series))
        index = data.draw(st.integers(0, 2))
        self._try(
            lambda: self.service.cancel_occurrences(
                chosen.id, index, scope=scope, reason="trip", actor=TEACHER
            )
        )

    @rule(
        data=st.data(),
        scope=st.sampled_from(["one", "this_and_following", "all"]),
        minutes=st.sampled_from([-60, -30, 30, 90]),
    )
    def move_occurrences(self, data: st.DataObject, scope: str, minutes: int) -> None:
        series = [s for s in self._series() if s.items]
        if not series:
            return
        chosen = data.draw(st.sampled_from(series))
        item = data.draw(st.sampled_from(chosen.items))
        self._try(
            lambda: self.service.move_occurrences(
                chosen.id,
                item.occurrence_index,
                new_start=item.window.start + timedelta(minutes=minutes),
                scope=scope,
                reason="swap",
                actor=TEACHER,
            )
        )

    @rule()
    def extend(self) -> None:
        self.service.extend_series()

    # -- invariants ---------------------------------------------------------------

    def _blocking(self) -> list[Booking]:
        held = {BookingStatus.CONFIRMED}
        if self.policy.pending_holds_slot:
            held.add(BookingStatus.PENDING)
        return [b for b in self._bookings() if b.status in held]

    @invariant()
    def the_teacher_is_never_double_booked(self) -> None:
        for first, second in combinations(self._blocking(), 2):
            assert not first.window.overlaps(second.window), (first.id, second.id)

    @invariant()
    def listed_slots_are_exactly_the_free_ones(self) -> None:
        listed = set(self.service.slots("t-1", DAY, DAY, HOUR))
        taken = [b.window for b in self._blocking()]
        expected = {
            TimeWindow.of(start, HOUR)
            for start in STARTS
            if start + HOUR <= datetime(2026, 10, 26, 20, tzinfo=UTC)
            and not any(TimeWindow.of(start, HOUR).overlaps(w) for w in taken)
        }
        assert listed == expected

    @invariant()
    def series_items_and_bookings_agree(self) -> None:
        bookings = self.store.collection("bookings")
        for series in self._series():
            for item in series.items:
                booking = bookings[item.booking_id]
                if item.status is SeriesItemStatus.ACTIVE:
                    assert booking.status is BookingStatus.CONFIRMED
                    assert booking.window == item.window
                else:
                    assert booking.status is BookingStatus.CANCELLED


class OpenSlotsMachine(ServiceMachine):
    """Pending requests do not hold their slots: only confirmations must not clash."""

    policy = OneOnOnePolicy(
        pending_holds_slot=False, approval=ApprovalPolicy(courses={"math": True})
    )


_SETTINGS = settings(max_examples=40, stateful_step_count=30, deadline=None)
ServiceMachine.TestCase.settings = _SETTINGS
OpenSlotsMachine.TestCase.settings = _SETTINGS
TestOneOnOneService = ServiceMachine.TestCase
TestOneOnOneServiceOpenSlots = OpenSlotsMachine.TestCase
