"""The payment flow: orders, captures, escrow, refunds and withdrawals over a gateway.

:class:`PaymentService` drives a :class:`~booking_core.ports.PaymentGateway` and
posts to a :class:`~booking_core.ports.LedgerJournal`:

1. :meth:`~PaymentService.open_order`: an order for a booking.
2. The payment arrives by webhook (:meth:`~PaymentService.handle_webhook`) or
   polling (:meth:`~PaymentService.poll`), however often: the capture is split
   (:func:`~booking_core.money.split_payment`) and posted to escrow once,
   because the ledger keys derive from the payment id.
3. :meth:`~PaymentService.complete` releases the escrow to the teacher's wallet.
4. :meth:`~PaymentService.refund` refunds by the
   :class:`~booking_core.money.CancellationPolicy` for who cancelled / did not
   show (:class:`~booking_core.money.CancellationReason`); the host maps an
   attendance outcome to that role and reason.
5. :meth:`~PaymentService.withdraw`: hold, one payout, settle by webhook or
   polling (:mod:`booking_core.money.withdrawals`).

**Faults.** Every gateway call is retried by a :class:`RetryPolicy` with the
*same* idempotency key while the error is retryable (failed before applying, or
outcome unknown). An operation that still cannot finish is left pending, with
what remains recorded (:meth:`~PaymentService.pending`); :meth:`~PaymentService.resume`
completes it with the same key, or compensates it when the gateway definitively
refuses (a refund that cannot be made is dropped; a payout that cannot be created
returns the held amount to the wallet). The ledger is posted only after the
gateway confirmed, so the books never show money the gateway did not move.

**Persistence.** Every command runs through
:func:`~booking_core.services.run_in_transaction` on a unit of work: it reloads
the :class:`~booking_core.money.payments.BookingPayment` or
:class:`~booking_core.money.withdrawals.Withdrawal` record
(:class:`~booking_core.ports.BookingPaymentRepository`,
:class:`~booking_core.ports.WithdrawalRepository`), decides, and stages the new
record, its ledger postings (a journal bound to the same unit of work) and its
events, which commit together or not at all; a lost race is retried from a
fresh load. Gateway calls happen outside the transaction (they are idempotent
by key), so a retried transaction never repeats a gateway effect. On SQLite the
records and the ledger survive a restart: a new service on the same database
file carries on where the old one stopped.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Role
    >>> from booking_core.adapters.fake_gateway import FakePaymentGateway
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.clock import ManualClock
    >>> from booking_core.money import CancellationReason, Money
    >>> now = datetime(2026, 3, 29, 9, tzinfo=timezone.utc)
    >>> gateway = FakePaymentGateway(secret=b"whsec_0123456789abcdef",
    ...                              clock=lambda: now)
    >>> store = InMemoryStore()
    >>> service = PaymentService(
    ...     uow_factory=lambda: InMemoryUnitOfWork(store), clock=ManualClock(now),
    ...     gateway=gateway, currency="INR",
    ... )
    >>> journal = service.journal  # committed reads
    >>> booking = service.open_order(booking_id="b1", teacher_id="m1",
    ...     amount=Money.of("700.00", "INR"), starts_at=now + timedelta(days=2))
    >>> _ = gateway.pay(booking.order_id)
    >>> for body, signature in gateway.take_webhooks() * 2:  # delivered twice
    ...     service.handle_webhook(body, signature)
    >>> journal.balance("escrow:m1")
    61348
    >>> str(service.refund("b1", by=Role.TEACHER,
    ...     reason=CancellationReason.NO_SHOW).amount)
    '700.00 INR'
    >>> journal.balance("escrow:m1"), journal.balance("refunds")
    (0, 70000)
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar, final

import attrs

from booking_core.actors import Actor, Role
from booking_core.attendance.outcome import OutcomeSettlement
from booking_core.clock import Clock
from booking_core.errors import (
    GatewayError,
    InvalidTransitionError,
    InvalidWebhookError,
    NotFoundError,
    PolicyViolationError,
)
from booking_core.events import DomainEvent
from booking_core.money.amount import Money
from booking_core.money.currency import get_currency
from booking_core.money.gateway import (
    PaymentStatus,
    PayoutStatus,
    RetryPolicy,
    from_gateway_units,
    parse_webhook,
)
from booking_core.money.ledger import Transfer
from booking_core.money.payments import (
    BookingPayment,
    CapturedPayment,
    capture_payment,
    release_escrow,
)
from booking_core.money.reconciliation import (
    ReconciliationReport,
    gateway_records,
    ledger_records,
    reconcile,
)
from booking_core.money.refunds import (
    CancellationPolicy,
    CancellationReason,
    RefundPolicy,
    refund_payment,
    refund_quote,
)
from booking_core.money.split import SplitPolicy, split_payment
from booking_core.money.withdrawals import (
    BankAccount,
    Withdrawal,
    WithdrawalPolicy,
    apply_payout_status,
    record_payout,
    request_withdrawal,
)
from booking_core.policies import Policies
from booking_core.ports import (
    BookingPaymentRepository,
    PaymentGateway,
    Repository,
    UnitOfWork,
    WithdrawalRepository,
)
from booking_core.services import Service
from booking_core.services.ledger import RETRY_ON, LedgerService

__all__ = ["BookingPayment", "PaymentService", "PendingOperation"]

T = TypeVar("T")


@final
@attrs.frozen(kw_only=True)
class PendingOperation:
    """An operation that could not finish; :meth:`PaymentService.resume` retries it.

    Attributes:
        kind: ``order``, ``refund`` or ``payout``.
        target: The booking or withdrawal id.
        remaining: What is left to do, in words.
    """

    kind: str
    target: str
    remaining: str


_SPLIT = SplitPolicy()
_CANCELLATION = CancellationPolicy()
_REFUND = RefundPolicy()
_WITHDRAWAL = WithdrawalPolicy()
_RETRY = RetryPolicy()
_SYSTEM = Actor.system()


R = TypeVar("R", BookingPayment, Withdrawal)


def _saved(repository: Repository[R], record: R) -> R:
    # Stage ``record`` and return it as it will be stored (the next version).
    repository.save(record)
    return attrs.evolve(record, version=record.version + 1)


def _added(repository: Repository[R], record: R) -> R:
    repository.add(record)
    return attrs.evolve(record, version=1)


def _maybe(
    repository: BookingPaymentRepository, booking_id: str
) -> BookingPayment | None:
    try:
        return repository.get(booking_id)
    except NotFoundError:
        return None


def _maybe_withdrawal(
    repository: WithdrawalRepository, withdrawal_id: str
) -> Withdrawal | None:
    try:
        return repository.get(withdrawal_id)
    except NotFoundError:
        return None


@final
class PaymentService(Service):
    """The payment flow over a gateway, a ledger and repositories; see the module doc.

    Constructed like every :class:`~booking_core.services.Service` (it reads
    ``policies.split``, ``policies.cancellation``, ``policies.refund``,
    ``policies.withdrawal`` and ``policies.gateway_retry``), plus:

    Args:
        gateway: Any :class:`~booking_core.ports.PaymentGateway`.
        currency: The ISO 4217 code of the platform's ledger
            (``uow.ledger(currency)``).
        sleep: Waits between gateway retries (``time.sleep``; tests pass a
            no-op).
        actor: Who the service acts as (the system).

    Attributes:
        journal: The ledger, read from what is committed
            (a :class:`~booking_core.services.ledger.LedgerService`).
    """

    def __init__(
        self,
        *,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        policies: Policies | None = None,
        gateway: PaymentGateway,
        currency: str,
        sleep: Callable[[float], None] = time.sleep,
        actor: Actor = _SYSTEM,
    ) -> None:
        super().__init__(uow_factory=uow_factory, clock=clock, policies=policies)
        self.gateway = gateway
        self.currency = get_currency(currency).code
        self.journal: LedgerService = LedgerService(
            uow_factory=uow_factory, currency=self.currency, policies=self.policies
        )
        self._sleep = sleep
        self._actor = actor
        self._settling = threading.RLock()

    # -- plumbing --------------------------------------------------------------

    def _call(self, operation: Callable[[], T]) -> T:
        delays = self.policies.gateway_retry.delays()
        for delay in delays:
            try:
                return operation()
            except GatewayError as error:
                if not error.retryable:
                    raise
            self._sleep(delay)
        return operation()

    def _write(self, operation: Callable[[UnitOfWork], T]) -> T:
        return self._run(operation, retry_on=RETRY_ON)

    def _post(self, uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        # Post every event's transfers in this unit of work and collect the
        # events, so the ledger, the record and the outbox commit together.
        journal = uow.ledger(self.currency)
        for event in events:
            journal.post_linked(event.transfers)  # type: ignore[attr-defined]
        uow.collect(events)

    def booking(self, booking_id: str) -> BookingPayment:
        """The booking's payment record.

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
        """
        found = self._read(lambda uow: _maybe(uow.payments, booking_id))
        if found is None:
            raise NotFoundError(kind="booking payment", id=booking_id)
        return found

    def withdrawal(self, withdrawal_id: str) -> Withdrawal:
        """The withdrawal.

        Raises:
            NotFoundError: ``not_found`` for an unknown withdrawal.
        """
        found = self._read(
            lambda uow: _maybe_withdrawal(uow.withdrawals, withdrawal_id)
        )
        if found is None:
            raise NotFoundError(kind="withdrawal", id=withdrawal_id)
        return found

    def withdrawals(self) -> tuple[Withdrawal, ...]:
        """Every withdrawal, in request order (then by id)."""
        return tuple(self._read(lambda uow: uow.withdrawals.all()))

    def bookings(self) -> tuple[BookingPayment, ...]:
        """Every booking payment record, by booking id."""
        return tuple(self._read(lambda uow: uow.payments.all()))

    # -- orders and captures ---------------------------------------------------

    def open_order(
        self,
        *,
        booking_id: str,
        teacher_id: str,
        amount: Money,
        starts_at: datetime,
    ) -> BookingPayment:
        """Create the gateway order for a booking (idempotent per booking).

        When the gateway keeps failing the record is kept without an order and
        :meth:`resume` creates it (with the same key).

        Raises:
            GatewayDeclinedError: ``gateway.declined`` when the gateway refuses
                (nothing is stored for a new booking).
        """
        existing = self._read(lambda uow: _maybe(uow.payments, booking_id))
        if existing is not None:
            return self._create_order(existing)
        candidate = BookingPayment(
            id=booking_id, teacher_id=teacher_id, amount=amount, starts_at=starts_at
        )
        try:
            order_id: str | None = self._order(candidate)
        except GatewayError as error:
            if not error.retryable:
                raise
            order_id = None

        def store(uow: UnitOfWork) -> BookingPayment:
            repository = uow.payments
            found = _maybe(repository, booking_id)
            if found is None:
                return _added(repository, attrs.evolve(candidate, order_id=order_id))
            return self._record_order(repository, found, order_id)

        return self._write(store)

    def _order(self, record: BookingPayment) -> str:
        order = self._call(
            lambda: self.gateway.create_order(
                amount=record.amount,
                receipt=record.id,
                idempotency_key=f"order/{record.id}",
            )
        )
        return order.id

    @staticmethod
    def _record_order(
        repository: BookingPaymentRepository,
        record: BookingPayment,
        order_id: str | None,
    ) -> BookingPayment:
        if record.order_id is not None or order_id is None:
            return record
        return _saved(repository, attrs.evolve(record, order_id=order_id))

    def _create_order(self, record: BookingPayment) -> BookingPayment:
        if record.order_id is not None or record.closed:
            return record
        try:
            order_id = self._order(record)
        except GatewayError as error:
            if error.retryable:
                return record
            # A definitive refusal: the record can never get an order; close it.
            self._write(lambda uow: self._close_orderless(uow, record.id))
            raise

        def store(uow: UnitOfWork) -> BookingPayment:
            repository = uow.payments
            return self._record_order(repository, repository.get(record.id), order_id)

        return self._write(store)

    def _close_orderless(self, uow: UnitOfWork, booking_id: str) -> None:
        # Refused for good under its one key: no order can ever exist for it.
        repository = uow.payments
        repository.save(attrs.evolve(repository.get(booking_id), closed=True))

    def handle_webhook(self, body: bytes, signature: str) -> None:
        """Apply one webhook delivery; repeats and late ones change nothing.

        Raises:
            InvalidWebhookError: ``payments.invalid_webhook`` when the signature
                does not verify, the body is malformed or a payout status is
                unknown (nothing changes).
        """
        now = self._clock.now()
        if not self.gateway.verify_webhook(body, signature):
            raise InvalidWebhookError(reason="the signature does not verify")
        event = parse_webhook(body)
        kind = event.event.partition(".")[0]
        if kind == "payment":
            record = self._read(lambda uow: uow.payments.by_order(event.reference))
            if record is not None:
                self._settle_payment(record.id, event.entity_id, now)
        elif kind == "payout":
            found = self._read(
                lambda uow: _maybe_withdrawal(uow.withdrawals, event.reference)
            )
            if found is None:
                return
            try:
                status = PayoutStatus(event.status)
            except ValueError:
                raise InvalidWebhookError(
                    reason=f"unknown payout status {event.status!r}"
                ) from None
            self._apply_payout(found.id, status, now, event.entity_id)

    def poll(self, booking_id: str) -> BookingPayment:
        """Ask the gateway whether the booking's order was paid, and capture it.

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
        """
        now = self._clock.now()
        record = self._create_order(self.booking(booking_id))
        if record.payment is not None or record.order_id is None:
            return record
        order = self.gateway.fetch_order(record.order_id)
        if order.payment_id is not None:
            self._settle_payment(booking_id, order.payment_id, now)
        return self.booking(booking_id)

    def _settle_payment(self, booking_id: str, payment_id: str, now: datetime) -> None:
        record = self.booking(booking_id)
        if record.payment is not None:
            return
        payment = self.gateway.fetch_payment(payment_id)
        if payment.status is PaymentStatus.AUTHORIZED:
            try:
                payment = self._call(
                    lambda: self.gateway.capture_payment(
                        payment_id,
                        amount=record.amount,
                        idempotency_key=f"capture/{payment_id}",
                    )
                )
            except GatewayError:
                return  # still authorized: the next webhook or poll captures it
        if payment.status is not PaymentStatus.CAPTURED:
            return
        gross = from_gateway_units(
            payment.amount,
            payment.currency,
            self.gateway.minor_units(payment.currency),
        )
        split = split_payment(gross, self.policies.split, payment_id=payment_id)

        def capture(uow: UnitOfWork) -> None:
            repository = uow.payments
            current = repository.get(booking_id)
            if current.payment is not None:
                return  # captured by a concurrent delivery
            decision = capture_payment(
                payment_id=payment_id,
                teacher_id=current.teacher_id,
                split=split,
                actor=self._actor,
                now=now,
            )
            self._post(uow, decision.events)
            repository.save(attrs.evolve(current, payment=decision.state))

        self._write(capture)

    @staticmethod
    def _captured(
        repository: BookingPaymentRepository, booking_id: str, action: str
    ) -> tuple[BookingPayment, CapturedPayment]:
        record = _maybe(repository, booking_id)
        if record is None:
            raise NotFoundError(kind="booking payment", id=booking_id)
        payment = record.payment
        if payment is None or record.closed:
            state = "closed" if record.closed else "not captured"
            raise InvalidTransitionError(
                action=action,
                kind="booking payment",
                state=state,
                allowed="captured and not yet released or refunded",
            )
        return record, payment

    def complete(self, booking_id: str) -> BookingPayment:
        """The session was held: release the teacher's share from escrow.

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
            InvalidTransitionError: ``invalid_transition`` when not captured,
                already released or refunded.
        """
        now = self._clock.now()

        def release(uow: UnitOfWork) -> BookingPayment:
            repository = uow.payments
            record, payment = self._captured(repository, booking_id, "release")
            decision = release_escrow(payment, actor=self._actor, now=now)
            self._post(uow, decision.events)
            return _saved(
                repository, attrs.evolve(record, payment=decision.state, closed=True)
            )

        return self._write(release)

    def settle(self, booking_id: str, settlement: OutcomeSettlement) -> BookingPayment:
        """Settle a booking by its session's attendance outcome.

        ``settlement`` is what :func:`booking_core.attendance.classify_outcome`
        reported (``report.settlement``, see
        :data:`~booking_core.attendance.OUTCOME_SETTLEMENTS`): when the teacher is
        paid and nothing is refunded, the teacher's share is released
        (:meth:`complete`); when the teacher is not paid, the booking is refunded
        by the cancellation policy for the settlement's role and reason (a
        teacher no-show refunds in full, :meth:`refund`).

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
            InvalidTransitionError: ``invalid_transition`` when not captured,
                already released or refunded.
            PolicyViolationError: ``policy_violation`` when the policy both pays
                the teacher and refunds part of the payment (a split settlement
                this service does not carry out; refund and release by hand).
        """
        # One settlement at a time per service: two monitor workers in one
        # process settling the same booking find it closed the second time.
        with self._settling:
            record = self.booking(booking_id)
            by, reason = settlement.refund_by, settlement.refund_reason
            share = settlement.refund_share(
                self.policies.cancellation, starts_at=record.starts_at
            )
            if settlement.teacher_paid and share == 0:
                return self.complete(booking_id)
            if not settlement.teacher_paid and by is not None and reason is not None:
                return self.refund(booking_id, by=by, reason=reason)
        raise PolicyViolationError(
            reason=(
                f"booking {record.id!r}: the outcome pays the teacher and refunds "
                f"a share of {share}; release and refund it explicitly"
            )
        )

    # -- refunds ----------------------------------------------------------------

    def refund(
        self,
        booking_id: str,
        *,
        by: Role,
        reason: CancellationReason,
    ) -> BookingPayment:
        """Refund a cancelled or missed booking by the cancellation policy.

        The amount is :func:`~booking_core.money.refund_quote` for ``by`` and
        ``reason`` (a teacher's cancellation or no-show refunds in full). The
        gateway refund is made first (key ``refund/<payment>/<n>``), then the
        ledger; if the gateway cannot be reached the refund stays pending and
        :meth:`resume` finishes it. The booking is closed either way.

        Returns:
            The record; ``pending_refund`` is set while the refund is unconfirmed.

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
            InvalidTransitionError: ``invalid_transition`` when not captured,
                released or already refunded.
            GatewayDeclinedError: ``gateway.declined`` (nothing changes).
        """
        now = self._clock.now()

        def decide(uow: UnitOfWork) -> BookingPayment:
            repository = uow.payments
            record, payment = self._captured(repository, booking_id, "refund")
            quote = refund_quote(
                self.policies.cancellation,
                starts_at=record.starts_at,
                payments=[payment],
                now=now,
                by=by,
                reason=reason,
                refund_policy=self.policies.refund,
            )
            record = attrs.evolve(record, closed=True)
            if quote.amount.amount > 0:
                key = f"refund/{payment.id}/{payment.refund_count + 1}"
                record = attrs.evolve(record, pending_refund=(key, quote.amount))
            return _saved(repository, record)

        return self._finish_refund(self._write(decide), now)

    def _finish_refund(self, record: BookingPayment, now: datetime) -> BookingPayment:
        payment = record.payment
        pending = record.pending_refund
        if pending is None or payment is None:
            return record
        key, amount = pending
        try:
            self._call(
                lambda: self.gateway.refund(
                    payment.id, amount=amount, idempotency_key=key
                )
            )
        except GatewayError as error:
            if error.retryable:
                return record
            self._write(lambda uow: self._drop_refund(uow, record.id))
            raise

        def post(uow: UnitOfWork) -> BookingPayment:
            repository = uow.payments
            current = repository.get(record.id)
            if current.pending_refund != pending or current.payment is None:
                return current  # finished by a concurrent resume
            decision = refund_payment(
                current.payment,
                amount,
                policy=self.policies.refund,
                actor=self._actor,
                now=now,
                reason="cancellation",
            )
            self._post(uow, decision.events)
            current = attrs.evolve(current, payment=decision.state, pending_refund=None)
            return _saved(repository, current)

        return self._write(post)

    def _drop_refund(self, uow: UnitOfWork, booking_id: str) -> None:
        # compensate: the gateway refused the refund for good
        # (a refused key is refused for every process: nothing was posted)
        repository = uow.payments
        current = repository.get(booking_id)
        repository.save(attrs.evolve(current, pending_refund=None))

    # -- withdrawals ------------------------------------------------------------

    def withdraw(
        self,
        *,
        withdrawal_id: str,
        teacher_id: str,
        amount: Money,
        bank_account: BankAccount,
    ) -> Withdrawal:
        """Hold ``amount`` from the teacher's available wallet and create its payout.

        Exactly one payout per withdrawal: the withdrawal id is the payout's
        idempotency key. Asking again for the same id returns the withdrawal.

        Raises:
            WithdrawalAmountError: ``payments.withdrawal_amount``.
            InsufficientFundsError: ``money.insufficient_funds`` when the
                wallet cannot cover it (nothing changes).
        """
        now = self._clock.now()

        def hold(uow: UnitOfWork) -> tuple[Withdrawal, bool]:
            repository = uow.withdrawals
            found = _maybe_withdrawal(repository, withdrawal_id)
            if found is not None:
                return found, False
            decision = request_withdrawal(
                withdrawal_id=withdrawal_id,
                teacher_id=teacher_id,
                amount=amount,
                bank_account=bank_account,
                policy=self.policies.withdrawal,
                actor=self._actor,
                now=now,
            )
            self._post(uow, decision.events)
            return _added(repository, decision.state), True

        withdrawal, new = self._write(hold)
        return self._create_payout(withdrawal, now) if new else withdrawal

    def _create_payout(self, withdrawal: Withdrawal, now: datetime) -> Withdrawal:
        try:
            payout = self._call(
                lambda: self.gateway.create_payout(
                    fund_account=withdrawal.bank_account,
                    amount=withdrawal.amount,
                    reference=withdrawal.id,
                    idempotency_key=f"payout/{withdrawal.id}",
                )
            )
        except GatewayError as error:
            if error.retryable:
                return withdrawal
            # compensate: the payout can never be made, return the hold
            return self._apply_payout(withdrawal.id, PayoutStatus.FAILED, now)
        return self._apply_payout(withdrawal.id, payout.status, now, payout.id)

    def _apply_payout(
        self,
        withdrawal_id: str,
        status: PayoutStatus,
        now: datetime,
        payout_id: str | None = None,
    ) -> Withdrawal:
        def apply(uow: UnitOfWork) -> Withdrawal:
            repository = uow.withdrawals
            loaded = repository.get(withdrawal_id)
            withdrawal = loaded
            if withdrawal.payout_id is None and payout_id is not None:
                # The payout was created but its answer may have been lost (a
                # timeout): the gateway's answer or webhook tells us its id.
                withdrawal = record_payout(withdrawal, payout_id)
            decision = apply_payout_status(
                withdrawal, status, actor=self._actor, now=now
            )
            self._post(uow, decision.events)
            if decision.state == loaded:
                return loaded
            return _saved(repository, decision.state)

        return self._write(apply)

    # -- pending work -----------------------------------------------------------

    def pending(self) -> tuple[PendingOperation, ...]:
        """What could not finish yet: orders, refunds, payouts not settled."""
        records, held = self._read(
            lambda uow: (uow.payments.pending(), uow.withdrawals.held())
        )
        found = [
            PendingOperation(
                kind="order", target=r.id, remaining="create the gateway order"
            )
            for r in records
            if r.order_id is None
        ]
        found += [
            PendingOperation(
                kind="refund",
                target=r.id,
                remaining=f"refund {r.pending_refund[1]} (key {r.pending_refund[0]})",
            )
            for r in records
            if r.pending_refund is not None
        ]
        found += [
            PendingOperation(
                kind="payout",
                target=w.id,
                remaining="create the payout"
                if w.payout_id is None
                else f"settle payout {w.payout_id}",
            )
            for w in held
        ]
        return tuple(found)

    def resume(self) -> tuple[PendingOperation, ...]:
        """Complete (or compensate) what is pending; poll unsettled payouts.

        Returns:
            What is still pending afterwards.

        Raises:
            GatewayDeclinedError: ``gateway.declined`` when the gateway refuses
                an order for good (the record is closed; nothing else changes).
        """
        now = self._clock.now()
        for record in self._read(lambda uow: uow.payments.pending()):
            if record.order_id is None:
                self._create_order(record)
            else:
                with contextlib.suppress(GatewayError):  # refused: dropped
                    self._finish_refund(record, now)
        for withdrawal in self._read(lambda uow: uow.withdrawals.held()):
            if withdrawal.payout_id is None:
                self._create_payout(withdrawal, now)
            else:
                payout = self.gateway.fetch_payout(withdrawal.payout_id)
                self._apply_payout(withdrawal.id, payout.status, now)
        return self.pending()

    # -- reconciliation ---------------------------------------------------------

    def reconcile(self, *, start: datetime, end: datetime) -> ReconciliationReport:
        """Match the ledger with the gateway's settled transactions in a period.

        Args:
            start: The period's first instant.
            end: The instant after it (``[start, end)``).
        """

        def read(uow: UnitOfWork) -> list[Transfer]:
            journal = uow.ledger(self.currency)
            return [
                *journal.history("payments"),
                *journal.history("refunds"),
                *journal.history("payouts"),
            ]

        transfers = self._read(read)
        transactions = self.gateway.transactions(start=start, end=end)
        units = {t.currency: self.gateway.minor_units(t.currency) for t in transactions}
        return reconcile(
            ledger_records(transfers, start=start, end=end),
            gateway_records(transactions, units),
        )
