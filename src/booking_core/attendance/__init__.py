"""Attendance: who joined, when, the outcome of a session, billing and reports.

* :mod:`~booking_core.attendance.model`: attendees, participation, intents,
  presence and lateness;
* :mod:`~booking_core.attendance.events`: what happened to an attendee;
* :mod:`~booking_core.attendance.commands`: record, intend, excuse, cancel, mark;
* :mod:`~booking_core.attendance.outcome`: the outcome of a session and its money
  meaning;
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
    from booking_core.attendance.commands import (
        cancel_session_attendees,
        correct_participation,
        excuse,
        mark_attendance,
        record_participation,
        set_intent,
    )
    from booking_core.attendance.events import (
        AttendanceMarked,
        AttendeeExcused,
        IntentChanged,
        ParticipationCorrected,
        ParticipationRecorded,
    )
    from booking_core.attendance.model import (
        AttendanceMark,
        AttendancePolicy,
        Attendee,
        Intent,
        ParticipationEvent,
        ParticipationKind,
        ParticipationPolicy,
        attendee_id,
        is_late,
        lateness,
        presence,
        presence_intervals,
    )
    from booking_core.attendance.outcome import (
        OUTCOME_SETTLEMENTS,
        OutcomeFacts,
        OutcomeReport,
        OutcomeSettlement,
        SessionOutcome,
        classify_outcome,
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
    ),
    "events": (
        "AttendanceMarked",
        "AttendeeExcused",
        "IntentChanged",
        "ParticipationCorrected",
        "ParticipationRecorded",
    ),
    "commands": (
        "cancel_session_attendees",
        "correct_participation",
        "excuse",
        "mark_attendance",
        "record_participation",
        "set_intent",
    ),
    "outcome": (
        "OUTCOME_SETTLEMENTS",
        "OutcomeFacts",
        "OutcomeReport",
        "OutcomeSettlement",
        "SessionOutcome",
        "classify_outcome",
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
    "AttendanceMarked",
    "AttendeeExcused",
    "IntentChanged",
    "ParticipationCorrected",
    "ParticipationRecorded",
    "cancel_session_attendees",
    "correct_participation",
    "excuse",
    "mark_attendance",
    "record_participation",
    "set_intent",
    "OUTCOME_SETTLEMENTS",
    "OutcomeFacts",
    "OutcomeReport",
    "OutcomeSettlement",
    "SessionOutcome",
    "classify_outcome",
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
