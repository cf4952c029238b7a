"""Webhook intake for :class:`~booking_core.services.payments.PaymentService`.

A webhook body is a *claim* (:mod:`booking_core.money.webhooks`), never a fact:
:class:`WebhookIntake` verifies the delivery, fetches the payment, refund or
payout it names from the gateway, checks that the object's own reference is the
claimed one, and applies only the *fetched* state, through the payment service's
own steps (:class:`PaymentSteps`), once per event id. Hosts call
:meth:`PaymentService.handle_webhook
<booking_core.services.payments.PaymentService.handle_webhook>`; this module is
where it is done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeVar, final

from booking_core.clock import Clock
from booking_core.errors import InvalidWebhookError, NotFoundError
from booking_core.money.gateway import (
    GatewayPayment,
    PayoutStatus,
    RefundStatus,
)
from booking_core.money.payments import BookingPayment, PendingRefund
from booking_core.money.webhooks import (
    WebhookClaim,
    WebhookKind,
    check_delivery,
    first_delivery,
    parse_webhook_claim,
)
from booking_core.ports import PaymentGateway, UnitOfWork

if TYPE_CHECKING:
    from booking_core.money.withdrawals import Withdrawal

__all__ = ["GatewayVerifier", "PaymentSteps", "Verifier", "WebhookIntake"]

T = TypeVar("T")


class Verifier(Protocol):
    """Checks a delivery's signature and reads its claim."""

    def claim(self, body: bytes, signature: str) -> WebhookClaim:
        """The delivery's claim (``payments.invalid_webhook`` when it is not one)."""
        ...


@final
class GatewayVerifier:
    """Verifies through the gateway's own ``verify_webhook`` (no secret given).

    Args:
        gateway: The gateway whose signature check decides.
    """

    def __init__(self, gateway: PaymentGateway) -> None:
        self._gateway = gateway

    def claim(self, body: bytes, signature: str) -> WebhookClaim:
        """The delivery's claim once the gateway verified its signature.

        Raises:
            InvalidWebhookError: ``payments.invalid_webhook`` for a malformed
                delivery or a signature the gateway does not verify.
        """
        check_delivery(body, signature)
        if not self._gateway.verify_webhook(body, signature):
            raise InvalidWebhookError(reason="the signature does not verify")
        return parse_webhook_claim(body)


class _Call(Protocol):
    def __call__(self, operation: Callable[[], T], /) -> T: ...


class _Run(Protocol):
    def __call__(self, operation: Callable[[UnitOfWork], T], /) -> T: ...


@final
class PaymentSteps(NamedTuple):
    """The payment service's own steps a webhook's effect is made of.

    Attributes:
        call: Calls the gateway with the service's retry policy.
        read: Runs a query on a fresh unit of work.
        write: Runs a command in a transaction (retried on a lost race).
        capture_at_gateway: Captures an authorized payment at the gateway
            (``None`` while it cannot be captured yet).
        capture: Stages the split capture of a gateway payment in a unit of work.
        post_refund: Stages the postings of a refund the gateway made.
        drop_refund: Compensates a refund the gateway refused.
        payout_status: Stages a payout's settled status on its withdrawal.
    """

    call: _Call
    read: _Run
    write: _Run
    capture_at_gateway: Callable[
        [BookingPayment, GatewayPayment], GatewayPayment | None
    ]
    capture: Callable[[UnitOfWork, str, GatewayPayment, datetime], None]
    post_refund: Callable[[UnitOfWork, str, PendingRefund, datetime], BookingPayment]
    drop_refund: Callable[[UnitOfWork, str, PendingRefund], None]
    payout_status: Callable[
        [UnitOfWork, str, PayoutStatus, datetime, str | None], Withdrawal
    ]


