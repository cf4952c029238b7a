"""A teacher's 1:1 schedule: availability and slot rules, one aggregate per teacher.

:class:`TeacherSchedule` holds what the slot listing and the 1:1 booking
commands read about a teacher: the availability windows and blackouts, the
teacher's zone and the slot rules (step, buffers, notice, horizon, per-day
cap). :meth:`TeacherSchedule.slot_request` builds the one
:class:`~booking_core.availability.SlotRequest` both the listing and the
commands use, so they cannot disagree about the rules.

It is also the teacher's serialisation point: the 1:1 service saves it in
every transaction that writes one of the teacher's 1:1 bookings, so two such
transactions are ordered by its compare-and-set and the second always sees
the first one's result (see :mod:`booking_core.services.one_on_one`).

Example:
    >>> from datetime import date, datetime, time, timedelta, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.availability.windows import WeeklyAvailability
    >>> schedule = TeacherSchedule(
    ...     id="t-1", zone="Europe/London",
    ...     availability=[WeeklyAvailability(weekday=0, start=time(14), end=time(15),
    ...                                      zone="Europe/London")],
    ... )
    >>> decision = set_schedule(None, schedule, actor=Actor.teacher("t-1"),
    ...                         now=datetime(2026, 5, 1, tzinfo=timezone.utc))
    >>> decision.events[0].name, decision.state.updated_by == Actor.teacher("t-1")
    ('teacher_schedule.set', True)
    >>> request = schedule.slot_request(date(2026, 6, 1), date(2026, 6, 1),
    ...                                 timedelta(hours=1))
    >>> request.zone, request.step
    ('Europe/London', datetime.timedelta(seconds=1800))
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import identifier, utc_instant
from booking_core.actors import Actor, Role
from booking_core.availability.slots import SlotRequest
from booking_core.availability.windows import (
    AvailabilityItem,
    Blackout,
    OneTimeAvailability,
    WeeklyAvailability,
)
from booking_core.errors import InvalidValueError, NotScheduleOwnerError
from booking_core.events import Decision, DomainEvent
from booking_core.zones import get_zone

__all__ = ["StudentCalendar", "TeacherSchedule", "TeacherScheduleSet", "set_schedule"]

_ITEM_TYPES = (WeeklyAvailability, OneTimeAvailability, Blackout)
_ZERO = timedelta(0)


def _items(value: object) -> tuple[AvailabilityItem, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidValueError(
            field="availability", reason="must be a list of items", value=value
        )
    items: tuple[AvailabilityItem, ...] = tuple(value)
    for item in items:
        if not isinstance(item, _ITEM_TYPES):
            raise InvalidValueError(
                field="availability",
                reason="items must be WeeklyAvailability, OneTimeAvailability "
                "or Blackout",
                value=item,
            )
    return items


def _zone(value: str) -> str:
    return get_zone(value).key


def _optional_instant(value: datetime | None) -> datetime | None:
    return None if value is None else utc_instant(value, "updated_at")


@final
@attrs.frozen(kw_only=True, repr=False)
class TeacherSchedule:
    """A teacher's availability and slot rules (one per teacher, id = teacher id).

    Attributes:
        id: The teacher's id.
        zone: The teacher's IANA zone: slot dates, step alignment and the
            per-day cap are read in it (default ``UTC``).
        availability: Weekly windows, one-time windows and blackouts.
        step: Slots start on wall-clock multiples of this after local midnight
            (default 30 minutes).
        buffer_before: Free time kept before every commitment (default none).
        buffer_after: Free time kept after every commitment (default none).
        minimum_notice: A slot starts at least this long after booking time
            (default none).
        horizon: A slot ends at most this long after booking time; ``None``
            for no limit (default).
        max_per_day: At most this many commitments per local day; ``None``
            for no cap (default).
        updated_at: When it was last set, ``None`` if never.
        updated_by: Who set it last, ``None`` if never.
        version: The repository's version (the domain never changes it).

    Raises:
        InvalidValueError: ``input.invalid_value`` for a bad field (the slot
            rules are checked exactly as :class:`SlotRequest` checks them).
        UnknownZoneError: ``time.unknown_zone`` for an unknown zone.
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=identifier)
    zone: str = attrs.field(default="UTC", converter=_zone)
    availability: tuple[AvailabilityItem, ...] = attrs.field(
        default=(), converter=_items
    )
    step: timedelta = timedelta(minutes=30)
    buffer_before: timedelta = _ZERO
    buffer_after: timedelta = _ZERO
    minimum_notice: timedelta = _ZERO
    horizon: timedelta | None = None
    max_per_day: int | None = None
    updated_at: datetime | None = attrs.field(default=None, converter=_optional_instant)
    updated_by: Actor | None = None
    version: int = 0

    def __attrs_post_init__(self) -> None:
        # the slot rules are validated by the request they build
        self.slot_request(date(2026, 1, 1), date(2026, 1, 1), timedelta(minutes=1))

    def slot_request(
        self,
        first_date: date,
        last_date: date,
        duration: timedelta,
        *,
        course: str | None = None,
        non_overlapping: bool = False,
    ) -> SlotRequest:
        """The slot request of this schedule's rules for some dates and a duration.

        Args:
            first_date: The first local date a slot may start on.
            last_date: The last local date (inclusive).
            duration: The length of every slot.
            course: Only this course's windows (and course-less ones).
            non_overlapping: Slots that do not overlap each other.

        Returns:
            The :class:`~booking_core.availability.SlotRequest`.

        Raises:
            InvalidValueError: ``input.invalid_value`` for bad dates or duration.

        Example:
            >>> from datetime import date, timedelta
            >>> TeacherSchedule(id="t-1", zone="Asia/Kolkata").slot_request(
            ...     date(2026, 6, 1), date(2026, 6, 7), timedelta(hours=1)
            ... ).zone
            'Asia/Kolkata'
        """
        return SlotRequest(
            first_date=first_date,
            last_date=last_date,
            zone=self.zone,
            duration=duration,
            step=self.step,
            buffer_before=self.buffer_before,
            buffer_after=self.buffer_after,
            minimum_notice=self.minimum_notice,
            horizon=self.horizon,
            max_per_day=self.max_per_day,
            course=course,
            non_overlapping=non_overlapping,
        )


