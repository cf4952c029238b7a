"""Contract suite for reminders: :class:`ReminderStoreContract`.

The monitor's ``reminders`` step needs two things from a host's storage: the
scheduled sessions starting in a window (``uow.sessions.scheduled_starting``)
and a claims store (``uow.reminders``, a
:class:`~booking_core.ports.ReminderClaimRepository`) whose ``add`` is a
unique insert, so that of two monitors claiming one reminder only one commits
it and its ``reminder.due`` event. A host proves both by subclassing the
contract and providing ``uow_factory`` and ``published`` (see
``docs/repositories.md``)::

    import pytest
    from booking_core.testing.reminder_contract import ReminderStoreContract

    class TestPostgresReminders(ReminderStoreContract):
        @pytest.fixture
        def uow_factory(self, clean_database, publisher):
            return lambda: PostgresUnitOfWork(clean_database, publisher)

        @pytest.fixture
        def published(self, publisher):
            return publisher.published
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import attrs
import pytest

from booking_core import sessions
from booking_core.actors import Actor
from booking_core.errors import ConcurrencyError, DuplicateIdError
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.reminders import Reminder, ReminderDue, claim_reminder
from booking_core.sessions import SessionPolicy
from booking_core.testing._aggregate_contract import (
    NOW,
    TEACHER,
    group_session,
    refuses_duplicate,
)

__all__ = ["ReminderStoreContract"]

_HOUR = timedelta(hours=1)
_SYSTEM = Actor.system()


def _reminder(session_id: str = "s-1", student: str = "ann") -> Reminder:
    start = NOW + timedelta(days=1)
    return Reminder(
        session_id=session_id,
        participant=Actor.student(student),
        offset=_HOUR,
        start=start,
        due_at=start - _HOUR,
    )


class ReminderStoreContract:
    """Claims are unique inserts; sessions are found by start window.

    Fixtures: ``uow_factory`` (a new unit of work on a fresh store per test)
    and ``published`` (the events the store's publisher received).
    """

    _is_contract_base = True  # subclassed by hosts, so deliberately not @final

    @pytest.fixture
    def uow_factory(self) -> Callable[[], Any]:
        """A zero-argument callable returning a new unit of work on a fresh store."""
        raise NotImplementedError  # pragma: no cover - subclasses provide it

    @pytest.fixture
    def published(self) -> list[DomainEvent]:
        """The events the store's publisher has received."""
        raise NotImplementedError  # pragma: no cover - subclasses provide it

    # -- helpers ---------------------------------------------------------------------

    @staticmethod
    def claim(uow_factory: Callable[[], Any], reminder: Reminder) -> None:
        """Claim ``reminder`` and commit its event in one unit of work."""
        decision = claim_reminder(reminder, now=NOW, actor=_SYSTEM)
        with uow_factory() as uow:
            uow.reminders.add(decision.state)
            uow.collect(decision.events)
            uow.commit()

    # -- claims ----------------------------------------------------------------------

    def test_a_claim_round_trips_and_is_found(
        self, uow_factory: Callable[[], Any]
    ) -> None:
        """A committed claim comes back equal (version 1); an unknown one is None."""
        reminder = _reminder()
        self.claim(uow_factory, reminder)
        with uow_factory() as uow:
            found = uow.reminders.find(reminder.key)
            assert (
                uow.reminders.find("s-9~student~zed~PT3600S~20260321T090000Z") is None
            )
        expected = claim_reminder(reminder, now=NOW, actor=_SYSTEM).state
        assert found == attrs.evolve(expected, version=1)
        assert found.reminder == reminder

    def test_a_claim_is_refused_twice_in_one_unit(
        self, uow_factory: Callable[[], Any]
    ) -> None:
        """A claim added twice raises ``conflict.duplicate_id`` (on add or commit)."""
        reminder = _reminder()
        claim = claim_reminder(reminder, now=NOW, actor=_SYSTEM).state
        with uow_factory() as uow:
            uow.reminders.add(claim)
            assert uow.reminders.find(claim.id) == claim
            with pytest.raises(DuplicateIdError):
                uow.reminders.add(claim)
            uow.commit()
        refuses_duplicate(uow_factory, lambda uow: uow.reminders.add(claim))

    def test_of_two_units_claiming_one_reminder_one_commits(
        self, uow_factory: Callable[[], Any], published: list[DomainEvent]
    ) -> None:
        """The second commit of one key fails and publishes nothing."""
        reminder = _reminder()
        decision = claim_reminder(reminder, now=NOW, actor=_SYSTEM)
        first, second = uow_factory(), uow_factory()
        with first, second:
            for uow in (first, second):
                uow.reminders.add(decision.state)
                uow.collect(decision.events)
            first.commit()
            with pytest.raises(DuplicateIdError):
                second.commit()
        due = [event for event in published if isinstance(event, ReminderDue)]
        assert [event.key for event in due] == [reminder.key]

    def test_a_rolled_back_claim_is_not_stored(
        self, uow_factory: Callable[[], Any], published: list[DomainEvent]
    ) -> None:
        """Leaving the unit without commit stores no claim and no event."""
        decision = claim_reminder(_reminder(), now=NOW, actor=_SYSTEM)
        with uow_factory() as uow:
            uow.reminders.add(decision.state)
            uow.collect(decision.events)
        with uow_factory() as uow:
            assert uow.reminders.find(decision.state.id) is None
        assert published == []

    def test_threads_claiming_one_reminder_commit_it_once(
        self, uow_factory: Callable[[], Any], published: list[DomainEvent]
    ) -> None:
        """Eight threads claim the same key at once: exactly one succeeds."""
        reminder = _reminder()
        decision = claim_reminder(reminder, now=NOW, actor=_SYSTEM)
        barrier = threading.Barrier(8)
        won: list[bool] = []

        def worker() -> None:
            barrier.wait()
            try:
                with uow_factory() as uow:
                    uow.reminders.add(decision.state)
                    uow.collect(decision.events)
                    uow.commit()
            except (DuplicateIdError, ConcurrencyError):
                won.append(False)
            else:
                won.append(True)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(won) == [False] * 7 + [True]
        assert [e.key for e in published if isinstance(e, ReminderDue)] == [
            reminder.key
        ]

    # -- sessions by start -----------------------------------------------------------

    def test_scheduled_starting_finds_the_window_only(
        self, uow_factory: Callable[[], Any]
    ) -> None:
        """Scheduled sessions starting in the window, by start then id; not the rest.

        A session moves in and out of the window with its start, leaves it when
        cancelled, and the unit's own staged changes count.
        """
        inside = [group_session(f"in-{n}", days=10) for n in (2, 1)]
        before = group_session("before", days=9)
        after = group_session("after", days=11)
        gone = group_session("gone", days=10)
        with uow_factory() as uow:
            for session in (*inside, before, after, gone):
                uow.sessions.add(session)
            uow.commit()
        start = inside[0].start
        window = TimeWindow(start=start - timedelta(minutes=30), end=start + _HOUR)
        with uow_factory() as uow:
            repository = uow.sessions
            cancelled = sessions.cancel(
                repository.get("gone"),
                reason="teacher is ill",
                actor=TEACHER,
                now=NOW,
                policy=SessionPolicy(),
            ).state
            repository.save(cancelled)
            moved = attrs.evolve(
                repository.get("after"), window=TimeWindow.of(start, _HOUR)
            )
            repository.save(moved)
            found = repository.scheduled_starting(window)
            uow.commit()
        assert [s.id for s in found] == ["after", "in-1", "in-2"]
        with uow_factory() as uow:
            later = uow.sessions.scheduled_starting(window)
            assert [s.id for s in later] == ["after", "in-1", "in-2"]
            edge = TimeWindow(start=start + timedelta(minutes=1), end=start + _HOUR)
            assert uow.sessions.scheduled_starting(edge) == []
            wide = TimeWindow(start=before.start, end=start + timedelta(days=2))
            ids = [s.id for s in uow.sessions.scheduled_starting(wide)]
            assert ids == ["before", "after", "in-1", "in-2"]
