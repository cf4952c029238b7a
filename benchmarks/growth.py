"""What a teacher's history costs the commands that should not read it.

Every case runs the same command in two worlds that differ only by ``H``, the
teacher's history: H past 1:1 sessions, each settled the way a platform settles
it (the session completed, the booking confirmed, the teacher and the student
attended, the payment captured and released to the teacher's wallet: five
ledger entries). Both worlds have the same present: the teacher's weekly
schedule and 20 upcoming confirmed 1:1 bookings in the listed week. The
command's own work is identical in both, so ``ratio`` is what the history adds;
the target is <= 1.3 at H = 50,000.

Cases, for ``memory`` (the in-memory store) and ``sqlite`` (a SQLite file):

* ``growth.one_on_one_slots.<store>.<H>``: a week's slot listing
  (``OneOnOneService.slots``);
* ``growth.one_on_one_request_cancel.<store>.<H>``: one 1:1 request (confirmed
  at once) and its cancellation;
* ``growth.monitor_tick_idle.<store>.<H>``: a monitor tick with nothing due;

each against ``case:…0``, the same command in the world with H = 0.

The history is made once through the public services (one session, lived
through schedule, booking, order, capture webhook, attendance and the monitor's
completion and settlement) and then copied H times under new ids and earlier
times with staged writes through the public unit of work (the same aggregates
the services would store, without paying for H lifecycles). By default both
worlds hold H = 50,000, the issue's target size (about three minutes: building
50,000 settled sessions is 500,000 aggregates; the commands read only their
window or due set, so ``--memory-history``/``--sqlite-history`` with a smaller
H shows the same ratio sooner). Medians of interleaved rounds (the two worlds
take turns).
"""

from __future__ import annotations

import argparse
import enum
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from datetime import time as wall_time
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(0, str(Path(__file__).parent))

from _common import report

from booking_core import BookingCore, bootstrap
from booking_core.actors import Actor, Role
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.attendance.model import ParticipationEvent
from booking_core.availability import WeeklyAvailability
from booking_core.availability.schedule import TeacherSchedule
from booking_core.bookings.model import Booking
from booking_core.clock import ManualClock
from booking_core.intervals import TimeWindow
from booking_core.money import Money
from booking_core.ports import UnitOfWork

NOW = datetime(2026, 6, 1, 7, tzinfo=timezone.utc)  # a Monday, 08:00 in London
ZONE = "Europe/London"
HOUR = timedelta(hours=1)
TEACHER = "t-1"
TEACHER_ACTOR = Actor.teacher(TEACHER)
SYSTEM = Actor.system()
WEEK = (date(2026, 6, 8), date(2026, 6, 14))
UPCOMING = 20
STUDENTS = 500
TEMPLATE_START = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
BATCH = 2000
ROUNDS = 7

Factory = Callable[[], UnitOfWork]


def _core(uow_factory: Factory, clock: ManualClock) -> tuple[BookingCore, Any]:
    gateway = FakePaymentGateway(secret=b"growth-webhook-secret", clock=clock.now)
    return bootstrap(uow_factory=uow_factory, clock=clock, gateway=gateway), gateway


# -- the history: one settled session, lived through the services ---------------


