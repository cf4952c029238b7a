"""Attendance: who meant to come, who came, how late, and what the session became.

An :class:`Attendee` is one participant of one session, keyed by
``(session_id, participant_id, role)``: the teacher and every booked student.
It carries the participant's :class:`Intent`, their :class:`AttendanceMark`,
the :class:`~booking_core.billing.PaymentStatus` of what they owe, and the
join/leave log (:class:`ParticipationEvent`) recorded from the meeting
provider. A join is accepted only where
:func:`booking_core.sessions.check_join` allows it (the session's join window,
the rejoin rule of :class:`~booking_core.sessions.SessionPolicy`); a leave only
inside :func:`booking_core.sessions.join_window`. Events may arrive in any
order: the log is kept sorted and read as presence intervals.

From the log: :func:`lateness` (first join - start, zero when on time),
:func:`presence` (time inside the session window), :func:`mark_attendance`
(present / late / absent once the session ended) and
:func:`classify_outcome`, which decides what the session became
(:class:`SessionOutcome`) and returns the facts it used. Each outcome's money
meaning is in :data:`OUTCOME_SETTLEMENTS`, in the vocabulary of
:mod:`booking_core.money.refunds`. :func:`cancel_session_attendees` is the
cancellation cascade of seed 000.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Actor, Role
    >>> from booking_core.intervals import TimeWindow
    >>> from booking_core.sessions import Session, SessionPolicy
    >>> start = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> session = Session(
    ...     id="s-1", kind="one_on_one", teacher_id="t-1", course_id="c-1",
    ...     window=TimeWindow.of(start, timedelta(hours=1)), zone="Asia/Kolkata",
    ... )
    >>> alice = Attendee.create(session_id="s-1", participant_id="alice",
    ...                         role=Role.STUDENT)
    >>> joined = record_participation(
    ...     alice, session, ParticipationEvent.joined(start + timedelta(minutes=7)),
    ...     actor=Actor.system(), now=start + timedelta(minutes=7),
    ...     session_policy=SessionPolicy(),
    ... ).state
    >>> lateness(joined, session), is_late(joined, session, AttendancePolicy())
    (datetime.timedelta(seconds=420), True)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any, final

import attrs

from booking_core._payment_status import PaymentStatus, check_payment_transition
from booking_core._validation import bounded_decimal, utc_instant, valid_id
from booking_core.actors import Actor, Role, require_role
from booking_core.errors import (
    AttendanceTooEarlyError,
    IntentChangeClosedError,
    InvalidValueError,
    JoinWindowClosedError,
    NotSessionParticipantError,
    SessionNotCancelledError,
)
from booking_core.events import Decision, DomainEvent
from booking_core.intervals import IntervalSet, TimeWindow
from booking_core.money.refunds import (
    CancellationPolicy,
    CancellationReason,
    refund_share,
)
from booking_core.sessions.model import Session, SessionStatus
from booking_core.sessions.policies import SessionPolicy
from booking_core.sessions.queries import check_join, join_window

__all__ = [
    "OUTCOME_SETTLEMENTS",
    "AttendanceMark",
    "AttendanceMarked",
    "AttendancePolicy",
    "Attendee",
    "AttendeeExcused",
    "Intent",
    "IntentChanged",
    "OutcomeFacts",
    "OutcomeReport",
    "OutcomeSettlement",
    "ParticipationEvent",
    "ParticipationKind",
    "ParticipationRecorded",
    "SessionOutcome",
    "attendee_id",
    "cancel_session_attendees",
    "classify_outcome",
    "excuse",
    "is_late",
    "lateness",
    "mark_attendance",
    "presence",
    "presence_intervals",
    "record_participation",
    "set_intent",
]

_ZERO = timedelta(0)
_ATTENDEE_ROLES = frozenset({Role.TEACHER, Role.STUDENT})
_RECORDERS = frozenset({Role.ADMIN, Role.SYSTEM})


@final
class Intent(str, enum.Enum):
    """What a participant said they would do (RSVP)."""

    GOING = "going"
    MAYBE = "maybe"
    NOT_GOING = "not_going"


@final
class AttendanceMark(str, enum.Enum):
    """What a participant did: unknown until marked after the session ends."""

    UNKNOWN = "unknown"
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"

    @property
    def attended(self) -> bool:
        """True for present and late."""
        return self in (AttendanceMark.PRESENT, AttendanceMark.LATE)


@final
class ParticipationKind(str, enum.Enum):
    """A join or a leave."""

    JOINED = "joined"
    LEFT = "left"


def _at(value: datetime) -> datetime:
    return utc_instant(value, "at")


@final
@attrs.frozen(kw_only=True, order=False)
class ParticipationEvent:
    """One join or leave of a participant, as the meeting provider reported it.

    Attributes:
        kind: Joined or left.
        at: When (UTC).
    """

    kind: ParticipationKind = attrs.field(converter=ParticipationKind)
    at: datetime = attrs.field(converter=_at)

    @classmethod
    def joined(cls, at: datetime) -> ParticipationEvent:
        """A join at ``at``."""
        return cls(kind=ParticipationKind.JOINED, at=at)

    @classmethod
    def left(cls, at: datetime) -> ParticipationEvent:
        """A leave at ``at``."""
        return cls(kind=ParticipationKind.LEFT, at=at)

    @property
    def sort_key(self) -> tuple[datetime, int]:
        """``(at, 0 for a join / 1 for a leave)``: the log's canonical order."""
        return (self.at, 0 if self.kind is ParticipationKind.JOINED else 1)


