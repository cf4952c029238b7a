"""A scripted week for the monitor: every time-driven transition falls due once.

The week of 22-29 October 2026 crosses the end of British Summer Time (Sunday
25 October, 02:00 BST -> 01:00 GMT; the London group class runs 01:15 BST to
01:15 GMT, across the fold). Asia/Kolkata has no DST. Ticks run at scripted
instants; each gives the expected report, a second tick at the same instant does
nothing, and two workers ticking at once (in memory and on a SQLite file) end in
exactly the stored state one worker leaves.
"""

from __future__ import annotations

import itertools
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

from booking_core import bootstrap
from booking_core.actors import Actor, Role
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.memory import (
    InMemoryEventPublisher,
    InMemoryStore,
    InMemoryUnitOfWork,
)
from booking_core.adapters.sql import SqlUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.attendance.model import ParticipationEvent
from booking_core.bookings.model import Booking, BookingStatus
from booking_core.bookings.policies import WaitlistPolicy
from booking_core.clock import ManualClock
from booking_core.events import Decision, DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.money import Money
from booking_core.policies import Policies
from booking_core.recurrence import RecurrenceRule
from booking_core.reminders import ReminderPolicy
from booking_core.series import BookingSeries
from booking_core.services.attendance import AttendanceService
from booking_core.services.booking import BookingService
from booking_core.services.monitor import Monitor, TickReport
from booking_core.services.payments import PaymentService
from booking_core.services.sessions import SessionService
from booking_core.sessions import SessionStatus
from booking_core.zones import get_zone, to_instant

# A unit of work of either adapter (each has the named repositories).
Unit = InMemoryUnitOfWork | SqlUnitOfWork
UTC = timezone.utc
HOUR = timedelta(hours=1)
TINA = Actor.teacher("tina")  # teaches in London
KIRAN = Actor.teacher("kiran")  # teaches in Kolkata
SYSTEM = Actor.system()


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


# The London class starts Sunday 25 Oct 01:15 in the *first* (BST) fold and
# ends an hour later at 01:15 GMT, the second one.
FOLD_START = to_instant(
    datetime(2026, 10, 25, 1, 15), "Europe/London", disambiguate="earlier"
)
KOLKATA_EVENING = to_instant(datetime(2026, 10, 26, 19, 0), "Asia/Kolkata")
KOLKATA_MORNING = to_instant(datetime(2026, 10, 27, 10, 0), "Asia/Kolkata")
KOLKATA_NOON = to_instant(datetime(2026, 10, 29, 12, 0), "Asia/Kolkata")


@dataclass
class FakeOneOnOne:
    """The 1:1 service's two monitor steps, with scripted deadlines.

    Thread-safe and idempotent like the real one: a due item is claimed once.
    """

    approvals: dict[str, datetime] = field(default_factory=dict)
    horizons: dict[str, datetime] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _claim(self, due: dict[str, datetime], now: datetime) -> list[str]:
        with self.lock:
            ready = [key for key, at in sorted(due.items()) if at <= now]
            fresh = [key for key in ready if key not in self.claimed]
            self.claimed.update(fresh)
            return fresh

    def expire_undecided(self, *, now: datetime) -> tuple[Decision[Booking], ...]:
        return tuple(
            Decision(
                state=Booking(
                    id=key,
                    type="one_on_one",
                    session_id=f"slot-{key}",
                    student_id="ida",
                    teacher_id="tina",
                    course_id="c-1",
                    window=TimeWindow.of(utc(30, 9), HOUR),
                    status="expired",
                    created_at=utc(22, 8),
                )
            )
            for key in self._claim(self.approvals, now)
        )

    def extend_series(self, *, now: datetime) -> tuple[Decision[BookingSeries], ...]:
        return tuple(
            Decision(
                state=BookingSeries(
                    id=key,
                    teacher_id="tina",
                    student_id="jon",
                    rule=RecurrenceRule.parse("FREQ=WEEKLY"),
                    first_start=utc(20, 9),
                    zone="Europe/London",
                    duration=HOUR,
                    expanded_until=now + timedelta(days=56),
                    created_at=utc(1, 9),
                    created_by=TINA,
                )
            )
            for key in self._claim(self.horizons, now)
        )


