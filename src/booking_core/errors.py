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
    │   ├── InvalidDocumentError                codec.invalid_document
    │   │   └── UnknownTypeNameError            codec.unknown_type
    │   ├── InvalidEventError                   events.invalid_event
    │   ├── InvalidSessionTextError             sessions.invalid_text
    │   ├── InvalidRecurrenceRuleError          recurrence.invalid_rule
    │   ├── UnsupportedRecurrencePartError      recurrence.unsupported_part
    │   ├── FloatingUntilError                  recurrence.floating_until
    │   ├── InvalidOverrideError                recurrence.invalid_override
    │   ├── UnknownCurrencyError                money.unknown_currency
    │   ├── InvalidAmountError                  money.invalid_amount
    │   └── CurrencyMismatchError               money.currency_mismatch
    ├── PermissionDeniedError (PermissionError) the actor may not do this
    │   ├── SessionRoleNotAllowedError          sessions.role_not_allowed
    │   ├── NotSessionParticipantError          sessions.not_participant
    │   ├── OwnRescheduleRequestError           sessions.own_reschedule_request
    │   ├── OwnPresenceCorrectionError          attendance.own_correction
    │   ├── NotSeriesParticipantError           series.not_participant
    │   ├── NotBookingHolderError               booking.not_holder
    │   └── NotScheduleOwnerError               one_on_one.not_schedule_owner
    ├── NotFoundError (LookupError)             no such aggregate
    │   └── SeriesOccurrenceNotFoundError       series.occurrence_not_found
    ├── InvalidTransitionError                  the aggregate's state does not allow it
    │   ├── SessionNotScheduledError            sessions.not_scheduled
    │   ├── ReschedulePendingError              sessions.reschedule_pending
    │   ├── NoPendingRescheduleError            sessions.no_pending_reschedule
    │   ├── SeriesOccurrenceNotChangeableError  series.occurrence_not_changeable
    │   ├── DecisionDeadlinePassedError         one_on_one.decision_deadline_passed
    │   ├── IllegalPaymentTransitionError       billing.illegal_transition
    │   ├── SessionNotCancelledError            attendance.session_not_cancelled
    │   ├── SessionNotBookableError             booking.session_not_bookable
    │   ├── BookingSessionClosedError           booking.session_closed
    │   ├── BookingTransitionError              booking.invalid_transition
    │   └── OfferExpiredError                   booking.offer_expired
    ├── PolicyViolationError                    a business rule or policy refuses it
    │   ├── SessionStartInPastError             sessions.start_in_past
    │   ├── RescheduleNoticeTooShortError       sessions.notice_too_short
    │   ├── NewTimeTooSoonError                 sessions.new_time_too_soon
    │   ├── RescheduleNotDueError               sessions.reschedule_not_due
    │   ├── SessionNotEndedError                sessions.not_ended
    │   ├── NoShowTooEarlyError                 sessions.no_show_too_early
    │   ├── JoinWindowClosedError               sessions.join_window_closed
    │   ├── RejoinNotAllowedError               sessions.rejoin_not_allowed
    │   ├── InsufficientFundsError              money.insufficient_funds
    │   ├── RefundExceedsCaptureError           money.refund_exceeds_capture
    │   ├── AmountTooSmallForFeesError          money.amount_too_small_for_fees
    │   ├── SlotNotAvailableError               one_on_one.slot_not_available
    │   ├── ExpiryNotDueError                   one_on_one.expiry_not_due
    │   ├── IntentChangeClosedError             attendance.intent_closed
    │   ├── AttendanceTooEarlyError             attendance.too_early
    │   ├── ClaimTooOldError                    attendance.claim_too_old
    │   ├── TooManySeatsError                   booking.too_many_seats
    │   ├── SeatsUnavailableError               booking.seats_unavailable
    │   ├── OfferNotDueError                    booking.offer_not_due
    │   └── CapacityBelowTakenError             booking.capacity_below_taken
    ├── ConflictError                           it clashes with existing state
    │   ├── DuplicateIdError                    conflict.duplicate_id
    │   ├── IdempotencyKeyReuseError            money.idempotency_key_reused
    │   │   ├── BookingKeyReuseError            booking.idempotency_key_reused
    │   │   └── OrderKeyReuseError              payments.idempotency_key_reused
    │   ├── AlreadyBookedError                  booking.already_booked
    │   ├── SeriesConflictError                 series.conflict
    │   └── CommitmentConflictError             availability.commitment_conflict
    │       ├── TeacherDoubleBookedError        availability.teacher_double_booked
    │       └── StudentDoubleBookedError        availability.student_double_booked
    ├── ConcurrencyError                        somebody else changed it first
    │   └── StaleVersionError                   concurrency.stale_version
    ├── InvalidBankAccountError (InvalidInputError)  payments.invalid_bank_account
    ├── InvalidWebhookError (InvalidInputError)      payments.invalid_webhook
    ├── WeakWebhookSecretError (InvalidInputError)   payments.weak_webhook_secret
    ├── WithdrawalAmountError (PolicyViolationError) payments.withdrawal_amount
    ├── InvalidCalendarError (InvalidInputError)     ical.invalid_calendar
    ├── MissingExtraError (ImportError)         setup.missing_extra
    ├── SchemaOutdatedError (RuntimeError)      setup.schema_outdated
    └── GatewayError                            the payment gateway refused or failed
        ├── GatewayDeclinedError                gateway.declined (definitive)
        ├── GatewayKeyReuseError                gateway.idempotency_key_reused
        ├── GatewayRetryableError               gateway.retryable (not applied)
        └── GatewayOutcomeUnknownError          gateway.outcome_unknown (timeout)

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

