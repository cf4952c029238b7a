"""Contract suite for booking series storage: :class:`BookingSeriesRepositoryContract`.

A host proves its :class:`~booking_core.ports.BookingSeriesRepository` by
subclassing the contract in its test suite and providing ``uow_factory``,
``published`` and ``series_of`` (see ``docs/repositories.md``)::

    import pytest
    from booking_core.testing.series_contract import BookingSeriesRepositoryContract

    class TestPostgresSeries(BookingSeriesRepositoryContract):
        @pytest.fixture
        def uow_factory(self, clean_database, publisher):
            return lambda: PostgresUnitOfWork(clean_database, publisher)


        @pytest.fixture
        def published(self, publisher):
            return publisher.published
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.recurrence import RecurrenceRule
from booking_core.series import BookingSeries, cancel_occurrences, create_series
from booking_core.sessions import MeetingInfo
from booking_core.testing._aggregate_contract import AggregateRepositoryContract

__all__ = ["BookingSeriesRepositoryContract"]

_NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
_UNTIL = datetime(2026, 4, 1, tzinfo=timezone.utc)


def _series(
    series_id: str,
    *,
    teacher: str = "t-1",
    student: str = "s-1",
    rule: str = "FREQ=WEEKLY;BYDAY=MO,TH",
    zone: str = "Europe/London",
    until: datetime = _UNTIL,
    **options: Any,
) -> BookingSeries:
    return create_series(
        id=series_id,
        teacher_id=teacher,
        student_id=student,
        rule=RecurrenceRule.parse(rule),
        start=datetime(2026, 3, 2, 18),  # noqa: DTZ001 - a wall time in ``zone``
        zone=zone,
        duration=timedelta(hours=1),
        until=until,
        existing=[],
        actor=Actor.system(),
        now=_NOW,
        **options,
    ).state


def _cancel(series: BookingSeries, scope: str) -> BookingSeries:
    return cancel_occurrences(
        series,
        occurrence_index=series.items[0].occurrence_index,
        scope=scope,
        reason="teacher on leave",
        actor=Actor.teacher(series.teacher_id),
        now=_NOW,
    ).state


class BookingSeriesRepositoryContract(AggregateRepositoryContract):
    """The checks every :class:`~booking_core.ports.BookingSeriesRepository` passes.

    Fixtures: ``uow_factory``, ``published`` and ``series_of`` (the series
    repository of a unit of work).
    """

    @pytest.fixture
    def series_of(self) -> Callable[[Any], Any]:
        """The booking series repository of a unit of work (``uow.series``)."""
        return lambda uow: uow.series

    @pytest.fixture
    def repository_of(self, series_of: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """The repository the shared checks use: the series repository."""
        return series_of

    def shapes(self) -> Sequence[BookingSeries]:
        """Across the UK DST change, in a no-DST zone, cancelled, ended."""
        return [
            _series(
                "series-london",
                course_id="course-1",
                meeting=MeetingInfo(provider="meet", link="https://meet.example/x"),
                payment_mode="up_front",
            ),
            _series(
                "series-kolkata",
                rule="FREQ=DAILY;COUNT=3",
                zone="Asia/Kolkata",
                student="s-2",
            ),
            _cancel(_series("series-one-cancelled", student="s-3"), "one"),
            _cancel(_series("series-ended", teacher="t-2"), "all"),
        ]

    def changed(self, aggregate: Any) -> Any:
        """The series with its first occurrence cancelled."""
        return _cancel(aggregate, "one")

    def test_queries(
        self, uow_factory: Callable[[], Any], series_of: Callable[[Any], Any]
    ) -> None:
        """By teacher, by student, and the open series due for extension."""
        self.add_committed(uow_factory, series_of, *reversed(self.shapes()))
        later = datetime(2026, 5, 1, tzinfo=timezone.utc)
        with uow_factory() as uow:
            repository = series_of(uow)
            assert [s.id for s in repository.of_teacher("t-1")] == [
                "series-kolkata",
                "series-london",
                "series-one-cancelled",
            ]
            assert [s.id for s in repository.of_student("s-1")] == [
                "series-ended",
                "series-london",
            ]
            assert repository.of_teacher("t-9") == []
            assert repository.to_extend(until=_UNTIL) == []
            assert [s.id for s in repository.to_extend(until=later)] == [
                "series-kolkata",
                "series-london",
                "series-one-cancelled",
            ]
            repository.save(_cancel(repository.get("series-london"), "all"))
            repository.add(_series("series-new", teacher="t-3", student="s-1"))
            assert [s.id for s in repository.to_extend(until=later)] == [
                "series-kolkata",
                "series-new",
                "series-one-cancelled",
            ]
            uow.commit()
        with uow_factory() as uow:
            repository = series_of(uow)
            assert [s.id for s in repository.to_extend(until=later)] == [
                "series-kolkata",
                "series-new",
                "series-one-cancelled",
            ]
            assert [s.id for s in repository.of_student("s-1")] == [
                "series-ended",
                "series-london",
                "series-new",
            ]

    def test_of_booking(
        self, uow_factory: Callable[[], Any], series_of: Callable[[Any], Any]
    ) -> None:
        """The series holding a booking (active or cancelled item), else ``None``.

        Staged adds and saves are seen before commit; a save that drops an
        item no longer finds the series by it.
        """
        self.add_committed(uow_factory, series_of, *self.shapes())

        def holder(repository: Any, booking_id: str) -> str | None:
            found = repository.of_booking(booking_id)
            return None if found is None else found.id

        with uow_factory() as uow:
            repository = series_of(uow)
            london = repository.get("series-london")
            assert len(london.items) > 1
            for item in london.items:
                assert holder(repository, item.booking_id) == "series-london"
            found = repository.of_booking(london.items[0].booking_id)
            assert found.items == london.items
            assert found.version == london.version
            cancelled = repository.get("series-one-cancelled")
            assert cancelled.items[0].status.value == "cancelled"
            assert (
                holder(repository, cancelled.items[0].booking_id)
                == "series-one-cancelled"
            )
            ended = repository.get("series-ended")
            assert holder(repository, ended.items[-1].booking_id) == "series-ended"
            assert repository.of_booking("booking-from-a-slot") is None
            assert repository.of_booking("series-london") is None
            assert repository.of_booking(f"{london.id}~999") is None
            new = _series("series-new", teacher="t-3", student="s-4")
            repository.add(new)
            assert holder(repository, new.items[0].booking_id) == "series-new"
            repository.save(attrs.evolve(london, items=london.items[1:]))
            assert repository.of_booking(london.items[0].booking_id) is None
            assert holder(repository, london.items[1].booking_id) == "series-london"
            uow.commit()
        with uow_factory() as uow:
            repository = series_of(uow)
            assert repository.of_booking(london.items[0].booking_id) is None
            assert holder(repository, london.items[1].booking_id) == "series-london"
            assert (
                repository.of_booking(london.items[1].booking_id).items
                == london.items[1:]
            )
            assert holder(repository, new.items[-1].booking_id) == "series-new"
