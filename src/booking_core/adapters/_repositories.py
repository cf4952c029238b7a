"""Concept repositories written once over the staging unit of work.

Every adapter's unit of work derives from
:class:`~booking_core.adapters._staging.StagingUnitOfWork`, so a concept
repository needs nothing but ``uow.repository(name, cls)`` and its ``find``
indexes; :class:`StagedUnitOfWork` names one of each (``uow.sessions``,
``uow.bookings`` …) for every adapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import ClassVar, Generic, TypeVar

import attrs

from booking_core._payment_status import PaymentStatus
from booking_core._validation import utc_instant
from booking_core.adapters._staging import Indexer, StagedRepository, StagingUnitOfWork
from booking_core.attendance.model import Attendee
from booking_core.availability.schedule import StudentCalendar, TeacherSchedule
from booking_core.bookings.model import Booking, BookingStatus, CommandRecord
from booking_core.errors import NotFoundError
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
    "index_attendee",
    "index_booking",
    "index_booking_payment",
    "index_ledger_account",
    "index_ledger_entry",
    "index_series",
    "index_session",
    "index_settlement_due",
    "index_withdrawal",
    "start_hour",
    "start_hours",
]

SESSIONS = "sessions"
"""The collection that holds sessions."""


_HOUR = timedelta(hours=1)


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
    """Index entries of a session: by status, by teacher, pending requests.

    A scheduled session is also under ``("start_hour", start_hour(start))``,
    for the monitor's reminders (:meth:`StagedSessionRepository.scheduled_starting`).
    """
    entries = [("status", session.status.value), ("teacher", session.teacher_id)]
    if session.pending_reschedule is not None:
        entries.append(("pending_reschedule", "yes"))
    if session.status is SessionStatus.SCHEDULED:
        entries.append(("start_hour", start_hour(session.start)))
    return entries


SERIES = "booking_series"
"""The collection that holds booking series."""


def index_series(series: BookingSeries) -> list[tuple[str, str]]:
    """Index entries of a series: by teacher, by student, still extendable."""
    entries = [("teacher", series.teacher_id), ("student", series.student_id)]
    if not series.ended:
        entries.append(("open", "yes"))
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
    booking, ``("teacher_active", id)`` and ``("student_active", id)`` while it
    is active, ``("pending", "yes")`` while it awaits a 1:1 decision, and
    ``("offer", "open")`` while it holds an open seat offer.

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
        yield ("teacher_active", booking.teacher_id)
        yield ("student_active", booking.student_id)
    if booking.status is BookingStatus.PENDING:
        yield ("pending", "yes")
    if booking.status is BookingStatus.OFFERED:
        yield ("offer", "open")


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

    def scheduled_sessions(self, *, starting_before: datetime) -> list[Session]:
        """Scheduled sessions starting before ``starting_before``, by start, id."""
        before = utc_instant(starting_before, "starting_before")
        scheduled = self._repo.find("status", SessionStatus.SCHEDULED.value)
        found = [s for s in scheduled if s.start < before]
        return sorted(found, key=lambda s: (s.start, s.id))

    def pending_reschedules(self, *, due_by: datetime) -> list[Session]:
        """Sessions whose pending request is due by ``due_by``, by deadline, id."""
        found = [
            (s.pending_reschedule.respond_by, s.id, s)
            for s in self._repo.find("pending_reschedule", "yes")
            if s.pending_reschedule is not None
            and s.pending_reschedule.respond_by <= due_by
        ]
        return [s for _, _, s in sorted(found, key=lambda item: item[:2])]

    def taught_by(self, teacher_id: str) -> list[Session]:
        """Every session of one teacher (any status), by id."""
        return self._repo.find("teacher", teacher_id)

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

    def of_teacher(self, teacher_id: str) -> list[BookingSeries]:
        """The series of one teacher, by id."""
        return self._repo.find("teacher", teacher_id)

    def of_student(self, student_id: str) -> list[BookingSeries]:
        """The series of one student, by id."""
        return self._repo.find("student", student_id)

    def to_extend(self, *, until: datetime) -> list[BookingSeries]:
        """Series not ended whose ``expanded_until`` is before ``until``, by id."""
        return [s for s in self._repo.find("open", "yes") if s.expanded_until < until]


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

    def of_session(self, session_id: str) -> list[Booking]:
        """Every booking of the session, by id."""
        return self._repo.find("session", session_id)

    def offers_due(self, *, due_by: datetime) -> list[Booking]:
        """Open offers expiring at or before ``due_by``, by expiry, then id."""
        found = [
            (b.offer_expires_at, b.id, b)
            for b in self._repo.find("offer", "open")
            if b.offer_expires_at is not None and b.offer_expires_at <= due_by
        ]
        return [b for _, _, b in sorted(found, key=lambda item: item[:2])]

    def of_teacher(
        self, teacher_id: str, *, active_only: bool = False
    ) -> list[Booking]:
        """Every booking of the teacher (or only the active ones), by id."""
        return self._repo.find(
            "teacher_active" if active_only else "teacher", teacher_id
        )

    def of_student(
        self, student_id: str, *, active_only: bool = False
    ) -> list[Booking]:
        """Every booking of the student (or only the active ones), by id."""
        return self._repo.find(
            "student_active" if active_only else "student", student_id
        )

    def pending_requests(self) -> list[Booking]:
        """Every pending booking (1:1 requests awaiting a decision), by id."""
        return self._repo.find("pending", "yes")


class StagedAttendeeRepository(StagedAggregateRepository[Attendee]):
    """A :class:`~booking_core.ports.AttendeeRepository` over any staging unit of work.

    Args:
        uow: The unit of work it stages into.
    """

    collection = ATTENDEES
    kind = Attendee

    def of_session(self, session_id: str) -> list[Attendee]:
        """Every attendee of ``session_id``, by id."""
        return self._repo.find("session", session_id)

    def of_participant(self, participant_id: str) -> list[Attendee]:
        """Every attendee record of ``participant_id``, by id."""
        return self._repo.find("participant", participant_id)

    def with_payment_status(self, status: PaymentStatus) -> list[Attendee]:
        """Every attendee whose payment status is ``status``, by id."""
        return self._repo.find("payment_status", PaymentStatus(status).value)


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

    def pending(self) -> list[BookingPayment]:
        """Records with no order yet or an unconfirmed refund, by id."""
        return self._repo.find("pending", "yes")

    def all(self) -> list[BookingPayment]:
        """Every record, by id."""
        return self._repo.list()


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

    def due(self) -> list[SettlementDue]:
        """The open dues, by id (one index lookup)."""
        return self._repo.find("due", "yes")


def _requested(withdrawal: Withdrawal) -> tuple[datetime, str]:
    return (withdrawal.requested_at, withdrawal.id)


class StagedWithdrawalRepository(StagedAggregateRepository[Withdrawal]):
    """A :class:`~booking_core.ports.WithdrawalRepository` over any staging UoW.

    Args:
        uow: The unit of work it stages into.
    """

    collection = WITHDRAWALS
    kind = Withdrawal

    def held(self) -> list[Withdrawal]:
        """Withdrawals still held, by request time, then id."""
        return sorted(
            self._repo.find("status", WithdrawalStatus.HELD.value), key=_requested
        )

    def all(self) -> list[Withdrawal]:
        """Every withdrawal, by request time, then id."""
        return sorted(self._repo.list(), key=_requested)


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
