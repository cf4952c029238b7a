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
  :func:`~booking_core.availability.ensure_no_conflict`), or a slot that is not
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
from datetime import datetime, timedelta
from typing import Any, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import utc_instant
from booking_core.actors import Actor, Role, check_actor
from booking_core.availability.approval import (
    ApprovalLevel,
    ApprovalPolicy,
    DecisionDeadlinePolicy,
)
from booking_core.availability.commitments import (
    Commitment,
    CommitmentKind,
    ConflictPolicy,
    _bool,
    ensure_no_conflict,
)
from booking_core.availability.slots import SlotRequest, free_slots
from booking_core.availability.windows import AvailabilityItem
from booking_core.bookings.model import (
    Booking,
    BookingCancellation,
    BookingDecision,
    BookingStatus,
    BookingType,
)
from booking_core.errors import (
    AlreadyBookedError,
    BookingTransitionError,
    DecisionDeadlinePassedError,
    ExpiryNotDueError,
    InvalidValueError,
    NotBookingHolderError,
    SlotNotAvailableError,
)
from booking_core.events import Decision, DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.zones import to_local

__all__ = [
    "OneOnOneCancelled",
    "OneOnOneConfirmed",
    "OneOnOneDeclined",
    "OneOnOneExpired",
    "OneOnOnePolicy",
    "OneOnOneRequested",
    "bookable_slots",
    "booking_commitment",
    "cancel_booking",
    "confirm_booking",
    "decision_deadline",
    "decline_booking",
    "ensure_slot_bookable",
    "expire_booking",
    "request_booking",
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
@attrs.frozen(kw_only=True, repr=False)
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

    __repr__ = fields_repr

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
        The :class:`~booking_core.availability.Commitment` the booking holds.

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


# -- 1:1 booking commands -------------------------------------------------------


@attrs.frozen(kw_only=True, repr=False)
class _OneOnOneEvent(DomainEvent):
    """What every 1:1 booking event carries (``aggregate_id``: the booking).

    Attributes:
        teacher_id: The teacher.
        student_id: The student.
        window: The booked slot (UTC).
    """

    __repr__ = fields_repr

    teacher_id: str
    student_id: str
    window: TimeWindow


@final
@attrs.frozen(kw_only=True, repr=False)
class OneOnOneRequested(_OneOnOneEvent):
    """A 1:1 booking waits for the teacher's approval until ``decide_by``.

    Attributes:
        level: The approval level that required it.
        decide_by: When it expires if still undecided.
    """

    __repr__ = fields_repr

    level: ApprovalLevel
    decide_by: datetime


@final
@attrs.frozen(kw_only=True, repr=False)
class OneOnOneConfirmed(_OneOnOneEvent):
    """A 1:1 booking was confirmed: at once (no approval) or by the teacher.

    Attributes:
        level: The approval level that decided whether approval was needed.
        approved: ``True`` when the teacher approved a pending request.
    """

    __repr__ = fields_repr

    level: ApprovalLevel
    approved: bool


@final
@attrs.frozen(kw_only=True, repr=False)
class OneOnOneDeclined(_OneOnOneEvent):
    """The teacher declined a pending 1:1 request; its slot is free again.

    Attributes:
        reason: Why, if given.
    """

    __repr__ = fields_repr

    reason: str | None


@final
@attrs.frozen(kw_only=True, repr=False)
class OneOnOneExpired(_OneOnOneEvent):
    """A pending 1:1 request lapsed undecided; its slot is free again.

    Attributes:
        deadline: The decision deadline that passed.
    """

    __repr__ = fields_repr

    deadline: datetime


@final
@attrs.frozen(kw_only=True, repr=False)
class OneOnOneCancelled(_OneOnOneEvent):
    """A pending or confirmed 1:1 booking was cancelled; its slot is free again.

    Attributes:
        previous_status: What it was cancelled from.
        reason: Why.
    """

    __repr__ = fields_repr

    previous_status: BookingStatus
    reason: str


def booking_commitment(booking: Booking) -> Commitment | None:
    """The commitment an active 1:1 booking holds, ``None`` for any other booking.

    A pending booking holds a ``pending_request``, a confirmed one a
    ``one_on_one`` commitment (group seats are the session's commitment).
    """
    if booking.type is not BookingType.ONE_ON_ONE:
        return None
    kinds = {
        BookingStatus.PENDING: CommitmentKind.PENDING_REQUEST,
        BookingStatus.CONFIRMED: CommitmentKind.ONE_ON_ONE,
    }
    kind = kinds.get(booking.status)
    if kind is None:
        return None
    return Commitment(
        window=booking.window,
        teacher_id=booking.teacher_id,
        student_id=booking.student_id,
        kind=kind,
        ref_id=booking.id,
    )


def _held(
    bookings: Iterable[Booking], others: Iterable[Commitment]
) -> list[Commitment]:
    held = [c for c in map(booking_commitment, bookings) if c is not None]
    return [*held, *others]


def decision_deadline(
    booking: Booking, *, policy: OneOnOnePolicy | None = None
) -> datetime:
    """When ``booking`` (pending) expires if undecided, by the policy's deadline."""
    policy = policy if policy is not None else OneOnOnePolicy()
    return policy.deadline.deadline(
        created_at=booking.created_at, session_start=booking.window.start
    )


def _base(booking: Booking, actor: Actor, now: datetime) -> dict[str, Any]:
    return {
        "occurred_at": now,
        "actor": actor,
        "aggregate_id": booking.id,
        "teacher_id": booking.teacher_id,
        "student_id": booking.student_id,
        "window": booking.window,
    }


def request_booking(
    *,
    booking_id: str,
    session_id: str,
    slot: TimeWindow,
    teacher_id: str,
    student_id: str,
    course_id: str,
    availability: Iterable[AvailabilityItem],
    request: SlotRequest,
    bookings: Iterable[Booking],
    other_commitments: Iterable[Commitment] = (),
    actor: Actor,
    now: datetime,
    policy: OneOnOnePolicy | None = None,
) -> Decision[Booking]:
    """Book a 1:1 slot: confirmed at once, or pending when approval is required.

    The slot is checked with :func:`ensure_slot_bookable` (the listing's
    check) against the active 1:1 bookings given and the other commitments
    (group sessions the teacher teaches or the student booked).

    Args:
        booking_id: The new booking's id.
        session_id: The 1:1 session the booking holds.
        slot: The slot, as listed by :func:`bookable_slots`.
        teacher_id: The teacher.
        student_id: The student.
        course_id: The course.
        availability: The teacher's windows and blackouts.
        request: The slot request the listing used.
        bookings: The teacher's and the student's bookings (any status).
        other_commitments: Their other commitments (group sessions).
        actor: The student themself, or an admin.
        now: The decision time.
        policy: Approval, deadline, pending hold and student check.

    Returns:
        The new booking (pending or confirmed) and :class:`OneOnOneRequested`
        or :class:`OneOnOneConfirmed`.

    Raises:
        NotBookingHolderError: ``booking.not_holder`` for another actor.
        AlreadyBookedError: ``booking.already_booked`` when the student holds an
            active booking with this teacher at this start.
        TeacherDoubleBookedError: ``availability.teacher_double_booked``.
        StudentDoubleBookedError: ``availability.student_double_booked``.
        SlotNotAvailableError: ``one_on_one.slot_not_available``.
    """
    policy = policy if policy is not None else OneOnOnePolicy()
    now = utc_instant(now, "now")
    if not (
        actor.role is Role.ADMIN
        or (actor.role is Role.STUDENT and actor.user_id == student_id)
    ):
        raise NotBookingHolderError(
            actor=actor,
            action="book",
            booking_id=booking_id,
            allowed="the student, admins",
        )
    known = list(bookings)
    for other in known:
        if (
            other.is_active
            and other.student_id == student_id
            and other.teacher_id == teacher_id
            and other.window.start == slot.start
        ):
            raise AlreadyBookedError(
                student_id=student_id,
                booking_id=other.id,
                status=other.status.value,
                session_id=other.session_id,
            )
    resolution = policy.approval.resolve(teacher_id=teacher_id, course_id=course_id)
    pending = resolution.required
    ensure_slot_bookable(
        slot,
        teacher_id=teacher_id,
        student_id=student_id,
        availability=availability,
        commitments=_held(known, other_commitments),
        request=request,
        now=now,
        ref_id=booking_id,
        kind=CommitmentKind.PENDING_REQUEST if pending else CommitmentKind.ONE_ON_ONE,
        policy=policy,
    )
    booking = Booking(
        id=booking_id,
        type=BookingType.ONE_ON_ONE,
        session_id=session_id,
        student_id=student_id,
        teacher_id=teacher_id,
        course_id=course_id,
        window=slot,
        status=BookingStatus.PENDING if pending else BookingStatus.CONFIRMED,
        decision=None if pending else BookingDecision(by=actor, at=now),
        created_at=now,
    )
    event: DomainEvent
    if pending:
        event = OneOnOneRequested(
            **_base(booking, actor, now),
            level=resolution.level,
            decide_by=decision_deadline(booking, policy=policy),
        )
    else:
        event = OneOnOneConfirmed(
            **_base(booking, actor, now), level=resolution.level, approved=False
        )
    return Decision(state=booking, events=(event,))


def _require_teacher(booking: Booking, actor: Actor, action: str) -> None:
    if check_actor(actor).role is Role.ADMIN or (
        actor.role is Role.TEACHER and actor.user_id == booking.teacher_id
    ):
        return
    raise NotBookingHolderError(
        actor=actor, action=action, booking_id=booking.id, allowed="its teacher, admins"
    )


def _require_pending(booking: Booking, action: str) -> None:
    if booking.status is not BookingStatus.PENDING:
        raise BookingTransitionError(
            action=action,
            booking_id=booking.id,
            status=booking.status.value,
            allowed=BookingStatus.PENDING.value,
        )


def _before_deadline(
    booking: Booking, now: datetime, policy: OneOnOnePolicy, action: str
) -> None:
    deadline = decision_deadline(booking, policy=policy)
    if now >= deadline:
        raise DecisionDeadlinePassedError(
            action=action, booking_id=booking.id, deadline=deadline.isoformat()
        )


def confirm_booking(
    booking: Booking,
    *,
    availability: Iterable[AvailabilityItem],
    request: SlotRequest,
    bookings: Iterable[Booking],
    other_commitments: Iterable[Commitment] = (),
    actor: Actor,
    now: datetime,
    policy: OneOnOnePolicy | None = None,
) -> Decision[Booking]:
    """The teacher approves a pending request, re-checking its slot now.

    The slot is checked again exactly as at booking time, against every other
    active booking: of two pending requests for one slot (possible when
    pending requests do not hold their slot), only the first confirmation
    passes. Run it in one transaction with the teacher's bookings (the
    service does) so the check and the save are atomic.

    Args:
        booking: The pending booking.
        availability: The teacher's windows and blackouts.
        request: The slot request the listing uses.
        bookings: The teacher's and the student's bookings (any status).
        other_commitments: Their other commitments (group sessions).
        actor: The booking's teacher, or an admin.
        now: The decision time (before the decision deadline).
        policy: Deadline, pending hold and student check.

    Returns:
        The confirmed booking (decision: who, when) and :class:`OneOnOneConfirmed`.

    Raises:
        NotBookingHolderError: ``booking.not_holder``.
        BookingTransitionError: ``booking.invalid_transition`` unless pending.
        DecisionDeadlinePassedError: ``one_on_one.decision_deadline_passed``.
        TeacherDoubleBookedError: ``availability.teacher_double_booked``.
        StudentDoubleBookedError: ``availability.student_double_booked``.
        SlotNotAvailableError: ``one_on_one.slot_not_available``.
    """
    policy = policy if policy is not None else OneOnOnePolicy()
    now = utc_instant(now, "now")
    _require_teacher(booking, actor, "confirm")
    _require_pending(booking, "confirm")
    _before_deadline(booking, now, policy, "confirm")
    # confirming never re-applies notice or horizon: the request was valid when made
    ensure_slot_bookable(
        booking.window,
        teacher_id=booking.teacher_id,
        student_id=booking.student_id,
        availability=availability,
        commitments=_held(bookings, other_commitments),
        request=attrs.evolve(request, minimum_notice=timedelta(0), horizon=None),
        now=booking.created_at,
        ref_id=booking.id,
        kind=CommitmentKind.ONE_ON_ONE,
        policy=policy,
    )
    level = policy.approval.resolve(
        teacher_id=booking.teacher_id, course_id=booking.course_id
    ).level
    state = attrs.evolve(
        booking,
        status=BookingStatus.CONFIRMED,
        decision=BookingDecision(by=actor, at=now),
    )
    event = OneOnOneConfirmed(**_base(booking, actor, now), level=level, approved=True)
    return Decision(state=state, events=(event,))


def decline_booking(
    booking: Booking,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
    policy: OneOnOnePolicy | None = None,
) -> Decision[Booking]:
    """The teacher declines a pending request; its slot is free again.

    Raises:
        NotBookingHolderError: ``booking.not_holder``.
        BookingTransitionError: ``booking.invalid_transition`` unless pending.
        DecisionDeadlinePassedError: ``one_on_one.decision_deadline_passed``.
    """
    policy = policy if policy is not None else OneOnOnePolicy()
    now = utc_instant(now, "now")
    _require_teacher(booking, actor, "decline")
    _require_pending(booking, "decline")
    _before_deadline(booking, now, policy, "decline")
    state = attrs.evolve(
        booking,
        status=BookingStatus.DECLINED,
        decision=BookingDecision(by=actor, at=now),
    )
    event = OneOnOneDeclined(**_base(booking, actor, now), reason=reason)
    return Decision(state=state, events=(event,))


def expire_booking(
    booking: Booking,
    *,
    actor: Actor,
    now: datetime,
    policy: OneOnOnePolicy | None = None,
) -> Decision[Booking]:
    """Expire a pending request whose decision deadline has come.

    Raises:
        BookingTransitionError: ``booking.invalid_transition`` unless pending.
        ExpiryNotDueError: ``one_on_one.expiry_not_due`` before the deadline.
    """
    policy = policy if policy is not None else OneOnOnePolicy()
    now = utc_instant(now, "now")
    _require_pending(booking, "expire")
    deadline = decision_deadline(booking, policy=policy)
    if now < deadline:
        raise ExpiryNotDueError(booking_id=booking.id, deadline=deadline.isoformat())
    state = attrs.evolve(
        booking,
        status=BookingStatus.EXPIRED,
        decision=BookingDecision(by=actor, at=now),
    )
    event = OneOnOneExpired(**_base(booking, actor, now), deadline=deadline)
    return Decision(state=state, events=(event,))


def cancel_booking(
    booking: Booking, *, reason: str, actor: Actor, now: datetime
) -> Decision[Booking]:
    """Cancel a pending or confirmed 1:1 booking, by either party, with a reason.

    Raises:
        NotBookingHolderError: ``booking.not_holder`` unless the booking's
            student or teacher, an admin or the system.
        BookingTransitionError: ``booking.invalid_transition`` unless pending
            or confirmed.
        InvalidValueError: ``input.invalid_value`` for an empty reason.
    """
    now = utc_instant(now, "now")
    parties = {
        (Role.STUDENT, booking.student_id),
        (Role.TEACHER, booking.teacher_id),
    }
    if actor.role not in {Role.ADMIN, Role.SYSTEM} and (
        (actor.role, actor.user_id) not in parties
    ):
        raise NotBookingHolderError(
            actor=actor,
            action="cancel",
            booking_id=booking.id,
            allowed="its student, its teacher, admins",
        )
    if booking.status not in {BookingStatus.PENDING, BookingStatus.CONFIRMED}:
        raise BookingTransitionError(
            action="cancel",
            booking_id=booking.id,
            status=booking.status.value,
            allowed="pending, confirmed",
        )
    if not isinstance(reason, str) or not reason.strip():  # type: ignore[redundant-expr]
        raise InvalidValueError(
            field="reason", reason="must be a non-empty text", value=reason
        )
    why = reason.strip()
    state = attrs.evolve(
        booking,
        status=BookingStatus.CANCELLED,
        cancellation=BookingCancellation(by=actor, at=now, reason=why),
    )
    event = OneOnOneCancelled(
        **_base(booking, actor, now), previous_status=booking.status, reason=why
    )
    return Decision(state=state, events=(event,))
