"""The numbers of group booking: seats per booking, cut-off, waitlist and offers."""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import member, positive_int
from booking_core.errors import (
    InvalidValueError,
)

__all__ = [
    "BookingPolicy",
    "WaitlistMode",
    "WaitlistPolicy",
]


def _mode(value: object) -> WaitlistMode:
    return member(WaitlistMode, value, "mode")


@final
class WaitlistMode(str, enum.Enum):
    """What happens to the first waiting booking when seats free up.

    ``AUTO_CONFIRM`` confirms it at once (seed 003); ``OFFER`` offers the seats
    for a limited time (seed 001).
    """

    AUTO_CONFIRM = "auto_confirm"
    OFFER = "offer"


def _positive_duration(
    _instance: object, attribute: attrs.Attribute[timedelta], value: timedelta
) -> None:
    if type(value) is not timedelta or value <= timedelta(0):
        raise InvalidValueError(
            field=attribute.name, reason="must be a positive timedelta", value=value
        )


def _non_negative_duration(
    _instance: object, attribute: attrs.Attribute[timedelta], value: timedelta
) -> None:
    if type(value) is not timedelta or value < timedelta(0):
        raise InvalidValueError(
            field=attribute.name,
            reason="must be a timedelta of at least 0",
            value=value,
        )


@final
@attrs.frozen(kw_only=True, repr=False)
class WaitlistPolicy:
    """How freed seats reach the waitlist.

    Attributes:
        mode: ``auto_confirm`` (default) or ``offer``.
        offer_ttl: How long an offer stands (default 12 hours); it never outlasts
            the session's start.
        offer_cutoff: No offers are made this close to the start, nor after it
            (default 1 hour). ``auto_confirm`` promotes until the start.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an unknown mode, a
            non-positive TTL or a negative cut-off.
    """

    __repr__ = fields_repr

    mode: WaitlistMode = attrs.field(
        default=WaitlistMode.AUTO_CONFIRM,
        converter=_mode,
    )
    offer_ttl: timedelta = attrs.field(
        default=timedelta(hours=12), validator=_positive_duration
    )
    offer_cutoff: timedelta = attrs.field(
        default=timedelta(hours=1), validator=_non_negative_duration
    )


@final
@attrs.frozen(kw_only=True, repr=False)
class BookingPolicy:
    """Limits on one booking.

    Attributes:
        max_seats_per_booking: The most seats one booking may hold or ask for
            (default 1: one seat per student).

    Raises:
        InvalidValueError: ``input.invalid_value`` for a maximum below 1.
    """

    __repr__ = fields_repr

    max_seats_per_booking: int = attrs.field(default=1, validator=positive_int)
