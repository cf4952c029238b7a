"""The checks every versioned repository shares, whatever its aggregate.

:class:`AggregateRepositoryContract` holds them; the public contracts
(:mod:`booking_core.testing.booking_contract` and friends) subclass it, name
their repository fixture and add the queries of their port. The hooks a
concrete contract supplies are :meth:`~AggregateRepositoryContract.shapes`
(every shape of the aggregate worth storing) and
:meth:`~AggregateRepositoryContract.changed` (a later state of one of them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from booking_core import sessions
from booking_core.actors import Actor
from booking_core.errors import (
    BookingCoreError,
    DuplicateIdError,
    NotFoundError,
    StaleVersionError,
)
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.sessions import MeetingInfo, Session

__all__ = [
    "NOW",
    "TEACHER",
    "AggregateRepositoryContract",
    "group_session",
    "refuses_duplicate",
]

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)
"""The fixed instant the contracts decide at (a Friday, before the UK DST change)."""

TEACHER = Actor.teacher("teacher-1")
"""The teacher of every session the contracts schedule."""


def refuses_duplicate(
    uow_factory: Callable[[], Any], add: Callable[[Any], object]
) -> None:
    """Check that ``add(uow)`` of a stored id is refused on add or on commit.

    A repository may refuse at once (it reads) or leave it to the store's
    primary key on commit (it reads nothing); either way nothing is stored.
    """
    with uow_factory() as uow:
        try:
            add(uow)
        except DuplicateIdError:
            return
        with pytest.raises(DuplicateIdError):
            uow.commit()


def group_session(
    session_id: str, *, capacity: int = 12, waitlist: bool = True, days: int = 10
) -> Session:
    """A scheduled group session ``days`` after :data:`NOW`, in Europe/London."""
    return sessions.schedule(
        session_id=session_id,
        kind="group",
        teacher_id=TEACHER.user_id,
        course_id="course-1",
        window=TimeWindow.of(NOW + timedelta(days=days), timedelta(hours=1)),
        zone="Europe/London",
        meeting=MeetingInfo(provider="zoom", link="https://example.test/m/1"),
        capacity=capacity,
        waitlist_enabled=waitlist,
        actor=TEACHER,
        now=NOW,
    ).state


def _event(aggregate_id: str) -> DomainEvent:
    return DomainEvent(occurred_at=NOW, actor=TEACHER, aggregate_id=aggregate_id)


class AggregateRepositoryContract:
    """Round trips, not found, duplicate ids, compare-and-set, rollback, events.

    Fixtures: ``uow_factory`` (new unit of work on a fresh store per test),
    ``published`` (the events the store's publisher received) and
    ``repository_of`` (the repository of a unit of work; concrete contracts
    derive it from their own named fixture).
    """

    _is_contract_base = True  # subclassed by hosts, so deliberately not @final

    # -- fixtures and hooks the concrete contract or the host supplies ------------

    @pytest.fixture
    def uow_factory(self) -> Callable[[], Any]:
        """A zero-argument callable returning a new unit of work on a fresh store."""
        raise NotImplementedError  # pragma: no cover - subclasses provide it

    @pytest.fixture
    def published(self) -> list[DomainEvent]:
        """The events the store's publisher has received."""
        raise NotImplementedError  # pragma: no cover - subclasses provide it

    @pytest.fixture
    def repository_of(self) -> Callable[[Any], Any]:
        """The contract's repository of a unit of work."""
        raise NotImplementedError  # pragma: no cover - concrete contracts provide it

    def shapes(self) -> Sequence[Any]:
        """Every shape of the aggregate worth a round trip (distinct ids, version 0)."""
        raise NotImplementedError  # pragma: no cover - concrete contracts provide it

    def changed(self, aggregate: Any) -> Any:
        """A later state of ``aggregate`` (same id and version, other content)."""
        raise NotImplementedError  # pragma: no cover - concrete contracts provide it

    # -- helpers ---------------------------------------------------------------------

    @staticmethod
    def add_committed(
        uow_factory: Callable[[], Any], repository_of: Callable[[Any], Any], *items: Any
    ) -> None:
        """Add ``items`` in one unit of work and commit it."""
        with uow_factory() as uow:
            repository = repository_of(uow)
            for item in items:
                repository.add(item)
            uow.commit()

    @staticmethod
    def load(
        uow_factory: Callable[[], Any], repository_of: Callable[[Any], Any], key: str
    ) -> Any:
        """Load ``key`` in a fresh unit of work."""
        with uow_factory() as uow:
            return repository_of(uow).get(key)

    @staticmethod
    def stored_as_given_or_refused(
        uow_factory: Callable[[], Any],
        repository_of: Callable[[Any], Any],
        aggregate: Any,
    ) -> bool:
        """Add ``aggregate``: it comes back equal, or the commit is refused coded.

        For values the domain accepts but a database may not hold (a NUL
        character in ``jsonb``): the store keeps them exactly or refuses them
        with a :class:`~booking_core.errors.BookingCoreError` and stores
        nothing, never a driver's error or an altered copy. Returns whether it
        was stored.
        """
        try:
            AggregateRepositoryContract.add_committed(
                uow_factory, repository_of, aggregate
            )
        except BookingCoreError:
            with uow_factory() as uow, pytest.raises(NotFoundError):
                repository_of(uow).get(aggregate.id)
            return False
        loaded = AggregateRepositoryContract.load(
            uow_factory, repository_of, aggregate.id
        )
        assert loaded == attrs.evolve(aggregate, version=1)
        return True

    # -- the checks ----------------------------------------------------------------

    def test_round_trip_of_every_shape(
        self, uow_factory: Callable[[], Any], repository_of: Callable[[Any], Any]
    ) -> None:
        """Every shape comes back equal, with version 1."""
        shapes = list(self.shapes())
        assert len({shape.id for shape in shapes}) == len(shapes)
        self.add_committed(uow_factory, repository_of, *shapes)
        with uow_factory() as uow:
            repository = repository_of(uow)
            for original in shapes:
                assert repository.get(original.id) == attrs.evolve(original, version=1)

    def test_saved_change_round_trips(
        self, uow_factory: Callable[[], Any], repository_of: Callable[[Any], Any]
    ) -> None:
        """A saved change comes back equal, with the version advanced by one."""
        original = self.shapes()[0]
        self.add_committed(uow_factory, repository_of, original)
        with uow_factory() as uow:
            repository = repository_of(uow)
            later = self.changed(repository.get(original.id))
            repository.save(later)
            assert repository.get(original.id) == later  # the unit sees its write
            uow.commit()
        assert self.load(uow_factory, repository_of, original.id) == attrs.evolve(
            later, version=2
        )

    def test_not_found(
        self, uow_factory: Callable[[], Any], repository_of: Callable[[Any], Any]
    ) -> None:
        """An unknown id raises ``not_found``."""
        with uow_factory() as uow, pytest.raises(NotFoundError):
            repository_of(uow).get("missing")

    def test_duplicate_id(
        self, uow_factory: Callable[[], Any], repository_of: Callable[[Any], Any]
    ) -> None:
        """An existing id raises ``conflict.duplicate_id`` on add or on commit."""
        first_shape, second_shape = self.shapes()[:2]
        self.add_committed(uow_factory, repository_of, first_shape)
        first, second = uow_factory(), uow_factory()
        refuses_duplicate(uow_factory, lambda uow: repository_of(uow).add(first_shape))
        with first, second:
            repository_of(second).add(second_shape)
            repository_of(first).add(second_shape)
            second.commit()
            with pytest.raises(DuplicateIdError):
                first.commit()
        assert self.load(uow_factory, repository_of, first_shape.id).version == 1
        assert self.load(uow_factory, repository_of, second_shape.id).version == 1

    def test_save_is_compare_and_set(
        self, uow_factory: Callable[[], Any], repository_of: Callable[[Any], Any]
    ) -> None:
        """Of two units that loaded the same version, the second commit is stale."""
        original = self.shapes()[0]
        self.add_committed(uow_factory, repository_of, original)
        first, second = uow_factory(), uow_factory()
        with first, second:
            mine = repository_of(first).get(original.id)
            theirs = repository_of(second).get(original.id)
            repository_of(first).save(self.changed(mine))
            repository_of(second).save(theirs)
            first.commit()
            with pytest.raises(StaleVersionError):
                second.commit()
        stored = self.load(uow_factory, repository_of, original.id)
        assert stored == attrs.evolve(self.changed(original), version=2)

    def test_failed_commit_stores_nothing(
        self,
        uow_factory: Callable[[], Any],
        repository_of: Callable[[Any], Any],
        published: list[DomainEvent],
    ) -> None:
        """A commit refused for one stale aggregate stores none of the unit's writes."""
        original, extra = self.shapes()[:2]
        self.add_committed(uow_factory, repository_of, original)
        before = list(published)
        with uow_factory() as uow:
            repository = repository_of(uow)
            stale = repository.get(original.id)
            repository.add(extra)
            repository.save(self.changed(stale))
            uow.collect([_event(extra.id)])
            # Somebody else saves the same aggregate first.
            with uow_factory() as other:
                repository_of(other).save(repository_of(other).get(original.id))
                other.commit()
            with pytest.raises(StaleVersionError):
                uow.commit()
        with uow_factory() as uow, pytest.raises(NotFoundError):
            repository_of(uow).get(extra.id)
        assert self.load(uow_factory, repository_of, original.id) == attrs.evolve(
            original, version=2
        )
        assert list(published) == before

    def test_rollback_leaves_nothing(
        self,
        uow_factory: Callable[[], Any],
        repository_of: Callable[[Any], Any],
        published: list[DomainEvent],
    ) -> None:
        """Leaving a unit without commit, or rolling it back, stores nothing."""
        first, second = self.shapes()[:2]
        with uow_factory() as uow:
            repository_of(uow).add(first)
            uow.collect([_event(first.id)])
        with uow_factory() as uow:
            repository_of(uow).add(second)
            uow.collect([_event(second.id)])
            uow.rollback()
        with uow_factory() as uow:
            for shape in (first, second):
                with pytest.raises(NotFoundError):
                    repository_of(uow).get(shape.id)
        assert list(published) == []

    def test_events_published_only_after_commit(
        self,
        uow_factory: Callable[[], Any],
        repository_of: Callable[[Any], Any],
        published: list[DomainEvent],
    ) -> None:
        """Collected events reach the publisher after, and only after, commit."""
        shape = self.shapes()[0]
        events = [_event(shape.id), _event(shape.id)]
        with uow_factory() as uow:
            repository_of(uow).add(shape)
            uow.collect(events)
            assert list(published) == []
            uow.commit()
        assert [event.event_id for event in published] == [
            event.event_id for event in events
        ]
