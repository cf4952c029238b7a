"""Every refusal ``booking_core`` makes, as one tree of exceptions.

Each error has a stable, machine-readable :attr:`~BookingCoreError.code` (a dotted
string such as ``"time.naive_datetime"``) and a human message built from keyword
details that says what was wrong and what is allowed. Hosts map codes to HTTP
responses or form errors; changing a code is a breaking change.

Families also subclass the fitting builtin, so generic handlers keep working::

    BookingCoreError
    ├── InvalidInputError (ValueError)          bad input, refused before anything runs
    │   ├── NaiveDatetimeError                  time.naive_datetime
    │   ├── UnknownZoneError                    time.unknown_zone
    │   ├── SkippedTimeError                    time.skipped_local_time
    │   ├── RepeatedTimeError                   time.repeated_local_time
    │   ├── DatetimeOutOfRangeError             time.out_of_range
    │   ├── InvalidDisambiguationError          time.invalid_disambiguate
    │   ├── InvalidWindowError                  time.invalid_window
    │   ├── InvalidValueError                   input.invalid_value
    │   ├── UnknownCurrencyError                money.unknown_currency
    │   ├── InvalidAmountError                  money.invalid_amount
    │   └── CurrencyMismatchError               money.currency_mismatch
    ├── PermissionDeniedError (PermissionError) the actor may not do this
    ├── NotFoundError (LookupError)             no such aggregate
    ├── InvalidTransitionError                  the aggregate's state does not allow it
    ├── PolicyViolationError                    a business rule or policy refuses it
    │   ├── InsufficientFundsError              money.insufficient_funds
    │   ├── RefundExceedsCaptureError           money.refund_exceeds_capture
    │   └── AmountTooSmallForFeesError          money.amount_too_small_for_fees
    ├── ConflictError                           it clashes with existing state
    │   ├── DuplicateIdError                    conflict.duplicate_id
    │   └── IdempotencyKeyReuseError            money.idempotency_key_reused
    └── ConcurrencyError                        somebody else changed it first
        └── StaleVersionError                   concurrency.stale_version

Later modules add their specific errors under these families; every concrete
class has its own code.

Example:
    >>> from booking_core.errors import NaiveDatetimeError, BookingCoreError
    >>> err = NaiveDatetimeError(field="start", value="2026-03-29 01:30:00")
    >>> err.code
    'time.naive_datetime'
    >>> isinstance(err, ValueError) and isinstance(err, BookingCoreError)
    True
    >>> print(err)  # doctest: +ELLIPSIS
    start must be a timezone-aware datetime, got naive 2026-03-29 01:30:00; ...
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AmountTooSmallForFeesError",
    "BookingCoreError",
    "ConcurrencyError",
    "ConflictError",
    "CurrencyMismatchError",
    "DatetimeOutOfRangeError",
    "DuplicateIdError",
    "IdempotencyKeyReuseError",
    "InsufficientFundsError",
    "InvalidAmountError",
    "InvalidDisambiguationError",
    "InvalidInputError",
    "InvalidTransitionError",
    "InvalidValueError",
    "InvalidWindowError",
    "NaiveDatetimeError",
    "NotFoundError",
    "PermissionDeniedError",
    "PolicyViolationError",
    "RefundExceedsCaptureError",
    "RepeatedTimeError",
    "SkippedTimeError",
    "StaleVersionError",
    "UnknownCurrencyError",
    "UnknownZoneError",
]


class BookingCoreError(Exception):
    """Raised when ``booking_core`` refuses an operation; the base of every error.

    Subclasses set :attr:`code` and :attr:`template`; the message is built from
    the keyword details given to the constructor, which stay available as
    :attr:`details` for hosts that render their own messages.

    Attributes:
        code: Stable dotted identifier of the refusal, safe to match on.
        template: ``str.format`` template of the human message.
        details: The keyword details the error was raised with.
    """

    code: ClassVar[str] = "booking_core.error"
    template: ClassVar[str] = "booking_core refused the operation"

    def __init__(self, **details: Any) -> None:
        self.details: dict[str, Any] = dict(details)
        super().__init__(self.template.format(**details))

    @property
    def message(self) -> str:
        """The human-readable message (the same as ``str(error)``)."""
        return str(self)


# -- families -------------------------------------------------------------------


class InvalidInputError(BookingCoreError, ValueError):
    """Raised when input is malformed; nothing was changed."""

    code = "invalid_input"
    template = "invalid input"


class PermissionDeniedError(BookingCoreError, PermissionError):
    """Raised when the actor's role or relation does not allow the command."""

    code = "permission_denied"
    template = "{actor} may not {action}; allowed: {allowed}"


class NotFoundError(BookingCoreError, LookupError):
    """Raised when an aggregate with the given id does not exist."""

    code = "not_found"
    template = "no {kind} with id {id!r}"


class InvalidTransitionError(BookingCoreError):
    """Raised when the aggregate's current state does not allow the command."""

    code = "invalid_transition"
    template = "cannot {action} a {kind} that is {state}; allowed from: {allowed}"


class PolicyViolationError(BookingCoreError):
    """Raised when a business rule or policy refuses an otherwise valid command."""

    code = "policy_violation"
    template = "refused by policy: {reason}"


class ConflictError(BookingCoreError):
    """Raised when the command clashes with state that already exists."""

    code = "conflict"
    template = "conflicts with existing state: {reason}"


