"""Payment statuses and their allowed moves (public: :mod:`booking_core.attendance`)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import final

from booking_core.errors import IllegalPaymentTransitionError

__all__ = ["PAYMENT_TRANSITIONS", "PaymentStatus", "check_payment_transition"]


@final
class PaymentStatus(str, enum.Enum):
    """Where an attendee's payment for one session stands.

    ``NOT_BILLABLE``: nothing is owed (excused, free, cancelled in time).
    ``DUE``: billable once attended; not yet asked for.
    ``REQUESTED``: a payment request went out.
    ``PAID``: paid (may be marked for refund, see ``Attendee.refund_pending``).
    ``WAIVED``: the platform forgave it (final).
    ``REFUNDED``: paid and given back (final).
    """

    NOT_BILLABLE = "not_billable"
    DUE = "due"
    REQUESTED = "requested"
    PAID = "paid"
    WAIVED = "waived"
    REFUNDED = "refunded"

    def can_move_to(self, target: PaymentStatus) -> bool:
        """Whether :data:`PAYMENT_TRANSITIONS` allows ``self -> target``.

        Args:
            target: The status to move to.

        Returns:
            ``True`` when the move is in the table.
        """
        return target in PAYMENT_TRANSITIONS[self]


_S = PaymentStatus

#: The allowed payment status moves: status -> the statuses it may move to.
#: ``waived`` and ``refunded`` are final; nothing moves back to ``due`` once
#: requested (a new request is a new session's billing).
PAYMENT_TRANSITIONS: Mapping[PaymentStatus, frozenset[PaymentStatus]] = (
    MappingProxyType(
        {
            _S.NOT_BILLABLE: frozenset({_S.DUE, _S.PAID}),
            _S.DUE: frozenset({_S.REQUESTED, _S.PAID, _S.WAIVED, _S.NOT_BILLABLE}),
            _S.REQUESTED: frozenset({_S.PAID, _S.WAIVED, _S.NOT_BILLABLE}),
            _S.PAID: frozenset({_S.REFUNDED}),
            _S.WAIVED: frozenset(),
            _S.REFUNDED: frozenset(),
        }
    )
)


def check_payment_transition(
    current: PaymentStatus, target: PaymentStatus
) -> PaymentStatus:
    """Refuse unless ``current -> target`` is in :data:`PAYMENT_TRANSITIONS`.

    Args:
        current: The status now.
        target: The status wanted.

    Returns:
        ``target`` (as a :class:`PaymentStatus`).

    Raises:
        IllegalPaymentTransitionError: ``billing.illegal_transition`` for a move
            outside the table (including staying in place).

    Example:
        >>> check_payment_transition(PaymentStatus.PAID, PaymentStatus.REFUNDED)
        <PaymentStatus.REFUNDED: 'refunded'>
    """
    source, goal = PaymentStatus(current), PaymentStatus(target)
    if not source.can_move_to(goal):
        allowed = sorted(status.value for status in PAYMENT_TRANSITIONS[source])
        raise IllegalPaymentTransitionError(
            current=source.value,
            target=goal.value,
            allowed=", ".join(allowed) or "nothing (final)",
        )
    return goal