@dataclass
class World:
    """One booking_core deployment: services, a monitor, a payment flow."""

    uow: Callable[[], Unit]
    clock: ManualClock
    bookings: BookingService
    sessions: SessionService
    attendance: AttendanceService
    payments: PaymentService
    gateway: FakePaymentGateway
    one_on_one: FakeOneOnOne
    publisher: InMemoryEventPublisher
    ids: dict[str, str] = field(default_factory=dict)

    def monitor(self) -> Monitor:
        return Monitor(
            uow_factory=self.uow,
            clock=self.clock,
            booking_service=self.bookings,
            session_service=self.sessions,
            attendance_service=self.attendance,
            payment_service=self.payments,
            one_on_one=self.one_on_one,
        )

    def snapshot(self) -> dict[str, Any]:
        """Everything stored: aggregates with versions, events, money."""
        with self.uow() as unit:
            stored = {
                name: unit.committed_all(name)
                for name in ("sessions", "bookings", "attendees", "booking_commands")
            }
        return {
            "stored": stored,
            "events": sorted(_content(event) for event in self.publisher.published),
            "payments": self.payments.bookings(),
            "balances": dict(self.payments.journal.balances()),
        }


def _content(event: DomainEvent) -> str:
    """An event without its random id."""
    fields = attrs.asdict(
        event, recurse=False, filter=lambda a, _: a.name != "event_id"
    )
    return f"{type(event).__name__}{sorted(fields.items(), key=lambda kv: kv[0])!r}"


def memory_world(_tmp: Path) -> World:
    store = InMemoryStore()
    publisher = InMemoryEventPublisher()
    return _world(lambda: InMemoryUnitOfWork(store, publisher), publisher)


def sqlite_world(tmp: Path) -> World:
    database = SqliteDatabase(tmp / "week.sqlite3")
    publisher = InMemoryEventPublisher()
    return _world(lambda: SqliteUnitOfWork(database, publisher), publisher)


def postgres_world(_tmp: Path) -> World:
    from booking_core.adapters.postgres import PostgresDatabase, PostgresUnitOfWork

    schema = f"week_{uuid.uuid4().hex[:12]}"
    database = PostgresDatabase(os.environ["BOOKING_CORE_PG_DSN"], schema=schema)
    _OPEN.append(database)
    publisher = InMemoryEventPublisher()
    return _world(lambda: PostgresUnitOfWork(database, publisher), publisher)


_OPEN: list[Any] = []


@pytest.fixture(autouse=True)
def _close_databases() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def _world(
    uow: Callable[[], Unit],
    publisher: InMemoryEventPublisher,
) -> World:
    clock = ManualClock(utc(22, 8))
    counter = itertools.count(1)
    gateway = FakePaymentGateway(secret=b"week-webhook-secret", clock=clock.now)
    core = bootstrap(
        uow_factory=uow,
        clock=clock,
        gateway=gateway,
        policies=Policies(
            waitlist=WaitlistPolicy(mode="offer", offer_ttl=12 * HOUR),
            # reminders have their own week (tests/integration/test_reminder_workers.py)
            reminders=ReminderPolicy(teacher=(), student=()),
        ),
        new_id=lambda: f"b-{next(counter)}",
    )
    return World(
        uow=uow,
        clock=clock,
        bookings=core.bookings,
        sessions=core.sessions,
        attendance=core.attendance,
        payments=core.payments,
        gateway=gateway,
        one_on_one=FakeOneOnOne(
            approvals={"b-pending": utc(23, 12)},
            horizons={"series-jon": utc(26, 0)},
        ),
        publisher=publisher,
    )


# -- the script -------------------------------------------------------------------


def schedule(
    world: World,
    session_id: str,
    *,
    kind: str,
    teacher: Actor,
    start: datetime,
    zone: str,
    capacity: int = 1,
) -> None:
    world.sessions.schedule(
        session_id=session_id,
        kind=kind,  # type: ignore[arg-type]
        teacher_id=teacher.user_id,
        course_id="c-1",
        window=TimeWindow.of(start, HOUR),
        zone=zone,
        capacity=capacity,
        waitlist_enabled=kind == "group",
        actor=teacher,
    )


def one_on_one(world: World, booking_id: str, session_id: str, student: str) -> None:
    """Store a confirmed 1:1 booking as the 1:1 service would."""
    with world.uow() as unit:
        session = unit.sessions.get(session_id)
        unit.bookings.add(
            Booking(
                id=booking_id,
                type="one_on_one",
                session_id=session_id,
                student_id=student,
                teacher_id=session.teacher_id,
                course_id=session.course_id,
                window=session.window,
                status="confirmed",
                created_at=world.clock.now(),
            )
        )
        unit.commit()


