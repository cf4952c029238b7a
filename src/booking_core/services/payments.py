"""The payment flow: orders, captures, escrow, refunds and withdrawals over a gateway.

:class:`PaymentService` drives a :class:`~booking_core.ports.PaymentGateway` and
posts to a :class:`~booking_core.ports.LedgerJournal`:

1. :meth:`~PaymentService.open_order`: an order for a booking.
2. The payment arrives by webhook (:meth:`~PaymentService.handle_webhook`) or
   polling (:meth:`~PaymentService.poll`), however often: the capture is split
   (:func:`~booking_core.money.split_payment`) and posted to escrow once,
   because the ledger keys derive from the payment id.
3. :meth:`~PaymentService.complete` releases the escrow to the mentor's wallet.
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

Records are kept in the service (one process); a host persisting them stores
:class:`BookingPayment` and :class:`~booking_core.money.withdrawals.Withdrawal`
aggregates in its repositories.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.actors import Role
    >>> from booking_core.adapters.fake_gateway import FakePaymentGateway
    >>> from booking_core.money import CancellationReason, Journal, Money
    >>> now = datetime(2026, 3, 29, 9, tzinfo=timezone.utc)
    >>> gateway = FakePaymentGateway(secret=b"s", clock=lambda: now)
    >>> journal = Journal("INR")
    >>> service = PaymentService(gateway=gateway, journal=journal)
    >>> booking = service.open_order(booking_id="b1", mentor_id="m1",
    ...     amount=Money.of("700.00", "INR"), starts_at=now + timedelta(days=2),
    ...     now=now)
    >>> _ = gateway.pay(booking.order_id)
    >>> for body, signature in gateway.take_webhooks() * 2:  # delivered twice
    ...     service.handle_webhook(body, signature, now=now)
    >>> journal.balance("escrow:m1")
    61348
    >>> str(service.refund("b1", by=Role.TEACHER,
    ...     reason=CancellationReason.NO_SHOW, now=now).amount)
    '700.00 INR'
    >>> journal.balance("escrow:m1"), journal.balance("refunds")
    (0, 70000)
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TypeVar, final

import attrs

from booking_core._validation import non_empty_str, positive_int
from booking_core.actors import Actor, Role
from booking_core.attendance import OutcomeSettlement
from booking_core.errors import (
    GatewayError,
    InvalidTransitionError,
    InvalidValueError,
    InvalidWebhookError,
    NotFoundError,
    PolicyViolationError,
)
from booking_core.money.amount import Money
from booking_core.money.gateway import (
    PaymentStatus,
    PayoutStatus,
    from_gateway_units,
    parse_webhook,
)
from booking_core.money.ledger import Transfer
from booking_core.money.payments import (
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
    WithdrawalStatus,
    apply_payout_status,
    record_payout,
    request_withdrawal,
)
from booking_core.ports import LedgerJournal, PaymentGateway

__all__ = ["BookingPayment", "PaymentService", "PendingOperation", "RetryPolicy"]

T = TypeVar("T")


def _seconds(value: object) -> timedelta:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise InvalidValueError(
            field="delay", reason="must be a timedelta >= 0", value=value
        )
    return value


@final
@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how patiently a gateway call is retried (same key each time).

    Attributes:
        attempts: Calls in all, at least 1 (default 4).
        first_delay: The wait after the first failure (0.2 s).
        factor: Each wait is this many times the previous one (2).
        max_delay: No wait is longer (5 s).
    """

    attempts: int = attrs.field(default=4, validator=positive_int)
    first_delay: timedelta = attrs.field(
        default=timedelta(seconds=0.2), converter=_seconds
    )
    factor: int = attrs.field(default=2, validator=positive_int)
    max_delay: timedelta = attrs.field(default=timedelta(seconds=5), converter=_seconds)

    def delays(self) -> tuple[float, ...]:
        """The waits in seconds between the attempts (``attempts - 1`` of them).

        Example:
            >>> RetryPolicy(attempts=4).delays()
            (0.2, 0.4, 0.8)
        """
        cap = self.max_delay.total_seconds()
        wait = min(self.first_delay.total_seconds(), cap)
        waits: list[float] = []
        for _ in range(self.attempts - 1):
            waits.append(wait)
            wait = min(wait * self.factor, cap)  # capped each step: never overflows
        return tuple(waits)


