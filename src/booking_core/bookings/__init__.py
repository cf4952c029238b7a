"""Bookings: group seats and waitlists, 1:1 requests, the booking aggregate.

* :mod:`~booking_core.bookings.model`: :class:`Booking`, its status, events and
  idempotency records;
* :mod:`~booking_core.bookings.seats`: the seat state a session holds (confirmed
  seats, offers, waitlist);
* :mod:`~booking_core.bookings.policies`: seats per booking, waitlist mode;
* :mod:`~booking_core.bookings.capacity`: the pure seat and waitlist rules;
* :mod:`~booking_core.bookings.offers`: accepting, declining and expiring offers;
* :mod:`~booking_core.bookings.one_on_one`: the 1:1 request, approval and
  confirmation rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from booking_core import _lazy

if TYPE_CHECKING:
    from booking_core.bookings.capacity import (
        SeatAvailability,
        SeatChange,
        availability,
        book,
        cancel,
        change_capacity,
        promotion_deadline,
    )
    from booking_core.bookings.model import (
        ACTIVE_STATUSES,
        Booking,
        BookingAttended,
        BookingCancellation,
        BookingCancelled,
        BookingClosed,
        BookingDecision,
        BookingNoShow,
        BookingNote,
        BookingPromoted,
        BookingReopened,
        BookingStatus,
        BookingType,
        BookingWaitlisted,
        CommandRecord,
        OfferAccepted,
        OfferDeclined,
        OfferExpired,
        SeatBooked,
        SeatCapacityChanged,
        SeatMove,
        SeatOffered,
        apply_move,
    )
    from booking_core.bookings.offers import (
        accept_offer,
        decline_offer,
        due_offers,
        expire_due_offers,
        expire_offer,
    )
    from booking_core.bookings.one_on_one import (
        OneOnOneCancelled,
        OneOnOneConfirmed,
        OneOnOneDeclined,
        OneOnOneExpired,
        OneOnOnePolicy,
        OneOnOneRequested,
        bookable_slots,
        booking_commitment,
        cancel_booking,
        confirm_booking,
        decision_deadline,
        decline_booking,
        ensure_slot_bookable,
        expire_booking,
        request_booking,
    )
    from booking_core.bookings.policies import (
        BookingPolicy,
        WaitlistMode,
        WaitlistPolicy,
    )
    from booking_core.bookings.seats import (
        SeatOffer,
        SeatState,
        WaitlistEntry,
    )

_EXPORTS: dict[str, tuple[str, ...]] = {
    "model": (
        "ACTIVE_STATUSES",
        "Booking",
        "BookingAttended",
        "BookingCancellation",
        "BookingCancelled",
        "BookingClosed",
        "BookingDecision",
        "BookingNoShow",
        "BookingNote",
        "BookingPromoted",
        "BookingReopened",
        "BookingStatus",
        "BookingType",
        "BookingWaitlisted",
        "CommandRecord",
        "OfferAccepted",
        "OfferDeclined",
        "OfferExpired",
        "SeatBooked",
        "SeatCapacityChanged",
        "SeatMove",
        "SeatOffered",
        "apply_move",
    ),
    "seats": (
        "SeatOffer",
        "SeatState",
        "WaitlistEntry",
    ),
    "policies": (
        "BookingPolicy",
        "WaitlistMode",
        "WaitlistPolicy",
    ),
    "capacity": (
        "SeatAvailability",
        "SeatChange",
        "availability",
        "book",
        "cancel",
        "change_capacity",
        "promotion_deadline",
    ),
    "offers": (
        "accept_offer",
        "decline_offer",
        "due_offers",
        "expire_due_offers",
        "expire_offer",
    ),
    "one_on_one": (
        "OneOnOneCancelled",
        "OneOnOneConfirmed",
        "OneOnOneDeclined",
        "OneOnOneExpired",
        "OneOnOnePolicy",
        "OneOnOneRequested",
        "bookable_slots",
        "booking_commitment",
        "cancel_booking",
        "confirm_booking",
        "decision_deadline",
        "decline_booking",
        "ensure_slot_bookable",
        "expire_booking",
        "request_booking",
    ),
}

__all__ = [  # noqa: RUF022 -- grouped by submodule, as in _EXPORTS
    "ACTIVE_STATUSES",
    "Booking",
    "BookingAttended",
    "BookingCancellation",
    "BookingCancelled",
    "BookingClosed",
    "BookingDecision",
    "BookingNoShow",
    "BookingNote",
    "BookingPromoted",
    "BookingReopened",
    "BookingStatus",
    "BookingType",
    "BookingWaitlisted",
    "CommandRecord",
    "OfferAccepted",
    "OfferDeclined",
    "OfferExpired",
    "SeatBooked",
    "SeatCapacityChanged",
    "SeatMove",
    "SeatOffered",
    "apply_move",
    "SeatOffer",
    "SeatState",
    "WaitlistEntry",
    "BookingPolicy",
    "WaitlistMode",
    "WaitlistPolicy",
    "SeatAvailability",
    "SeatChange",
    "availability",
    "book",
    "cancel",
    "change_capacity",
    "promotion_deadline",
    "accept_offer",
    "decline_offer",
    "due_offers",
    "expire_due_offers",
    "expire_offer",
    "OneOnOneCancelled",
    "OneOnOneConfirmed",
    "OneOnOneDeclined",
    "OneOnOneExpired",
    "OneOnOnePolicy",
    "OneOnOneRequested",
    "bookable_slots",
    "booking_commitment",
    "cancel_booking",
    "confirm_booking",
    "decision_deadline",
    "decline_booking",
    "ensure_slot_bookable",
    "expire_booking",
    "request_booking",
]


def __getattr__(name: str) -> Any:
    return _lazy.load(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