@final
@attrs.frozen(kw_only=True, repr=False)
class TeacherScheduleSet(DomainEvent):
    """A teacher's availability and slot rules were set or replaced.

    Attributes:
        schedule: The schedule as set (``aggregate_id`` is the teacher).
    """

    __repr__ = fields_repr

    schedule: TeacherSchedule


def set_schedule(
    current: TeacherSchedule | None,
    new: TeacherSchedule,
    *,
    actor: Actor,
    now: datetime,
) -> Decision[TeacherSchedule]:
    """Set or replace a teacher's schedule.

    Args:
        current: The stored schedule, ``None`` when the teacher has none yet.
        new: The schedule wanted (its version is ignored: the stored one is kept).
        actor: The teacher themself or an admin.
        now: The current instant.

    Returns:
        ``new`` stamped with who and when, and :class:`TeacherScheduleSet`.

    Raises:
        NotScheduleOwnerError: ``one_on_one.not_schedule_owner`` for anyone else.
        InvalidValueError: ``input.invalid_value`` when ``new`` is no schedule
            or is another teacher's than ``current``.
    """
    now = utc_instant(now, "now")
    if not isinstance(new, TeacherSchedule):
        raise InvalidValueError(
            field="schedule", reason="must be a TeacherSchedule", value=new
        )
    if current is not None and current.id != new.id:
        raise InvalidValueError(
            field="schedule", reason=f"must be teacher {current.id!r}'s", value=new.id
        )
    if not (
        actor.role is Role.ADMIN
        or (actor.role is Role.TEACHER and actor.user_id == new.id)
    ):
        raise NotScheduleOwnerError(actor=actor, teacher_id=new.id)
    state = attrs.evolve(
        new,
        updated_at=now,
        updated_by=actor,
        version=current.version if current is not None else 0,
    )
    event = TeacherScheduleSet(
        occurred_at=now, actor=actor, aggregate_id=new.id, schedule=state
    )
    return Decision(state=state, events=(event,))


@final
@attrs.frozen(kw_only=True, repr=False)
class StudentCalendar:
    """A student's side of the 1:1 ordering: one small aggregate per student.

    It carries no data beyond its version. The 1:1 service saves it in every
    transaction that books the student (a request, a confirmation, a series) when
    the conflict policy checks students, so two teachers booking one student at
    once are ordered by its compare-and-set, just as :class:`TeacherSchedule`
    orders one teacher's bookings: the student is never double-booked.

    Attributes:
        id: The student's id.
        version: The repository's version (the domain never changes it).

    Example:
        >>> StudentCalendar(id="ann").version
        0
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=identifier)
    version: int = 0