def _log(value: Iterable[ParticipationEvent]) -> tuple[ParticipationEvent, ...]:
    return tuple(sorted(set(value), key=lambda event: event.sort_key))


def _role(value: Role | str) -> Role:
    role = Role(value)
    if role not in _ATTENDEE_ROLES:
        raise InvalidValueError(
            field="role", reason="an attendee is a teacher or a student", value=value
        )
    return role


def attendee_id(session_id: str, participant_id: str, role: Role | str) -> str:
    """The id of the attendee ``(session_id, participant_id, role)``.

    Args:
        session_id: The session.
        participant_id: The participant's user id.
        role: Teacher or student.

    Returns:
        ``"<session_id>/<role>/<participant_id>"``.

    Example:
        >>> attendee_id("s-1", "alice", "student")
        's-1/student/alice'
    """
    return f"{session_id}/{Role(role).value}/{participant_id}"


@final
@attrs.frozen(kw_only=True)
class Attendee:
    """One participant of one session: intent, attendance, payment and join log.

    Build with :meth:`create`; construct directly only to rebuild from storage.

    Attributes:
        id: ``attendee_id(session_id, participant_id, role)``.
        session_id: The session.
        participant_id: The participant's user id.
        role: Teacher or student.
        intent: What they said they would do.
        attendance: What they did (unknown until marked).
        payment_status: What they owe (teachers are ``not_billable``).
        refund_pending: Paid, and marked to be refunded (by a cancellation or
            an excuse); cleared when the payment moves to ``refunded``.
        late_cancellation: They cancelled (``not_going``) with less notice than
            :attr:`AttendancePolicy.cancel_notice`.
        log: Their joins and leaves, in canonical order, without duplicates.
        version: The stored version (the repository advances it).

    Raises:
        InvalidValueError: ``input.invalid_value`` for an empty id, a role other
            than teacher or student, or an id that does not match the key.
    """

    id: str = attrs.field(validator=valid_id)
    session_id: str = attrs.field(validator=valid_id)
    participant_id: str = attrs.field(validator=valid_id)
    role: Role = attrs.field(converter=_role)
    intent: Intent = attrs.field(default=Intent.GOING, converter=Intent)
    attendance: AttendanceMark = attrs.field(
        default=AttendanceMark.UNKNOWN, converter=AttendanceMark
    )
    payment_status: PaymentStatus = attrs.field(
        default=PaymentStatus.DUE, converter=PaymentStatus
    )
    refund_pending: bool = False
    late_cancellation: bool = False
    log: tuple[ParticipationEvent, ...] = attrs.field(default=(), converter=_log)
    version: int = 0

    def __attrs_post_init__(self) -> None:
        expected = attendee_id(self.session_id, self.participant_id, self.role)
        if self.id != expected:
            raise InvalidValueError(
                field="id", reason=f"must be {expected!r}", value=self.id
            )

    @classmethod
    def create(
        cls,
        *,
        session_id: str,
        participant_id: str,
        role: Role | str,
        intent: Intent | str = Intent.GOING,
        payment_status: PaymentStatus | str | None = None,
    ) -> Attendee:
        """A new attendee (teachers default to not billable, students to due).

        Args:
            session_id: The session.
            participant_id: The participant's user id.
            role: Teacher or student.
            intent: Their RSVP (going by default).
            payment_status: Their starting payment status; ``paid`` for a
                prepaid booking.

        Returns:
            The attendee, attendance unknown, empty log.
        """
        role = _role(role)
        if payment_status is None:
            payment_status = (
                PaymentStatus.NOT_BILLABLE
                if role is Role.TEACHER
                else PaymentStatus.DUE
            )
        return cls(
            id=attendee_id(session_id, participant_id, role),
            session_id=session_id,
            participant_id=participant_id,
            role=role,
            intent=Intent(intent),
            payment_status=PaymentStatus(payment_status),
        )

    @property
    def actor(self) -> Actor:
        """The participant as an actor."""
        return Actor(user_id=self.participant_id, role=self.role)

    @property
    def first_join(self) -> datetime | None:
        """When they first joined, or ``None``."""
        return next(
            (e.at for e in self.log if e.kind is ParticipationKind.JOINED), None
        )


