"""In-memory :class:`~booking_core.ports.BookingSeriesRepository`.

Built on the generic :class:`~booking_core.adapters.memory.InMemoryRepository`
(collection ``"booking_series"``, indexed by teacher, student and open series).

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.recurrence import RecurrenceRule
    >>> from booking_core.series import create_series
    >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    >>> series = create_series(
    ...     id="series-1", teacher_id="t-1", student_id="s-1",
    ...     rule=RecurrenceRule.parse("FREQ=WEEKLY"), start=datetime(2026, 3, 2, 18),
    ...     zone="Europe/London", duration=timedelta(hours=1),
    ...     until=datetime(2026, 4, 1, tzinfo=timezone.utc), existing=[],
    ...     actor=Actor.student("s-1"), now=now,
    ... ).state
    >>> store = InMemoryStore()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     InMemoryBookingSeriesRepository(uow).add(series)
    ...     uow.commit()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     due = InMemoryBookingSeriesRepository(uow).to_extend(
    ...         until=datetime(2026, 5, 1, tzinfo=timezone.utc))
    >>> [(s.id, s.version) for s in due]
    [('series-1', 1)]
"""

from __future__ import annotations

from typing import final

from booking_core.adapters._repositories import StagedBookingSeriesRepository

__all__ = ["InMemoryBookingSeriesRepository"]


@final
class InMemoryBookingSeriesRepository(StagedBookingSeriesRepository):
    """Booking series in an :class:`~booking_core.adapters.memory.InMemoryStore`.

    Args:
        uow: The :class:`~booking_core.adapters.memory.InMemoryUnitOfWork` it
            stages into.
    """