@final
class WebhookIntake:
    """Applies webhook deliveries to a payment service's records; see the module doc.

    Args:
        gateway: Where every claimed object is fetched from.
        clock: When a delivery is applied.
        verifier: Checks signatures and reads claims.
        steps: The payment service's steps.
    """

    def __init__(
        self,
        *,
        gateway: PaymentGateway,
        clock: Clock,
        verifier: Verifier,
        steps: PaymentSteps,
    ) -> None:
        self._gateway = gateway
        self._clock = clock
        self._verifier = verifier
        self._steps = steps

    def handle(self, body: bytes, signature: str) -> None:
        """Apply one delivery (``PaymentService.handle_webhook`` documents it).

        Raises:
            InvalidWebhookError: ``payments.invalid_webhook`` (nothing changes).
        """
        claim = self._verifier.claim(body, signature)
        now = self._clock.now()
        seen = self._steps.read(lambda uow: uow.webhooks.find(claim.id))
        if first_delivery(claim, seen=seen, now=now) is None:
            return  # a repeat
        if claim.kind is WebhookKind.PAYMENT:
            self._payment_claim(claim, now)
        elif claim.kind is WebhookKind.REFUND:
            self._refund_claim(claim, now)
        else:
            self._payout_claim(claim, now)

    def _fetch(self, claim: WebhookClaim, fetch: Callable[[str], T]) -> T:
        try:
            return self._steps.call(lambda: fetch(claim.object_id))
        except NotFoundError:
            raise InvalidWebhookError(
                reason=f"the gateway knows no {claim.kind.value} "
                f"{claim.object_id[:64]!r}"
            ) from None

    @staticmethod
    def _same_reference(claim: WebhookClaim, actual: str) -> None:
        if actual != claim.reference:
            raise InvalidWebhookError(
                reason=f"{claim.kind.value} {claim.object_id[:64]!r} belongs to "
                f"{actual[:64]!r}, not to the claimed {claim.reference[:64]!r}"
            )

    def _once(
        self, claim: WebhookClaim, now: datetime, effect: Callable[[UnitOfWork], None]
    ) -> None:
        def apply(uow: UnitOfWork) -> None:
            webhooks = uow.webhooks
            record = first_delivery(claim, seen=webhooks.find(claim.id), now=now)
            if record is None:
                return  # a concurrent delivery applied it first
            webhooks.add(record)
            effect(uow)

        self._steps.write(apply)

    def _payment_claim(self, claim: WebhookClaim, now: datetime) -> None:
        payment = self._fetch(claim, self._gateway.fetch_payment)
        self._same_reference(claim, payment.order_id)
        record = self._steps.read(lambda uow: uow.payments.by_order(payment.order_id))
        if record is None:
            self._once(claim, now, lambda uow: None)  # not one of ours
            return
        captured = self._steps.capture_at_gateway(record, payment)
        if captured is None:
            return  # still authorized: a later delivery or poll captures it
        self._once(
            claim, now, lambda uow: self._steps.capture(uow, record.id, captured, now)
        )

    def _refund_claim(self, claim: WebhookClaim, now: datetime) -> None:
        refund = self._fetch(claim, self._gateway.fetch_refund)
        self._same_reference(claim, refund.payment_id)
        payment = self._steps.call(
            lambda: self._gateway.fetch_payment(refund.payment_id)
        )
        record = self._steps.read(lambda uow: uow.payments.by_order(payment.order_id))

        def effect(uow: UnitOfWork) -> None:
            if record is None:
                return
            current = uow.payments.get(record.id)
            pending = current.pending_refund
            if pending is None or pending.key != refund.reference:
                return  # already posted (or not ours)
            if refund.status is RefundStatus.PROCESSED:
                self._steps.post_refund(uow, record.id, pending, now)
            elif refund.status is RefundStatus.FAILED:
                self._steps.drop_refund(uow, record.id, pending)

        self._once(claim, now, effect)

    def _payout_claim(self, claim: WebhookClaim, now: datetime) -> None:
        payout = self._fetch(claim, self._gateway.fetch_payout)
        self._same_reference(claim, payout.reference)

        def effect(uow: UnitOfWork) -> None:
            try:
                withdrawal = uow.withdrawals.get(payout.reference)
            except NotFoundError:
                return  # not ours
            if withdrawal.payout_id not in (None, payout.id):
                return  # another payout than the withdrawal's
            self._steps.payout_status(uow, withdrawal.id, payout.status, now, payout.id)

        self._once(claim, now, effect)
