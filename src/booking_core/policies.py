"""Every policy of the library in one frozen bundle, with the documented defaults.

:class:`Policies` is what the composition root
(:func:`booking_core.services.app.bootstrap`) hands to every service, so two
services can never disagree on a number: the join window that
:class:`~booking_core.services.sessions.SessionService` checks is the one the
attendance service marks by. Override a field and keep the rest:

Example:
    >>> from datetime import timedelta
    >>> from booking_core.policies import Policies
    >>> from booking_core.sessions import ReschedulePolicy
    >>> notice = timedelta(hours=48)
    >>> policies = Policies(reschedule=ReschedulePolicy(student_notice=notice))
    >>> policies.reschedule.student_notice, policies.split.commission_rate
    (datetime.timedelta(days=2), Decimal('0.10'))
    >>> policies.transaction_attempts
    10
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar, final

import attrs

from booking_core._validation import positive_int
from booking_core.attendance.billing import BillingPolicy
from booking_core.attendance.model import AttendancePolicy, ParticipationPolicy
from booking_core.bookings.one_on_one import OneOnOnePolicy
from booking_core.bookings.policies import BookingPolicy, WaitlistPolicy
from booking_core.errors import InvalidValueError
from booking_core.money.gateway import RetryPolicy
from booking_core.money.refunds import CancellationPolicy, RefundPolicy
from booking_core.money.split import SplitPolicy
from booking_core.money.withdrawals import WithdrawalPolicy
from booking_core.sessions.policies import ReschedulePolicy, SessionPolicy

__all__ = ["Policies"]

P = TypeVar("P")


def _positive_horizon(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidValueError(
            field="series_horizon", reason="must be a positive timedelta", value=value
        )


def _of(kind: type[P]) -> P:
    """A policy field: the class's defaults unless given, and of that class."""

    def check(_instance: object, attribute: attrs.Attribute[P], value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidValueError(
                field=attribute.name,
                reason=f"must be a {kind.__name__}",
                value=type(value).__name__,
            )

    field: P = attrs.field(factory=kind, validator=check)
    return field


@final
@attrs.frozen(kw_only=True)
class Policies:
    """All the numbers of the library, one field per policy, each with its default.

    Attributes:
        session: Join window, grace, no-show and text rules.
        reschedule: Notice, lead, reason and response rules.
        booking: Group seat rules (seats per booking, cut-off).
        waitlist: Waitlist mode and offer expiry.
        one_on_one: 1:1 request, approval and notice rules.
        attendance: Lateness, presence and outcome rules.
        participation: Who may record a join or leave for whom, and how long
            after the claimed time (live within 5 minutes; corrections with a
            reason).
        billing: Which outcomes are billed.
        split: Commission, gateway fee estimate and tax.
        cancellation: Refund tiers by notice.
        refund: Who bears the gateway fee of a refund.
        withdrawal: Minimum and per-day limits of withdrawals.
        gateway_retry: How a gateway call is retried (same idempotency key).
        series_horizon: How far ahead a series is booked (8 weeks).
        transaction_attempts: The one retry budget of every transaction that
            lost a compare-and-set race (10).
    """

    session: SessionPolicy = _of(SessionPolicy)
    reschedule: ReschedulePolicy = _of(ReschedulePolicy)
    booking: BookingPolicy = _of(BookingPolicy)
    waitlist: WaitlistPolicy = _of(WaitlistPolicy)
    one_on_one: OneOnOnePolicy = _of(OneOnOnePolicy)
    attendance: AttendancePolicy = _of(AttendancePolicy)
    participation: ParticipationPolicy = _of(ParticipationPolicy)
    billing: BillingPolicy = _of(BillingPolicy)
    split: SplitPolicy = _of(SplitPolicy)
    cancellation: CancellationPolicy = _of(CancellationPolicy)
    refund: RefundPolicy = _of(RefundPolicy)
    withdrawal: WithdrawalPolicy = _of(WithdrawalPolicy)
    gateway_retry: RetryPolicy = _of(RetryPolicy)
    series_horizon: timedelta = attrs.field(
        default=timedelta(weeks=8), validator=_positive_horizon
    )
    transaction_attempts: int = attrs.field(default=10, validator=positive_int)
