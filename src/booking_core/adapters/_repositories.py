"""Concept repositories written once over the staging unit of work.

Every adapter's unit of work derives from
:class:`~booking_core.adapters._staging.StagingUnitOfWork`, so a concept
repository needs nothing but ``uow.repository(name, cls)`` and its ``find``
indexes; :class:`StagedUnitOfWork` names one of each (``uow.sessions``,
``uow.bookings`` …) for every adapter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar, Generic, TypeVar

import attrs

from booking_core._payment_status import PaymentStatus
from booking_core._validation import check_key, utc_instant
from booking_core.adapters._staging import Indexer, StagedRepository, StagingUnitOfWork
from booking_core.attendance.model import Attendee
from booking_core.availability.schedule import StudentCalendar, TeacherSchedule
from booking_core.bookings.model import (
    Booking,
    BookingStatus,
    BookingType,
    CommandRecord,
)
from booking_core.errors import InvalidValueError, NotFoundError
from booking_core.intervals import TimeWindow
from booking_core.money.currency import get_currency
from booking_core.money.dues import SettlementDue
from booking_core.money.ledger import LedgerAccount, LedgerEntry, Transfer, plan_posting
from booking_core.money.payments import BookingPayment
from booking_core.money.webhooks import ProcessedWebhook
from booking_core.money.withdrawals import Withdrawal, WithdrawalStatus
from booking_core.ports import Versioned
from booking_core.reminders import ReminderClaim
from booking_core.series.model import BookingSeries
from booking_core.sessions.model import Session, SessionStatus

__all__ = [
    "ATTENDEES",
    "BOOKINGS",
    "BOOKING_COMMANDS",
    "BOOKING_PAYMENTS",
    "DEFAULT_INDEXES",
    "LEDGER_ACCOUNTS",
    "LEDGER_ENTRIES",
    "LONG_DAYS",
    "PROCESSED_WEBHOOKS",
    "REMINDER_CLAIMS",
    "SERIES",
    "SESSIONS",
    "SETTLEMENT_DUES",
    "STUDENT_CALENDARS",
    "TEACHER_SCHEDULES",
    "WITHDRAWALS",
    "StagedAggregateRepository",
    "StagedAttendeeRepository",
    "StagedBookingPaymentRepository",
    "StagedBookingRepository",
    "StagedBookingSeriesRepository",
    "StagedCommandRecords",
    "StagedLedgerJournal",
    "StagedProcessedWebhookRepository",
    "StagedReminderClaimRepository",
    "StagedSessionRepository",
    "StagedSettlementDueRepository",
    "StagedStudentCalendarRepository",
    "StagedTeacherScheduleRepository",
    "StagedUnitOfWork",
    "StagedWithdrawalRepository",
    "active_key",
    "day_entries",
    "due_value",
    "index_attendee",
    "index_booking",
    "index_booking_payment",
    "index_ledger_account",
    "index_ledger_entry",
    "index_series",
    "index_session",
    "index_settlement_due",
    "index_withdrawal",
    "page",
    "start_hour",
    "start_hours",
]

LONG_DAYS = 7
"""An item spanning more UTC days than this is indexed in its owner's long bucket."""

_TICK = timedelta(microseconds=1)

_In = TypeVar("_In")
_Out = TypeVar("_Out")


def _again(function: Callable[[_In], _Out]) -> Callable[[_In], _Out]:
    """``function`` answering its last argument again without recomputing.

    For pure functions of one immutable argument (a window, an instant) that
    one command asks several times about the very same object: a session's
    window is indexed with the session, with its booking, and read around.
    The last ``(argument, result)`` is one tuple, replaced whole (thread-safe).
    """
    last: tuple[object, Any] = (object(), None)

    @functools.wraps(function)
    def again(argument: _In) -> _Out:
        nonlocal last
        kept = last
        if kept[0] is argument:
            return kept[1]  # type: ignore[no-any-return]
        result = function(argument)
        last = (argument, result)
        return result

    return again


@_again
def _utc_days(window: TimeWindow) -> tuple[date, int]:
    first = window.start.astimezone(timezone.utc).date()
    last = (window.end - _TICK).astimezone(timezone.utc).date()
    return first, (last - first).days + 1


def _day_name(name: str, day: date) -> str:
    return f"{name}_day/{day.isoformat()}"


