"""Webhooks: verify the signature, read the claim, apply each event once.

A webhook delivery is a raw ``bytes`` body and a signature header: the hex
HMAC-SHA256 of the body under the secret shared with the gateway, compared in
constant time (:func:`verify_webhook_signature`, :class:`WebhookVerifier`).

* **Secrets.** A secret shorter than :data:`MIN_WEBHOOK_SECRET_BYTES` (16
  bytes) is refused where it is given (:func:`webhook_secret`,
  :class:`WebhookVerifier`, the fake gateway) with
  :class:`~booking_core.errors.WeakWebhookSecretError`
  (``payments.weak_webhook_secret``): with an empty secret anybody can sign.
* **Malformed deliveries.** A body that is not ``bytes`` or is larger than
  :data:`MAX_WEBHOOK_BODY_BYTES`, a signature that is ``None``, not a str or not
  64 hex characters, a body that is not a JSON object with the documented keys:
  :class:`~booking_core.errors.InvalidWebhookError`
  (``payments.invalid_webhook``), nothing read further.
* **Claims, not state.** A verified body only says *what* changed:
  :func:`parse_webhook_claim` returns a :class:`WebhookClaim` (event id, kind,
  object id, reference) and never a status. The caller fetches the payment,
  refund or payout from the gateway and applies the fetched state, so a
  replayed or forged ``payout.failed`` cannot void a payout that processed.
* **Once per event.** Deliveries repeat: :func:`first_delivery` turns a claim and
  the record stored under its event id into the :class:`ProcessedWebhook` to
  store with the effects, or ``None`` for a repeat.

Example:
    >>> from datetime import datetime, timezone
    >>> secret = b"whsec_0123456789abcdef"
    >>> body = (b'{"id": "evt_1", "event": "payout.failed", "entity": "pout_1", '
    ...         b'"reference": "w1", "status": "failed"}')
    >>> signature = sign_webhook(secret, body)
    >>> verify_webhook_signature(secret, body + b" ", signature)
    False
    >>> claim = WebhookVerifier(secret).claim(body, signature)
    >>> claim.kind.value, claim.object_id  # no status: fetch_payout("pout_1")
    ('payout', 'pout_1')
    >>> now = datetime(2026, 3, 29, 9, tzinfo=timezone.utc)
    >>> record = first_delivery(claim, seen=None, now=now)
    >>> first_delivery(claim, seen=record, now=now) is None  # a repeat
    True
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import re
from datetime import datetime
from typing import Any, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import utc_instant
from booking_core.errors import InvalidWebhookError, WeakWebhookSecretError

__all__ = [
    "MAX_WEBHOOK_BODY_BYTES",
    "MIN_WEBHOOK_SECRET_BYTES",
    "ProcessedWebhook",
    "WebhookClaim",
    "WebhookKind",
    "WebhookVerifier",
    "check_delivery",
    "first_delivery",
    "parse_webhook_claim",
    "sign_webhook",
    "verify_webhook_signature",
    "webhook_secret",
]

MIN_WEBHOOK_SECRET_BYTES = 16
"""The shortest webhook secret accepted (bytes; a str counts its UTF-8 bytes)."""

MAX_WEBHOOK_BODY_BYTES = 1_048_576
"""The largest webhook body read (1 MiB); a larger one is refused unread."""

_MAX_ID = 255  # the longest id a webhook may carry (event, entity, reference)
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def webhook_secret(secret: bytes | str) -> bytes:
    """``secret`` as bytes, refused when it is too weak to trust.

    A ``str`` counts its UTF-8 bytes. The error never repeats the secret.

    Raises:
        WeakWebhookSecretError: ``payments.weak_webhook_secret`` when it is
            not bytes or str, or shorter than :data:`MIN_WEBHOOK_SECRET_BYTES`.

    Example:
        >>> len(webhook_secret("whsec_0123456789abcdef"))
        22
        >>> webhook_secret(b"")
        Traceback (most recent call last):
        ...
        booking_core.errors.WeakWebhookSecretError: webhook secret refused: it is \
