"""In-memory :class:`~booking_core.ports.AttendeeRepository`.

A final subclass of the repository written once in
:mod:`booking_core.adapters._repositories` (collection ``"attendees"``); its
queries use the secondary indexes every store registers, so the same code runs
on SQLite as :class:`~booking_core.adapters.sqlite.SqliteAttendeeRepository`.

Example:
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.attendance import Attendee
    >>> store = InMemoryStore()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     InMemoryAttendeeRepository(uow).add(Attendee.create(
    ...         session_id="s-1", participant_id="alice", role="student"))
    ...     uow.commit()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     [a.id for a in InMemoryAttendeeRepository(uow).of_session("s-1")]
    ['s-1~student~alice']
"""

from __future__ import annotations

from typing import final

from booking_core.adapters._repositories import StagedAttendeeRepository

__all__ = ["InMemoryAttendeeRepository"]


@final
class InMemoryAttendeeRepository(StagedAttendeeRepository):
    """Attendees in an :class:`~booking_core.adapters.memory.InMemoryStore`.

    Args:
        uow: The unit of work it stages into.
    """
