"""In-memory :class:`~booking_core.ports.BookingRepository` and command records.

Final subclasses of the repositories written once in
:mod:`booking_core.adapters._repositories`: bookings live in the ``"bookings"``
collection with the secondary indexes of ``index_booking`` (every store
registers them), so "the active booking of (student, session)" is one index
lookup whatever the size of the session. Idempotency records live in
``"booking_commands"``.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.adapters.memory_bookings import InMemoryBookingRepository
    >>> from booking_core.bookings.model import Booking
    >>> from booking_core.intervals import TimeWindow
    >>> t0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> store = InMemoryStore()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     InMemoryBookingRepository(uow).add(Booking(
    ...         id="b-1", type="group", session_id="s-1", student_id="ann",
    ...         teacher_id="t-1", course_id="c-1", status="confirmed",
    ...         window=TimeWindow.of(t0, timedelta(hours=1)), created_at=t0,
    ...     ))
    ...     uow.commit()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     found = InMemoryBookingRepository(uow).active_booking("s-1", "ann")
    >>> found.id, found.version
    ('b-1', 1)
"""

from __future__ import annotations

from typing import final

from booking_core.adapters._repositories import (
    StagedBookingRepository,
    StagedCommandRecords,
)

__all__ = ["InMemoryBookingRepository", "InMemoryCommandRecords"]


@final
class InMemoryBookingRepository(StagedBookingRepository):
    """Bookings in an :class:`~booking_core.adapters.memory.InMemoryStore`.

    Args:
        uow: The :class:`~booking_core.adapters.memory.InMemoryUnitOfWork` it
            stages into.
    """


@final
class InMemoryCommandRecords(StagedCommandRecords):
    """Idempotency records in an :class:`~booking_core.adapters.memory.InMemoryStore`.

    Args:
        uow: The unit of work it stages into.
        collection: The store collection holding the records.
    """