empty; use the secret the gateway issued, as bytes (or str, UTF-8 encoded) of at \
least 16 bytes
    """
    given: object = secret
    if isinstance(given, str):
        raw = given.encode("utf-8")
    elif isinstance(given, bytes):
        raw = given
    else:
        raise WeakWebhookSecretError(
            reason=f"it is a {type(given).__name__}, not bytes or str",
            minimum=MIN_WEBHOOK_SECRET_BYTES,
            length=None,
        )
    if len(raw) < MIN_WEBHOOK_SECRET_BYTES:
        raise WeakWebhookSecretError(
            reason=f"it is only {len(raw)} bytes long" if raw else "it is empty",
            minimum=MIN_WEBHOOK_SECRET_BYTES,
            length=len(raw),
        )
    return raw


def _body(body: object) -> bytes:
    if not isinstance(body, bytes):
        raise InvalidWebhookError(
            reason=f"the body is a {type(body).__name__}, not the raw bytes received"
        )
    if len(body) > MAX_WEBHOOK_BODY_BYTES:
        raise InvalidWebhookError(
            reason=f"the body is {len(body)} bytes, over the bound of "
            f"{MAX_WEBHOOK_BODY_BYTES} bytes"
        )
    return body


def _signature(signature: object) -> bytes:
    if signature is None:
        raise InvalidWebhookError(reason="the signature header is missing")
    if not isinstance(signature, str) or not _HEX64.fullmatch(signature):
        shown = type(signature).__name__ if not isinstance(signature, str) else None
        raise InvalidWebhookError(
            reason="the signature header is not 64 hex characters"
            + (f" (got a {shown})" if shown else "")
        )
    return signature.lower().encode("ascii")


def check_delivery(body: object, signature: object) -> None:
    """Refuse a malformed delivery before any signature is computed.

    For code that verifies signatures some other way (a gateway's own
    ``verify_webhook``): the same checks :func:`verify_webhook_signature`
    makes on its input.

    Raises:
        InvalidWebhookError: ``payments.invalid_webhook`` when ``body`` is not
            bytes or is over :data:`MAX_WEBHOOK_BODY_BYTES`, or ``signature``
            is missing (``None``), not a str or not 64 hex characters.

    Example:
        >>> from booking_core.errors import InvalidWebhookError
        >>> try:
        ...     check_delivery(b"{}", None)
        ... except InvalidWebhookError as error:
        ...     print(error.code, error.details["reason"])
        payments.invalid_webhook the signature header is missing
    """
    _body(body)
    _signature(signature)


def sign_webhook(secret: bytes | str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``body`` under ``secret`` (what a gateway sends).

    Raises:
        WeakWebhookSecretError: ``payments.weak_webhook_secret`` for a weak
            secret.
        InvalidWebhookError: ``payments.invalid_webhook`` when ``body`` is not
            bytes or is over :data:`MAX_WEBHOOK_BODY_BYTES`.
    """
    return hmac.new(webhook_secret(secret), _body(body), hashlib.sha256).hexdigest()


