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
from booking_core.sessions.model import Session, SessionStatus

__all__ = ["DEFAULT_INDEXES", "SESSIONS", "StagedSessionRepository", "index_session"]

SESSIONS = "sessions"
"""The collection that holds sessions."""


def index_session(session: Session) -> list[tuple[str, str]]:
    """Index entries of a session: by status, by teacher, pending requests."""
    entries = [("status", session.status.value), ("teacher", session.teacher_id)]
    if session.pending_reschedule is not None:
        entries.append(("pending_reschedule", "yes"))
    return entries


DEFAULT_INDEXES: dict[str, Indexer] = {SESSIONS: index_session}
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