def pay(world: World, booking_id: str, teacher: str, start: datetime) -> None:
    record = world.payments.open_order(
        booking_id=booking_id,
        teacher_id=teacher,
        amount=Money.of("700.00", "INR"),
        starts_at=start,
    )
    assert record.order_id is not None
    world.gateway.pay(record.order_id)
    for body, signature in world.gateway.take_webhooks():
        world.payments.handle_webhook(body, signature)


def enrol_and_join(
    world: World, session_id: str, joins: dict[tuple[str, Role], datetime | None]
) -> None:
    for who, role in joins:
        world.attendance.enrol(session_id, who, role)
    for (who, role), at in sorted(
        joins.items(), key=lambda item: (item[1] or utc(31, 0), item[0])
    ):
        if at is not None:
            world.clock.set(at)
            world.attendance.record(
                session_id, who, role, ParticipationEvent.joined(at), actor=SYSTEM
            )


def setup_week(world: World) -> None:
    """Thursday 22 Oct 08:00 UTC: the week's sessions, bookings and payments."""
    world.clock.set(utc(22, 8))
    schedule(
        world,
        "g-london",
        kind="group",
        teacher=TINA,
        start=FOLD_START,
        zone="Europe/London",
    )
    schedule(
        world,
        "l-london",
        kind="one_on_one",
        teacher=TINA,
        start=utc(25, 9),
        zone="Europe/London",
    )
    schedule(
        world,
        "k-missed",
        kind="one_on_one",
        teacher=KIRAN,
        start=KOLKATA_EVENING,
        zone="Asia/Kolkata",
    )
    schedule(
        world,
        "k-group",
        kind="group",
        teacher=KIRAN,
        start=KOLKATA_MORNING,
        zone="Asia/Kolkata",
        capacity=5,
    )
    schedule(
        world,
        "r-approve",
        kind="one_on_one",
        teacher=TINA,
        start=utc(28, 18),
        zone="Europe/London",
    )
    schedule(
        world,
        "r-lapse",
        kind="one_on_one",
        teacher=KIRAN,
        start=KOLKATA_NOON,
        zone="Asia/Kolkata",
    )
    for name in ("ann", "bob", "cat"):
        booked = world.bookings.book("g-london", name, actor=Actor.student(name))
        world.ids[name] = booked.state.id
    fay = world.bookings.book("k-group", "fay", actor=Actor.student("fay"))
    world.ids["fay"] = fay.state.id
    one_on_one(world, "b-dan", "l-london", "dan")
    one_on_one(world, "b-eve", "k-missed", "eve")
    one_on_one(world, "b-gus", "r-approve", "gus")
    one_on_one(world, "b-hal", "r-lapse", "hal")
    pay(world, world.ids["cat"], "tina", FOLD_START)
    pay(world, "b-dan", "tina", utc(25, 9))
    pay(world, "b-eve", "kiran", KOLKATA_EVENING)
    pay(world, world.ids["fay"], "kiran", KOLKATA_MORNING)
    world.sessions.request_reschedule(
        "r-approve",
        reason="exam clash on Wednesday",
        new_start=utc(29, 18),
        actor=Actor.student("gus"),
    )
    # ann gives her seat up: bob, first in line, is offered it for 12 hours.
    world.clock.set(utc(22, 9))
    world.bookings.cancel(world.ids["ann"], actor=Actor.student("ann"))


def cat_accepts(world: World) -> None:
    world.clock.set(utc(23, 8, 30))
    world.bookings.accept_offer(world.ids["cat"], actor=Actor.student("cat"))


def hal_asks(world: World) -> None:
    world.clock.set(utc(23, 10))
    world.sessions.request_reschedule(
        "r-lapse", reason="travelling that week", actor=Actor.student("hal")
    )


def london_class_runs(world: World) -> None:
    enrol_and_join(
        world,
        "g-london",
        {("tina", Role.TEACHER): FOLD_START, ("cat", Role.STUDENT): FOLD_START},
    )


