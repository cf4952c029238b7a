"""Every windowed or due query equals the full scan filtered in Python.

On the in-memory store and SQLite, committed and staged, before and after a
second commit moves some of the items (so the memory store's sorted due values
are kept up to date, not only built).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.bookings.model import Booking, BookingStatus, BookingType
from booking_core.intervals import TimeWindow
from booking_core.ports import UnitOfWork
from booking_core.sessions.model import Session, SessionStatus

T0 = datetime(2026, 3, 20, tzinfo=timezone.utc)
PEOPLE = ("p-1", "p-2", "p-3")

windows = st.builds(
    lambda start, minutes: TimeWindow.of(
        T0 + timedelta(minutes=start), timedelta(minutes=minutes)
    ),
    st.integers(min_value=-20 * 24 * 60, max_value=20 * 24 * 60),
    st.one_of(
        st.integers(min_value=1, max_value=3 * 24 * 60),
        st.integers(min_value=1, max_value=12 * 24 * 60),
    ),
)
bookings = st.lists(
    st.tuples(
        st.sampled_from(PEOPLE),
        st.sampled_from(PEOPLE),
        st.sampled_from(BookingType),
        st.sampled_from(
            [
                BookingStatus.PENDING,
                BookingStatus.CONFIRMED,
                BookingStatus.WAITLISTED,
                BookingStatus.OFFERED,
                BookingStatus.DECLINED,
                BookingStatus.CANCELLED,
                BookingStatus.ATTENDED,
            ]
        ),
        windows,
    ),
    max_size=12,
)
sessions = st.lists(
    st.tuples(
        st.sampled_from(PEOPLE),
        st.sampled_from(
            [SessionStatus.SCHEDULED, SessionStatus.COMPLETED, SessionStatus.CANCELLED]
        ),
        windows,
    ),
    max_size=8,
)


def _booking(
    n: int, row: tuple[str, str, BookingType, BookingStatus, TimeWindow]
) -> Booking:
    teacher, student, kind, status, window = row
    return Booking(
        id=f"b-{n:02d}",
        type=kind,
        session_id=f"s-{n:02d}",
        student_id=student,
        teacher_id=teacher,
        course_id="c-1",
        window=window,
        status=status,
        created_at=T0 - timedelta(days=30),
        offer_expires_at=(
            window.start - timedelta(hours=1)
            if status is BookingStatus.OFFERED
            else None
        ),
    )


def _session(n: int, row: tuple[str, SessionStatus, TimeWindow]) -> Session:
    teacher, status, window = row
    return Session(
        id=f"s-{n:02d}",
        kind="group",
        teacher_id=teacher,
        course_id="c-1",
        window=window,
        zone="Europe/London",
        capacity=3,
        status=status,
    )


def _stores() -> Iterator[Callable[[], UnitOfWork]]:
    store = InMemoryStore()
    yield lambda: InMemoryUnitOfWork(store)
    database = SqliteDatabase(":memory:")
    yield lambda: SqliteUnitOfWork(database)


def _check(
    uow: UnitOfWork,
    all_bookings: list[Booking],
    all_sessions: list[Session],
    window: TimeWindow,
) -> None:
    for person in PEOPLE:
        found = uow.bookings.one_on_one_of_teacher(person, overlapping=window)
        assert [b.id for b in found] == [
            b.id
            for b in all_bookings
            if b.teacher_id == person
            and b.is_active
            and b.type is BookingType.ONE_ON_ONE
            and b.window.overlaps(window)
        ]
        found = uow.bookings.active_of_student(person, overlapping=window)
        assert [b.id for b in found] == [
            b.id
            for b in all_bookings
            if b.student_id == person and b.is_active and b.window.overlaps(window)
        ]
        held = uow.sessions.scheduled_of(person, overlapping=window)
        assert [s.id for s in held] == [
            s.id
            for s in all_sessions
            if s.teacher_id == person
            and s.status is SessionStatus.SCHEDULED
            and s.window.overlaps(window)
        ]
    due = uow.sessions.scheduled_sessions(starting_before=window.start)
    assert [s.id for s in due] == [
        s.id
        for s in sorted(all_sessions, key=lambda s: (s.start, s.id))
        if s.status is SessionStatus.SCHEDULED and s.start < window.start
    ]
    offers = uow.bookings.offers_due(due_by=window.start)
    assert [b.id for b in offers] == [
        b.id
        for b in sorted(all_bookings, key=lambda b: (b.offer_expires_at or T0, b.id))
        if b.offer_expires_at is not None and b.offer_expires_at <= window.start
    ]


@given(
    bookings=bookings,
    sessions=sessions,
    window=windows,
    staged=st.booleans(),
    moved=st.sets(st.integers(min_value=0, max_value=12)),
)
def test_windowed_and_due_reads_equal_the_filtered_full_scan(
    bookings: list[tuple[str, str, BookingType, BookingStatus, TimeWindow]],
    sessions: list[tuple[str, SessionStatus, TimeWindow]],
    window: TimeWindow,
    staged: bool,
    moved: set[int],
) -> None:
    all_bookings = [_booking(n, row) for n, row in enumerate(bookings)]
    all_sessions = [_session(n, row) for n, row in enumerate(sessions)]
    for factory in _stores():
        with factory() as uow:
            for booking in all_bookings:
                uow.bookings.add(booking)
            for session in all_sessions:
                uow.sessions.add(session)
            if staged:
                _check(uow, all_bookings, all_sessions, window)
                continue
            uow.commit()
        with factory() as uow:
            _check(uow, all_bookings, all_sessions, window)
        # a second commit moves some items: in or out of every set, or later
        later = timedelta(days=2)
        bookings_now = [
            attrs.evolve(
                b,
                version=1,
                status=BookingStatus.CANCELLED,
            )
            if n in moved and b.is_active and n % 2
            else b
            for n, b in enumerate(all_bookings)
        ]
        sessions_now = [
            attrs.evolve(s, version=1, window=s.window.shift(later))
            if n in moved
            else s
            for n, s in enumerate(all_sessions)
        ]
        with factory() as uow:
            for old, new in zip(all_bookings, bookings_now, strict=True):
                if new is not old:
                    uow.bookings.save(new)
            for was, now in zip(all_sessions, sessions_now, strict=True):
                if now is not was:
                    uow.sessions.save(now)
            uow.commit()
        with factory() as uow:
            _check(uow, bookings_now, sessions_now, window)


@pytest.mark.parametrize("days", [1, 7, 8, 30])
def test_long_items_are_found_from_any_day(days: int) -> None:
    store = InMemoryStore()
    session = _session(
        0, ("p-1", SessionStatus.SCHEDULED, TimeWindow.of(T0, timedelta(days=days)))
    )
    with InMemoryUnitOfWork(store) as uow:
        uow.sessions.add(session)
        uow.commit()
    last_hour = TimeWindow.of(T0 + timedelta(days=days, hours=-1), timedelta(hours=1))
    with InMemoryUnitOfWork(store) as uow:
        assert [
            s.id for s in uow.sessions.scheduled_of("p-1", overlapping=last_hour)
        ] == ["s-00"]


def test_due_values_shared_by_several_items_stay_sorted() -> None:
    store = InMemoryStore()
    hour = TimeWindow.of(T0, timedelta(hours=1))
    with InMemoryUnitOfWork(store) as uow:
        for n in range(3):
            uow.sessions.add(_session(n, ("p-1", SessionStatus.SCHEDULED, hour)))
        uow.commit()
    later = T0 + timedelta(days=1)
    with InMemoryUnitOfWork(store) as uow:
        assert len(uow.sessions.scheduled_sessions(starting_before=later)) == 3
        for n in (0, 1):  # leaves a value still held by s-02, then shares a new one
            moved = uow.sessions.get(f"s-{n:02d}")
            uow.sessions.save(attrs.evolve(moved, window=hour.shift(2 * (later - T0))))
        uow.commit()
    with InMemoryUnitOfWork(store) as uow:
        due = uow.sessions.scheduled_sessions(starting_before=later)
        assert [s.id for s in due] == ["s-02"]
        far = T0 + timedelta(days=3)
        assert len(uow.sessions.scheduled_sessions(starting_before=far)) == 3
