"""The monitor: every time-driven transition that is due, in one idempotent call.

:meth:`Monitor.tick` is what a host runs from cron, Celery beat or a worker loop
(seed 002's "session monitoring"). At ``now`` it does, in this order:

1. **offers**: waitlist offers past their expiry lapse and their seats pass to
   the next in line (:meth:`BookingService.expire_offers
   <booking_core.services.booking.BookingService.expire_offers>`);
2. **approvals**: undecided 1:1 requests expire (:class:`OneOnOneSteps`);
3. **reschedules**: unanswered reschedule requests are approved automatically or
   lapse (:func:`~booking_core.sessions.expire_reschedule`);
4. **no-shows**: scheduled sessions past the no-show limit that nobody joined
   become missed (:func:`~booking_core.sessions.mark_missed`);
5. **completions**: scheduled sessions past the grace period get their
   attendance marked and complete (:func:`~booking_core.sessions.complete`);
6. **payments**: the payment service's pending operations (orders, refunds
   and payouts a fault left half done) are finished or compensated
   (:meth:`PaymentService.resume
   <booking_core.services.payments.PaymentService.resume>`), each on its own:
   an item that fails is a :class:`TickError` with its code, the others
   proceed;
7. **settlements**: every open settlement due (a booking that ended:
   cancelled, closed with its session, attended or a no-show; recorded by
   :mod:`~booking_core.services.reactions` in the booking's own transaction)
   whose payment is captured ends: an outcome due follows the attendance
   outcome (:func:`~booking_core.attendance.classify_outcome`, then
   :meth:`PaymentService.settle
   <booking_core.services.payments.PaymentService.settle>`), a cancellation
   due is refunded by the cancellation policy
   (:meth:`PaymentService.refund
   <booking_core.services.payments.PaymentService.refund>`); a due without a
   payment record closes once the booking's window is over (an order may
   still be opened before), one not captured yet waits for its capture. The
   step reads the open dues by index, never every payment record;
8. **series**: unbounded series extend their horizon (:class:`OneOnOneSteps`);
9. **reminders**: every reminder due (the ``reminders`` policy,
   :func:`~booking_core.reminders.sendable_reminders`: due at most
   ``late`` ago, session not started) of the scheduled sessions starting in
   :func:`~booking_core.reminders.sendable_starts` (one ``late`` wide window
   per offset; ``uow.sessions.scheduled_starting``, an index by start hour)
   is claimed in ``uow.reminders`` by a unique insert of its
   key, in the transaction that emits its one
   :class:`~booking_core.reminders.ReminderDue` (``reminder.due``) event.
   A reminder another worker claimed first is a skip; a rescheduled session
   has a new start, hence new keys; a session no longer scheduled, or a
   student no longer booked, gets nothing.

**Idempotent.** Each step finds its work by asking the stored state what is due
(an index or a status), and each transition changes that state, so a second
tick at the same ``now`` finds nothing and writes nothing.

**Several workers.** Every transition goes through a service transaction with
compare-and-set, so when two workers pick the same item one commits and the
other one's attempt fails or finds nothing left to do: that item is listed in
:attr:`TickReport.skipped`, never done twice and never an error.

**One failure stops nothing.** An item whose transition raises is recorded in
:attr:`TickReport.errors` (step, id, code, message) and the tick goes on.

The monitor and the services read one clock (the composition root,
:func:`booking_core.services.app.bootstrap`, gives them the same one: the
system clock in production, a :class:`~booking_core.clock.ManualClock` in
tests); ``tick()`` finds what is due at the clock's reading.

Example:
    >>> from datetime import datetime, timezone
    >>> from booking_core import ManualClock, bootstrap
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> store = InMemoryStore()
    >>> clock = ManualClock(datetime(2026, 3, 29, 9, tzinfo=timezone.utc))
    >>> core = bootstrap(uow_factory=lambda: InMemoryUnitOfWork(store), clock=clock)
    >>> report = core.monitor.tick()
    >>> report.total, report.errors
    (0, ())
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Protocol, TypeVar, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import utc_instant
from booking_core.actors import Actor, Role
from booking_core.errors import ConcurrencyError, DuplicateIdError, NotFoundError
from booking_core.money.dues import DueKind, close_due
from booking_core.reminders import (
    claim_id,
    claim_reminder,
    sendable_reminders,
    sendable_starts,
)
from booking_core.services import run_in_transaction
from booking_core.sessions import (
    RescheduleExpired,
    SessionStatus,
    is_past_grace_period,
    is_past_no_show_limit,
    is_reschedule_expired,
)

if TYPE_CHECKING:  # the monitor is handed the services; it never builds one
    from booking_core.attendance.model import Attendee
    from booking_core.attendance.outcome import OutcomeReport
    from booking_core.bookings.model import Booking
    from booking_core.clock import Clock
    from booking_core.events import Decision
    from booking_core.money.dues import SettlementDue
    from booking_core.money.payments import BookingPayment
    from booking_core.ports import UnitOfWork
    from booking_core.reminders import Reminder
    from booking_core.series import BookingSeries
    from booking_core.services.attendance import AttendanceService
    from booking_core.services.booking import BookingService
    from booking_core.services.payments import PaymentService
    from booking_core.services.sessions import SessionService
    from booking_core.sessions import Session

__all__ = ["Monitor", "OneOnOneSteps", "TickError", "TickReport", "TickStep"]

T = TypeVar("T")


class OneOnOneSteps(Protocol):
    """The two time-driven steps of the 1:1 booking service the monitor drives.

    Each method finds what is due at ``now`` itself and returns one decision per
    aggregate it changed (nothing when nothing was due); like every service
    command, each change is its own compare-and-set transaction.
    """

    def expire_undecided(self, *, now: datetime) -> tuple[Decision[Booking], ...]:
        """Expire the 1:1 requests the teacher left undecided past the deadline."""
        ...

    def extend_series(self, *, now: datetime) -> tuple[Decision[BookingSeries], ...]:
        """Book the next occurrences of unbounded series up to their horizon."""
        ...


@final
class TickStep(str, enum.Enum):
    """The steps of a tick, in the order they run."""

    OFFERS = "offers"
    APPROVALS = "approvals"
    RESCHEDULES = "reschedules"
    NO_SHOWS = "no_shows"
    COMPLETIONS = "completions"
    PAYMENTS = "payments"
    SETTLEMENTS = "settlements"
    SERIES = "series"
    REMINDERS = "reminders"


@final
@attrs.frozen(kw_only=True, repr=False)
class TickError:
    """One item a step could not handle (the tick went on with the others).

    Attributes:
        step: The step it failed in.
        item_id: The session, booking or payment id (``None`` for a step that
            failed as a whole, e.g. a 1:1 step).
        code: The error's ``code`` (:mod:`booking_core.errors`), or the
            exception's class name for an error from outside the library.
        message: The error's message.
    """

    __repr__ = fields_repr

    step: TickStep = attrs.field(converter=TickStep)
    item_id: str | None
    code: str
    message: str

    @classmethod
    def of(
        cls, step: TickStep | str, item_id: str | None, error: Exception
    ) -> TickError:
        """Describe ``error`` raised while ``step`` handled ``item_id``.

        Example:
            >>> from booking_core.errors import NotFoundError
            >>> failed = TickError.of(
            ...     TickStep.COMPLETIONS, "s-9",
            ...     NotFoundError(kind="session", id="s-9"))
            >>> failed.step.value, failed.item_id, failed.code
            ('completions', 's-9', 'not_found')
        """
        code = getattr(error, "code", None)
        return cls(
            step=TickStep(step),
            item_id=item_id,
            code=code if isinstance(code, str) else type(error).__name__,
            message=str(error),
        )


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(item) for item in value)


def _now(value: datetime) -> datetime:
    return utc_instant(value, "now")


def _skips(
    value: Iterable[tuple[TickStep | str, str]],
) -> tuple[tuple[TickStep, str], ...]:
    return tuple((TickStep(step), str(item)) for step, item in value)


def _errors(value: Iterable[TickError]) -> tuple[TickError, ...]:
    return tuple(value)


_DONE = (
    "offers_expired",
    "offers_passed_on",
    "approvals_expired",
    "reschedules_approved",
    "reschedules_lapsed",
    "sessions_missed",
    "sessions_completed",
    "payments_released",
    "payments_refunded",
    "series_extended",
    "reminders_sent",
)


@final
@attrs.frozen(kw_only=True, repr=False)
class TickReport:
    """What one :meth:`Monitor.tick` did, per kind of transition (ids in order).

    Attributes:
        now: The instant of the tick (UTC).
        offers_expired: Bookings whose seat offer lapsed.
        offers_passed_on: Bookings offered or given the freed seats after them.
        approvals_expired: 1:1 bookings whose request expired undecided.
        reschedules_approved: Sessions moved by an automatically approved request.
        reschedules_lapsed: Sessions whose request lapsed (they keep their time).
        sessions_missed: Sessions marked missed (nobody joined).
        sessions_completed: Sessions completed after the grace period.
        payments_released: Bookings whose escrow went to the teacher.
        payments_refunded: Bookings refunded by their session's outcome (a
            refund the gateway has not confirmed yet is in
            ``PaymentService.pending()`` too).
        series_extended: Series whose horizon was extended.
        reminders_sent: The keys (:attr:`~booking_core.reminders.Reminder.key`)
            of the reminders this tick claimed and emitted a ``reminder.due``
            event for.
        skipped: ``(step, id)`` of items another worker handled first.
        errors: The items that failed, one :class:`TickError` each.
    """

    __repr__ = fields_repr

    now: datetime = attrs.field(converter=_now)
    offers_expired: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    offers_passed_on: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    approvals_expired: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    reschedules_approved: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    reschedules_lapsed: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    sessions_missed: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    sessions_completed: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    payments_released: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    payments_refunded: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    series_extended: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    reminders_sent: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    skipped: tuple[tuple[TickStep, str], ...] = attrs.field(
        default=(), converter=_skips
    )
    errors: tuple[TickError, ...] = attrs.field(default=(), converter=_errors)

    def counts(self) -> dict[str, int]:
        """How many items each kind of transition moved, by field name.

        Example:
            >>> from datetime import datetime, timezone
            >>> report = TickReport(
            ...     now=datetime(2026, 3, 29, 9, tzinfo=timezone.utc),
            ...     sessions_completed=("s-1", "s-2"), payments_released=("b-1",))
            >>> {kind: n for kind, n in report.counts().items() if n}
            {'sessions_completed': 2, 'payments_released': 1}
        """
        return {name: len(getattr(self, name)) for name in _DONE}

    @property
    def total(self) -> int:
        """How many transitions the tick made in all (0: nothing was due)."""
        return sum(self.counts().values())

    def summary(self) -> str:
        """One line for a log: the non-zero counts, skips and errors.

        Example:
            >>> from datetime import datetime, timezone
            >>> TickReport(now=datetime(2026, 3, 29, 9, tzinfo=timezone.utc),
            ...            sessions_missed=("s-1",)).summary()
            'tick 2026-03-29T09:00:00+00:00: sessions_missed=1'
            >>> TickReport(now=datetime(2026, 3, 29, 9, tzinfo=timezone.utc)).summary()
            'tick 2026-03-29T09:00:00+00:00: nothing due'
        """
        parts = [f"{name}={n}" for name, n in self.counts().items() if n]
        if self.skipped:
            parts.append(f"skipped={len(self.skipped)}")
        if self.errors:
            parts.append(f"errors={len(self.errors)}")
        return f"tick {self.now.isoformat()}: {' '.join(parts) or 'nothing due'}"


@attrs.define(repr=False)
class _Progress:
    """The mutable tally of one tick (private; frozen into a TickReport)."""

    __repr__ = fields_repr

    done: dict[str, list[str]] = attrs.Factory(lambda: {name: [] for name in _DONE})
    skipped: list[tuple[TickStep, str]] = attrs.field(factory=list)
    errors: list[TickError] = attrs.field(factory=list)

    def add(self, kind: str, item_id: str) -> None:
        self.done[kind].append(item_id)


@final
class Monitor:
    """Runs every due time-driven transition; see the module doc.

    Policies come from the services it drives (the session service's
    ``policies.session`` decides the no-show limit and the grace period, the
    booking service's waitlist policy the offers, the payment service's
    cancellation policy the refunds), so the monitor and the people using the
    services can never disagree on a rule.

    Args:
        uow_factory: Makes a unit of work for the monitor's queries.
        clock: Where the tick's ``now`` comes from (the services' clock).
        booking_service: Expires offers and passes their seats on.
        session_service: Expires reschedules, marks missed, completes.
        attendance_service: Marks attendance and classifies outcomes.
        payment_service: Settles the money (no settlements step without it).
        one_on_one: Expires undecided 1:1 requests and extends series (those
            steps are skipped without it).
        actor: Who the monitor acts as (the system).
    """

    def __init__(
        self,
        *,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        booking_service: BookingService,
        session_service: SessionService,
        attendance_service: AttendanceService,
        payment_service: PaymentService | None = None,
        one_on_one: OneOnOneSteps | None = None,
        actor: Actor | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self.booking_service = booking_service
        self.session_service = session_service
        self.attendance_service = attendance_service
        self.payment_service = payment_service
        self.one_on_one = one_on_one
        self.actor = actor or Actor.system()

    # -- plumbing -----------------------------------------------------------------

    def _read(self, query: Callable[[UnitOfWork], T]) -> T:
        with self._uow_factory() as uow:
            return query(uow)

    def _attempt(
        self,
        progress: _Progress,
        step: TickStep,
        item_id: str | None,
        action: Callable[[], T],
        still_due: Callable[[], bool],
    ) -> T | None:
        """Run one item's transition; a lost race is a skip, a failure an error."""
        try:
            return action()
        except ConcurrencyError:
            # Every attempt lost to another writer: it is handling this item.
            progress.skipped.append((step, item_id or step.value))
            return None
        except Exception as error:  # noqa: BLE001 - one item must not stop the tick
            failed = error
        try:
            due = still_due()
        except Exception:  # noqa: BLE001 - cannot tell: report the original error
            due = True
        if due:
            progress.errors.append(TickError.of(step, item_id, failed))
        else:
            # Somebody else moved it first (another worker, or a person).
            progress.skipped.append((step, item_id or step.value))
        return None

    def _session(self, session_id: str) -> Session:
        return self._read(lambda uow: uow.sessions.get(session_id))

    def _anybody_joined(self, session_id: str) -> bool:
        found: list[Attendee] = self._read(
            lambda uow: uow.attendees.of_session(session_id)
        )
        return any(attendee.first_join is not None for attendee in found)

    # -- the tick -------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> TickReport:
        """Do every time-driven transition due now; see the module doc.

        Args:
            now: The instant to find due work at: the clock's by default. Pass
                one only to replay history; the services still read their
                clock for the transitions themselves.

        Returns:
            What was done, skipped and what failed, per item.

        Raises:
            NaiveDatetimeError: ``time.naive_datetime`` for a naive ``now``.
        """
        now = self._clock.now() if now is None else utc_instant(now, "now")
        progress = _Progress()
        self._expire_offers(now, progress)
        self._expire_approvals(now, progress)
        self._expire_reschedules(now, progress)
        self._mark_no_shows(now, progress)
        self._complete_sessions(now, progress)
        self._resume_payments(progress)
        self._settle_payments(now, progress)
        self._extend_series(now, progress)
        self._send_reminders(now, progress)
        done = {name: tuple(ids) for name, ids in progress.done.items()}
        return TickReport(
            now=now,
            offers_expired=done["offers_expired"],
            offers_passed_on=done["offers_passed_on"],
            approvals_expired=done["approvals_expired"],
            reschedules_approved=done["reschedules_approved"],
            reschedules_lapsed=done["reschedules_lapsed"],
            sessions_missed=done["sessions_missed"],
            sessions_completed=done["sessions_completed"],
            payments_released=done["payments_released"],
            payments_refunded=done["payments_refunded"],
            series_extended=done["series_extended"],
            reminders_sent=done["reminders_sent"],
            skipped=progress.skipped,
            errors=progress.errors,
        )

    def _offers_due(self, now: datetime) -> list[Booking]:
        return self._read(lambda uow: uow.bookings.offers_due(due_by=now))

    def _offers_still_due(self, session_id: str, now: datetime) -> bool:
        return any(b.session_id == session_id for b in self._offers_due(now))

    def _expire_offers(self, now: datetime, progress: _Progress) -> None:
        from booking_core.bookings.model import BookingStatus

        due = self._offers_due(now)
        for session_id in dict.fromkeys(booking.session_id for booking in due):
            decision = self._attempt(
                progress,
                TickStep.OFFERS,
                session_id,
                partial(
                    self.booking_service.expire_offers, session_id, actor=self.actor
                ),
                partial(self._offers_still_due, session_id, now),
            )
            for booking in decision.state if decision is not None else ():
                expired = booking.status is BookingStatus.EXPIRED
                progress.add(
                    "offers_expired" if expired else "offers_passed_on", booking.id
                )

    def _expire_approvals(self, now: datetime, progress: _Progress) -> None:
        steps = self.one_on_one
        if steps is None:
            return
        decisions = self._attempt(
            progress,
            TickStep.APPROVALS,
            None,
            lambda: steps.expire_undecided(now=now),
            lambda: True,
        )
        for decision in decisions or ():
            progress.add("approvals_expired", decision.state.id)

    def _extend_series(self, now: datetime, progress: _Progress) -> None:
        steps = self.one_on_one
        if steps is None:
            return
        decisions = self._attempt(
            progress,
            TickStep.SERIES,
            None,
            lambda: steps.extend_series(now=now),
            lambda: True,
        )
        for decision in decisions or ():
            progress.add("series_extended", decision.state.id)

    def _reschedule_due(self, session_id: str, now: datetime) -> bool:
        return is_reschedule_expired(self._session(session_id), now=now)

    def _expire_reschedules(self, now: datetime, progress: _Progress) -> None:
        due = self._read(lambda uow: uow.sessions.pending_reschedules(due_by=now))
        for session in due:
            decision = self._attempt(
                progress,
                TickStep.RESCHEDULES,
                session.id,
                partial(
                    self.session_service.expire_reschedule, session.id, actor=self.actor
                ),
                partial(self._reschedule_due, session.id, now),
            )
            if decision is None:
                continue
            event = decision.events[0]
            approved = isinstance(event, RescheduleExpired) and event.auto_approved
            progress.add(
                "reschedules_approved" if approved else "reschedules_lapsed",
                session.id,
            )

    def _scheduled(self, now: datetime) -> list[Session]:
        return self._read(
            lambda uow: uow.sessions.scheduled_sessions(starting_before=now)
        )

    def _owes_no_show(self, session: Session, now: datetime) -> bool:
        """Scheduled, past the no-show limit, and nobody joined."""
        return (
            session.status is SessionStatus.SCHEDULED
            and is_past_no_show_limit(
                session, now=now, policy=self.session_service.policies.session
            )
            and not self._anybody_joined(session.id)
        )

    def _owes_completion(self, session: Session, now: datetime) -> bool:
        """Scheduled, past the grace period, and not a no-show (that step's)."""
        return (
            session.status is SessionStatus.SCHEDULED
            and is_past_grace_period(
                session, now=now, policy=self.session_service.policies.session
            )
            and not self._owes_no_show(session, now)
        )

    def _still_owes(
        self,
        owes: Callable[[Session, datetime], bool],
        session_id: str,
        now: datetime,
    ) -> bool:
        return owes(self._session(session_id), now)

    def _mark_no_shows(self, now: datetime, progress: _Progress) -> None:
        for session in self._scheduled(now):
            if not self._owes_no_show(session, now):
                continue
            decision = self._attempt(
                progress,
                TickStep.NO_SHOWS,
                session.id,
                partial(
                    self.session_service.mark_missed,
                    session.id,
                    reason="nobody joined by the no-show limit",
                    actor=self.actor,
                ),
                partial(self._still_owes, self._owes_no_show, session.id, now),
            )
            if decision is not None:
                progress.add("sessions_missed", session.id)

    def _complete(self, session_id: str) -> Decision[Session]:
        # Marks first (idempotent: unchanged marks write nothing), then the
        # session's compare-and-set claims the completion.
        self.attendance_service.mark_session(session_id, actor=self.actor)
        return self.session_service.complete(session_id, actor=self.actor)

    def _complete_sessions(self, now: datetime, progress: _Progress) -> None:
        for session in self._scheduled(now):
            if not self._owes_completion(session, now):
                continue
            decision = self._attempt(
                progress,
                TickStep.COMPLETIONS,
                session.id,
                partial(self._complete, session.id),
                partial(self._still_owes, self._owes_completion, session.id, now),
            )
            if decision is not None:
                progress.add("sessions_completed", session.id)

    def _settle(
        self,
        payments: PaymentService,
        due: SettlementDue,
        outcomes: dict[str, OutcomeReport],
    ) -> str | None:
        """End one due booking's money; the kind of transition, or ``None``."""
        record = self._record(payments, due.id)
        if record is None or record.closed:
            # nothing to pay back (no order, or its money ended elsewhere)
            if record is None and self._may_still_pay(due.id):
                return None  # an order may still come before the booking's end
            self._close_due(due.id)
            return "dues_closed"
        if record.payment is None:
            return None  # not captured yet: the tick after the capture
        if due.kind is not DueKind.OUTCOME:
            # a cancellation: refunded by the cancellation policy (a share of
            # zero included); the rest of the teacher's share is released.
            # Imported here: only a monitor with a payment service settles,
            # and that service has loaded the refund rules already.
            from booking_core.money.refunds import CancellationReason

            payments.refund(due.id, by=due.by, reason=CancellationReason.CANCELLED)
            self._close_due(due.id)
            return "payments_refunded"
        report = outcomes.get(due.session_id)
        if report is None:
            report = self.attendance_service.outcome(due.session_id)
            outcomes[due.session_id] = report
        record = payments.settle(due.id, report.settlement)
        self._close_due(due.id)
        # A refund also releases what it leaves of the teacher's share; it is
        # reported as a refund whenever the student got money back.
        refunded = record.payment is not None and record.payment.refunded.amount > 0
        return "payments_refunded" if refunded else "payments_released"

    @staticmethod
    def _record(payments: PaymentService, booking_id: str) -> BookingPayment | None:
        """The booking's payment record, or ``None`` when no order was opened."""
        try:
            return payments.booking(booking_id)
        except NotFoundError:
            return None

    def _may_still_pay(self, booking_id: str) -> bool:
        """True before the booking's window ended (an order may still be opened)."""
        booking = self._read(lambda uow: uow.bookings.get(booking_id))
        return self._clock.now() < booking.window.end

    def _close_due(self, booking_id: str) -> None:
        """Close the due; one closed meanwhile (by another worker) stays closed."""
        now = self._clock.now()

        def close(uow: UnitOfWork) -> None:
            repository = uow.settlements
            due = repository.get(booking_id)
            if due.open:
                repository.save(close_due(due, now=now))

        run_in_transaction(self._uow_factory, close)

    def _still_open(self, payments: PaymentService, booking_id: str) -> bool:
        """True while the due is open and its money has not ended elsewhere."""
        if not self._read(lambda uow: uow.settlements.get(booking_id).open):
            return False
        record = self._record(payments, booking_id)
        return record is None or not record.closed

    def _resume_payments(self, progress: _Progress) -> None:
        # resume() isolates each pending item itself and reports its failure.
        payments = self.payment_service
        if payments is None:
            return
        left = self._attempt(
            progress, TickStep.PAYMENTS, None, payments.resume, lambda: True
        )
        for operation in left or ():
            if operation.error is not None:
                progress.errors.append(
                    TickError(
                        step=TickStep.PAYMENTS,
                        item_id=operation.target,
                        code=operation.error,
                        message=operation.message,
                    )
                )

    def _settle_payments(self, now: datetime, progress: _Progress) -> None:
        payments = self.payment_service
        if payments is None:
            return
        outcomes: dict[str, OutcomeReport] = {}
        for due in self._read(lambda uow: uow.settlements.due()):
            kind = self._attempt(
                progress,
                TickStep.SETTLEMENTS,
                due.id,
                partial(self._settle, payments, due, outcomes),
                partial(self._still_open, payments, due.id),
            )
            if kind is not None and kind != "dues_closed":
                progress.add(kind, due.id)

    # -- reminders ------------------------------------------------------------------

    def _claim(self, reminder: Reminder, now: datetime) -> str:
        """Claim and emit one reminder; ``"sent"``, ``"claimed"`` or ``"void"``."""

        def claim(uow: UnitOfWork) -> str:
            claims = uow.reminders
            if claims.find(claim_id(reminder.key)) is not None:
                return "claimed"  # another worker sent it since it was read
            session = uow.sessions.get(reminder.session_id)
            person = reminder.participant
            if session.status is not SessionStatus.SCHEDULED or (
                session.start != reminder.start
            ):
                return "void"  # closed or moved since it was read
            if person.role is Role.STUDENT:
                booking = uow.bookings.active_booking(session.id, person.user_id)
                if booking is None or not booking.is_participant:
                    return "void"  # no longer booked
            decision = claim_reminder(reminder, now=now, actor=self.actor)
            claims.add(decision.state)
            uow.collect(decision.events)
            return "sent"

        # A duplicate on commit is another worker's claim: the retry finds it.
        return run_in_transaction(
            self._uow_factory,
            claim,
            attempts=self.session_service.policies.transaction_attempts,
            retry_on=(ConcurrencyError, DuplicateIdError),
        )

    def _unclaimed(self, reminder: Reminder) -> bool:
        key = claim_id(reminder.key)
        return self._read(lambda uow: uow.reminders.find(key) is None)

    def _send_reminders(self, now: datetime, progress: _Progress) -> None:
        policy = self.session_service.policies.reminders
        windows = sendable_starts(now=now, policy=policy)

        def load(uow: UnitOfWork) -> tuple[list[Session], dict[str, list[str]]]:
            sessions = [
                session
                for window in windows
                for session in uow.sessions.scheduled_starting(window)
            ]
            students = {
                session.id: [
                    booking.student_id
                    for booking in uow.bookings.of_session(session.id)
                    if booking.is_participant
                ]
                for session in sessions
            }
            return sessions, students

        sessions, students = self._read(load)
        due = sendable_reminders(sessions, students, now=now, policy=policy)
        if not due:
            return

        def unsent(uow: UnitOfWork) -> list[Reminder]:
            claims = uow.reminders
            return [r for r in due if claims.find(claim_id(r.key)) is None]

        for reminder in self._read(unsent):
            outcome = self._attempt(
                progress,
                TickStep.REMINDERS,
                reminder.key,
                partial(self._claim, reminder, now),
                partial(self._unclaimed, reminder),
            )
            if outcome == "sent":
                progress.add("reminders_sent", reminder.key)
            elif outcome == "claimed":
                progress.skipped.append((TickStep.REMINDERS, reminder.key))
