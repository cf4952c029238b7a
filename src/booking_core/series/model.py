"""The series value, its items and skipped occurrences."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import (
    identifier,
    member,
    non_empty_str,
    non_negative_int,
    utc_instant,
)
from booking_core.actors import Actor
from booking_core.availability.commitments import (
    Commitment,
    CommitmentKind,
    _optional_text,
)
from booking_core.errors import (
    InvalidValueError,
    SeriesOccurrenceNotFoundError,
)
from booking_core.intervals import TimeWindow
from booking_core.recurrence import Recurrence, RecurrenceRule
from booking_core.sessions.model import MeetingInfo
from booking_core.zones import get_zone, to_instant, to_local

__all__ = [
    "BookingSeries",
    "ChangeScope",
    "ConflictMode",
    "SeriesItem",
    "SeriesItemStatus",
    "SeriesPaymentMode",
    "SkippedOccurrence",
]

_PAST = "series.occurrence_in_past"
"""The reason code of an occurrence skipped because it started before ``now``."""


@final
class SeriesPaymentMode(str, enum.Enum):
    """How a series is paid; the money side reads it."""

    PER_OCCURRENCE = "per_occurrence"
    """Each occurrence is paid on its own."""
    UP_FRONT = "up_front"
    """The whole series is paid at once; cancelled occurrences are refunded pro rata."""


@final
class ConflictMode(str, enum.Enum):
    """What an expansion does when occurrences conflict."""

    ALL_OR_NOTHING = "all_or_nothing"
    """Any conflict refuses the whole expansion; nothing is booked."""
    SKIP_CONFLICTS = "skip_conflicts"
    """Book the free occurrences and report the others."""


@final
class ChangeScope(str, enum.Enum):
    """Which occurrences a cancel or a move applies to."""

    ONE = "one"
    """Only the given occurrence."""
    THIS_AND_FOLLOWING = "this_and_following"
    """The given occurrence and every later one, including future expansions."""
    ALL = "all"
    """Every occurrence that has not started yet, including future expansions."""


@final
class SeriesItemStatus(str, enum.Enum):
    """The status of one booked occurrence within its series."""

    ACTIVE = "active"
    """Booked and not cancelled."""
    CANCELLED = "cancelled"
    """Cancelled (by itself or with following ones)."""


def _original_start(value: datetime) -> datetime:
    return utc_instant(value, "original_start")


def _first_start(value: datetime) -> datetime:
    return utc_instant(value, "first_start")


def _expanded_until(value: datetime) -> datetime:
    return utc_instant(value, "expanded_until")


def _created_at(value: datetime) -> datetime:
    return utc_instant(value, "created_at")


@final
@attrs.frozen(kw_only=True, repr=False)
class SeriesItem:
    """One booked occurrence of a series.

    Attributes:
        occurrence_index: The recurrence's index of the occurrence (unique
            within the series).
        booking_id: The booking that holds it (``"<series id>~<index>"``).
        window: When it takes place now (moved or not), in UTC.
        original_start: Where the recurrence put it (UTC).
        zone: The series' zone, for presenting local times.
        status: Active or cancelled.
    """

    __repr__ = fields_repr

    occurrence_index: int = attrs.field(validator=non_negative_int)
    booking_id: str = attrs.field(validator=identifier)
    window: TimeWindow
    original_start: datetime = attrs.field(converter=_original_start)
    zone: str = attrs.field(validator=non_empty_str)
    status: SeriesItemStatus = attrs.field(
        default=SeriesItemStatus.ACTIVE, converter=SeriesItemStatus
    )

    @property
    def moved(self) -> bool:
        """``True`` when the occurrence no longer starts where the rule put it."""
        return self.window.start != self.original_start

    @property
    def local_start(self) -> datetime:
        """The start as an aware datetime in the series' zone."""
        return to_local(self.window.start, self.zone)


@final
@attrs.frozen(kw_only=True, repr=False)
class SkippedOccurrence:
    """An occurrence an expansion did not book, and why.

    Attributes:
        occurrence_index: The recurrence's index of the occurrence.
        window: When it would have taken place (UTC).
        reason: The error code that refused it (``availability.
            teacher_double_booked``, ``availability.student_double_booked``)
            or ``series.occurrence_in_past``.
        message: The human message of the refusal.
        conflicting_ref_id: The id of the booking or session it clashed with,
            ``None`` when it was in the past.
    """

    __repr__ = fields_repr

    occurrence_index: int = attrs.field(validator=non_negative_int)
    window: TimeWindow
    reason: str = attrs.field(validator=non_empty_str)
    message: str = attrs.field(validator=non_empty_str)
    conflicting_ref_id: str | None = None


def _rule(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, RecurrenceRule):
        raise InvalidValueError(
            field=attribute.name, reason="must be a RecurrenceRule", value=value
        )


