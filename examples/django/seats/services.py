"""Wiring: the library's services built on the ORM storage.

Views call :func:`booking_service`; tests swap the clock with :func:`use_clock`
(the library never reads the time itself, so a fixed clock makes every test
deterministic).
"""

from __future__ import annotations

from booking_core.clock import Clock, SystemClock
from booking_core.services.booking import BookingService
from booking_core.services.sessions import SessionService

from seats.events import SignalPublisher
from seats.storage import (
    DjangoBookingRepository,
    DjangoIdempotencyRecords,
    DjangoSessionRepository,
    DjangoUnitOfWork,
)

__all__ = ["booking_service", "session_service", "unit_of_work", "use_clock"]

_publisher = SignalPublisher()
_clock: list[Clock] = [SystemClock()]


def use_clock(clock: Clock) -> Clock:
    """Make the services read ``clock`` from now on; returns the previous one."""
    previous = _clock[0]
    _clock[0] = clock
    return previous


def unit_of_work() -> DjangoUnitOfWork:
    """A new unit of work on the default database, publishing Django signals."""
    return DjangoUnitOfWork(_publisher)


def booking_service() -> BookingService[DjangoUnitOfWork]:
    """The library's booking service (book, cancel, offers) on the ORM."""
    return BookingService(
        uow_factory=unit_of_work,
        sessions=DjangoSessionRepository,
        bookings=DjangoBookingRepository,
        records=DjangoIdempotencyRecords,
        clock=_clock[0],
    )


def session_service() -> SessionService[DjangoUnitOfWork]:
    """The library's session service (schedule, reschedule, complete) on the ORM."""
    return SessionService(
        uow_factory=unit_of_work,
        sessions=DjangoSessionRepository,
        clock=_clock[0],
    )
