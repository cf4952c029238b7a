"""The protocols hosts implement: repositories, the unit of work, event publishing.

``booking_core`` never talks to a database, a queue or a payment provider
itself. Application services (:mod:`booking_core.services`) receive objects that
satisfy these protocols. The package ships in-memory implementations
(:mod:`booking_core.adapters.memory`); hosts write their own for their database
and prove them with the contract kit in :mod:`booking_core.testing`.

**Versions and compare-and-set.** Every aggregate is a frozen attrs value with an
``id`` and a ``version``. A new aggregate has version 0; :meth:`Repository.add`
stores it as version 1. :meth:`Repository.get` returns the stored version. The
domain never touches ``version``; :meth:`Repository.save` stores the changed
aggregate only if the stored version still equals ``aggregate.version`` (the one it
was loaded with) and stores it as ``version + 1``; otherwise it raises
:class:`~booking_core.errors.StaleVersionError`, at the latest on commit. That single
rule is what makes two requests for the last seat safe.

**Pages.** Every query returning a list takes keyword-only ``after`` (the id of
the last item of the previous page) and ``limit`` (at most that many items,
a whole number above 0, else :class:`~booking_core.errors.InvalidValueError`);
the next page continues in the list's own order. Queries a command or a tick
runs read their window or their due set only (``scheduled_of``,
``one_on_one_of_teacher``, ``active_of_student`` by time, the monitor's due
sets by status); the others (``taught_by``, ``of_teacher`` …) read a
person's whole history and are for reports, a page at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, TypeVar

from booking_core.bookings.model import Booking, CommandRecord
from booking_core.events import DomainEvent
from booking_core.money.dues import SettlementDue
from booking_core.money.ledger import LedgerView
from booking_core.money.payments import BookingPayment
from booking_core.money.webhooks import ProcessedWebhook
from booking_core.money.withdrawals import Withdrawal
from booking_core.sessions.model import Session

if TYPE_CHECKING:
    from booking_core._payment_status import PaymentStatus
    from booking_core.attendance.model import Attendee
    from booking_core.availability.schedule import StudentCalendar, TeacherSchedule
    from booking_core.intervals import TimeWindow
    from booking_core.money.amount import Money
    from booking_core.money.gateway import (
        GatewayOrder,
        GatewayPayment,
        GatewayPayout,
        GatewayRefund,
        GatewayTransaction,
        GatewayTransfer,
    )
    from booking_core.money.ledger import Transfer
    from booking_core.money.withdrawals import BankAccount
    from booking_core.reminders import ReminderClaim
    from booking_core.series.model import BookingSeries

__all__ = [
    "AttendeeRepository",
    "BookingPaymentRepository",
    "BookingRepository",
    "BookingSeriesRepository",
    "EventPublisher",
    "IdempotencyRecords",
    "LedgerJournal",
    "PaymentGateway",
    "ProcessedWebhookRepository",
    "ReminderClaimRepository",
    "Repository",
    "SessionRepository",
    "SettlementDueRepository",
    "StudentCalendarRepository",
    "TeacherScheduleRepository",
    "UnitOfWork",
    "Versioned",
    "WithdrawalRepository",
]


class Versioned(Protocol):
    """An aggregate: anything with an ``id`` and a ``version``."""

    @property
    def id(self) -> str:
        """The aggregate's identity."""
        ...

    @property
    def version(self) -> int:
        """The stored version it was loaded with (0 before it was first added)."""
        ...


A = TypeVar("A", bound=Versioned)


class Repository(Protocol[A]):
    """The shape every aggregate repository has.

    Contract:
        * ``get`` returns the committed aggregate or what this unit of work staged
          for it, or raises :class:`~booking_core.errors.NotFoundError`.
        * ``add`` refuses an id that exists with
          :class:`~booking_core.errors.DuplicateIdError` (at the latest on commit).
        * ``save`` is compare-and-set on ``version`` and raises
          :class:`~booking_core.errors.StaleVersionError` (at the latest on commit)
          when another unit of work saved first; nothing of this unit is stored then.
        * Nothing is visible to other units of work before commit.
    """

    def get(self, aggregate_id: str) -> A:
        """Load an aggregate by id, with its stored version."""
        ...

    def add(self, aggregate: A) -> None:
        """Stage a new aggregate (version 0); it is stored as version 1."""
        ...

    def save(self, aggregate: A) -> None:
        """Stage a changed aggregate; compare-and-set against ``aggregate.version``."""
        ...


