"""The monitor's reminders step: what it sends, skips, leaves alone and reports.

One group session in Kolkata (no DST) and one in London on the day it springs
forward, each with a booked student; races are staged by running a competing
change just before the step's claim transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from booking_core import bootstrap
from booking_core.actors import Actor
from booking_core.adapters.memory import (
    InMemoryEventPublisher,
    InMemoryStore,
    InMemoryUnitOfWork,
)
from booking_core.clock import ManualClock
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.reminders import (
    ReminderDue,
    ReminderPolicy,
    claim_reminder,
    sendable_reminders,
)
from booking_core.services import monitor as monitor_module
from booking_core.services import run_in_transaction
from booking_core.services.app import BookingCore
from booking_core.services.monitor import TickStep
from booking_core.zones import to_instant

UTC = timezone.utc
KOLKATA = to_instant(datetime(2026, 3, 29, 19, 0), "Asia/Kolkata")
LONDON = to_instant(datetime(2026, 3, 29, 18, 0), "Europe/London")  # BST, day 1
ONE_HOUR = ReminderPolicy(teacher=(), student=(timedelta(hours=1),))


class World:
    def __init__(self, policy: ReminderPolicy = ONE_HOUR) -> None:
        self.store = InMemoryStore()
        self.publisher = InMemoryEventPublisher()
        self.clock = ManualClock(KOLKATA - timedelta(days=2))
        self.core: BookingCore = bootstrap(
            uow_factory=self.uow,
            clock=self.clock,
            policies=Policies(reminders=policy),
        )
        for session_id, start, teacher, student, zone in (
            ("s-kol", KOLKATA, "ravi", "ann", "Asia/Kolkata"),
            ("s-lon", LONDON, "fay", "bob", "Europe/London"),
        ):
            self.core.sessions.schedule(
                session_id=session_id,
                kind="group",
                teacher_id=teacher,
                course_id="piano",
                window=TimeWindow.of(start, timedelta(hours=1)),
                zone=zone,
                capacity=2,
                actor=Actor.teacher(teacher),
            )
            self.core.bookings.book(session_id, student, actor=Actor.student(student))

    def uow(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store, self.publisher)

    def sent(self) -> list[str]:
        return [e.key for e in self.publisher.published if isinstance(e, ReminderDue)]


def _before_claims(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """Run ``action`` once, just before the first claim transaction."""
    real = run_in_transaction
    pending = [action]

    def run(*args: Any, **kwargs: Any) -> Any:
        while pending:
            pending.pop()()
        return real(*args, **kwargs)

    monkeypatch.setattr(monitor_module, "run_in_transaction", run)


def test_a_due_reminder_is_sent_once_then_left_alone() -> None:
    world = World(ReminderPolicy())
    now = KOLKATA - timedelta(minutes=59)
    world.clock.set(now)
    report = world.core.monitor.tick()
    keys = [
        "s-kol~student~ann~PT3600S~20260329T133000Z",
        "s-kol~teacher~ravi~PT3600S~20260329T133000Z",
    ]
    assert sorted(report.reminders_sent) == keys
    assert report.counts()["reminders_sent"] == 2
    assert "reminders_sent=2" in report.summary()
    assert sorted(world.sent()) == keys
    again = world.core.monitor.tick(now + timedelta(minutes=5))
    assert again.reminders_sent == ()
    assert again.skipped == ()
    with world.uow() as uow:
        claim = uow.reminders.find(keys[0])
    assert claim is not None
    assert claim.claimed_at == now


def test_london_reminders_follow_the_zone_across_the_spring_change() -> None:
    world = World(ReminderPolicy(student=(timedelta(hours=24),), teacher=()))
    # 24 h before 18:00 BST on the 29th is 17:00 UTC on the 28th (18:00 GMT)
    world.clock.set(datetime(2026, 3, 28, 17, 1, tzinfo=UTC))
    assert world.core.monitor.tick().reminders_sent == (
        "s-lon~student~bob~PT86400S~20260329T170000Z",
    )


def test_nothing_without_offsets_or_before_anything_is_due() -> None:
    off = World(ReminderPolicy(teacher=(), student=()))
    off.clock.set(KOLKATA - timedelta(minutes=30))
    assert off.core.monitor.tick().reminders_sent == ()
    early = World()
    early.clock.set(KOLKATA - timedelta(hours=3))
    assert early.core.monitor.tick().total == 0
    assert off.sent() == early.sent() == []


def test_a_reminder_another_worker_claims_first_is_a_skip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    world.clock.set(KOLKATA - timedelta(minutes=30))

    def claim_first() -> None:
        sessions = [world.core.sessions.get("s-kol")]
        due = sendable_reminders(
            sessions, {"s-kol": ["ann"]}, now=world.clock.now(), policy=ONE_HOUR
        )
        decision = claim_reminder(due[0], now=world.clock.now(), actor=Actor.system())
        with world.uow() as uow:
            uow.reminders.add(decision.state)
            uow.collect(decision.events)
            uow.commit()

    _before_claims(monkeypatch, claim_first)
    report = world.core.monitor.tick()
    key = "s-kol~student~ann~PT3600S~20260329T133000Z"
    assert report.reminders_sent == ()
    assert report.skipped == ((TickStep.REMINDERS, key),)
    assert world.sent() == [key]  # once, by the other worker


@pytest.mark.parametrize("change", ["cancel", "move", "unbook", "waitlisted"])
def test_a_session_closed_moved_or_a_student_gone_meanwhile_gets_nothing(
    monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    world = World()
    world.clock.set(KOLKATA - timedelta(minutes=30))

    def meanwhile() -> None:
        if change == "cancel":
            world.core.sessions.cancel(
                "s-kol", reason="teacher is ill", actor=Actor.teacher("ravi")
            )
            return
        with world.uow() as uow:
            if change == "move":
                session = uow.sessions.get("s-kol")
                later = TimeWindow.of(KOLKATA + timedelta(hours=2), timedelta(hours=1))
                uow.sessions.save(attrs.evolve(session, window=later))
            else:
                (booking,) = uow.bookings.of_session("s-kol")
                status = "cancelled" if change == "unbook" else "waitlisted"
                uow.bookings.save(attrs.evolve(booking, status=status))
            uow.commit()

    _before_claims(monkeypatch, meanwhile)
    report = world.core.monitor.tick()
    assert report.reminders_sent == ()
    assert report.skipped == ()
    assert report.errors == ()
    assert world.sent() == []


def test_a_failing_claim_is_an_error_unless_another_worker_sent_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    world.clock.set(KOLKATA - timedelta(minutes=30))
    key = "s-kol~student~ann~PT3600S~20260329T133000Z"

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(monitor_module, "run_in_transaction", broken)
    report = world.core.monitor.tick()
    (failed,) = report.errors
    assert (failed.step, failed.item_id, failed.code) == (
        TickStep.REMINDERS,
        key,
        "RuntimeError",
    )
    sessions = [world.core.sessions.get("s-kol")]
    due = sendable_reminders(
        sessions, {"s-kol": ["ann"]}, now=world.clock.now(), policy=ONE_HOUR
    )
    decision = claim_reminder(due[0], now=world.clock.now(), actor=Actor.system())

    def sent_elsewhere_then_broken(*_args: Any, **_kwargs: Any) -> Any:
        with world.uow() as uow:
            uow.reminders.add(decision.state)
            uow.commit()
        raise RuntimeError("the connection dropped after the other commit")

    monkeypatch.setattr(
        monitor_module, "run_in_transaction", sent_elsewhere_then_broken
    )
    again = world.core.monitor.tick()
    assert again.errors == ()
    assert again.skipped == ((TickStep.REMINDERS, key),)