def day_entries(name: str, owner: str, window: TimeWindow) -> Iterator[tuple[str, str]]:
    """The windowed index entries of one item of ``owner`` held over ``window``.

    ``(name + "_day/<UTC day>", owner)`` for every UTC day the window touches,
    or one ``(name + "_long", owner)`` when it touches more than
    :data:`LONG_DAYS` days. A windowed read then looks up the days of its window
    and the long bucket only, whatever the owner's history holds. The value is
    the owner's id itself, so the in-memory store keeps no new string per entry.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> t0 = datetime(2026, 6, 1, 23, tzinfo=timezone.utc)
        >>> list(day_entries("held", "t-1", TimeWindow.of(t0, timedelta(hours=2))))
        [('held_day/2026-06-01', 't-1'), ('held_day/2026-06-02', 't-1')]
        >>> list(day_entries("held", "t-1", TimeWindow.of(t0, timedelta(days=9))))
        [('held_long', 't-1')]
    """
    first, days = _utc_days(window)
    if days > LONG_DAYS:
        yield (f"{name}_long", owner)
        return
    for offset in range(days):
        yield (_day_name(name, first + timedelta(days=offset)), owner)


@_again
def due_value(at: datetime) -> str:
    """An instant as an index value that sorts as text in time order (UTC, µs).

    Due sets are index entries under one name with these values; a
    repository reads what is due by ``find_upto(name, due_value(now))``, one
    range on the index, never the items not due yet.

    Example:
        >>> due_value(datetime(2026, 6, 1, 10, 30, tzinfo=timezone.utc))
        '2026-06-01T10:30:00.000000'
    """
    return (
        at.astimezone(timezone.utc).replace(tzinfo=None).isoformat("T", "microseconds")
    )


_Held = TypeVar("_Held", Session, Booking)


def _overlapping(
    repo: StagedRepository[_Held], name: str, owner: str, window: TimeWindow
) -> list[_Held]:
    """What ``repo`` indexed with :func:`day_entries` overlapping ``window``, by id."""
    first, days = _utc_days(window)
    found = repo.find(f"{name}_long", owner)
    for offset in range(days):
        found.extend(repo.find(_day_name(name, first + timedelta(days=offset)), owner))
    unique = {a.id: a for a in found if a.window.overlaps(window)}
    return [unique[key] for key in sorted(unique)]


SESSIONS = "sessions"
"""The collection that holds sessions."""


_HOUR = timedelta(hours=1)


@_again
def start_hour(instant: datetime) -> str:
    """The ``start_hour`` index value of an instant: its UTC hour.

    ``YYYY-MM-DDTHH``, the first 13 characters of the UTC ISO form (what the
    SQL migrations compute for sessions stored before the index existed).

    Example:
        >>> from datetime import datetime, timezone
        >>> start_hour(datetime(2026, 3, 30, 17, 45, tzinfo=timezone.utc))
        '2026-03-30T17'
    """
    return utc_instant(instant, "instant").isoformat()[:13]


def start_hours(window: TimeWindow) -> list[str]:
    """The ``start_hour`` values of every instant in ``window``, in order.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> at = datetime(2026, 3, 30, 16, 30, tzinfo=timezone.utc)
        >>> start_hours(TimeWindow.of(at, timedelta(hours=1)))
        ['2026-03-30T16', '2026-03-30T17']
    """
    hour = window.start.replace(minute=0, second=0, microsecond=0)
    hours = []
    while hour < window.end:
        hours.append(start_hour(hour))
        hour += _HOUR
    return hours


def index_session(session: Session) -> list[tuple[str, str]]:
    """Index entries of a session: by status, by teacher, due by time.

    While scheduled: ``("scheduled_start", due_value(start))`` (the monitor's
    no-show and completion due set) and the teacher's day buckets
    (:func:`day_entries`, ``scheduled``), so a session that ends leaves them;
    ``("reschedule_due", due_value(respond_by))`` while a reschedule request
    is pending; ``("start_hour", start_hour(start))`` while scheduled,
    for the monitor's reminders
    (:meth:`StagedSessionRepository.scheduled_starting`).
    """
    entries = [("status", session.status.value), ("teacher", session.teacher_id)]
    if session.pending_reschedule is not None:
        entries.append(
            ("reschedule_due", due_value(session.pending_reschedule.respond_by))
        )
    if session.status is SessionStatus.SCHEDULED:
        entries.append(("scheduled_start", due_value(session.start)))
        entries.extend(day_entries("scheduled", session.teacher_id, session.window))
        entries.append(("start_hour", start_hour(session.start)))
    return entries


SERIES = "booking_series"
"""The collection that holds booking series."""


def index_series(series: BookingSeries) -> list[tuple[str, str]]:
    """Index entries of a series: by teacher, student and booking; when to extend it.

    ``("booking", booking id)`` for every item (cancelled ones too), so the
    series holding a booking is one lookup
    (:meth:`StagedBookingSeriesRepository.of_booking`);
    ``("extend_from", due_value(expanded_until))`` while it has not ended.
    """
    entries = [("teacher", series.teacher_id), ("student", series.student_id)]
    entries.extend(("booking", item.booking_id) for item in series.items)
    if not series.ended:
        entries.append(("extend_from", due_value(series.expanded_until)))
    return entries


