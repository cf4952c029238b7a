"""Booking series repositories: memory and SQLite, versions, indexes, round trip."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.errors import DuplicateIdError, NotFoundError, StaleVersionError
from booking_core.ports import BookingSeriesRepository
from booking_core.recurrence import RecurrenceRule
from booking_core.series import BookingSeries, cancel_occurrences, create_series
from booking_core.sessions import MeetingInfo

UTC = timezone.utc
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _series(series_id: str, teacher: str, student: str) -> BookingSeries:
    return create_series(
        id=series_id,
        teacher_id=teacher,
        student_id=student,
        rule=RecurrenceRule.parse("FREQ=WEEKLY;BYDAY=MO,TH"),
        start=datetime(2026, 3, 2, 18),
        zone="Europe/London",
        duration=timedelta(hours=1),
        until=datetime(2026, 4, 1, tzinfo=UTC),
        existing=[],
        actor=Actor.system(),
        now=NOW,
        meeting=MeetingInfo(
            provider="meet", link="https://meet.example/x", passcode="1"
        ),
        payment_mode="up_front",
    ).state


def _series_of(uow: Any) -> BookingSeriesRepository:
    series: BookingSeriesRepository = uow.series
    return series


@pytest.fixture(params=["memory", "sqlite"])
def setup(
    request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[Callable[[], Any], Callable[[Any], BookingSeriesRepository]]:
    if request.param == "memory":
        store = InMemoryStore()
        return (lambda: InMemoryUnitOfWork(store)), _series_of
    database = SqliteDatabase(tmp_path / "series.sqlite3")
    return (lambda: SqliteUnitOfWork(database)), _series_of


def test_round_trip_versions_and_queries(
    setup: tuple[Callable[[], Any], Callable[[Any], BookingSeriesRepository]],
) -> None:
    uow_factory, repo_of = setup
    first, second = _series("a", "t-1", "s-1"), _series("b", "t-1", "s-2")
    with uow_factory() as uow:
        repo_of(uow).add(second)
        repo_of(uow).add(first)
        uow.commit()
    with uow_factory() as uow:
        repo = repo_of(uow)
        loaded = repo.get("a")
        assert attrs.evolve(loaded, version=0) == first
        assert loaded.version == 1
        assert [s.id for s in repo.of_teacher("t-1")] == ["a", "b"]
        assert [s.id for s in repo.of_student("s-2")] == ["b"]
        assert repo.of_teacher("t-9") == []
        until = datetime(2026, 5, 1, tzinfo=UTC)
        assert [s.id for s in repo.to_extend(until=until)] == ["a", "b"]
        assert repo.to_extend(until=first.expanded_until) == []
        ended = cancel_occurrences(
            loaded,
            occurrence_index=0,
            scope="all",
            reason="stop",
            actor=Actor.system(),
            now=NOW,
        ).state
        repo.save(ended)
        uow.commit()
    with uow_factory() as uow:
        repo = repo_of(uow)
        assert [s.id for s in repo.to_extend(until=until)] == ["b"]
        assert repo.get("a").version == 2
        with pytest.raises(NotFoundError):
            repo.get("zzz")
        repo.add(first)  # reads nothing: the stored id is refused on commit
        with pytest.raises(DuplicateIdError):
            uow.commit()


def test_stale_save_is_refused(
    setup: tuple[Callable[[], Any], Callable[[Any], BookingSeriesRepository]],
) -> None:
    uow_factory, repo_of = setup
    with uow_factory() as uow:
        repo_of(uow).add(_series("a", "t-1", "s-1"))
        uow.commit()
    with uow_factory() as one, uow_factory() as two:
        mine, theirs = repo_of(one).get("a"), repo_of(two).get("a")
        repo_of(one).save(attrs.evolve(mine, last_index=3))
        one.commit()
        repo_of(two).save(attrs.evolve(theirs, last_index=5))
        with pytest.raises(StaleVersionError):
            two.commit()
