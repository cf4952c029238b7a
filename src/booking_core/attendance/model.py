"""Attendance: who meant to come, who came, how late, and what the session became.

An :class:`Attendee` is one participant of one session, keyed by
``(session_id, participant_id, role)``: the teacher and every booked student.
It carries the participant's :class:`Intent`, their :class:`AttendanceMark`,
the :class:`~booking_core.attendance.PaymentStatus` of what they owe, and the
join/leave log (:class:`ParticipationEvent`): each entry keeps the claimed
time and its recording, and :class:`ParticipationPolicy` says who may record
for whom and how late. A join is accepted only where
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
    >>> from booking_core.attendance import record_participation
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
    ...     session_policy=SessionPolicy(), policy=ParticipationPolicy(),
    ... ).state
    >>> lateness(joined, session), is_late(joined, session, AttendancePolicy())
    (datetime.timedelta(seconds=420), True)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, final

import attrs

from booking_core._payment_status import PaymentStatus
from booking_core._repr import fields_repr
from booking_core._validation import (
    bounded_decimal,
    identifier,
    member,
    members,
    non_empty_str,
    utc_instant,
)
from booking_core.actors import Actor, Role
from booking_core.errors import (
    InvalidValueError,
)
from booking_core.intervals import IntervalSet, TimeWindow
from booking_core.sessions.model import Session

__all__ = [
    "AttendanceMark",
    "AttendancePolicy",
    "Attendee",
    "Intent",
    "ParticipationEvent",
    "ParticipationKind",
    "ParticipationPolicy",
    "attendee_id",
    "is_late",
    "lateness",
    "presence",
    "presence_intervals",
]


_ZERO = timedelta(0)


_ATTENDEE_ROLES = frozenset({Role.TEACHER, Role.STUDENT})


_RECORDERS = frozenset({Role.ADMIN, Role.SYSTEM})


def _reporters(value: object) -> frozenset[Role]:
    return members(Role, value, "reporters")


def _correctors(value: object) -> frozenset[Role]:
    return members(Role, value, "correctors")


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


def _recorded_at(value: datetime | None) -> datetime | None:
    return None if value is None else utc_instant(value, "recorded_at")


def _recorded_by(value: object) -> Actor | None:
    if value is None or isinstance(value, Actor):
        return value
    raise InvalidValueError(field="recorded_by", reason="must be an Actor", value=value)


@final
@attrs.frozen(kw_only=True, order=False, repr=False)
class ParticipationEvent:
    """One join or leave of a participant: the claimed time and its recording.

    Build a claim with :meth:`joined` / :meth:`left`; the commands
    (:func:`~booking_core.attendance.record_participation`,
    :func:`~booking_core.attendance.correct_participation`) stamp the copy they
    keep in the log with when and by whom it was recorded, and why when it was
    a correction. Only accepted entries ever reach a log.

    Attributes:
        kind: Joined or left.
        at: The claimed time (UTC): when the join or leave happened.
        recorded_at: When it was recorded (the service's clock), ``None`` on a
            claim not yet recorded and on entries stored before recordings
            were kept.
        recorded_by: Who recorded it, ``None`` where ``recorded_at`` is.
        reason: Why, for a correction; ``None`` for a live record.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a claimed time after its
            recording.
    """

    __repr__ = fields_repr

    kind: ParticipationKind = attrs.field(converter=ParticipationKind)
    at: datetime = attrs.field(converter=_at)
    recorded_at: datetime | None = attrs.field(default=None, converter=_recorded_at)
    recorded_by: Actor | None = attrs.field(default=None, converter=_recorded_by)
    reason: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(non_empty_str)
    )

    def __attrs_post_init__(self) -> None:
        if self.recorded_at is not None and self.at > self.recorded_at:
            raise InvalidValueError(
                field="at",
                reason=(
                    "a claimed time cannot lie after its recording "
                    f"({self.recorded_at.isoformat()})"
                ),
                value=self.at,
            )

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

    @property
    def is_correction(self) -> bool:
        """Whether it was recorded as a correction (with a reason)."""
        return self.reason is not None

    def recorded(
        self, *, at: datetime, by: Actor, reason: str | None = None
    ) -> ParticipationEvent:
        """This claim as the log keeps it: recorded at ``at`` by ``by``.

        Example:
            >>> from datetime import datetime, timezone
            >>> start = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
            >>> entry = ParticipationEvent.joined(start).recorded(
            ...     at=start, by=Actor.system())
            >>> entry.recorded_at == start, entry.is_correction
            (True, False)
        """
        return attrs.evolve(self, recorded_at=at, recorded_by=by, reason=reason)


def _recording_key(event: ParticipationEvent) -> tuple[object, ...]:
    """Earliest recording first; a total order, so arrival order never matters."""
    if event.recorded_at is None:
        return (0,)
    by = event.recorded_by
    who = ("", "") if by is None else (by.role.value, by.user_id)
    return (1, event.recorded_at, who, event.reason or "")


def _log(value: Iterable[ParticipationEvent]) -> tuple[ParticipationEvent, ...]:
    kept: dict[tuple[datetime, int], ParticipationEvent] = {}
    for event in value:
        held = kept.get(event.sort_key)
        if held is None or _recording_key(event) < _recording_key(held):
            kept[event.sort_key] = event
    return tuple(kept[key] for key in sorted(kept))


def _role(value: Role | str) -> Role:
    if type(value) is Role:
        role = value
    else:
        try:
            role = Role(value)
        except ValueError:
            role = Role.ADMIN  # refused below, like any role but teacher and student
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
        ``"<session_id>~<role>~<participant_id>"`` (URL-safe when the parts are ids).

    Example:
        >>> attendee_id("s-1", "alice", "student")
        's-1~student~alice'
    """
    return f"{session_id}~{_role(role).value}~{participant_id}"


@final
@attrs.frozen(kw_only=True, repr=False)
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

    __repr__ = fields_repr

    id: str = attrs.field(validator=identifier)
    session_id: str = attrs.field(validator=identifier)
    participant_id: str = attrs.field(validator=identifier)
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
            intent=member(Intent, intent, "intent"),
            payment_status=member(PaymentStatus, payment_status, "payment_status"),
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
@attrs.frozen(kw_only=True, repr=False)
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
                                       :class:`~booking_core.attendance.BillingPolicy`)
    ====================  ===========  ===============================================

    Attributes:
        late_after: Lateness tolerated before a participant is late.
        held_share: Presence share (0 to 1) needed for a held session.
        cancel_notice: Notice below which a cancellation is late.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a negative duration or a
            share outside 0..1 (floats are refused: shares are exact).
    """

    __repr__ = fields_repr

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


_CLAIM_LAG_MAX = timedelta(days=1)


def _claim_lag(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if not isinstance(value, timedelta) or not _ZERO <= value <= _CLAIM_LAG_MAX:
        raise InvalidValueError(
            field=attribute.name,
            reason=f"must be a timedelta from 0 to {_CLAIM_LAG_MAX}",
            value=value,
        )


@final
@attrs.frozen(kw_only=True, repr=False)
class ParticipationPolicy:
    """Who may record a join or leave for whom, and how late.

    A *live* record is a claim recorded as it happens: its claimed time may lie
    at most ``claim_lag`` before the recording (the service's clock) and never
    after it. A *correction* carries a reason, may claim any time inside the
    join window, and is its own event
    (:class:`~booking_core.attendance.ParticipationCorrected`).

    ====================  ======================  ======================================
    field                 default                 meaning
    ====================  ======================  ======================================
    ``claim_lag``         5 min                   how far a live claim may lie before
                                                  its recording (at most 1 day)
    ``self_recording``    True                    participants record their own
                                                  presence, live
    ``reporters``         system                  roles that record anyone's presence
                                                  live (the meeting provider's webhooks)
    ``correctors``        teacher, admin, system  roles that correct with a reason; a
                                                  teacher only their own session's
                                                  students; nobody their own presence
    ====================  ======================  ======================================

    Attributes:
        claim_lag: The most a live claim may lie before its recording.
        self_recording: Whether participants may record their own presence.
        reporters: Roles that record anyone's presence live.
        correctors: Roles that may correct another participant's log.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a lag outside 0..1 day or
            an unknown role.

    Example:
        >>> ParticipationPolicy().claim_lag
        datetime.timedelta(seconds=300)
    """

    __repr__ = fields_repr

    claim_lag: timedelta = attrs.field(
        default=timedelta(minutes=5), validator=_claim_lag
    )
    self_recording: bool = True
    reporters: frozenset[Role] = attrs.field(
        default=frozenset({Role.SYSTEM}),
        converter=_reporters,
    )
    correctors: frozenset[Role] = attrs.field(
        default=frozenset({Role.TEACHER, Role.ADMIN, Role.SYSTEM}),
        converter=_correctors,
    )


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _same_session(attendee: Attendee, session: Session) -> None:
    if attendee.session_id != session.id:
        raise InvalidValueError(
            field="session",
            reason=f"attendee {attendee.id!r} belongs to {attendee.session_id!r}",
            value=session.id,
        )


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
