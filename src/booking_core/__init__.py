"""booking_core: book live classes, 1:1 sessions and their money correctly.

A pure, framework-free domain library: it decides, the host persists. The names
below are the vocabulary; each lives in the module named in its docstring.
"""

from __future__ import annotations

from typing import Any

from booking_core.actors import Actor, Role, require_role
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
from booking_core.intervals import TimeWindow
from booking_core.zones import get_zone, require_aware, to_instant, to_local

__all__ = [  # noqa: RUF022 -- grouped by concept, not sorted
    # actors
    "Actor",
    "Role",
    "require_role",
    # time
    "Clock",
    "ManualClock",
    "SystemClock",
    "TimeWindow",
    "get_zone",
    "require_aware",
    "to_instant",
    "to_local",
    # events
    "Decision",
    "DomainEvent",
    # errors (families; specific errors live in booking_core.errors)
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
    msg = f"module 'booking_core' has no attribute {name!r}"
    raise AttributeError(msg)
