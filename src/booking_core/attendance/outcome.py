"""The outcome of a session from its attendance, and what it means for the money.

:func:`classify_outcome` reads the attendees of a finished session and returns an
:class:`OutcomeReport`: the :class:`SessionOutcome` (held, teacher no-show, student
no-show ...) and its :class:`OutcomeSettlement` (release to the teacher, refund the
student, or both).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import final

import attrs

from booking_core._repr import fields_repr
from booking_core.actors import Role
from booking_core.attendance.model import (
    _ZERO,
    AttendancePolicy,
    Attendee,
    _same_session,
    lateness,
    presence,
)
from booking_core.money.refunds import (
    CancellationPolicy,
    CancellationReason,
    refund_share,
)
from booking_core.sessions.model import Session

__all__ = [
    "OUTCOME_SETTLEMENTS",
    "OutcomeFacts",
    "OutcomeReport",
    "OutcomeSettlement",
    "SessionOutcome",
    "classify_outcome",
]


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
@attrs.frozen(kw_only=True, repr=False)
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

    __repr__ = fields_repr

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
@attrs.frozen(kw_only=True, repr=False)
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

    __repr__ = fields_repr

    planned: timedelta
    required_presence: timedelta
    teacher_presence: timedelta
    teacher_lateness: timedelta | None
    student_presence: tuple[tuple[str, timedelta], ...]
    students_joined: int
    students_present: int


@final
@attrs.frozen(kw_only=True, repr=False)
class OutcomeReport:
    """An outcome, the facts behind it and what it means for money.

    Attributes:
        session_id: The session.
        outcome: What it became.
        facts: What that was decided on.
        settlement: ``OUTCOME_SETTLEMENTS[outcome]``.
    """

    __repr__ = fields_repr

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
