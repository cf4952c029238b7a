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

import importlib
from typing import TYPE_CHECKING, Any

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
    "booking_core.actors": ("Actor", "Role", "require_role"),
    "booking_core.services.app": ("BookingCore", "bootstrap"),
    "booking_core.policies": ("Policies",),
    "booking_core.clock": ("Clock", "ManualClock", "SystemClock"),
    "booking_core.intervals": ("IntervalSet", "TimeWindow"),
    "booking_core.zones": ("get_zone", "require_aware", "to_instant", "to_local"),
    "booking_core.recurrence": ("Occurrence", "Recurrence", "RecurrenceRule"),
    "booking_core.availability": (
        "Blackout",
        "Commitment",
        "OneTimeAvailability",
        "SlotRequest",
        "WeeklyAvailability",
        "free_slots",
    ),
    "booking_core.sessions": (
        "MeetingInfo",
        "ReschedulePolicy",
        "Session",
        "SessionKind",
        "SessionPolicy",
        "SessionStatus",
    ),
    "booking_core.money": (
        "Money",
        "PaymentSplit",
        "SplitPolicy",
        "allocate",
        "split_payment",
    ),
    "booking_core.events": ("Decision", "DomainEvent"),
    "booking_core.errors": (
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
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

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
    module = _MODULE_OF.get(name)
    if module is None:
        msg = f"module 'booking_core' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