class ConcurrencyError(BookingCoreError):
    """Raised when another writer changed the state first; retry from a fresh load."""

    code = "concurrency"
    template = "concurrent modification: {reason}"


# -- time and input -------------------------------------------------------------


class NaiveDatetimeError(InvalidInputError):
    """Raised when a naive datetime is given where an instant is required."""

    code = "time.naive_datetime"
    template = (
        "{field} must be a timezone-aware datetime, got naive {value}; attach an "
        "IANA zone or convert a wall time with booking_core.zones.to_instant()"
    )


class UnknownZoneError(InvalidInputError):
    """Raised when a time zone name is not in the IANA database."""

    code = "time.unknown_zone"
    template = (
        "unknown time zone {zone!r}; use an IANA name such as 'Europe/London' "
        "or 'Asia/Kolkata'"
    )


class SkippedTimeError(InvalidInputError):
    """Raised when a local time falls in a DST gap and ``disambiguate="raise"``."""

    code = "time.skipped_local_time"
    template = (
        "{wall} does not exist in {zone} (the clocks skip {gap} there); pass "
        "disambiguate='compatible' or 'later' (gives {later}) or 'earlier' "
        "(gives {earlier})"
    )


class RepeatedTimeError(InvalidInputError):
    """Raised when a local time is ambiguous (DST fold) and ``disambiguate="raise"``."""

    code = "time.repeated_local_time"
    template = (
        "{wall} happens twice in {zone} (at {earlier} and {later}); "
        "pass disambiguate='compatible', 'earlier' or 'later' to choose one"
    )


class DatetimeOutOfRangeError(InvalidInputError):
    """Raised when a wall time cannot be represented as an instant in UTC."""

    code = "time.out_of_range"
    template = "{wall} in {zone} is outside the supported range (years 1 to 9999 UTC)"


class InvalidDisambiguationError(InvalidInputError):
    """Raised when ``disambiguate`` is not one of the four documented values."""

    code = "time.invalid_disambiguate"
    template = (
        "disambiguate must be 'compatible', 'earlier', 'later' or 'raise', "
        "got {value!r}"
    )


class InvalidWindowError(InvalidInputError):
    """Raised when a time window does not end strictly after it starts."""

    code = "time.invalid_window"
    template = "a window must end after it starts; got start={start} end={end}"


class InvalidValueError(InvalidInputError):
    """Raised when a field's value is outside what is allowed."""

    code = "input.invalid_value"
    template = "{field} is invalid: {reason}; got {value!r}"


# -- persistence ----------------------------------------------------------------


class DuplicateIdError(ConflictError):
    """Raised when adding an aggregate whose id already exists."""

    code = "conflict.duplicate_id"
    template = "a {kind} with id {id!r} already exists; load it and save changes"


class StaleVersionError(ConcurrencyError):
    """Raised when saving an aggregate whose stored version moved on since it loaded.

    Services catch it and retry the whole command from a fresh load.
    """

    code = "concurrency.stale_version"
    template = (
        "{kind} {id!r} was changed by someone else (loaded version {expected}, "
        "stored version {actual}); reload and retry"
    )


# -- money ----------------------------------------------------------------------


class UnknownCurrencyError(InvalidInputError):
    """Raised when a currency code is not an active ISO 4217 currency."""

    code = "money.unknown_currency"
    template = (
        "unknown currency {currency!r}; use an active ISO 4217 code such as "
        "'INR', 'USD', 'JPY' or 'KWD'"
    )


class InvalidAmountError(InvalidInputError):
    """Raised when an amount is not exact (a float, extra decimals) or not allowed."""

    code = "money.invalid_amount"
    template = "{field} is not a valid amount: {reason}; got {value!r}"


class CurrencyMismatchError(InvalidInputError):
    """Raised when amounts in different currencies are combined or compared."""

    code = "money.currency_mismatch"
    template = (
        "cannot {action} {left} and {right}: the currencies differ; convert "
        "explicitly first, amounts combine only within one currency"
    )


class InsufficientFundsError(PolicyViolationError):
    """Raised when a transfer would take a non-negative account below zero."""

    code = "money.insufficient_funds"
    template = (
        "account {account!r} holds {balance} but {amount} is needed; "
        "{kind} accounts may not go below zero"
    )


class RefundExceedsCaptureError(PolicyViolationError):
    """Raised when a refund asks for more than was captured minus already refunded."""

    code = "money.refund_exceeds_capture"
    template = (
        "cannot refund {amount} of payment {payment_id!r}: captured {captured}, "
        "already refunded {refunded}; at most {refundable} can be refunded"
    )


class AmountTooSmallForFeesError(PolicyViolationError):
    """Raised when a payment is too small to cover the commission and gateway fee."""

    code = "money.amount_too_small_for_fees"
    template = (
        "a payment of {gross} cannot cover the commission {commission} and the "
        "gateway fee {fee} borne by the {bearer}; the {part} would be {shortfall}, "
        "and no part may be negative"
    )


class IdempotencyKeyReuseError(ConflictError):
    """Raised when an idempotency key is reused for a transfer with other content."""

    code = "money.idempotency_key_reused"
    template = (
        "idempotency key {key!r} already posted {existing}; the new request "
        "{requested} differs, use a new key for a different transfer or resend "
        "exactly the same one"
    )
