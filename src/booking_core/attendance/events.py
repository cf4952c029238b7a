"""Attendance events: participation recorded, intent changed, marked, excused."""

from __future__ import annotations

from datetime import timedelta
from typing import final

import attrs

from booking_core._payment_status import PaymentStatus
from booking_core._repr import fields_repr
from booking_core.attendance.model import (
    AttendanceMark,
    Intent,
    ParticipationEvent,
)
from booking_core.events import DomainEvent

__all__ = [
    "AttendanceMarked",
    "AttendeeExcused",
    "IntentChanged",
    "ParticipationCorrected",
    "ParticipationRecorded",
]


@final
@attrs.frozen(kw_only=True, repr=False)
class ParticipationRecorded(DomainEvent):
    """A join or leave was added to an attendee's log.

    Attributes:
        session_id: The session.
        participant_id: Who joined or left.
        entry: The join or leave, with its claimed and recorded times.
    """

    __repr__ = fields_repr

    session_id: str
    participant_id: str
    entry: ParticipationEvent


@final
@attrs.frozen(kw_only=True, repr=False)
class ParticipationCorrected(DomainEvent):
    """A join or leave was added to an attendee's log as a correction.

    Attributes:
        session_id: The session.
        participant_id: Whose log was corrected.
        entry: The join or leave, with its claimed and recorded times.
        reason: Why it was corrected.
    """

    __repr__ = fields_repr

    session_id: str
    participant_id: str
    entry: ParticipationEvent
    reason: str


@final
@attrs.frozen(kw_only=True, repr=False)
class IntentChanged(DomainEvent):
    """An attendee's intent changed.

    Attributes:
        old: The intent before.
        new: The intent after.
        late_cancellation: Whether it was a late cancellation.
        excused: Whether the cancellation excused them.
    """

    __repr__ = fields_repr

    old: Intent
    new: Intent
    late_cancellation: bool
    excused: bool


@final
@attrs.frozen(kw_only=True, repr=False)
class AttendanceMarked(DomainEvent):
    """Attendance was marked from the join log after the session.

    Attributes:
        attendance: Present, late or absent.
        lateness: First join - start (zero when on time), ``None`` if absent.
    """

    __repr__ = fields_repr

    attendance: AttendanceMark
    lateness: timedelta | None


@final
@attrs.frozen(kw_only=True, repr=False)
class AttendeeExcused(DomainEvent):
    """An attendee was excused (cancellation, excuse): not billable, paid refunded.

    Attributes:
        old_status: The payment status before.
        new_status: The payment status after.
        refund_pending: Whether a paid attendee was marked for refund.
        reason: Why.
    """

    __repr__ = fields_repr

    old_status: PaymentStatus
    new_status: PaymentStatus
    refund_pending: bool
    reason: str
