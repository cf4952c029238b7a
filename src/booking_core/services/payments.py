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

import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import member
from booking_core.actors import Actor, Role
from booking_core.attendance.outcome import OutcomeSettlement
from booking_core.clock import Clock
from booking_core.errors import (
    GatewayError,
    InvalidTransitionError,
    InvalidValueError,
    NotFoundError,
    PolicyViolationError,
)
from booking_core.events import DomainEvent
from booking_core.money.accounts import AccountKind, account_id, plan_posting
from booking_core.money.amount import Money
from booking_core.money.currency import get_currency
from booking_core.money.gateway import (
    GatewayPayment,
    PaymentStatus,
    PayoutStatus,
    from_gateway_units,
    reported_fee,
)
from booking_core.money.ledger import Transfer
from booking_core.money.losses import collect_receivable, cover_wallet_shortfall
from booking_core.money.payments import (
    BookingPayment,
    CapturedPayment,
    EscrowReleased,
    PendingRefund,
    capture_payment,
    check_order,
    release_escrow,
)
from booking_core.money.reconciliation import (
    ReconciliationReport,
    gateway_records,
    ledger_records,
    reconcile,
)
from booking_core.money.refunds import (
    CancellationReason,
    PaymentRefunded,
    refund_payment,
    refund_quote,
)
from booking_core.money.split import split_payment
from booking_core.money.webhooks import WebhookVerifier
from booking_core.money.withdrawals import (
    BankAccount,
    Withdrawal,
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
from booking_core.services.webhooks import GatewayVerifier, PaymentSteps, WebhookIntake

__all__ = ["BookingPayment", "PaymentService", "PendingOperation"]

T = TypeVar("T")


@final
@attrs.frozen(kw_only=True, repr=False)
class PendingOperation:
    """An operation that could not finish; :meth:`PaymentService.resume` retries it.

    Attributes:
        kind: ``order``, ``refund`` or ``payout``.
        target: The booking or withdrawal id.
        remaining: What is left to do, in words (``nothing: compensated`` for
            an operation the gateway refused for good, reported once by the
            :meth:`~PaymentService.resume` that compensated it).
        error: The code of the error that stopped it on the last
            :meth:`~PaymentService.resume` (the exception's class name for an
            error from outside the library), or ``None``.
        message: That error's message (empty without one).
    """

    __repr__ = fields_repr

    kind: str
    target: str
    remaining: str
    error: str | None = None
    message: str = ""


_SYSTEM = Actor.system()
_COMPENSATED = "nothing: compensated"


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


def _not_captured(action: str, record: BookingPayment) -> InvalidTransitionError:
    if record.pending_refund is not None:
        state = f"refund {record.pending_refund.key} in flight"
    elif record.payment is None:
        state = "not captured"
    else:
        state = "closed"
    return InvalidTransitionError(
        action=action,
        kind="booking payment",
        state=state,
        allowed="captured, not yet settled, no refund in flight",
    )


def _code(error: Exception) -> str:
    code = getattr(error, "code", None)
    return code if isinstance(code, str) else type(error).__name__


def _with_error(
    operation: PendingOperation, error: Exception | None
) -> PendingOperation:
    if error is None:
        return operation
    return attrs.evolve(operation, error=_code(error), message=str(error))


@final
class PaymentService(Service):
    """The payment flow over a gateway, a ledger and repositories; see the module doc.

    Constructed like every :class:`~booking_core.services.Service` (it reads
    ``policies.split``, ``policies.cancellation``, ``policies.refund``,
    ``policies.withdrawal`` and ``policies.gateway_retry``), plus:

    Args:
        gateway: Any :class:`~booking_core.ports.PaymentGateway`.
        currency: The ISO 4217 code of the platform's ledger
            (``uow.ledger(currency)``); orders in another currency are refused.
        webhook_secret: The secret webhooks are signed with: a
            :class:`~booking_core.money.webhooks.WebhookVerifier` is built from
            it here, so a weak secret is refused when the service is built.
            Without it, the gateway's own ``verify_webhook`` decides (a
            :class:`~booking_core.adapters.fake_gateway.FakePaymentGateway`
            refuses a weak secret when it is built).
        sleep: Waits between gateway retries (``time.sleep``; tests pass a
            no-op).
        actor: Who the service acts as (the system).

    Raises:
        WeakWebhookSecretError: ``payments.weak_webhook_secret`` for an empty
            or too short ``webhook_secret``.

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
        webhook_secret: bytes | str | None = None,
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
        self._webhooks = WebhookIntake(
            gateway=gateway,
            clock=clock,
            verifier=GatewayVerifier(gateway)
            if webhook_secret is None
            else WebhookVerifier(webhook_secret),
            steps=PaymentSteps(
                call=self._call,
                read=self._read,
                write=self._write,
                capture_at_gateway=self._capture_at_gateway,
                capture=self._capture,
                post_refund=self._post_refund,
                drop_refund=self._drop_refund,
                payout_status=self._payout_status,
            ),
        )

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

    def _plan(
        self, uow: UnitOfWork, events: Sequence[DomainEvent]
    ) -> tuple[list[DomainEvent], list[Transfer]]:
        # The transfers the events imply, as they will be posted: a refund's
        # legs a teacher wallet cannot cover go to the receivable or the
        # platform (policy), and every release first pays back what the
        # teacher owes. Each event carries the transfers actually posted.
        journal = uow.ledger(self.currency)
        overlay: dict[str, int] = {}

        def balance(account: str) -> int:
            if account not in overlay:
                overlay[account] = journal.balance(account)
            return overlay[account]

        planned: list[DomainEvent] = []
        batch: list[Transfer] = []
        for event in events:
            transfers: tuple[Transfer, ...] = event.transfers  # type: ignore[attr-defined]
            if isinstance(event, PaymentRefunded):
                transfers = cover_wallet_shortfall(
                    transfers,
                    balance=balance,
                    policy=self.policies.refund.uncovered_loss,
                )
            for transfer in transfers:
                overlay[transfer.debit] = balance(transfer.debit) - transfer.amount
                overlay[transfer.credit] = balance(transfer.credit) + transfer.amount
            if isinstance(event, EscrowReleased) and transfers:
                teacher = event.teacher_id
                collect = collect_receivable(
                    teacher,
                    available=balance(account_id(AccountKind.WALLET, teacher)),
                    receivable=balance(account_id(AccountKind.RECEIVABLE, teacher)),
                    currency=self.currency,
                    key=f"{transfers[0].key}/receivable",
                    reference=event.aggregate_id,
                    at=event.occurred_at,
                )
                if collect is not None:
                    transfers = (*transfers, collect)
                    overlay[collect.debit] -= collect.amount
                    overlay[collect.credit] = balance(collect.credit) + collect.amount
            planned.append(attrs.evolve(event, transfers=transfers))  # type: ignore[call-arg]
            batch.extend(transfers)
        return planned, batch

    def _check(self, uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        # Every posting the operation implies can be made (nothing is posted):
        # raises the ledger's refusal before the gateway is called.
        journal = uow.ledger(self.currency)
        _, batch = self._plan(uow, events)
        plan_posting(
            batch, currency=self.currency, posted=journal.get, balance=journal.balance
        )

    def _post(self, uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        # Post the events' transfers in this unit of work, linked, and collect
        # the events, so the ledger, the record and the outbox commit together.
        planned, batch = self._plan(uow, events)
        uow.ledger(self.currency).post_linked(batch)
        uow.collect(planned)

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

    def withdrawals(
        self, *, after: str | None = None, limit: int | None = None
    ) -> tuple[Withdrawal, ...]:
        """The withdrawals in request order (then by id), a page at a time.

        Args:
            after: The id of the last withdrawal of the previous page.
            limit: At most this many (a whole number above 0); all by default.

        Raises:
            InvalidValueError: ``input.invalid_value`` for a ``limit`` below 1.
            NotFoundError: ``not_found`` for an ``after`` naming no withdrawal.
        """
        return tuple(
            self._read(lambda uow: uow.withdrawals.all(after=after, limit=limit))
        )

    def bookings(
        self, *, after: str | None = None, limit: int | None = None
    ) -> tuple[BookingPayment, ...]:
        """The booking payment records by booking id, a page at a time.

        Args:
            after: The booking id of the last record of the previous page.
            limit: At most this many (a whole number above 0); all by default.

        Raises:
            InvalidValueError: ``input.invalid_value`` for a ``limit`` below 1.
        """
        return tuple(self._read(lambda uow: uow.payments.all(after=after, limit=limit)))

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

        The order is checked before the gateway is called
        (:func:`~booking_core.money.payments.check_order`). When the gateway
        keeps failing the record is kept without an order and :meth:`resume`
        creates it (with the same key).

        Raises:
            InvalidAmountError: ``money.invalid_amount`` for an amount that is
                not above zero (nothing changes; the gateway is not called).
            CurrencyMismatchError: ``money.currency_mismatch`` for another
                currency than the service's ledger (idem).
            OrderKeyReuseError: ``payments.idempotency_key_reused`` when the
                booking id was opened with another teacher, amount or
                currency (idem).
            GatewayDeclinedError: ``gateway.declined`` when the gateway refuses
                (nothing is stored for a new booking).
        """
        existing = self._read(lambda uow: _maybe(uow.payments, booking_id))
        found = check_order(
            booking_id=booking_id,
            teacher_id=teacher_id,
            amount=amount,
            ledger_currency=self.currency,
            existing=existing,
        )
        if found is not None:
            return self._create_order(found)
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
            stored = check_order(
                booking_id=booking_id,
                teacher_id=teacher_id,
                amount=amount,
                ledger_currency=self.currency,
                existing=_maybe(repository, booking_id),
            )
            if stored is None:
                return _added(repository, attrs.evolve(candidate, order_id=order_id))
            return self._record_order(repository, stored, order_id)

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

    @staticmethod
    def _close_orderless(uow: UnitOfWork, booking_id: str) -> None:
        # Refused for good under its one key: no order can ever exist for it.
        repository = uow.payments
        repository.save(attrs.evolve(repository.get(booking_id), closed=True))

    # -- webhooks ----------------------------------------------------------------

    def handle_webhook(self, body: bytes, signature: str) -> None:
        """Apply one webhook delivery; repeats, late and forged ones change nothing.

        The body is a claim (:mod:`booking_core.money.webhooks`): the payment,
        refund or payout it names is fetched from the gateway, its own
        reference must match the claim's, and only the *fetched* state is
        applied. Each event id is applied once: its
        :class:`~booking_core.money.webhooks.ProcessedWebhook` is stored in
        the same unit of work as its effects (``uow.webhooks``). The intake
        itself is :class:`booking_core.services.webhooks.WebhookIntake`.

        Raises:
            InvalidWebhookError: ``payments.invalid_webhook`` when the delivery
                is malformed (body not bytes, signature missing or not 64 hex
                characters), the signature does not verify, the gateway knows
                no such object, or the object's reference is not the claimed
                one (nothing changes).
        """
        self._webhooks.handle(body, signature)

    # -- captures ------------------------------------------------------------------

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
            payment = self.gateway.fetch_payment(order.payment_id)
            captured = self._capture_at_gateway(record, payment)
            if captured is not None:
                self._write(lambda uow: self._capture(uow, booking_id, captured, now))
        return self.booking(booking_id)

    def _capture_at_gateway(
        self, record: BookingPayment, payment: GatewayPayment
    ) -> GatewayPayment | None:
        # The payment as the gateway has it now, captured if it was only
        # authorized; ``None`` when the capture could not be made yet.
        if record.payment is not None or payment.status is not PaymentStatus.AUTHORIZED:
            return payment
        try:
            return self._call(
                lambda: self.gateway.capture_payment(
                    payment.id,
                    amount=record.amount,
                    idempotency_key=f"capture/{payment.id}",
                )
            )
        except GatewayError:
            return None

    def _capture(
        self, uow: UnitOfWork, booking_id: str, payment: GatewayPayment, now: datetime
    ) -> None:
        repository = uow.payments
        current = repository.get(booking_id)
        if current.payment is not None or payment.status is not PaymentStatus.CAPTURED:
            return  # captured already, or nothing to capture
        units = self.gateway.minor_units(payment.currency)
        split = split_payment(
            from_gateway_units(payment.amount, payment.currency, units),
            self.policies.split,
            reported_fee(payment, units),
            order_id=payment.order_id,
            payment_id=payment.id,
        )
        decision = capture_payment(
            payment_id=payment.id,
            teacher_id=current.teacher_id,
            split=split,
            actor=self._actor,
            now=now,
        )
        self._post(uow, decision.events)
        repository.save(attrs.evolve(current, payment=decision.state))

    # -- settlement ----------------------------------------------------------------

    @staticmethod
    def _captured(
        repository: BookingPaymentRepository, booking_id: str, action: str
    ) -> tuple[BookingPayment, CapturedPayment]:
        record = _maybe(repository, booking_id)
        if record is None:
            raise NotFoundError(kind="booking payment", id=booking_id)
        payment = record.payment
        if payment is None or record.closed or record.pending_refund is not None:
            raise _not_captured(action, record)
        return record, payment

    def _release(
        self,
        uow: UnitOfWork,
        record: BookingPayment,
        payment: CapturedPayment,
        now: datetime,
    ) -> BookingPayment:
        decision = release_escrow(payment, actor=self._actor, now=now)
        self._post(uow, decision.events)
        return _saved(
            uow.payments, attrs.evolve(record, payment=decision.state, closed=True)
        )

    def complete(self, booking_id: str) -> BookingPayment:
        """The session was held: release the teacher's share from escrow.

        What is left of the share after any refund is released; what the
        teacher owes (a receivable) is paid back from it first. The record
        closes.

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
            InvalidTransitionError: ``invalid_transition`` when not captured,
                already settled, or a refund is in flight (nothing changes).
        """
        now = self._clock.now()

        def release(uow: UnitOfWork) -> BookingPayment:
            record, payment = self._captured(uow.payments, booking_id, "release")
            return self._release(uow, record, payment, now)

        return self._write(release)

    def settle(self, booking_id: str, settlement: OutcomeSettlement) -> BookingPayment:
        """Settle a booking by its session's attendance outcome, in one operation.

        ``settlement`` is what :func:`booking_core.attendance.classify_outcome`
        reported (``report.settlement``, see
        :data:`~booking_core.attendance.OUTCOME_SETTLEMENTS`). When it refunds
        nothing and pays the teacher, the teacher's share is released
        (:meth:`complete`); otherwise the booking is refunded by the
        cancellation policy for the settlement's role and reason
        (:meth:`refund`), which releases what the refund leaves of the
        teacher's share in the same operation.

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
            InvalidTransitionError: ``invalid_transition`` when not captured,
                already settled, or a refund is in flight.
            PolicyViolationError: ``policy_violation`` for a settlement that
                neither pays the teacher nor names whose refund it is.
        """
        if not isinstance(settlement, OutcomeSettlement):
            raise InvalidValueError(
                field="settlement",
                reason="must be an OutcomeSettlement (report.settlement)",
                value=settlement,
            )
        # One settlement at a time per service: two monitor workers in one
        # process settling the same booking find it closed the second time.
        with self._settling:
            by, reason = settlement.refund_by, settlement.refund_reason
            if by is not None and reason is not None:
                return self.refund(booking_id, by=by, reason=reason)
            if settlement.teacher_paid:
                return self.complete(booking_id)
        raise PolicyViolationError(
            reason=(
                f"booking {booking_id!r}: the outcome neither pays the teacher nor "
                "says whose refund it is; refund or release it explicitly"
            )
        )

    # -- refunds ----------------------------------------------------------------

    def _refund_effects(
        self, record: BookingPayment, pending: PendingRefund, now: datetime
    ) -> tuple[BookingPayment, list[DomainEvent]]:
        # The record and events of ``pending`` once the gateway made it: the
        # refund, and for a settling refund the release of what it leaves.
        payment = record.payment
        assert payment is not None  # noqa: S101 -- callers load a captured record
        refunded = refund_payment(
            payment,
            pending.amount,
            policy=self.policies.refund,
            actor=self._actor,
            now=now,
            reason=pending.reason,
        )
        events: list[DomainEvent] = list(refunded.events)
        state = refunded.state
        if pending.settles and state.in_escrow.amount > 0:
            released = release_escrow(state, actor=self._actor, now=now)
            events += released.events
            state = released.state
        closed = record.closed or pending.settles
        return (
            attrs.evolve(record, payment=state, pending_refund=None, closed=closed),
            events,
        )

    def _decide_refund(
        self,
        uow: UnitOfWork,
        record: BookingPayment,
        pending: PendingRefund,
        now: datetime,
    ) -> BookingPayment:
        # Ledger first: every posting the refund implies must be possible.
        self._check(uow, self._refund_effects(record, pending, now)[1])
        closed = record.closed or pending.settles
        return _saved(
            uow.payments, attrs.evolve(record, pending_refund=pending, closed=closed)
        )

    def refund(
        self,
        booking_id: str,
        *,
        by: Role,
        reason: CancellationReason,
    ) -> BookingPayment:
        """Refund a cancelled or missed booking by the cancellation policy; settle it.

        The amount is :func:`~booking_core.money.refund_quote` for ``by`` and
        ``reason`` (a teacher's cancellation or no-show refunds in full). What
        the refund leaves of the teacher's share is released to the teacher in
        the same operation (a zero refund releases it all), and the record
        closes.

        Ledger first: the refund's postings are checked before the gateway is
        called (a loss the teacher's wallet cannot cover becomes a receivable
        or a platform loss, ``RefundPolicy.uncovered_loss``), then stored as
        a :class:`~booking_core.money.payments.PendingRefund`; the gateway
        refunds (key ``refund/<payment>/<n>``); then the postings are made. If
        the gateway cannot be reached, or the process dies in between, the
        refund stays pending and :meth:`resume` finishes it with the same key.

        Returns:
            The record; ``pending_refund`` is set while the refund is unconfirmed.

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
            InvalidTransitionError: ``invalid_transition`` when not captured,
                already settled or a refund is in flight (nothing changes).
            GatewayDeclinedError: ``gateway.declined`` when the gateway refuses
                the refund (compensated: the record is as it was, nothing posted).
        """
        now = self._clock.now()
        role = member(Role, by, "by")
        why = f"{role.value} {member(CancellationReason, reason, 'reason').value}"

        def decide(uow: UnitOfWork) -> BookingPayment:
            record, payment = self._captured(uow.payments, booking_id, "refund")
            quote = refund_quote(
                self.policies.cancellation,
                starts_at=record.starts_at,
                payments=[payment],
                now=now,
                by=by,
                reason=reason,
                refund_policy=self.policies.refund,
            )
            if quote.amount.amount == 0:
                return self._release(uow, record, payment, now)
            pending = PendingRefund(
                key=f"refund/{payment.id}/{payment.refund_count + 1}",
                amount=quote.amount,
                reason=why,
                settles=True,
            )
            return self._decide_refund(uow, record, pending, now)

        return self._finish_refund(self._write(decide), now)

    def refund_amount(
        self, booking_id: str, amount: Money, *, reason: str = "adjustment"
    ) -> BookingPayment:
        """Refund ``amount`` of a captured booking explicitly; the record stays open.

        Composes with :meth:`complete` in either order until the captured
        amount is refunded: before the release the teacher's part comes from
        escrow (and :meth:`complete` releases what is left); after it, from
        the teacher's wallet (a shortfall by ``RefundPolicy.uncovered_loss``).
        Ledger first, gateway, then postings, as :meth:`refund`.

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
            InvalidTransitionError: ``invalid_transition`` when not captured or
                a refund is in flight (nothing changes).
            InvalidAmountError: ``money.invalid_amount`` when not above zero.
            CurrencyMismatchError: ``money.currency_mismatch``.
            RefundExceedsCaptureError: ``money.refund_exceeds_capture`` when
                more than captured minus refunded (nothing changes).
            GatewayDeclinedError: ``gateway.declined`` (compensated: nothing
                changes).
        """
        now = self._clock.now()

        def decide(uow: UnitOfWork) -> BookingPayment:
            record = _maybe(uow.payments, booking_id)
            if record is None:
                raise NotFoundError(kind="booking payment", id=booking_id)
            payment = record.payment
            if payment is None or record.pending_refund is not None:
                raise _not_captured("refund", record)
            pending = PendingRefund(
                key=f"refund/{payment.id}/{payment.refund_count + 1}",
                amount=amount,
                reason=reason,
            )
            return self._decide_refund(uow, record, pending, now)

        return self._finish_refund(self._write(decide), now)

    def _finish_refund(self, record: BookingPayment, now: datetime) -> BookingPayment:
        payment = record.payment
        pending = record.pending_refund
        if pending is None or payment is None:
            return record
        try:
            self._call(
                lambda: self.gateway.refund(
                    payment.id, amount=pending.amount, idempotency_key=pending.key
                )
            )
        except GatewayError as error:
            if error.retryable:
                return record
            self._write(lambda uow: self._drop_refund(uow, record.id, pending))
            raise
        return self._write(lambda uow: self._post_refund(uow, record.id, pending, now))

    def _post_refund(
        self, uow: UnitOfWork, booking_id: str, pending: PendingRefund, now: datetime
    ) -> BookingPayment:
        repository = uow.payments
        current = repository.get(booking_id)
        if current.pending_refund != pending:
            return current  # finished by a concurrent resume or webhook
        record, events = self._refund_effects(current, pending, now)
        self._post(uow, events)
        return _saved(repository, record)

    @staticmethod
    def _drop_refund(uow: UnitOfWork, booking_id: str, pending: PendingRefund) -> None:
        # Compensate: the gateway refused the refund for good (a refused key
        # is refused for every process; nothing was posted). The record is as
        # it was before the refund was decided.
        repository = uow.payments
        current = repository.get(booking_id)
        if current.pending_refund != pending:
            return
        closed = current.closed and not pending.settles
        repository.save(attrs.evolve(current, pending_refund=None, closed=closed))

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

    def _payout_status(
        self,
        uow: UnitOfWork,
        withdrawal_id: str,
        status: PayoutStatus,
        now: datetime,
        payout_id: str | None = None,
    ) -> Withdrawal:
        repository = uow.withdrawals
        loaded = repository.get(withdrawal_id)
        withdrawal = loaded
        if withdrawal.payout_id is None and payout_id is not None:
            # The payout was created but its answer may have been lost (a
            # timeout): the gateway's answer or webhook tells us its id.
            withdrawal = record_payout(withdrawal, payout_id)
        decision = apply_payout_status(withdrawal, status, actor=self._actor, now=now)
        self._post(uow, decision.events)
        if decision.state == loaded:
            return loaded
        return _saved(repository, decision.state)

    def _apply_payout(
        self,
        withdrawal_id: str,
        status: PayoutStatus,
        now: datetime,
        payout_id: str | None = None,
    ) -> Withdrawal:
        return self._write(
            lambda uow: self._payout_status(uow, withdrawal_id, status, now, payout_id)
        )

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
            if r.order_id is None and not r.closed
        ]
        found += [
            PendingOperation(
                kind="refund",
                target=r.id,
                remaining=f"refund {r.pending_refund.amount} "
                f"(key {r.pending_refund.key})",
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

    def _resume_payout(self, withdrawal: Withdrawal, now: datetime) -> None:
        payout_id = withdrawal.payout_id
        if payout_id is None:
            self._create_payout(withdrawal, now)
            return
        payout = self._call(lambda: self.gateway.fetch_payout(payout_id))
        self._apply_payout(withdrawal.id, payout.status, now)

    @staticmethod
    def _isolated(
        failures: dict[tuple[str, str], Exception],
        kind: str,
        target: str,
        operation: Callable[..., object],
        *args: object,
    ) -> None:
        # One pending item: its failure is recorded, never raised (an error
        # from outside the library is reported by its class name).
        try:
            operation(*args)
        except Exception as error:  # noqa: BLE001 - one item must not stop the rest
            failures[(kind, target)] = error

    def resume(self) -> tuple[PendingOperation, ...]:
        """Finish or compensate what is pending, each item on its own.

        Orders are created and refunds made with their original keys; a
        refund the gateway refuses for good is compensated (the record is as
        it was before it); an order refused for good closes its record; held
        payouts are created or polled. One item's failure never stops the
        others: it is reported, with its error code, in the result.

        Returns:
            What is still pending afterwards (an item whose attempt failed
            carries ``error`` and ``message``), followed by the items
            compensated by this call (``remaining`` ``nothing: compensated``,
            ``error`` the gateway's refusal code).
        """
        now = self._clock.now()
        failures: dict[tuple[str, str], Exception] = {}
        for record in self._read(lambda uow: uow.payments.pending()):
            if record.order_id is None:
                self._isolated(failures, "order", record.id, self._create_order, record)
            else:
                self._isolated(
                    failures, "refund", record.id, self._finish_refund, record, now
                )
        for withdrawal in self._read(lambda uow: uow.withdrawals.held()):
            self._isolated(
                failures, "payout", withdrawal.id, self._resume_payout, withdrawal, now
            )
        left = self.pending()
        reported = [_with_error(op, failures.get((op.kind, op.target))) for op in left]
        still = {(op.kind, op.target) for op in left}
        reported += [
            PendingOperation(
                kind=kind,
                target=target,
                remaining=_COMPENSATED,
                error=_code(error),
                message=str(error),
            )
            for (kind, target), error in failures.items()
            if (kind, target) not in still
        ]
        return tuple(reported)

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
