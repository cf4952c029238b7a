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

import importlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import positive_int
from booking_core.errors import InvalidValueError

if TYPE_CHECKING:  # each imported when its default is first made (see _of)
    from booking_core.attendance.billing import BillingPolicy
    from booking_core.attendance.model import AttendancePolicy, ParticipationPolicy
    from booking_core.bookings.one_on_one import OneOnOnePolicy
    from booking_core.bookings.policies import BookingPolicy, WaitlistPolicy
    from booking_core.money.gateway import RetryPolicy
    from booking_core.money.refunds import CancellationPolicy, RefundPolicy
    from booking_core.money.split import SplitPolicy
    from booking_core.money.withdrawals import WithdrawalPolicy
    from booking_core.reminders import ReminderPolicy
    from booking_core.sessions.policies import ReschedulePolicy, SessionPolicy

__all__ = ["Policies", "TransactionBackoff"]


def _positive_horizon(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidValueError(
            field="series_horizon", reason="must be a positive timedelta", value=value
        )


def _of(module: str, name: str) -> Any:
    """A policy field: the defaults of class ``module.name`` unless given, and of it.

    The class is imported when a default is first made or a value first
    checked, so naming :class:`Policies` loads none of the concept modules.
    """

    def kind() -> type:
        found: type = getattr(importlib.import_module(module), name)
        return found

    def check(
        _instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        if not isinstance(value, kind()):
            raise InvalidValueError(
                field=attribute.name,
                reason=f"must be a {name}",
                value=type(value).__name__,
            )

    def default() -> Any:
        return kind()()

    return attrs.field(factory=default, validator=check)


def _backoff_bound(_instance: object, attribute: Any, value: object) -> None:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise InvalidValueError(
            field=attribute.name, reason="must be a timedelta >= 0", value=value
        )


@final
@attrs.frozen(kw_only=True, repr=False)
class TransactionBackoff:
    """How long a transaction that lost a race waits before it tries again.

    Attempt ``n`` (after ``n`` lost races) waits a uniformly random time in
    ``[0, min(cap, first * 2 ** (n - 1)))`` ("full jitter"): racers spread out
    instead of colliding again in step, and the wait stays bounded.

    Attributes:
        first: The bound of the first wait (2 ms).
        cap: The largest bound (100 ms).

    Example:
        >>> from datetime import timedelta
        >>> backoff = TransactionBackoff()
        >>> backoff.seconds(attempt=1, fraction=0.5), backoff.seconds(3, 1.0)
        (0.001, 0.008)
        >>> TransactionBackoff(first=timedelta(0)).seconds(5, 0.9)
        0.0
    """

    __repr__ = fields_repr

    first: timedelta = attrs.field(
        default=timedelta(milliseconds=2), validator=_backoff_bound
    )
    cap: timedelta = attrs.field(
        default=timedelta(milliseconds=100), validator=_backoff_bound
    )

    def seconds(self, attempt: int, fraction: float) -> float:
        """The wait after ``attempt`` lost races, for a ``fraction`` in ``[0, 1)``."""
        bound: timedelta = min(self.cap, self.first * 2 ** min(attempt - 1, 32))
        return float(bound.total_seconds() * fraction)


@final
@attrs.frozen(kw_only=True, repr=False)
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
        reminders: When participants are reminded before a start (24 h and
            1 h, per role) and how late the monitor may still send one (1 h).
        series_horizon: How far ahead a series is booked (8 weeks).
        transaction_attempts: The one retry budget of every transaction that
            lost a compare-and-set race (10).
        transaction_backoff: How long a transaction that lost a race waits
            before its next attempt (jittered, 2 ms doubling up to 100 ms).
    """

    __repr__ = fields_repr

    session: SessionPolicy = _of("booking_core.sessions.policies", "SessionPolicy")
    reschedule: ReschedulePolicy = _of(
        "booking_core.sessions.policies", "ReschedulePolicy"
    )
    booking: BookingPolicy = _of("booking_core.bookings.policies", "BookingPolicy")
    waitlist: WaitlistPolicy = _of("booking_core.bookings.policies", "WaitlistPolicy")
    one_on_one: OneOnOnePolicy = _of(
        "booking_core.bookings.one_on_one", "OneOnOnePolicy"
    )
    attendance: AttendancePolicy = _of(
        "booking_core.attendance.model", "AttendancePolicy"
    )
    participation: ParticipationPolicy = _of(
        "booking_core.attendance.model", "ParticipationPolicy"
    )
    billing: BillingPolicy = _of("booking_core.attendance.billing", "BillingPolicy")
    split: SplitPolicy = _of("booking_core.money.split", "SplitPolicy")
    cancellation: CancellationPolicy = _of(
        "booking_core.money.refunds", "CancellationPolicy"
    )
    refund: RefundPolicy = _of("booking_core.money.refunds", "RefundPolicy")
    withdrawal: WithdrawalPolicy = _of(
        "booking_core.money.withdrawals", "WithdrawalPolicy"
    )
    gateway_retry: RetryPolicy = _of("booking_core.money.gateway", "RetryPolicy")
    reminders: ReminderPolicy = _of("booking_core.reminders", "ReminderPolicy")
    series_horizon: timedelta = attrs.field(
        default=timedelta(weeks=8), validator=_positive_horizon
    )
    transaction_attempts: int = attrs.field(default=10, validator=positive_int)
    transaction_backoff: TransactionBackoff = attrs.field(
        factory=TransactionBackoff,
        validator=attrs.validators.instance_of(TransactionBackoff),
    )