def _settled_session() -> dict[str, list[Any]]:
    """Every aggregate one settled 1:1 session leaves behind, by collection."""
    store = InMemoryStore()
    clock = ManualClock(TEMPLATE_START - 2 * timedelta(days=1))
    core, gateway = _core(lambda: InMemoryUnitOfWork(store), clock)
    core.sessions.schedule(
        session_id="tpl-s",
        kind="one_on_one",
        teacher_id=TEACHER,
        course_id="c-1",
        window=TimeWindow.of(TEMPLATE_START, HOUR),
        zone=ZONE,
        capacity=1,
        actor=TEACHER_ACTOR,
    )
    with InMemoryUnitOfWork(store) as uow:  # as the 1:1 service stores it
        session = uow.sessions.get("tpl-s")
        uow.bookings.add(
            Booking(
                id="tpl-b",
                type="one_on_one",
                session_id="tpl-s",
                student_id="tpl-student",
                teacher_id=TEACHER,
                course_id="c-1",
                window=session.window,
                status="confirmed",
                created_at=clock.now(),
            )
        )
        uow.commit()
    record = core.payments.open_order(
        booking_id="tpl-b",
        teacher_id=TEACHER,
        amount=Money.of("700.00", "INR"),
        starts_at=TEMPLATE_START,
    )
    assert record.order_id is not None
    gateway.pay(record.order_id)
    for body, signature in gateway.take_webhooks():
        core.payments.handle_webhook(body, signature)
    core.attendance.enrol("tpl-s", TEACHER, Role.TEACHER)
    core.attendance.enrol("tpl-s", "tpl-student", Role.STUDENT)
    clock.set(TEMPLATE_START)
    for who, role in ((TEACHER, Role.TEACHER), ("tpl-student", Role.STUDENT)):
        core.attendance.record(
            "tpl-s", who, role, ParticipationEvent.joined(TEMPLATE_START), actor=SYSTEM
        )
    clock.set(TEMPLATE_START + timedelta(days=3))
    summary = core.monitor.tick().summary()
    assert "sessions_completed=1" in summary, summary
    assert "payments_released=1" in summary, summary
    payment = store.collection("booking_payments")["tpl-b"]
    markers = {"tpl-": "tpl-"}
    if payment.order_id is not None:
        markers[payment.order_id] = "order-"
    if payment.payment is not None:
        markers[payment.payment.id] = "pay-"
    copied = {
        name: [a for a in aggregates.values() if any(m in a.id for m in markers)]
        for name, aggregates in store.collections.items()
    }
    return {name: found for name, found in copied.items() if found}


class _Copier:
    """Copies of the template under the ids and times of history item ``n``."""

    def __init__(self, template: dict[str, list[Any]]) -> None:
        self.template = template
        payment = template["booking_payments"][0]
        self.markers = [("tpl-student", "")]
        if payment.payment is not None:
            self.markers.append((payment.payment.id, "pay-"))
        if payment.order_id is not None:
            self.markers.append((payment.order_id, "order-"))
        self.markers.append(("tpl-", ""))
        self.n = 0
        self.shift = timedelta(0)
        self.strings: dict[str, str] = {}
        self.times: dict[datetime, datetime] = {}

    def copies(self, n: int) -> Iterator[tuple[str, Any]]:
        """Every aggregate of history item ``n`` (``n`` hours before the week)."""
        self.n = n
        # Past sessions: one an hour going back from a week before now.
        self.shift = (NOW - timedelta(days=7) - TEMPLATE_START) - n * HOUR
        self.strings.clear()
        self.times.clear()
        for name, aggregates in self.template.items():
            for aggregate in aggregates:
                yield name, self._copy(aggregate)

    def _string(self, value: str) -> str:
        found = self.strings.get(value)
        if found is None:
            found = value
            for marker, prefix in self.markers:
                if marker in found:
                    if marker == "tpl-student":
                        replacement = f"s-{self.n % STUDENTS}"
                    else:
                        replacement = f"{prefix}h{self.n}-"
                    found = found.replace(marker, replacement)
            self.strings[value] = found
        return found

    def _copy(self, value: Any) -> Any:  # noqa: PLR0911 -- one branch per kind
        if isinstance(value, str):
            return self._string(value)
        if isinstance(value, datetime):
            found = self.times.get(value)
            if found is None:
                found = self.times[value] = value + self.shift
            return found
        if isinstance(value, (enum.Enum, int, timedelta)) or value is None:
            return value
        if isinstance(value, tuple):
            return tuple(self._copy(item) for item in value)
        if isinstance(value, frozenset):
            return frozenset(self._copy(item) for item in value)
        if attrs.has(type(value)):
            changes = {}
            for field in attrs.fields(type(value)):
                if not field.init:
                    continue
                old = getattr(value, field.name)
                new = self._copy(old)
                if new is not old:
                    changes[field.alias or field.name] = new
            return attrs.evolve(value, **changes) if changes else value
        return value


# -- the worlds -------------------------------------------------------------------


def _schedule() -> TeacherSchedule:
    return TeacherSchedule(
        id=TEACHER,
        zone=ZONE,
        availability=[
            WeeklyAvailability(
                weekday=d, start=wall_time(8), end=wall_time(20), zone=ZONE
            )
            for d in range(7)
        ],
    )