def verify_webhook_signature(secret: bytes | str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the hex HMAC-SHA256 of the raw ``body``.

    Compared in constant time (:func:`hmac.compare_digest`); hex digits may be
    in either case. A well-formed signature that does not match is ``False``;
    a malformed delivery is refused.

    Args:
        secret: The webhook secret shared with the gateway.
        body: The raw request body, exactly as received (``bytes``).
        signature: The signature header: 64 hex characters.

    Raises:
        WeakWebhookSecretError: ``payments.weak_webhook_secret`` for a weak
            secret.
        InvalidWebhookError: ``payments.invalid_webhook`` when ``body`` is not
            bytes or too large, or ``signature`` is missing (``None``), not a
            str or not 64 hex characters.
    """
    key = webhook_secret(secret)
    raw, given = _body(body), _signature(signature)
    expected = hmac.new(key, raw, hashlib.sha256).hexdigest().encode("ascii")
    return hmac.compare_digest(expected, given)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(_body(body))
    except (ValueError, RecursionError) as error:  # nesting deeper than the stack
        reason = str(error)[:200]
        raise InvalidWebhookError(reason=f"malformed body ({reason})") from None
    if not isinstance(data, dict):
        raise InvalidWebhookError(
            reason=f"the body is a JSON {type(data).__name__}, not an object"
        )
    return data


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value or len(value) > _MAX_ID:
        raise InvalidWebhookError(
            reason=f"{key!r} must be a non-empty string of at most {_MAX_ID} "
            f"characters, got {type(value).__name__}"
        )
    return value


@final
class WebhookKind(str, enum.Enum):
    """What a webhook is about: the prefix of its event name."""

    PAYMENT = "payment"
    REFUND = "refund"
    PAYOUT = "payout"


@final
@attrs.frozen(kw_only=True, repr=False)
class WebhookClaim:
    """What a verified webhook is about, and nothing it says about state.

    Apply a claim by fetching the object from the gateway
    (:meth:`~booking_core.ports.PaymentGateway.fetch_payment`, ``fetch_refund``
    or ``fetch_payout`` by :attr:`object_id`) and acting on the fetched status;
    check that the fetched object's own reference matches :attr:`reference`.

    Attributes:
        id: The event id: every delivery of one event repeats it (the
            de-duplication key, see :func:`first_delivery`).
        kind: Payment, refund or payout.
        object_id: The gateway's id of the payment, refund or payout.
        reference: The host reference the body names (order id for payments,
            payment id for refunds, withdrawal id for payouts): a hint to find
            the local record, itself a claim.
    """

    __repr__ = fields_repr

    id: str
    kind: WebhookKind
    object_id: str
    reference: str


def parse_webhook_claim(body: bytes) -> WebhookClaim:
    """The claim of a verified webhook body; any status in it is ignored.

    The body is a JSON object with string ``id``, ``event`` (``<kind>.<what>``,
    kind one of :class:`WebhookKind`), ``entity`` and ``reference``, each 1-255
    characters. Call it only on a body whose signature verified
    (:meth:`WebhookVerifier.claim` does both).

    Raises:
        InvalidWebhookError: ``payments.invalid_webhook`` when the body is not
            bytes, too large, not such an object, or of an unknown kind.

    Example:
        >>> parse_webhook_claim(b'{"id": "e1", "event": "refund.processed", '
        ...     b'"entity": "rfnd_1", "reference": "pay_1", "status": "processed"}')
        WebhookClaim(id='e1', kind=<WebhookKind.REFUND: 'refund'>, \
object_id='rfnd_1', reference='pay_1')
    """
    data = _json_object(body)
    event = _text(data, "event")
    prefix = event.partition(".")[0]
    try:
        kind = WebhookKind(prefix)
    except ValueError:
        known = ", ".join(k.value for k in WebhookKind)
        raise InvalidWebhookError(
            reason=f"unknown event kind {prefix[:40]!r} (known: {known})"
        ) from None
    return WebhookClaim(
        id=_text(data, "id"),
        kind=kind,
        object_id=_text(data, "entity"),
        reference=_text(data, "reference"),
    )


@final
@attrs.frozen(repr=False)
class WebhookVerifier:
    """Verifies webhook deliveries under one secret and reads their claims.

    Build it once (with the secret from the host's configuration); a weak
    secret is refused here, not at the first webhook.

    Attributes:
        secret: The shared secret (never shown in ``repr``).

    Raises:
        WeakWebhookSecretError: ``payments.weak_webhook_secret`` for a
            secret shorter than :data:`MIN_WEBHOOK_SECRET_BYTES`.

    Example:
        >>> verifier = WebhookVerifier("whsec_0123456789abcdef")
        >>> verifier
        WebhookVerifier(secret=...)
        >>> verifier.verify(b"{}", "0" * 64)
        False
    """

    __repr__ = fields_repr

    secret: bytes = attrs.field(converter=webhook_secret, repr=lambda _: "...")

    def verify(self, body: bytes, signature: str) -> bool:
        """Whether ``signature`` signs ``body``; see :func:`verify_webhook_signature`.

        Raises:
            InvalidWebhookError: ``payments.invalid_webhook`` for a malformed
                delivery.
        """
        return verify_webhook_signature(self.secret, body, signature)

    def claim(self, body: bytes, signature: str) -> WebhookClaim:
        """The claim of a delivery whose signature verifies.

        Raises:
            InvalidWebhookError: ``payments.invalid_webhook`` when the delivery
                is malformed or the signature does not verify.
        """
        if not self.verify(body, signature):
            raise InvalidWebhookError(reason="the signature does not verify")
        return parse_webhook_claim(body)


def _processed_at(value: datetime) -> datetime:
    return utc_instant(value, "processed_at")


@final
@attrs.frozen(kw_only=True, repr=False)
class ProcessedWebhook:
    """A webhook event that was applied; its id is the de-duplication key.

    Store one per event id in the same unit of work as the effects of the
    event (a repository keyed by :attr:`id` refuses a second one), so a
    repeated or concurrent delivery applies nothing twice.

    Attributes:
        id: The event id.
        kind: What the event was about.
        object_id: The payment, refund or payout id.
        processed_at: When it was applied (aware, stored in UTC).
        version: The stored version (the repository's business).
    """

    __repr__ = fields_repr

    id: str
    kind: WebhookKind
    object_id: str
    processed_at: datetime = attrs.field(converter=_processed_at)
    version: int = 0


def first_delivery(
    claim: WebhookClaim, *, seen: ProcessedWebhook | None, now: datetime
) -> ProcessedWebhook | None:
    """The record to store when ``claim`` is its event's first delivery.

    Args:
        claim: A verified claim.
        seen: The record already stored under ``claim.id``, if any.
        now: The processing instant.

    Returns:
        A new :class:`ProcessedWebhook` (store it with the event's effects),
        or ``None`` for a repeat: apply nothing.

    Raises:
        InvalidWebhookError: ``payments.invalid_webhook`` when ``seen`` has the
            same event id but is about another kind or object (nothing changes).
        NaiveDatetimeError: ``time.naive_datetime`` for a naive ``now``.

    Example:
        >>> from datetime import datetime, timezone
        >>> now = datetime(2026, 3, 29, 9, tzinfo=timezone.utc)
        >>> claim = WebhookClaim(id="evt_1", kind=WebhookKind.PAYOUT,
        ...                      object_id="pout_1", reference="w1")
        >>> record = first_delivery(claim, seen=None, now=now)
        >>> record.id, first_delivery(claim, seen=record, now=now)
        ('evt_1', None)
    """
    if seen is None:
        return ProcessedWebhook(
            id=claim.id, kind=claim.kind, object_id=claim.object_id, processed_at=now
        )
    if (seen.id, seen.kind, seen.object_id) != (claim.id, claim.kind, claim.object_id):
        raise InvalidWebhookError(
            reason=f"event {claim.id!r} was processed about {seen.kind.value} "
            f"{seen.object_id!r}; this delivery claims {claim.kind.value} "
            f"{claim.object_id!r}"
        )
    return None
