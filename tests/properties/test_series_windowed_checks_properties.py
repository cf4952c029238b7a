"""Series checks that read only their span decide what whole-history reads decided.

Creating, moving and extending a series used to load every active booking and
scheduled session of the teacher and the student; they now load those
overlapping the span of the occurrences they check. A commitment outside
every checked window never changes a conflict check, so against a twin store
whose windowed reads return the whole history (what the service read before)
every decision, refusal, report and stored booking is the same: with 1:1
bookings (confirmed, pending, cancelled), group sessions taught (some longer
than the day buckets' limit), the student's group seats and 1:1 bookings with
another teacher, in Europe/London across the spring DST change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking_core.actors import Actor
from booking_core.adapters._repositories import (
    StagedBookingRepository,
    StagedSessionRepository,
)
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.availability.schedule import TeacherSchedule
from booking_core.bookings.model import (
    Booking,
    BookingDecision,
    BookingStatus,
    BookingType,
)
from booking_core.clock import ManualClock
from booking_core.errors import BookingCoreError
from booking_core.events import Decision
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.recurrence import RecurrenceRule
from booking_core.series import BookingSeries
from booking_core.services.one_on_one import OneOnOneService
from booking_core.sessions.model import Session, SessionStatus

UTC = timezone.utc
NOW = datetime(2026, 3, 20, 9, tzinfo=UTC)
ZONE = "Europe/London"
TEACHER = Actor.teacher("t-1")
STUDENT = Actor.student("s-1")
RULES = ("FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=DAILY;INTERVAL=2;COUNT=6")
NIL = uuid.UUID(int=0)


class _HistoryBookings(StagedBookingRepository):
    """Windowed reads that return the whole history (what the service read before)."""

    def one_on_one_of_teacher(
        self, teacher_id: str, *, overlapping: TimeWindow, **_: Any
    ) -> list[Booking]:
        return [
            b
            for b in self.of_teacher(teacher_id, active_only=True)
            if b.type is BookingType.ONE_ON_ONE
        ]

    def active_of_student(
        self, student_id: str, *, overlapping: TimeWindow, **_: Any
    ) -> list[Booking]:
        return self.of_student(student_id, active_only=True)


class _HistorySessions(StagedSessionRepository):
    def scheduled_of(
        self, teacher_id: str, *, overlapping: TimeWindow, **_: Any
    ) -> list[Session]:
        return [
            s for s in self.taught_by(teacher_id) if s.status is SessionStatus.SCHEDULED
        ]


class _HistoryUnitOfWork:
    """An in-memory unit of work whose windowed reads return the whole history."""

    def __init__(self, store: InMemoryStore) -> None:
        self._inner = InMemoryUnitOfWork(store)

    def __enter__(self) -> _HistoryUnitOfWork:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, traceback)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def bookings(self) -> _HistoryBookings:
        return _HistoryBookings(self._inner)

    @property
    def sessions(self) -> _HistorySessions:
        return _HistorySessions(self._inner)


Row = tuple[str, int, int, str]
"""(kind, start hour offset, length in hours, status or student)."""

rows = st.lists(
    st.tuples(
        st.sampled_from(("one_on_one", "session", "seat", "elsewhere")),
        st.integers(0, 24 * 24),
        st.sampled_from((1, 2, 3, 24 * 9)),
        st.sampled_from(("confirmed", "pending", "cancelled", "s-2")),
    ),
    max_size=25,
)

commands = st.lists(
    st.one_of(
        st.tuples(
            st.just("create"),
            st.integers(0, 24 * 14),
            st.sampled_from(RULES),
            st.integers(1, 5),
            st.sampled_from(("all_or_nothing", "skip_conflicts")),
        ),
        st.tuples(
            st.just("move"),
            st.integers(0, 8),
            st.integers(-24 * 3, 24 * 10),
            st.sampled_from(("one", "this_and_following", "all")),
            st.integers(0, 3),
        ),
        st.tuples(st.just("extend"), st.integers(0, 24 * 20)),
        st.tuples(st.just("pass"), st.integers(1, 24 * 3)),
    ),
    min_size=1,
    max_size=6,
)


def _booking(n: int, row: Row) -> Booking | Session:
    kind, offset, hours, status = row
    window = TimeWindow.of(NOW + timedelta(hours=offset), timedelta(hours=hours))
    if kind == "session":
        return Session(
            id=f"g-{n}",
            kind="group",
            teacher_id="t-1",
            course_id="c-1",
            window=window,
            zone=ZONE,
            capacity=5,
            status="cancelled" if status == "cancelled" else "scheduled",
        )
    one_on_one = kind != "seat"
    state = status if status in {"pending", "cancelled"} else "confirmed"
    return Booking(
        id=f"b-{n}",
        type=BookingType.ONE_ON_ONE if one_on_one else BookingType.GROUP,
        session_id=f"b-{n}" if one_on_one else f"elsewhere-{n}",
        student_id="s-1" if kind != "one_on_one" or status != "s-2" else "s-2",
        teacher_id="t-1" if kind == "one_on_one" else "t-2",
        course_id="c-1",
        window=window,
        status=BookingStatus(state),
        decision=None
        if state == "pending"
        else BookingDecision(by=Actor.system(), at=NOW - timedelta(days=1)),
        created_at=NOW - timedelta(days=1),
    )


def _world(
    history: list[Row], uow_class: Callable[[InMemoryStore], Any]
) -> tuple[OneOnOneService, ManualClock, InMemoryStore]:
    store = InMemoryStore()
    clock = ManualClock(NOW)

    def factory() -> Any:
        return uow_class(store)

    service = OneOnOneService(
        uow_factory=factory,
        clock=clock,
        policies=Policies(series_horizon=timedelta(weeks=2)),
    )
    service.set_schedule(TeacherSchedule(id="t-1", zone=ZONE), actor=TEACHER)
    with factory() as uow:
        for n, row in enumerate(history):
            item = _booking(n, row)
            if isinstance(item, Session):
                uow.sessions.add(item)
            else:
                uow.bookings.add(item)
        uow.commit()
    return service, clock, store


def _outcome(run: Callable[[], Any], created: list[str] | None = None) -> object:
    """A comparable result: the states and events (ids blanked), or the refusal.

    A created series' id is appended to ``created``.
    """
    try:
        result = run()
    except BookingCoreError as error:
        return (type(error).__name__, error.code, str(error))
    if created is not None:
        created.append(result.state.id)
    decisions = result if isinstance(result, tuple) else (result,)
    return [
        (
            decision.state,
            [attrs.evolve(event, event_id=NIL) for event in decision.events],
        )
        for decision in decisions
        if isinstance(decision, Decision)
    ]


def _step(
    service: OneOnOneService,
    clock: ManualClock,
    series: list[str],
    command: tuple[Any, ...],
) -> object:
    """Run one command; ``series`` holds the ids created so far (moves pick one)."""
    name = command[0]
    if name == "create":
        _, offset, rule, weeks, mode = command
        start = NOW + timedelta(hours=offset)
        return _outcome(
            lambda: service.create_series(
                teacher_id="t-1",
                student_id="s-1",
                course_id="c-1",
                rule=RecurrenceRule.parse(rule),
                start=start,
                zone=ZONE,
                duration=timedelta(hours=1),
                until=start + timedelta(weeks=weeks),
                actor=STUDENT,
                series_id=f"series-{len(series)}",
                mode=mode,
            ),
            created=series,
        )
    if name == "move":
        _, index, hours, scope, which = command
        if not series:
            return None
        series_id = series[which % len(series)]
        return _outcome(
            lambda: service.move_occurrences(
                series_id,
                index,
                new_start=NOW + timedelta(hours=hours + 24 * index),
                scope=scope,
                reason="moved",
                actor=TEACHER,
            )
        )
    if name == "extend":
        return _outcome(
            lambda: service.extend_series(now=NOW + timedelta(hours=command[1]))
        )
    clock.advance(timedelta(hours=command[1]))
    return None


@settings(max_examples=150, deadline=None)
@given(history=rows, steps=commands)
def test_windowed_series_checks_decide_as_whole_history_reads(
    history: list[Row], steps: list[tuple[Any, ...]]
) -> None:
    windowed, windowed_clock, windowed_store = _world(history, InMemoryUnitOfWork)
    whole, whole_clock, whole_store = _world(history, _HistoryUnitOfWork)
    windowed_series: list[str] = []
    whole_series: list[str] = []
    for command in steps:
        assert _step(windowed, windowed_clock, windowed_series, command) == _step(
            whole, whole_clock, whole_series, command
        )
    for collection in ("bookings", "booking_series"):
        assert dict(windowed_store.collection(collection)) == dict(
            whole_store.collection(collection)
        )


def test_a_move_refused_before_any_check_is_refused_alike() -> None:
    """Unknown occurrence, naive start, bad scope: refused as before, nothing read."""
    service, _, _ = _world([], InMemoryUnitOfWork)
    service.create_series(
        teacher_id="t-1",
        student_id="s-1",
        course_id="c-1",
        rule=RecurrenceRule.parse("FREQ=DAILY;COUNT=3"),
        start=NOW + timedelta(days=1),
        zone=ZONE,
        duration=timedelta(hours=1),
        until=NOW + timedelta(weeks=1),
        actor=STUDENT,
        series_id="series-0",
    )
    series: BookingSeries = service.get_series("series-0")
    assert len(series.items) == 3
    cases: list[tuple[int, datetime, str]] = [
        (7, NOW + timedelta(days=2), "series.occurrence_not_found"),
        (0, datetime(2026, 3, 25, 9), "time.naive_datetime"),
    ]
    for index, start, code in cases:
        with pytest.raises(BookingCoreError) as refused:
            service.move_occurrences(
                "series-0",
                index,
                new_start=start,
                scope="one",
                reason="r",
                actor=TEACHER,
            )
        assert refused.value.code == code
    assert service.get_series("series-0") == series
