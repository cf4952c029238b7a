"""Every windowed query equals the full scan filtered in Python (memory, SQLite)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

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


@given(bookings=bookings, sessions=sessions, window=windows, staged=st.booleans())
def test_windowed_reads_equal_the_filtered_full_scan(
    bookings: list[tuple[str, str, BookingType, BookingStatus, TimeWindow]],
    sessions: list[tuple[str, SessionStatus, TimeWindow]],
    window: TimeWindow,
    staged: bool,
) -> None:
    all_bookings = [_booking(n, row) for n, row in enumerate(bookings)]
    all_sessions = [_session(n, row) for n, row in enumerate(sessions)]
    for factory in _stores():
        with factory() as uow:
            for booking in all_bookings:
                uow.bookings.add(booking)
            for session in all_sessions:
                uow.sessions.add(session)
            if not staged:
                uow.commit()
                uow = factory()  # noqa: PLW2901 -- read committed rows afresh
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
                    if b.student_id == person
                    and b.is_active
                    and b.window.overlaps(window)
                ]
                held = uow.sessions.scheduled_of(person, overlapping=window)
                assert [s.id for s in held] == [
                    s.id
                    for s in all_sessions
                    if s.teacher_id == person
                    and s.status is SessionStatus.SCHEDULED
                    and s.window.overlaps(window)
                ]


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
