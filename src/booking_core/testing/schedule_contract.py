"""Contract suites for the 1:1 write tokens: teacher schedules and student calendars.

A host proves its :class:`~booking_core.ports.TeacherScheduleRepository`
(``uow.schedules``) and :class:`~booking_core.ports.StudentCalendarRepository`
(``uow.calendars``) by subclassing these classes in its test suite and
providing ``uow_factory`` and ``published`` (see ``docs/repositories.md``)::

    import pytest
    from booking_core.testing.schedule_contract import (
        StudentCalendarRepositoryContract,
        TeacherScheduleRepositoryContract,
    )

    class TestPostgresSchedules(TeacherScheduleRepositoryContract):
        @pytest.fixture
        def uow_factory(self, clean_database, publisher):
            return lambda: PostgresUnitOfWork(clean_database, publisher)

        @pytest.fixture
        def published(self, publisher):
            return publisher.published

The 1:1 service saves a teacher's schedule (and, when it checks students, the
student's calendar) in every transaction that writes one of their bookings,
often unchanged: the compare-and-set of that save is what serialises two
confirmations of one teacher, or two teachers booking one student. So besides
the checks every repository passes, both kits check that saving an unchanged
aggregate still advances its version and still loses to a concurrent save, and
that threads creating-or-touching one of them (as the service does) through
:func:`~booking_core.services.run_in_transaction` lose no commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import time, timedelta
from typing import Any

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.availability.schedule import StudentCalendar, TeacherSchedule
from booking_core.availability.windows import (
    Blackout,
    OneTimeAvailability,
    WeeklyAvailability,
)
from booking_core.errors import (
    ConcurrencyError,
    DuplicateIdError,
    NotFoundError,
    StaleVersionError,
)
from booking_core.intervals import TimeWindow
from booking_core.services import run_in_transaction
from booking_core.testing._aggregate_contract import NOW, AggregateRepositoryContract

__all__ = ["StudentCalendarRepositoryContract", "TeacherScheduleRepositoryContract"]

HOSTILE_TEXT = (
    'it\'s "quoted" \\ back; DROP TABLE aggregates; -- ? %s %(x)s $1 '
    '{"$type":"builtins:bytearray","f":{}} \u2028 नमस्ते 🎓'
)
"""Free text that breaks naive quoting, placeholders or a JSON-sniffing store."""


def _touch_serialises(
    uow_factory: Callable[[], Any], repository_of: Callable[[Any], Any], key: str
) -> None:
    """Two units save ``key`` unchanged; the first wins, the second is stale."""
    first, second = uow_factory(), uow_factory()
    with first, second:
        mine = repository_of(first).get(key)
        theirs = repository_of(second).get(key)
        repository_of(first).save(mine)
        repository_of(second).save(theirs)
        first.commit()
        with pytest.raises(StaleVersionError):
            second.commit()
    with uow_factory() as uow:
        stored = repository_of(uow).get(key)
    assert stored == attrs.evolve(mine, version=mine.version + 1)


def _touch(repository: Any, fresh: Any) -> None:
    """Save the stored aggregate unchanged, or add ``fresh`` when there is none."""
    try:
        current = repository.get(fresh.id)
    except NotFoundError:
        repository.add(fresh)
        return
    repository.save(current)


def _touched_from_threads(
    uow_factory: Callable[[], Any],
    repository_of: Callable[[Any], Any],
    fresh: Any,
    *,
    threads: int = 4,
    touches: int = 5,
) -> None:
    """Threads first-touch and touch one aggregate; every commit counts once."""
    barrier = threading.Barrier(threads)

    def worker() -> None:
        barrier.wait()
        for _ in range(touches):
            run_in_transaction(
                uow_factory,
                lambda uow: _touch(repository_of(uow), fresh),
                attempts=500,
                retry_on=(ConcurrencyError, DuplicateIdError),
            )

    running = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    with uow_factory() as uow:
        stored = repository_of(uow).get(fresh.id)
    assert stored == attrs.evolve(fresh, version=threads * touches)


class TeacherScheduleRepositoryContract(AggregateRepositoryContract):
    """The checks every :class:`~booking_core.ports.TeacherScheduleRepository` passes.

    Fixtures: ``uow_factory``, ``published`` and ``schedules_of`` (the schedule
    repository of a unit of work, ``uow.schedules`` by default).
    """

    @pytest.fixture
    def schedules_of(self) -> Callable[[Any], Any]:
        """The teacher schedule repository of a unit of work (``uow.schedules``)."""
        return lambda uow: uow.schedules

    @pytest.fixture
    def repository_of(self, schedules_of: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """The repository the shared checks use: the schedule repository."""
        return schedules_of

    def shapes(self) -> Sequence[TeacherSchedule]:
        """Empty, every kind of window and rule, no-DST zone, hostile free text."""
        start = NOW + timedelta(days=3)
        return [
            TeacherSchedule(id="t-1"),
            TeacherSchedule(
                id="t-2",
                zone="Europe/London",
                availability=[
                    WeeklyAvailability(
                        weekday=0,
                        start=time(9),
                        end=time(12, 30),
                        zone="Europe/London",
                        valid_from=NOW.date(),
                        valid_until=NOW.date() + timedelta(days=90),
                        course="course-1",
                    ),
                    WeeklyAvailability(
                        weekday=6, start=time(22), end=time(1), zone="Europe/London"
                    ),
                    OneTimeAvailability(
                        window=TimeWindow.of(start, timedelta(hours=2)),
                        course="course-2",
                    ),
                    Blackout(
                        window=TimeWindow.of(start, timedelta(days=1)),
                        reason="school holiday",
                    ),
                ],
                step=timedelta(minutes=15),
                buffer_before=timedelta(minutes=5),
                buffer_after=timedelta(minutes=10),
                minimum_notice=timedelta(hours=12),
                horizon=timedelta(days=60),
                max_per_day=4,
                updated_at=NOW,
                updated_by=Actor.teacher("t-2"),
            ),
            TeacherSchedule(
                id="t-3.kolkata_~x",
                zone="Asia/Kolkata",
                availability=[
                    WeeklyAvailability(
                        weekday=2, start=time(18), end=time(21), zone="Asia/Kolkata"
                    ),
                    Blackout(
                        window=TimeWindow.of(start, timedelta(hours=5)),
                        reason=HOSTILE_TEXT,
                    ),
                ],
                step=timedelta(hours=1),
                updated_at=NOW,
                updated_by=Actor.system(),
            ),
        ]

    def changed(self, aggregate: Any) -> Any:
        """The schedule with a per-day cap, a notice period and a new blackout."""
        schedule: TeacherSchedule = aggregate
        return attrs.evolve(
            schedule,
            availability=(
                *schedule.availability,
                Blackout(
                    window=TimeWindow.of(NOW + timedelta(days=20), timedelta(days=2)),
                    reason="conference",
                ),
            ),
            max_per_day=2,
            minimum_notice=timedelta(hours=24),
            updated_at=NOW + timedelta(hours=1),
            updated_by=Actor.teacher(schedule.id),
        )

    def test_saving_unchanged_serialises(
        self, uow_factory: Callable[[], Any], schedules_of: Callable[[Any], Any]
    ) -> None:
        """A touched schedule gets a new version; a concurrent touch is stale."""
        schedule = self.shapes()[1]
        self.add_committed(uow_factory, schedules_of, schedule)
        _touch_serialises(uow_factory, schedules_of, schedule.id)
        _touch_serialises(uow_factory, schedules_of, schedule.id)
        assert self.load(uow_factory, schedules_of, schedule.id) == attrs.evolve(
            schedule, version=3
        )

    def test_writes_in_one_unit_advance_once(
        self, uow_factory: Callable[[], Any], schedules_of: Callable[[Any], Any]
    ) -> None:
        """Added then saved in one unit: stored once, as version 1, as last saved."""
        fresh = TeacherSchedule(id="t-new")
        with uow_factory() as uow:
            repository = schedules_of(uow)
            repository.add(fresh)
            repository.save(self.changed(repository.get(fresh.id)))
            uow.commit()
        later = attrs.evolve(self.changed(fresh), version=1)
        assert self.load(uow_factory, schedules_of, fresh.id) == later
        with uow_factory() as uow:
            repository = schedules_of(uow)
            repository.save(repository.get(fresh.id))
            repository.save(repository.get(fresh.id))
            uow.commit()
        assert self.load(uow_factory, schedules_of, fresh.id).version == 2

    def test_touched_from_threads(
        self, uow_factory: Callable[[], Any], schedules_of: Callable[[Any], Any]
    ) -> None:
        """Threads creating then touching one schedule: every commit counts once."""
        _touched_from_threads(uow_factory, schedules_of, TeacherSchedule(id="t-9"))

    @pytest.mark.parametrize(
        "text", ["nul \x00 inside", "lone \ud800 surrogate", "\x1b[31m escape"]
    )
    def test_text_a_database_may_not_hold(
        self,
        uow_factory: Callable[[], Any],
        schedules_of: Callable[[Any], Any],
        text: str,
    ) -> None:
        """A blackout reason ``jsonb`` cannot hold: kept exactly, or refused coded."""
        schedule = TeacherSchedule(
            id="t-odd",
            availability=[
                Blackout(window=TimeWindow.of(NOW, timedelta(hours=1)), reason=text)
            ],
        )
        self.stored_as_given_or_refused(uow_factory, schedules_of, schedule)


class StudentCalendarRepositoryContract(AggregateRepositoryContract):
    """The checks every :class:`~booking_core.ports.StudentCalendarRepository` passes.

    Fixtures: ``uow_factory``, ``published``, ``calendars_of`` (the calendar
    repository of a unit of work, ``uow.calendars`` by default) and, for the
    ordering check across teachers, ``schedules_of``.
    """

    @pytest.fixture
    def calendars_of(self) -> Callable[[Any], Any]:
        """The student calendar repository of a unit of work (``uow.calendars``)."""
        return lambda uow: uow.calendars

    @pytest.fixture
    def schedules_of(self) -> Callable[[Any], Any]:
        """The teacher schedule repository of a unit of work (``uow.schedules``)."""
        return lambda uow: uow.schedules

    @pytest.fixture
    def repository_of(self, calendars_of: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """The repository the shared checks use: the calendar repository."""
        return calendars_of

    def shapes(self) -> Sequence[StudentCalendar]:
        """Calendars under ids that differ only in the characters ids allow."""
        return [
            StudentCalendar(id="ann"),
            StudentCalendar(id="ann~"),
            StudentCalendar(id="ANN"),
            StudentCalendar(id="a.n-n_~1"),
        ]

    def changed(self, aggregate: Any) -> Any:
        """The calendar itself: it holds nothing, saving it only orders writers."""
        return aggregate

    def test_saving_unchanged_serialises(
        self, uow_factory: Callable[[], Any], calendars_of: Callable[[Any], Any]
    ) -> None:
        """A touched calendar gets a new version; its look-alikes are untouched."""
        self.add_committed(uow_factory, calendars_of, *self.shapes())
        _touch_serialises(uow_factory, calendars_of, "ann")
        with uow_factory() as uow:
            repository = calendars_of(uow)
            assert [repository.get(c.id).version for c in self.shapes()] == [2, 1, 1, 1]

    def test_touched_from_threads(
        self, uow_factory: Callable[[], Any], calendars_of: Callable[[Any], Any]
    ) -> None:
        """Threads creating then touching one calendar: every commit counts once."""
        _touched_from_threads(uow_factory, calendars_of, StudentCalendar(id="ann"))

    def test_one_student_orders_two_teachers(
        self,
        uow_factory: Callable[[], Any],
        calendars_of: Callable[[Any], Any],
        schedules_of: Callable[[Any], Any],
    ) -> None:
        """Two teachers booking one student: the second commit stores nothing."""
        with uow_factory() as uow:
            schedules_of(uow).add(TeacherSchedule(id="t-1"))
            schedules_of(uow).add(TeacherSchedule(id="t-2"))
            calendars_of(uow).add(StudentCalendar(id="ann"))
            uow.commit()
        first, second = uow_factory(), uow_factory()
        with first, second:
            for uow, teacher in ((first, "t-1"), (second, "t-2")):
                schedules_of(uow).save(schedules_of(uow).get(teacher))
                calendars_of(uow).save(calendars_of(uow).get("ann"))
            first.commit()
            with pytest.raises(StaleVersionError):
                second.commit()
        with uow_factory() as uow:
            assert schedules_of(uow).get("t-1").version == 2
            assert schedules_of(uow).get("t-2").version == 1  # refused: unchanged
            assert calendars_of(uow).get("ann").version == 2
