"""The composition root: every service wired from four things.

A host gives :func:`bootstrap` (or :meth:`BookingCore.build`) a unit-of-work
factory, a clock, a payment gateway and one :class:`~booking_core.policies.Policies`
bundle, and gets every service already wired on them: the same clock, the same
numbers and the same retry budget everywhere.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core import Actor, ManualClock, TimeWindow, bootstrap
    >>> from booking_core.adapters.fake_gateway import FakePaymentGateway
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> clock = ManualClock(datetime(2026, 6, 1, 9, tzinfo=timezone.utc))
    >>> store = InMemoryStore()
    >>> core = bootstrap(
    ...     uow_factory=lambda: InMemoryUnitOfWork(store),
    ...     clock=clock,
    ...     gateway=FakePaymentGateway(secret=b"webhook-secret-0123", clock=clock.now),
    ... )
    >>> teacher = Actor.teacher("t-1")
    >>> _ = core.sessions.schedule(
    ...     session_id="s-1", kind="group", teacher_id="t-1", course_id="c-1",
    ...     window=TimeWindow.of(clock.now() + timedelta(days=1), timedelta(hours=1)),
    ...     zone="Europe/London", capacity=2, actor=teacher,
    ... )
    >>> core.bookings.book("s-1", "ann", actor=Actor.student("ann")).state.status.value
    'confirmed'
    >>> core.monitor.tick().summary()
    'tick 2026-06-01T09:00:00+00:00: nothing due'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, final

import attrs

from booking_core._repr import fields_repr
from booking_core.clock import Clock
from booking_core.errors import InvalidValueError
from booking_core.policies import Policies

if TYPE_CHECKING:  # services imported by build(): naming bootstrap loads none
    from booking_core.ports import PaymentGateway, UnitOfWork
    from booking_core.services.attendance import AttendanceService
    from booking_core.services.booking import BookingService
    from booking_core.services.monitor import Monitor
    from booking_core.services.one_on_one import OneOnOneService
    from booking_core.services.payments import PaymentService
    from booking_core.services.sessions import SessionService

__all__ = ["BookingCore", "bootstrap"]


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingCore:
    """Every service of the library, wired on one unit of work, clock and policy.

    Attributes:
        sessions: Schedule, reschedule, cancel, complete.
        bookings: Group seats and waitlists.
        one_on_one: 1:1 availability, requests, decisions and series.
        attendance: Joins, marks, outcomes and billing.
        payment_service: Orders, captures, escrow, refunds and withdrawals;
            ``None`` when the platform was wired without a gateway (read it
            through :attr:`payments`).
        monitor: Every time-driven transition, once per due item.
        policies: The numbers they all share.
        clock: The clock they all read.
    """

    __repr__ = fields_repr

    sessions: SessionService
    bookings: BookingService
    one_on_one: OneOnOneService
    attendance: AttendanceService
    payment_service: PaymentService | None
    monitor: Monitor
    policies: Policies
    clock: Clock

    @property
    def payments(self) -> PaymentService:
        """The payment service.

        Raises:
            InvalidValueError: ``input.invalid_value`` (field ``gateway``) when
                the platform was wired without a payment gateway.
        """
        if self.payment_service is None:
            raise InvalidValueError(
                field="gateway",
                reason="is not configured: bootstrap(gateway=...) takes payments",
                value=None,
            )
        return self.payment_service

    @classmethod
    def build(
        cls,
        *,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        gateway: PaymentGateway | None = None,
        policies: Policies | None = None,
        currency: str = "INR",
        new_id: Callable[[], str] | None = None,
        webhook_secret: bytes | str | None = None,
    ) -> BookingCore:
        """Wire every service; see :func:`bootstrap`."""
        from booking_core.services.attendance import AttendanceService
        from booking_core.services.booking import BookingService
        from booking_core.services.monitor import Monitor
        from booking_core.services.one_on_one import OneOnOneService
        from booking_core.services.payments import PaymentService
        from booking_core.services.sessions import SessionService

        ids = {} if new_id is None else {"new_id": new_id}
        shared = policies if policies is not None else Policies()
        sessions = SessionService(uow_factory=uow_factory, clock=clock, policies=shared)
        bookings = BookingService(
            uow_factory=uow_factory, clock=clock, policies=shared, **ids
        )
        one_on_one = OneOnOneService(
            uow_factory=uow_factory, clock=clock, policies=shared, **ids
        )
        attendance = AttendanceService(
            uow_factory=uow_factory, clock=clock, policies=shared
        )
        payments = (
            None
            if gateway is None
            else PaymentService(
                uow_factory=uow_factory,
                clock=clock,
                policies=shared,
                gateway=gateway,
                currency=currency,
                webhook_secret=webhook_secret,
            )
        )
        monitor = Monitor(
            uow_factory=uow_factory,
            clock=clock,
            booking_service=bookings,
            session_service=sessions,
            attendance_service=attendance,
            payment_service=payments,
            one_on_one=one_on_one,
        )
        return cls(
            sessions=sessions,
            bookings=bookings,
            one_on_one=one_on_one,
            attendance=attendance,
            payment_service=payments,
            monitor=monitor,
            policies=shared,
            clock=clock,
        )


def bootstrap(
    *,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    gateway: PaymentGateway | None = None,
    policies: Policies | None = None,
    currency: str = "INR",
    new_id: Callable[[], str] | None = None,
    webhook_secret: bytes | str | None = None,
) -> BookingCore:
    """Every service, wired: the one entry point of a host.

    Args:
        uow_factory: Makes a new unit of work (one transaction); its named
            repositories (``uow.sessions``, ``uow.bookings`` …) are the storage.
        clock: The one clock every service and the monitor read.
        gateway: The payment gateway (a
            :class:`~booking_core.adapters.fake_gateway.FakePaymentGateway` in
            tests); without one the platform takes no payments, the monitor
            settles nothing and :attr:`BookingCore.payments` refuses.
        policies: Every number of the library; defaults when not given.
        currency: The ISO 4217 code of the platform's ledger.
        new_id: Makes the ids of bookings and series a caller does not name
            (random hex by default).
        webhook_secret: The gateway's webhook secret; the payment service
            verifies webhooks with it and refuses a weak one here
            (``payments.weak_webhook_secret``). Without it the gateway's own
            ``verify_webhook`` decides.

    Returns:
        The wired services.
    """
    return BookingCore.build(
        uow_factory=uow_factory,
        clock=clock,
        gateway=gateway,
        policies=policies,
        currency=currency,
        new_id=new_id,
        webhook_secret=webhook_secret,
    )