@final
@attrs.frozen(kw_only=True)
class BookingPayment:
    """One booking's money: its order, captured payment and what is pending.

    Attributes:
        id: The booking id.
        mentor_id: The mentor paid.
        amount: The price.
        starts_at: When the booked session starts (for refund tiers).
        order_id: The gateway order, once created.
        payment: The captured payment, once captured.
        pending_refund: A refund sent to the gateway but not yet confirmed:
            ``(idempotency key, amount)``.
        closed: Released or refunded: no more money moves.
        version: The stored version (the repository's business).
    """

    id: str = attrs.field(validator=non_empty_str)
    mentor_id: str = attrs.field(validator=non_empty_str)
    amount: Money
    starts_at: datetime
    order_id: str | None = None
    payment: CapturedPayment | None = None
    pending_refund: tuple[str, Money] | None = None
    closed: bool = False
    version: int = 0


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


@final
class PaymentService:
    """The payment flow over a gateway and a ledger; see the module doc.

    Args:
        gateway: Any :class:`~booking_core.ports.PaymentGateway`.
        journal: The ledger of the currency.
        split_policy: Commission and fees.
        cancellation_policy: How much a cancellation or no-show refunds.
        refund_policy: Who bears the gateway fee kept on refunds.
        withdrawal_policy: Minimum and maximum withdrawals.
        retry: How gateway calls are retried.
        sleep: Waits between retries (``time.sleep``; tests pass a no-op).
        actor: Who the service acts as (the system).
    """

    def __init__(
        self,
        *,
        gateway: PaymentGateway,
        journal: LedgerJournal,
        split_policy: SplitPolicy = _SPLIT,
        cancellation_policy: CancellationPolicy = _CANCELLATION,
        refund_policy: RefundPolicy = _REFUND,
        withdrawal_policy: WithdrawalPolicy = _WITHDRAWAL,
        retry: RetryPolicy = _RETRY,
        sleep: Callable[[float], None] = time.sleep,
        actor: Actor = _SYSTEM,
    ) -> None:
        self.gateway = gateway
        self.journal = journal
        self.split_policy = split_policy
        self.cancellation_policy = cancellation_policy
        self.refund_policy = refund_policy
        self.withdrawal_policy = withdrawal_policy
        self.retry = retry
        self._sleep = sleep
        self._actor = actor
        self._bookings: dict[str, BookingPayment] = {}
        self._by_order: dict[str, str] = {}
        self._withdrawals: dict[str, Withdrawal] = {}
        self._settling = threading.RLock()

    # -- plumbing --------------------------------------------------------------

    def _call(self, operation: Callable[[], T]) -> T:
        delays = self.retry.delays()
        for delay in delays:
            try:
                return operation()
            except GatewayError as error:
                if not error.retryable:
                    raise
            self._sleep(delay)
        return operation()

    def _post(self, transfers: Iterable[Transfer]) -> None:
        self.journal.post_linked(transfers)

    def booking(self, booking_id: str) -> BookingPayment:
        """The booking's payment record.

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
        """
        found = self._bookings.get(booking_id)
        if found is None:
            raise NotFoundError(kind="booking payment", id=booking_id)
        return found

    def withdrawal(self, withdrawal_id: str) -> Withdrawal:
        """The withdrawal.

        Raises:
            NotFoundError: ``not_found`` for an unknown withdrawal.
        """
        found = self._withdrawals.get(withdrawal_id)
        if found is None:
            raise NotFoundError(kind="withdrawal", id=withdrawal_id)
        return found

    def withdrawals(self) -> tuple[Withdrawal, ...]:
        """Every withdrawal, in request order."""
        return tuple(self._withdrawals.values())

    def bookings(self) -> tuple[BookingPayment, ...]:
        """Every booking payment record, in order."""
        return tuple(self._bookings.values())

    # -- orders and captures ---------------------------------------------------

    def open_order(
        self,
        *,
        booking_id: str,
        mentor_id: str,
        amount: Money,
        starts_at: datetime,
        now: datetime,
    ) -> BookingPayment:
        """Create the gateway order for a booking (idempotent per booking).

        When the gateway keeps failing the record is kept without an order and
        :meth:`resume` creates it (with the same key).

        Raises:
            GatewayDeclinedError: ``gateway.declined`` when the gateway refuses.
        """
        record = self._bookings.get(booking_id) or BookingPayment(
            id=booking_id, mentor_id=mentor_id, amount=amount, starts_at=starts_at
        )
        self._bookings[booking_id] = record
        return self._create_order(record)

    def _create_order(self, record: BookingPayment) -> BookingPayment:
        if record.order_id is not None:
            return record
        try:
            order = self._call(
                lambda: self.gateway.create_order(
                    amount=record.amount,
                    receipt=record.id,
                    idempotency_key=f"order/{record.id}",
                )
            )
        except GatewayError as error:
            if not error.retryable:
                del self._bookings[record.id]
                raise
            return record
        record = attrs.evolve(record, order_id=order.id)
        self._bookings[record.id] = record
        self._by_order[order.id] = record.id
        return record

    def handle_webhook(self, body: bytes, signature: str, *, now: datetime) -> None:
        """Apply one webhook delivery; repeats and late ones change nothing.

        Raises:
            InvalidWebhookError: ``payments.invalid_webhook`` when the signature
                does not verify, the body is malformed or a payout status is
                unknown (nothing changes).
        """
        if not self.gateway.verify_webhook(body, signature):
            raise InvalidWebhookError(reason="the signature does not verify")
        event = parse_webhook(body)
        kind = event.event.partition(".")[0]
        if kind == "payment" and event.reference in self._by_order:
            self._settle_payment(self._by_order[event.reference], event.entity_id, now)
        elif kind == "payout" and event.reference in self._withdrawals:
            try:
                status = PayoutStatus(event.status)
            except ValueError:
                raise InvalidWebhookError(
                    reason=f"unknown payout status {event.status!r}"
                ) from None
            self._apply_payout(event.reference, status, now, event.entity_id)

    def poll(self, booking_id: str, *, now: datetime) -> BookingPayment:
        """Ask the gateway whether the booking's order was paid, and capture it.

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
        """
        record = self._create_order(self.booking(booking_id))
        if record.payment is not None or record.order_id is None:
            return record
        order = self.gateway.fetch_order(record.order_id)
        if order.payment_id is not None:
            self._settle_payment(booking_id, order.payment_id, now)
        return self._bookings[booking_id]

    def _settle_payment(self, booking_id: str, payment_id: str, now: datetime) -> None:
        record = self._bookings[booking_id]
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
        decision = capture_payment(
            payment_id=payment_id,
            mentor_id=record.mentor_id,
            split=split_payment(gross, self.split_policy, payment_id=payment_id),
            actor=self._actor,
            now=now,
        )
        self._post(decision.events[0].transfers)  # type: ignore[attr-defined]
        self._bookings[booking_id] = attrs.evolve(record, payment=decision.state)

    def _captured(
        self, booking_id: str, action: str
    ) -> tuple[BookingPayment, CapturedPayment]:
        record = self.booking(booking_id)
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

    def complete(self, booking_id: str, *, now: datetime) -> BookingPayment:
        """The session was held: release the mentor's share from escrow.

        Raises:
            NotFoundError: ``not_found`` for an unknown booking.
            InvalidTransitionError: ``invalid_transition`` when not captured,
                already released or refunded.
        """
        record, payment = self._captured(booking_id, "release")
        decision = release_escrow(payment, actor=self._actor, now=now)
        self._post(decision.events[0].transfers)  # type: ignore[attr-defined]
        record = attrs.evolve(record, payment=decision.state, closed=True)
        self._bookings[booking_id] = record
        return record

    def settle(
        self, booking_id: str, settlement: OutcomeSettlement, *, now: datetime
    ) -> BookingPayment:
        """Settle a booking by its session's attendance outcome.

        ``settlement`` is what :func:`booking_core.attendance.classify_outcome`
        reported (``report.settlement``, see
        :data:`~booking_core.attendance.OUTCOME_SETTLEMENTS`): when the teacher is
        paid and nothing is refunded, the mentor's share is released
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
                self.cancellation_policy, starts_at=record.starts_at
            )
            if settlement.teacher_paid and share == 0:
                return self.complete(booking_id, now=now)
            if not settlement.teacher_paid and by is not None and reason is not None:
                return self.refund(booking_id, by=by, reason=reason, now=now)
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
        now: datetime,
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
        record, payment = self._captured(booking_id, "refund")
        quote = refund_quote(
            self.cancellation_policy,
            starts_at=record.starts_at,
            payments=[payment],
            now=now,
            by=by,
            reason=reason,
            refund_policy=self.refund_policy,
        )
        record = attrs.evolve(record, closed=True)
        if quote.amount.amount > 0:
            key = f"refund/{payment.id}/{payment.refund_count + 1}"
            record = attrs.evolve(record, pending_refund=(key, quote.amount))
        self._bookings[booking_id] = record
        return self._finish_refund(record, now)

    def _finish_refund(self, record: BookingPayment, now: datetime) -> BookingPayment:
        payment = record.payment
        if record.pending_refund is None or payment is None:
            return record
        key, amount = record.pending_refund
        try:
            self._call(
                lambda: self.gateway.refund(
                    payment.id, amount=amount, idempotency_key=key
                )
            )
        except GatewayError as error:
            if error.retryable:
                return record
            record = attrs.evolve(record, pending_refund=None)  # compensate: drop
            self._bookings[record.id] = record
            raise
        decision = refund_payment(
            payment,
            amount,
            policy=self.refund_policy,
            actor=self._actor,
            now=now,
            reason="cancellation",
        )
        self._post(decision.events[0].transfers)  # type: ignore[attr-defined]
        record = attrs.evolve(record, payment=decision.state, pending_refund=None)
        self._bookings[record.id] = record
        return record

    # -- withdrawals ------------------------------------------------------------

    def withdraw(
        self,
        *,
        withdrawal_id: str,
        mentor_id: str,
        amount: Money,
        bank_account: BankAccount,
        now: datetime,
    ) -> Withdrawal:
        """Hold ``amount`` from the mentor's available wallet and create its payout.

        Exactly one payout per withdrawal: the withdrawal id is the payout's
        idempotency key. Asking again for the same id returns the withdrawal.

        Raises:
            WithdrawalAmountError: ``payments.withdrawal_amount``.
            InsufficientFundsError: ``money.insufficient_funds`` when the
                wallet cannot cover it (nothing changes).
        """
        found = self._withdrawals.get(withdrawal_id)
        if found is not None:
            return found
        decision = request_withdrawal(
            withdrawal_id=withdrawal_id,
            mentor_id=mentor_id,
            amount=amount,
            bank_account=bank_account,
            policy=self.withdrawal_policy,
            actor=self._actor,
            now=now,
        )
        self._post(decision.events[0].transfers)  # type: ignore[attr-defined]
        self._withdrawals[withdrawal_id] = decision.state
        return self._create_payout(decision.state, now)

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
        self._withdrawals[withdrawal.id] = record_payout(withdrawal, payout.id)
        return self._apply_payout(withdrawal.id, payout.status, now)

    def _apply_payout(
        self,
        withdrawal_id: str,
        status: PayoutStatus,
        now: datetime,
        payout_id: str | None = None,
    ) -> Withdrawal:
        withdrawal = self._withdrawals[withdrawal_id]
        if withdrawal.payout_id is None and payout_id is not None:
            # The payout was created but its answer was lost (a timeout): the
            # webhook tells us its id.
            withdrawal = record_payout(withdrawal, payout_id)
        decision = apply_payout_status(withdrawal, status, actor=self._actor, now=now)
        for event in decision.events:
            self._post(event.transfers)  # type: ignore[attr-defined]
        self._withdrawals[withdrawal_id] = decision.state
        return decision.state

    # -- pending work -----------------------------------------------------------

    def pending(self) -> tuple[PendingOperation, ...]:
        """What could not finish yet: orders, refunds, payouts not settled."""
        found = [
            PendingOperation(
                kind="order", target=r.id, remaining="create the gateway order"
            )
            for r in self._bookings.values()
            if r.order_id is None
        ]
        found += [
            PendingOperation(
                kind="refund",
                target=r.id,
                remaining=f"refund {r.pending_refund[1]} (key {r.pending_refund[0]})",
            )
            for r in self._bookings.values()
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
            for w in self._withdrawals.values()
            if w.status is WithdrawalStatus.HELD
        ]
        return tuple(found)

    def resume(self, *, now: datetime) -> tuple[PendingOperation, ...]:
        """Complete (or compensate) what is pending; poll unsettled payouts.

        Returns:
            What is still pending afterwards.
        """
        for record in list(self._bookings.values()):
            if record.order_id is None:
                self._create_order(record)
            elif record.pending_refund is not None:
                with contextlib.suppress(GatewayError):  # refused: dropped
                    self._finish_refund(record, now)
        for withdrawal in list(self._withdrawals.values()):
            if withdrawal.status is not WithdrawalStatus.HELD:
                continue
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
        journal = self.journal
        transfers = [
            *journal.history("payments"),
            *journal.history("refunds"),
            *journal.history("payouts"),
        ]
        transactions = self.gateway.transactions(start=start, end=end)
        units = {t.currency: self.gateway.minor_units(t.currency) for t in transactions}
        return reconcile(
            ledger_records(transfers, start=start, end=end),
            gateway_records(transactions, units),
        )
