"""Billing: the payment status machine of an attendee and the billing workflow.

Seed 000 tracks a payment status per session attendee and a billing list of who
must be asked to pay. :data:`PAYMENT_TRANSITIONS` is the table of the only
allowed moves:

================  ==============================================
from              may move to
================  ==============================================
``not_billable``  ``due``, ``paid`` (prepaid)
``due``           ``requested``, ``paid``, ``waived``, ``not_billable``
``requested``     ``paid``, ``waived``, ``not_billable``
``paid``          ``refunded``
``waived``        nothing (final)
``refunded``      nothing (final)
================  ==============================================

:func:`check_payment_transition` refuses everything else; every command that
moves a payment status (here and in :mod:`booking_core.attendance.model`) goes
through it, so an illegal move raises and changes nothing.

Billing candidates (:func:`billing_candidates`) are the attendees whose status
is ``due`` and who attended (present or late) or, when
:attr:`BillingPolicy.bill_late_cancellations` is on, cancelled late.
:func:`request_payment` moves every candidate to ``requested`` in one decision.

Example:
    >>> PaymentStatus.DUE.can_move_to(PaymentStatus.REQUESTED)
    True
    >>> from booking_core.errors import IllegalPaymentTransitionError
    >>> try:
    ...     check_payment_transition(PaymentStatus.WAIVED, PaymentStatus.PAID)
    ... except IllegalPaymentTransitionError as err:
    ...     print(err.code, err.details["allowed"])
    billing.illegal_transition nothing (final)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import final

import attrs

from booking_core._payment_status import (
    PAYMENT_TRANSITIONS,
    PaymentStatus,
    check_payment_transition,
)
from booking_core._repr import fields_repr
from booking_core._validation import bounded_batch, member, utc_instant, valid_key
from booking_core.actors import Actor, Role, require_role
from booking_core.attendance.model import Attendee
from booking_core.events import Decision, DomainEvent

__all__ = [
    "PAYMENT_TRANSITIONS",
    "BillingPolicy",
    "PaymentRequested",
    "PaymentStatus",
    "PaymentStatusChanged",
    "billing_candidates",
    "change_payment_status",
    "check_payment_transition",
    "is_billing_candidate",
    "request_payment",
]

_BILLERS = (Role.ADMIN, Role.SYSTEM)


@final
@attrs.frozen(kw_only=True, repr=False)
class BillingPolicy:
    """Who ends up on the billing list.

    ==============================  =========  ====================================
    field                           default    meaning
    ==============================  =========  ====================================
    ``bill_late_cancellations``     ``True``   a late cancellation (less notice
                                               than ``AttendancePolicy.
                                               cancel_notice``) is billed like
                                               attendance
    ==============================  =========  ====================================

    Attributes:
        bill_late_cancellations: Whether late cancellations are billing candidates.
    """

    __repr__ = fields_repr

    bill_late_cancellations: bool = True


@final
@attrs.frozen(kw_only=True, repr=False)
class PaymentStatusChanged(DomainEvent):
    """An attendee's payment status moved.

    Attributes:
        old: The status before.
        new: The status after.
        reason: Why (free text for the audit trail).
    """

    __repr__ = fields_repr

    old: PaymentStatus
    new: PaymentStatus
    reason: str


@final
@attrs.frozen(kw_only=True, repr=False)
class PaymentRequested(DomainEvent):
    """A payment request went out to the listed attendees (now ``requested``).

    ``aggregate_id`` is the request's id.

    Attributes:
        attendee_ids: The attendees asked to pay, by id.
    """

    __repr__ = fields_repr

    attendee_ids: tuple[str, ...]


def is_billing_candidate(attendee: Attendee, policy: BillingPolicy) -> bool:
    """Whether ``attendee`` belongs on the billing list.

    Args:
        attendee: The attendee.
        policy: Whether late cancellations are billed.

    Returns:
        ``True`` when the status is ``due`` and they attended (present or late)
        or cancelled late while ``policy.bill_late_cancellations`` is on.
    """
    if attendee.payment_status is not PaymentStatus.DUE:
        return False
    if attendee.attendance.attended:
        return True
    return policy.bill_late_cancellations and attendee.late_cancellation


def billing_candidates(
    attendees: Iterable[Attendee], policy: BillingPolicy
) -> tuple[Attendee, ...]:
    """The attendees to ask for payment, by id.

    Never includes a waived, paid, requested, refunded or not billable attendee.

    Args:
        attendees: Any attendees (of one or many sessions).
        policy: Whether late cancellations are billed.

    Returns:
        The candidates, sorted by id.
    """
    found = [a for a in attendees if is_billing_candidate(a, policy)]
    return tuple(sorted(found, key=lambda attendee: attendee.id))


def change_payment_status(
    attendee: Attendee,
    target: PaymentStatus | str,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
) -> Decision[Attendee]:
    """Move one attendee's payment status along :data:`PAYMENT_TRANSITIONS`.

    Moving ``paid -> refunded`` clears ``refund_pending``.

    Args:
        attendee: The attendee.
        target: The new status.
        reason: Why.
        actor: An admin or the system (payment webhooks).
        now: The current instant.

    Returns:
        The attendee and a :class:`PaymentStatusChanged`.

    Raises:
        PermissionDeniedError: ``permission_denied`` for a student or teacher.
        IllegalPaymentTransitionError: ``billing.illegal_transition``.

    Example:
        >>> from datetime import datetime, timezone
        >>> alice = Attendee.create(session_id="s-1", participant_id="alice",
        ...                         role="student")
        >>> change_payment_status(
        ...     alice, "waived", reason="goodwill", actor=Actor.admin("ops"),
        ...     now=datetime(2026, 6, 1, tzinfo=timezone.utc),
        ... ).state.payment_status.value
        'waived'
    """
    now = utc_instant(now, "now")
    require_role(actor, _BILLERS, action="change a payment status")
    goal = check_payment_transition(
        attendee.payment_status, member(PaymentStatus, target, "target")
    )
    refund_pending = attendee.refund_pending and goal is not PaymentStatus.REFUNDED
    state = attrs.evolve(attendee, payment_status=goal, refund_pending=refund_pending)
    event = PaymentStatusChanged(
        occurred_at=now,
        actor=actor,
        aggregate_id=attendee.id,
        old=attendee.payment_status,
        new=goal,
        reason=reason,
    )
    return Decision(state=state, events=(event,))


def request_payment(
    attendees: Iterable[Attendee],
    *,
    request_id: str,
    actor: Actor,
    now: datetime,
    policy: BillingPolicy,
) -> Decision[tuple[Attendee, ...]]:
    """Ask every billing candidate to pay: all move to ``requested`` at once.

    Args:
        attendees: Any attendees; only the candidates change.
        request_id: The payment request's id (the event's ``aggregate_id``).
        actor: An admin or the system.
        now: The current instant.
        policy: Whether late cancellations are billed.

    Returns:
        The changed attendees (sorted by id) and one :class:`PaymentRequested`
        listing them; no events when there is nobody to bill.

    Raises:
        PermissionDeniedError: ``permission_denied`` for a student or teacher.
        InvalidValueError: ``input.invalid_value`` for an empty request id, or
            more than 10 000 attendees (``docs/limits.md``).
    """
    now = utc_instant(now, "now")
    valid_key(None, attrs.fields(PaymentRequested).aggregate_id, request_id)
    attendees = tuple(attendees)
    bounded_batch(len(attendees), "attendees")
    require_role(actor, _BILLERS, action="request payment")
    changed = tuple(
        attrs.evolve(
            a,
            payment_status=check_payment_transition(
                a.payment_status, PaymentStatus.REQUESTED
            ),
        )
        for a in billing_candidates(attendees, policy)
    )
    if not changed:
        return Decision(state=())
    event = PaymentRequested(
        occurred_at=now,
        actor=actor,
        aggregate_id=request_id,
        attendee_ids=tuple(a.id for a in changed),
    )
    return Decision(state=changed, events=(event,))
