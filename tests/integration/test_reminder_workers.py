"""Two monitors ticking at once emit each reminder once, on every adapter.

Five group sessions (London, starting across the night of the spring-forward
change) with a teacher and three booked students each; two monitors on one
store tick together in two threads every 15 minutes over 30 hours. Every
reminder (teacher and students, 24 h and 1 h before) goes out exactly once:
one ``reminder.due`` event per key, and the two reports' ``reminders_sent``
never share a key.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from booking_core import bootstrap
from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.clock import ManualClock
from booking_core.intervals import TimeWindow
from booking_core.reminders import ReminderDue
from booking_core.services.monitor import TickReport, TickStep

UTC = timezone.utc
T0 = datetime(2026, 3, 28, 0, 30, tzinfo=UTC)  # London springs forward on the 29th
STEP = timedelta(minutes=15)
SESSIONS = 5
STUDENTS = 3


def _setup(core: Any) -> None:
    for k in range(SESSIONS):
        start = T0 + timedelta(hours=25, minutes=37 * k)
        core.sessions.schedule(
            session_id=f"s-{k}",
            kind="group",
            teacher_id=f"t-{k}",
            course_id="piano",
            window=TimeWindow.of(start, timedelta(hours=1)),
            zone="Europe/London",
            capacity=STUDENTS,
            actor=Actor.teacher(f"t-{k}"),
        )
        for j in range(STUDENTS):
            student = f"st-{k}-{j}"
            core.bookings.book(f"s-{k}", student, actor=Actor.student(student))


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_two_monitors_ticking_at_once_emit_each_reminder_once(
    backend: str, make_uow_factory: Callable[[str, Any], Callable[[], Any]]
) -> None:
    publisher = InMemoryEventPublisher()
    uow_factory = make_uow_factory(backend, publisher)
    clock = ManualClock(T0)
    cores = [bootstrap(uow_factory=uow_factory, clock=clock) for _ in range(2)]
    _setup(cores[0])
    reports: list[list[TickReport]] = [[], []]
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def worker(index: int, now: datetime) -> None:
        try:
            barrier.wait()
            reports[index].append(cores[index].monitor.tick(now))
        except Exception as error:  # noqa: BLE001  # pragma: no cover - reported below
            failures.append(error)

    now = T0
    while now <= T0 + timedelta(hours=30):
        clock.set(now)
        threads = [threading.Thread(target=worker, args=(i, now)) for i in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        now += STEP
    assert failures == []

    due = [event for event in publisher.published if isinstance(event, ReminderDue)]
    counts = Counter(event.key for event in due)
    expected = SESSIONS * (1 + STUDENTS) * 2
    assert len(counts) == expected
    assert set(counts.values()) == {1}  # each reminder emitted once
    sent = [[key for r in rs for key in r.reminders_sent] for rs in reports]
    assert set(sent[0]).isdisjoint(sent[1])
    assert sorted(sent[0] + sent[1]) == sorted(counts)
    # a race lost is a skip of a reminder the other monitor sent at that tick
    for mine, theirs in ((reports[0], reports[1]), (reports[1], reports[0])):
        for report, other in zip(mine, theirs, strict=True):
            for step, key in report.skipped:
                if step is TickStep.REMINDERS:
                    assert key in other.reminders_sent
    for rs in reports:
        for report in rs:
            assert [e for e in report.errors if e.step is TickStep.REMINDERS] == []
    for event in due:  # never late by more than the policy, never after the start
        assert event.due_at <= event.occurred_at < event.due_at + timedelta(hours=1)
        assert event.occurred_at < event.start
