"""In-memory :class:`~booking_core.ports.SessionRepository` and student roster.

Built on the generic :class:`~booking_core.adapters.memory.InMemoryRepository`
(collection ``"sessions"``), so it shares its unit of work, staging and
compare-and-set with every other in-memory repository.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.adapters.memory_sessions import InMemorySessionRepository
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.sessions import Session
    >>> start = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> store = InMemoryStore()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     InMemorySessionRepository(uow).add(Session(
    ...         id="s-1", kind="one_on_one", teacher_id="t-1", course_id="c-1",
    ...         window=TimeWindow.of(start, timedelta(hours=1)), zone="UTC",
    ...     ))
    ...     uow.commit()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     found = InMemorySessionRepository(uow).scheduled_sessions(
    ...         starting_before=start + timedelta(seconds=1)
    ...     )
    >>> [(s.id, s.version) for s in found]
    [('s-1', 1)]
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import final

from booking_core.adapters.memory import InMemoryRepository, InMemoryUnitOfWork
from booking_core.sessions.model import Session, SessionStatus

__all__ = ["InMemorySessionRepository", "InMemoryStudentRoster"]


@final
class InMemorySessionRepository:
    """Sessions in an :class:`~booking_core.adapters.memory.InMemoryStore`.

    Args:
        uow: The unit of work it stages into.
        collection: The store collection holding the sessions.
    """

    def __init__(self, uow: InMemoryUnitOfWork, collection: str = "sessions") -> None:
        self._repo: InMemoryRepository[Session] = uow.repository(collection, Session)

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
        found = [
            s
            for s in self._repo.list()
            if s.status is SessionStatus.SCHEDULED and s.start < starting_before
        ]
        return sorted(found, key=lambda s: (s.start, s.id))

    def pending_reschedules(self, *, due_by: datetime) -> list[Session]:
        """Sessions whose pending request is due by ``due_by``, by deadline, id."""
        found = [
            (s.pending_reschedule.respond_by, s.id, s)
            for s in self._repo.list()
            if s.pending_reschedule is not None
            and s.pending_reschedule.respond_by <= due_by
        ]
        return [s for _, _, s in sorted(found, key=lambda item: item[:2])]


@final
class InMemoryStudentRoster:
    """A :class:`~booking_core.ports.StudentRoster` backed by a dict (thread-safe).

    Example:
        >>> roster = InMemoryStudentRoster({"s-1": ["alice"]})
        >>> roster.book("s-1", "bob")
        >>> sorted(roster.booked_student_ids("s-1")), roster.booked_student_ids("x")
        (['alice', 'bob'], frozenset())
    """

    def __init__(self, bookings: dict[str, Iterable[str]] | None = None) -> None:
        self._lock = threading.Lock()
        self._students: dict[str, set[str]] = {
            session_id: set(ids) for session_id, ids in (bookings or {}).items()
        }

    def booked_student_ids(self, session_id: str) -> frozenset[str]:
        """The students booked on ``session_id``."""
        with self._lock:
            return frozenset(self._students.get(session_id, ()))

    def book(self, session_id: str, student_id: str) -> None:
        """Record that ``student_id`` is booked on ``session_id``."""
        with self._lock:
            self._students.setdefault(session_id, set()).add(student_id)

    def unbook(self, session_id: str, student_id: str) -> None:
        """Record that ``student_id`` is no longer booked on ``session_id``."""
        with self._lock:
            self._students.get(session_id, set()).discard(student_id)
