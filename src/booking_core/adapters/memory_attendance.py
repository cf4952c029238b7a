"""In-memory :class:`~booking_core.ports.AttendeeRepository`.

A thin typed wrapper over the generic repository of a unit of work (collection
``"attendees"``); its queries use secondary indexes, so the same code works on
any adapter whose database supports ``register_index`` (memory, SQLite).
Register the indexer once per store with :func:`register_attendee_indexes`.

Example:
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.attendance import Attendee
    >>> store = InMemoryStore()
    >>> register_attendee_indexes(store)
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     InMemoryAttendeeRepository(uow).add(Attendee.create(
    ...         session_id="s-1", participant_id="alice", role="student"))
    ...     uow.commit()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     [a.id for a in InMemoryAttendeeRepository(uow).of_session("s-1")]
    ['s-1/student/alice']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, final

from booking_core._payment_status import PaymentStatus
from booking_core.adapters._repositories import StagedAggregateRepository
from booking_core.attendance import Attendee

__all__ = [
    "ATTENDEES",
    "InMemoryAttendeeRepository",
    "attendee_index",
    "register_attendee_indexes",
]

ATTENDEES = "attendees"
"""The collection attendees are stored in."""


class _IndexedDatabase(Protocol):
    def register_index(self, collection: str, indexer: Any) -> None: ...


def attendee_index(attendee: Attendee) -> Iterable[tuple[str, str]]:
    """The index entries of an attendee: session, participant, payment status.

    Args:
        attendee: The attendee.

    Returns:
        ``("session", id)``, ``("participant", id)``, ``("payment_status", value)``.
    """
    return (
        ("session", attendee.session_id),
        ("participant", attendee.participant_id),
        ("payment_status", attendee.payment_status.value),
    )


def register_attendee_indexes(database: _IndexedDatabase) -> None:
    """Register :func:`attendee_index` for :data:`ATTENDEES` (before writing).

    Args:
        database: An ``InMemoryStore`` or a SQLite database.
    """
    database.register_index(ATTENDEES, attendee_index)


@final
class InMemoryAttendeeRepository(StagedAggregateRepository[Attendee]):
    """Attendees through any staging unit of work (memory or SQLite).

    Args:
        uow: The unit of work it stages into.
    """

    collection = ATTENDEES
    kind = Attendee

    def of_session(self, session_id: str) -> list[Attendee]:
        """Every attendee of ``session_id``, by id."""
        return self._repo.find("session", session_id)

    def of_participant(self, participant_id: str) -> list[Attendee]:
        """Every attendee record of ``participant_id``, by id."""
        return self._repo.find("participant", participant_id)

    def with_payment_status(self, status: PaymentStatus) -> list[Attendee]:
        """Every attendee whose payment status is ``status``, by id."""
        return self._repo.find("payment_status", PaymentStatus(status).value)
