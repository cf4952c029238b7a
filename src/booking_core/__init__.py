"""booking_core: book live classes, 1:1 sessions and their money correctly.

A pure, framework-free domain library: it decides, the host persists. The names
below are the vocabulary; each lives in the module named in its docstring and is
imported on first use, so ``import booking_core`` stays cheap for hosts that need
only part of it.

Example:
    >>> import booking_core
    >>> booking_core.Money.of("700.00", "INR")
    Money(amount=70000, currency='INR')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from booking_core import _lazy

if TYPE_CHECKING:
    from booking_core.actors import Actor, Role, require_role
    from booking_core.availability import (
        Blackout,
        Commitment,
        OneTimeAvailability,
        SlotRequest,
        WeeklyAvailability,
        free_slots,
    )
    from booking_core.clock import Clock, ManualClock, SystemClock
    from booking_core.errors import (
        BookingCoreError,
        ConcurrencyError,
        ConflictError,
        InvalidInputError,
        InvalidTransitionError,
        NotFoundError,
        PermissionDeniedError,
        PolicyViolationError,
    )
    from booking_core.events import Decision, DomainEvent
    from booking_core.intervals import IntervalSet, TimeWindow
    from booking_core.money import (
        Money,
        PaymentSplit,
        SplitPolicy,
        allocate,
        split_payment,
    )
    from booking_core.policies import Policies
    from booking_core.recurrence import Occurrence, Recurrence, RecurrenceRule
    from booking_core.services.app import BookingCore, bootstrap
    from booking_core.sessions import (
        MeetingInfo,
        ReschedulePolicy,
        Session,
        SessionKind,
        SessionPolicy,
        SessionStatus,
    )
    from booking_core.zones import get_zone, require_aware, to_instant, to_local

_EXPORTS: dict[str, tuple[str, ...]] = {
    "actors": ("Actor", "Role", "require_role"),
    "services.app": ("BookingCore", "bootstrap"),
    "policies": ("Policies",),
    "clock": ("Clock", "ManualClock", "SystemClock"),
    "intervals": ("IntervalSet", "TimeWindow"),
    "zones": ("get_zone", "require_aware", "to_instant", "to_local"),
    "recurrence": ("Occurrence", "Recurrence", "RecurrenceRule"),
    "availability": (
        "Blackout",
        "Commitment",
        "OneTimeAvailability",
        "SlotRequest",
        "WeeklyAvailability",
        "free_slots",
    ),
    "sessions": (
        "MeetingInfo",
        "ReschedulePolicy",
        "Session",
        "SessionKind",
        "SessionPolicy",
        "SessionStatus",
    ),
    "money": (
        "Money",
        "PaymentSplit",
        "SplitPolicy",
        "allocate",
        "split_payment",
    ),
    "events": ("Decision", "DomainEvent"),
    "errors": (
        "BookingCoreError",
        "ConcurrencyError",
        "ConflictError",
        "InvalidInputError",
        "InvalidTransitionError",
        "NotFoundError",
        "PermissionDeniedError",
        "PolicyViolationError",
    ),
}
__all__ = [  # noqa: RUF022 -- grouped by concept, as in _EXPORTS
    "BookingCore",
    "bootstrap",
    "Policies",
    "Actor",
    "Role",
    "require_role",
    "Clock",
    "ManualClock",
    "SystemClock",
    "IntervalSet",
    "TimeWindow",
    "get_zone",
    "require_aware",
    "to_instant",
    "to_local",
    "Occurrence",
    "Recurrence",
    "RecurrenceRule",
    "Blackout",
    "Commitment",
    "OneTimeAvailability",
    "SlotRequest",
    "WeeklyAvailability",
    "free_slots",
    "MeetingInfo",
    "ReschedulePolicy",
    "Session",
    "SessionKind",
    "SessionPolicy",
    "SessionStatus",
    "Money",
    "PaymentSplit",
    "SplitPolicy",
    "allocate",
    "split_payment",
    "Decision",
    "DomainEvent",
    "BookingCoreError",
    "ConcurrencyError",
    "ConflictError",
    "InvalidInputError",
    "InvalidTransitionError",
    "NotFoundError",
    "PermissionDeniedError",
    "PolicyViolationError",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from booking_core._version import __version__

        return __version__
    return _lazy.load(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
