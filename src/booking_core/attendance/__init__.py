"""Attendance: who joined, when, the outcome of a session, billing and reports.

* :mod:`~booking_core.attendance.model`: attendees, participation, marks and
  outcomes;
* :mod:`~booking_core.attendance.billing`: billing state per attendee;
* :mod:`~booking_core.attendance.reports`: attendance reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from booking_core import _lazy

if TYPE_CHECKING:
    from booking_core.attendance.billing import (
        PAYMENT_TRANSITIONS,
        BillingPolicy,
        PaymentRequested,
        PaymentStatus,
        PaymentStatusChanged,
        billing_candidates,
        change_payment_status,
        check_payment_transition,
        is_billing_candidate,
        request_payment,
    )
    from booking_core.attendance.model import (
        OUTCOME_SETTLEMENTS,
        AttendanceMark,
        AttendanceMarked,
        AttendancePolicy,
        Attendee,
        AttendeeExcused,
        Intent,
        IntentChanged,
        OutcomeFacts,
        OutcomeReport,
        OutcomeSettlement,
        ParticipationEvent,
        ParticipationKind,
        ParticipationRecorded,
        SessionOutcome,
        attendee_id,
        cancel_session_attendees,
        classify_outcome,
        excuse,
        is_late,
        lateness,
        mark_attendance,
        presence,
        presence_intervals,
        record_participation,
        set_intent,
    )
    from booking_core.attendance.reports import (
        ContractProgress,
        LateAttendee,
        SessionRecord,
        SessionStats,
        actual_duration,
        billing_lists,
        contract_progress,
        late_attendees,
        session_stats,
    )

_EXPORTS: dict[str, tuple[str, ...]] = {
    "model": (
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
    ),
    "billing": (
        "PAYMENT_TRANSITIONS",
        "BillingPolicy",
        "PaymentRequested",
        "PaymentStatus",
        "PaymentStatusChanged",
        "billing_candidates",
        "change_payment_status",
        "check_payment_transition",
        "is_billing_candidate",
        "request_payment",
    ),
    "reports": (
        "ContractProgress",
        "LateAttendee",
        "SessionRecord",
        "SessionStats",
        "actual_duration",
        "billing_lists",
        "contract_progress",
        "late_attendees",
        "session_stats",
    ),
}

__all__ = [  # noqa: RUF022 -- grouped by submodule, as in _EXPORTS
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
    "PAYMENT_TRANSITIONS",
    "BillingPolicy",
    "PaymentRequested",
    "PaymentStatus",
    "PaymentStatusChanged",
    "billing_candidates",
    "change_payment_status",
    "check_payment_transition",
    "is_billing_candidate",
    "request_payment",
    "ContractProgress",
    "LateAttendee",
    "SessionRecord",
    "SessionStats",
    "actual_duration",
    "billing_lists",
    "contract_progress",
    "late_attendees",
    "session_stats",
]


def __getattr__(name: str) -> Any:
    return _lazy.load(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
