"""Capture, escrow release, refunds and refund quotes, posted to a journal."""

from __future__ import annotations

import decimal
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from booking_core.actors import Actor, Role
from booking_core.errors import (
    CurrencyMismatchError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTransitionError,
    InvalidValueError,
    NaiveDatetimeError,
    PermissionDeniedError,
    RefundExceedsCaptureError,
)
from booking_core.money import (
    FeeBearer,
    GatewayFee,
    Money,
    SplitPolicy,
    split_payment,
)
from booking_core.money.ledger import Journal, TransferKind, teacher_wallet
from booking_core.money.payments import (
    CapturedPayment,
    EscrowReleased,
    PaymentCaptured,
    capture_payment,
    release_escrow,
)
from booking_core.money.refunds import (
    CancellationPolicy,
    CancellationReason,
    PaymentRefunded,
    RefundPolicy,
    RefundTier,
    refund_breakdown,
    refund_payment,
    refund_quote,
    refund_share,
)

LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)
SYSTEM = Actor.system()
FEE = GatewayFee(fee=Money.of("16.52", "INR"), tax=Money.of("2.52", "INR"))


def capture(
    journal: Journal,
    payment_id: str = "pay_1",
    gross: str = "700.00",
    fee: GatewayFee | None = FEE,
) -> CapturedPayment:
    split = split_payment(Money.of(gross, "INR"), SplitPolicy(), fee)
    decision = capture_payment(
        payment_id=payment_id, teacher_id="m1", split=split, actor=SYSTEM, now=NOW
    )
    (event,) = decision.events
    assert isinstance(event, PaymentCaptured)
    journal.post_linked(event.transfers)
    return decision.state


def post(journal: Journal, decision_events: tuple[object, ...]) -> None:
    for event in decision_events:
        journal.post_linked(event.transfers)  # type: ignore[attr-defined]


def test_capture_posts_every_part() -> None:
    journal = Journal("INR")
    payment = capture(journal)
    assert journal.balances() == {
        "payments": -70000,
        "platform_revenue": 7000,
        "gateway_fees": 1400,
        "gateway_tax": 252,
        "escrow:m1": 61348,
    }
    assert payment.in_escrow == Money.of("613.48", "INR")
    assert payment.refundable == Money.of("700.00", "INR")
    assert payment.version == 0
    # capturing again (a retried webhook) replays the same transfers
    before = journal.balances()
    capture(journal)
    assert journal.balances() == before
    assert len(journal) == 4


def test_capture_skips_zero_parts() -> None:
    split = split_payment(Money(100, "INR"), SplitPolicy(commission_rate=0), None)
    decision = capture_payment(
        payment_id="p0", teacher_id="m1", split=split, actor=SYSTEM, now=NOW
    )
    kinds = [x.kind for x in decision.events[0].transfers]  # type: ignore[attr-defined]
    assert kinds == [TransferKind.CAPTURE_GATEWAY_FEE, TransferKind.CAPTURE_TEACHER]


def test_release_moves_escrow_to_wallet_once() -> None:
    journal = Journal("INR")
    payment = capture(journal)
    decision = release_escrow(payment, actor=Actor.teacher("m1"), now=NOW)
    (event,) = decision.events
    assert isinstance(event, EscrowReleased)
    assert event.amount == Money.of("613.48", "INR")
    post(journal, decision.events)
    assert journal.balance("escrow:m1") == 0
    assert journal.balance("wallet:m1") == 61348
    wallet = teacher_wallet(journal, "m1")
    assert wallet.lifetime_earned == Money.of("613.48", "INR")
    assert decision.state.released
    assert decision.state.in_escrow.is_zero()
    with pytest.raises(InvalidTransitionError):
        release_escrow(decision.state, actor=SYSTEM, now=NOW)


