"""Settlement dues: a booking whose money must now end (the money outbox).

When a booking ends (cancelled, closed with its session, attended or a
no-show), the reaction that ends it records a :class:`SettlementDue` in the
same unit of work, never a gateway call. The monitor's settlement step reads
the dues still open (an index, not a scan of every payment record) and
finishes each through the payment service, outside any booking transaction:

* a booking with no payment record owes nothing: the due is closed;
* a payment not captured yet keeps the due open (a late capture is settled
  the tick after it arrives);
* a captured payment is refunded by the cancellation policy for
  :attr:`SettlementDue.by` and :attr:`SettlementDue.reason`, or, for an
  ``outcome`` due, settled by the session's attendance outcome; then the due
  is closed.

A crash between the booking's transaction and the settlement loses nothing:
the due is stored with the booking and stays open until its payment ends.

Example:
    >>> from datetime import datetime, timezone
    >>> from booking_core.actors import Role
    >>> now = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> due = SettlementDue(id="b-1", session_id="s-1", kind="cancellation",
    ...                     by=Role.STUDENT, requested_at=now)
    >>> closed = close_due(due, now=now)
    >>> due.open, closed.open, close_due(closed, now=now) is closed
    (True, False, True)
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import identifier, utc_instant
from booking_core.actors import Role

__all__ = ["DueKind", "SettlementDue", "close_due"]


@final
class DueKind(str, enum.Enum):
    """Why a booking's money must end."""

    CANCELLATION = "cancellation"
    """The booking or its session was cancelled (or it was closed unseated):
    refund by the cancellation policy for whoever cancelled."""
    OUTCOME = "outcome"
    """The session completed or was missed: settle by the attendance outcome."""


def _at(value: datetime) -> datetime:
    return utc_instant(value, "requested_at")


def _optional_at(value: datetime | None) -> datetime | None:
    return None if value is None else utc_instant(value, "closed_at")


@final
@attrs.frozen(kw_only=True, repr=False)
class SettlementDue:
    """A booking whose payment (if any) must be released or refunded.

    Attributes:
        id: The booking id (one due per booking).
        session_id: Its session.
        kind: A cancellation refund or an outcome settlement.
        by: Whose cancellation it is (the refund policy's role).
        requested_at: When the booking ended.
        closed_at: When the money ended (``None`` while open).
        version: The stored version (the repository advances it).
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=identifier)
    session_id: str = attrs.field(validator=identifier)
    kind: DueKind = attrs.field(converter=DueKind)
    by: Role = attrs.field(default=Role.SYSTEM, converter=Role)
    requested_at: datetime = attrs.field(converter=_at)
    closed_at: datetime | None = attrs.field(default=None, converter=_optional_at)
    version: int = 0

    @property
    def open(self) -> bool:
        """True until the booking's money ended."""
        return self.closed_at is None


def close_due(due: SettlementDue, *, now: datetime) -> SettlementDue:
    """The due, closed at ``now`` (unchanged when already closed)."""
    if not due.open:
        return due
    return attrs.evolve(due, closed_at=now)