BOOKINGS = "bookings"
"""The collection that holds bookings."""

BOOKING_COMMANDS = "booking_commands"
"""The collection that holds the booking service's idempotency records."""


def active_key(session_id: str, student_id: str) -> str:
    """The index value of the one active booking of (session, student).

    Length-prefixed, so no pair of ids can collide.

    Example:
        >>> active_key("s-1", "ann")
        '3:s-1:ann'
    """
    return f"{len(session_id)}:{session_id}:{student_id}"


def index_booking(booking: Booking) -> Iterator[tuple[str, str]]:
    """Index entries of a booking: by session, teacher, student, state.

    ``("session", session id)`` for every booking, ``("active", active_key)``
    while it is active; ``("teacher", id)`` and ``("student", id)`` for every
    booking; while it is active, the student's day buckets
    (:func:`day_entries`, ``student``) and, for a 1:1 booking, the teacher's
    (``teacher``); ``("pending", "yes")`` while it awaits a 1:1 decision, and
    ``("offer_due", due_value(offer_expires_at))`` while it holds an open seat
    offer.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from booking_core.intervals import TimeWindow
        >>> t0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
        >>> booking = Booking(
        ...     id="b-1", type="group", session_id="s-1", student_id="ann",
        ...     teacher_id="t-1", course_id="c-1", status="cancelled",
        ...     window=TimeWindow.of(t0, timedelta(hours=1)), created_at=t0,
        ... )
        >>> list(index_booking(booking))
        [('session', 's-1'), ('teacher', 't-1'), ('student', 'ann')]
    """
    yield ("session", booking.session_id)
    yield ("teacher", booking.teacher_id)
    yield ("student", booking.student_id)
    if booking.is_active:
        yield ("active", active_key(booking.session_id, booking.student_id))
        yield from day_entries("student", booking.student_id, booking.window)
        if booking.type is BookingType.ONE_ON_ONE:
            yield from day_entries("teacher", booking.teacher_id, booking.window)
    if booking.status is BookingStatus.PENDING:
        yield ("pending", "yes")
    if booking.status is BookingStatus.OFFERED and booking.offer_expires_at is not None:
        yield ("offer_due", due_value(booking.offer_expires_at))


ATTENDEES = "attendees"
"""The collection that holds attendees."""


def index_attendee(attendee: Attendee) -> tuple[tuple[str, str], ...]:
    """Index entries of an attendee: by session, participant, payment status."""
    return (
        ("session", attendee.session_id),
        ("participant", attendee.participant_id),
        ("payment_status", attendee.payment_status.value),
    )


LEDGER_ENTRIES = "ledger_entries"
"""The collection that holds ledger entries (posted transfers), every currency."""

LEDGER_ACCOUNTS = "ledger_accounts"
"""The collection that holds ledger account balances, every currency."""


def index_ledger_entry(entry: LedgerEntry) -> tuple[tuple[str, str], ...]:
    """Index entries of a ledger entry: both accounts, as ``<currency>/<account>``."""
    transfer = entry.transfer
    return (
        ("account", f"{transfer.currency}/{transfer.debit}"),
        ("account", f"{transfer.currency}/{transfer.credit}"),
    )


def index_ledger_account(account: LedgerAccount) -> tuple[tuple[str, str], ...]:
    """Index entries of a ledger account: its currency."""
    return (("currency", account.currency),)


BOOKING_PAYMENTS = "booking_payments"
"""The collection that holds the payment service's booking payment records."""


def index_booking_payment(record: BookingPayment) -> list[tuple[str, str]]:
    """Index entries of a booking payment: its order, and ``pending`` work.

    Pending: no order yet (and not closed), or a refund not yet confirmed.
    """
    entries = []
    if record.order_id is not None:
        entries.append(("order", record.order_id))
    if (record.order_id is None and not record.closed) or (
        record.pending_refund is not None
    ):
        entries.append(("pending", "yes"))
    return entries


SETTLEMENT_DUES = "settlement_dues"
"""The collection that holds settlement dues (bookings whose money must end)."""


def index_settlement_due(due: SettlementDue) -> list[tuple[str, str]]:
    """Index entries of a settlement due: ``("due", "yes")`` while open.

    The monitor's settlement step reads this index only, so a tick's cost
    follows the bookings that ended, not every payment record ever made.
    """
    return [("due", "yes")] if due.open else []


WITHDRAWALS = "withdrawals"
"""The collection that holds withdrawals."""


def index_withdrawal(withdrawal: Withdrawal) -> tuple[tuple[str, str], ...]:
    """Index entries of a withdrawal: its status."""
    return (("status", withdrawal.status.value),)