def london_one_on_one_runs(world: World) -> None:
    # The teacher comes, the student never does.
    enrol_and_join(
        world,
        "l-london",
        {("tina", Role.TEACHER): utc(25, 9), ("dan", Role.STUDENT): None},
    )


def kolkata_evening_empty(world: World) -> None:
    enrol_and_join(
        world,
        "k-missed",
        {("kiran", Role.TEACHER): None, ("eve", Role.STUDENT): None},
    )


def kolkata_morning_no_teacher(world: World) -> None:
    enrol_and_join(
        world,
        "k-group",
        {("kiran", Role.TEACHER): None, ("fay", Role.STUDENT): KOLKATA_MORNING},
    )


Step = Callable[[World], None] | datetime


def script() -> Iterator[Step]:
    """Host actions (callables) and tick instants, in time order."""
    yield setup_week
    yield utc(22, 12)  # nothing is due yet
    yield utc(22, 21)  # bob's offer expires, cat is offered the seat
    yield cat_accepts
    yield utc(23, 8)  # gus's request was not answered in 24 h: approved
    yield hal_asks
    yield utc(23, 12)  # the pending 1:1 approval expires
    yield utc(24, 10)  # hal's request (no new time) lapses
    yield london_class_runs
    yield FOLD_START + timedelta(minutes=30)  # class joined: not a no-show
    yield FOLD_START + HOUR + timedelta(minutes=15)  # grace over: completes
    yield london_one_on_one_runs
    yield utc(25, 10, 15)  # 1:1 completes: student no-show, teacher paid
    yield utc(26, 0)  # the series extends its horizon
    yield kolkata_evening_empty
    yield KOLKATA_EVENING + timedelta(minutes=30)  # nobody came: missed, refunded
    yield kolkata_morning_no_teacher
    yield KOLKATA_MORNING + timedelta(minutes=30)  # a student joined: wait
    yield KOLKATA_MORNING + HOUR + timedelta(minutes=15)  # teacher no-show
    yield utc(28, 23, 59)  # the rest of the week: nothing


def expected(world: World) -> dict[datetime, dict[str, tuple[str, ...]]]:
    """The non-empty report fields per tick instant (everything else empty)."""
    ids = world.ids
    return {
        utc(22, 12): {},
        utc(22, 21): {
            "offers_expired": (ids["bob"],),
            "offers_passed_on": (ids["cat"],),
        },
        utc(23, 8): {"reschedules_approved": ("r-approve",)},
        utc(23, 12): {"approvals_expired": ("b-pending",)},
        utc(24, 10): {"reschedules_lapsed": ("r-lapse",)},
        FOLD_START + timedelta(minutes=30): {},
        FOLD_START + HOUR + timedelta(minutes=15): {
            "sessions_completed": ("g-london",),
            "payments_released": (ids["cat"],),
        },
        utc(25, 10, 15): {
            "sessions_completed": ("l-london",),
            "payments_released": ("b-dan",),
        },
        utc(26, 0): {"series_extended": ("series-jon",)},
        KOLKATA_EVENING + timedelta(minutes=30): {
            "sessions_missed": ("k-missed",),
            "payments_refunded": ("b-eve",),
        },
        KOLKATA_MORNING + timedelta(minutes=30): {},
        KOLKATA_MORNING + HOUR + timedelta(minutes=15): {
            "sessions_completed": ("k-group",),
            "payments_refunded": (ids["fay"],),
        },
        utc(28, 23, 59): {},
    }


def done(report: TickReport) -> dict[str, tuple[str, ...]]:
    return {name: getattr(report, name) for name, n in report.counts().items() if n}


def tick_together(world: World, workers: int) -> list[TickReport]:
    """``workers`` monitors tick at the clock's now at once, one thread each."""
    monitors = [world.monitor() for _ in range(workers)]
    barrier = threading.Barrier(workers)

    def run(monitor: Monitor) -> TickReport:
        barrier.wait()
        return monitor.tick()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, monitors))


def run_week(
    world: World, *, workers: int = 1, twice: bool = False
) -> dict[datetime, list[TickReport]]:
    reports: dict[datetime, list[TickReport]] = {}
    for step in script():
        if callable(step):
            step(world)
            continue
        world.clock.set(step)
        if workers == 1:
            reports[step] = [world.monitor().tick()]
        else:
            reports[step] = tick_together(world, workers)
        if twice:
            before = world.snapshot()
            again = world.monitor().tick()
            assert done(again) == {}, (step, again)
            assert again.errors == ()
            assert world.snapshot() == before, step
    return reports


