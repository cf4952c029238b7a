"""Claimed vs recorded times: a teacher who never came cannot log "joined at the start".

The attack of issue 19: after the end of a paid 1:1 the teacher, who never came,
records their own join claimed at the start. Live it is refused (the claim lies
an hour before its recording), as a correction it is refused (nobody corrects
their own presence); nothing stored changes, the outcome stays teacher no-show
and the escrow is refunded to the student, never released to the teacher.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from booking_core import bootstrap
from booking_core.actors import Actor, Role
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.attendance import (
    ParticipationEvent,
    ParticipationPolicy,
    SessionOutcome,
)
from booking_core.bookings.model import Booking
from booking_core.clock import ManualClock
from booking_core.errors import (
    ClaimTooOldError,
    NotSessionParticipantError,
    OwnPresenceCorrectionError,
)
from booking_core.intervals import TimeWindow
from booking_core.money import Money
from booking_core.policies import Policies
from booking_core.services.app import BookingCore

START = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
MIN = timedelta(minutes=1)
TEACHER = Actor.teacher("tina")
STUDENT = Actor.student("sam")


def _core(store: InMemoryStore, clock: ManualClock, **policies: Any) -> BookingCore:
    """A deployment over ``store``; its 1:1 at START is booked and paid."""
    gateway = FakePaymentGateway(secret=b"claimed-times-secret", clock=clock.now)
    core = bootstrap(
        uow_factory=lambda: InMemoryUnitOfWork(store),
        clock=clock,
        gateway=gateway,
        policies=Policies(**policies),
    )
    _paid_lesson(core, store, gateway)
    return core


def _paid_lesson(
    core: BookingCore, store: InMemoryStore, gateway: FakePaymentGateway
) -> None:
    """A 1:1 at START, booked and paid; teacher and student enrolled."""
    core.sessions.schedule(
        session_id="s-1",
        kind="one_on_one",
        teacher_id="tina",
        course_id="c-1",
        window=TimeWindow.of(START, HOUR),
        zone="Europe/London",
        actor=TEACHER,
    )
    with InMemoryUnitOfWork(store) as unit:
        unit.bookings.add(
            Booking(
                id="b-1",
                type="one_on_one",
                session_id="s-1",
                student_id="sam",
                teacher_id="tina",
                course_id="c-1",
                window=TimeWindow.of(START, HOUR),
                status="confirmed",
                created_at=core.clock.now(),
            )
        )
        unit.commit()
    record = core.payments.open_order(
        booking_id="b-1",
        teacher_id="tina",
        amount=Money.of("700.00", "INR"),
        starts_at=START,
    )
    assert record.order_id is not None
    gateway.pay(record.order_id)
    for body, signature in gateway.take_webhooks():
        core.payments.handle_webhook(body, signature)
    core.attendance.enrol("s-1", "tina", Role.TEACHER)
    core.attendance.enrol("s-1", "sam", Role.STUDENT)


def _stored(store: InMemoryStore) -> dict[str, Any]:
    with InMemoryUnitOfWork(store) as unit:
        return {
            name: unit.committed_all(name)
            for name in ("sessions", "bookings", "attendees")
        }


def test_a_teacher_who_never_came_cannot_claim_the_start_after_the_end() -> None:
    store = InMemoryStore()
    clock = ManualClock(START - 2 * HOUR)
    core = _core(store, clock)
    clock.set(START + 2 * MIN)
    joined = core.attendance.record(
        "s-1", "sam", "student", ParticipationEvent.joined(START + MIN), actor=STUDENT
    )
    (entry,) = joined.state.log
    assert (entry.at, entry.recorded_at, entry.recorded_by) == (
        START + MIN,
        START + 2 * MIN,
        STUDENT,
    )
    assert entry.reason is None
    clock.set(START + HOUR + 5 * MIN)
    before = _stored(store)
    claim = ParticipationEvent.joined(START)
    with pytest.raises(ClaimTooOldError) as live:
        core.attendance.record("s-1", "tina", "teacher", claim, actor=TEACHER)
    assert live.value.code == "attendance.claim_too_old"
    assert live.value.details["field"] == "entry.at"
    assert live.value.details["limit"] == "0:05:00"
    with pytest.raises(OwnPresenceCorrectionError) as corrected:
        core.attendance.correct(
            "s-1",
            "tina",
            "teacher",
            claim,
            reason="I was there, the provider lost my join",
            actor=TEACHER,
        )
    assert corrected.value.code == "attendance.own_correction"
    assert _stored(store) == before
    assert core.attendance.outcome("s-1").outcome is SessionOutcome.TEACHER_NO_SHOW
    clock.set(START + HOUR + 20 * MIN)
    report = core.monitor.tick()
    assert report.payments_released == ()
    assert report.payments_refunded == ("b-1",)
    journal = core.payments.journal
    assert journal.balance("wallet:tina") == 0
    assert journal.balance("escrow:tina") == 0


def test_teachers_correct_their_students_and_admins_anyone_with_a_reason() -> None:
    store = InMemoryStore()
    clock = ManualClock(START - 2 * HOUR)
    core = _core(store, clock)
    clock.set(START + 3 * HOUR)
    why = "the provider dropped the webhook"
    fixed = core.attendance.correct(
        "s-1",
        "sam",
        "student",
        ParticipationEvent.joined(START),
        reason=why,
        actor=TEACHER,
    )
    (event,) = fixed.events
    assert event.name == "attendee.participation_corrected"
    assert fixed.state.log[0].reason == why
    assert fixed.state.log[0].recorded_at == START + 3 * HOUR
    with pytest.raises(NotSessionParticipantError):  # another teacher
        core.attendance.correct(
            "s-1",
            "sam",
            "student",
            ParticipationEvent.left(START + HOUR),
            reason=why,
            actor=Actor.teacher("ted"),
        )
    admin = core.attendance.correct(
        "s-1",
        "tina",
        "teacher",
        ParticipationEvent.joined(START),
        reason=why,
        actor=Actor.admin("ops"),
    )
    assert admin.state.log[0].recorded_by == Actor.admin("ops")
    assert core.attendance.outcome("s-1").outcome is SessionOutcome.HELD


def test_the_claim_lag_is_a_policy() -> None:
    store = InMemoryStore()
    clock = ManualClock(START - 2 * HOUR)
    core = _core(store, clock, participation=ParticipationPolicy(claim_lag=20 * MIN))
    clock.set(START + 20 * MIN)
    ok = core.attendance.record(
        "s-1", "sam", "student", ParticipationEvent.joined(START), actor=STUDENT
    )
    assert ok.events
    with pytest.raises(ClaimTooOldError):
        core.attendance.record(
            "s-1",
            "tina",
            "teacher",
            ParticipationEvent.joined(START - timedelta(microseconds=1)),
            actor=TEACHER,
        )