class EventPublisher(Protocol):
    """Where committed events go: a message bus, an outbox relay, a list in tests."""

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Deliver events that are already committed, in order."""
        ...


class UnitOfWork(Protocol):
    """One transaction.

    Contract:
        * Used as a context manager; leaving the block without :meth:`commit`
          rolls back, so nothing staged is stored and no event is published.
        * :meth:`collect` gathers the events of the decisions taken inside.
        * :meth:`commit` stores everything staged atomically (all or nothing,
          including every compare-and-set) and only then hands the collected
          events to the publisher.
    """

    def __enter__(self) -> UnitOfWork:
        """Begin the transaction."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """End the transaction, rolling back anything not committed."""
        ...

    def collect(self, events: Sequence[DomainEvent]) -> None:
        """Remember events to publish once the transaction commits."""
        ...

    def commit(self) -> None:
        """Store everything staged atomically, then publish the collected events."""
        ...

    def rollback(self) -> None:
        """Drop everything staged and every collected event."""
        ...

    # -- the repositories of this transaction, one per aggregate ------------------

    @property
    def sessions(self) -> SessionRepository:
        """The sessions."""
        ...

    @property
    def bookings(self) -> BookingRepository:
        """The bookings (group seats and 1:1)."""
        ...

    @property
    def records(self) -> IdempotencyRecords:
        """What keyed booking commands did (idempotent retries)."""
        ...

    @property
    def attendees(self) -> AttendeeRepository:
        """The attendees of sessions."""
        ...

    @property
    def series(self) -> BookingSeriesRepository:
        """The recurring booking series."""
        ...

    @property
    def schedules(self) -> TeacherScheduleRepository:
        """The teachers' schedules (their availability; the 1:1 write token)."""
        ...

    @property
    def calendars(self) -> StudentCalendarRepository:
        """The students' calendars (the write token of a student's bookings)."""
        ...

    @property
    def payments(self) -> BookingPaymentRepository:
        """The payment records of bookings."""
        ...

    @property
    def withdrawals(self) -> WithdrawalRepository:
        """The teachers' withdrawals."""
        ...

    @property
    def webhooks(self) -> ProcessedWebhookRepository:
        """The webhook events already applied (de-duplication by event id)."""
        ...

    @property
    def settlements(self) -> SettlementDueRepository:
        """The bookings whose money must end (the money outbox)."""
        ...

    @property
    def reminders(self) -> ReminderClaimRepository:
        """The reminders already sent (de-duplication by reminder key)."""
        ...

    def ledger(self, currency: str) -> LedgerJournal:
        """The ledger journal of ``currency`` (ISO 4217), in this transaction."""
        ...


# -- sessions -------------------------------------------------------------------


class SessionRepository(Repository[Session], Protocol):
    """Stores :class:`~booking_core.sessions.Session` aggregates.

    Contract: everything :class:`Repository` promises (compare-and-set on
    ``version``), plus two queries for the monitor. Both see this unit of work's
    staged changes, like ``get``.
    """

    def scheduled_sessions(
        self,
        *,
        starting_before: datetime,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Session]:
        """The sessions still scheduled whose start is before ``starting_before``.

        Ordered by start, then id. The monitor filters them with the pure
        predicates (:func:`~booking_core.sessions.is_past_no_show_limit`,
        :func:`~booking_core.sessions.is_past_grace_period`).
        """
        ...

    def pending_reschedules(
        self, *, due_by: datetime, after: str | None = None, limit: int | None = None
    ) -> list[Session]:
        """Scheduled sessions whose pending reschedule's ``respond_by <= due_by``.

        Ordered by ``respond_by``, then id: the requests the monitor may expire.
        """
        ...

    def taught_by(
        self, teacher_id: str, *, after: str | None = None, limit: int | None = None
    ) -> list[Session]:
        """Every session of one teacher (any status), by id (the whole history)."""
        ...

    def scheduled_of(
        self,
        teacher_id: str,
        *,
        overlapping: TimeWindow,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Session]:
        """The teacher's scheduled sessions overlapping ``overlapping``, by id.

        What the commitment checks read: its cost follows the window, not the
        teacher's history (index the scheduled sessions by time, e.g. by UTC
        day as the library's repositories do).
        """
        ...

    def scheduled_starting(self, window: TimeWindow) -> list[Session]:
        """The sessions still scheduled whose start is in ``window``, by start, id.

        The monitor's reminders step reads only these (an index by start hour),
        however many sessions the store holds.
        """
        ...