WORLDS = [
    pytest.param(memory_world, id="memory"),
    pytest.param(sqlite_world, id="sqlite-file"),
    pytest.param(postgres_world, id="postgres"),
]


def _needs(make: Callable[[Path], World], request: pytest.FixtureRequest) -> None:
    if make is postgres_world:
        request.getfixturevalue("postgres_dsn")  # starts or names the server


@pytest.mark.parametrize("make", WORLDS)
def test_each_tick_reports_what_fell_due_and_a_second_tick_does_nothing(
    make: Callable[[Path], World], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    _needs(make, request)
    world = make(tmp_path)
    reports = run_week(world, twice=True)
    want = expected(world)
    assert list(reports) == list(want)
    for now, (report,) in reports.items():
        assert done(report) == want[now], now
        assert report.errors == ()
        assert report.skipped == ()
        assert report.now == now


@pytest.mark.parametrize("make", WORLDS)
def test_the_week_ends_in_the_expected_state(
    make: Callable[[Path], World], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    _needs(make, request)
    world = make(tmp_path)
    run_week(world)
    with world.uow() as unit:
        sessions = unit.sessions
        bookings = unit.bookings
        statuses = {
            sid: sessions.get(sid).status
            for sid in ("g-london", "l-london", "k-missed", "k-group", "r-lapse")
        }
        moved = sessions.get("r-approve")
        lapsed = sessions.get("r-lapse")
        offers = {name: bookings.get(world.ids[name]).status for name in ("bob", "cat")}
        attendees = unit.attendees.of_session("g-london")
    assert statuses == {
        "g-london": SessionStatus.COMPLETED,
        "l-london": SessionStatus.COMPLETED,
        "k-missed": SessionStatus.MISSED,
        "k-group": SessionStatus.COMPLETED,
        "r-lapse": SessionStatus.SCHEDULED,
    }
    assert moved.start == utc(29, 18)
    assert moved.pending_reschedule is None
    assert lapsed.start == KOLKATA_NOON
    assert lapsed.pending_reschedule is None
    # cat took the offered seat and joined: the completion marked her attended
    assert offers == {"bob": BookingStatus.EXPIRED, "cat": BookingStatus.ATTENDED}
    # enrolled by their bookings; ann cancelled hers, so she is excused
    assert {a.participant_id: a.attendance.value for a in attendees} == {
        "ann": "excused",
        "cat": "present",
        "tina": "present",
    }
    journal = world.payments.journal
    # cat's and dan's shares reached tina's wallet; eve and fay got all back.
    assert journal.balance("escrow:tina") == 0
    assert journal.balance("escrow:kiran") == 0
    assert journal.balance("refunds") == 2 * 70000
    assert journal.balance("wallet:tina") > 0
    assert sum(journal.balances().values()) == 0
    assert all(record.closed for record in world.payments.bookings())


@pytest.mark.parametrize("make", WORLDS)
def test_two_workers_at_once_do_every_transition_once(
    make: Callable[[Path], World], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    _needs(make, request)
    (tmp_path / "alone").mkdir()
    (tmp_path / "together").mkdir()
    alone = make(tmp_path / "alone")
    together = make(tmp_path / "together")
    run_week(alone)
    reports = run_week(together, workers=2)
    want = expected(together)
    for now, pair in reports.items():
        assert all(report.errors == () for report in pair), now
        merged: dict[str, list[str]] = {}
        for report in pair:
            for name, ids in done(report).items():
                merged.setdefault(name, []).extend(ids)
        # each transition was done by exactly one of the two workers
        assert {name: sorted(ids) for name, ids in merged.items()} == {
            name: sorted(ids) for name, ids in want[now].items()
        }, now
    assert together.snapshot() == alone.snapshot()


def test_ticks_across_the_fold_use_instants_not_wall_times() -> None:
    # The class's end (01:15 GMT) is the same wall time as its start (01:15 BST).
    london = get_zone("Europe/London")
    start_wall = FOLD_START.astimezone(london)
    end_wall = (FOLD_START + HOUR).astimezone(london)
    assert start_wall.replace(tzinfo=None) == end_wall.replace(tzinfo=None)
    assert (start_wall.fold, end_wall.fold) == (0, 1)