def test_full_refund_before_release_platform_bears_fee_loss() -> None:
    journal = Journal("INR")
    payment = capture(journal)
    decision = refund_payment(
        payment,
        Money.of("700.00", "INR"),
        actor=SYSTEM,
        now=NOW,
        reason="teacher no-show",
    )
    (event,) = decision.events
    assert isinstance(event, PaymentRefunded)
    assert event.breakdown.platform == Money.of("70.00", "INR")
    assert event.breakdown.teacher == Money.of("613.48", "INR")
    assert event.breakdown.gateway_fee == Money.of("16.52", "INR")
    assert event.breakdown.fee_loss_bearer is FeeBearer.PLATFORM
    post(journal, decision.events)
    balances = journal.balances()
    assert balances["refunds"] == 70000
    assert balances["escrow:m1"] == 0
    assert balances["platform_revenue"] == 0
    assert balances["fee_loss"] == -1652
    assert balances["gateway_fees"] + balances["gateway_tax"] == 1652  # kept
    assert sum(balances.values()) == 0
    refunded = decision.state
    assert refunded.refundable.is_zero()
    assert refunded.refund_count == 1
    # releasing afterwards moves nothing
    released = release_escrow(refunded, actor=SYSTEM, now=NOW)
    assert released.events[0].transfers == ()  # type: ignore[attr-defined]
    assert released.events[0].amount.is_zero()  # type: ignore[attr-defined]


def test_partial_refunds_never_exceed_capture_and_sum_exactly() -> None:
    journal = Journal("INR")
    payment = capture(journal)
    for amount in ("100.01", "0.01", "333.33"):
        decision = refund_payment(
            payment, Money.of(amount, "INR"), actor=SYSTEM, now=NOW
        )
        post(journal, decision.events)
        payment = decision.state
    assert payment.refunded == Money.of("433.35", "INR")
    left = payment.refundable
    with pytest.raises(RefundExceedsCaptureError) as info:
        refund_payment(payment, left + Money(1, "INR"), actor=SYSTEM, now=NOW)
    assert info.value.code == "money.refund_exceeds_capture"
    final = refund_payment(payment, left, actor=SYSTEM, now=NOW)
    post(journal, final.events)
    assert final.state.remaining_parts() == (0, 0, 0, 0)
    assert journal.balance("refunds") == 70000
    assert journal.balance("escrow:m1") == 0
    assert journal.balance("platform_revenue") == 0


def test_refund_after_release_takes_from_wallet() -> None:
    journal = Journal("INR")
    payment = capture(journal)
    released = release_escrow(payment, actor=SYSTEM, now=NOW)
    post(journal, released.events)
    decision = refund_payment(
        released.state, Money.of("350.00", "INR"), actor=Actor.admin("a1"), now=NOW
    )
    post(journal, decision.events)
    assert journal.balance("wallet:m1") == 61348 - 30674
    wallet = teacher_wallet(journal, "m1")
    assert wallet.lifetime_earned.amount == 61348 - 30674


def test_teacher_bears_fee_loss_from_wallet() -> None:
    journal = Journal("INR")
    payment = capture(journal)
    policy = RefundPolicy(fee_loss_bearer="teacher")
    decision = refund_payment(
        payment, Money.of("700.00", "INR"), policy=policy, actor=SYSTEM, now=NOW
    )
    before = journal.balances()
    with pytest.raises(InsufficientFundsError):  # the wallet is empty: nothing posts
        post(journal, decision.events)
    assert journal.balances() == before
    # once the teacher has available money, the fee loss comes out of it
    post(
        journal, release_escrow(capture(journal, "pay_2"), actor=SYSTEM, now=NOW).events
    )
    post(journal, decision.events)
    assert journal.balance("wallet:m1") == 61348 - 1652
    assert journal.balance("fee_loss") == 0


