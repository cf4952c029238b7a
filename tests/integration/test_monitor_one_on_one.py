"""The monitor driving the real 1:1 service: undecided requests expire, series extend.

The scripted week (``test_monitor_week.py``) drives the 1:1 steps through a fake
so that its reports stay exact; this suite wires :class:`OneOnOneService` itself,
on memory and on a SQLite file, and checks the two steps end to end: what a
tick reports, that a second tick at the same instant does nothing, and that two
workers ticking at once do each transition once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from booking_core import bootstrap
from booking_core.actors import Actor
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.availability import WeeklyAvailability
from booking_core.availability.approval import ApprovalPolicy
from booking_core.availability.schedule import TeacherSchedule
from booking_core.bookings.model import BookingStatus
from booking_core.bookings.one_on_one import OneOnOnePolicy
from booking_core.clock import ManualClock
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.ports import UnitOfWork
from booking_core.recurrence import RecurrenceRule
from booking_core.services.monitor import Monitor, TickReport
from booking_core.services.one_on_one import OneOnOneService

UTC = timezone.utc
HOUR = timedelta(hours=1)
NOW = datetime(2026, 10, 19, 8, tzinfo=UTC)  # a Monday; London leaves BST on 25 Oct
LONDON = "Europe/London"
TEACHER = Actor.teacher("tina")


@dataclass
class Deployment:
    """The services a host wires, the monitor over them, and its clock."""

    clock: ManualClock
    one_on_one: OneOnOneService
    monitor: Monitor


def _deploy(uow: Callable[[], UnitOfWork]) -> Deployment:
    clock = ManualClock(NOW)
    core = bootstrap(
        uow_factory=uow,
        clock=clock,
        gateway=FakePaymentGateway(secret=b"webhook-secret-0123", clock=clock.now),
        policies=Policies(
            one_on_one=OneOnOnePolicy(approval=ApprovalPolicy(courses={"math": True})),
            series_horizon=timedelta(weeks=2),
        ),
    )
    return Deployment(clock=clock, one_on_one=core.one_on_one, monitor=core.monitor)


def memory(_tmp: Path) -> Deployment:
    store = InMemoryStore()
    return _deploy(lambda: InMemoryUnitOfWork(store))


def sqlite(tmp: Path) -> Deployment:
    database = SqliteDatabase(tmp / "monitor.sqlite3")
    return _deploy(lambda: SqliteUnitOfWork(database))


@pytest.fixture(params=[memory, sqlite], ids=["memory", "sqlite"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Deployment:
    deployment: Deployment = request.param(tmp_path)
    deployment.one_on_one.set_schedule(
        TeacherSchedule(
            id="tina",
            zone=LONDON,
            availability=tuple(
                WeeklyAvailability(
                    weekday=day, start=time(9), end=time(17), zone=LONDON
                )
                for day in range(5)
            ),
        ),
        actor=TEACHER,
    )
    # Tuesday 20 Oct 10:00 BST: needs approval (math); undecided, it expires
    # at the session start (earlier than created + 48 h).
    deployment.one_on_one.request(
        teacher_id="tina",
        student_id="ann",
        course_id="math",
        slot=TimeWindow.of(datetime(2026, 10, 20, 9, tzinfo=UTC), HOUR),
        actor=Actor.student("ann"),
        booking_id="b-ann",
    )
    # An unbounded weekly series, Wednesdays 16:00 London, across the DST change.
    deployment.one_on_one.create_series(
        teacher_id="tina",
        student_id="bob",
        course_id="music",
        rule=RecurrenceRule.parse("FREQ=WEEKLY"),
        start=datetime(2026, 10, 21, 16),
        zone=LONDON,
        duration=HOUR,
        until=NOW + timedelta(weeks=2),
        actor=Actor.student("bob"),
        series_id="series-bob",
    )
    return deployment


def test_a_tick_expires_undecided_requests_and_extends_series(
    world: Deployment,
) -> None:
    before = world.one_on_one.get_series("series-bob")
    quiet = world.monitor.tick()  # nothing due yet: the series reaches NOW + 2 w
    assert quiet.total == 0
    assert quiet.errors == ()

    # Two days after the request's session start: its deadline has passed, and
    # the horizon (now + 2 weeks) reaches Wednesday 4 November.
    at = datetime(2026, 10, 22, 9, tzinfo=UTC)
    world.clock.set(at)
    report = world.monitor.tick()
    assert report.approvals_expired == ("b-ann",)
    assert report.series_extended == ("series-bob",)
    assert report.errors == ()
    assert world.one_on_one.get("b-ann").status is BookingStatus.EXPIRED
    after = world.one_on_one.get_series("series-bob")
    assert len(after.items) == len(before.items) + 1
    indexes = [item.occurrence_index for item in after.items]
    assert indexes == sorted(set(indexes))
    # 16:00 London on every Wednesday, before and after the end of BST.
    zone = ZoneInfo(after.zone)
    local = [item.original_start.astimezone(zone) for item in after.items]
    assert {(t.weekday(), t.hour, t.minute) for t in local} == {(2, 16, 0)}
    assert {t.utcoffset() for t in local} == {timedelta(hours=1), timedelta(0)}

    again = world.monitor.tick()
    assert again.total == 0
    assert again.errors == ()
    assert world.one_on_one.get_series("series-bob") == after


def test_two_workers_do_each_transition_once(world: Deployment) -> None:
    at = datetime(2026, 10, 20, 9, tzinfo=UTC)
    world.clock.set(at)
    reports: list[TickReport] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        barrier.wait()
        reports.append(world.monitor.tick())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(report.errors == () for report in reports)
    expired = [b for report in reports for b in report.approvals_expired]
    assert expired == ["b-ann"]
    assert world.one_on_one.get("b-ann").status is BookingStatus.EXPIRED
    assert world.monitor.tick().total == 0
