"""The protocols hosts implement: repositories, the unit of work, event publishing.

``booking_core`` never talks to a database, a queue or a payment provider
itself. Application services (:mod:`booking_core.services`) receive objects that
satisfy these protocols. The package ships in-memory implementations
(:mod:`booking_core.adapters.memory`); hosts write their own for their database
and prove them with the contract kit in :mod:`booking_core.testing`.

**Versions and compare-and-set.** Every aggregate is a frozen attrs value with an
``id`` and a ``version``. A new aggregate has version 0; :meth:`Repository.add`
stores it as version 1. :meth:`Repository.get` returns the stored version. The
domain never touches ``version``; :meth:`Repository.save` stores the changed
aggregate only if the stored version still equals ``aggregate.version`` (the one it
was loaded with) and stores it as ``version + 1``; otherwise it raises
:class:`~booking_core.errors.StaleVersionError`, at the latest on commit. That single
rule is what makes two requests for the last seat safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, TypeVar

from booking_core.events import DomainEvent
from booking_core.sessions.model import Session

__all__ = [
    "EventPublisher",
    "Repository",
    "SessionRepository",
    "StudentRoster",
    "UnitOfWork",
    "Versioned",
]


class Versioned(Protocol):
    """An aggregate: anything with an ``id`` and a ``version``."""

    @property
    def id(self) -> str:
        """The aggregate's identity."""
        ...

    @property
    def version(self) -> int:
        """The stored version it was loaded with (0 before it was first added)."""
        ...


A = TypeVar("A", bound=Versioned)


class Repository(Protocol[A]):
    """The shape every aggregate repository has.

    Contract:
        * ``get`` returns the committed aggregate or what this unit of work staged
          for it, or raises :class:`~booking_core.errors.NotFoundError`.
        * ``add`` refuses an id that exists with
          :class:`~booking_core.errors.DuplicateIdError` (at the latest on commit).
        * ``save`` is compare-and-set on ``version`` and raises
          :class:`~booking_core.errors.StaleVersionError` (at the latest on commit)
          when another unit of work saved first; nothing of this unit is stored then.
        * Nothing is visible to other units of work before commit.
    """

    def get(self, aggregate_id: str) -> A:
        """Load an aggregate by id, with its stored version."""
        ...

    def add(self, aggregate: A) -> None:
        """Stage a new aggregate (version 0); it is stored as version 1."""
        ...

    def save(self, aggregate: A) -> None:
        """Stage a changed aggregate; compare-and-set against ``aggregate.version``."""
        ...


class EventPublisher(Protocol):
    """Where committed events go: a message bus, an outbox relay, a list in tests."""

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Deliver events that are already committed, in order."""
        ...


class UnitOfWork(Protocol):
    """One transaction.

    Contract:
        * Used as a context manager; leaving the block without :meth:`commit`
          rolls back, so nothing staged is stored and no event is published.
        * :meth:`collect` gathers the events of the decisions taken inside.
        * :meth:`commit` stores everything staged atomically (all or nothing,
          including every compare-and-set) and only then hands the collected
          events to the publisher.
    """

    def __enter__(self) -> UnitOfWork:
        """Begin the transaction."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """End the transaction, rolling back anything not committed."""
        ...

    def collect(self, events: Sequence[DomainEvent]) -> None:
        """Remember events to publish once the transaction commits."""
        ...

    def commit(self) -> None:
        """Store everything staged atomically, then publish the collected events."""
        ...

    def rollback(self) -> None:
        """Drop everything staged and every collected event."""
        ...


# -- sessions -------------------------------------------------------------------


class SessionRepository(Repository[Session], Protocol):
    """Stores :class:`~booking_core.sessions.Session` aggregates.

    Contract: everything :class:`Repository` promises (compare-and-set on
    ``version``), plus two queries for the monitor. Both see this unit of work's
    staged changes, like ``get``.
    """

    def scheduled_sessions(self, *, starting_before: datetime) -> list[Session]:
        """The sessions still scheduled whose start is before ``starting_before``.

        Ordered by start, then id. The monitor filters them with the pure
        predicates (:func:`~booking_core.sessions.is_past_no_show_limit`,
        :func:`~booking_core.sessions.is_past_grace_period`).
        """
        ...

    def pending_reschedules(self, *, due_by: datetime) -> list[Session]:
        """Scheduled sessions whose pending reschedule's ``respond_by <= due_by``.

        Ordered by ``respond_by``, then id: the requests the monitor may expire.
        """
        ...


class StudentRoster(Protocol):
    """Who is booked on a session: the students who may act on it.

    Contract: returns the user ids of the students holding an active booking
    (confirmed, or however the host defines it) on the session; an empty set for
    an unknown session.
    """

    def booked_student_ids(self, session_id: str) -> frozenset[str]:
        """The ids of the students booked on ``session_id``."""
        ...
