"""1:1 booking rules: which slots are bookable, checked the same way twice.

The slot listing a student sees and the booking command that takes a slot use
the same two functions, so a slot that was listed can only be refused at
decision time because something changed in between, never because the two
disagree:

- :func:`bookable_slots` is :func:`~booking_core.availability.free_slots` with
  the :class:`OneOnOnePolicy` view of pending requests (by default a pending
  request holds its slot);
- :func:`ensure_slot_bookable` refuses a slot that is not (or no longer)
  bookable: a teacher or student double booking
  (``availability.teacher_double_booked`` /
  ``availability.student_double_booked``, via
  :func:`~booking_core.commitments.ensure_no_conflict`), or a slot that is not
  among :func:`bookable_slots` for its local date (``one_on_one.slot_not_available``:
  outside availability, in a blackout, too soon, beyond the horizon, off the
  step, inside a buffer, or past the per-day cap).

Example:
    >>> from datetime import date, datetime, time, timedelta, timezone
    >>> from booking_core.availability import SlotRequest, WeeklyAvailability
    >>> mondays = [WeeklyAvailability(weekday=0, start=time(14), end=time(15),
    ...                               zone="Europe/London")]
    >>> request = SlotRequest(first_date=date(2026, 6, 1), last_date=date(2026, 6, 1),
    ...                       zone="Europe/London", duration=timedelta(hours=1))
    >>> now = datetime(2026, 5, 1, tzinfo=timezone.utc)
    >>> (slot,) = bookable_slots(mondays, [], request, now=now)
    >>> slot.start.isoformat()
    '2026-06-01T13:00:00+00:00'
    >>> ensure_slot_bookable(slot, teacher_id="t-1", student_id="s-1",
    ...     availability=mondays, commitments=[], request=request, now=now,
    ...     ref_id="b-1").kind.value
    'one_on_one'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, final

import attrs

from booking_core.approval import ApprovalPolicy, DecisionDeadlinePolicy
from booking_core.availability import AvailabilityItem, SlotRequest, free_slots
from booking_core.commitments import (
    Commitment,
    CommitmentKind,
    ConflictPolicy,
    _bool,
    ensure_no_conflict,
)
from booking_core.errors import InvalidValueError, SlotNotAvailableError
from booking_core.intervals import TimeWindow
from booking_core.zones import to_local

__all__ = [
    "OneOnOnePolicy",
    "bookable_slots",
    "ensure_slot_bookable",
]


def _instance_of(kind: type) -> Any:
    def check(
        _instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        if not isinstance(value, kind):
            raise InvalidValueError(
                field=attribute.name, reason=f"must be a {kind.__name__}", value=value
            )

    return check


@final
@attrs.frozen(kw_only=True)
class OneOnOnePolicy:
    """The rules of 1:1 booking a host may override.

    Attributes:
        pending_holds_slot: When ``True`` (the default) a request waiting for
            approval blocks its slot for everyone else; ``False`` lists the
            slot until a request for it is confirmed (then confirming re-checks
            and only the first confirmation wins).
        approval: Which bookings need the teacher's approval (default: none).
        deadline: When an undecided request expires (default: the earlier of
            created + 48 h and the session start).
        conflicts: Whether students are checked for double booking too
            (default: yes).

    Raises:
        InvalidValueError: ``input.invalid_value`` for a field of the wrong type.
    """

    pending_holds_slot: bool = attrs.field(default=True, validator=_bool)
    approval: ApprovalPolicy = attrs.field(
        factory=ApprovalPolicy, validator=_instance_of(ApprovalPolicy)
    )
    deadline: DecisionDeadlinePolicy = attrs.field(
        factory=DecisionDeadlinePolicy, validator=_instance_of(DecisionDeadlinePolicy)
    )
    conflicts: ConflictPolicy = attrs.field(
        factory=ConflictPolicy, validator=_instance_of(ConflictPolicy)
    )


def _blocking(
    commitments: Iterable[Commitment], policy: OneOnOnePolicy
) -> list[Commitment]:
    if policy.pending_holds_slot:
        return list(commitments)
    return [c for c in commitments if c.kind is not CommitmentKind.PENDING_REQUEST]


def bookable_slots(
    availability: Iterable[AvailabilityItem],
    commitments: Iterable[Commitment],
    request: SlotRequest,
    *,
    now: datetime,
    policy: OneOnOnePolicy | None = None,
) -> tuple[TimeWindow, ...]:
    """The slots a student may book: what the listing shows.

    Args:
        availability: The teacher's windows and blackouts.
        commitments: The teacher's commitments (1:1 bookings, pending requests,
            group sessions they teach).
        request: Dates, duration, step, buffers, notice, horizon, cap, course.
        now: The current instant.
        policy: Whether pending requests hold their slots (default: they do).

    Returns:
        The slots in UTC, sorted by start (see
        :func:`~booking_core.availability.free_slots`).
    """
    policy = policy if policy is not None else OneOnOnePolicy()
    return free_slots(availability, _blocking(commitments, policy), request, now=now)


def ensure_slot_bookable(
    slot: TimeWindow,
    *,
    teacher_id: str,
    student_id: str,
    availability: Iterable[AvailabilityItem],
    commitments: Iterable[Commitment],
    request: SlotRequest,
    now: datetime,
    ref_id: str,
    kind: CommitmentKind | str = CommitmentKind.ONE_ON_ONE,
    policy: OneOnOnePolicy | None = None,
) -> Commitment:
    """Refuse ``slot`` unless a booking may take it now; return its commitment.

    Args:
        slot: The slot asked for (as listed by :func:`bookable_slots`).
        teacher_id: The teacher.
        student_id: The student.
        availability: The teacher's windows and blackouts.
        commitments: The teacher's and the student's commitments; a
            commitment with ``ref_id`` (the booking itself) never conflicts.
        request: The same request the listing used (its dates are narrowed to
            the slot's local date).
        now: The current instant (decision time).
        ref_id: The id of the booking that will hold the slot.
        kind: ``one_on_one`` (confirmed) or ``pending_request``.
        policy: Pending requests and the student check.

    Returns:
        The :class:`~booking_core.commitments.Commitment` the booking holds.

    Raises:
        TeacherDoubleBookedError: ``availability.teacher_double_booked``.
        StudentDoubleBookedError: ``availability.student_double_booked``.
        SlotNotAvailableError: ``one_on_one.slot_not_available`` when the slot
            is not among the bookable slots of its date.
    """
    policy = policy if policy is not None else OneOnOnePolicy()
    if not isinstance(slot, TimeWindow):
        raise InvalidValueError(field="slot", reason="must be a TimeWindow", value=slot)
    new = Commitment(
        window=slot,
        teacher_id=teacher_id,
        student_id=student_id,
        kind=CommitmentKind(kind),
        ref_id=ref_id,
    )
    own = {CommitmentKind.ONE_ON_ONE, CommitmentKind.PENDING_REQUEST}
    held = [
        c
        for c in _blocking(commitments, policy)
        if not (c.ref_id == ref_id and c.kind in own)
    ]
    ensure_no_conflict(new, held, policy=policy.conflicts)
    day = to_local(slot.start, request.zone).date()
    narrowed = attrs.evolve(
        request, first_date=day, last_date=day, non_overlapping=False
    )
    teacher_held = [c for c in held if c.teacher_id == teacher_id]
    if slot not in free_slots(availability, teacher_held, narrowed, now=now):
        raise SlotNotAvailableError(
            teacher_id=teacher_id,
            start=slot.start.isoformat(),
            end=slot.end.isoformat(),
        )
    return new