DEFAULT_INDEXES: dict[str, Indexer] = {
    SESSIONS: index_session,
    SERIES: index_series,
    BOOKINGS: index_booking,
    ATTENDEES: index_attendee,
    LEDGER_ENTRIES: index_ledger_entry,
    LEDGER_ACCOUNTS: index_ledger_account,
    BOOKING_PAYMENTS: index_booking_payment,
    WITHDRAWALS: index_withdrawal,
    SETTLEMENT_DUES: index_settlement_due,
}
"""The library's own collections and their indexers; every store registers them."""


A = TypeVar("A", bound=Versioned)


def page(
    found: list[A],
    *,
    after: str | None = None,
    limit: int | None = None,
    key: Callable[[A], Any] | None = None,
    anchor: Callable[[str], A] | None = None,
) -> list[A]:
    """One page of a list in its order: the items after ``after``, ``limit`` at most.

    ``after`` is the id of the last item of the previous page. A list by id
    continues with the ids above it; a list by ``key`` (then id) continues
    with the items whose key is above ``after``'s current key (``anchor``
    loads it); when ``after`` has no key any more (it left a due set) the
    page starts again from the first item.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a ``limit`` that is not
            a whole number above 0, or a malformed ``after``.

    Example:
        >>> import attrs
        >>> @attrs.frozen
        ... class Item:
        ...     id: str
        ...     version: int = 0
        >>> items = [Item("a"), Item("b"), Item("c")]
        >>> [i.id for i in page(items, limit=2)], [i.id for i in page(items, after="b")]
        (['a', 'b'], ['c'])
    """
    if limit is not None and (type(limit) is not int or limit <= 0):
        raise InvalidValueError(
            field="limit", reason="must be a whole number above 0", value=limit
        )
    if after is not None:
        after = check_key(after, "after")
        if key is None or anchor is None:
            found = [item for item in found if item.id > after]
        else:
            start = key(anchor(after))
            if start[0] is not None:
                found = [item for item in found if key(item) > start]
    return found if limit is None else found[:limit]


def _by_start(session: Session) -> tuple[datetime, str]:
    return (session.start, session.id)


def _by_respond_by(session: Session) -> tuple[datetime | None, str]:
    request = session.pending_reschedule
    return (None if request is None else request.respond_by, session.id)


def _by_expiry(booking: Booking) -> tuple[datetime | None, str]:
    return (booking.offer_expires_at, booking.id)


class StagedAggregateRepository(Generic[A]):
    """What every concept repository has: ``get``, ``add``, ``save`` on one collection.

    Subclasses name the collection and the aggregate type, and add their queries
    on ``self._repo.find``.

    Args:
        uow: The unit of work it stages into.
    """

    collection: ClassVar[str]
    kind: ClassVar[type]

    def __init__(self, uow: StagingUnitOfWork) -> None:
        self._repo: StagedRepository[A] = uow.repository(self.collection, self.kind)

    def get(self, aggregate_id: str) -> A:
        """Load an aggregate by id.

        Raises:
            NotFoundError: ``not_found`` when no aggregate has that id.
        """
        return self._repo.get(aggregate_id)

    def add(self, aggregate: A) -> None:
        """Stage a new aggregate (stored as version 1).

        Raises:
            DuplicateIdError: ``conflict.duplicate_id`` when the id exists.
        """
        self._repo.add(aggregate)

    def save(self, aggregate: A) -> None:
        """Stage a changed aggregate; compare-and-set on commit."""
        self._repo.save(aggregate)


class StagedSessionRepository(StagedAggregateRepository[Session]):
    """A :class:`~booking_core.ports.SessionRepository` over any staging unit of work.

    Args:
        uow: The unit of work it stages into.
    """

    collection = SESSIONS
    kind = Session

    def scheduled_sessions(
        self,
        *,
        starting_before: datetime,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Session]:
        """Scheduled sessions starting before ``starting_before``, by start, id."""
        before = utc_instant(starting_before, "starting_before")
        scheduled = self._repo.find_upto("scheduled_start", due_value(before))
        found = sorted((s for s in scheduled if s.start < before), key=_by_start)
        return page(
            found, after=after, limit=limit, key=_by_start, anchor=self._repo.get
        )

    def pending_reschedules(
        self,
        *,
        due_by: datetime,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Session]:
        """Sessions whose pending request is due by ``due_by``, by deadline, id."""
        found = [
            s
            for s in self._repo.find_upto("reschedule_due", due_value(due_by))
            if s.pending_reschedule is not None
            and s.pending_reschedule.respond_by <= due_by
        ]
        return page(
            sorted(found, key=_by_respond_by),
            after=after,
            limit=limit,
            key=_by_respond_by,
            anchor=self._repo.get,
        )

    def taught_by(
        self, teacher_id: str, *, after: str | None = None, limit: int | None = None
    ) -> list[Session]:
        """Every session of one teacher (any status), by id."""
        return page(self._repo.find("teacher", teacher_id), after=after, limit=limit)

    def scheduled_of(
        self,
        teacher_id: str,
        *,
        overlapping: TimeWindow,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Session]:
        """The teacher's scheduled sessions overlapping ``overlapping``, by id.

        Reads the window's day buckets only (:func:`day_entries`).
        """
        found = _overlapping(self._repo, "scheduled", teacher_id, overlapping)
        return page(found, after=after, limit=limit)

    def scheduled_starting(self, window: TimeWindow) -> list[Session]:
        """Scheduled sessions starting in ``window``, by start, id (by start hour)."""
        found = [
            session
            for hour in start_hours(window)
            for session in self._repo.find("start_hour", hour)
            if session.status is SessionStatus.SCHEDULED
            and window.contains(session.start)
        ]
        return sorted(found, key=lambda s: (s.start, s.id))


