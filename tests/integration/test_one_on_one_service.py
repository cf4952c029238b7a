"""The 1:1 service over the in-memory and the SQLite adapters.

Seed 003 1:1 scenarios through one call per action, the per-teacher lock
(two pending requests for one slot are never both confirmed, also across
threads on a SQLite file), the expiry sweep, and series bound to bookings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.availability import (
    AvailabilityItem,
    Blackout,
    OneTimeAvailability,
    WeeklyAvailability,
)
from booking_core.availability.approval import ApprovalPolicy
from booking_core.availability.commitments import ConflictPolicy
from booking_core.availability.schedule import TeacherSchedule
from booking_core.bookings.model import Booking, BookingStatus
from booking_core.bookings.one_on_one import OneOnOnePolicy
from booking_core.clock import ManualClock
from booking_core.errors import (
    AlreadyBookedError,
    BookingTransitionError,
    DecisionDeadlinePassedError,
    DuplicateIdError,
    InvalidValueError,
    NotBookingHolderError,
    NotFoundError,
    NotScheduleOwnerError,
    SeriesConflictError,
    SeriesOccurrenceNotChangeableError,
    SlotNotAvailableError,
    StudentDoubleBookedError,
    TeacherDoubleBookedError,
)
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.recurrence import RecurrenceRule
from booking_core.series import ChangeScope, SeriesItemStatus
from booking_core.services.one_on_one import OneOnOneService
from booking_core.sessions import Session, SessionStatus

UTC = timezone.utc
HOUR = timedelta(hours=1)
NOW = datetime(2026, 5, 25, 9, tzinfo=UTC)  # a Monday, one week ahead of the slot
MONDAY = date(2026, 6, 1)
LONDON = "Europe/London"
KOLKATA = "Asia/Kolkata"
# seed 003: the recurring slot Monday 14:00-15:00 (BST: 13:00 UTC)
SLOT = TimeWindow.of(datetime(2026, 6, 1, 13, tzinfo=UTC), HOUR)
MONDAYS: tuple[AvailabilityItem, ...] = (
    WeeklyAvailability(weekday=0, start=time(14), end=time(15), zone=LONDON),
)
APPROVAL = OneOnOnePolicy(approval=ApprovalPolicy(courses={"math": True}))
OPEN = OneOnOnePolicy(
    pending_holds_slot=False, approval=ApprovalPolicy(courses={"math": True})
)
TEACHER = Actor.teacher("t-1")


@attrs.define
class World:
    """A service, its clock and a way to read what was committed."""

    service: OneOnOneService
    clock: ManualClock
    events: Callable[[], list[DomainEvent]]
    bookings: Callable[[], dict[str, Booking]]
    version: Callable[[str, str], int]
    uow_factory: Callable[[], Any]


def _build(
    uow_factory: Callable[[], Any],
    clock: ManualClock,
    policy: OneOnOnePolicy,
    horizon: timedelta,
) -> OneOnOneService:
    return OneOnOneService(
        uow_factory=uow_factory,
        clock=clock,
        policies=Policies(
            one_on_one=policy, series_horizon=horizon, transaction_attempts=50
        ),
    )


def _memory(policy: OneOnOnePolicy, horizon: timedelta) -> World:
    store = InMemoryStore()
    clock = ManualClock(NOW)

    def factory() -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(store)

    return World(
        service=_build(factory, clock, policy, horizon),
        clock=clock,
        events=lambda: list(store.events),
        bookings=lambda: dict(store.collection("bookings")),
        version=lambda name, key: store.collection(name)[key].version,
        uow_factory=factory,
    )


def _sqlite(
    database: SqliteDatabase, policy: OneOnOnePolicy, horizon: timedelta
) -> World:
    clock = ManualClock(NOW)

    def factory() -> SqliteUnitOfWork:
        return SqliteUnitOfWork(database)

    def bookings() -> dict[str, Booking]:
        with SqliteUnitOfWork(database) as uow:
            return {b.id: b for b in uow.repository("bookings", Booking).list()}

    def version(name: str, key: str) -> int:
        with SqliteUnitOfWork(database) as uow:
            found: Any = uow.committed(name, key)
        return int(found.version)

    return World(
        service=_build(factory, clock, policy, horizon),
        clock=clock,
        events=database.events,
        bookings=bookings,
        version=version,
        uow_factory=factory,
    )


WorldFactory = Callable[..., World]


@pytest.fixture(params=["memory", "sqlite"])
def make(request: pytest.FixtureRequest) -> Iterator[WorldFactory]:
    databases: list[SqliteDatabase] = []

    def factory(
        policy: OneOnOnePolicy = APPROVAL,
        availability: tuple[AvailabilityItem, ...] = MONDAYS,
        zone: str = LONDON,
        horizon: timedelta = timedelta(weeks=4),
    ) -> World:
        if request.param == "memory":
            world = _memory(policy, horizon)
        else:
            database = SqliteDatabase(":memory:")
            databases.append(database)
            world = _sqlite(database, policy, horizon)
        world.service.set_schedule(
            TeacherSchedule(id="t-1", zone=zone, availability=availability),
            actor=TEACHER,
        )
        return world

    yield factory
    for database in databases:
        database.close()


def _slots(world: World, day: date = MONDAY) -> tuple[TimeWindow, ...]:
    return world.service.slots("t-1", day, day, HOUR)


def _request(
    world: World,
    student: str = "s-1",
    course: str = "art",
    slot: TimeWindow = SLOT,
    booking_id: str | None = None,
) -> Booking:
    return world.service.request(
        teacher_id="t-1",
        student_id=student,
        course_id=course,
        slot=slot,
        actor=Actor.student(student),
        booking_id=booking_id,
    ).state


# -- seed 003 1:1 scenarios ----------------------------------------------------------


def test_auto_confirm_without_approval_and_the_slot_leaves_the_listing(
    make: WorldFactory,
) -> None:
    world = make()
    assert _slots(world) == (SLOT,)
    booking = _request(world, course="art")
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.decision is not None
    assert booking.decision.at == NOW
    assert booking.session_id == booking.id
    assert _slots(world) == ()
    # the confirmation, then its reaction: the 1:1's session scheduled
    assert [e.name for e in world.events()][-2:] == [
        "booking.confirmed",
        "session.scheduled",
    ]
    assert _session(world, booking.session_id).window == SLOT


def test_pending_then_approved_records_who_and_when(make: WorldFactory) -> None:
    world = make()
    pending = _request(world, course="math", booking_id="b-1")
    assert pending.status is BookingStatus.PENDING
    assert _slots(world) == ()  # a pending request holds its slot by default
    world.clock.advance(HOUR)
    confirmed = world.service.confirm("b-1", actor=TEACHER).state
    assert confirmed.status is BookingStatus.CONFIRMED
    assert confirmed.decision is not None
    assert (confirmed.decision.by, confirmed.decision.at) == (TEACHER, NOW + HOUR)
    assert world.service.get("b-1") == attrs.evolve(confirmed, version=2)


def test_one_time_slot_in_kolkata(make: WorldFactory) -> None:
    window = TimeWindow.of(datetime(2026, 6, 3, 4, 30, tzinfo=UTC), 2 * HOUR)
    world = make(availability=(OneTimeAvailability(window=window),), zone=KOLKATA)
    day = date(2026, 6, 3)
    slots = _slots(world, day)
    assert [s.start.astimezone(UTC).hour for s in slots] == [4, 5, 5]
    booked = _request(world, slot=slots[0])
    assert booked.window == slots[0]
    assert _slots(world, day) == (slots[2],)


def test_double_booking_of_one_slot_is_prevented(make: WorldFactory) -> None:
    world = make()
    _request(world, student="s-1")
    before = world.bookings()
    with pytest.raises(TeacherDoubleBookedError):
        _request(world, student="s-2")
    with pytest.raises(AlreadyBookedError):
        _request(world, student="s-1")
    assert world.bookings() == before


def test_declined_expired_and_cancelled_slots_reappear(make: WorldFactory) -> None:
    world = make()
    _request(world, course="math", booking_id="b-1")
    world.service.decline("b-1", actor=TEACHER, reason="busy")
    assert _slots(world) == (SLOT,)
    _request(world, course="math", booking_id="b-2")
    assert _slots(world) == ()
    expired = world.service.expire_undecided(now=NOW + timedelta(hours=48))
    assert [d.state.id for d in expired] == ["b-2"]
    assert expired[0].state.status is BookingStatus.EXPIRED
    assert _slots(world) == (SLOT,)
    _request(world, course="art", booking_id="b-3")
    world.service.cancel("b-3", reason="ill", actor=Actor.student("s-1"))
    assert _slots(world) == (SLOT,)
    assert world.service.get("b-3").cancellation is not None


def test_expire_undecided_twice_at_one_now_does_nothing_the_second_time(
    make: WorldFactory,
) -> None:
    world = make(policy=OPEN)
    _request(world, course="math", booking_id="b-1")
    _request(world, course="math", booking_id="b-2", student="s-2", slot=SLOT)
    assert world.service.expire_undecided(now=NOW + timedelta(hours=47)) == ()
    due = NOW + timedelta(hours=48)
    assert len(world.service.expire_undecided(now=due)) == 2
    events, bookings = len(world.events()), world.bookings()
    assert world.service.expire_undecided(now=due) == ()
    assert (len(world.events()), world.bookings()) == (events, bookings)


def test_decisions_after_the_deadline_are_refused(make: WorldFactory) -> None:
    world = make()
    _request(world, course="math", booking_id="b-1")
    world.clock.advance(timedelta(hours=48))
    before = world.bookings()
    with pytest.raises(DecisionDeadlinePassedError):
        world.service.confirm("b-1", actor=TEACHER)
    with pytest.raises(DecisionDeadlinePassedError):
        world.service.decline("b-1", actor=TEACHER)
    assert world.bookings() == before


def test_only_the_teacher_decides(make: WorldFactory) -> None:
    world = make()
    _request(world, course="math", booking_id="b-1")
    before = world.bookings()
    with pytest.raises(NotBookingHolderError):
        world.service.confirm("b-1", actor=Actor.student("s-1"))
    with pytest.raises(NotBookingHolderError):
        world.service.cancel("b-1", reason="x", actor=Actor.student("s-9"))
    with pytest.raises(NotFoundError):
        world.service.confirm("nope", actor=TEACHER)
    assert world.bookings() == before


# -- the per-teacher lock ----------------------------------------------------------


def test_two_pending_requests_for_one_slot_are_never_both_confirmed(
    make: WorldFactory,
) -> None:
    world = make(policy=OPEN)
    _request(world, course="math", booking_id="b-1", student="s-1")
    assert _slots(world) == (SLOT,)  # pending requests do not hold the slot
    _request(world, course="math", booking_id="b-2", student="s-2")
    world.service.confirm("b-1", actor=TEACHER)
    before = world.bookings()
    with pytest.raises(TeacherDoubleBookedError):
        world.service.confirm("b-2", actor=TEACHER)
    assert world.bookings() == before
    assert world.service.get("b-2").status is BookingStatus.PENDING


def test_every_write_saves_the_teacher_schedule(make: WorldFactory) -> None:
    world = make()
    assert world.version("teacher_schedules", "t-1") == 1
    _request(world, course="math", booking_id="b-1")
    world.service.confirm("b-1", actor=TEACHER)
    world.service.cancel("b-1", reason="ill", actor=TEACHER)
    assert world.version("teacher_schedules", "t-1") == 4


def test_the_sqlite_file_race_confirms_exactly_one(tmp_path: Path) -> None:
    path = tmp_path / "race.sqlite3"
    database = SqliteDatabase(path)
    world = _sqlite(database, OPEN, timedelta(weeks=4))
    teachers, per_teacher = 4, 3
    ids: list[tuple[str, str]] = []
    for t in range(teachers):
        teacher = f"t-{t}"
        world.service.set_schedule(
            TeacherSchedule(id=teacher, zone=LONDON, availability=MONDAYS),
            actor=Actor.teacher(teacher),
        )
        for s in range(per_teacher):
            booking_id = f"b-{t}-{s}"
            world.service.request(
                teacher_id=teacher,
                student_id=f"s-{t}-{s}",
                course_id="math",
                slot=SLOT,
                actor=Actor.student(f"s-{t}-{s}"),
                booking_id=booking_id,
            )
            ids.append((teacher, booking_id))
    barrier = threading.Barrier(len(ids))
    outcomes: dict[str, list[str]] = {f"t-{t}": [] for t in range(teachers)}

    def confirm(teacher: str, booking_id: str) -> None:
        # each thread its own service and connection on the one shared file
        connection = SqliteDatabase(path)
        mine = _sqlite(connection, OPEN, HOUR)
        barrier.wait()
        try:
            mine.service.confirm(booking_id, actor=Actor.teacher(teacher))
            outcomes[teacher].append("confirmed")
        except TeacherDoubleBookedError:
            outcomes[teacher].append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=pair) for pair in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for results in outcomes.values():
        assert sorted(results) == ["confirmed"] + ["refused"] * (per_teacher - 1)
    statuses = sorted(b.status.value for b in world.bookings().values())
    assert statuses == sorted(
        ["confirmed"] * teachers + ["pending"] * (teachers * (per_teacher - 1))
    )
    database.close()


# -- other commitments ----------------------------------------------------------------


def _group_session(world: World, session_id: str, status: str = "scheduled") -> None:
    session = Session(
        id=session_id,
        kind="group",
        teacher_id="t-1",
        course_id="c",
        window=SLOT,
        zone=LONDON,
        capacity=5,
        waitlist_enabled=False,
    )
    if status != "scheduled":
        session = attrs.evolve(session, status=status)

    def add(uow: Any) -> None:
        uow.repository("sessions", Session).add(session)

    _run(world, add)


def _session(world: World, session_id: str) -> Session:
    with world.uow_factory() as uow:
        found: Session = uow.sessions.get(session_id)
        return found


def _run(world: World, operation: Callable[[Any], None]) -> None:
    with world.uow_factory() as uow:
        operation(uow)
        uow.commit()


def test_a_group_session_the_teacher_teaches_blocks_the_slot(
    make: WorldFactory,
) -> None:
    world = make()
    _group_session(world, "old", status="cancelled")
    assert _slots(world) == (SLOT,)
    _group_session(world, "g-1")
    assert _slots(world) == ()
    with pytest.raises(TeacherDoubleBookedError):
        _request(world)


def test_a_one_on_one_session_of_a_booking_is_not_counted_twice(
    make: WorldFactory,
) -> None:
    world = make()
    booked = _request(world, course="art", booking_id="b-1")
    # the confirmation scheduled the booking's session: one commitment, named once
    assert _session(world, booked.session_id).status is SessionStatus.SCHEDULED
    with pytest.raises(TeacherDoubleBookedError) as caught:
        _request(world, student="s-2", booking_id="b-2")
    assert caught.value.details["ref_id"] == booked.session_id
    world.service.cancel("b-1", reason="moved", actor=TEACHER)
    # its session was cancelled with it: the slot is free again
    assert _session(world, booked.session_id).status is SessionStatus.CANCELLED
    assert _request(world, student="s-2", booking_id="b-2").status is (
        BookingStatus.CONFIRMED
    )


def test_the_students_group_seat_blocks_the_student(make: WorldFactory) -> None:
    world = make()
    seat = Booking(
        id="seat-1",
        type="group",
        session_id="g-9",
        student_id="s-1",
        teacher_id="t-2",
        course_id="c",
        window=SLOT,
        status="confirmed",
        created_at=NOW,
    )
    _run(world, lambda uow: uow.repository("bookings", Booking).add(seat))
    with pytest.raises(StudentDoubleBookedError):
        _request(world, student="s-1")
    assert _request(world, student="s-2").status is BookingStatus.CONFIRMED


def test_blackout_and_no_schedule(make: WorldFactory) -> None:
    away = Blackout.whole_days(MONDAY, MONDAY, LONDON)
    world = make(availability=(*MONDAYS, away))
    assert _slots(world) == ()
    with pytest.raises(SlotNotAvailableError):
        _request(world)
    assert world.service.slots("t-9", MONDAY, MONDAY, HOUR) == ()
    with pytest.raises(NotFoundError):
        world.service.schedule("t-9")


# -- schedules -------------------------------------------------------------------------


def test_setting_a_schedule(make: WorldFactory) -> None:
    world = make()
    before = world.service.schedule("t-1")
    with pytest.raises(NotScheduleOwnerError):
        world.service.set_schedule(
            TeacherSchedule(id="t-1", zone=KOLKATA), actor=Actor.teacher("t-2")
        )
    assert world.service.schedule("t-1") == before
    replaced = world.service.set_schedule(
        TeacherSchedule(id="t-1", zone=KOLKATA), actor=Actor.admin("ops")
    )
    assert replaced.events[0].name == "teacher_schedule.set"
    assert world.service.schedule("t-1").zone == KOLKATA
    assert world.service.schedule("t-1").version == 2
    assert _slots(world) == ()


def test_request_retry_with_the_same_booking_id_is_a_replay(
    make: WorldFactory,
) -> None:
    world = make()
    first = world.service.request(
        teacher_id="t-1",
        student_id="s-1",
        course_id="art",
        slot=SLOT,
        actor=Actor.student("s-1"),
        booking_id="b-1",
    )
    events = len(world.events())
    again = world.service.request(
        teacher_id="t-1",
        student_id="s-1",
        course_id="art",
        slot=SLOT,
        actor=Actor.student("s-1"),
        booking_id="b-1",
    )
    assert again.state == attrs.evolve(first.state, version=1)
    assert again.events == ()
    assert len(world.events()) == events
    with pytest.raises(DuplicateIdError):
        _request(world, student="s-2", booking_id="b-1")
    with pytest.raises(InvalidValueError):
        world.service.request(
            teacher_id="t-1",
            student_id="s-1",
            course_id="art",
            slot="monday",  # type: ignore[arg-type]
            actor=Actor.student("s-1"),
        )


def test_a_bad_series_horizon_is_refused() -> None:
    with pytest.raises(InvalidValueError):
        _memory(APPROVAL, timedelta(0))


# -- series --------------------------------------------------------------------------


WEEKLY = RecurrenceRule.parse("FREQ=WEEKLY")
EVENING = datetime(2026, 6, 1, 18)  # local wall time, Europe/London


def _series(
    world: World, mode: str = "all_or_nothing", until: datetime | None = None
) -> Any:
    return world.service.create_series(
        teacher_id="t-1",
        student_id="s-1",
        course_id="art",
        rule=WEEKLY,
        start=EVENING,
        zone=LONDON,
        duration=HOUR,
        until=until or datetime(2026, 6, 29, tzinfo=UTC),
        actor=Actor.student("s-1"),
        series_id="ser",
        mode=mode,
    )


def _active(world: World) -> list[str]:
    return sorted(b.id for b in world.bookings().values() if b.is_active)


def test_a_series_books_one_booking_per_occurrence(make: WorldFactory) -> None:
    world = make()
    decision = _series(world)
    ids = [item.booking_id for item in decision.state.items]
    assert ids == ["ser~0", "ser~1", "ser~2", "ser~3"]
    assert _active(world) == ids
    booking = world.service.get("ser~2")
    assert booking.window == decision.state.items[2].window
    assert booking.course_id == "art"
    assert world.service.get_series("ser").items == decision.state.items


def test_all_or_nothing_with_a_conflict_leaves_nothing(make: WorldFactory) -> None:
    world = make()
    clash = TimeWindow.of(datetime(2026, 6, 15, 17, tzinfo=UTC), HOUR)
    world.service.set_schedule(
        TeacherSchedule(
            id="t-1",
            zone=LONDON,
            availability=(*MONDAYS, OneTimeAvailability(window=clash)),
        ),
        actor=TEACHER,
    )
    _request(world, student="s-2", slot=clash, booking_id="b-x")
    before, version = world.bookings(), world.version("teacher_schedules", "t-1")
    with pytest.raises(SeriesConflictError):
        _series(world)
    assert world.bookings() == before
    assert world.version("teacher_schedules", "t-1") == version
    with pytest.raises(NotFoundError):
        world.service.get_series("ser")
    report = _series(world, mode="skip_conflicts")
    assert [s.occurrence_index for s in report.state.skipped] == [2]
    assert report.state.skipped[0].conflicting_ref_id == "b-x"
    assert _active(world) == ["b-x", "ser~0", "ser~1", "ser~3"]


def test_cancelling_occurrences_cancels_their_bookings(make: WorldFactory) -> None:
    world = make()
    _series(world)
    student = Actor.student("s-1")
    world.service.cancel_occurrences(
        "ser", 1, scope=ChangeScope.ONE, reason="trip", actor=student
    )
    assert _active(world) == ["ser~0", "ser~2", "ser~3"]
    world.service.cancel("ser~3", reason="ill", actor=student)
    series = world.service.get_series("ser")
    assert [i.status for i in series.items] == [
        SeriesItemStatus.ACTIVE,
        SeriesItemStatus.CANCELLED,
        SeriesItemStatus.ACTIVE,
        SeriesItemStatus.CANCELLED,
    ]
    result = world.service.cancel_occurrences(
        "ser", 2, scope="this_and_following", reason="done", actor=student
    )
    assert [e.name for e in result.events] == [
        "series.occurrences_cancelled",
        "booking.cancelled",
    ]
    assert _active(world) == ["ser~0"]
    world.service.cancel_occurrences("ser", 0, scope="all", reason="x", actor=student)
    assert _active(world) == []
    world.clock.set(datetime(2026, 6, 20, tzinfo=UTC))
    assert world.service.extend_series(now=world.clock.now()) == ()
    with pytest.raises(BookingTransitionError):
        world.service.cancel("ser~0", reason="again", actor=student)


def test_moving_occurrences_moves_their_bookings(make: WorldFactory) -> None:
    free = TimeWindow.of(datetime(2026, 6, 15, 17, tzinfo=UTC), HOUR)
    world = make(availability=(*MONDAYS, OneTimeAvailability(window=free)))
    _series(world)
    teacher = TEACHER
    later = datetime(2026, 6, 8, 18, 30, tzinfo=UTC)  # 19:30 BST
    world.service.move_occurrences(
        "ser", 1, new_start=later, scope="this_and_following", reason="r", actor=teacher
    )
    windows = {k: b.window.start for k, b in world.bookings().items()}
    assert windows["ser~0"] == datetime(2026, 6, 1, 17, tzinfo=UTC)
    assert windows["ser~1"] == later
    assert windows["ser~3"] == datetime(2026, 6, 22, 18, 30, tzinfo=UTC)
    assert _slots(world) == (SLOT,)  # the 14:00 slot is untouched
    _request(world, slot=free, student="s-2")
    before = world.bookings()
    with pytest.raises(SeriesConflictError):
        world.service.move_occurrences(
            "ser",
            2,
            new_start=datetime(2026, 6, 15, 17, tzinfo=UTC),
            scope="one",
            reason="r",
            actor=teacher,
        )
    assert world.bookings() == before


def test_extend_series_books_new_occurrences_idempotently(make: WorldFactory) -> None:
    world = make(horizon=timedelta(weeks=3))
    _series(world, until=datetime(2026, 6, 9, tzinfo=UTC))
    assert _active(world) == ["ser~0", "ser~1"]
    world.clock.set(datetime(2026, 6, 2, tzinfo=UTC))
    now = world.clock.now()
    (extended,) = world.service.extend_series(now=now)
    assert [i.booking_id for i in extended.state.items][-2:] == ["ser~2", "ser~3"]
    assert _active(world) == ["ser~0", "ser~1", "ser~2", "ser~3"]
    events, bookings = len(world.events()), world.bookings()
    assert world.service.extend_series(now=now) == ()
    assert (len(world.events()), world.bookings()) == (events, bookings)
    assert world.service.get("ser~3").decision.by == Actor.system()  # type: ignore[union-attr]


def test_a_started_series_occurrence_cannot_be_cancelled(make: WorldFactory) -> None:
    world = make()
    _series(world)
    world.clock.set(datetime(2026, 6, 1, 17, 30, tzinfo=UTC))
    before = world.bookings()
    with pytest.raises(SeriesOccurrenceNotChangeableError):
        world.service.cancel("ser~0", reason="late", actor=Actor.student("s-1"))
    assert world.bookings() == before


def test_weekly_series_at_1800_london_keeps_1800_after_dst_ends(
    make: WorldFactory,
) -> None:
    world = make()
    world.clock.set(datetime(2026, 3, 1, tzinfo=UTC))
    decision = world.service.create_series(
        teacher_id="t-1",
        student_id="s-1",
        course_id="art",
        rule=WEEKLY,
        start=datetime(2026, 3, 16, 18),
        zone=LONDON,
        duration=HOUR,
        until=datetime(2026, 11, 10, tzinfo=UTC),
        actor=Actor.student("s-1"),
    )
    locals_ = {
        b.window.start.astimezone(decision.state.recurrence.start.tzinfo).hour
        for b in world.bookings().values()
    }
    assert locals_ == {18}
    assert len(world.bookings()) == len(decision.state.items) == 35


# -- races the service resolves by running again -------------------------------------


class _Interleaved:
    """A unit of work that lets another transaction commit just before its own."""

    def __init__(self, inner: Any, before_commit: Callable[[], object] | None) -> None:
        self._inner = inner
        self._before_commit = before_commit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> _Interleaved:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.__exit__(*exc)

    def commit(self) -> None:
        if self._before_commit is not None:
            hook, self._before_commit = self._before_commit, None
            hook()
        self._inner.commit()


def _interleaving(world: World, hooks: list[Callable[[], object]]) -> OneOnOneService:
    """A second service on the same store whose n-th unit of work runs hooks[n]."""
    calls = iter(hooks)

    def factory() -> Any:
        return _Interleaved(world.uow_factory(), next(calls, None))

    return _build(
        factory,
        world.clock,
        world.service.policy,
        world.service.policies.series_horizon,
    )


def test_a_request_decided_between_listing_and_expiry_is_skipped(
    make: WorldFactory,
) -> None:
    world = make()
    _request(world, course="math", booking_id="b-1")
    due = NOW + timedelta(hours=48)

    def decline() -> None:
        world.clock.set(NOW + HOUR)
        world.service.decline("b-1", actor=TEACHER)

    racing = _interleaving(world, [decline])
    assert racing.expire_undecided(now=due) == ()
    assert world.service.get("b-1").status is BookingStatus.DECLINED


def test_a_series_extended_meanwhile_is_skipped(make: WorldFactory) -> None:
    world = make(horizon=timedelta(weeks=3))
    _series(world, until=datetime(2026, 6, 9, tzinfo=UTC))
    now = datetime(2026, 6, 2, tzinfo=UTC)
    world.clock.set(now)
    racing = _interleaving(world, [lambda: world.service.extend_series(now=now)])
    assert racing.extend_series(now=now) == ()
    assert _active(world) == ["ser~0", "ser~1", "ser~2", "ser~3"]


def test_a_twin_adding_the_first_schedule_makes_the_service_run_again(
    make: WorldFactory,
) -> None:
    world = make()

    def twin() -> None:
        world.service.create_series(
            teacher_id="t-new",
            student_id="s-2",
            course_id="art",
            rule=RecurrenceRule.parse("FREQ=WEEKLY;COUNT=1"),
            start=EVENING,
            zone=LONDON,
            duration=HOUR,
            until=datetime(2026, 6, 29, tzinfo=UTC),
            actor=Actor.student("s-2"),
        )

    racing = _interleaving(world, [twin])
    decision = racing.create_series(
        teacher_id="t-new",
        student_id="s-1",
        course_id="art",
        rule=RecurrenceRule.parse("FREQ=WEEKLY;COUNT=1"),
        start=datetime(2026, 6, 2, 18),
        zone=LONDON,
        duration=HOUR,
        until=datetime(2026, 6, 29, tzinfo=UTC),
        actor=Actor.student("s-1"),
    )
    assert len(decision.state.items) == 1
    assert world.version("teacher_schedules", "t-new") == 2


def test_a_series_ignores_pending_requests_that_do_not_hold_their_slot(
    make: WorldFactory,
) -> None:
    evening = TimeWindow.of(datetime(2026, 6, 8, 17, tzinfo=UTC), HOUR)
    world = make(policy=OPEN, availability=(OneTimeAvailability(window=evening),))
    _request(world, course="math", student="s-2", slot=evening, booking_id="b-1")
    _series(world)
    assert "ser~1" in _active(world)
    with pytest.raises(TeacherDoubleBookedError):
        world.service.confirm("b-1", actor=TEACHER)
    world.service.cancel("b-1", reason="no longer", actor=Actor.student("s-2"))
    assert world.service.get_series("ser").items[1].status is SeriesItemStatus.ACTIVE


def test_a_confirmation_committed_first_makes_the_other_refused(
    make: WorldFactory,
) -> None:
    world = make(policy=OPEN)
    _request(world, course="math", booking_id="b-1", student="s-1")
    _request(world, course="math", booking_id="b-2", student="s-2")
    # b-2 is confirmed after b-1's transaction has read and decided, before
    # it commits: the schedule's compare-and-set sends b-1 round again
    racing = _interleaving(world, [lambda: world.service.confirm("b-2", actor=TEACHER)])
    with pytest.raises(TeacherDoubleBookedError):
        racing.confirm("b-1", actor=TEACHER)
    assert world.service.get("b-1").status is BookingStatus.PENDING
    assert world.service.get("b-2").status is BookingStatus.CONFIRMED


@pytest.mark.parametrize("guarded", [True, False], ids=["calendar", "no-lock"])
def test_two_teachers_never_double_book_one_student(
    make: WorldFactory,
    monkeypatch: pytest.MonkeyPatch,
    guarded: bool,
) -> None:
    """Teacher 2 confirms the student's other request just before teacher 1 commits.

    The student's calendar orders the two transactions: teacher 1's commit loses
    the compare-and-set, runs again, sees the student booked and refuses. With the
    lock patched out (``no-lock``) both commit: the race the calendar closes.
    """
    world = make(policy=OPEN)
    world.service.set_schedule(
        TeacherSchedule(id="t-2", zone=LONDON, availability=MONDAYS),
        actor=Actor.teacher("t-2"),
    )
    for teacher in ("t-1", "t-2"):
        world.service.request(
            teacher_id=teacher,
            student_id="ann",
            course_id="math",
            slot=SLOT,
            actor=Actor.student("ann"),
            booking_id=f"b-{teacher}",
        )
    if not guarded:
        monkeypatch.setattr(OneOnOneService, "_lock_student", lambda *_: None)

    def other_teacher_confirms() -> None:
        world.service.confirm("b-t-2", actor=Actor.teacher("t-2"))

    racing = _interleaving(world, [other_teacher_confirms])
    if guarded:
        with pytest.raises(StudentDoubleBookedError):
            racing.confirm("b-t-1", actor=TEACHER)
    else:
        racing.confirm("b-t-1", actor=TEACHER)
    confirmed = sorted(
        b.id for b in world.bookings().values() if b.status is BookingStatus.CONFIRMED
    )
    assert confirmed == (["b-t-2"] if guarded else ["b-t-1", "b-t-2"])


def test_without_the_student_rule_no_student_calendar_is_kept(
    make: WorldFactory,
) -> None:
    """``check_students=False``: a student may hold two teachers at one hour."""
    world = make(policy=OneOnOnePolicy(conflicts=ConflictPolicy(check_students=False)))
    world.service.set_schedule(
        TeacherSchedule(id="t-2", zone=LONDON, availability=MONDAYS),
        actor=Actor.teacher("t-2"),
    )
    for teacher in ("t-1", "t-2"):
        decision = world.service.request(
            teacher_id=teacher,
            student_id="ann",
            course_id="art",
            slot=SLOT,
            actor=Actor.student("ann"),
        )
        assert decision.state.status is BookingStatus.CONFIRMED
    with world.uow_factory() as uow, pytest.raises(NotFoundError):
        uow.calendars.get("ann")


def test_a_cancel_changes_only_the_series_holding_the_booking(
    make: WorldFactory,
) -> None:
    world = make()
    for series_id, hour in (("early", 8), ("ser", 18), ("late", 20)):
        world.service.create_series(
            teacher_id="t-1",
            student_id="s-1",
            course_id="art",
            rule=WEEKLY,
            start=datetime(2026, 6, 1, hour),
            zone=LONDON,
            duration=HOUR,
            until=datetime(2026, 6, 29, tzinfo=UTC),
            actor=Actor.student("s-1"),
            series_id=series_id,
        )
    booked = _request(world, student="s-2", course="other", booking_id="b-1")
    assert booked.status is BookingStatus.CONFIRMED
    versions = {s: world.version("booking_series", s) for s in ("early", "ser", "late")}
    student = Actor.student("s-1")
    result = world.service.cancel("ser~2", reason="ill", actor=student)
    assert [e.name for e in result.events] == [
        "series.occurrences_cancelled",
        "booking.cancelled",
    ]
    assert [i.status for i in world.service.get_series("ser").items] == [
        SeriesItemStatus.ACTIVE,
        SeriesItemStatus.ACTIVE,
        SeriesItemStatus.CANCELLED,
        SeriesItemStatus.ACTIVE,
    ]
    assert world.version("booking_series", "ser") == versions["ser"] + 1
    for other in ("early", "late"):
        assert world.version("booking_series", other) == versions[other]
        assert all(
            i.status is SeriesItemStatus.ACTIVE
            for i in world.service.get_series(other).items
        )
    result = world.service.cancel("b-1", reason="ill", actor=Actor.student("s-2"))
    assert [e.name for e in result.events] == ["booking.cancelled"]
    assert world.service.get("b-1").status is BookingStatus.CANCELLED
    assert world.version("booking_series", "ser") == versions["ser"] + 1
    for other in ("early", "late"):
        assert world.version("booking_series", other) == versions[other]