def _require_delta(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if not isinstance(value, timedelta) or value < _ZERO:
        raise InvalidValueError(
            field=attribute.name,
            reason="must be a timedelta of at least 0",
            value=value,
        )


def _share(value: object) -> Decimal:
    if isinstance(value, (bool, float)) or not isinstance(value, (int, Decimal, str)):
        raise InvalidValueError(
            field="held_share", reason="must be a Decimal from 0 to 1", value=value
        )
    try:
        share = Decimal(value)
    except ArithmeticError:
        raise InvalidValueError(
            field="held_share", reason="must be a Decimal from 0 to 1", value=value
        ) from None
    if not share.is_finite() or not 0 <= share <= 1:
        raise InvalidValueError(
            field="held_share", reason="must be a Decimal from 0 to 1", value=value
        )
    return bounded_decimal(share, "held_share")


@final
@attrs.frozen(kw_only=True)
class AttendancePolicy:
    """Lateness, the presence a held session needs, and late cancellation.

    ====================  ===========  ===============================================
    field                 default      meaning
    ====================  ===========  ===============================================
    ``late_after``        5 min        a first join more than this after the start
                                       is late (exactly 5 min is still on time)
    ``held_share``        0.75         teacher and a student must each be present
                                       for at least this share of the session for
                                       it to count as held
    ``cancel_notice``     24 h         cancelling (``not_going``) with less notice
                                       is a late cancellation (stays billable by
                                       :class:`~booking_core.billing.BillingPolicy`)
    ====================  ===========  ===============================================

    Attributes:
        late_after: Lateness tolerated before a participant is late.
        held_share: Presence share (0 to 1) needed for a held session.
        cancel_notice: Notice below which a cancellation is late.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a negative duration or a
            share outside 0..1 (floats are refused: shares are exact).
    """

    late_after: timedelta = attrs.field(
        default=timedelta(minutes=5), validator=_require_delta
    )
    held_share: Decimal = attrs.field(default=Decimal("0.75"), converter=_share)
    cancel_notice: timedelta = attrs.field(
        default=timedelta(hours=24), validator=_require_delta
    )

    def required_presence(self, duration: timedelta) -> timedelta:
        """The presence a held session of ``duration`` needs from each side.

        Args:
            duration: The planned duration.

        Returns:
            ``held_share * duration``, rounded up to the microsecond.

        Example:
            >>> AttendancePolicy().required_presence(timedelta(hours=1))
            datetime.timedelta(seconds=2700)
        """
        micros = (self.held_share * _micros(duration)).to_integral_value(
            rounding="ROUND_CEILING"
        )
        return timedelta(microseconds=int(micros))


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


# -- events ---------------------------------------------------------------------


@final
@attrs.frozen(kw_only=True)
class ParticipationRecorded(DomainEvent):
    """A join or leave was added to an attendee's log.

    Attributes:
        session_id: The session.
        participant_id: Who joined or left.
        entry: The join or leave.
    """

    session_id: str
    participant_id: str
    entry: ParticipationEvent


@final
@attrs.frozen(kw_only=True)
class IntentChanged(DomainEvent):
    """An attendee's intent changed.

    Attributes:
        old: The intent before.
        new: The intent after.
        late_cancellation: Whether it was a late cancellation.
        excused: Whether the cancellation excused them.
    """

    old: Intent
    new: Intent
    late_cancellation: bool
    excused: bool


@final
@attrs.frozen(kw_only=True)
class AttendanceMarked(DomainEvent):
    """Attendance was marked from the join log after the session.

    Attributes:
        attendance: Present, late or absent.
        lateness: First join - start (zero when on time), ``None`` if absent.
    """

    attendance: AttendanceMark
    lateness: timedelta | None


@final
@attrs.frozen(kw_only=True)
class AttendeeExcused(DomainEvent):
    """An attendee was excused (cancellation, excuse): not billable, paid refunded.

    Attributes:
        old_status: The payment status before.
        new_status: The payment status after.
        refund_pending: Whether a paid attendee was marked for refund.
        reason: Why.
    """

    old_status: PaymentStatus
    new_status: PaymentStatus
    refund_pending: bool
    reason: str


# -- commands -------------------------------------------------------------------


def _same_session(attendee: Attendee, session: Session) -> None:
    if attendee.session_id != session.id:
        raise InvalidValueError(
            field="session",
            reason=f"attendee {attendee.id!r} belongs to {attendee.session_id!r}",
            value=session.id,
        )


def _require_self_or_recorder(attendee: Attendee, actor: Actor, action: str) -> None:
    if actor.role in _RECORDERS or actor == attendee.actor:
        return
    raise NotSessionParticipantError(
        actor=actor, action=action, session_id=attendee.session_id
    )


def record_participation(
    attendee: Attendee,
    session: Session,
    entry: ParticipationEvent,
    *,
    actor: Actor,
    now: datetime,
    session_policy: SessionPolicy,
) -> Decision[Attendee]:
    """Add a join or leave to the attendee's log.

    Joins go through :func:`booking_core.sessions.check_join` (join window,
    session still scheduled, rejoin rule); leaves must fall inside
    :func:`booking_core.sessions.join_window`. Events may arrive out of order
    (webhooks): the log stays sorted. A duplicate is accepted and changes
    nothing (no event).

    Args:
        attendee: Who joined or left.
        session: Their session.
        entry: The join or leave.
        actor: The participant themselves, or admin / system recording it.
        now: When it is recorded (``entry.at`` may not be later).
        session_policy: The join window and rejoin rule.

    Returns:
        The attendee with the entry in the log, and a
        :class:`ParticipationRecorded`.

    Raises:
        InvalidValueError: ``input.invalid_value`` for another session's
            attendee or an entry later than ``now``.
        NotSessionParticipantError: ``sessions.not_participant`` for another
            participant.
        SessionNotScheduledError: ``sessions.not_scheduled`` for a join once
            the session is closed.
        JoinWindowClosedError: ``sessions.join_window_closed`` outside the
            join window.
        RejoinNotAllowedError: ``sessions.rejoin_not_allowed``.
    """
    now = utc_instant(now, "now")
    _same_session(attendee, session)
    _require_self_or_recorder(attendee, actor, "record attendance")
    if entry.at > now:
        raise InvalidValueError(
            field="entry",
            reason=f"must not be after now ({now.isoformat()})",
            value=entry,
        )
    if entry in attendee.log:
        return Decision(state=attendee)
    if entry.kind is ParticipationKind.JOINED:
        students = {attendee.participant_id} if attendee.role is Role.STUDENT else set()
        check_join(
            session,
            attendee.actor,
            now=entry.at,
            policy=session_policy,
            students=students,
            already_joined=attendee.first_join is not None,
        )
    else:
        window = join_window(session, session_policy)
        if not window.contains(entry.at):
            raise JoinWindowClosedError(
                session_id=session.id,
                opens=window.start.isoformat(),
                closes=window.end.isoformat(),
                now=entry.at.isoformat(),
            )
    state = attrs.evolve(attendee, log=(*attendee.log, entry))
    event = ParticipationRecorded(
        occurred_at=now,
        actor=actor,
        aggregate_id=attendee.id,
        session_id=session.id,
        participant_id=attendee.participant_id,
        entry=entry,
    )
    return Decision(state=state, events=(event,))


def _excused(attendee: Attendee) -> tuple[PaymentStatus, bool]:
    """The payment status and refund flag of ``attendee`` once excused."""
    status = attendee.payment_status
    if status in (PaymentStatus.DUE, PaymentStatus.REQUESTED):
        return check_payment_transition(status, PaymentStatus.NOT_BILLABLE), False
    return status, attendee.refund_pending or status is PaymentStatus.PAID


def _excuse_decision(
    attendee: Attendee, *, reason: str, actor: Actor, now: datetime, **changes: Any
) -> Decision[Attendee]:
    status, refund = _excused(attendee)
    state = attrs.evolve(
        attendee,
        attendance=AttendanceMark.EXCUSED,
        payment_status=status,
        refund_pending=refund,
        **changes,
    )
    event = AttendeeExcused(
        occurred_at=now,
        actor=actor,
        aggregate_id=attendee.id,
        old_status=attendee.payment_status,
        new_status=status,
        refund_pending=refund,
        reason=reason,
    )
    return Decision(state=state, events=(event,))


def set_intent(
    attendee: Attendee,
    session: Session,
    intent: Intent | str,
    *,
    actor: Actor,
    now: datetime,
    policy: AttendancePolicy,
) -> Decision[Attendee]:
    """Change a student's RSVP before the session starts.

    ``going`` and ``maybe`` switch freely. ``not_going`` is a cancellation and
    final: with at least :attr:`AttendancePolicy.cancel_notice` it excuses the
    attendee (not billable; a paid one is marked for refund), with less it is a
    late cancellation (they stay billable; billing decides by policy).

    Args:
        attendee: A student attendee.
        session: Their session.
        intent: The new intent.
        actor: The student themselves or an admin.
        now: The current instant.
        policy: The cancellation notice.

    Returns:
        The attendee and an :class:`IntentChanged` (plus an
        :class:`AttendeeExcused` when excused); no events when unchanged.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an unknown intent, a
            teacher attendee or another session's attendee.
        PermissionDeniedError: ``permission_denied`` for a teacher or the system.
        NotSessionParticipantError: ``sessions.not_participant`` for another
            student.
        IntentChangeClosedError: ``attendance.intent_closed`` from the start on,
            or after ``not_going``.
    """
    now = utc_instant(now, "now")
    target = _intent(intent)
    _same_session(attendee, session)
    if attendee.role is not Role.STUDENT:
        raise InvalidValueError(
            field="attendee",
            reason="only students have an intent; a teacher cancels the session",
            value=attendee.id,
        )
    require_role(actor, (Role.STUDENT, Role.ADMIN), action="change an intent")
    _require_self_or_recorder(attendee, actor, "change an intent")
    if target is attendee.intent:
        return Decision(state=attendee)
    for closed, why in (
        (now >= session.start, "the session has started"),
        (attendee.intent is Intent.NOT_GOING, "they already cancelled"),
    ):
        if closed:
            raise IntentChangeClosedError(
                attendee_id=attendee.id,
                current=attendee.intent.value,
                target=target.value,
                reason=why,
            )
    late = target is Intent.NOT_GOING and session.start - now < policy.cancel_notice
    excused = target is Intent.NOT_GOING and not late
    changed = IntentChanged(
        occurred_at=now,
        actor=actor,
        aggregate_id=attendee.id,
        old=attendee.intent,
        new=target,
        late_cancellation=late,
        excused=excused,
    )
    if excused:
        return _excuse_decision(
            attendee, reason="cancelled in time", actor=actor, now=now, intent=target
        ).with_events((changed,))
    state = attrs.evolve(attendee, intent=target, late_cancellation=late)
    return Decision(state=state, events=(changed,))


def _intent(value: Intent | str) -> Intent:
    try:
        return Intent(value)
    except ValueError:
        raise InvalidValueError(
            field="intent", reason="must be going, maybe or not_going", value=value
        ) from None


def excuse(
    attendee: Attendee, *, reason: str, actor: Actor, now: datetime
) -> Decision[Attendee]:
    """Excuse an attendee: not billable any more, a paid one marked for refund.

    Args:
        attendee: The attendee.
        reason: Why (for the audit trail).
        actor: An admin or the system.
        now: The current instant.

    Returns:
        The excused attendee and an :class:`AttendeeExcused`; no events when
        already excused.

    Raises:
        PermissionDeniedError: ``permission_denied`` for a student or teacher.
    """
    now = utc_instant(now, "now")
    require_role(actor, _RECORDERS, action="excuse an attendee")
    if attendee.attendance is AttendanceMark.EXCUSED:
        return Decision(state=attendee)
    return _excuse_decision(attendee, reason=reason, actor=actor, now=now)


def cancel_session_attendees(
    session: Session,
    attendees: Iterable[Attendee],
    *,
    actor: Actor,
    now: datetime,
) -> Decision[tuple[Attendee, ...]]:
    """The cancellation cascade (seed 000), as one decision over all attendees.

    Every attendee of the cancelled session becomes excused; ``due`` and
    ``requested`` become ``not_billable``; ``paid`` ones stay paid and are marked
    ``refund_pending`` (the money side refunds them, then moves them to
    ``refunded``); ``waived``, ``refunded`` and ``not_billable`` stay. Nothing
    is partially applied: any refusal happens before any change.

    Args:
        session: The session, already cancelled.
        attendees: Its attendees.
        actor: Who cancelled (carried on the events).
        now: The current instant.

    Returns:
        The attendees (sorted by id) and one :class:`AttendeeExcused` per
        attendee that changed.

    Raises:
        SessionNotCancelledError: ``attendance.session_not_cancelled`` unless
            the session is cancelled.
        InvalidValueError: ``input.invalid_value`` for another session's
            attendee.
    """
    now = utc_instant(now, "now")
    if session.status is not SessionStatus.CANCELLED:
        raise SessionNotCancelledError(
            session_id=session.id, status=session.status.value
        )
    group = sorted(attendees, key=lambda attendee: attendee.id)
    for attendee in group:
        _same_session(attendee, session)
    states: list[Attendee] = []
    events: list[DomainEvent] = []
    for attendee in group:
        if attendee.attendance is AttendanceMark.EXCUSED:
            states.append(attendee)
            continue
        decision = _excuse_decision(
            attendee, reason="session cancelled", actor=actor, now=now
        )
        states.append(decision.state)
        events.extend(decision.events)
    return Decision(state=tuple(states), events=events)


# -- reading the log ------------------------------------------------------------


def presence_intervals(attendee: Attendee, session: Session) -> IntervalSet:
    """When the attendee was in the session, read from the sorted log.

    A join opens an interval (a second join while inside changes nothing), a
    leave closes it (a leave while outside is ignored); an interval still open
    at the end of the log closes at the session's end.

    Args:
        attendee: The attendee.
        session: Their session.

    Returns:
        The presence intervals (not clipped).
    """
    windows: list[TimeWindow] = []
    opened: datetime | None = None
    for entry in attendee.log:
        if entry.kind is ParticipationKind.JOINED:
            opened = entry.at if opened is None else opened
        elif opened is not None:
            if entry.at > opened:
                windows.append(TimeWindow(start=opened, end=entry.at))
            opened = None
    if opened is not None and opened < session.end:
        windows.append(TimeWindow(start=opened, end=session.end))
    return IntervalSet.of(windows)


def presence(attendee: Attendee, session: Session) -> timedelta:
    """How long the attendee was in the session, inside its planned window.

    Args:
        attendee: The attendee.
        session: Their session.

    Returns:
        The presence time within ``session.window``.
    """
    return presence_intervals(attendee, session).clip(session.window).total_duration


def lateness(attendee: Attendee, session: Session) -> timedelta | None:
    """How late the attendee first joined: first join - start, never negative.

    Args:
        attendee: The attendee.
        session: Their session.

    Returns:
        ``max(first join - start, 0)``, or ``None`` when they never joined.
    """
    first = attendee.first_join
    if first is None:
        return None
    return max(first - session.start, _ZERO)


def is_late(attendee: Attendee, session: Session, policy: AttendancePolicy) -> bool:
    """Whether the attendee's lateness exceeds :attr:`AttendancePolicy.late_after`.

    Args:
        attendee: The attendee.
        session: Their session.
        policy: The lateness tolerance.

    Returns:
        ``True`` when they joined more than ``late_after`` after the start.
    """
    late = lateness(attendee, session)
    return late is not None and late > policy.late_after


def mark_attendance(
    attendee: Attendee,
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    policy: AttendancePolicy,
) -> Decision[Attendee]:
    """Mark present / late / absent from the log once the session has ended.

    Present: joined at most ``late_after`` after the start; late: joined later;
    absent: never joined. Excused attendees stay excused. Marking again after
    more log entries arrived re-reads the log.

    Args:
        attendee: The attendee.
        session: Their session.
        actor: The session's teacher, an admin or the system.
        now: The current instant, at or after the session's end.
        policy: The lateness tolerance.

    Returns:
        The attendee and an :class:`AttendanceMarked`; no events when excused
        or unchanged.

    Raises:
        InvalidValueError: ``input.invalid_value`` for another session's
            attendee.
        PermissionDeniedError: ``permission_denied`` for a student.
        NotSessionParticipantError: ``sessions.not_participant`` for another
            teacher.
        AttendanceTooEarlyError: ``attendance.too_early`` before the end.
    """
    now = utc_instant(now, "now")
    _same_session(attendee, session)
    require_role(
        actor, (Role.TEACHER, Role.ADMIN, Role.SYSTEM), action="mark attendance"
    )
    if actor.role is Role.TEACHER and actor.user_id != session.teacher_id:
        raise NotSessionParticipantError(
            actor=actor, action="mark attendance", session_id=session.id
        )
    if now < session.end:
        raise AttendanceTooEarlyError(
            session_id=session.id, now=now.isoformat(), end=session.end.isoformat()
        )
    late = lateness(attendee, session)
    if late is None:
        mark = AttendanceMark.ABSENT
    else:
        mark = (
            AttendanceMark.LATE if late > policy.late_after else AttendanceMark.PRESENT
        )
    if attendee.attendance in (AttendanceMark.EXCUSED, mark):
        return Decision(state=attendee)
    event = AttendanceMarked(
        occurred_at=now,
        actor=actor,
        aggregate_id=attendee.id,
        attendance=mark,
        lateness=late,
    )
    return Decision(state=attrs.evolve(attendee, attendance=mark), events=(event,))


# -- outcomes -------------------------------------------------------------------


@final
class SessionOutcome(str, enum.Enum):
    """What a session became, judged from the join/leave logs.

    * ``HELD``: the teacher and at least one student were each present for at
      least :attr:`AttendancePolicy.held_share` of the planned duration.
    * ``TEACHER_NO_SHOW``: a student joined, the teacher never did.
    * ``STUDENT_NO_SHOW``: the teacher joined and stayed the share, but no
      student stayed the share (none joined, or they only dropped in).
    * ``NOBODY_SHOWED``: nobody joined inside the planned window.
    * ``ENDED_EARLY``: both sides joined but the teacher was present for less
      than the share (joined late, left early, or both). A teacher who joins
      20 min late to a 60 min session and leaves at +50 was present 30 min,
      under the default 45 (75 %): ended early, so no payout and the students
      are refunded as for a teacher no-show; with ``held_share=0.5`` it is held.

    See :data:`OUTCOME_SETTLEMENTS` for refunds and payouts.
    """

    HELD = "held"
    TEACHER_NO_SHOW = "teacher_no_show"
    STUDENT_NO_SHOW = "student_no_show"
    NOBODY_SHOWED = "nobody_showed"
    ENDED_EARLY = "ended_early"


@final
@attrs.frozen(kw_only=True)
class OutcomeSettlement:
    """What an outcome means for money, in :mod:`booking_core.money.refunds` terms.

    Attributes:
        teacher_paid: Whether the teacher's payout is released.
        refund_by: Whose fault the refund is charged to (``Role.TEACHER``:
            ``CancellationPolicy.teacher_share``; ``Role.STUDENT`` with
            ``NO_SHOW``: ``student_no_show_share``), or ``None``: no refund.
        refund_reason: The :class:`~booking_core.money.refunds.CancellationReason`
            to pass to :func:`~booking_core.money.refunds.refund_share`.
        meaning: One line for humans.
    """

    teacher_paid: bool
    refund_by: Role | None
    refund_reason: CancellationReason | None
    meaning: str

    def refund_share(
        self, policy: CancellationPolicy, *, starts_at: datetime
    ) -> Decimal:
        """The share of each student's payment to refund under ``policy``.

        Args:
            policy: The cancellation policy of the money side.
            starts_at: The session's start.

        Returns:
            ``refund_share(policy, by=refund_by, reason=refund_reason)`` at the
            start, or ``Decimal(0)`` when the outcome refunds nothing.

        Example:
            >>> from datetime import datetime, timezone
            >>> start = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
            >>> held = OUTCOME_SETTLEMENTS[SessionOutcome.TEACHER_NO_SHOW]
            >>> held.refund_share(CancellationPolicy(), starts_at=start)
            Decimal('1')
        """
        if self.refund_by is None or self.refund_reason is None:
            return Decimal(0)
        return refund_share(
            policy,
            starts_at=starts_at,
            now=starts_at,
            by=self.refund_by,
            reason=self.refund_reason,
        )


_NO_SHOW = CancellationReason.NO_SHOW

#: Outcome -> what the money side does: whether the teacher is paid and how the
#: students' payments are refunded (``refund_share`` of the money module).
OUTCOME_SETTLEMENTS: Mapping[SessionOutcome, OutcomeSettlement] = MappingProxyType(
    {
        SessionOutcome.HELD: OutcomeSettlement(
            teacher_paid=True,
            refund_by=None,
            refund_reason=None,
            meaning="delivered: the teacher is paid, nobody is refunded",
        ),
        SessionOutcome.TEACHER_NO_SHOW: OutcomeSettlement(
            teacher_paid=False,
            refund_by=Role.TEACHER,
            refund_reason=_NO_SHOW,
            meaning="teacher's fault: students refunded (teacher_share), no payout",
        ),
        SessionOutcome.ENDED_EARLY: OutcomeSettlement(
            teacher_paid=False,
            refund_by=Role.TEACHER,
            refund_reason=_NO_SHOW,
            meaning="not delivered by the teacher: refunded as a teacher no-show",
        ),
        SessionOutcome.STUDENT_NO_SHOW: OutcomeSettlement(
            teacher_paid=True,
            refund_by=Role.STUDENT,
            refund_reason=_NO_SHOW,
            meaning="students' fault: teacher paid, student_no_show_share refunded",
        ),
        SessionOutcome.NOBODY_SHOWED: OutcomeSettlement(
            teacher_paid=False,
            refund_by=Role.TEACHER,
            refund_reason=_NO_SHOW,
            meaning="not delivered: no payout, students refunded (teacher_share)",
        ),
    }
)


@final
@attrs.frozen(kw_only=True)
class OutcomeFacts:
    """The facts :func:`classify_outcome` decided on.

    Attributes:
        planned: The planned duration.
        required_presence: ``held_share`` of it.
        teacher_presence: The teacher's presence inside the window.
        teacher_lateness: The teacher's lateness, ``None`` if they never joined.
        student_presence: ``(participant_id, presence)`` per student, by id.
        students_joined: Students with any presence inside the window.
        students_present: Students present for at least ``required_presence``.
    """

    planned: timedelta
    required_presence: timedelta
    teacher_presence: timedelta
    teacher_lateness: timedelta | None
    student_presence: tuple[tuple[str, timedelta], ...]
    students_joined: int
    students_present: int


@final
@attrs.frozen(kw_only=True)
class OutcomeReport:
    """An outcome, the facts behind it and what it means for money.

    Attributes:
        session_id: The session.
        outcome: What it became.
        facts: What that was decided on.
        settlement: ``OUTCOME_SETTLEMENTS[outcome]``.
    """

    session_id: str
    outcome: SessionOutcome
    facts: OutcomeFacts
    settlement: OutcomeSettlement


def classify_outcome(
    session: Session, attendees: Iterable[Attendee], policy: AttendancePolicy
) -> OutcomeReport:
    """Decide what the session became from its attendees' logs (deterministic).

    Only presence inside the planned window counts. The teacher is the attendee
    with role teacher and the session's ``teacher_id`` (others are ignored).
    Rules, first match wins: nobody joined -> ``nobody_showed``; the teacher
    never joined -> ``teacher_no_show``; no student joined ->
    ``student_no_show``; teacher present less than the share ->
    ``ended_early``; no student present for the share -> ``student_no_show``;
    else ``held``. Logs are sets in canonical order, so the order in which
    joins and leaves arrived cannot change the result.

    Args:
        session: The session.
        attendees: Its attendees (teacher and students).
        policy: The presence share.

    Returns:
        The :class:`OutcomeReport`.

    Raises:
        InvalidValueError: ``input.invalid_value`` for another session's
            attendee.
    """
    group = sorted(attendees, key=lambda attendee: attendee.id)
    for attendee in group:
        _same_session(attendee, session)
    required = policy.required_presence(session.duration)
    teacher = next(
        (
            a
            for a in group
            if a.role is Role.TEACHER and a.participant_id == session.teacher_id
        ),
        None,
    )
    teacher_time = _ZERO if teacher is None else presence(teacher, session)
    students = tuple(
        (a.participant_id, presence(a, session))
        for a in group
        if a.role is Role.STUDENT
    )
    joined = sum(1 for _, time in students if time > _ZERO)
    present = sum(1 for _, time in students if time >= required)
    facts = OutcomeFacts(
        planned=session.duration,
        required_presence=required,
        teacher_presence=teacher_time,
        teacher_lateness=None if teacher is None else lateness(teacher, session),
        student_presence=students,
        students_joined=joined,
        students_present=present,
    )
    outcome = _decide(
        teacher_joined=teacher_time > _ZERO,
        teacher_stayed=teacher_time >= required,
        joined=joined,
        present=present,
    )
    return OutcomeReport(
        session_id=session.id,
        outcome=outcome,
        facts=facts,
        settlement=OUTCOME_SETTLEMENTS[outcome],
    )


def _decide(
    *, teacher_joined: bool, teacher_stayed: bool, joined: int, present: int
) -> SessionOutcome:
    if not teacher_joined:
        return (
            SessionOutcome.TEACHER_NO_SHOW if joined else SessionOutcome.NOBODY_SHOWED
        )
    if not joined:
        return SessionOutcome.STUDENT_NO_SHOW
    if not teacher_stayed:
        return SessionOutcome.ENDED_EARLY
    return SessionOutcome.HELD if present else SessionOutcome.STUDENT_NO_SHOW
