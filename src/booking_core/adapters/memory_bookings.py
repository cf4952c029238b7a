"""In-memory :class:`~booking_core.ports.BookingRepository` and command records.

Thin typed wrappers over the generic
:class:`~booking_core.adapters.memory.InMemoryRepository`: bookings live in the
``"bookings"`` collection with the secondary indexes of :func:`booking_index`
(registered on first use), so "the active booking of (student, session)" is one
index lookup whatever the size of the session. Idempotency records live in
``"booking_commands"``.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.adapters.memory_bookings import InMemoryBookingRepository
    >>> from booking_core.bookings import Booking
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

from collections.abc import Iterator
from typing import Any, final

from booking_core.adapters._repositories import StagedAggregateRepository
from booking_core.adapters.memory import InMemoryRepository, InMemoryUnitOfWork
from booking_core.bookings import Booking, CommandRecord
from booking_core.errors import NotFoundError

__all__ = [
    "InMemoryBookingRepository",
    "InMemoryCommandRecords",
    "active_key",
    "booking_index",
]


def active_key(session_id: str, student_id: str) -> str:
    """The index value of the one active booking of (session, student).

    Length-prefixed, so no pair of ids can collide.

    Example:
        >>> active_key("s-1", "ann")
        '3:s-1:ann'
    """
    return f"{len(session_id)}:{session_id}:{student_id}"


def booking_index(booking: Any) -> Iterator[tuple[str, str]]:
    """The secondary index entries of a booking (for ``register_index``).

    ``("session", session id)`` for every booking, ``("active", active_key)``
    while it is active.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from booking_core.intervals import TimeWindow
        >>> t0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
        >>> booking = Booking(
        ...     id="b-1", type="group", session_id="s-1", student_id="ann",
        ...     teacher_id="t-1", course_id="c-1", status="cancelled",
        ...     window=TimeWindow.of(t0, timedelta(hours=1)), created_at=t0,
        ... )
        >>> list(booking_index(booking))
        [('session', 's-1')]
    """
    yield ("session", booking.session_id)
    if booking.is_active:
        yield ("active", active_key(booking.session_id, booking.student_id))


@final
class InMemoryBookingRepository(StagedAggregateRepository[Booking]):
    """Bookings in an :class:`~booking_core.adapters.memory.InMemoryStore`.

    Args:
        uow: The unit of work it stages into; the store gets the booking
            indexer on first use.
    """

    collection = "bookings"
    kind = Booking

    def __init__(self, uow: InMemoryUnitOfWork) -> None:
        if uow.indexer(self.collection) is None:
            uow.store.register_index(self.collection, booking_index)
        super().__init__(uow)

    def active_booking(self, session_id: str, student_id: str) -> Booking | None:
        """The student's active booking on the session (one index lookup)."""
        found = self._repo.find("active", active_key(session_id, student_id))
        return found[0] if found else None

    def of_session(self, session_id: str) -> list[Booking]:
        """Every booking of the session, by id."""
        return self._repo.find("session", session_id)


@final
class InMemoryCommandRecords:
    """Idempotency records in an :class:`~booking_core.adapters.memory.InMemoryStore`.

    Args:
        uow: The unit of work it stages into.
        collection: The store collection holding the records.
    """

    def __init__(
        self, uow: InMemoryUnitOfWork, collection: str = "booking_commands"
    ) -> None:
        self._repo: InMemoryRepository[CommandRecord] = uow.repository(
            collection, CommandRecord
        )

    def get(self, key: str) -> CommandRecord | None:
        """The record stored under ``key`` (staged or committed), or ``None``."""
        try:
            return self._repo.get(key)
        except NotFoundError:
            return None

    def add(self, record: CommandRecord) -> None:
        """Stage a new record.

        Raises:
            DuplicateIdError: ``conflict.duplicate_id`` for a known key.
        """
        self._repo.add(record)
