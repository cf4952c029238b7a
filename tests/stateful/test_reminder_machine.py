"""Reminders under ticks at random times, reschedules and cancels, beside a model.

Three group sessions (London, across the spring-forward change), each with a
teacher and booked students, on the in-memory store with the full composition
root. Rules: the monitor ticks after a random pause (a minute to three hours:
sometimes longer than the ``late`` tolerance, so some reminders are rightly
never sent), a session is rescheduled (the teacher asks, a student approves) or
cancelled. After every step:

* exactly once: no two ``reminder.due`` events share a key;
* never for a cancelled session: the model records how many events there
  were when each session was cancelled, and no later one is of it;
* each event was for the session's start at that moment (a reschedule
  re-arms with new keys), sent at most ``late`` after its due time and before
  the start;
* nothing left behind: every reminder sendable at the last tick was sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from booking_core import bootstrap
from booking_core.actors import Actor
from booking_core.adapters.memory import (
    InMemoryEventPublisher,
    InMemoryStore,
    InMemoryUnitOfWork,
)
from booking_core.clock import ManualClock
from booking_core.errors import BookingCoreError
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.reminders import ReminderDue, ReminderPolicy, sendable_reminders
from booking_core.sessions import ReschedulePolicy, SessionStatus

T0 = datetime(2026, 3, 26, 9, tzinfo=timezone.utc)  # London springs forward on the 29th
IDS = ("s-0", "s-1", "s-2")
STUDENTS = {"s-0": ("ann", "bob"), "s-1": ("cy",), "s-2": ("dee", "eve")}
LATE = ReminderPolicy().late
# short notices, so that sessions a day away can still move
NOTICE = ReschedulePolicy(
    student_notice=timedelta(hours=2),
    teacher_notice=timedelta(hours=2),
    minimum_notice=timedelta(hours=2),
)


class ReminderMachine(RuleBasedStateMachine):
    """The monitor's reminders step against a model of what may be sent."""

    def __init__(self) -> None:
        super().__init__()
        self.publisher = InMemoryEventPublisher()
        store = InMemoryStore()
        self.clock = ManualClock(T0)
        self.core = bootstrap(
            uow_factory=lambda: InMemoryUnitOfWork(store, self.publisher),
            clock=self.clock,
            policies=Policies(reschedule=NOTICE),
        )
        for n, session_id in enumerate(IDS):
            teacher = f"t-{n}"
            start = T0 + timedelta(hours=24 + 3 * n, minutes=40)
            self.core.sessions.schedule(
                session_id=session_id,
                kind="group",
                teacher_id=teacher,
                course_id="piano",
                window=TimeWindow.of(start, timedelta(hours=1)),
                zone="Europe/London",
                capacity=4,
                actor=Actor.teacher(teacher),
            )
            for student in STUDENTS[session_id]:
                self.core.bookings.book(
                    session_id, student, actor=Actor.student(student)
                )
        self.cancelled_after: dict[str, int] = {}
        self.checked = 0  # events already checked against the state they saw

    def _teacher(self, session_id: str) -> Actor:
        return Actor.teacher(f"t-{IDS.index(session_id)}")

    @rule(pause=st.integers(min_value=1, max_value=180))
    def tick(self, pause: int) -> None:
        """Time passes and the monitor ticks; new events match the state now."""
        now = self.clock.advance(timedelta(minutes=pause))
        report = self.core.monitor.tick()
        assert [e for e in report.errors if e.step.value == "reminders"] == []
        new = self._reminders()[self.checked :]
        self.checked += len(new)
        assert sorted(e.key for e in new) == sorted(report.reminders_sent)
        for event in new:
            session = self.core.sessions.get(event.aggregate_id)
            assert session.status is SessionStatus.SCHEDULED
            assert event.start == session.start
            assert event.occurred_at == now < event.start
            assert event.due_at <= now < event.due_at + LATE
        # nothing due now was left unsent
        sessions = [self.core.sessions.get(session_id) for session_id in IDS]
        due = sendable_reminders(sessions, STUDENTS, now=now)
        sent = {e.key for e in self._reminders()}
        assert {r.key for r in due} <= sent

    @rule(
        session_id=st.sampled_from(IDS),
        shift=st.integers(min_value=-30, max_value=30).filter(bool),
    )
    def reschedule(self, session_id: str, shift: int) -> None:
        """The teacher asks to move the session, a booked student approves."""
        session = self.core.sessions.get(session_id)
        new_start = session.start + timedelta(hours=shift)
        try:
            self.core.sessions.request_reschedule(
                session_id,
                reason="the teacher has a clash",
                new_start=new_start,
                actor=self._teacher(session_id),
            )
        except BookingCoreError:
            return  # refused (notice, lead, state): nothing changed
        student = Actor.student(STUDENTS[session_id][0])
        self.core.sessions.approve_reschedule(session_id, actor=student)
        assert self.core.sessions.get(session_id).start == new_start

    @rule(session_id=st.sampled_from(IDS))
    def cancel(self, session_id: str) -> None:
        """The teacher cancels the session (if it is still scheduled)."""
        try:
            self.core.sessions.cancel(
                session_id, reason="the teacher is ill", actor=self._teacher(session_id)
            )
        except BookingCoreError:
            return
        # the reminders emitted before the cancel; none of it may follow
        self.cancelled_after.setdefault(session_id, len(self._reminders()))

    def _reminders(self) -> list[ReminderDue]:
        return [e for e in self.publisher.published if isinstance(e, ReminderDue)]

    @invariant()
    def each_reminder_is_emitted_once(self) -> None:
        keys = [event.key for event in self._reminders()]
        assert len(keys) == len(set(keys))

    @invariant()
    def never_for_a_cancelled_session(self) -> None:
        for index, event in enumerate(self._reminders()):
            cancelled = self.cancelled_after.get(event.aggregate_id)
            assert cancelled is None or index < cancelled


ReminderMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None
)
TestReminderMachine = ReminderMachine.TestCase