class World:
    """A platform with the teacher's history of ``history`` settled sessions."""

    def __init__(
        self, kind: str, history: int, template: dict[str, list[Any]], tmp: str
    ) -> None:
        self.kind = kind
        self.history = history
        self.clock = ManualClock(NOW)
        if kind == "memory":
            store = InMemoryStore()
            self.uow: Factory = lambda: InMemoryUnitOfWork(store)
        else:
            database = SqliteDatabase(str(Path(tmp) / f"growth-{history}.sqlite3"))
            self.uow = lambda: SqliteUnitOfWork(database)
        self.core, _ = _core(self.uow, self.clock)
        self._stage_history(template)
        self.core.one_on_one.set_schedule(_schedule(), actor=TEACHER_ACTOR)
        for n in range(UPCOMING):
            day = datetime.combine(WEEK[0], wall_time(9), tzinfo=timezone.utc)
            slot = TimeWindow.of(day + timedelta(days=n % 7, hours=n // 7 * 2), HOUR)
            self.core.one_on_one.request(
                teacher_id=TEACHER,
                student_id=f"s-{n}",
                course_id="c-1",
                slot=slot,
                actor=Actor.student(f"s-{n}"),
                booking_id=f"upcoming-{n}",
            )
        self.requests = 0
        assert self.core.monitor.tick().summary().endswith("nothing due")

    def _stage_history(self, template: dict[str, list[Any]]) -> None:
        copier = _Copier(template)
        for first in range(0, self.history, BATCH):
            with self.uow() as uow:
                for n in range(first, min(first + BATCH, self.history)):
                    for name, aggregate in copier.copies(n):
                        uow.repository(name, type(aggregate)).add(aggregate)  # type: ignore[attr-defined]
                uow.commit()

    def slots(self) -> object:
        """The week's slots."""
        return self.core.one_on_one.slots(TEACHER, WEEK[0], WEEK[1], HOUR)

    def request_cancel(self) -> object:
        """One request (confirmed at once) and its cancellation."""
        self.requests += 1
        n = self.requests
        slot = TimeWindow.of(
            datetime.combine(WEEK[0], wall_time(17), tzinfo=timezone.utc)
            + timedelta(days=n % 7),
            HOUR,
        )
        student = Actor.student(f"late-{n}")
        booking = self.core.one_on_one.request(
            teacher_id=TEACHER,
            student_id=student.user_id,
            course_id="c-1",
            slot=slot,
            actor=student,
            booking_id=f"late-{n}",
        ).state
        return self.core.one_on_one.cancel(
            booking.id, reason="changed plans", actor=student
        )

    def tick(self) -> object:
        """A monitor tick with nothing due."""
        return self.core.monitor.tick()


def _interleaved(
    small: Callable[[], object], large: Callable[[], object]
) -> tuple[float, float]:
    small(), large()  # warm up
    small_runs: list[float] = []
    large_runs: list[float] = []
    for _ in range(ROUNDS):
        for func, runs in ((small, small_runs), (large, large_runs)):
            start = time.perf_counter()
            func()
            runs.append(time.perf_counter() - start)
    return statistics.median(small_runs), statistics.median(large_runs)


def main() -> None:
    """Print one JSON line per case and store."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-history", type=int, default=50_000)
    parser.add_argument("--sqlite-history", type=int, default=50_000)
    args = parser.parse_args()
    template = _settled_session()
    with tempfile.TemporaryDirectory() as tmp:
        for kind, history in (
            ("memory", args.memory_history),
            ("sqlite", args.sqlite_history),
        ):
            built = time.perf_counter()
            empty = World(kind, 0, template, tmp)
            full = World(kind, history, template, tmp)
            build_s = round(time.perf_counter() - built, 1)
            for case, name in (
                ("one_on_one_slots", "slots"),
                ("one_on_one_request_cancel", "request_cancel"),
                ("monitor_tick_idle", "tick"),
            ):
                small_s, large_s = _interleaved(
                    getattr(empty, name), getattr(full, name)
                )
                report(
                    f"growth.{case}.{kind}.{history}",
                    large_s,
                    f"case:growth.{case}.{kind}.0",
                    small_s,
                    target_ratio=1.3,
                    build_s=build_s,
                )


if __name__ == "__main__":
    main()