@pytest.mark.parametrize("actor", [Actor.student("s1"), Actor.teacher("m1")])
def test_only_admin_or_system_refund(actor: Actor) -> None:
    payment = capture(Journal("INR"))
    with pytest.raises(PermissionDeniedError):
        refund_payment(payment, Money(1, "INR"), actor=actor, now=NOW)


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (Money(0, "INR"), InvalidAmountError),
        (Money(-1, "INR"), InvalidAmountError),
        (Money(1, "USD"), CurrencyMismatchError),
        (Money(70001, "INR"), RefundExceedsCaptureError),
    ],
)
def test_bad_refunds_change_nothing(amount: Money, error: type[Exception]) -> None:
    payment = capture(Journal("INR"))
    with pytest.raises(error):
        refund_payment(payment, amount, actor=SYSTEM, now=NOW)
    with pytest.raises(error):
        refund_breakdown(payment, amount)
    assert payment.refunded.is_zero()


def test_captured_payment_validation() -> None:
    split = split_payment(Money(100, "INR"))
    with pytest.raises(InvalidValueError):
        CapturedPayment(
            id="p",
            teacher_id="m",
            split=split,
            captured_at=NOW,
            refunded_parts=(0, 0, 0),  # type: ignore[arg-type]
        )
    with pytest.raises(InvalidValueError):
        CapturedPayment(
            id="p",
            teacher_id="m",
            split=split,
            captured_at=NOW,
            refunded_parts=(0, 0, 0, -1),
        )
    with pytest.raises(NaiveDatetimeError):
        CapturedPayment(
            id="p", teacher_id="m", split=split, captured_at=datetime(2026, 1, 1)
        )


# -- quotes -----------------------------------------------------------------------

TIERS = CancellationPolicy(
    student_tiers=(
        RefundTier(hours_before=24, share=Decimal("0.5")),
        RefundTier(hours_before=48, share=Decimal(1)),
        RefundTier(hours_before=0, share=Decimal("0.1")),
    )
)


def test_policy_defaults_and_tier_order() -> None:
    policy = CancellationPolicy()
    assert policy.student_tiers == ()
    assert policy.teacher_share == 1
    assert policy.platform_share == 1
    assert policy.student_no_show_share == 0
    assert [tier.hours_before for tier in TIERS.student_tiers] == [48, 24, 0]


@pytest.mark.parametrize(
    ("by", "reason", "hours_before", "share"),
    [
        (Role.TEACHER, CancellationReason.CANCELLED, 1, Decimal(1)),
        (Role.TEACHER, CancellationReason.NO_SHOW, -1, Decimal(1)),
        (Role.ADMIN, CancellationReason.CANCELLED, 1, Decimal(1)),
        (Role.SYSTEM, CancellationReason.CANCELLED, 1, Decimal(1)),
        (Role.STUDENT, CancellationReason.NO_SHOW, -1, Decimal(0)),
        (Role.STUDENT, CancellationReason.CANCELLED, 72, Decimal(1)),
        (Role.STUDENT, CancellationReason.CANCELLED, 48, Decimal(1)),
        (Role.STUDENT, CancellationReason.CANCELLED, 47, Decimal("0.5")),
        (Role.STUDENT, CancellationReason.CANCELLED, 1, Decimal("0.1")),
        (Role.STUDENT, CancellationReason.CANCELLED, -1, Decimal(0)),
    ],
)
def test_refund_share(
    by: Role, reason: CancellationReason, hours_before: int, share: Decimal
) -> None:
    start = datetime(2026, 6, 1, 9, tzinfo=KOLKATA)
    now = start - timedelta(hours=hours_before)
    assert refund_share(TIERS, starts_at=start, now=now, by=by, reason=reason) == share


def test_student_default_gets_nothing() -> None:
    start = datetime(2026, 6, 1, 9, tzinfo=KOLKATA)
    quote = refund_quote(
        CancellationPolicy(),
        starts_at=start,
        payments=[capture(Journal("INR"))],
        now=start - timedelta(days=30),
        by=Role.STUDENT,
    )
    assert quote.amount.is_zero()
    assert quote.fee_kept.is_zero()
    assert quote.lines[0].breakdown is None


