"""Stateful, through the composition root: one lifecycle, nothing left behind.

Random schedules, group bookings, 1:1 requests and confirmations, series,
reschedules (approved by people and automatically), cancels of bookings and
sessions, joins, completions, payments, refunds and monitor ticks, for a
teacher in Europe/London and one in Asia/Kolkata (across the March DST
change), on the in-memory adapter and on an SQLite file. After every step:

* no teacher and no student holds two overlapping active commitments;
* every booking's status agrees with its session's (no active booking on a
  cancelled or finished session, no attended / no-show one on a scheduled one);
* every booking of a completed or missed session has ended, a held seat as
  ``attended`` or ``no_show`` by its student's attendance;
* every attendee has a booking on the session or is its teacher;
* after a tick, every captured payment of a finished or cancelled booking is
  released or refunded (its record closed);
* the ledger sums to zero.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from booking_core import bootstrap
from booking_core.actors import Actor, Role
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.attendance.model import Attendee, ParticipationEvent
from booking_core.availability import WeeklyAvailability
from booking_core.availability.approval import ApprovalPolicy
from booking_core.availability.schedule import TeacherSchedule
from booking_core.bookings.model import Booking, BookingStatus, BookingType
from booking_core.bookings.one_on_one import OneOnOnePolicy
from booking_core.clock import ManualClock
from booking_core.errors import BookingCoreError
from booking_core.intervals import TimeWindow
from booking_core.money import Money
from booking_core.money.payments import BookingPayment
from booking_core.policies import Policies
from booking_core.ports import UnitOfWork
from booking_core.recurrence import RecurrenceRule
from booking_core.sessions.model import Session, SessionStatus
from booking_core.zones import to_instant

UTC = timezone.utc
HOUR = timedelta(hours=1)
START = datetime(2026, 3, 23, 6, tzinfo=UTC)
TEACHERS = {"t-lon": "Europe/London", "t-kol": "Asia/Kolkata"}
STUDENTS = ["s-1", "s-2", "s-3"]
DAYS = range(3, 9)
HOURS = [9, 10, 11, 13]
FINISHED = {BookingStatus.ATTENDED, BookingStatus.NO_SHOW}
ENDED = {
    BookingStatus.CANCELLED,
    BookingStatus.DECLINED,
    BookingStatus.EXPIRED,
    *FINISHED,
}


def _window(teacher: str, day: int, hour: int) -> TimeWindow:
    local = (START + timedelta(days=day)).date()
    start = to_instant(datetime.combine(local, time(hour)), TEACHERS[teacher])
    return TimeWindow.of(start, HOUR)


class LifecycleMachine(RuleBasedStateMachine):
    """Drives every service of one platform; subclasses pick the storage."""

    factory: Callable[[], Callable[[], UnitOfWork]]

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START)
        self.gateway = FakePaymentGateway(
            secret=b"lifecycle-secret-0123", clock=self.clock.now
        )
        self.uow_factory = type(self).factory()
        self.core = bootstrap(
            uow_factory=self.uow_factory,
            clock=self.clock,
            gateway=self.gateway,
            policies=Policies(
                one_on_one=OneOnOnePolicy(
                    approval=ApprovalPolicy(courses={"math": True})
                )
            ),
        )
        for teacher, zone in TEACHERS.items():
            self.core.one_on_one.set_schedule(
                TeacherSchedule(
                    id=teacher,
                    zone=zone,
                    availability=[
                        WeeklyAvailability(
                            weekday=day, start=time(8), end=time(20), zone=zone
                        )
                        for day in range(7)
                    ],
                ),
                actor=Actor.teacher(teacher),
            )
        self.ids = itertools.count()
        self.ticked = False

    # -- reading the whole store (test only) -----------------------------------

    def _all(self, collection: str, kind: type) -> list:  # type: ignore[type-arg]
        with self.uow_factory() as uow:
            return list(uow.repository(collection, kind).list())  # type: ignore[attr-defined]

    def sessions(self) -> list[Session]:
        return self._all("sessions", Session)

    def bookings(self) -> list[Booking]:
        return self._all("bookings", Booking)

    def _try(self, action: Callable[[], object]) -> None:
        with contextlib.suppress(BookingCoreError):
            action()
        self.ticked = False

    def _join(
        self, session_id: str, participant: str, role: Role, at: datetime
    ) -> None:
        self.core.attendance.record(
            session_id,
            participant,
            role,
            ParticipationEvent.joined(at),
            actor=Actor.system(),
        )

    def _pick(self, items: list, index: int):  # type: ignore[no-untyped-def,type-arg]
        return items[index % len(items)] if items else None

    # -- rules -----------------------------------------------------------------

    @rule(
        teacher=st.sampled_from(sorted(TEACHERS)),
        day=st.sampled_from(DAYS),
        hour=st.sampled_from(HOURS),
        waitlist=st.booleans(),
    )
    def schedule_group(self, teacher: str, day: int, hour: int, waitlist: bool) -> None:
        self._try(
            lambda: self.core.sessions.schedule(
                session_id=f"g-{next(self.ids)}",
                kind="group",
                teacher_id=teacher,
                course_id="art",
                window=_window(teacher, day, hour),
                zone=TEACHERS[teacher],
                capacity=1,
                waitlist_enabled=waitlist,
                actor=Actor.teacher(teacher),
            )
        )

    @rule(student=st.sampled_from(STUDENTS), index=st.integers(0, 20))
    def book_seat(self, student: str, index: int) -> None:
        groups = [s for s in self.sessions() if s.kind.value == "group"]
        session = self._pick(groups, index)
        if session is not None:
            self._try(
                lambda: self.core.bookings.book(
                    session.id, student, actor=Actor.student(student)
                )
            )

    @rule(
        teacher=st.sampled_from(sorted(TEACHERS)),
        student=st.sampled_from(STUDENTS),
        day=st.sampled_from(DAYS),
        hour=st.sampled_from(HOURS),
        course=st.sampled_from(["math", "chess"]),
    )
    def request_one_on_one(
        self, teacher: str, student: str, day: int, hour: int, course: str
    ) -> None:
        self._try(
            lambda: self.core.one_on_one.request(
                teacher_id=teacher,
                student_id=student,
                course_id=course,
                slot=_window(teacher, day, hour),
                actor=Actor.student(student),
                booking_id=f"o-{next(self.ids)}",
            )
        )

    @rule(index=st.integers(0, 20))
    def confirm_one_on_one(self, index: int) -> None:
        pending = [b for b in self.bookings() if b.status is BookingStatus.PENDING]
        booking = self._pick(pending, index)
        if booking is not None:
            self._try(
                lambda: self.core.one_on_one.confirm(
                    booking.id, actor=Actor.teacher(booking.teacher_id)
                )
            )

    @rule(
        teacher=st.sampled_from(sorted(TEACHERS)),
        student=st.sampled_from(STUDENTS),
        day=st.sampled_from(DAYS),
        hour=st.sampled_from(HOURS),
    )
    def create_series(self, teacher: str, student: str, day: int, hour: int) -> None:
        window = _window(teacher, day, hour)
        self._try(
            lambda: self.core.one_on_one.create_series(
                teacher_id=teacher,
                student_id=student,
                course_id="chess",
                rule=RecurrenceRule.parse("FREQ=DAILY;INTERVAL=2;COUNT=2"),
                start=window.start,
                zone=TEACHERS[teacher],
                duration=HOUR,
                until=window.start + timedelta(days=5),
                actor=Actor.student(student),
                series_id=f"r-{next(self.ids)}",
            )
        )

    @rule(
        index=st.integers(0, 20),
        day=st.sampled_from(DAYS),
        hour=st.sampled_from(HOURS),
        answer=st.sampled_from(["approve", "wait"]),
    )
    def reschedule(self, index: int, day: int, hour: int, answer: str) -> None:
        scheduled = [
            s
            for s in self.sessions()
            if s.status is SessionStatus.SCHEDULED and not s.is_reschedule_requested
        ]
        session = self._pick(scheduled, index)
        if session is None:
            return
        new = _window(session.teacher_id, day, hour)
        self._try(
            lambda: self.core.sessions.request_reschedule(
                session.id,
                reason="the teacher travels that week",
                new_start=new.start,
                actor=Actor.admin("ops"),
            )
        )
        if answer == "approve":
            booked = [
                b.student_id
                for b in self.bookings()
                if b.session_id == session.id and b.is_participant
            ]
            approver = (
                Actor.student(booked[0])
                if booked
                else Actor.teacher(session.teacher_id)
            )
            self._try(
                lambda: self.core.sessions.approve_reschedule(
                    session.id, actor=approver
                )
            )

    @rule(index=st.integers(0, 20))
    def cancel_booking(self, index: int) -> None:
        active = [b for b in self.bookings() if b.is_active]
        booking = self._pick(active, index)
        if booking is None:
            return
        actor = Actor.student(booking.student_id)
        if booking.type is BookingType.GROUP:
            self._try(lambda: self.core.bookings.cancel(booking.id, actor=actor))
        else:
            self._try(
                lambda: self.core.one_on_one.cancel(
                    booking.id, reason="ill", actor=actor
                )
            )

    @rule(index=st.integers(0, 20))
    def cancel_session(self, index: int) -> None:
        scheduled = [s for s in self.sessions() if s.status is SessionStatus.SCHEDULED]
        session = self._pick(scheduled, index)
        if session is not None:
            self._try(
                lambda: self.core.sessions.cancel(
                    session.id,
                    reason="teacher unwell",
                    actor=Actor.teacher(session.teacher_id),
                )
            )

    @rule(index=st.integers(0, 20), teacher_too=st.booleans())
    def join(self, index: int, teacher_too: bool) -> None:
        now = self.clock.now()
        running = [
            s
            for s in self.sessions()
            if s.status is SessionStatus.SCHEDULED and s.start <= now < s.end
        ]
        session = self._pick(running, index)
        if session is None:
            return
        who = [
            (b.student_id, Role.STUDENT)
            for b in self.bookings()
            if b.session_id == session.id and b.status is BookingStatus.CONFIRMED
        ]
        if teacher_too:
            who.append((session.teacher_id, Role.TEACHER))
        for participant, role in who:
            self._try(partial(self._join, session.id, participant, role, now))

    @rule(index=st.integers(0, 20), student_joins=st.booleans())
    def hold_session(self, index: int, student_joins: bool) -> None:
        """Jump into a coming session with a confirmed booking, join, complete it."""
        now = self.clock.now()
        booked = {
            b.session_id for b in self.bookings() if b.status is BookingStatus.CONFIRMED
        }
        coming = sorted(
            (
                s
                for s in self.sessions()
                if s.status is SessionStatus.SCHEDULED
                and s.start >= now
                and s.id in booked
            ),
            key=lambda s: (s.start, s.id),
        )
        session = self._pick(coming, index)
        if session is None:
            return
        self.clock.set(session.start + timedelta(minutes=1))
        who = [(session.teacher_id, Role.TEACHER)]
        if student_joins:
            who += [
                (b.student_id, Role.STUDENT)
                for b in self.bookings()
                if b.session_id == session.id and b.status is BookingStatus.CONFIRMED
            ]
        for participant, role in who:
            self._try(
                partial(self._join, session.id, participant, role, self.clock.now())
            )
        self.clock.set(session.end)
        self._try(
            lambda: self.core.sessions.complete(
                session.id, actor=Actor.teacher(session.teacher_id)
            )
        )

    @rule(index=st.integers(0, 20))
    def pay(self, index: int) -> None:
        paid = {r.id for r in self.core.payments.bookings()}
        unpaid = [b for b in self.bookings() if b.id not in paid and b.is_active]
        booking = self._pick(unpaid, index)
        if booking is None:
            return
        record = self.core.payments.open_order(
            booking_id=booking.id,
            teacher_id=booking.teacher_id,
            amount=Money.of("700.00", "INR"),
            starts_at=booking.window.start,
        )
        assert record.order_id is not None
        self.gateway.pay(record.order_id)
        for body, signature in self.gateway.take_webhooks():
            self.core.payments.handle_webhook(body, signature)
        self.ticked = False

    @rule(hours=st.sampled_from([1, 6, 25]))
    def advance_and_tick(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))
        report = self.core.monitor.tick()
        assert not report.errors, report.errors
        self.ticked = True

    @precondition(lambda self: not self.ticked)
    @rule()
    def tick(self) -> None:
        report = self.core.monitor.tick()
        assert not report.errors, report.errors
        self.ticked = True

    # -- invariants ------------------------------------------------------------

    def _commitments(self) -> dict[str, list[tuple[str, TimeWindow]]]:
        sessions = {s.id: s for s in self.sessions()}
        held: dict[str, dict[str, TimeWindow]] = {}
        for session in sessions.values():
            if session.status is SessionStatus.SCHEDULED:
                held.setdefault(session.teacher_id, {})[session.id] = session.window
        for booking in self.bookings():
            found = sessions.get(booking.session_id)
            if not booking.is_active or (
                found is not None and found.status is not SessionStatus.SCHEDULED
            ):
                continue
            held.setdefault(booking.student_id, {})[booking.session_id] = booking.window
            held.setdefault(booking.teacher_id, {})[booking.session_id] = booking.window
        return {person: sorted(items.items()) for person, items in held.items()}

    @invariant()
    def nobody_is_double_booked(self) -> None:
        for person, items in self._commitments().items():
            for (a, first), (b, second) in itertools.combinations(items, 2):
                assert not first.overlaps(second), (person, a, b)

    @invariant()
    def bookings_follow_their_session(self) -> None:
        sessions = {s.id: s for s in self.sessions()}
        for booking in self.bookings():
            session = sessions.get(booking.session_id)
            if session is None:
                assert booking.status in {BookingStatus.PENDING, *ENDED}, booking
                continue
            if session.status is SessionStatus.SCHEDULED:
                assert booking.status not in FINISHED, (booking, session.status)
                assert booking.window == session.window, booking.id
            else:
                assert not booking.is_active, (
                    booking.id,
                    booking.status,
                    session.status,
                )
            if session.status is SessionStatus.CANCELLED:
                assert booking.status not in FINISHED, booking.id

    @invariant()
    def a_finished_session_ends_its_bookings_by_attendance(self) -> None:
        sessions = {s.id: s for s in self.sessions()}
        attendees = {
            (a.session_id, a.participant_id): a
            for a in self._all("attendees", Attendee)
            if a.role is Role.STUDENT
        }
        for booking in self.bookings():
            session = sessions.get(booking.session_id)
            if session is None or session.status not in {
                SessionStatus.COMPLETED,
                SessionStatus.MISSED,
            }:
                continue
            # every booking of a completed or missed session has ended ...
            assert booking.status in ENDED, (booking.id, booking.status)
            if booking.status not in FINISHED:
                continue
            # ... and a seat that was held ended by its student's attendance
            attendee = attendees.get((session.id, booking.student_id))
            assert attendee is not None, booking.id
            if attendee.attendance.value != "unknown":
                came = attendee.attendance.attended
            else:
                came = attendee.first_join is not None
            assert (booking.status is BookingStatus.ATTENDED) == came, booking.id

    @invariant()
    def every_attendee_has_a_booking_or_teaches(self) -> None:
        sessions = {s.id: s for s in self.sessions()}
        booked = {(b.session_id, b.student_id) for b in self.bookings()}
        for attendee in self._all("attendees", Attendee):
            session = sessions[attendee.session_id]
            if attendee.role is Role.TEACHER:
                assert attendee.participant_id == session.teacher_id
            else:
                assert (attendee.session_id, attendee.participant_id) in booked

    @invariant()
    def money_ends_after_a_tick(self) -> None:
        if not self.ticked:
            return
        statuses = {b.id: b.status for b in self.bookings()}
        for record in self._all("booking_payments", BookingPayment):
            if record.payment is not None and statuses.get(record.id) in ENDED:
                assert record.closed, (record.id, statuses[record.id])

    @invariant()
    def the_ledger_sums_to_zero(self) -> None:
        assert sum(self.core.payments.journal.balances().values()) == 0


def _memory() -> Callable[[], UnitOfWork]:
    store = InMemoryStore()
    return lambda: InMemoryUnitOfWork(store)


class MemoryLifecycle(LifecycleMachine):
    factory = staticmethod(_memory)


_SETTINGS = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TestLifecycleOnMemory = MemoryLifecycle.TestCase
TestLifecycleOnMemory.settings = _SETTINGS


@pytest.fixture
def sqlite_lifecycle(tmp_path: Path) -> type[LifecycleMachine]:
    counter = itertools.count()

    def factory() -> Callable[[], UnitOfWork]:
        database = SqliteDatabase(tmp_path / f"life-{next(counter)}.db")
        return lambda: SqliteUnitOfWork(database)

    class SqliteLifecycle(LifecycleMachine):
        pass

    SqliteLifecycle.factory = staticmethod(factory)
    return SqliteLifecycle


def test_lifecycle_on_an_sqlite_file(sqlite_lifecycle: type[LifecycleMachine]) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        sqlite_lifecycle,
        settings=settings(
            max_examples=8,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