from collections.abc import Sequence
from typing import Any, ClassVar

from booking_core._plain import plain

__all__ = [
    "HTTP_STATUS",
    "AlreadyBookedError",
    "AmountTooSmallForFeesError",
    "AttendanceTooEarlyError",
    "BookingCoreError",
    "BookingKeyReuseError",
    "BookingSessionClosedError",
    "BookingTransitionError",
    "CapacityBelowTakenError",
    "ClaimTooOldError",
    "CommitmentConflictError",
    "ConcurrencyError",
    "ConflictError",
    "CurrencyMismatchError",
    "DatetimeOutOfRangeError",
    "DecisionDeadlinePassedError",
    "DuplicateIdError",
    "ExpiryNotDueError",
    "FloatingUntilError",
    "GatewayDeclinedError",
    "GatewayError",
    "GatewayKeyReuseError",
    "GatewayOutcomeUnknownError",
    "GatewayRetryableError",
    "IdempotencyKeyReuseError",
    "IllegalPaymentTransitionError",
    "InsufficientFundsError",
    "IntentChangeClosedError",
    "InvalidAmountError",
    "InvalidBankAccountError",
    "InvalidCalendarError",
    "InvalidDisambiguationError",
    "InvalidDocumentError",
    "InvalidEventError",
    "InvalidInputError",
    "InvalidOverrideError",
    "InvalidRecurrenceRuleError",
    "InvalidSessionTextError",
    "InvalidTransitionError",
    "InvalidValueError",
    "InvalidWebhookError",
    "InvalidWindowError",
    "JoinWindowClosedError",
    "MissingExtraError",
    "NaiveDatetimeError",
    "NewTimeTooSoonError",
    "NoPendingRescheduleError",
    "NoShowTooEarlyError",
    "NotBookingHolderError",
    "NotFoundError",
    "NotScheduleOwnerError",
    "NotSeriesParticipantError",
    "NotSessionParticipantError",
    "OfferExpiredError",
    "OfferNotDueError",
    "OrderKeyReuseError",
    "OwnPresenceCorrectionError",
    "OwnRescheduleRequestError",
    "PermissionDeniedError",
    "PolicyViolationError",
    "RefundExceedsCaptureError",
    "RejoinNotAllowedError",
    "RepeatedTimeError",
    "RescheduleNotDueError",
    "RescheduleNoticeTooShortError",
    "ReschedulePendingError",
    "SchemaOutdatedError",
    "SeatsUnavailableError",
    "SeriesConflictError",
    "SeriesOccurrenceNotChangeableError",
    "SeriesOccurrenceNotFoundError",
    "SessionNotBookableError",
    "SessionNotCancelledError",
    "SessionNotEndedError",
    "SessionNotScheduledError",
    "SessionRoleNotAllowedError",
    "SessionStartInPastError",
    "SkippedTimeError",
    "SlotNotAvailableError",
    "StaleVersionError",
    "StudentDoubleBookedError",
    "TeacherDoubleBookedError",
    "TooManySeatsError",
    "UnknownCurrencyError",
    "UnknownTypeNameError",
    "UnknownZoneError",
    "UnsupportedRecurrencePartError",
    "WeakWebhookSecretError",
    "WithdrawalAmountError",
    "http_status_table",
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
        shown = {name: _shown(value) for name, value in details.items()}
        super().__init__(self.template.format(**shown))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle support: the error crosses processes with its message and details.

        Worker pools (``multiprocessing``, ``concurrent.futures``, task queues)
        pickle a raised error to hand it to the parent; the keyword-only
        constructor cannot be called with the positional message the default
        pickling passes, so the copy is rebuilt from its arguments and attributes
        without running the constructor again.
        """
        return (_restored, (type(self), self.args), self.__dict__)

    @property
    def message(self) -> str:
        """The human-readable message (the same as ``str(error)``)."""
        return str(self)

    @property
    def http_status(self) -> int:
        """The HTTP status of this refusal, from its family in :data:`HTTP_STATUS`.

        Example:
            >>> from booking_core.errors import NotFoundError
            >>> NotFoundError(kind="session", id="s-1").http_status
            404
        """
        return _status_of(type(self))

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON types only: ``code``, ``message``, ``field``, ``details``.

        ``field`` is the input field the refusal names (``None`` when it names
        none), for form errors. ``details`` holds every keyword detail rendered as
        a plain value: datetimes, dates and times as ISO 8601 strings, durations as
        ISO 8601 durations (``"PT1H30M"``), ``Money`` as ``{"amount": "10.50",
        "currency": "INR"}`` (the amount an exact decimal string), enums as their
        values, zones as IANA names, attrs values (a ``Commitment``, an ``Actor``,
        a ``TimeWindow``) as dicts of their fields, collections as lists; anything
        else as its ``str``. ``json.dumps(error.to_dict())`` always works.

        Example:
            >>> import json
            >>> from datetime import datetime
            >>> from booking_core.errors import NaiveDatetimeError
            >>> wall = datetime(2026, 3, 29, 1, 30)
            >>> err = NaiveDatetimeError(field="start", value=wall)
            >>> d = err.to_dict()
            >>> d["code"], d["field"], d["details"]["value"]
            ('time.naive_datetime', 'start', '2026-03-29T01:30:00')
            >>> json.loads(json.dumps(d)) == d
            True
        """
        field = self.details.get("field")
        return {
            "code": self.code,
            "message": self.message,
            "field": None if field is None else str(field),
            "details": {str(k): plain(v) for k, v in self.details.items()},
        }


def _restored(cls: type[BookingCoreError], args: tuple[Any, ...]) -> BookingCoreError:
    """An error of ``cls`` with ``args``; pickle restores its attributes after.

    ``args`` is set after ``__new__`` because built-in bases such as
    ``PermissionError`` leave it to ``__init__``, which is not run here.
    """
    error = cls.__new__(cls)
    error.args = args
    return error


def _shown(value: Any) -> Any:
    """A detail as the message shows it: huge numbers and texts cut short.

    Refusing hostile input must not fail in turn: a 5000-digit int cannot even
    be turned into text, and a megabyte of text does not belong in a message.
    """
    if isinstance(value, int) and value.bit_length() > _MAX_SHOWN_BITS:
        return f"<an integer of {value.bit_length()} bits>"
    if isinstance(value, str) and len(value) > _MAX_SHOWN_CHARS:
        return value[:_MAX_SHOWN_CHARS] + "..."
    return value


_MAX_SHOWN_BITS = 256
_MAX_SHOWN_CHARS = 500


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
    """Raised when a datetime lies outside the span the library supports."""

    code = "time.out_of_range"
    template = "{field} {value} is outside the supported span ({span})"


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


class InvalidDocumentError(InvalidInputError):
    """Raised when a stored document cannot be decoded; ``path`` says where in it.

    ``path`` is a JSONPath-like location such as ``$.f.seats[3].f.at``.
    """

    code = "codec.invalid_document"
    template = "stored document is invalid at {path}: {reason}"


class UnknownTypeNameError(InvalidDocumentError):
    """Raised when a stored document names a type that is not in the codec registry."""

    code = "codec.unknown_type"
    template = (
        "stored document names unknown type {name!r} at {path}; only the library's "
        "types and those registered with codec.register_type() are decoded"
    )


class InvalidEventError(InvalidInputError):
    """Raised when an event's JSON (``DomainEvent.from_dict``) is malformed.

    ``field`` names the place, dotted from the event's top level
    (``data.window.start``, ``data.transfers[2].amount``, ``name``).
    """

    code = "events.invalid_event"
    template = "event {field} is invalid: {reason}"


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


# -- sessions -------------------------------------------------------------------


class SessionRoleNotAllowedError(PermissionDeniedError):
    """Raised when the actor's role may not perform a session command at all."""

    code = "sessions.role_not_allowed"
    template = "{actor} may not {action}; allowed roles: {allowed}"


class NotSessionParticipantError(PermissionDeniedError):
    """Raised when the actor is neither the session's teacher nor a booked student."""

    code = "sessions.not_participant"
    template = (
        "{actor} may not {action} of session {session_id!r}: only its teacher, "
        "its booked students and admins may"
    )


class OwnRescheduleRequestError(PermissionDeniedError):
    """Raised when somebody answers a reschedule request they made themselves."""

    code = "sessions.own_reschedule_request"
    template = (
        "{actor} made the reschedule request of session {session_id!r} and may not "
        "{action} it; the other party ({allowed}) answers it"
    )


class SessionNotScheduledError(InvalidTransitionError):
    """Raised when a command needs a scheduled session but it is already closed."""

    code = "sessions.not_scheduled"
    template = (
        "cannot {action} session {session_id!r}: it is {status}; only a scheduled "
        "session can change"
    )


class ReschedulePendingError(InvalidTransitionError):
    """Raised when a reschedule is requested while another one is still pending."""

    code = "sessions.reschedule_pending"
    template = (
        "session {session_id!r} already has a pending reschedule request (made by "
        "{requested_by}, answer due {respond_by}); only one may be pending"
    )


class NoPendingRescheduleError(InvalidTransitionError):
    """Raised when a reschedule is approved, declined or expired but none is pending."""

    code = "sessions.no_pending_reschedule"
    template = (
        "cannot {action} on session {session_id!r}: it has no pending reschedule "
        "request; request one first"
    )


class SessionStartInPastError(PolicyViolationError):
    """Raised when a session is scheduled to start at or before the current time."""

    code = "sessions.start_in_past"
    template = "a session must start after now ({now}); got start {start}"


class RescheduleNoticeTooShortError(PolicyViolationError):
    """Raised when a reschedule is requested with less notice than the role needs."""

    code = "sessions.notice_too_short"
    template = (
        "{role} must request a reschedule at least {required} before the start "
        "({start}); only {remaining} remain"
    )


class NewTimeTooSoonError(PolicyViolationError):
    """Raised when a reschedule's new start is not far enough in the future."""

    code = "sessions.new_time_too_soon"
    template = (
        "the new start {new_start} must be at least {lead} after now ({now}); "
        "pick {earliest} or later"
    )


class RescheduleNotDueError(PolicyViolationError):
    """Raised when a pending reschedule is expired before its answer is due."""

    code = "sessions.reschedule_not_due"
    template = (
        "the reschedule request of session {session_id!r} can be answered until "
        "{respond_by}; it may only be expired from then on (now is {now})"
    )


class SessionNotEndedError(PolicyViolationError):
    """Raised when a session is completed before it may be (before its end)."""

    code = "sessions.not_ended"
    template = (
        "session {session_id!r} may be completed by {actor} from {earliest} on "
        "(now is {now})"
    )


class NoShowTooEarlyError(PolicyViolationError):
    """Raised when a session is marked missed before the no-show limit passed."""

    code = "sessions.no_show_too_early"
    template = (
        "session {session_id!r} can be marked missed from {earliest} on "
        "({limit} after its start); now is {now}"
    )


class JoinWindowClosedError(PolicyViolationError):
    """Raised when somebody joins a session outside its join window."""

    code = "sessions.join_window_closed"
    template = (
        "session {session_id!r} can be joined from {opens} until before {closes}; "
        "now is {now}"
    )


class RejoinNotAllowedError(PolicyViolationError):
    """Raised when somebody rejoins a session whose policy forbids rejoining."""

    code = "sessions.rejoin_not_allowed"
    template = (
        "{actor} already joined session {session_id!r}; the policy forbids rejoining"
    )


class InvalidSessionTextError(InvalidInputError):
    """Raised when a reason or notes text is too short or too long after trimming."""

    code = "sessions.invalid_text"
    template = (
        "{field} must be {minimum} to {maximum} characters after trimming; got {length}"
    )


# -- recurrence -----------------------------------------------------------------


class InvalidRecurrenceRuleError(InvalidInputError):
    """Raised when a recurrence rule, or one part of an RRULE string, is malformed."""

    code = "recurrence.invalid_rule"
    template = "invalid recurrence rule part {part}: {reason}; got {value!r}"


class UnsupportedRecurrencePartError(InvalidInputError):
    """Raised when an RRULE uses a part or value the library does not support."""

    code = "recurrence.unsupported_part"
    template = (
        "{part} is not supported (got {value!r}); supported: FREQ=DAILY, WEEKLY, "
        "MONTHLY or YEARLY with INTERVAL, COUNT or UNTIL, BYMONTH, BYMONTHDAY, "
        "BYDAY, BYSETPOS and WKST"
    )


class FloatingUntilError(InvalidInputError):
    """Raised when an RRULE ``UNTIL`` is a local date-time without ``Z``.

    RFC 5545 requires ``UNTIL`` in UTC when the start has a time zone; reading a
    floating value as UTC would silently move the end by the zone's offset.
    """

    code = "recurrence.floating_until"
    template = (
        "UNTIL={value} is a local date-time without 'Z'; write it in UTC "
        "(UNTIL={value}Z) or as an inclusive local date (UNTIL={day})"
    )


class InvalidOverrideError(InvalidInputError):
    """Raised when a moved occurrence does not fit its recurrence."""

    code = "recurrence.invalid_override"
    template = (
        "cannot move the occurrence at {original} to {moved}: {reason}; only "
        "occurrences of the rule can be moved, each to an instant no other "
        "occurrence uses"
    )


# -- availability -----------------------------------------------------------------


class CommitmentConflictError(ConflictError):
    """Raised when a new commitment overlaps one its teacher or student holds.

    The family of the double-booking errors. :attr:`conflicting` is the
    commitment already held; :attr:`commitment` the one refused.
    """

    code = "availability.commitment_conflict"
    template = (
        "overlaps {kind} {ref_id!r} ({start} to {end}); nobody may hold two "
        "overlapping commitments: choose a free slot"
    )
    _is_family = True

    @property
    def conflicting(self) -> Any:
        """The existing commitment that the refused one overlaps."""
        return self.details["conflicting"]

    @property
    def commitment(self) -> Any:
        """The commitment that was refused."""
        return self.details["commitment"]


class TeacherDoubleBookedError(CommitmentConflictError):
    """Raised when a teacher would hold two overlapping commitments."""

    code = "availability.teacher_double_booked"
    template = (
        "teacher {person!r} already holds {kind} {ref_id!r} from {start} to {end}; "
        "a teacher can hold only one commitment at a time: choose a free slot"
    )


class StudentDoubleBookedError(CommitmentConflictError):
    """Raised when a student would hold two overlapping commitments.

    Switched off with ``ConflictPolicy(check_students=False)``.
    """

    code = "availability.student_double_booked"
    template = (
        "student {person!r} already holds {kind} {ref_id!r} from {start} to {end}; "
        "a student can hold only one commitment at a time (unless the conflict "
        "policy allows it): choose another time"
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


# -- series ----------------------------------------------------------------------


class NotSeriesParticipantError(PermissionDeniedError):
    """Raised when the actor is neither the series' teacher or student nor an admin."""

    code = "series.not_participant"
    template = (
        "{actor} may not {action} of series {series_id!r}: only its teacher, its "
        "student, admins and the system may"
    )


class SeriesOccurrenceNotFoundError(NotFoundError):
    """Raised when a series has no booked occurrence with the given index."""

    code = "series.occurrence_not_found"
    template = (
        "series {series_id!r} has no booked occurrence #{index}; booked "
        "occurrences: {booked}"
    )


class SeriesOccurrenceNotChangeableError(InvalidTransitionError):
    """Raised when a cancelled or already started occurrence is cancelled or moved."""

    code = "series.occurrence_not_changeable"
    template = (
        "cannot {action} occurrence #{index} of series {series_id!r}: it is "
        "{state}; only active occurrences that have not started can change"
    )


class SeriesConflictError(ConflictError):
    """Raised when occurrences of a series clash and the mode forbids skipping them."""

    code = "series.conflict"
    template = (
        "series {series_id!r} cannot {action}: {count} occurrence(s) conflict, "
        "first #{index} at {start} ({reason}); nothing was booked or changed, use "
        "conflict mode skip_conflicts to book the free ones, or choose another time"
    )


# -- one_on_one ------------------------------------------------------------------


class SlotNotAvailableError(PolicyViolationError):
    """Raised when a 1:1 slot is not among the teacher's bookable slots (any more)."""

    code = "one_on_one.slot_not_available"
    template = (
        "teacher {teacher_id!r} has no bookable slot from {start} to {end}; only "
        "slots listed as free (inside availability, outside blackouts and buffers, "
        "with enough notice, within the horizon and the daily cap) can be booked"
    )


# -- attendance and billing -----------------------------------------------------


class IllegalPaymentTransitionError(InvalidTransitionError):
    """Raised when a payment status move is not in the allowed transitions table."""

    code = "billing.illegal_transition"
    template = (
        "payment status cannot move from {current!r} to {target!r}; from "
        "{current!r} it may move to: {allowed}"
    )


class IntentChangeClosedError(PolicyViolationError):
    """Raised when an attendee's intent changes after the start or after not going."""

    code = "attendance.intent_closed"
    template = (
        "attendee {attendee_id!r} cannot change intent from {current!r} to "
        "{target!r}: {reason}; intent may change only before the session starts "
        "and a cancellation (not_going) is final"
    )


class AttendanceTooEarlyError(PolicyViolationError):
    """Raised when attendance is marked before the session has ended."""

    code = "attendance.too_early"
    template = (
        "attendance of session {session_id!r} cannot be marked at {now}; it can "
        "be marked from the session's end ({end}) on"
    )


class ClaimTooOldError(PolicyViolationError):
    """Raised when a live join or leave claims a time too long before its recording.

    Details:
        field: ``entry.at``.
        claimed: The claimed time.
        recorded: When it was being recorded.
        limit: ``ParticipationPolicy.claim_lag``.
    """

    code = "attendance.claim_too_old"
    template = (
        "a {kind} claimed at {claimed} cannot be recorded live at {recorded}: a "
        "live claim may lie at most {limit} before its recording (claim_lag); "
        "a teacher, admin or the system may record it as a correction with a "
        "reason"
    )


class OwnPresenceCorrectionError(PermissionDeniedError):
    """Raised when somebody corrects their own join/leave log."""

    code = "attendance.own_correction"
    template = (
        "{actor} cannot correct their own presence in session {session_id!r}; "
        "a correction comes from the session's teacher (for a student), an "
        "admin or the system"
    )


class SessionNotCancelledError(InvalidTransitionError):
    """Raised when the cancellation cascade runs on a session that is not cancelled."""

    code = "attendance.session_not_cancelled"
    template = (
        "session {session_id!r} is {status}; its attendees are excused only once "
        "the session is cancelled"
    )


# -- payments -------------------------------------------------------------------


class InvalidBankAccountError(InvalidInputError):
    """Raised when bank account fields (holder, account number, IFSC) are invalid.

    One error names *every* invalid field. Build it from ``problems``, a
    sequence of ``(field, reason, shown value)``; the shown value of an account
    number must already be masked (last four digits only), the error never
    sees the full number.

    Details:
        fields: Every invalid field, in the order given.
        field: The first of them (for hosts that show one).
        problems: ``{field: reason}``.
        values: ``{field: shown value}`` (account numbers masked).

    Example:
        >>> error = InvalidBankAccountError(problems=[
        ...     ("account_number", "must be 9 to 18 digits", "X2345"),
        ...     ("ifsc", "must look like HDFC0001234", "HDFC1"),
        ... ])
        >>> error.details["fields"]
        ('account_number', 'ifsc')
        >>> print(error)  # doctest: +NORMALIZE_WHITESPACE
        bank account is invalid: account_number must be 9 to 18 digits (got
        'X2345'); ifsc must look like HDFC0001234 (got 'HDFC1'); correct every
        listed field and submit the account again
    """

    code = "payments.invalid_bank_account"
    template = (
        "bank account is invalid: {summary}; correct every listed field and "
        "submit the account again"
    )

    def __init__(self, *, problems: Sequence[tuple[str, str, str]]) -> None:
        """Name each ``(field, reason, shown value)`` of ``problems``."""
        found = tuple(problems)
        super().__init__(
            field=found[0][0],
            fields=tuple(field for field, _, _ in found),
            problems={field: reason for field, reason, _ in found},
            values={field: shown for field, _, shown in found},
            summary="; ".join(
                f"{field} {reason} (got {shown!r})" for field, reason, shown in found
            ),
        )


class InvalidWebhookError(InvalidInputError):
    """Raised when a webhook is malformed or its signature does not verify.

    Malformed covers a body that is not ``bytes`` or is too large, a signature
    header that is missing or not 64 hex characters, and a body that is not a
    JSON object with the documented keys. Nothing was changed.
    """

    code = "payments.invalid_webhook"
    template = (
        "webhook refused: {reason}; only raw bytes bodies signed with the shared "
        "secret (HMAC-SHA256, 64 hex characters) and carrying a JSON object are "
        "accepted"
    )


class WeakWebhookSecretError(InvalidInputError):
    """Raised when a webhook secret is missing, empty or too short to trust.

    With a weak secret anybody could sign a webhook, so a gateway, verifier or
    service refuses to be built with one.
    """

    code = "payments.weak_webhook_secret"
    template = (
        "webhook secret refused: {reason}; use the secret the gateway issued, as "
        "bytes (or str, UTF-8 encoded) of at least {minimum} bytes"
    )


class OrderKeyReuseError(IdempotencyKeyReuseError):
    """Raised when a booking's order is opened again with other content.

    One booking is paid by one order: opening it again returns that order only
    when the teacher, amount and currency are the same.
    """

    code = "payments.idempotency_key_reused"
    template = (
        "booking {key!r} already has an order for {existing}; the new request "
        "{requested} differs in {differs}: resend exactly the same order or use "
        "another booking id"
    )


class WithdrawalAmountError(PolicyViolationError):
    """Raised when a withdrawal is below the minimum or above the maximum."""

    code = "payments.withdrawal_amount"
    template = (
        "cannot withdraw {amount}: withdrawals must be between {minimum} and {maximum}"
    )


class GatewayError(BookingCoreError):
    """Raised when the payment gateway refuses or fails a call; the family.

    :attr:`retryable` says what a caller may do: ``False`` (definitive: declined,
    invalid, key reused) never retry; ``True`` retry with the *same*
    idempotency key, never a new one.
    """

    _is_family = True
    code = "gateway.error"
    template = "the payment gateway failed to {operation}: {reason}"
    retryable: ClassVar[bool] = False


class GatewayDeclinedError(GatewayError):
    """Raised when the gateway definitively refuses a call (declined, invalid).

    Never retry: the outcome is known and nothing was applied.
    """

    code = "gateway.declined"
    template = (
        "the payment gateway declined to {operation}: {reason}; nothing was "
        "applied and retrying will not help"
    )


class GatewayKeyReuseError(GatewayError):
    """Raised when a gateway idempotency key is reused with other content."""

    code = "gateway.idempotency_key_reused"
    template = (
        "idempotency key {key!r} was used for {existing}; the new request "
        "{requested} differs: resend exactly the same request or use a new key"
    )


class GatewayRetryableError(GatewayError):
    """Raised when the gateway failed before applying (rate limit, 5xx).

    Retry later with the same idempotency key.
    """

    code = "gateway.retryable"
    template = (
        "the payment gateway could not {operation} ({reason}); nothing was "
        "applied: retry with the same idempotency key"
    )
    retryable = True


class GatewayOutcomeUnknownError(GatewayError):
    """Raised when a gateway call timed out and may or may not have been applied.

    Look the outcome up, or retry with the same idempotency key (never a new one).
    """

    code = "gateway.outcome_unknown"
    template = (
        "the payment gateway did not answer {operation} ({reason}); it may have "
        "been applied: retry with the same idempotency key or look it up"
    )
    retryable = True


# -- calendar interop and setup ---------------------------------------------------


class InvalidCalendarError(InvalidInputError):
    """Raised when an iCalendar (RFC 5545) text cannot be read or holds too much."""

    code = "ical.invalid_calendar"
    template = "the calendar cannot be used: {reason}"


class MissingExtraError(BookingCoreError, ImportError):
    """Raised when a feature needs an optional extra that is not installed."""

    code = "setup.missing_extra"
    template = (
        "{feature} needs the optional dependency {package!r}: install "
        "booking-core-domain[{extra}]"
    )


class SchemaOutdatedError(BookingCoreError, RuntimeError):
    """Raised when a store opened without migrating lacks migration steps.

    A host that migrates separately (``migrate=False``) opened a database whose
    schema has fewer steps than this version of the library needs; nothing was
    read or written. Run ``booking-core db upgrade --dsn …`` first.
    """

    code = "setup.schema_outdated"
    template = (
        "the {database} store {store!r} has {found} of the {needed} schema "
        "migration steps this version needs: run `booking-core db upgrade` (or "
        "open it with migrate=True) before opening it with migrate=False"
    )


# -- booking --------------------------------------------------------------------


class NotBookingHolderError(PermissionDeniedError):
    """Raised when an actor acts on a booking that is not theirs to act on."""

    code = "booking.not_holder"
    template = "{actor} may not {action} booking {booking_id!r}; allowed: {allowed}"


class SessionNotBookableError(InvalidTransitionError):
    """Raised when seats are booked on a session that does not take bookings."""

    code = "booking.session_not_bookable"
    template = (
        "cannot {action} on session {session_id!r}: {reason}; seats can only be "
        "booked on a scheduled group session before it starts"
    )


class BookingSessionClosedError(InvalidTransitionError):
    """Raised when a person cancels a booking whose session is closed or started."""

    code = "booking.session_closed"
    template = (
        "cannot cancel booking {booking_id!r}: its session {session_id!r} {reason}; "
        "a booking is cancelled by people while its session is scheduled and has "
        "not started (the bookings of a closed session are closed with it)"
    )


class BookingTransitionError(InvalidTransitionError):
    """Raised when a booking's status does not allow the command."""

    code = "booking.invalid_transition"
    template = (
        "cannot {action} booking {booking_id!r}: it is {status}; allowed from: "
        "{allowed}"
    )


class OfferExpiredError(InvalidTransitionError):
    """Raised when a seat offer is accepted at or after its expiry."""

    code = "booking.offer_expired"
    template = (
        "the seat offer of booking {booking_id!r} expired at {expires_at}; it can "
        "be accepted only before then"
    )


class TooManySeatsError(PolicyViolationError):
    """Raised when one booking asks for more seats than the policy allows."""

    code = "booking.too_many_seats"
    template = (
        "a booking may hold at most {maximum} seat(s); {requested} were requested"
    )


class SeatsUnavailableError(PolicyViolationError):
    """Raised when a session without a waitlist has fewer free seats than asked."""

    code = "booking.seats_unavailable"
    template = (
        "session {session_id!r} has {available} free seat(s) and no waitlist; "
        "{requested} requested, book at most {available}"
    )


class OfferNotDueError(PolicyViolationError):
    """Raised when a seat offer is expired before its expiry time."""

    code = "booking.offer_not_due"
    template = (
        "the seat offer of booking {booking_id!r} runs until {expires_at}; it can "
        "be expired only from then on"
    )


class CapacityBelowTakenError(PolicyViolationError):
    """Raised when a capacity change would drop below the seats already taken."""

    code = "booking.capacity_below_taken"
    template = (
        "cannot set the capacity of session {session_id!r} to {capacity}: {taken} "
        "seat(s) are confirmed or offered; the capacity must be at least {taken} "
        "(nobody is evicted: cancel bookings first)"
    )


class AlreadyBookedError(ConflictError):
    """Raised when a student books a session they already hold a booking on."""

    code = "booking.already_booked"
    template = (
        "student {student_id!r} already holds booking {booking_id!r} ({status}) on "
        "session {session_id!r}; one active booking per student and session, "
        "change or cancel that one"
    )


class BookingKeyReuseError(IdempotencyKeyReuseError):
    """Raised when a booking command reuses an idempotency key with other content."""

    code = "booking.idempotency_key_reused"
    template = (
        "idempotency key {key!r} was used for {existing}; the new request "
        "{requested} differs, use a new key for a different command or resend "
        "exactly the same one"
    )


class DecisionDeadlinePassedError(InvalidTransitionError):
    """Raised when a pending 1:1 request is confirmed or declined after its deadline."""

    code = "one_on_one.decision_deadline_passed"
    template = (
        "cannot {action} booking {booking_id!r}: its decision deadline {deadline} "
        "has passed; an undecided request expires then and frees its slot"
    )


class ExpiryNotDueError(PolicyViolationError):
    """Raised when a pending 1:1 request is expired before its decision deadline."""

    code = "one_on_one.expiry_not_due"
    template = (
        "booking {booking_id!r} may still be decided until {deadline}; a pending "
        "request expires only from its deadline on"
    )


# -- 1:1 service ------------------------------------------------------------------


class NotScheduleOwnerError(PermissionDeniedError):
    """Raised when someone other than the teacher or an admin sets a schedule."""

    code = "one_on_one.not_schedule_owner"
    template = (
        "{actor} may not set teacher {teacher_id!r}'s availability; only the "
        "teacher themself or an admin may"
    )


# -- HTTP -----------------------------------------------------------------------

HTTP_STATUS: tuple[tuple[type[BookingCoreError], int, str], ...] = (
    (
        InvalidInputError,
        422,
        "the request was understood but a value is invalid (400 stays with the "
        "host for bodies it cannot parse)",
    ),
    (PermissionDeniedError, 403, "the actor is known but may not do this"),
    (NotFoundError, 404, "no such aggregate"),
    (
        InvalidTransitionError,
        409,
        "the resource's current state does not allow the command",
    ),
    (
        PolicyViolationError,
        409,
        "a rule refuses it given the current state and time; the same request "
        "may succeed in another state or at another time",
    ),
    (ConflictError, 409, "it clashes with state that already exists"),
    (
        GatewayError,
        502,
        "the payment gateway refused or failed; the error's retryable flag says "
        "whether resending with the same idempotency key may help",
    ),
    (
        MissingExtraError,
        500,
        "the host's installation lacks an optional extra: a server fault",
    ),
    (
        SchemaOutdatedError,
        500,
        "the host deployed without migrating its store: a server fault",
    ),
    (
        ConcurrencyError,
        409,
        "a concurrent write won (after the service's own retries); reload and "
        "resend, safely with the same idempotency key",
    ),
)
"""Error family -> (HTTP status, why): the one table behind ``error.http_status``.

Looked up along the class's method resolution order, so every error takes the
status of its nearest family; the base :class:`BookingCoreError` alone is
``400``. ``docs/errors.md`` renders this table (:func:`http_status_table`).
"""

_BASE_STATUS = (400, "a refusal outside every family (never raised by the library)")


def _status_of(cls: type[BookingCoreError]) -> int:
    families = {family: status for family, status, _ in HTTP_STATUS}
    for klass in cls.__mro__:
        if klass in families:
            return families[klass]
    return _BASE_STATUS[0]


def http_status_table() -> str:
    """The Markdown table of :data:`HTTP_STATUS`, as ``docs/errors.md`` shows it.

    Returns:
        One row per family (and the base), with its status and the reason.
    """
    rows = [
        "| family | HTTP status | why |",
        "| --- | --- | --- |",
        *(
            f"| `{family.__name__}` (`{family.code}`) | {status} | {why} |"
            for family, status, why in HTTP_STATUS
        ),
        f"| `BookingCoreError` (any other) | {_BASE_STATUS[0]} | {_BASE_STATUS[1]} |",
    ]
    return "\n".join(rows) + "\n"
