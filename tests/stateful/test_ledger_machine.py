"""A state machine over payments, escrow releases, refunds and replays.

The journal runs beside a naive model (the list of transfers that should have
posted, summed from scratch) and the payments' own records; after every step the
ledger must balance to zero, match the model, keep every escrow, wallet and held
account at or above zero, never refund more than was captured, and replays must
change nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from booking_core.actors import Actor
from booking_core.errors import (
    AmountTooSmallForFeesError,
    IdempotencyKeyReuseError,
    InsufficientFundsError,
    InvalidTransitionError,
    RefundExceedsCaptureError,
)
from booking_core.events import Decision
from booking_core.money import FeeBearer, GatewayFee, Money, SplitPolicy, split_payment
from booking_core.money.ledger import Journal, Transfer, parse_account
from booking_core.money.payments import CapturedPayment, capture_payment, release_escrow
from booking_core.money.refunds import RefundPolicy, refund_payment

NOW = datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)  # inside the London fold
SYSTEM = Actor.system()
TEACHERS = ("m1", "m2", "m3")


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.journal = Journal("INR")
        self.payments: dict[str, CapturedPayment] = {}
        self.batches: list[tuple[Transfer, ...]] = []
        self.model: list[Transfer] = []
        self.count = 0

    def _snapshot(self) -> tuple[object, ...]:
        return (self.journal.balances(), len(self.journal))

    def _post(self, decision: Decision[CapturedPayment]) -> bool:
        transfers: tuple[Transfer, ...] = decision.events[0].transfers  # type: ignore[attr-defined]
        before = self._snapshot()
        try:
            self.journal.post_linked(transfers)
        except InsufficientFundsError:
            assert self._snapshot() == before
            return False
        self.model.extend(transfers)
        if transfers:
            self.batches.append(transfers)
        return True

    def _pick(self, data: st.DataObject) -> CapturedPayment:
        return self.payments[data.draw(st.sampled_from(sorted(self.payments)))]

    @rule(
        teacher=st.sampled_from(TEACHERS),
        gross=st.integers(min_value=1, max_value=10**7),
        bearer=st.sampled_from(list(FeeBearer)),
        reported_fee=st.none() | st.integers(min_value=0, max_value=5000),
    )
    def capture(
        self, teacher: str, gross: int, bearer: FeeBearer, reported_fee: int | None
    ) -> None:
        fee = None
        if reported_fee is not None:
            tax = reported_fee * 18 // 118
            fee = GatewayFee(fee=Money(reported_fee, "INR"), tax=Money(tax, "INR"))
        try:
            split = split_payment(
                Money(gross, "INR"), SplitPolicy(fee_bearer=bearer), fee
            )
        except AmountTooSmallForFeesError:
            return
        self.count += 1
        decision = capture_payment(
            payment_id=f"pay_{self.count}",
            teacher_id=teacher,
            split=split,
            actor=SYSTEM,
            now=NOW,
        )
        assert self._post(decision)
        self.payments[decision.state.id] = decision.state

    @precondition(lambda self: self.payments)
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        payment = self._pick(data)
        if payment.released:
            with pytest.raises(InvalidTransitionError):
                release_escrow(payment, actor=SYSTEM, now=NOW)
            return
        decision = release_escrow(payment, actor=SYSTEM, now=NOW)
        assert self._post(decision)
        self.payments[payment.id] = decision.state

    @precondition(lambda self: self.payments)
    @rule(data=st.data(), bearer=st.sampled_from(list(FeeBearer)))
    def refund(self, data: st.DataObject, bearer: FeeBearer) -> None:
        payment = self._pick(data)
        amount = data.draw(
            st.integers(min_value=1, max_value=payment.captured.amount + 5)
        )
        money = Money(amount, "INR")
        policy = RefundPolicy(fee_loss_bearer=bearer)
        if amount > payment.refundable.amount:
            with pytest.raises(RefundExceedsCaptureError):
                refund_payment(payment, money, policy=policy, actor=SYSTEM, now=NOW)
            return
        decision = refund_payment(payment, money, policy=policy, actor=SYSTEM, now=NOW)
        if self._post(decision):
            self.payments[payment.id] = decision.state
            return
        # refused: only because a teacher account it debits holds too little
        # (a released share or a teacher-borne fee loss comes from the wallet,
        # which earlier refunds may have drained)
        transfers: tuple[Transfer, ...] = decision.events[0].transfers  # type: ignore[attr-defined]
        needed: dict[str, int] = defaultdict(int)
        for transfer in transfers:
            needed[transfer.debit] += transfer.amount
        assert any(
            parse_account(account)[0].per_teacher
            and self.journal.balance(account) < amount_needed
            for account, amount_needed in needed.items()
        )

    @precondition(lambda self: self.batches)
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        batch = data.draw(st.sampled_from(self.batches))
        before = self._snapshot()
        again = tuple(attrs.evolve(t) for t in batch)  # equal content, new objects
        result = self.journal.post_linked(again)
        assert all(
            r is self.journal.get(t.key) for r, t in zip(result, batch, strict=True)
        )
        assert self.journal.post(again[0]) is self.journal.get(batch[0].key)
        assert self._snapshot() == before

    @precondition(lambda self: self.batches)
    @rule(data=st.data())
    def conflicting_replay(self, data: st.DataObject) -> None:
        batch = data.draw(st.sampled_from(self.batches))
        changed = attrs.evolve(batch[-1], amount=batch[-1].amount + 1)
        before = self._snapshot()
        with pytest.raises(IdempotencyKeyReuseError):
            self.journal.post_linked([*batch[:-1], changed])
        assert self._snapshot() == before

    @invariant()
    def ledger_matches_the_naive_model(self) -> None:
        naive: dict[str, int] = defaultdict(int)
        for transfer in self.model:
            naive[transfer.debit] -= transfer.amount
            naive[transfer.credit] += transfer.amount
        balances = self.journal.balances()
        assert balances == dict(naive)
        assert sum(balances.values()) == 0
        assert len(self.journal) == len(self.model)

    @invariant()
    def teacher_accounts_never_negative(self) -> None:
        for account, balance in self.journal.balances().items():
            if parse_account(account)[0].per_teacher:
                assert balance >= 0, account

    @invariant()
    def refunds_never_exceed_captures(self) -> None:
        captured = sum(p.captured.amount for p in self.payments.values())
        refunded = sum(p.refunded.amount for p in self.payments.values())
        for payment in self.payments.values():
            assert 0 <= payment.refunded.amount <= payment.captured.amount
            assert all(part >= 0 for part in payment.remaining_parts())
        assert self.journal.balance("payments") == -captured
        assert self.journal.balance("refunds") == refunded

    @invariant()
    def escrow_matches_unreleased_shares(self) -> None:
        for teacher in TEACHERS:
            waiting = sum(
                p.in_escrow.amount
                for p in self.payments.values()
                if p.teacher_id == teacher
            )
            assert self.journal.balance(f"escrow:{teacher}") == waiting


LedgerMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None
)
TestLedgerMachine = LedgerMachine.TestCase
