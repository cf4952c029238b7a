"""Availability: a teacher's windows, free slots, commitments and approval.

* :mod:`~booking_core.availability.windows`: weekly and one-time windows and
  blackouts;
* :mod:`~booking_core.availability.slots`: the bookable slots they leave;
* :mod:`~booking_core.availability.commitments`: what blocks a slot, and
  conflicts;
* :mod:`~booking_core.availability.schedule`: the teacher schedule and student
  calendar aggregates;
* :mod:`~booking_core.availability.approval`: who approves a 1:1 request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from booking_core import _lazy

if TYPE_CHECKING:
    from booking_core.availability.approval import (
        ApprovalLevel,
        ApprovalPolicy,
        ApprovalResolution,
        DecisionDeadlinePolicy,
        resolve_approval,
    )
    from booking_core.availability.commitments import (
        Commitment,
        CommitmentKind,
        Conflict,
        ConflictPolicy,
        ensure_no_conflict,
        find_conflicts,
    )
    from booking_core.availability.schedule import (
        StudentCalendar,
        TeacherSchedule,
        TeacherScheduleSet,
        set_schedule,
    )
    from booking_core.availability.slots import (
        SlotRequest,
        free_slots,
        slots_in_zone,
    )
    from booking_core.availability.windows import (
        AvailabilityItem,
        Blackout,
        OneTimeAvailability,
        WeeklyAvailability,
        available_windows,
    )

_EXPORTS: dict[str, tuple[str, ...]] = {
    "windows": (
        "AvailabilityItem",
        "Blackout",
        "OneTimeAvailability",
        "WeeklyAvailability",
        "available_windows",
    ),
    "slots": (
        "SlotRequest",
        "free_slots",
        "slots_in_zone",
    ),
    "commitments": (
        "Commitment",
        "CommitmentKind",
        "Conflict",
        "ConflictPolicy",
        "ensure_no_conflict",
        "find_conflicts",
    ),
    "schedule": (
        "StudentCalendar",
        "TeacherSchedule",
        "TeacherScheduleSet",
        "set_schedule",
    ),
    "approval": (
        "ApprovalLevel",
        "ApprovalPolicy",
        "ApprovalResolution",
        "DecisionDeadlinePolicy",
        "resolve_approval",
    ),
}

__all__ = [  # noqa: RUF022 -- grouped by submodule, as in _EXPORTS
    "AvailabilityItem",
    "Blackout",
    "OneTimeAvailability",
    "WeeklyAvailability",
    "available_windows",
    "SlotRequest",
    "free_slots",
    "slots_in_zone",
    "Commitment",
    "CommitmentKind",
    "Conflict",
    "ConflictPolicy",
    "ensure_no_conflict",
    "find_conflicts",
    "StudentCalendar",
    "TeacherSchedule",
    "TeacherScheduleSet",
    "set_schedule",
    "ApprovalLevel",
    "ApprovalPolicy",
    "ApprovalResolution",
    "DecisionDeadlinePolicy",
    "resolve_approval",
]


def __getattr__(name: str) -> Any:
    return _lazy.load(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