# -- money ----------------------------------------------------------------------


class LedgerJournal(LedgerView, Protocol):
    """The ledger of one currency: an append-only journal of transfers.

    :class:`booking_core.money.ledger.Journal` is the reference implementation;
    :class:`booking_core.services.ledger.LedgerService` commits every call
    of a unit-of-work journal. A database implementation stores transfers in an
    append-only table with a unique key column and keeps balances beside them,
    as :class:`booking_core.adapters.sqlite_money.SqliteLedgerJournal` does
    inside a unit of work (posting with
    :func:`booking_core.money.ledger.plan_posting`, the shared rules).

    Contract:
        * ``post`` and ``post_linked`` are idempotent by key: the same key with
          the same content (every field but ``at``) is a no-op returning the
          original; the same key with other content raises
          :class:`~booking_core.errors.IdempotencyKeyReuseError`.
        * ``post_linked`` posts all of its new transfers or none.
        * Escrow, wallet and held accounts never go below zero
          (:class:`~booking_core.errors.InsufficientFundsError`, nothing posted).
        * A transfer in another currency raises
          :class:`~booking_core.errors.CurrencyMismatchError`.
        * Balances are credits minus debits and always sum to zero.
    """

    def post(self, transfer: Transfer) -> Transfer:
        """Post one transfer, or return the original of a replay."""
        ...

    def post_linked(self, transfers: Iterable[Transfer]) -> tuple[Transfer, ...]:
        """Post transfers all or nothing; replays change nothing."""
        ...

    def get(self, key: str) -> Transfer | None:
        """The transfer posted under ``key`` (the idempotency lookup), or ``None``."""
        ...

    def balances(self) -> Mapping[str, int]:
        """Every used account's balance in minor units."""
        ...


# -- series ---------------------------------------------------------------------


class BookingSeriesRepository(Protocol):
    """Booking series, loaded with their version and saved by compare-and-set.

    Contract: as :class:`Repository`; ``to_extend`` lists the series a worker
    extends (not ended, ``expanded_until`` before ``until``), by id;
    ``of_booking`` finds the series holding a booking (an item of any status)
    without reading the teacher's other series.
    """

    def get(self, aggregate_id: str) -> BookingSeries:
        """Load a series; raises ``not_found`` when missing."""
        ...

    def add(self, aggregate: BookingSeries) -> None:
        """Stage a new series."""
        ...

    def save(self, aggregate: BookingSeries) -> None:
        """Stage a changed series (compare-and-set on commit)."""
        ...

    def of_teacher(
        self, teacher_id: str, *, after: str | None = None, limit: int | None = None
    ) -> list[BookingSeries]:
        """The series of one teacher, by id."""
        ...

    def of_student(
        self, student_id: str, *, after: str | None = None, limit: int | None = None
    ) -> list[BookingSeries]:
        """The series of one student, by id."""
        ...

    def of_booking(self, booking_id: str) -> BookingSeries | None:
        """The series with an item (active or cancelled) held by ``booking_id``.

        ``None`` when no series holds it (a booking made from a slot). Every
        1:1 cancel asks it, so its cost must not grow with the teacher's
        series: index each item's booking id.
        """
        ...

    def to_extend(
        self, *, until: datetime, after: str | None = None, limit: int | None = None
    ) -> list[BookingSeries]:
        """Series not ended whose ``expanded_until`` is before ``until``, by id."""


# -- attendance -----------------------------------------------------------------