def test_notice_is_measured_in_real_hours_across_dst() -> None:
    # 10:00 BST on 29 March 2026 is 09:00 UTC; 10:00 GMT the day before is
    # only 23 real hours earlier, so the 24 h tier is not met.
    start = datetime(2026, 3, 29, 10, tzinfo=LONDON)
    day_before = datetime(2026, 3, 28, 10, tzinfo=LONDON)
    share = refund_share(TIERS, starts_at=start, now=day_before, by=Role.STUDENT)
    assert share == Decimal("0.1")
    # in the autumn fold the same wall-clock day is 25 hours: the tier is met
    start = datetime(2026, 10, 25, 10, tzinfo=LONDON)
    day_before = datetime(2026, 10, 24, 10, tzinfo=LONDON)
    assert refund_share(
        TIERS, starts_at=start, now=day_before, by=Role.STUDENT
    ) == Decimal("0.5")


def test_quote_over_several_payments_with_partial_refund() -> None:
    journal = Journal("INR")
    first = capture(journal, "pay_1")
    second = capture(journal, "pay_2", gross="300.00")
    second = refund_payment(
        second, Money.of("200.00", "INR"), actor=SYSTEM, now=NOW
    ).state
    start = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    quote = refund_quote(
        TIERS,
        starts_at=start,
        payments=[first, second],
        now=start - timedelta(hours=30),
        by=Role.STUDENT,
    )
    assert quote.share == Decimal("0.5")
    assert [str(line.amount) for line in quote.lines] == ["350.00 INR", "100.00 INR"]
    assert quote.amount == Money.of("450.00", "INR")
    line = quote.lines[0].breakdown
    assert line is not None
    assert line.platform + line.teacher + line.gateway_fee == line.amount
    assert quote.fee_kept == sum(
        (ln.breakdown.gateway_fee for ln in quote.lines if ln.breakdown),
        Money.zero("INR"),
    )
    # a quote changes nothing
    assert first.refunded.is_zero()


def test_quote_rounding_and_refusals() -> None:
    payment = capture(Journal("INR"), gross="0.05", fee=None)
    start = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    half = CancellationPolicy(
        student_no_show_share=Decimal("0.5"), rounding=decimal.ROUND_DOWN
    )
    quote = refund_quote(
        half,
        starts_at=start,
        payments=[payment],
        now=start,
        by=Role.STUDENT,
        reason=CancellationReason.NO_SHOW,
    )
    assert quote.amount == Money(2, "INR")
    with pytest.raises(InvalidValueError):
        refund_quote(half, starts_at=start, payments=[], now=start, by=Role.TEACHER)
    usd_split = split_payment(Money(1000, "USD"))
    usd = capture_payment(
        payment_id="u", teacher_id="m1", split=usd_split, actor=SYSTEM, now=NOW
    ).state
    with pytest.raises(CurrencyMismatchError):
        refund_quote(
            half, starts_at=start, payments=[payment, usd], now=start, by=Role.TEACHER
        )
    with pytest.raises(NaiveDatetimeError):
        refund_quote(
            half,
            starts_at=datetime(2026, 6, 1),
            payments=[payment],
            now=start,
            by=Role.TEACHER,
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda: RefundTier(hours_before=-1, share=Decimal(1)),
        lambda: RefundTier(hours_before=1, share=Decimal("1.01")),
        lambda: RefundTier(hours_before=1, share=0.5),
        lambda: CancellationPolicy(
            student_tiers=(
                RefundTier(hours_before=1, share=1),
                RefundTier(hours_before=1, share=0),
            )
        ),
        lambda: CancellationPolicy(student_tiers=("24h",)),  # type: ignore[arg-type]
        lambda: CancellationPolicy(rounding="down"),
        lambda: RefundPolicy(fee_loss_bearer="student"),
    ],
)
def test_invalid_refund_policies(make: object) -> None:
    with pytest.raises(ValueError, match=r"."):
        make()  # type: ignore[operator]
