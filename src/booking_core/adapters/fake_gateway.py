"""A deterministic in-memory payment gateway with seeded fault injection.

:class:`FakePaymentGateway` implements :class:`~booking_core.ports.PaymentGateway`
for tests and demos. Everything it does is decided by a seeded
:class:`random.Random`, so a run replays exactly from its seed. A
:class:`FaultPlan` injects every kind of fault a real gateway shows:

* ``fail_before``: a call fails before applying
  (:class:`~booking_core.errors.GatewayRetryableError`);
* ``timeout_after``: a call applies, then times out
  (:class:`~booking_core.errors.GatewayOutcomeUnknownError`): the caller does
  not know it succeeded;
* ``duplicate_webhooks`` and ``reorder_webhooks``: :meth:`take_webhooks`
  delivers some webhooks twice and in shuffled order;
* ``payout_failure`` and ``payout_reversal``: payouts that end failed /
  rejected / cancelled, or that are processed and later reversed.

Captured payments report the fee and tax the gateway kept (from its
``fee_schedule``, Razorpay's standard pricing by default; ``None`` reports
none), and :meth:`FakePaymentGateway.forge_webhook` builds deliveries a real
gateway never sent (a wrong secret, a status that is not the object's) to test
that webhook bodies are treated as claims.

The student's side is :meth:`FakePaymentGateway.pay`; payouts move on when
:meth:`FakePaymentGateway.advance_payouts` is called.

Example:
    >>> from datetime import datetime, timezone
    >>> from booking_core.money import Money
    >>> now = datetime(2026, 3, 29, 9, tzinfo=timezone.utc)
    >>> gateway = FakePaymentGateway(secret=b"whsec_0123456789abcdef",
    ...                              clock=lambda: now)
    >>> order = gateway.create_order(amount=Money.of("700.00", "INR"),
    ...                              receipt="b1", idempotency_key="order/b1")
    >>> payment = gateway.pay(order.id)
    >>> payment.status.value, payment.amount, payment.fee, payment.tax
    ('captured', 70000, 1652, 252)
    >>> [body[:20] for body, _ in gateway.take_webhooks()]
    [b'{"entity": "pay_0000']
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeVar, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import utc_instant
from booking_core.errors import (
    GatewayDeclinedError,
    GatewayKeyReuseError,
    GatewayOutcomeUnknownError,
    GatewayRetryableError,
    NotFoundError,
)
from booking_core.money.amount import Money
from booking_core.money.currency import get_currency
from booking_core.money.gateway import (
    GatewayOrder,
    GatewayPayment,
    GatewayPayout,
    GatewayRefund,
    GatewayTransaction,
    GatewayTransfer,
    PaymentStatus,
    PayoutStatus,
    TransactionKind,
    from_gateway_units,
    to_gateway_units,
)
from booking_core.money.split import FeeSchedule
from booking_core.money.webhooks import (
    sign_webhook,
    verify_webhook_signature,
    webhook_secret,
)
from booking_core.money.withdrawals import BankAccount

__all__ = ["FakePaymentGateway", "FaultPlan"]

T = TypeVar("T")


@final
@attrs.frozen(kw_only=True, repr=False)
class FaultPlan:
    """How often each fault happens (probabilities from 0 to 1; default none).

    Attributes:
        fail_before: A mutating call fails before applying.
        timeout_after: A mutating call applies, then times out.
        duplicate_webhooks: A webhook is delivered twice.
        reorder_webhooks: Webhooks are delivered in shuffled order.
        payout_failure: A processing payout ends failed, rejected or cancelled.
        payout_reversal: A processed payout is later reversed.
    """

    __repr__ = fields_repr

    fail_before: float = 0.0
    timeout_after: float = 0.0
    duplicate_webhooks: float = 0.0
    reorder_webhooks: bool = False
    payout_failure: float = 0.0
    payout_reversal: float = 0.0


_VOID = (PayoutStatus.FAILED, PayoutStatus.REJECTED, PayoutStatus.CANCELLED)
_RAZORPAY_STANDARD = FeeSchedule()


@final
class FakePaymentGateway:
    """An in-memory :class:`~booking_core.ports.PaymentGateway`; see the module doc.

    Args:
        secret: The webhook secret, at least
            :data:`~booking_core.money.webhooks.MIN_WEBHOOK_SECRET_BYTES` long.
        clock: Gives the gateway's "now" (when transactions settle).
        seed: Seeds every random decision.
        faults: Which faults to inject; :attr:`faults` may be replaced later
            (e.g. ``FaultPlan()`` to let faults settle).
        minor_units: Currencies the gateway counts in other decimals than ISO.
        fee_schedule: Prices the fee and tax reported on captured payments
            (default 2 % + 18 % GST); ``None`` reports no fee.

    Raises:
        WeakWebhookSecretError: ``payments.weak_webhook_secret`` for an empty
            or too short secret.

    Attributes:
        faults: The fault plan in force.
        injected: How many faults of each kind were injected so far.
    """

    def __init__(
        self,
        *,
        secret: bytes,
        clock: Callable[[], datetime],
        seed: int = 0,
        faults: FaultPlan = FaultPlan(),
        minor_units: Mapping[str, int] | None = None,
        fee_schedule: FeeSchedule | None = _RAZORPAY_STANDARD,
    ) -> None:
        self._secret = webhook_secret(secret)
        self.faults = faults
        self.injected: Counter[str] = Counter()
        self._fees = fee_schedule
        self._clock = clock
        self._random = random.Random(seed)  # noqa: S311 - a simulation, not crypto
        self._units = dict(minor_units or {})
        self._counter = 0
        self._keys: dict[str, tuple[str, tuple[object, ...], str]] = {}
        self._orders: dict[str, GatewayOrder] = {}
        self._payments: dict[str, GatewayPayment] = {}
        self._refunds: dict[str, GatewayRefund] = {}
        self._transfers: dict[str, GatewayTransfer] = {}
        self._payouts: dict[str, GatewayPayout] = {}
        self._reversal_decided: set[str] = set()
        self._transactions: dict[str, GatewayTransaction] = {}
        self._outbox: list[tuple[bytes, str]] = []

    # -- helpers ---------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}_{self._counter:07d}"

    def _amount(self, money: Money) -> int:
        return to_gateway_units(money, self.minor_units(money.currency.code))

    def _mutate(
        self,
        operation: str,
        key: str,
        content: tuple[object, ...],
        apply: Callable[[], str],
        lookup: Callable[[str], T],
    ) -> T:
        if self._random.random() < self.faults.fail_before:
            self.injected["fail_before"] += 1
            raise GatewayRetryableError(operation=operation, reason="HTTP 503")
        prior = self._keys.get(key)
        if prior is None:
            result = apply()
            self._keys[key] = (operation, content, result)
        elif prior[:2] != (operation, content):
            raise GatewayKeyReuseError(
                key=key,
                existing=f"{prior[0]}{prior[1]}",
                requested=f"{operation}{content}",
            )
        else:
            result = prior[2]
        if self._random.random() < self.faults.timeout_after:
            self.injected["timeout_after"] += 1
            raise GatewayOutcomeUnknownError(operation=operation, reason="timed out")
        return lookup(result)

    def _body(self, event: str, entity: str, reference: str, status: str) -> bytes:
        return json.dumps(
            {
                "id": self._new_id("evt"),
                "event": event,
                "entity": entity,
                "reference": reference,
                "status": status,
            },
            sort_keys=True,
        ).encode()

    def _emit(self, event: str, entity: str, reference: str, status: str) -> None:
        body = self._body(event, entity, reference, status)
        self._outbox.append((body, sign_webhook(self._secret, body)))

    def _with_fee(self, payment: GatewayPayment) -> GatewayPayment:
        """``payment`` captured, with the fee and tax the schedule charges."""
        captured = attrs.evolve(payment, status=PaymentStatus.CAPTURED)
        if self._fees is None:
            return captured
        units = self.minor_units(payment.currency)
        fee = self._fees.estimate(
            from_gateway_units(payment.amount, payment.currency, units)
        )
        return attrs.evolve(
            captured,
            fee=to_gateway_units(fee.fee, units),
            tax=to_gateway_units(fee.tax, units),
        )

    def _settle(
        self,
        kind: TransactionKind,
        entity: str,
        reference: str,
        amount: int,
        currency: str,
    ) -> None:
        status = "captured" if kind is TransactionKind.PAYMENT else "processed"
        self._transactions[entity] = GatewayTransaction(
            id=entity,
            kind=kind,
            reference=reference,
            amount=amount,
            currency=currency,
            status=status,
            at=self._clock(),
        )

    def _captured(self, payment_id: str, operation: str) -> GatewayPayment:
        payment = self._payments.get(payment_id)
        if payment is None or payment.status is not PaymentStatus.CAPTURED:
            raise GatewayDeclinedError(
                operation=operation, reason=f"payment {payment_id!r} is not captured"
            )
        return payment

    @staticmethod
    def _get(records: Mapping[str, T], kind: str, key: str) -> T:
        found = records.get(key)
        if found is None:
            raise NotFoundError(kind=kind, id=key)
        return found

    # -- the protocol ----------------------------------------------------------

    def minor_units(self, currency: str) -> int:
        """The gateway's decimals for ``currency`` (ISO unless configured)."""
        code = get_currency(currency).code
        return self._units.get(code, get_currency(code).minor_unit)

    def create_order(
        self, *, amount: Money, receipt: str, idempotency_key: str
    ) -> GatewayOrder:
        """Create an order (see :class:`~booking_core.ports.PaymentGateway`)."""

        def apply() -> str:
            order_id = self._new_id("order")
            self._orders[order_id] = GatewayOrder(
                id=order_id,
                amount=self._amount(amount),
                currency=amount.currency.code,
                receipt=receipt,
            )
            return order_id

        content = (amount.amount, amount.currency.code, receipt)
        return self._mutate(
            "create_order", idempotency_key, content, apply, self._orders.__getitem__
        )

    def fetch_order(self, order_id: str) -> GatewayOrder:
        """The order now.

        Raises:
            NotFoundError: ``not_found`` for an unknown id.
        """
        return self._get(self._orders, "order", order_id)

    def fetch_payment(self, payment_id: str) -> GatewayPayment:
        """The payment now.

        Raises:
            NotFoundError: ``not_found`` for an unknown id.
        """
        return self._get(self._payments, "payment", payment_id)

    def pay(
        self, order_id: str, *, outcome: PaymentStatus = PaymentStatus.CAPTURED
    ) -> GatewayPayment:
        """The student pays an order: captured (auto-capture), authorized or failed.

        Emits ``payment.<outcome>``. Paying an order that has a payment
        returns that payment.

        Raises:
            NotFoundError: ``not_found`` for an unknown order.
        """
        order = self.fetch_order(order_id)
        if order.payment_id is not None:
            return self._payments[order.payment_id]
        payment_id = self._new_id("pay")
        status = PaymentStatus(outcome)
        payment = GatewayPayment(
            id=payment_id,
            order_id=order_id,
            amount=order.amount,
            currency=order.currency,
            status=status,
        )
        if status is PaymentStatus.CAPTURED:
            payment = self._with_fee(payment)
        self._payments[payment_id] = payment
        self._orders[order_id] = attrs.evolve(order, payment_id=payment_id)
        if status is PaymentStatus.CAPTURED:
            self._settle(
                TransactionKind.PAYMENT,
                payment_id,
                payment_id,
                payment.amount,
                payment.currency,
            )
        self._emit(f"payment.{status.value}", payment_id, order_id, status.value)
        return payment

    def capture_payment(
        self, payment_id: str, *, amount: Money, idempotency_key: str
    ) -> GatewayPayment:
        """Capture an authorized payment for exactly its amount.

        Raises:
            GatewayDeclinedError: ``gateway.declined`` for an unknown payment or
                another amount.
        """

        def apply() -> str:
            payment = self._payments.get(payment_id)
            if payment is None or payment.amount != self._amount(amount):
                raise GatewayDeclinedError(
                    operation="capture", reason="no such payment of that amount"
                )
            if payment.status is PaymentStatus.AUTHORIZED:
                self._payments[payment_id] = self._with_fee(payment)
                self._settle(
                    TransactionKind.PAYMENT,
                    payment_id,
                    payment_id,
                    payment.amount,
                    payment.currency,
                )
                self._emit("payment.captured", payment_id, payment.order_id, "captured")
            return payment_id

        content = (payment_id, amount.amount, amount.currency.code)
        return self._mutate(
            "capture", idempotency_key, content, apply, self._payments.__getitem__
        )

    def refund(
        self, payment_id: str, *, amount: Money, idempotency_key: str
    ) -> GatewayRefund:
        """Refund part of a captured payment; the key is the refund's reference.

        Raises:
            GatewayDeclinedError: ``gateway.declined`` when the payment is not
                captured or the refund exceeds what is left.
        """

        def apply() -> str:
            payment = self._captured(payment_id, "refund")
            minor = self._amount(amount)
            if payment.refunded + minor > payment.amount:
                raise GatewayDeclinedError(
                    operation="refund", reason="the refund exceeds the payment"
                )
            refund_id = self._new_id("rfnd")
            self._payments[payment_id] = attrs.evolve(
                payment, refunded=payment.refunded + minor
            )
            self._refunds[refund_id] = GatewayRefund(
                id=refund_id,
                payment_id=payment_id,
                amount=minor,
                currency=amount.currency.code,
                reference=idempotency_key,
            )
            self._settle(
                TransactionKind.REFUND,
                refund_id,
                idempotency_key,
                minor,
                amount.currency.code,
            )
            self._emit("refund.processed", refund_id, payment_id, "processed")
            return refund_id

        content = (payment_id, amount.amount, amount.currency.code)
        return self._mutate(
            "refund", idempotency_key, content, apply, self._refunds.__getitem__
        )

    def transfer(
        self, payment_id: str, *, account: str, amount: Money, idempotency_key: str
    ) -> GatewayTransfer:
        """Route a share of a captured payment to a linked account.

        Raises:
            GatewayDeclinedError: ``gateway.declined`` when the payment is not
                captured or the shares would exceed it.
        """

        def apply() -> str:
            payment = self._captured(payment_id, "transfer")
            minor = self._amount(amount)
            routed = sum(
                t.amount for t in self._transfers.values() if t.payment_id == payment_id
            )
            if routed + minor > payment.amount:
                raise GatewayDeclinedError(
                    operation="transfer", reason="the shares exceed the payment"
                )
            transfer_id = self._new_id("trf")
            self._transfers[transfer_id] = GatewayTransfer(
                id=transfer_id,
                payment_id=payment_id,
                account=account,
                amount=minor,
                currency=amount.currency.code,
            )
            return transfer_id

        content = (payment_id, account, amount.amount, amount.currency.code)
        return self._mutate(
            "transfer", idempotency_key, content, apply, self._transfers.__getitem__
        )

    def create_payout(
        self,
        *,
        fund_account: BankAccount,
        amount: Money,
        reference: str,
        idempotency_key: str,
    ) -> GatewayPayout:
        """Create a payout (status pending); :meth:`advance_payouts` moves it on."""

        def apply() -> str:
            payout_id = self._new_id("pout")
            self._payouts[payout_id] = GatewayPayout(
                id=payout_id,
                reference=reference,
                amount=self._amount(amount),
                currency=amount.currency.code,
                status=PayoutStatus.PENDING,
            )
            return payout_id

        content = (fund_account, amount.amount, amount.currency.code, reference)
        return self._mutate(
            "create_payout",
            idempotency_key,
            content,
            apply,
            self._payouts.__getitem__,
        )

    def fetch_refund(self, refund_id: str) -> GatewayRefund:
        """The refund now.

        Raises:
            NotFoundError: ``not_found`` for an unknown id.
        """
        return self._get(self._refunds, "refund", refund_id)

    def fetch_payout(self, payout_id: str) -> GatewayPayout:
        """The payout now.

        Raises:
            NotFoundError: ``not_found`` for an unknown id.
        """
        return self._get(self._payouts, "payout", payout_id)

    def transactions(
        self, *, start: datetime, end: datetime
    ) -> list[GatewayTransaction]:
        """The settled payments, refunds and payouts in ``[start, end)``."""
        start, end = utc_instant(start, "start"), utc_instant(end, "end")
        return [t for t in self._transactions.values() if start <= t.at < end]

    def verify_webhook(self, body: bytes, signature: str) -> bool:
        """Whether ``signature`` is the hex HMAC-SHA256 of ``body`` (constant time).

        Raises:
            InvalidWebhookError: ``payments.invalid_webhook`` for a malformed
                delivery: a body that is not bytes, a signature that is
                ``None`` or not 64 hex characters.
        """
        return verify_webhook_signature(self._secret, body, signature)

    # -- the simulation's side -------------------------------------------------

    def advance_payouts(self) -> None:
        """Move every unsettled payout one step on (and maybe reverse processed ones).

        Each change emits a ``payout.<status>`` webhook.
        """
        step = {
            PayoutStatus.PENDING: PayoutStatus.QUEUED,
            PayoutStatus.QUEUED: PayoutStatus.SCHEDULED,
            PayoutStatus.SCHEDULED: PayoutStatus.PROCESSING,
        }
        draw = self._random.random
        for payout_id, payout in list(self._payouts.items()):
            status = payout.status
            if status is PayoutStatus.PROCESSED:
                if payout_id in self._reversal_decided:
                    continue
                self._reversal_decided.add(payout_id)
                if draw() >= self.faults.payout_reversal:
                    continue
                self.injected["payout_reversal"] += 1
                new = PayoutStatus.REVERSED
                self._transactions[payout_id] = attrs.evolve(
                    self._transactions[payout_id], status=new.value
                )
            elif not status.in_flight:
                continue
            elif status is PayoutStatus.PROCESSING:
                new = PayoutStatus.PROCESSED
                if draw() < self.faults.payout_failure:
                    self.injected["payout_failure"] += 1
                    new = self._random.choice(_VOID)
                else:
                    self._settle(
                        TransactionKind.PAYOUT,
                        payout_id,
                        payout.reference,
                        payout.amount,
                        payout.currency,
                    )
            else:
                new = step[status]
            self._payouts[payout_id] = attrs.evolve(payout, status=new)
            self._emit(f"payout.{new.value}", payout_id, payout.reference, new.value)

    def take_webhooks(self) -> list[tuple[bytes, str]]:
        """Deliver the pending webhooks ``(raw body, signature)``, with faults."""
        delivered: list[tuple[bytes, str]] = []
        for webhook in self._outbox:
            delivered.append(webhook)
            if self._random.random() < self.faults.duplicate_webhooks:
                self.injected["duplicate_webhooks"] += 1
                delivered.append(webhook)
        if self.faults.reorder_webhooks and len(delivered) > 1:
            self.injected["reorder_webhooks"] += 1
            self._random.shuffle(delivered)
        self._outbox.clear()
        return delivered

    def forge_webhook(
        self,
        event: str,
        entity: str,
        reference: str,
        status: str,
        *,
        secret: bytes | None = None,
    ) -> tuple[bytes, str]:
        """A delivery the gateway never sent, in its body format (not queued).

        Signed with the gateway's own secret unless ``secret`` is given: with
        it, a forger's signature; without it, a body whose claim may disagree
        with the gateway's records (e.g. ``payout.failed`` for a processed
        payout), which a caller must not believe without fetching the object.

        Example:
            >>> from datetime import datetime, timezone
            >>> gateway = FakePaymentGateway(secret=b"whsec_0123456789abcdef",
            ...     clock=lambda: datetime(2026, 3, 29, tzinfo=timezone.utc))
            >>> body, signature = gateway.forge_webhook(
            ...     "payout.failed", "pout_1", "w1", "failed")
            >>> gateway.verify_webhook(body, signature)
            True
        """
        body = self._body(event, entity, reference, status)
        return body, sign_webhook(self._secret if secret is None else secret, body)

    def payouts(self) -> tuple[GatewayPayout, ...]:
        """Every payout created, in creation order."""
        return tuple(self._payouts.values())

    def refunds(self) -> tuple[GatewayRefund, ...]:
        """Every refund made, in order."""
        return tuple(self._refunds.values())