class AttendeeRepository(Repository["Attendee"], Protocol):
    """Stores :class:`~booking_core.attendance.Attendee` aggregates.

    Contract: everything :class:`Repository` promises (compare-and-set on
    ``version``), plus three queries that see this unit of work's staged
    changes, like ``get``; each returns attendees sorted by id.
    """

    def of_session(
        self, session_id: str, *, after: str | None = None, limit: int | None = None
    ) -> list[Attendee]:
        """Every attendee (teacher and students) of ``session_id``."""
        ...

    def of_participant(
        self, participant_id: str, *, after: str | None = None, limit: int | None = None
    ) -> list[Attendee]:
        """Every attendee record of one participant, across sessions."""
        ...

    def with_payment_status(
        self,
        status: PaymentStatus,
        *,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Attendee]:
        """Every attendee whose payment status is ``status`` (billing lists)."""


# -- payments -------------------------------------------------------------------


class PaymentGateway(Protocol):
    """A payment gateway (Razorpay, Stripe, ...): orders, captures, refunds, payouts.

    :class:`booking_core.adapters.fake_gateway.FakePaymentGateway` is the
    in-memory reference implementation with fault injection.

    Contract:
        * Every mutating call takes an ``idempotency_key``. Repeating a call with
          the same key and the same content returns the first result and
          applies nothing again; the same key with other content raises
          :class:`~booking_core.errors.GatewayKeyReuseError`.
        * Errors are :class:`~booking_core.errors.GatewayError` s of three
          kinds: definitive (:class:`~booking_core.errors.GatewayDeclinedError`,
          ``retryable`` false: never retry); retryable
          (:class:`~booking_core.errors.GatewayRetryableError`: nothing was
          applied, retry with the same key); outcome unknown
          (:class:`~booking_core.errors.GatewayOutcomeUnknownError`: it may
          have been applied, look it up or retry with the same key, never a
          new one).
        * Amounts are whole numbers in :meth:`minor_units` of the currency.
        * Corrections are new records (refunds, reversals), never deletions.
        * A captured payment reports the fee and tax the gateway kept
          (:attr:`~booking_core.money.gateway.GatewayPayment.fee` and ``tax``)
          when the gateway knows them.
        * Webhook bodies are claims: every state they announce is read back
          with :meth:`fetch_payment`, :meth:`fetch_refund` or
          :meth:`fetch_payout` (see :mod:`booking_core.money.webhooks`).
    """

    def minor_units(self, currency: str) -> int:
        """How many decimals the gateway counts ``currency`` in."""
        ...

    def create_order(
        self, *, amount: Money, receipt: str, idempotency_key: str
    ) -> GatewayOrder:
        """Create an order for ``amount``; ``receipt`` is the host's booking id."""
        ...

    def fetch_order(self, order_id: str) -> GatewayOrder:
        """The order now (its ``payment_id`` once paid)."""
        ...

    def fetch_payment(self, payment_id: str) -> GatewayPayment:
        """The payment now."""
        ...

    def capture_payment(
        self, payment_id: str, *, amount: Money, idempotency_key: str
    ) -> GatewayPayment:
        """Capture an authorized payment (a captured one is returned as is)."""
        ...

    def refund(
        self, payment_id: str, *, amount: Money, idempotency_key: str
    ) -> GatewayRefund:
        """Refund part or all of a captured payment (the key is its reference)."""
        ...

    def transfer(
        self, payment_id: str, *, account: str, amount: Money, idempotency_key: str
    ) -> GatewayTransfer:
        """Route a share of a captured payment to a linked account."""
        ...

    def create_payout(
        self,
        *,
        fund_account: BankAccount,
        amount: Money,
        reference: str,
        idempotency_key: str,
    ) -> GatewayPayout:
        """Create a payout to a bank account; ``reference`` is the withdrawal id."""
        ...

    def fetch_refund(self, refund_id: str) -> GatewayRefund:
        """The refund now (its status at the gateway)."""
        ...

    def fetch_payout(self, payout_id: str) -> GatewayPayout:
        """The payout now."""
        ...

    def transactions(
        self, *, start: datetime, end: datetime
    ) -> Sequence[GatewayTransaction]:
        """The settled transactions in ``[start, end)`` (for reconciliation)."""
        ...

    def verify_webhook(self, body: bytes, signature: str) -> bool:
        """Whether ``signature`` is the hex HMAC-SHA256 of the raw ``body``.

        Use :func:`booking_core.money.webhooks.verify_webhook_signature`
        (constant time), or a
        :class:`~booking_core.money.webhooks.WebhookVerifier` built when the
        gateway is (a secret under 16 bytes is refused there). A malformed
        delivery (body not bytes, signature ``None`` or not 64 hex
        characters) raises
        :class:`~booking_core.errors.InvalidWebhookError`.
        """


