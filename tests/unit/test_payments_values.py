"""Gateway values, webhook signature vectors, bank accounts, withdrawals, units."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.adapters.codec import dumps, loads
from booking_core.errors import (
    CurrencyMismatchError,
    GatewayDeclinedError,
    GatewayError,
    GatewayKeyReuseError,
    GatewayOutcomeUnknownError,
    GatewayRetryableError,
    InvalidAmountError,
    InvalidBankAccountError,
    InvalidWebhookError,
    NaiveDatetimeError,
    WeakWebhookSecretError,
    WithdrawalAmountError,
)
from booking_core.money import Money
from booking_core.money.gateway import (
    GatewayPayment,
    PaymentStatus,
    PayoutStatus,
    from_gateway_units,
    reported_fee,
    to_gateway_units,
)
from booking_core.money.webhooks import (
    MAX_WEBHOOK_BODY_BYTES,
    MIN_WEBHOOK_SECRET_BYTES,
    ProcessedWebhook,
    WebhookClaim,
    WebhookKind,
    WebhookVerifier,
    first_delivery,
    parse_webhook_claim,
    sign_webhook,
    verify_webhook_signature,
    webhook_secret,
)
from booking_core.money.withdrawals import (
    BankAccount,
    WithdrawalPolicy,
    WithdrawalStatus,
    apply_payout_status,
    mask_account_number,
    record_payout,
    request_withdrawal,
)

NOW = datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)  # London's fold
SYSTEM = Actor.system()

# -- webhook signature vectors ---------------------------------------------------

# RFC 4231 test case 6: a 131-byte key of 0xaa (longer than the block size).
RFC_KEY = b"\xaa" * 131
RFC_DATA = b"Test Using Larger Than Block-Size Key - Hash Key First"
RFC_SIG = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
SECRET = b"whsec_0123456789abcdef"
BODY = b'{"event":"payment.captured"}'
BODY_SIG = "9d154107592b7c11af1400135f60981f6b60d761ada35d8c6753df1d86d54784"


def test_known_vectors_sign_and_verify() -> None:
    assert sign_webhook(RFC_KEY, RFC_DATA) == RFC_SIG
    assert verify_webhook_signature(RFC_KEY, RFC_DATA, RFC_SIG)
    assert sign_webhook(SECRET, BODY) == BODY_SIG
    assert sign_webhook(SECRET.decode(), BODY) == BODY_SIG
    assert verify_webhook_signature(SECRET, BODY, BODY_SIG)
    assert verify_webhook_signature(SECRET.decode(), BODY, BODY_SIG)


def test_tampered_body_fails() -> None:
    assert not verify_webhook_signature(SECRET, BODY + b" ", BODY_SIG)
    assert not verify_webhook_signature(
        SECRET, BODY.replace(b"captured", b"refunded"), BODY_SIG
    )


def test_wrong_secret_fails() -> None:
    assert not verify_webhook_signature(b"whsec_0123456789abcdeF", BODY, BODY_SIG)


def test_well_formed_wrong_signatures_fail() -> None:
    flipped = ("0" if BODY_SIG[0] != "0" else "1") + BODY_SIG[1:]
    assert not verify_webhook_signature(SECRET, BODY, flipped)
    assert not verify_webhook_signature(SECRET, BODY, "0" * 64)


def test_hex_case_does_not_matter() -> None:
    assert verify_webhook_signature(SECRET, BODY, BODY_SIG.upper())


NOT_HEX = "the signature header is not 64 hex characters"


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        (None, "the signature header is missing"),
        (BODY_SIG[:-1], NOT_HEX),
        (BODY_SIG + "0", NOT_HEX),
        ("", NOT_HEX),
        ("é" * 64, NOT_HEX),
        ("g" * 64, NOT_HEX),
        (BODY_SIG[:32], NOT_HEX),
        (BODY_SIG + "\n", NOT_HEX),
        (BODY_SIG.encode(), NOT_HEX + " (got a bytes)"),
    ],
)
def test_malformed_signatures_are_refused(signature: object, reason: str) -> None:
    with pytest.raises(InvalidWebhookError) as info:
        verify_webhook_signature(SECRET, BODY, signature)  # type: ignore[arg-type]
    assert info.value.code == "payments.invalid_webhook"
    assert info.value.details == {"reason": reason}


@pytest.mark.parametrize("body", [BODY.decode(), bytearray(BODY), None, 7])
def test_bodies_that_are_not_bytes_are_refused(body: object) -> None:
    with pytest.raises(InvalidWebhookError) as info:
        verify_webhook_signature(SECRET, body, BODY_SIG)  # type: ignore[arg-type]
    assert info.value.details["reason"] == (
        f"the body is a {type(body).__name__}, not the raw bytes received"
    )
    with pytest.raises(InvalidWebhookError):
        sign_webhook(SECRET, body)  # type: ignore[arg-type]
    with pytest.raises(InvalidWebhookError):
        parse_webhook_claim(body)  # type: ignore[arg-type]


def test_oversized_body_is_refused_unread() -> None:
    body = b" " * (MAX_WEBHOOK_BODY_BYTES + 1)
    with pytest.raises(InvalidWebhookError) as info:
        verify_webhook_signature(SECRET, body, BODY_SIG)
    assert "over the bound of 1048576 bytes" in str(info.value)
    assert verify_webhook_signature(SECRET, body[:-1], sign_webhook(SECRET, body[:-1]))


@pytest.mark.parametrize(
    ("secret", "reason", "length"),
    [
        (b"", "it is empty", 0),
        ("", "it is empty", 0),
        (b"s", "it is only 1 bytes long", 1),
        (b"x" * 15, "it is only 15 bytes long", 15),
        ("é" * 7, "it is only 14 bytes long", 14),  # UTF-8 bytes count
        (None, "it is a NoneType, not bytes or str", None),
        (bytearray(b"x" * 32), "it is a bytearray, not bytes or str", None),
    ],
)
def test_weak_secrets_are_refused_everywhere(
    secret: object, reason: str, length: int | None
) -> None:
    attempts = (
        lambda: webhook_secret(secret),  # type: ignore[arg-type]
        lambda: WebhookVerifier(secret),  # type: ignore[arg-type]
        lambda: sign_webhook(secret, BODY),  # type: ignore[arg-type]
        lambda: verify_webhook_signature(secret, BODY, BODY_SIG),  # type: ignore[arg-type]
    )
    for attempt in attempts:
        with pytest.raises(WeakWebhookSecretError) as info:
            attempt()
        assert info.value.code == "payments.weak_webhook_secret"
        assert info.value.details == {
            "reason": reason,
            "minimum": MIN_WEBHOOK_SECRET_BYTES,
            "length": length,
        }
        assert "at least 16 bytes" in str(info.value)


def test_shortest_accepted_secret_and_verifier_hides_it() -> None:
    assert MIN_WEBHOOK_SECRET_BYTES == 16
    assert webhook_secret("x" * 16) == b"x" * 16
    assert WebhookVerifier("é" * 8).secret == "é".encode() * 8  # 16 UTF-8 bytes
    assert SECRET.decode() not in repr(WebhookVerifier(SECRET))


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"id": "e"}', b"5", b"\xff"],
)
def test_malformed_webhook_body_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidWebhookError) as info:
        parse_webhook_claim(body)
    assert info.value.code == "payments.invalid_webhook"


def _body(**fields: object) -> bytes:
    base: dict[str, object] = {
        "id": "evt_1",
        "event": "payout.failed",
        "entity": "pout_1",
        "reference": "w1",
        "status": "failed",
    }
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not None}).encode()


def test_claims_carry_what_changed_never_the_state() -> None:
    for kind in WebhookKind:
        body = _body(event=f"{kind.value}.anything", status="whatever")
        claim = WebhookVerifier(SECRET).claim(body, sign_webhook(SECRET, body))
        assert claim == WebhookClaim(
            id="evt_1", kind=kind, object_id="pout_1", reference="w1"
        )
        assert not hasattr(claim, "status")
    assert parse_webhook_claim(_body(status=None)).kind is WebhookKind.PAYOUT


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[]", "the body is a JSON list, not an object"),
        (b"{", "malformed body"),
        (_body(event="order.paid"), "unknown event kind 'order'"),
        (_body(event=""), "'event' must be a non-empty string"),
        (_body(id=None), "'id' must be a non-empty string"),
        (_body(id=7), "'id' must be a non-empty string"),
        (_body(entity="x" * 256), "'entity' must be a non-empty string"),
        (_body(reference=["w1"]), "'reference' must be a non-empty string"),
    ],
)
def test_malformed_claims_are_refused(body: bytes, reason: str) -> None:
    with pytest.raises(InvalidWebhookError) as info:
        parse_webhook_claim(body)
    assert info.value.details["reason"].startswith(reason)


def test_claim_refuses_a_signature_that_does_not_verify() -> None:
    body = _body()
    forged = sign_webhook(b"whsec_forger_0123456789", body)
    with pytest.raises(InvalidWebhookError) as info:
        WebhookVerifier(SECRET).claim(body, forged)
    assert info.value.details == {"reason": "the signature does not verify"}
    assert not WebhookVerifier(SECRET).verify(body, forged)


def test_first_delivery_deduplicates_by_event_id() -> None:
    claim = parse_webhook_claim(_body())
    record = first_delivery(claim, seen=None, now=NOW)
    assert record == ProcessedWebhook(
        id="evt_1", kind=WebhookKind.PAYOUT, object_id="pout_1", processed_at=NOW
    )
    assert first_delivery(claim, seen=record, now=NOW) is None
    other = parse_webhook_claim(_body(entity="pout_2"))
    with pytest.raises(InvalidWebhookError) as info:
        first_delivery(other, seen=record, now=NOW)
    assert "pout_1" in str(info.value)
    assert "pout_2" in str(info.value)
    with pytest.raises(NaiveDatetimeError):
        first_delivery(claim, seen=None, now=NOW.replace(tzinfo=None))


# -- units -------------------------------------------------------------------------


def test_gateway_units_round_trip_and_refuse_inexact() -> None:
    assert to_gateway_units(Money.of("1.50", "INR"), 2) == 150
    assert to_gateway_units(Money.of("1500", "JPY"), 2) == 150000
    assert to_gateway_units(Money.of("1.50", "INR"), 1) == 15
    with pytest.raises(InvalidAmountError):
        to_gateway_units(Money.of("1.55", "INR"), 1)
    assert from_gateway_units(150000, "JPY", 2) == Money.of("1500", "JPY")
    assert from_gateway_units(15, "INR", 1) == Money.of("1.50", "INR")
    with pytest.raises(InvalidAmountError):
        from_gateway_units(150001, "JPY", 2)


# -- gateway error kinds -------------------------------------------------------------


def test_error_kinds_say_whether_to_retry() -> None:
    assert not GatewayDeclinedError(operation="refund", reason="x").retryable
    assert not GatewayKeyReuseError(key="k", existing="a", requested="b").retryable
    assert GatewayRetryableError(operation="refund", reason="503").retryable
    unknown = GatewayOutcomeUnknownError(operation="refund", reason="timeout")
    assert unknown.retryable
    assert isinstance(unknown, GatewayError)
    assert "same idempotency key" in str(unknown)


# -- payout statuses -----------------------------------------------------------------


def test_payout_statuses_only_move_forward() -> None:
    order = [
        PayoutStatus.PENDING,
        PayoutStatus.QUEUED,
        PayoutStatus.SCHEDULED,
        PayoutStatus.PROCESSING,
    ]
    for i, old in enumerate(order):
        assert old.in_flight
        assert not old.voided
        for new in order[: i + 1]:
            assert not old.may_become(new)
        assert old.may_become(PayoutStatus.PROCESSED)
        assert old.may_become(PayoutStatus.FAILED)
    assert PayoutStatus.PROCESSED.may_become(PayoutStatus.REVERSED)
    assert not PayoutStatus.PROCESSED.may_become(PayoutStatus.FAILED)
    for final in (
        PayoutStatus.REVERSED,
        PayoutStatus.FAILED,
        PayoutStatus.REJECTED,
        PayoutStatus.CANCELLED,
    ):
        assert not final.in_flight
        assert not any(final.may_become(new) for new in PayoutStatus)


# -- bank accounts -------------------------------------------------------------------

GOOD = {
    "holder_name": "Asha Rao",
    "account_number": "001234567890",
    "ifsc": "HDFC0001234",
}


def test_bank_account_normalises() -> None:
    account = BankAccount.create(
        holder_name="  Asha   Rao ",
        account_number=" 0012 3456 7890",
        ifsc=" hdfc0001234 ",
    )
    assert (account.holder_name, account.account_number, account.ifsc) == (
        "Asha Rao",
        "001234567890",
        "HDFC0001234",
    )
    assert account.masked == "XXXXXXXX7890"
    hooked = BankAccount.create(**GOOD, ifsc_exists=lambda code: code == "HDFC0001234")
    assert hooked.ifsc == "HDFC0001234"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("holder_name", ""),
        ("holder_name", "   "),
        ("holder_name", None),
        ("holder_name", "x" * 121),
        ("account_number", "12345678"),  # 8 digits
        ("account_number", "1" * 19),  # 19 digits
        ("account_number", "12345678a9"),
        ("account_number", 123456789),
        ("account_number", ""),
        ("ifsc", "HDFC1001234"),  # fifth character not 0
        ("ifsc", "HDF00001234"),  # three letters
        ("ifsc", "HDFC000123"),  # too short
        ("ifsc", "HDFC00012345"),  # too long
        ("ifsc", "HDFC0-01234"),
        ("ifsc", None),
    ],
)
def test_bank_account_errors_name_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidBankAccountError) as info:
        BankAccount.create(**{**GOOD, field: value})  # type: ignore[arg-type]
    assert info.value.code == "payments.invalid_bank_account"
    assert info.value.details["field"] == field
    assert field in str(info.value)


def test_bank_account_ifsc_hook_refuses_unknown_branch() -> None:
    with pytest.raises(InvalidBankAccountError) as info:
        BankAccount.create(**GOOD, ifsc_exists=lambda code: False)
    assert info.value.details["field"] == "ifsc"
    assert info.value.details["fields"] == ("ifsc",)


def test_bank_account_hook_is_not_asked_about_a_malformed_account() -> None:
    asked: list[str] = []

    def exists(code: str) -> bool:
        asked.append(code)
        return True

    with pytest.raises(InvalidBankAccountError):
        BankAccount.create(**{**GOOD, "account_number": "12"}, ifsc_exists=exists)
    assert asked == []
    BankAccount.create(**GOOD, ifsc_exists=exists)
    assert asked == ["HDFC0001234"]


def test_bank_account_error_names_every_invalid_field_at_once() -> None:
    with pytest.raises(InvalidBankAccountError) as info:
        BankAccount.create(holder_name=" ", account_number="98765432", ifsc="HDFC1")
    error = info.value
    assert error.details["fields"] == ("holder_name", "account_number", "ifsc")
    assert error.details["field"] == "holder_name"
    assert error.details["problems"] == {
        "holder_name": "must be a non-empty name",
        "account_number": "must be 9 to 18 digits (spaces are ignored)",
        "ifsc": "must be 4 letters, a 0, then 6 letters or digits (e.g. HDFC0001234)",
    }
    assert error.details["values"] == {
        "holder_name": " ",
        "account_number": "XXXX5432",
        "ifsc": "HDFC1",
    }
    message = str(error)
    for field in ("holder_name", "account_number", "ifsc"):
        assert field in message
    assert "correct every listed field" in message


@pytest.mark.parametrize(
    "number",
    [
        "9876543210987654321",  # 19 digits: too long
        "98765432",  # 8 digits: too short
        "9876 5432 1098 7654 3210",
        "987654321098765abc",
        987654321098765432109,
    ],
)
def test_bank_account_error_masks_the_account_number(number: object) -> None:
    with pytest.raises(InvalidBankAccountError) as info:
        BankAccount(holder_name="Asha Rao", account_number=number, ifsc="HDFC1")  # type: ignore[arg-type]
    digits = "".join(str(number).split())
    shown = info.value.details["values"]["account_number"]
    assert shown == "X" * (len(digits) - 4) + digits[-4:]
    everything = str(info.value) + repr(info.value.details)
    assert digits not in everything
    assert digits[:-4] not in everything
    assert digits[-4:] in everything


def test_bank_account_repr_and_masked_hide_the_number() -> None:
    account = BankAccount(**GOOD)
    assert account.account_number == "001234567890"
    assert "001234567890" not in repr(account)
    assert "XXXXXXXX7890" in repr(account)
    assert account.masked == "XXXXXXXX7890"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1234", "XXXX"),
        ("", ""),
        (None, "<NoneType>"),
        (True, "<bool>"),
        (12345, "X2345"),
    ],
)
def test_mask_account_number_edges(value: object, shown: str) -> None:
    assert mask_account_number(value) == shown


def test_bank_account_shows_non_text_and_long_values_bounded() -> None:
    with pytest.raises(InvalidBankAccountError) as info:
        BankAccount(holder_name="x" * 121, account_number="001234567890", ifsc=7)  # type: ignore[arg-type]
    assert info.value.details["values"] == {
        "holder_name": "x" * 40 + "...",
        "ifsc": "<int>",
    }


# -- withdrawals (pure) ------------------------------------------------------------

ACCOUNT = BankAccount(**GOOD)


def _request(amount: str = "500.00") -> object:
    return request_withdrawal(
        withdrawal_id="w1",
        teacher_id="m1",
        amount=Money.of(amount, "INR"),
        bank_account=ACCOUNT,
        policy=WithdrawalPolicy(),
        actor=SYSTEM,
        now=NOW,
    )


def test_withdrawal_policy_bounds() -> None:
    policy = WithdrawalPolicy()
    policy.check(Money.of("100.00", "INR"))
    policy.check(Money.of("100000.00", "INR"))
    for amount in ("99.99", "100000.01"):
        with pytest.raises(WithdrawalAmountError) as info:
            policy.check(Money.of(amount, "INR"))
        assert info.value.code == "payments.withdrawal_amount"
    with pytest.raises(CurrencyMismatchError):
        policy.check(Money.of("500.00", "USD"))
    with pytest.raises(WithdrawalAmountError):
        WithdrawalPolicy(minimum=Money.zero("INR"))


@pytest.mark.parametrize(
    ("path", "status", "legs"),
    [
        ([PayoutStatus.PROCESSED], WithdrawalStatus.PAID, [("held:m1", "payouts")]),
        ([PayoutStatus.FAILED], WithdrawalStatus.VOIDED, [("held:m1", "wallet:m1")]),
        ([PayoutStatus.REJECTED], WithdrawalStatus.VOIDED, [("held:m1", "wallet:m1")]),
        (
            [PayoutStatus.QUEUED, PayoutStatus.CANCELLED],
            WithdrawalStatus.VOIDED,
            [("held:m1", "wallet:m1")],
        ),
        (
            [PayoutStatus.PROCESSED, PayoutStatus.REVERSED],
            WithdrawalStatus.REVERSED,
            [("held:m1", "payouts"), ("payouts", "wallet:m1")],
        ),
        (  # the processed report was lost: the reversal posts both
            [PayoutStatus.PROCESSING, PayoutStatus.REVERSED],
            WithdrawalStatus.REVERSED,
            [("held:m1", "payouts"), ("payouts", "wallet:m1")],
        ),
    ],
)
def test_payout_statuses_post_the_right_entries(
    path: list[PayoutStatus],
    status: WithdrawalStatus,
    legs: list[tuple[str, str]],
) -> None:
    withdrawal = record_payout(_request().state, "pout_1")  # type: ignore[attr-defined]
    posted = []
    for new in path:
        decision = apply_payout_status(withdrawal, new, actor=SYSTEM, now=NOW)
        withdrawal = decision.state
        posted += [
            (t.debit, t.credit)
            for e in decision.events
            for t in e.transfers  # type: ignore[attr-defined]
        ]
    assert withdrawal.status is status
    assert posted == legs
    # Late and repeated reports never move a final state back, nor post again.
    current = withdrawal.payout_status
    assert current is not None
    for late in PayoutStatus:
        if not current.may_become(late):
            again = apply_payout_status(withdrawal, late, actor=SYSTEM, now=NOW)
            assert again.state == withdrawal
            assert again.events == ()


def test_withdrawal_round_trips_through_the_codec() -> None:
    decision = _request()
    withdrawal = record_payout(decision.state, "pout_1")  # type: ignore[attr-defined]
    assert loads(dumps(withdrawal)) == withdrawal
    event = decision.events[0]  # type: ignore[attr-defined]
    assert loads(dumps(event)) == event
    assert attrs.evolve(withdrawal, payout_status=PayoutStatus.QUEUED) == loads(
        dumps(attrs.evolve(withdrawal, payout_status=PayoutStatus.QUEUED))
    )


# -- the fee a gateway reports ----------------------------------------------------


def _paid(**fields: object) -> GatewayPayment:
    return GatewayPayment(
        id="pay_1",
        order_id="order_1",
        amount=70000,
        currency="INR",
        status=PaymentStatus.CAPTURED,
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"fee": 1652}, "tax", "a gateway reports fee and tax together, or neither"),
        ({"tax": 252}, "fee", "a gateway reports fee and tax together, or neither"),
        ({"fee": -1, "tax": 0}, "fee", "must be whole gateway minor units"),
        ({"fee": 5, "tax": -1}, "tax", "must be whole gateway minor units"),
        ({"fee": True, "tax": 0}, "fee", "must be whole gateway minor units"),
        ({"fee": 1.5, "tax": 0}, "fee", "must be whole gateway minor units"),
        ({"fee": 100, "tax": 101}, "tax", "exceeds the whole fee 100"),
    ],
)
def test_gateway_payment_refuses_an_impossible_fee(
    fields: dict[str, object], field: str, reason: str
) -> None:
    with pytest.raises(InvalidAmountError) as info:
        _paid(**fields)
    assert info.value.details["field"] == field
    assert info.value.details["reason"].startswith(reason)


def test_reported_fee_converts_gateway_units() -> None:
    assert reported_fee(_paid(), 2) is None
    fee = reported_fee(_paid(fee=1652, tax=252), 2)
    assert fee is not None
    assert (fee.fee, fee.tax) == (Money.of("16.52", "INR"), Money.of("2.52", "INR"))
    yen = GatewayPayment(
        id="p",
        order_id="o",
        amount=150000,
        currency="JPY",
        status=PaymentStatus.CAPTURED,
        fee=3500,
        tax=500,
    )
    fee = reported_fee(yen, 2)
    assert fee is not None
    assert (fee.fee, fee.tax) == (Money.of("35", "JPY"), Money.of("5", "JPY"))
    # 35.01 JPY cannot be held in yen: not used (the split then says estimated)
    assert reported_fee(attrs.evolve(yen, fee=3501), 2) is None
    assert reported_fee(attrs.evolve(yen, tax=501), 2) is None