class StagedBookingSeriesRepository(StagedAggregateRepository[BookingSeries]):
    """A :class:`~booking_core.ports.BookingSeriesRepository` over any staging UoW.

    Args:
        uow: The unit of work it stages into.
    """

    collection = SERIES
    kind = BookingSeries

    def of_teacher(
        self, teacher_id: str, *, after: str | None = None, limit: int | None = None
    ) -> list[BookingSeries]:
        """The series of one teacher, by id."""
        return page(self._repo.find("teacher", teacher_id), after=after, limit=limit)

    def of_student(
        self, student_id: str, *, after: str | None = None, limit: int | None = None
    ) -> list[BookingSeries]:
        """The series of one student, by id."""
        return page(self._repo.find("student", student_id), after=after, limit=limit)

    def of_booking(self, booking_id: str) -> BookingSeries | None:
        """The series with an item held by ``booking_id``, or ``None`` (one lookup)."""
        found = self._repo.find("booking", booking_id)
        return found[0] if found else None

    def to_extend(
        self, *, until: datetime, after: str | None = None, limit: int | None = None
    ) -> list[BookingSeries]:
        """Series not ended whose ``expanded_until`` is before ``until``, by id."""
        extendable = self._repo.find_upto("extend_from", due_value(until))
        found = [s for s in extendable if s.expanded_until < until]
        return page(found, after=after, limit=limit)


