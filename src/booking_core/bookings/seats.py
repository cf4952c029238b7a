"""The seat state a group session carries: counters, open offers and the waitlist.

It lives inside the :class:`~booking_core.sessions.Session` aggregate
(:attr:`Session.seats <booking_core.sessions.Session.seats>`), next to the
capacity and waitlist flag it is measured against, so there is exactly one
stored copy of "how many seats are taken" and every seat decision is serialised
by the session's compare-and-set. The decisions themselves live in
:mod:`booking_core.bookings.capacity`; this module only holds the values.

What the aggregate keeps is what a seat decision needs and nothing that grows
with the confirmed bookings: a counter of confirmed seats, the open offers and
the FIFO waitlist (each entry one waiting booking).

Example:
    >>> from booking_core.bookings.seats import SeatState
    >>> SeatState().confirmed, SeatState().offered_seats, SeatState().waitlisted_seats
    (0, 0, 0)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import (
    identifier,
    non_negative_int,
    positive_int,
    utc_instant,
)

__all__ = ["SeatOffer", "SeatState", "WaitlistEntry"]


def _requested_at(value: datetime) -> datetime:
    return utc_instant(value, "requested_at")


def _expires_at(value: datetime) -> datetime:
    return utc_instant(value, "expires_at")


@final
@attrs.frozen(kw_only=True, repr=False)
class WaitlistEntry:
    """One booking waiting for seats.

    Attributes:
        booking_id: The waiting booking.
        student_id: Its student.
        seats: How many seats it waits for (all of them come together).
        requested_at: When it was requested (UTC): the FIFO order.
        sequence: Arrival number within the session: the stable tie-break for
            equal request times.
    """

    __repr__ = fields_repr

    booking_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    seats: int = attrs.field(validator=positive_int)
    requested_at: datetime = attrs.field(converter=_requested_at)
    sequence: int = attrs.field(validator=non_negative_int)

    @property
    def order_key(self) -> tuple[datetime, int]:
        """The FIFO key: request time, then arrival number."""
        return (self.requested_at, self.sequence)


@final
@attrs.frozen(kw_only=True, repr=False)
class SeatOffer:
    """Seats held for a waitlisted booking until it accepts, declines or expires.

    Attributes:
        booking_id: The offered booking.
        student_id: Its student.
        seats: How many seats are held.
        requested_at: When the booking was originally requested (UTC).
        sequence: Its arrival number (kept from the waitlist).
        expires_at: From when the offer can be expired (UTC).
    """

    __repr__ = fields_repr

    booking_id: str = attrs.field(validator=identifier)
    student_id: str = attrs.field(validator=identifier)
    seats: int = attrs.field(validator=positive_int)
    requested_at: datetime = attrs.field(converter=_requested_at)
    sequence: int = attrs.field(validator=non_negative_int)
    expires_at: datetime = attrs.field(converter=_expires_at)


def _entries(value: Iterable[WaitlistEntry]) -> tuple[WaitlistEntry, ...]:
    return tuple(sorted(value, key=lambda entry: entry.order_key))


def _offers(value: Iterable[SeatOffer]) -> tuple[SeatOffer, ...]:
    return tuple(value)


@final
@attrs.frozen(kw_only=True, repr=False)
class SeatState:
    """The seats of one session: the single source of the counts hosts show.

    Attributes:
        confirmed: Seats held by confirmed bookings.
        offers: Open seat offers, oldest first (their seats are held).
        waitlist: Waiting bookings in FIFO order (request time, arrival number).
        next_sequence: The arrival number the next booking gets.
    """

    __repr__ = fields_repr

    confirmed: int = attrs.field(default=0, validator=non_negative_int)
    offers: tuple[SeatOffer, ...] = attrs.field(default=(), converter=_offers)
    waitlist: tuple[WaitlistEntry, ...] = attrs.field(default=(), converter=_entries)
    next_sequence: int = attrs.field(default=0, validator=non_negative_int)

    @property
    def offered_seats(self) -> int:
        """Seats held by open offers."""
        return sum(offer.seats for offer in self.offers)

    @property
    def taken(self) -> int:
        """Seats that count against the capacity: confirmed plus offered."""
        return self.confirmed + self.offered_seats

    @property
    def waitlisted_seats(self) -> int:
        """Seats the waitlist asks for in total."""
        return sum(entry.seats for entry in self.waitlist)
