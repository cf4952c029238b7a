"""Concept repositories written once over the staging unit of work.

Every adapter's unit of work derives from
:class:`~booking_core.adapters._staging.StagingUnitOfWork`, so a concept
repository needs nothing but ``uow.repository(name, cls)`` and its ``find``
indexes. The public, technology-named classes (``InMemorySessionRepository``,
``SqliteSessionRepository``) are final subclasses of these bases.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Generic, TypeVar

from booking_core.adapters._staging import Indexer, StagedRepository, StagingUnitOfWork
from booking_core.ports import Versioned
from booking_core.series.model import BookingSeries
from booking_core.sessions.model import Session, SessionStatus

__all__ = [
    "DEFAULT_INDEXES",
    "SERIES",
    "SESSIONS",
    "StagedAggregateRepository",
    "StagedBookingSeriesRepository",
    "StagedSessionRepository",
    "index_series",
    "index_session",
]

SESSIONS = "sessions"
"""The collection that holds sessions."""


def index_session(session: Session) -> list[tuple[str, str]]:
    """Index entries of a session: by status, by teacher, pending requests."""
    entries = [("status", session.status.value), ("teacher", session.teacher_id)]
    if session.pending_reschedule is not None:
        entries.append(("pending_reschedule", "yes"))
    return entries


SERIES = "booking_series"
"""The collection that holds booking series."""


def index_series(series: BookingSeries) -> list[tuple[str, str]]:
    """Index entries of a series: by teacher, by student, still extendable."""
    entries = [("teacher", series.teacher_id), ("student", series.student_id)]
    if not series.ended:
        entries.append(("open", "yes"))
    return entries


DEFAULT_INDEXES: dict[str, Indexer] = {
    SESSIONS: index_session,
    SERIES: index_series,
}
"""The library's own collections and their indexers; every store registers them."""


A = TypeVar("A", bound=Versioned)


class StagedAggregateRepository(Generic[A]):
    """What every concept repository has: ``get``, ``add``, ``save`` on one collection.

    Subclasses name the collection and the aggregate type, and add their queries
    on ``self._repo.find``.

    Args:
        uow: The unit of work it stages into.
    """

    collection: ClassVar[str]
    kind: ClassVar[type]

    def __init__(self, uow: StagingUnitOfWork) -> None:
        self._repo: StagedRepository[A] = uow.repository(self.collection, self.kind)

    def get(self, aggregate_id: str) -> A:
        """Load an aggregate by id.

        Raises:
            NotFoundError: ``not_found`` when no aggregate has that id.
        """
        return self._repo.get(aggregate_id)

    def add(self, aggregate: A) -> None:
        """Stage a new aggregate (stored as version 1).

        Raises:
            DuplicateIdError: ``conflict.duplicate_id`` when the id exists.
        """
        self._repo.add(aggregate)

    def save(self, aggregate: A) -> None:
        """Stage a changed aggregate; compare-and-set on commit."""
        self._repo.save(aggregate)


class StagedSessionRepository(StagedAggregateRepository[Session]):
    """A :class:`~booking_core.ports.SessionRepository` over any staging unit of work.

    Args:
        uow: The unit of work it stages into.
    """

    collection = SESSIONS
    kind = Session

    def scheduled_sessions(self, *, starting_before: datetime) -> list[Session]:
        """Scheduled sessions starting before ``starting_before``, by start, id."""
        scheduled = self._repo.find("status", SessionStatus.SCHEDULED.value)
        found = [s for s in scheduled if s.start < starting_before]
        return sorted(found, key=lambda s: (s.start, s.id))

    def pending_reschedules(self, *, due_by: datetime) -> list[Session]:
        """Sessions whose pending request is due by ``due_by``, by deadline, id."""
        found = [
            (s.pending_reschedule.respond_by, s.id, s)
            for s in self._repo.find("pending_reschedule", "yes")
            if s.pending_reschedule is not None
            and s.pending_reschedule.respond_by <= due_by
        ]
        return [s for _, _, s in sorted(found, key=lambda item: item[:2])]


class StagedBookingSeriesRepository(StagedAggregateRepository[BookingSeries]):
    """A :class:`~booking_core.ports.BookingSeriesRepository` over any staging UoW.

    Args:
        uow: The unit of work it stages into.
    """

    collection = SERIES
    kind = BookingSeries

    def of_teacher(self, teacher_id: str) -> list[BookingSeries]:
        """The series of one teacher, by id."""
        return self._repo.find("teacher", teacher_id)

    def of_student(self, student_id: str) -> list[BookingSeries]:
        """The series of one student, by id."""
        return self._repo.find("student", student_id)

    def to_extend(self, *, until: datetime) -> list[BookingSeries]:
        """Series not ended whose ``expanded_until`` is before ``until``, by id."""
        return [s for s in self._repo.find("open", "yes") if s.expanded_until < until]
