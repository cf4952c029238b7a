"""Clocks: the only place in ``booking_core`` that reads the current time.

The pure core never reads a clock; it takes ``now`` as a keyword argument.
Services hold a :class:`Clock` and pass ``clock.now()`` down. Tests use
:class:`ManualClock`.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.clock import ManualClock
    >>> clock = ManualClock(datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc))
    >>> clock.advance(timedelta(hours=1))
    datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.timezone.utc)
    >>> clock.now()
    datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol, final, runtime_checkable

from booking_core._validation import utc_instant
from booking_core.errors import InvalidValueError

__all__ = ["Clock", "ManualClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Something that tells the current instant.

    Contract: :meth:`now` returns a timezone-aware datetime in UTC.
    """

    def now(self) -> datetime:
        """Return the current instant, aware, in UTC."""
        ...


@final
class SystemClock:
    """The real clock: ``datetime.now(timezone.utc)``."""

    def now(self) -> datetime:
        """Return the current instant, aware, in UTC."""
        return datetime.now(timezone.utc)

    def __repr__(self) -> str:
        return "SystemClock()"


@final
class ManualClock:
    """A clock that moves only when told to, for tests and simulations.

    Thread-safe: several threads may read and move it.

    Args:
        start: The initial instant (aware; stored in UTC).

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` when ``start`` is naive.
    """

    def __init__(self, start: datetime) -> None:
        self._now = utc_instant(start, "start")
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return the clock's current instant, aware, in UTC."""
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> datetime:
        """Jump to ``instant`` (forwards or backwards) and return it in UTC.

        Raises:
            NaiveDatetimeError: ``time.naive_datetime`` when ``instant`` is naive.
        """
        value = utc_instant(instant, "instant")
        with self._lock:
            self._now = value
        return value

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (which must not be negative); return the new now.

        Raises:
            InvalidValueError: ``input.invalid_value`` when ``delta`` is negative.
        """
        if delta < timedelta(0):
            raise InvalidValueError(
                field="delta",
                reason="a clock only advances; use set() to go back",
                value=delta,
            )
        with self._lock:
            self._now += delta
            return self._now

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"
