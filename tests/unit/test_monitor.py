"""The monitor's report and how it collects failures, skips and lost races.

One in-memory world where, at ``NOW`` (Sunday 29 March 2026, the day London
springs forward), one item of every session step is due: an offer to expire, a
reschedule to approve, a Kolkata session nobody joined, and a London session
that started in the DST gap (01:30 GMT does not exist; it ran from 02:30 BST)
whose payment follows its outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from booking_core import bootstrap
from booking_core.actors import Actor, Role
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.attendance.model import ParticipationEvent
from booking_core.bookings.model import Booking, BookingStatus
from booking_core.bookings.policies import WaitlistPolicy
from booking_core.clock import ManualClock
from booking_core.errors import (
    NaiveDatetimeError,
    NotFoundError,
    StaleVersionError,
)
from booking_core.events import Decision
from booking_core.intervals import TimeWindow
from booking_core.money import Money
from booking_core.policies import Policies
from booking_core.series import BookingSeries
from booking_core.services.attendance import AttendanceService
from booking_core.services.booking import BookingService
from booking_core.services.monitor import (
    Monitor,
    OneOnOneSteps,
    TickError,
    TickReport,
    TickStep,
)
from booking_core.services.payments import PaymentService
from booking_core.services.sessions import SessionService
from booking_core.sessions import SessionStatus
from booking_core.zones import to_instant

UTC = timezone.utc
HOUR = timedelta(hours=1)
SETUP = datetime(2026, 3, 28, 9, tzinfo=UTC)
NOW = datetime(2026, 3, 29, 10, tzinfo=UTC)
# 01:30 on 29 March does not exist in London: "compatible" moves it to 02:30 BST.
GAP_START = to_instant(datetime(2026, 3, 29, 1, 30), "Europe/London")
SYSTEM = Actor.system()

EVERYTHING = {
    "offers_expired": ("b-2",),
    "reschedules_approved": ("s-resched",),
    "sessions_missed": ("s-empty",),
    "sessions_completed": ("s-ran",),
    "payments_released": ("b-ran",),
}


@dataclass
class World:
    store: InMemoryStore
    clock: ManualClock
    bookings: BookingService
    sessions: SessionService
    attendance: AttendanceService
    payments: PaymentService
    gateway: FakePaymentGateway

    def uow(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store)

    def monitor(self, **replace: Any) -> Monitor:
        parts: dict[str, Any] = {
            "booking_service": self.bookings,
            "session_service": self.sessions,
            "attendance_service": self.attendance,
            "payment_service": self.payments,
        }
        parts.update(replace)
        return Monitor(uow_factory=self.uow, clock=self.clock, **parts)

    def session_status(self, session_id: str) -> SessionStatus:
        with self.uow() as uow:
            return uow.sessions.get(session_id).status

    def stored(self) -> dict[str, dict[str, Any]]:
        with self.store.lock:
            return {name: dict(c) for name, c in self.store.collections.items()}


def _one_on_one(world: World, booking_id: str, session_id: str, student: str) -> None:
    with world.uow() as uow:
        session = uow.sessions.get(session_id)
        uow.bookings.add(
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
        uow.commit()


def _pay(world: World, booking_id: str, start: datetime) -> None:
    record = world.payments.open_order(
        booking_id=booking_id,
        teacher_id="tina",
        amount=Money.of("500.00", "INR"),
        starts_at=start,
    )
    assert record.order_id is not None
    world.gateway.pay(record.order_id)
    for body, signature in world.gateway.take_webhooks():
        world.payments.handle_webhook(body, signature)


@pytest.fixture
def world() -> World:
    store = InMemoryStore()
    clock = ManualClock(SETUP)
    ids = iter(f"b-{n}" for n in range(1, 100))

    def uow() -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(store)

    gateway = FakePaymentGateway(secret=b"unit-webhook-secret", clock=clock.now)
    core = bootstrap(
        uow_factory=uow,
        clock=clock,
        gateway=gateway,
        policies=Policies(waitlist=WaitlistPolicy(mode="offer", offer_ttl=HOUR)),
        new_id=lambda: next(ids),
    )
    w = World(
        store=store,
        clock=clock,
        bookings=core.bookings,
        sessions=core.sessions,
        attendance=core.attendance,
        payments=core.payments,
        gateway=gateway,
    )
    plan = [
        ("s-offer", "group", datetime(2026, 3, 29, 12, tzinfo=UTC), "Europe/London"),
        ("s-resched", "one_on_one", datetime(2026, 3, 30, 12, tzinfo=UTC), "UTC"),
        ("s-empty", "one_on_one", datetime(2026, 3, 29, 8, tzinfo=UTC), "Asia/Kolkata"),
        ("s-ran", "one_on_one", GAP_START, "Europe/London"),
    ]
    for session_id, kind, start, zone in plan:
        w.sessions.schedule(
            session_id=session_id,
            kind=kind,  # type: ignore[arg-type]
            teacher_id="tina",
            course_id="c-1",
            window=TimeWindow.of(start, HOUR),
            zone=zone,
            waitlist_enabled=kind == "group",
            actor=Actor.teacher("tina"),
        )
    ann = w.bookings.book("s-offer", "ann", actor=Actor.student("ann"))
    w.bookings.book("s-offer", "bob", actor=Actor.student("bob"))  # b-2, waitlisted
    _one_on_one(w, "b-gus", "s-resched", "gus")
    _one_on_one(w, "b-eve", "s-empty", "eve")
    _one_on_one(w, "b-ran", "s-ran", "ran")
    w.sessions.request_reschedule(
        "s-resched",
        reason="a clash with an exam",
        new_start=datetime(2026, 3, 31, 12, tzinfo=UTC),
        actor=Actor.student("gus"),
    )
    w.bookings.cancel(ann.state.id, actor=Actor.student("ann"))  # bob offered 1 h
    _pay(w, "b-ran", GAP_START)
    for who, role in (("tina", Role.TEACHER), ("ran", Role.STUDENT)):
        w.attendance.enrol("s-ran", who, role)
    w.clock.set(GAP_START)
    w.attendance.record(
        "s-ran",
        "tina",
        Role.TEACHER,
        ParticipationEvent.joined(GAP_START),
        actor=SYSTEM,
    )
    w.clock.set(NOW)
    return w


def done(report: TickReport) -> dict[str, tuple[str, ...]]:
    return {name: getattr(report, name) for name, n in report.counts().items() if n}


# -- TickReport and TickError --------------------------------------------------------


def test_an_empty_report_counts_nothing() -> None:
    kolkata = datetime(2026, 3, 29, 15, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
    report = TickReport(now=kolkata)
    assert report.now == datetime(2026, 3, 29, 10, tzinfo=UTC)
    assert report.now.tzinfo is UTC
    assert report.total == 0
    assert set(report.counts()) == {
        "offers_expired",
        "offers_passed_on",
        "approvals_expired",
        "reschedules_approved",
        "reschedules_lapsed",
        "sessions_missed",
        "sessions_completed",
        "payments_released",
        "payments_refunded",
        "series_extended",
        "reminders_sent",
    }
    assert report.summary() == "tick 2026-03-29T10:00:00+00:00: nothing due"


def test_a_report_freezes_what_it_is_given() -> None:
    failure = TickError.of(TickStep.SETTLEMENTS, "b-1", ValueError("bad"))
    report = TickReport(
        now=NOW,
        sessions_completed=["s-1", "s-2"],
        payments_refunded=iter(["b-1"]),
        skipped=[("offers", "s-3")],
        errors=[failure],
    )
    assert report.sessions_completed == ("s-1", "s-2")
    assert report.payments_refunded == ("b-1",)
    assert report.skipped == ((TickStep.OFFERS, "s-3"),)
    assert report.errors == (failure,)
    assert report.total == 3
    assert report.summary() == (
        "tick 2026-03-29T10:00:00+00:00: sessions_completed=2 "
        "payments_refunded=1 skipped=1 errors=1"
    )


def test_a_report_refuses_a_naive_instant() -> None:
    with pytest.raises(NaiveDatetimeError):
        TickReport(now=datetime(2026, 3, 29, 10))


def test_tick_errors_carry_library_codes_or_the_class_name() -> None:
    ours = TickError.of(TickStep.COMPLETIONS, "s-1", NotFoundError(kind="x", id="y"))
    theirs = TickError.of("series", None, KeyError("k"))
    assert (ours.step, ours.code) == (TickStep.COMPLETIONS, "not_found")
    assert "'y'" in ours.message
    assert (theirs.step, theirs.item_id, theirs.code) == (
        TickStep.SERIES,
        None,
        "KeyError",
    )


# -- the tick ------------------------------------------------------------------------


def test_every_due_step_runs_once(world: World) -> None:
    report = world.monitor().tick()
    assert done(report) == EVERYTHING
    assert (report.errors, report.skipped) == ((), ())
    assert world.payments.booking("b-ran").closed
    before = world.stored()
    again = world.monitor().tick()
    assert again.total == 0
    assert world.stored() == before


def test_nothing_is_due_before_its_time(world: World) -> None:
    world.clock.set(SETUP + timedelta(minutes=30))
    assert world.monitor().tick().total == 0


def test_a_naive_now_is_refused(world: World) -> None:
    with pytest.raises(NaiveDatetimeError):
        world.monitor().tick(datetime(2026, 3, 29, 10))


class Proxy:
    """A service with one method replaced (the rest delegated)."""

    def __init__(self, real: object, name: str, replacement: Callable[..., Any]):
        self._real = real
        self._name = name
        self._replacement = replacement

    def __getattr__(self, name: str) -> Any:
        if name == self._name:
            return self._replacement
        return getattr(self._real, name)


# (service parameter, method, step, item id, the report fields it produces)
Case = tuple[str, str, TickStep, str, list[str]]
STEPS: list[Case] = [
    (
        "booking_service",
        "expire_offers",
        TickStep.OFFERS,
        "s-offer",
        ["offers_expired"],
    ),
    (
        "session_service",
        "expire_reschedule",
        TickStep.RESCHEDULES,
        "s-resched",
        ["reschedules_approved"],
    ),
    (
        "session_service",
        "mark_missed",
        TickStep.NO_SHOWS,
        "s-empty",
        ["sessions_missed"],
    ),
    (
        "session_service",
        "complete",
        TickStep.COMPLETIONS,
        "s-ran",
        ["sessions_completed", "payments_released"],
    ),
    ("payment_service", "settle", TickStep.SETTLEMENTS, "b-ran", ["payments_released"]),
]


def _real(world: World, service: str) -> Any:
    return {
        "booking_service": world.bookings,
        "session_service": world.sessions,
        "payment_service": world.payments,
    }[service]


def _without(fields: list[str]) -> dict[str, tuple[str, ...]]:
    return {k: v for k, v in EVERYTHING.items() if k not in fields}


@pytest.mark.parametrize("case", STEPS, ids=[case[1] for case in STEPS])
def test_a_failing_item_is_recorded_and_the_others_go_on(
    world: World, case: Case
) -> None:
    service, method, step, item, fields = case

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    proxy = Proxy(_real(world, service), method, boom)
    report = world.monitor(**{service: proxy}).tick()
    assert done(report) == _without(fields)
    assert report.errors == (
        TickError(
            step=step,
            item_id=item,
            code="RuntimeError",
            message="the database went away",
        ),
    )
    assert report.skipped == ()
    # still due: the next tick (with the fault gone) does it
    healed = world.monitor().tick()
    assert done(healed) == {k: v for k, v in EVERYTHING.items() if k in fields}


@pytest.mark.parametrize("case", STEPS, ids=[case[1] for case in STEPS])
def test_an_item_another_worker_did_first_is_skipped_not_an_error(
    world: World, case: Case
) -> None:
    service, method, step, item, fields = case
    real = _real(world, service)

    def other_worker_first(*args: Any, **kwargs: Any) -> Any:
        getattr(real, method)(*args, **kwargs)  # the other worker commits ...
        return getattr(real, method)(*args, **kwargs)  # ... ours finds it done

    report = world.monitor(**{service: Proxy(real, method, other_worker_first)}).tick()
    assert report.errors == ()
    if step is TickStep.OFFERS:
        # expiring offers again finds nothing: no error, just nothing moved
        assert report.skipped == ()
        assert done(report) == _without(fields)
    else:
        assert report.skipped == ((step, item),)
        assert done(report) == _without(fields[:1])
    assert world.monitor().tick().total == 0


@pytest.mark.parametrize("case", STEPS, ids=[case[1] for case in STEPS])
def test_a_stale_version_on_every_attempt_is_a_skip(world: World, case: Case) -> None:
    service, method, step, item, fields = case

    def stale(*_args: Any, **_kwargs: Any) -> Any:
        raise StaleVersionError(kind="sessions", id=item, expected=1, actual=2)

    report = world.monitor(
        **{service: Proxy(_real(world, service), method, stale)}
    ).tick()
    assert report.errors == ()
    assert report.skipped == ((step, item),)
    assert done(report) == _without(fields)


@pytest.mark.parametrize("elsewhere", ["money_ended", "due_closed"])
def test_a_settlement_failing_after_it_was_done_elsewhere_is_a_skip(
    world: World, elsewhere: str
) -> None:
    # Deterministic form of races the multi-worker tests only sometimes hit:
    # ours fails (not a lost compare-and-set) after the money ended elsewhere
    # (the payment closed, its due still open) or after another worker's whole
    # tick closed the due: a skip, not an error.
    real = world.payments

    def done_elsewhere_then_fail(*args: Any, **kwargs: Any) -> Any:
        if elsewhere == "money_ended":
            real.settle(*args, **kwargs)
        else:
            world.monitor().tick()
        raise RuntimeError("connection lost")

    payments = Proxy(real, "settle", done_elsewhere_then_fail)
    report = world.monitor(payment_service=payments).tick()
    assert report.errors == ()
    # b-ran is the one paid due (the others close with no money to move)
    assert report.skipped == ((TickStep.SETTLEMENTS, "b-ran"),)
    assert world.payments.booking("b-ran").closed


def test_when_it_cannot_tell_whether_still_due_it_reports_the_error(
    world: World,
) -> None:
    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("gateway unreachable")

    payments = Proxy(Proxy(world.payments, "settle", boom), "booking", boom)
    report = world.monitor(payment_service=payments).tick()
    # every open due: ann's cancel, bob's expired offer, eve's missed 1:1, ran's
    assert [(e.step, e.item_id, e.code) for e in report.errors] == [
        (TickStep.SETTLEMENTS, booking_id, "RuntimeError")
        for booking_id in ("b-1", "b-2", "b-eve", "b-ran")
    ]


def test_a_paid_cancelled_booking_is_refunded_an_open_session_left_alone(
    world: World,
) -> None:
    world.clock.set(SETUP)
    _pay(world, "b-1", datetime(2026, 3, 29, 12, tzinfo=UTC))  # ann cancelled it
    _pay(world, "b-gus", datetime(2026, 3, 30, 12, tzinfo=UTC))  # not held yet
    world.clock.set(NOW)
    report = world.monitor().tick()
    assert done(report) == {**EVERYTHING, "payments_refunded": ("b-1",)}
    assert world.payments.booking("b-1").closed
    assert not world.payments.booking("b-gus").closed
    assert world.monitor().tick().total == 0


def test_a_payment_of_no_booking_is_never_due(world: World) -> None:
    world.clock.set(SETUP)
    _pay(world, "b-ghost", NOW)
    world.clock.set(NOW)
    report = world.monitor().tick()
    # the monitor reads settlement dues (bookings that ended), never every payment
    assert done(report) == EVERYTHING
    assert report.errors == ()
    assert not world.payments.booking("b-ghost").closed


def test_without_payments_or_1to1_those_steps_do_not_run(world: World) -> None:
    report = world.monitor(payment_service=None).tick()
    assert done(report) == _without(["payments_released"])
    assert world.session_status("s-ran") is SessionStatus.COMPLETED
    assert not world.payments.booking("b-ran").closed


@dataclass
class Steps:
    """A 1:1 service stand-in: returns, raises or loses the race."""

    approvals: tuple[Decision[Booking], ...] = ()
    series: tuple[Decision[BookingSeries], ...] = ()
    error: Exception | None = None

    def expire_undecided(self, *, now: datetime) -> tuple[Decision[Booking], ...]:
        if self.error is not None:
            raise self.error
        return self.approvals

    def extend_series(self, *, now: datetime) -> tuple[Decision[BookingSeries], ...]:
        if self.error is not None:
            raise self.error
        return self.series


def test_the_1to1_steps_report_what_they_changed(world: World) -> None:
    with world.uow() as uow:
        gus = uow.bookings.get("b-gus")
    steps: OneOnOneSteps = Steps(approvals=(Decision(state=gus),))
    report = world.monitor(one_on_one=steps).tick()
    assert report.approvals_expired == ("b-gus",)
    assert report.series_extended == ()


@pytest.mark.parametrize(
    ("error", "errors", "skipped"),
    [
        (
            RuntimeError("1:1 store down"),
            [(TickStep.APPROVALS, None), (TickStep.SERIES, None)],
            [],
        ),
        (
            StaleVersionError(kind="bookings", id="b", expected=1, actual=2),
            [],
            [(TickStep.APPROVALS, "approvals"), (TickStep.SERIES, "series")],
        ),
    ],
)
def test_a_failing_1to1_step_is_recorded_and_the_tick_goes_on(
    world: World,
    error: Exception,
    errors: list[tuple[TickStep, None]],
    skipped: list[tuple[TickStep, str]],
) -> None:
    report = world.monitor(one_on_one=Steps(error=error)).tick()
    assert done(report) == EVERYTHING
    assert [(e.step, e.item_id) for e in report.errors] == errors
    assert list(report.skipped) == skipped


# -- the pieces the monitor relies on ----------------------------------------------


def test_marking_attendance_again_writes_nothing(world: World) -> None:
    world.attendance.mark_session("s-ran", actor=SYSTEM)
    before = world.stored()
    again = world.attendance.mark_session("s-ran", actor=SYSTEM)
    assert again.events == ()
    assert world.stored() == before


def test_open_offers_are_found_by_expiry(world: World) -> None:
    with world.uow() as uow:
        repository = uow.bookings
        due = repository.offers_due(due_by=NOW)
        early = repository.offers_due(due_by=SETUP)
    assert [(b.id, b.status) for b in due] == [("b-2", BookingStatus.OFFERED)]
    assert early == []
    world.monitor().tick()
    with world.uow() as uow:
        assert uow.bookings.offers_due(due_by=NOW) == []


def test_services_reading_an_earlier_clock_cannot_do_what_is_not_yet_due(
    world: World,
) -> None:
    # The monitor asks at NOW, the services' clock still says an hour before the
    # no-show limit: the session cannot be marked yet, reported as an error.
    world.clock.set(datetime(2026, 3, 29, 7, 30, tzinfo=UTC))
    report = world.monitor().tick(NOW)
    codes = {(e.step, e.item_id): e.code for e in report.errors}
    assert codes[(TickStep.NO_SHOWS, "s-empty")] == "sessions.no_show_too_early"
    assert report.now == NOW


def test_every_paid_booking_of_a_missed_session_is_refunded(world: World) -> None:
    world.clock.set(SETUP)
    _one_on_one(world, "b-eve-2", "s-empty", "eve-2")
    _pay(world, "b-eve", datetime(2026, 3, 29, 8, tzinfo=UTC))
    _pay(world, "b-eve-2", datetime(2026, 3, 29, 8, tzinfo=UTC))
    world.clock.set(NOW)
    report = world.monitor().tick()
    assert report.payments_refunded == ("b-eve", "b-eve-2")
    assert world.payments.journal.balance("refunds") == 2 * 50000


def test_a_due_closed_by_another_worker_stays_closed(world: World) -> None:
    world.clock.set(SETUP)
    _pay(world, "b-1", datetime(2026, 3, 29, 12, tzinfo=UTC))  # ann cancelled it
    world.clock.set(NOW)
    monitor = world.monitor()
    monitor._close_due("b-1")  # another worker got there first
    with world.store.lock:
        closed = world.store.collection("settlement_dues")["b-1"]
    monitor._close_due("b-1")  # closing again changes nothing
    with world.store.lock:
        assert world.store.collection("settlement_dues")["b-1"] == closed
    assert not closed.open
