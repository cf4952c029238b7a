"""Stateful test: one student's attendee lifecycle and its payment status machine."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from booking_core.actors import Actor
from booking_core.attendance.billing import (
    PAYMENT_TRANSITIONS,
    BillingPolicy,
    PaymentStatus,
    billing_candidates,
    change_payment_status,
    request_payment,
)
from booking_core.attendance.commands import (
    excuse,
    mark_attendance,
    record_participation,
    set_intent,
)
from booking_core.attendance.model import (
    AttendanceMark,
    AttendancePolicy,
    Attendee,
    Intent,
    ParticipationEvent,
    ParticipationPolicy,
    lateness,
)
from booking_core.errors import BookingCoreError
from booking_core.intervals import TimeWindow
from booking_core.sessions import Session, SessionPolicy

START = datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)  # London fall-back day
SESSION = Session(
    id="s-1",
    kind="group",
    capacity=4,
    teacher_id="t-1",
    course_id="c-1",
    window=TimeWindow.of(START, timedelta(hours=1)),
    zone="Europe/London",
)
POLICY = AttendancePolicy()
SP = SessionPolicy()
PP = ParticipationPolicy()
ADMIN = Actor.admin("ops")


class AttendeeMachine(RuleBasedStateMachine):
    """Random commands; every refusal must leave the attendee exactly as it was."""

    def __init__(self) -> None:
        super().__init__()
        self.attendee = Attendee.create(
            session_id="s-1", participant_id="alice", role="student"
        )
        self.now = START - timedelta(hours=26)
        self.model_status = PaymentStatus.DUE

    def _try(self, command: object) -> list[str]:
        before = self.attendee
        try:
            decision = command()  # type: ignore[operator]
        except BookingCoreError:
            assert self.attendee == before
            return []
        self.attendee = decision.state
        return [event.name for event in decision.events]

    @rule(minutes=st.integers(min_value=1, max_value=60 * 6))
    def tick(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(offset=st.integers(min_value=-15, max_value=90))
    def jump_near_the_session(self, offset: int) -> None:
        self.now = max(self.now, START + timedelta(minutes=offset))

    @rule(joined=st.booleans(), minute=st.integers(min_value=-15, max_value=95))
    def participate(self, joined: bool, minute: int) -> None:
        """A (possibly late-arriving) webhook about ``minute`` after the start."""
        at = START + timedelta(minutes=minute)
        entry = ParticipationEvent.joined(at) if joined else ParticipationEvent.left(at)
        self._try(
            lambda: record_participation(
                self.attendee,
                SESSION,
                entry,
                actor=Actor.system(),
                now=max(self.now, at),
                session_policy=SP,
                policy=PP,
            )
        )

    @rule(intent=st.sampled_from(Intent))
    def rsvp(self, intent: Intent) -> None:
        events = self._try(
            lambda: set_intent(
                self.attendee,
                SESSION,
                intent,
                actor=Actor.student("alice"),
                now=self.now,
                policy=POLICY,
            )
        )
        if "attendee.excused" in events and self.model_status in (
            PaymentStatus.DUE,
            PaymentStatus.REQUESTED,
        ):
            self.model_status = PaymentStatus.NOT_BILLABLE

    @rule()
    def mark(self) -> None:
        """Marking reads the log as it is now (later webhooks need a re-mark)."""
        self._try(
            lambda: mark_attendance(
                self.attendee,
                SESSION,
                actor=Actor.system(),
                now=self.now,
                policy=POLICY,
            )
        )
        a = self.attendee
        if self.now >= SESSION.end and a.attendance is not AttendanceMark.EXCUSED:
            late = lateness(a, SESSION)
            expected = (
                AttendanceMark.ABSENT
                if late is None
                else AttendanceMark.LATE
                if late > POLICY.late_after
                else AttendanceMark.PRESENT
            )
            assert a.attendance is expected

    @rule()
    def excuse_them(self) -> None:
        events = self._try(
            lambda: excuse(self.attendee, reason="ill", actor=ADMIN, now=self.now)
        )
        if "attendee.excused" in events and self.model_status in (
            PaymentStatus.DUE,
            PaymentStatus.REQUESTED,
        ):
            self.model_status = PaymentStatus.NOT_BILLABLE

    @rule(goal=st.sampled_from(PaymentStatus))
    def move_payment(self, goal: PaymentStatus) -> None:
        allowed = goal in PAYMENT_TRANSITIONS[self.model_status]
        before = self.attendee
        self._try(
            lambda: change_payment_status(
                self.attendee, goal, reason="r", actor=ADMIN, now=self.now
            )
        )
        assert (self.attendee is not before) == allowed
        if allowed:
            self.model_status = goal

    @rule(late=st.booleans())
    def bill(self, late: bool) -> None:
        policy = BillingPolicy(bill_late_cancellations=late)
        candidate = bool(billing_candidates([self.attendee], policy))
        decision = request_payment(
            [self.attendee], request_id="req", actor=ADMIN, now=self.now, policy=policy
        )
        assert len(decision.state) == int(candidate)
        if candidate:
            self.attendee = decision.state[0]
            self.model_status = PaymentStatus.REQUESTED

    @invariant()
    def status_follows_the_table(self) -> None:
        assert self.attendee.payment_status is self.model_status

    @invariant()
    def consistent(self) -> None:
        a = self.attendee
        if a.refund_pending:
            assert a.payment_status is PaymentStatus.PAID
            assert a.attendance is AttendanceMark.EXCUSED
        late = lateness(a, SESSION)
        assert late is None or late >= timedelta(0)
        if a.attendance.attended:
            assert a.first_join is not None
        for candidate in billing_candidates([a], BillingPolicy()):
            assert candidate.payment_status is PaymentStatus.DUE


TestAttendeeMachine = AttendeeMachine.TestCase
TestAttendeeMachine.settings = settings(max_examples=60, stateful_step_count=40)
