"""Concept repositories written once over the staging unit of work.

Every adapter's unit of work derives from
:class:`~booking_core.adapters._staging.StagingUnitOfWork`, so a concept
repository needs nothing but ``uow.repository(name, cls)`` and its ``find``
indexes. The public, technology-named classes (``InMemorySessionRepository``,
``SqliteSessionRepository``) are final subclasses of these bases.
"""

from __future__ import annotations

from datetime import datetime

from booking_core.adapters._staging import Indexer, StagedRepository, StagingUnitOfWork
from booking_core.series.model import BookingSeries
from booking_core.sessions.model import Session, SessionStatus

__all__ = [
    "DEFAULT_INDEXES",
    "SERIES",
    "SESSIONS",
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


class StagedSessionRepository:
    """A :class:`~booking_core.ports.SessionRepository` over any staging unit of work.

    Args:
        uow: The unit of work it stages into.
    """

    def __init__(self, uow: StagingUnitOfWork) -> None:
        self._repo: StagedRepository[Session] = uow.repository(SESSIONS, Session)

    def get(self, aggregate_id: str) -> Session:
        """Load a session by id.

        Raises:
            NotFoundError: ``not_found`` when no session has that id.
        """
        return self._repo.get(aggregate_id)

    def add(self, aggregate: Session) -> None:
        """Stage a new session (stored as version 1).

        Raises:
            DuplicateIdError: ``conflict.duplicate_id`` when the id exists.
        """
        self._repo.add(aggregate)

    def save(self, aggregate: Session) -> None:
        """Stage a changed session; compare-and-set on commit."""
        self._repo.save(aggregate)

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


class StagedBookingSeriesRepository:
    """A :class:`~booking_core.ports.BookingSeriesRepository` over any staging UoW.

    Args:
        uow: The unit of work it stages into.
    """

    def __init__(self, uow: StagingUnitOfWork) -> None:
        self._repo: StagedRepository[BookingSeries] = uow.repository(
            SERIES, BookingSeries
        )

    def get(self, aggregate_id: str) -> BookingSeries:
        """Load a series by id.

        Raises:
            NotFoundError: ``not_found`` when no series has that id.
        """
        return self._repo.get(aggregate_id)

    def add(self, aggregate: BookingSeries) -> None:
        """Stage a new series (stored as version 1).

        Raises:
            DuplicateIdError: ``conflict.duplicate_id`` when the id exists.
        """
        self._repo.add(aggregate)

    def save(self, aggregate: BookingSeries) -> None:
        """Stage a changed series; compare-and-set on commit."""
        self._repo.save(aggregate)

    def of_teacher(self, teacher_id: str) -> list[BookingSeries]:
        """The series of one teacher, by id."""
        return sorted(self._repo.find("teacher", teacher_id), key=lambda s: s.id)

    def of_student(self, student_id: str) -> list[BookingSeries]:
        """The series of one student, by id."""
        return sorted(self._repo.find("student", student_id), key=lambda s: s.id)

    def to_extend(self, *, until: datetime) -> list[BookingSeries]:
        """Series not ended whose ``expanded_until`` is before ``until``, by id."""
        return sorted(
            (s for s in self._repo.find("open", "yes") if s.expanded_until < until),
            key=lambda s: s.id,
        )
