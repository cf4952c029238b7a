"""In-memory repositories of the payment service's records.

Final subclasses of the repositories written once in
:mod:`booking_core.adapters._repositories`: booking payment records live in the
``"booking_payments"`` collection (indexed by gateway order and pending work),
withdrawals in ``"withdrawals"`` (indexed by status).

Example:
    >>> from datetime import datetime, timezone
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.money import Money
    >>> from booking_core.money.payments import BookingPayment
    >>> store = InMemoryStore()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     InMemoryBookingPaymentRepository(uow).add(BookingPayment(
    ...         id="b1", teacher_id="m1", amount=Money.of("700.00", "INR"),
    ...         starts_at=datetime(2026, 6, 1, 9, tzinfo=timezone.utc),
    ...         order_id="order_1"))
    ...     uow.commit()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     InMemoryBookingPaymentRepository(uow).by_order("order_1").id
    'b1'
"""

from __future__ import annotations

from typing import final

from booking_core.adapters._repositories import (
    StagedBookingPaymentRepository,
    StagedWithdrawalRepository,
)

__all__ = ["InMemoryBookingPaymentRepository", "InMemoryWithdrawalRepository"]


@final
class InMemoryBookingPaymentRepository(StagedBookingPaymentRepository):
    """Booking payment records in an in-memory store.

    Args:
        uow: The :class:`~booking_core.adapters.memory.InMemoryUnitOfWork` it
            stages into.
    """


@final
class InMemoryWithdrawalRepository(StagedWithdrawalRepository):
    """Withdrawals in an :class:`~booking_core.adapters.memory.InMemoryStore`.

    Args:
        uow: The :class:`~booking_core.adapters.memory.InMemoryUnitOfWork` it
            stages into.
    """
