"""Gateway values, webhook signature vectors, bank accounts, withdrawals, units."""

from __future__ import annotations

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
    WithdrawalAmountError,
)
from booking_core.money import Money
from booking_core.money.gateway import (
    PayoutStatus,
    from_gateway_units,
    parse_webhook,
    sign_webhook,
    to_gateway_units,
    verify_webhook_signature,
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

# RFC-style known vector: HMAC-SHA256(key="key", "The quick brown fox ...").
FOX = b"The quick brown fox jumps over the lazy dog"
FOX_SIG = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
BODY = b'{"event":"payment.captured"}'
BODY_SIG = "4f463a57dd128675850163391f0311888616d57bccca75c774c9cdb28134f851"


def test_known_vectors_sign_and_verify() -> None:
    assert sign_webhook(b"key", FOX) == FOX_SIG
    assert sign_webhook("key", FOX) == FOX_SIG
    assert verify_webhook_signature(b"key", FOX, FOX_SIG)
    assert verify_webhook_signature(b"whsec_test", BODY, BODY_SIG)


def test_tampered_body_fails() -> None:
    assert not verify_webhook_signature(b"whsec_test", BODY + b" ", BODY_SIG)
    assert not verify_webhook_signature(
        b"whsec_test", BODY.replace(b"captured", b"refunded"), BODY_SIG
    )


def test_wrong_secret_fails() -> None:
    assert not verify_webhook_signature(b"whsec_other", BODY, BODY_SIG)


@pytest.mark.parametrize(
    "signature",
    [BODY_SIG[:-1], BODY_SIG + "0", "", BODY_SIG.upper(), "é" * 64, BODY_SIG[:32]],
)
def test_wrong_length_or_form_fails(signature: str) -> None:
    assert not verify_webhook_signature(b"whsec_test", BODY, signature)


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"id": "e"}', b"5", b"\xff"],
)
def test_malformed_webhook_body_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidWebhookError) as info:
        parse_webhook(body)
    assert info.value.code == "payments.invalid_webhook"


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
    with pytest.raises(InvalidBankAccountError):
        BankAccount.create(
            **{**GOOD, "account_number": "12"},
            ifsc_exists=lambda code: asked.append(code) is None,
        )
    assert asked == []


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