def _positive_duration(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidValueError(
            field=attribute.name, reason="must be a positive timedelta", value=value
        )


def _zone(value: str) -> str:
    return get_zone(value).key


def _payment_mode(value: object) -> SeriesPaymentMode:
    return member(SeriesPaymentMode, value, "payment_mode")


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingSeries:
    """A recurring 1:1 booking: rule, start, duration, meeting info, items.

    Build one with :func:`create_series`; change it only through the commands
    of this module.

    Attributes:
        id: The series id; booking ids of its items derive from it.
        teacher_id: The teacher of every occurrence.
        student_id: The student of every occurrence.
        course_id: The course, if any.
        rule: The recurrence rule (weekly, every other Monday, ...).
        first_start: The first occurrence's start (UTC); its wall time in
            ``zone`` is kept by every occurrence.
        zone: The IANA zone the wall time is kept in.
        duration: The length of every occurrence.
        meeting: The default meeting info, copied into each booking.
        payment_mode: Paid per occurrence or up front.
        items: The booked occurrences, by occurrence index.
        skipped: Occurrences expansions did not book, by occurrence index.
        expanded_until: Occurrences whose rule start is before this instant
            have been considered; extending never looks at them again.
        last_index: No occurrence after this index is booked (set by
            cancelling this and following); ``None`` for no cut.
        wall_shifts: ``(from index, shift)`` pairs: occurrences from that
            index on are moved by ``shift`` of wall-clock time (set by moving
            this and following, or all); they add up.
        created_at: When the series was created (UTC).
        created_by: Who created it.
        version: The repository's version (the domain never changes it).
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=identifier)
    teacher_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    course_id: str | None = attrs.field(default=None, validator=_optional_text)
    rule: RecurrenceRule = attrs.field(validator=_rule)
    first_start: datetime = attrs.field(converter=_first_start)
    zone: str = attrs.field(converter=_zone)
    duration: timedelta = attrs.field(validator=_positive_duration)
    meeting: MeetingInfo | None = None
    payment_mode: SeriesPaymentMode = attrs.field(
        default=SeriesPaymentMode.PER_OCCURRENCE, converter=_payment_mode
    )
    items: tuple[SeriesItem, ...] = ()
    skipped: tuple[SkippedOccurrence, ...] = ()
    expanded_until: datetime = attrs.field(converter=_expanded_until)
    last_index: int | None = None
    wall_shifts: tuple[tuple[int, timedelta], ...] = ()
    created_at: datetime = attrs.field(converter=_created_at)
    created_by: Actor
    version: int = 0

    @property
    def recurrence(self) -> Recurrence:
        """The recurrence anchored on the first start's wall time in the zone."""
        return Recurrence(
            rule=self.rule,
            start=self.first_start.astimezone(get_zone(self.zone)),
            duration=self.duration,
        )

    @property
    def ended(self) -> bool:
        """``True`` when no further occurrence will ever be booked."""
        return self.last_index is not None and self.last_index < 0

    def item(self, occurrence_index: int) -> SeriesItem:
        """The booked occurrence with ``occurrence_index``.

        Raises:
            SeriesOccurrenceNotFoundError: ``series.occurrence_not_found``.
        """
        for item in self.items:
            if item.occurrence_index == occurrence_index:
                return item
        raise SeriesOccurrenceNotFoundError(
            series_id=self.id,
            index=occurrence_index,
            booked=[item.occurrence_index for item in self.items],
        )

    def commitment(self, item: SeriesItem) -> Commitment:
        """The commitment ``item`` holds (a 1:1 booking of teacher and student)."""
        return Commitment(
            window=item.window,
            teacher_id=self.teacher_id,
            student_id=self.student_id,
            kind=CommitmentKind.ONE_ON_ONE,
            ref_id=item.booking_id,
        )

    def commitments(self) -> tuple[Commitment, ...]:
        """The commitments of every active item."""
        return tuple(
            self.commitment(item)
            for item in self.items
            if item.status is SeriesItemStatus.ACTIVE
        )

    def booking_id(self, occurrence_index: int) -> str:
        """The id of the booking that holds occurrence ``occurrence_index``.

        ``"<series id>~<index>"``: URL-safe like every id (the series id is one).
        """
        return f"{self.id}~{occurrence_index}"

    def candidates(self, until: datetime) -> Iterator[tuple[int, datetime, TimeWindow]]:
        """Occurrences not considered yet whose rule start is before ``until``.

        Yields ``(index, rule start, window)`` with the wall-clock shifts
        applied to the window, in order of index; stops after ``last_index``.

        Raises:
            NaiveDatetimeError: ``time.naive_datetime`` for a naive ``until``.
        """
        until = utc_instant(until, "until")
        for occurrence in self.recurrence.between(self.expanded_until, until):
            if self.last_index is not None and occurrence.index > self.last_index:
                return
            original = occurrence.original_start
            shift = self._shift(occurrence.index)
            start = _shifted(occurrence.start, shift, self.zone)
            yield occurrence.index, original, TimeWindow.of(start, self.duration)

    def _shift(self, index: int) -> timedelta:
        return sum(
            (delta for first, delta in self.wall_shifts if first <= index),
            timedelta(0),
        )


def _shifted(start: datetime, shift: timedelta, zone: str) -> datetime:
    """``start`` moved by ``shift`` of wall-clock time in ``zone`` (DST-safe)."""
    if not shift:
        return start
    wall = to_local(start, zone).replace(tzinfo=None) + shift
    return to_instant(wall, zone)
