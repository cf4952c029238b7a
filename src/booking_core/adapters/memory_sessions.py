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
from typing import final

from booking_core.adapters._repositories import StagedSessionRepository

__all__ = ["InMemorySessionRepository", "InMemoryStudentRoster"]


@final
class InMemorySessionRepository(StagedSessionRepository):
    """Sessions in an :class:`~booking_core.adapters.memory.InMemoryStore`.

    Args:
        uow: The :class:`~booking_core.adapters.memory.InMemoryUnitOfWork` it
            stages into.
    """


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
