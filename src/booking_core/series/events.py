"""Events of booking series (see :mod:`booking_core.series`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import final

import attrs

from booking_core._repr import fields_repr
from booking_core.events import DomainEvent
from booking_core.series.model import (
    BookingSeries,
    ChangeScope,
    ConflictMode,
    SeriesItem,
    SkippedOccurrence,
)

__all__ = [
    "SeriesCreated",
    "SeriesExtended",
    "SeriesOccurrencesCancelled",
    "SeriesOccurrencesMoved",
]


@final
@attrs.frozen(kw_only=True, repr=False)
class SeriesCreated(DomainEvent):
    """A booking series was created (its first expansion follows as an event).

    Attributes:
        series: The series as created, before any occurrence was booked.
    """

    __repr__ = fields_repr

    series: BookingSeries


@final
@attrs.frozen(kw_only=True, repr=False)
class SeriesExtended(DomainEvent):
    """Occurrences of a series were booked up to a horizon: the expansion report.

    Attributes:
        until: The horizon: occurrences starting before it were considered.
        mode: The conflict mode used.
        booked: The occurrences booked now (each needs its booking created).
        skipped: The occurrences not booked, and why.
    """

    __repr__ = fields_repr

    until: datetime
    mode: ConflictMode
    booked: tuple[SeriesItem, ...]
    skipped: tuple[SkippedOccurrence, ...]


@final
@attrs.frozen(kw_only=True, repr=False)
class SeriesOccurrencesCancelled(DomainEvent):
    """Occurrences of a series were cancelled.

    Attributes:
        scope: One, this and following, or all.
        from_index: The occurrence the cancel was asked for.
        cancelled: The items cancelled now (their bookings must be cancelled).
        reason: Why.
    """

    __repr__ = fields_repr

    scope: ChangeScope
    from_index: int
    cancelled: tuple[SeriesItem, ...]
    reason: str


@final
@attrs.frozen(kw_only=True, repr=False)
class SeriesOccurrencesMoved(DomainEvent):
    """Occurrences of a series were moved to new times.

    Attributes:
        scope: One, this and following, or all.
        from_index: The occurrence the move was asked for.
        shift: The wall-clock shift applied (zero-based on the asked one).
        moved: ``(before, after)`` item pairs.
        reason: Why.
    """

    __repr__ = fields_repr

    scope: ChangeScope
    from_index: int
    shift: timedelta
    moved: tuple[tuple[SeriesItem, SeriesItem], ...]
    reason: str