# -- bookings -------------------------------------------------------------------


class BookingRepository(Repository[Booking], Protocol):
    """Stores :class:`~booking_core.bookings.Booking` aggregates.

    Contract: everything :class:`Repository` promises, plus index lookups that
    see this unit of work's staged changes. The one-active-booking rule is
    race-free because every booking write also saves the session (whose seat
    state it changes), so two units of work booking the same session are
    serialised by the session's compare-and-set.
    """

    def active_booking(self, session_id: str, student_id: str) -> Booking | None:
        """The student's active booking on the session, if any."""
        ...

    def of_session(
        self, session_id: str, *, after: str | None = None, limit: int | None = None
    ) -> list[Booking]:
        """Every booking of the session (any status), by id."""
        ...

    def of_teacher(
        self,
        teacher_id: str,
        *,
        active_only: bool = False,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Booking]:
        """Every booking of the teacher (or only the active ones), by id."""
        ...

    def of_student(
        self,
        student_id: str,
        *,
        active_only: bool = False,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Booking]:
        """Every booking of the student, or only the active ones, by id."""
        ...

    def one_on_one_of_teacher(
        self,
        teacher_id: str,
        *,
        overlapping: TimeWindow,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Booking]:
        """The teacher's active 1:1 bookings overlapping ``overlapping``, by id.

        What the slot checks read: its cost follows the window, not the
        teacher's history (index active bookings by time).
        """
        ...

    def active_of_student(
        self,
        student_id: str,
        *,
        overlapping: TimeWindow,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Booking]:
        """The student's active bookings (any type) overlapping ``overlapping``."""
        ...

    def pending_requests(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[Booking]:
        """Every pending booking (1:1 requests awaiting a decision), by id."""
        ...

    def offers_due(
        self, *, due_by: datetime, after: str | None = None, limit: int | None = None
    ) -> list[Booking]:
        """Offered bookings whose ``offer_expires_at`` is at or before ``due_by``.

        Ordered by expiry, then id: the seat offers the monitor expires.
        """
        ...


class IdempotencyRecords(Protocol):
    """Remembers what a keyed command did, so a retry returns the same result.

    Contract: ``get`` returns the record stored under the key (committed or
    staged in this unit of work) or ``None``; ``add`` stages a new one and is
    refused with :class:`~booking_core.errors.DuplicateIdError` for a known key.
    """

    def get(self, key: str) -> CommandRecord | None:
        """The record of ``key``, or ``None``."""
        ...

    def add(self, record: CommandRecord) -> None:
        """Stage a new record."""
        ...


# -- 1:1 teacher schedules --------------------------------------------------------


class TeacherScheduleRepository(Repository["TeacherSchedule"], Protocol):
    """Stores :class:`~booking_core.availability.TeacherSchedule` aggregates.

    Contract: as :class:`Repository` (id = teacher id). The 1:1 service saves a
    teacher's schedule in every transaction writing one of the teacher's 1:1
    bookings, so its compare-and-set serialises those transactions.
    """

    def get(self, aggregate_id: str) -> TeacherSchedule:
        """Load a teacher's schedule; raises ``not_found`` when missing."""
        ...

    def add(self, aggregate: TeacherSchedule) -> None:
        """Stage a new schedule."""
        ...

    def save(self, aggregate: TeacherSchedule) -> None:
        """Stage a changed (or merely touched) schedule; compare-and-set on commit."""
        ...


class StudentCalendarRepository(Repository["StudentCalendar"], Protocol):
    """Stores :class:`~booking_core.availability.StudentCalendar` tokens.

    Contract: as :class:`Repository` (id = student id). The 1:1 service saves a
    student's calendar in every transaction that books the student, so its
    compare-and-set orders those transactions across teachers.
    """

    def get(self, aggregate_id: str) -> StudentCalendar:
        """Load a student's calendar; raises ``not_found`` when missing."""
        ...

    def add(self, aggregate: StudentCalendar) -> None:
        """Stage a new calendar."""
        ...

    def save(self, aggregate: StudentCalendar) -> None:
        """Stage a touched calendar; compare-and-set on commit."""
        ...


# -- payment records --------------------------------------------------------------


class BookingPaymentRepository(Repository[BookingPayment], Protocol):
    """Stores :class:`~booking_core.money.payments.BookingPayment` records.

    Contract: everything :class:`Repository` promises (the record's id is the
    booking id), plus index lookups that see this unit of work's staged changes.
    """

    def by_order(self, order_id: str) -> BookingPayment | None:
        """The record whose gateway order is ``order_id``, if any."""
        ...

    def pending(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[BookingPayment]:
        """Records with work left: no order yet, or a refund unconfirmed; by id."""
        ...

    def all(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[BookingPayment]:
        """Every record, by id."""
        ...


class SettlementDueRepository(Repository[SettlementDue], Protocol):
    """Stores :class:`~booking_core.money.dues.SettlementDue` records.

    Contract: everything :class:`Repository` promises (the id is the booking
    id), plus :meth:`due`, an index lookup that sees this unit of work's staged
    changes.
    """

    def due(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[SettlementDue]:
        """The dues still open, by id (never the closed ones)."""
        ...


class WithdrawalRepository(Repository[Withdrawal], Protocol):
    """Stores :class:`~booking_core.money.withdrawals.Withdrawal` aggregates.

    Contract: everything :class:`Repository` promises, plus index lookups that
    see this unit of work's staged changes.
    """

    def held(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[Withdrawal]:
        """Withdrawals still held (their payout not settled), by request time, id."""
        ...

    def all(
        self, *, after: str | None = None, limit: int | None = None
    ) -> list[Withdrawal]:
        """Every withdrawal, by request time, then id."""
        ...


class ProcessedWebhookRepository(Protocol):
    """Stores :class:`~booking_core.money.webhooks.ProcessedWebhook` records.

    Contract: keyed by the event id. ``find`` sees this unit of work's staged
    records; ``add`` refuses a known id with
    :class:`~booking_core.errors.DuplicateIdError` (when staging or on
    commit), so of two concurrent deliveries of one event only one commits its
    effects; the other's transaction is retried and finds the record.
    """

    def find(self, event_id: str) -> ProcessedWebhook | None:
        """The record of ``event_id`` (staged or committed), or ``None``."""
        ...

    def get(self, aggregate_id: str) -> ProcessedWebhook:
        """The record of an event id; raises ``not_found`` when missing."""
        ...

    def add(self, aggregate: ProcessedWebhook) -> None:
        """Stage a new record (stored as version 1)."""
        ...

    def save(self, aggregate: ProcessedWebhook) -> None:
        """Stage a changed record; compare-and-set on commit."""
        ...


class ReminderClaimRepository(Protocol):
    """Stores :class:`~booking_core.reminders.ReminderClaim` records.

    Contract: keyed by :func:`~booking_core.reminders.claim_id` of the
    reminder's key. ``find`` sees this unit of work's staged claims; ``add``
    refuses a known id with :class:`~booking_core.errors.DuplicateIdError`
    (when staging or on commit, a unique insert), so of two monitors claiming
    one reminder only one commits it and its ``reminder.due`` event.
    """

    def find(self, claim_id: str) -> ReminderClaim | None:
        """The claim stored under ``claim_id`` (staged or committed), or ``None``."""
        ...

    def get(self, aggregate_id: str) -> ReminderClaim:
        """The claim of an id; raises ``not_found`` when missing."""
        ...

    def add(self, aggregate: ReminderClaim) -> None:
        """Stage a new claim (stored as version 1)."""
        ...
