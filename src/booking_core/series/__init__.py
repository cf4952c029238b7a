"""Recurring booking series: a recurrence booked occurrence by occurrence.

A :class:`BookingSeries` is a recurrence rule anchored on a local start time in
an IANA zone, a duration, a snapshot of the default meeting info and an explicit
payment mode. Its :class:`SeriesItem` s are the booked occurrences, each with
the recurrence's stable occurrence index (unique within the series) and the id
of the booking that holds it.

The series is *expanded* up to a horizon by :func:`extend_series` (and
:func:`create_series`, which creates and expands in one decision): every
occurrence starting before the horizon that was not considered yet becomes a
candidate window, checked with :func:`~booking_core.availability.ensure_no_conflict`
against the commitments the host passes in and against the series' own items.
The host chooses the :class:`ConflictMode`:

- ``all_or_nothing``: any conflict refuses the whole expansion
  (``series.conflict``) and nothing is booked;
- ``skip_conflicts``: the free occurrences are booked, the others are reported
  in the :class:`SeriesExtended` event and kept in ``series.skipped`` with why.

Extending is idempotent: occurrences before ``expanded_until`` are never
considered twice, so a worker may extend an unbounded series as its horizon
advances, as often as it likes. Each occurrence keeps its own status:
:func:`cancel_occurrences` and :func:`move_occurrences` act on one occurrence,
this one and all following, or all (:class:`ChangeScope`) without touching the
others. Every wall time is kept in the series' zone, so a weekly 18:00
Europe/London series stays at 18:00 across DST.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.recurrence import RecurrenceRule
    >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    >>> decision = create_series(
    ...     id="series-1", teacher_id="t-1", student_id="s-1",
    ...     rule=RecurrenceRule.parse("FREQ=WEEKLY;COUNT=3"),
    ...     start=datetime(2026, 3, 16, 18), zone="Europe/London",
    ...     duration=timedelta(hours=1),
    ...     until=datetime(2026, 6, 1, tzinfo=timezone.utc),
    ...     existing=[], actor=Actor.student("s-1"), now=now,
    ... )
    >>> [(item.occurrence_index, item.booking_id) for item in decision.state.items]
    [(0, 'series-1~0'), (1, 'series-1~1'), (2, 'series-1~2')]
    >>> [item.local_start.strftime("%H:%M %Z") for item in decision.state.items]
    ['18:00 GMT', '18:00 GMT', '18:00 BST']

A host that reads commitments by time first drafts the series
(:func:`draft_series`), reads what overlaps the occurrences its expansion will
check, then books it (:func:`start_series`); ``create_series`` is the two in
one call::

    >>> draft = draft_series(
    ...     id="series-1", teacher_id="t-1", student_id="s-1",
    ...     rule=RecurrenceRule.parse("FREQ=WEEKLY;COUNT=3"),
    ...     start=datetime(2026, 3, 16, 18), zone="Europe/London",
    ...     duration=timedelta(hours=1), actor=Actor.student("s-1"), now=now,
    ... )
    >>> until = datetime(2026, 6, 1, tzinfo=timezone.utc)
    >>> [f"{window.start:%d %b %H:%M}" for _, _, window in draft.candidates(until)]
    ['16 Mar 18:00', '23 Mar 18:00', '30 Mar 17:00']
    >>> start_series(draft, until=until, existing=[]).state == decision.state
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from booking_core import _lazy

if TYPE_CHECKING:
    from booking_core.series.commands import (
        cancel_occurrences,
        create_series,
        draft_series,
        extend_series,
        move_occurrences,
        start_series,
    )
    from booking_core.series.events import (
        SeriesCreated,
        SeriesExtended,
        SeriesOccurrencesCancelled,
        SeriesOccurrencesMoved,
    )
    from booking_core.series.model import (
        BookingSeries,
        ChangeScope,
        ConflictMode,
        SeriesItem,
        SeriesItemStatus,
        SeriesPaymentMode,
        SkippedOccurrence,
    )

_EXPORTS: dict[str, tuple[str, ...]] = {
    "commands": (
        "cancel_occurrences",
        "create_series",
        "draft_series",
        "extend_series",
        "move_occurrences",
        "start_series",
    ),
    "events": (
        "SeriesCreated",
        "SeriesExtended",
        "SeriesOccurrencesCancelled",
        "SeriesOccurrencesMoved",
    ),
    "model": (
        "BookingSeries",
        "ChangeScope",
        "ConflictMode",
        "SeriesItem",
        "SeriesItemStatus",
        "SeriesPaymentMode",
        "SkippedOccurrence",
    ),
}

__all__ = [  # noqa: RUF022 -- grouped by submodule, as in _EXPORTS
    "cancel_occurrences",
    "create_series",
    "draft_series",
    "extend_series",
    "move_occurrences",
    "start_series",
    "SeriesCreated",
    "SeriesExtended",
    "SeriesOccurrencesCancelled",
    "SeriesOccurrencesMoved",
    "BookingSeries",
    "ChangeScope",
    "ConflictMode",
    "SeriesItem",
    "SeriesItemStatus",
    "SeriesPaymentMode",
    "SkippedOccurrence",
]


def __getattr__(name: str) -> Any:
    return _lazy.load(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