class StagedBookingRepository(StagedAggregateRepository[Booking]):
    """A :class:`~booking_core.ports.BookingRepository` over any staging unit of work.

    Args:
        uow: The unit of work it stages into.
    """

    collection = BOOKINGS
    kind = Booking

    def active_booking(self, session_id: str, student_id: str) -> Booking | None:
        """The student's active booking on the session (one index lookup)."""
        found = self._repo.find("active", active_key(session_id, student_id))
        return found[0] if found else None

    def of_session(
        self, session_id: str, *, after: str | None = None, limit: int | None = None
    ) -> list[Booking]:
        """Every booking of the session, by id."""
        return page(self._repo.find("session", session_id), after=after, limit=limit)

    def offers_due(
        self,
        *,
        due_by: datetime,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Booking]:
        """Open offers expiring at or before ``due_by``, by expiry, then id."""
        found = [
            b
            for b in self._repo.find_upto("offer_due", due_value(due_by))
            if b.offer_expires_at is not None and b.offer_expires_at <= due_by
        ]
        return page(
            sorted(found, key=_by_expiry),
            after=after,
            limit=limit,
            key=_by_expiry,
            anchor=self._repo.get,
        )

    def of_teacher(
        self,
        teacher_id: str,
        *,
        active_only: bool = False,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Booking]:
        """Every booking of the teacher (or only the active ones), by id.

        Reads the teacher's whole history: commands read
        :meth:`one_on_one_of_teacher` for a window instead.
        """
        found = self._repo.find("teacher", teacher_id)
        found = [b for b in found if b.is_active] if active_only else found
        return page(found, after=after, limit=limit)

    def of_student(
        self,
        student_id: str,
        *,
        active_only: bool = False,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Booking]:
        """Every booking of the student (or only the active ones), by id.

        Reads the student's whole history: commands read
        :meth:`active_of_student` for a window instead.
        """
        found = self._repo.find("student", student_id)
        found = [b for b in found if b.is_active] if active_only else found
        return page(found, after=after, limit=limit)

    def one_on_one_of_teacher(
        self,
        teacher_id: str,
        *,
        overlapping: TimeWindow,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Booking]:
        """The teacher's active 1:1 bookings overlapping ``overlapping``, by id.

        Reads the window's day buckets only (:func:`day_entries`).
        """
        found = _overlapping(self._repo, "teacher", teacher_id, overlapping)
        return page(found, after=after, limit=limit)

    def active_of_student(
        self,
        student_id: str,
        *,
        overlapping: TimeWindow,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Booking]:
        """The student's active bookings overlapping ``overlapping``, by id.

        Reads the window's day buckets only (:func:`day_entries`).
        """
        found = _overlapping(self._repo, "student", student_id, overlapping)
        return page(found, after=after, limit=limit)

    def pending_requests(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[Booking]:
        """Every pending booking (1:1 requests awaiting a decision), by id."""
        return page(self._repo.find("pending", "yes"), after=after, limit=limit)


class StagedAttendeeRepository(StagedAggregateRepository[Attendee]):
    """A :class:`~booking_core.ports.AttendeeRepository` over any staging unit of work.

    Args:
        uow: The unit of work it stages into.
    """

    collection = ATTENDEES
    kind = Attendee

    def of_session(
        self, session_id: str, *, after: str | None = None, limit: int | None = None
    ) -> list[Attendee]:
        """Every attendee of ``session_id``, by id."""
        return page(self._repo.find("session", session_id), after=after, limit=limit)

    def of_participant(
        self,
        participant_id: str,
        *,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Attendee]:
        """Every attendee record of ``participant_id``, by id."""
        found = self._repo.find("participant", participant_id)
        return page(found, after=after, limit=limit)

    def with_payment_status(
        self,
        status: PaymentStatus,
        *,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Attendee]:
        """Every attendee whose payment status is ``status``, by id."""
        found = self._repo.find("payment_status", PaymentStatus(status).value)
        return page(found, after=after, limit=limit)


class StagedCommandRecords:
    """:class:`~booking_core.ports.IdempotencyRecords` over any staging unit of work.

    Args:
        uow: The unit of work it stages into.
        collection: The collection holding the records.
    """

    def __init__(
        self, uow: StagingUnitOfWork, collection: str = BOOKING_COMMANDS
    ) -> None:
        self._repo: StagedRepository[CommandRecord] = uow.repository(
            collection, CommandRecord
        )

    def get(self, key: str) -> CommandRecord | None:
        """The record stored under ``key`` (staged or committed), or ``None``."""
        try:
            return self._repo.get(key)
        except NotFoundError:
            return None

    def add(self, record: CommandRecord) -> None:
        """Stage a new record.

        Raises:
            DuplicateIdError: ``conflict.duplicate_id`` for a known key.
        """
        self._repo.add(record)


TEACHER_SCHEDULES = "teacher_schedules"
"""The collection that holds teachers' 1:1 schedules (no secondary index)."""


class StagedTeacherScheduleRepository(StagedAggregateRepository[TeacherSchedule]):
    """A :class:`~booking_core.ports.TeacherScheduleRepository` over any staging UoW.

    Args:
        uow: The unit of work it stages into.
    """

    collection = TEACHER_SCHEDULES
    kind = TeacherSchedule


STUDENT_CALENDARS = "student_calendars"
"""The collection that holds students' 1:1 calendar tokens (no secondary index)."""


class StagedStudentCalendarRepository(StagedAggregateRepository[StudentCalendar]):
    """A :class:`~booking_core.ports.StudentCalendarRepository` over any staging UoW.

    Args:
        uow: The unit of work it stages into.
    """

    collection = STUDENT_CALENDARS
    kind = StudentCalendar


class StagedBookingPaymentRepository(StagedAggregateRepository[BookingPayment]):
    """A :class:`~booking_core.ports.BookingPaymentRepository` over any staging UoW.

    Args:
        uow: The unit of work it stages into.
    """

    collection = BOOKING_PAYMENTS
    kind = BookingPayment

    def by_order(self, order_id: str) -> BookingPayment | None:
        """The record whose gateway order is ``order_id`` (one index lookup)."""
        found = self._repo.find("order", order_id)
        return found[0] if found else None

    def pending(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[BookingPayment]:
        """Records with no order yet or an unconfirmed refund, by id."""
        return page(self._repo.find("pending", "yes"), after=after, limit=limit)

    def all(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[BookingPayment]:
        """Every record, by id."""
        return page(self._repo.list(), after=after, limit=limit)


PROCESSED_WEBHOOKS = "processed_webhooks"
"""The collection that holds applied webhook events (no secondary index)."""


class StagedProcessedWebhookRepository(StagedAggregateRepository[ProcessedWebhook]):
    """A :class:`~booking_core.ports.ProcessedWebhookRepository` over any staging UoW.

    Args:
        uow: The unit of work it stages into.
    """

    collection = PROCESSED_WEBHOOKS
    kind = ProcessedWebhook

    def find(self, event_id: str) -> ProcessedWebhook | None:
        """The record of ``event_id`` (staged or committed), or ``None``."""
        try:
            return self._repo.get(event_id)
        except NotFoundError:
            return None


REMINDER_CLAIMS = "reminder_claims"
"""The collection that holds the reminders already sent (no secondary index)."""


class StagedReminderClaimRepository(StagedAggregateRepository[ReminderClaim]):
    """A :class:`~booking_core.ports.ReminderClaimRepository` over any staging UoW.

    ``add`` is the unique insert: a known id is refused when staging, and on
    commit by the adapter (``conflict.duplicate_id``).

    Args:
        uow: The unit of work it stages into.
    """

    collection = REMINDER_CLAIMS
    kind = ReminderClaim

    def find(self, claim_id: str) -> ReminderClaim | None:
        """The claim stored under ``claim_id`` (staged or committed), or ``None``."""
        try:
            return self._repo.get(claim_id)
        except NotFoundError:
            return None


class StagedSettlementDueRepository(StagedAggregateRepository[SettlementDue]):
    """A :class:`~booking_core.ports.SettlementDueRepository` over any staging UoW.

    Args:
        uow: The unit of work it stages into.
    """

    collection = SETTLEMENT_DUES
    kind = SettlementDue

    def due(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[SettlementDue]:
        """The open dues, by id (one index lookup)."""
        return page(self._repo.find("due", "yes"), after=after, limit=limit)


def _requested(withdrawal: Withdrawal) -> tuple[datetime, str]:
    return (withdrawal.requested_at, withdrawal.id)


class StagedWithdrawalRepository(StagedAggregateRepository[Withdrawal]):
    """A :class:`~booking_core.ports.WithdrawalRepository` over any staging UoW.

    Args:
        uow: The unit of work it stages into.
    """

    collection = WITHDRAWALS
    kind = Withdrawal

    def held(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[Withdrawal]:
        """Withdrawals still held, by request time, then id."""
        found = self._repo.find("status", WithdrawalStatus.HELD.value)
        return page(
            sorted(found, key=_requested),
            after=after,
            limit=limit,
            key=_requested,
            anchor=self._repo.get,
        )

    def all(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[Withdrawal]:
        """Every withdrawal, by request time, then id."""
        return page(
            sorted(self._repo.list(), key=_requested),
            after=after,
            limit=limit,
            key=_requested,
            anchor=self._repo.get,
        )


class StagedLedgerJournal:
    """A :class:`~booking_core.ports.LedgerJournal` of one currency in a unit of work.

    Posting stages the transfers and the new balances of the accounts they touch
    into the unit of work, so they commit atomically with every other aggregate
    of the transaction (or not at all). Each transfer is a
    :class:`~booking_core.money.ledger.LedgerEntry` stored under its key, so a
    concurrent post of the same key fails with a duplicate id (when staging or
    on commit); each
    account is a :class:`~booking_core.money.ledger.LedgerAccount` saved by
    compare-and-set, so concurrent postings to one account never lose an update.
    Retry such a commit from scratch (:func:`booking_core.services.run_in_transaction`
    with ``retry_on=(ConcurrencyError, DuplicateIdError)``): the replay then
    finds the entry and returns the original. The posting rules themselves are
    :func:`~booking_core.money.ledger.plan_posting`, shared with
    :class:`~booking_core.money.ledger.Journal`.

    Reads (``get``, ``balance``, ``history``) see this unit's staged postings.

    Args:
        uow: The unit of work it stages into.
        currency: The ISO 4217 code of every transfer it accepts.
    """

    def __init__(self, uow: StagingUnitOfWork, currency: str) -> None:
        self._currency = get_currency(currency).code
        self._entries: StagedRepository[LedgerEntry] = uow.repository(
            LEDGER_ENTRIES, LedgerEntry
        )
        self._accounts: StagedRepository[LedgerAccount] = uow.repository(
            LEDGER_ACCOUNTS, LedgerAccount
        )

    @property
    def currency(self) -> str:
        """The ISO 4217 code of every transfer in it."""
        return self._currency

    def _id(self, name: str) -> str:
        return f"{self._currency}/{name}"

    def _account(self, account: str) -> LedgerAccount | None:
        try:
            return self._accounts.get(self._id(account))
        except NotFoundError:
            return None

    def get(self, key: str) -> Transfer | None:
        """The transfer posted under ``key`` (staged or committed), or ``None``."""
        try:
            return self._entries.get(self._id(key)).transfer
        except NotFoundError:
            return None

    def balance(self, account: str) -> int:
        """One account's balance in minor units (0 when never used)."""
        found = self._account(account)
        return 0 if found is None else found.balance

    def balances(self) -> dict[str, int]:
        """Every used account's balance in minor units."""
        return {
            found.account: found.balance
            for found in self._accounts.find("currency", self._currency)
        }

    def history(self, account: str) -> tuple[Transfer, ...]:
        """The transfers that touched ``account``, in posting order."""
        entries = self._entries.find("account", self._id(account))
        return tuple(
            entry.transfer
            for entry in sorted(entries, key=lambda entry: entry.seq(account))
        )

    def post(self, transfer: Transfer) -> Transfer:
        """Post one transfer, or return the original of a replay.

        Raises:
            IdempotencyKeyReuseError: ``money.idempotency_key_reused``.
            CurrencyMismatchError: ``money.currency_mismatch``.
            InsufficientFundsError: ``money.insufficient_funds``; nothing staged.
        """
        return self.post_linked((transfer,))[0]

    def post_linked(self, transfers: Iterable[Transfer]) -> tuple[Transfer, ...]:
        """Post transfers all or nothing; replays change nothing.

        Raises:
            IdempotencyKeyReuseError: ``money.idempotency_key_reused``.
            CurrencyMismatchError: ``money.currency_mismatch``.
            InsufficientFundsError: ``money.insufficient_funds``; nothing staged.
        """
        batch = tuple(transfers)
        # Balances are read before any key: reads are not one snapshot, and a
        # twin with the same key committing in between must then show up as its
        # key (a replay) or fail our commit on the balances' compare-and-set,
        # never as its debit without its key (a false "insufficient funds").
        loaded: dict[str, LedgerAccount | None] = {}
        for transfer in batch:
            for account in (transfer.debit, transfer.credit):
                if account not in loaded:
                    loaded[account] = self._account(account)

        def balance(account: str) -> int:
            found = loaded[account]
            return 0 if found is None else found.balance

        plan = plan_posting(
            batch, currency=self._currency, posted=self.get, balance=balance
        )
        states = {
            account: loaded[account]
            or LedgerAccount(
                id=self._id(account), currency=self._currency, account=account
            )
            for account, _ in plan.balances
        }
        entries = []
        for transfer in plan.new:
            debit = states[transfer.debit] = _moved(
                states[transfer.debit], -transfer.amount
            )
            credit = states[transfer.credit] = _moved(
                states[transfer.credit], transfer.amount
            )
            entries.append(
                LedgerEntry(
                    id=self._id(transfer.key),
                    transfer=transfer,
                    debit_seq=debit.entries,
                    credit_seq=credit.entries,
                )
            )
        # Balances first: a lost race then fails the commit on their
        # compare-and-set (a retryable conflict) before the entries' insert.
        for account, state in states.items():
            if loaded[account] is None:
                self._accounts.add(state)
            else:
                self._accounts.save(state)
        for entry in entries:
            self._entries.add(entry)
        return plan.results


def _moved(account: LedgerAccount, amount: int) -> LedgerAccount:
    return attrs.evolve(
        account, balance=account.balance + amount, entries=account.entries + 1
    )


class StagedUnitOfWork(StagingUnitOfWork):
    """A staging unit of work with the library's repositories, one per aggregate.

    Adapters subclass it and supply the committed reads and the atomic commit;
    every repository below is written once, over the staging, for all of them.
    """

    @property
    def sessions(self) -> StagedSessionRepository:
        """The sessions."""
        return StagedSessionRepository(self)

    @property
    def bookings(self) -> StagedBookingRepository:
        """The bookings (group seats and 1:1)."""
        return StagedBookingRepository(self)

    @property
    def records(self) -> StagedCommandRecords:
        """What keyed booking commands did (idempotent retries)."""
        return StagedCommandRecords(self)

    @property
    def attendees(self) -> StagedAttendeeRepository:
        """The attendees of sessions."""
        return StagedAttendeeRepository(self)

    @property
    def series(self) -> StagedBookingSeriesRepository:
        """The recurring booking series."""
        return StagedBookingSeriesRepository(self)

    @property
    def schedules(self) -> StagedTeacherScheduleRepository:
        """The teachers' schedules."""
        return StagedTeacherScheduleRepository(self)

    @property
    def calendars(self) -> StagedStudentCalendarRepository:
        """The students' calendars."""
        return StagedStudentCalendarRepository(self)

    @property
    def payments(self) -> StagedBookingPaymentRepository:
        """The payment records of bookings."""
        return StagedBookingPaymentRepository(self)

    @property
    def withdrawals(self) -> StagedWithdrawalRepository:
        """The teachers' withdrawals."""
        return StagedWithdrawalRepository(self)

    @property
    def webhooks(self) -> StagedProcessedWebhookRepository:
        """The webhook events already applied."""
        return StagedProcessedWebhookRepository(self)

    @property
    def settlements(self) -> StagedSettlementDueRepository:
        """The bookings whose money must end (the money outbox)."""
        return StagedSettlementDueRepository(self)

    @property
    def reminders(self) -> StagedReminderClaimRepository:
        """The reminders already sent (de-duplication by reminder key)."""
        return StagedReminderClaimRepository(self)

    def ledger(self, currency: str) -> StagedLedgerJournal:
        """The ledger journal of ``currency``, staged in this unit of work."""
        return StagedLedgerJournal(self, currency)
