"""Withdrawals: bank accounts, the amount policy, and a payout's life in the ledger.

A teacher withdraws from their available wallet in two phases. On request the
amount is *held*: ``wallet:<teacher>`` -> ``held:<teacher>`` (the ledger refuses it
when the wallet cannot cover it). Then one payout is created at the gateway
(the withdrawal id is its idempotency key, so retries never pay twice) and the
gateway's reports move it on:

* processed: posted, ``held:<teacher>`` -> ``payouts``;
* failed, rejected, cancelled: voided, ``held:<teacher>`` -> ``wallet:<teacher>``;
* reversed (rarely, after processed): a new reversing entry
  ``payouts`` -> ``wallet:<teacher>``; nothing is deleted.

Reports may arrive late, twice or out of order: :func:`apply_payout_status`
ignores any report that does not move the status forward
(:meth:`~booking_core.money.gateway.PayoutStatus.may_become`).

Example:
    >>> from datetime import datetime, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.money import Money
    >>> account = BankAccount.create(holder_name="Asha Rao",
    ...     account_number="0012 3456 7890", ifsc="hdfc0001234")
    >>> account.ifsc, account.account_number
    ('HDFC0001234', '001234567890')
    >>> now = datetime(2026, 3, 29, 9, tzinfo=timezone.utc)
    >>> asked = request_withdrawal(withdrawal_id="w1", teacher_id="m1",
    ...     amount=Money.of("500.00", "INR"), bank_account=account,
    ...     policy=WithdrawalPolicy(), actor=Actor.system(), now=now)
    >>> [(t.debit, t.credit) for t in asked.events[0].transfers]
    [('wallet:m1', 'held:m1')]
    >>> done = apply_payout_status(asked.state, PayoutStatus.PROCESSED,
    ...                            actor=Actor.system(), now=now)
    >>> done.state.status, [(t.debit, t.credit) for t in done.events[0].transfers]
    (<WithdrawalStatus.PAID: 'paid'>, [('held:m1', 'payouts')])
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from datetime import datetime
from typing import final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import identifier, utc_instant
from booking_core.actors import Actor
from booking_core.errors import (
    CurrencyMismatchError,
    InvalidAmountError,
    InvalidBankAccountError,
    WithdrawalAmountError,
)
from booking_core.events import Decision, DomainEvent
from booking_core.money.amount import Money
from booking_core.money.gateway import PayoutStatus
from booking_core.money.ledger import AccountKind, Transfer, TransferKind, account_id

__all__ = [
    "BankAccount",
    "Withdrawal",
    "WithdrawalPolicy",
    "WithdrawalRequested",
    "WithdrawalStatus",
    "WithdrawalStatusChanged",
    "apply_payout_status",
    "mask_account_number",
    "record_payout",
    "request_withdrawal",
]

_ACCOUNT_NUMBER = re.compile(r"[0-9]{9,18}")
_IFSC = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")


_IFSC_REASON = "must be 4 letters, a 0, then 6 letters or digits (e.g. HDFC0001234)"


def mask_account_number(value: object) -> str:
    """``value`` as it may be shown: all but the last four characters as ``X``.

    Spaces are dropped first. Four characters or fewer are masked entirely,
    and a value that is not a string or an integer shows as its type only, so
    no message, detail or log line ever carries a whole account number.

    Example:
        >>> mask_account_number("0012 3456 7890")
        'XXXXXXXX7890'
        >>> mask_account_number("1234"), mask_account_number(None)
        ('XXXX', '<NoneType>')
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return f"<{type(value).__name__}>"
    text = "".join(str(value).split())
    if len(text) <= 4:
        return "X" * len(text)
    return "X" * (len(text) - 4) + text[-4:]


def _holder(value: object) -> tuple[str, str | None]:
    name = " ".join(value.split()) if isinstance(value, str) else ""
    if not name:
        return name, "must be a non-empty name"
    if len(name) > 120:
        return name, "must be at most 120 characters"
    return name, None


def _account_number(value: object) -> tuple[str, str | None]:
    digits = "".join(value.split()) if isinstance(value, str) else ""
    if not _ACCOUNT_NUMBER.fullmatch(digits):
        return digits, "must be 9 to 18 digits (spaces are ignored)"
    return digits, None


def _ifsc(value: object) -> tuple[str, str | None]:
    code = value.strip().upper() if isinstance(value, str) else ""
    return code, None if _IFSC.fullmatch(code) else _IFSC_REASON


def _shown(field: str, value: object) -> str:
    if field == "account_number":
        return mask_account_number(value)
    if isinstance(value, str):
        return value if len(value) <= 40 else value[:40] + "..."
    return f"<{type(value).__name__}>"


_CHECKS = (
    ("holder_name", _holder),
    ("account_number", _account_number),
    ("ifsc", _ifsc),
)


def _masked_repr(value: str) -> str:
    return repr(mask_account_number(value))


@final
@attrs.frozen(kw_only=True, repr=False)
class BankAccount:
    """Where a payout goes: holder, account number and IFSC, normalised.

    Every field is checked before the error is raised, so one
    :class:`~booking_core.errors.InvalidBankAccountError` names all the invalid
    ones; the account number only ever appears masked (last four digits) in
    errors and in ``repr``.

    Attributes:
        holder_name: The account holder (spaces collapsed), 1-120 characters.
        account_number: 9 to 18 digits (spaces removed).
        ifsc: ``^[A-Z]{4}0[A-Z0-9]{6}$``, upper-cased.

    Raises:
        InvalidBankAccountError: ``payments.invalid_bank_account`` naming
            every field that is wrong (``details["fields"]``).

    Example:
        >>> BankAccount(holder_name="Asha Rao", account_number="001234567890",
        ...             ifsc="HDFC0001234")
        BankAccount(holder_name='Asha Rao', account_number='XXXXXXXX7890', \
ifsc='HDFC0001234')
    """

    __repr__ = fields_repr

    holder_name: str
    account_number: str = attrs.field(repr=_masked_repr)
    ifsc: str

    def __attrs_post_init__(self) -> None:
        problems: list[tuple[str, str, str]] = []
        for field, check in _CHECKS:
            given = getattr(self, field)
            normal, reason = check(given)
            if reason is not None:
                problems.append((field, reason, _shown(field, given)))
            object.__setattr__(self, field, normal)
        if problems:
            raise InvalidBankAccountError(problems=problems)

    @classmethod
    def create(
        cls,
        *,
        holder_name: str,
        account_number: str,
        ifsc: str,
        ifsc_exists: Callable[[str], bool] | None = None,
    ) -> BankAccount:
        """Validate and normalise; optionally ask the host whether the IFSC exists.

        Args:
            holder_name: The holder's name.
            account_number: The account number.
            ifsc: The branch's IFSC.
            ifsc_exists: A host hook (e.g. a bank directory lookup) called with
                the normalised IFSC, only when every field is well formed.

        Raises:
            InvalidBankAccountError: ``payments.invalid_bank_account`` naming
                every invalid field, or ``ifsc`` when ``ifsc_exists`` says no.
        """
        account = cls(holder_name=holder_name, account_number=account_number, ifsc=ifsc)
        if ifsc_exists is not None and not ifsc_exists(account.ifsc):
            raise InvalidBankAccountError(
                problems=[("ifsc", "is not the IFSC of any bank branch", account.ifsc)]
            )
        return account

    @property
    def masked(self) -> str:
        """The account number with all but the last four digits hidden."""
        return mask_account_number(self.account_number)


def _requested_at(value: datetime) -> datetime:
    return utc_instant(value, "requested_at")


def _positive_money(value: object) -> Money:
    if not isinstance(value, Money) or value.amount <= 0:
        raise WithdrawalAmountError(amount=value, minimum="above 0", maximum="-")
    return value


@final
@attrs.frozen(kw_only=True, repr=False)
class WithdrawalPolicy:
    """How much one withdrawal may be.

    Attributes:
        minimum: The smallest withdrawal (default 100.00 INR).
        maximum: The largest withdrawal (default 100000.00 INR).
    """

    __repr__ = fields_repr

    minimum: Money = attrs.field(
        default=Money.of("100.00", "INR"), converter=_positive_money
    )
    maximum: Money = attrs.field(
        default=Money.of("100000.00", "INR"), converter=_positive_money
    )

    def check(self, amount: Money) -> None:
        """Refuse ``amount`` outside the policy.

        Raises:
            CurrencyMismatchError: ``money.currency_mismatch``.
            WithdrawalAmountError: ``payments.withdrawal_amount``.
            InvalidAmountError: ``money.invalid_amount`` when ``amount`` is not
                Money.
        """
        if not isinstance(amount, Money):
            raise InvalidAmountError(
                field="amount", reason="must be Money", value=amount
            )
        if amount.currency is not self.minimum.currency:
            raise CurrencyMismatchError(
                action="withdraw", left=amount, right=self.minimum
            )
        if not self.minimum <= amount <= self.maximum:
            raise WithdrawalAmountError(
                amount=amount, minimum=self.minimum, maximum=self.maximum
            )


@final
class WithdrawalStatus(str, enum.Enum):
    """Where a withdrawal stands in the ledger.

    ``held`` (reserved, payout not created or not settled), ``paid``
    (processed), ``voided`` (failed / rejected / cancelled: returned to the
    wallet), ``reversed`` (paid, then returned by the bank).
    """

    HELD = "held"
    PAID = "paid"
    VOIDED = "voided"
    REVERSED = "reversed"


@final
@attrs.frozen(kw_only=True, repr=False)
class Withdrawal:
    """One withdrawal and its single payout.

    Attributes:
        id: The withdrawal id; also the payout's idempotency key and reference.
        teacher_id: Whose wallet it comes from.
        amount: How much.
        bank_account: Where it goes.
        requested_at: When it was requested (aware, UTC).
        status: Held, paid, voided or reversed.
        payout_id: The gateway payout, once created.
        payout_status: The last payout status applied (``None`` before creation).
        version: The stored version (the repository's business).
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=identifier)
    teacher_id: str = attrs.field(validator=identifier)
    amount: Money
    bank_account: BankAccount
    requested_at: datetime = attrs.field(converter=_requested_at)
    status: WithdrawalStatus = WithdrawalStatus.HELD
    payout_id: str | None = None
    payout_status: PayoutStatus | None = None
    version: int = 0


@final
@attrs.frozen(kw_only=True, repr=False)
class WithdrawalRequested(DomainEvent):
    """A withdrawal was requested and its amount held from the available wallet.

    Attributes:
        teacher_id: The teacher.
        amount: The amount held.
        transfers: The hold to post.
    """

    __repr__ = fields_repr

    teacher_id: str
    amount: Money
    transfers: tuple[Transfer, ...]


@final
@attrs.frozen(kw_only=True, repr=False)
class WithdrawalStatusChanged(DomainEvent):
    """The payout of a withdrawal moved on.

    Attributes:
        payout_status: The gateway status applied.
        status: The withdrawal's new status.
        transfers: What to post (none while in flight).
    """

    __repr__ = fields_repr

    payout_status: PayoutStatus
    status: WithdrawalStatus
    transfers: tuple[Transfer, ...]


def request_withdrawal(
    *,
    withdrawal_id: str,
    teacher_id: str,
    amount: Money,
    bank_account: BankAccount,
    policy: WithdrawalPolicy,
    actor: Actor,
    now: datetime,
) -> Decision[Withdrawal]:
    """Request a withdrawal: the amount is held from the teacher's available wallet.

    Post the event's transfer; the ledger refuses it with
    :class:`~booking_core.errors.InsufficientFundsError` when the wallet cannot
    cover it (then do not save the withdrawal).

    Raises:
        WithdrawalAmountError: ``payments.withdrawal_amount``.
        CurrencyMismatchError: ``money.currency_mismatch``.
    """
    policy.check(amount)
    withdrawal = Withdrawal(
        id=withdrawal_id,
        teacher_id=teacher_id,
        amount=amount,
        bank_account=bank_account,
        requested_at=now,
    )
    hold = _transfer(withdrawal, "hold", AccountKind.WALLET, AccountKind.HELD, now)
    event = WithdrawalRequested(
        occurred_at=now,
        actor=actor,
        aggregate_id=withdrawal_id,
        teacher_id=teacher_id,
        amount=amount,
        transfers=(hold,),
    )
    return Decision(state=withdrawal, events=(event,))


def _transfer(
    withdrawal: Withdrawal,
    step: str,
    debit: AccountKind,
    credit: AccountKind,
    now: datetime,
) -> Transfer:
    kinds = {
        "hold": TransferKind.PAYOUT_HOLD,
        "payout": TransferKind.PAYOUT,
        "void": TransferKind.PAYOUT_RETURN,
        "reversal": TransferKind.PAYOUT_RETURN,
    }
    teacher = withdrawal.teacher_id

    def account(kind: AccountKind) -> str:
        return account_id(kind, teacher) if kind.per_teacher else kind.value

    return Transfer(
        key=f"withdrawal/{withdrawal.id}/{step}",
        debit=account(debit),
        credit=account(credit),
        amount=withdrawal.amount.amount,
        currency=withdrawal.amount.currency,
        kind=kinds[step],
        reference=withdrawal.id,
        at=now,
    )


def record_payout(withdrawal: Withdrawal, payout_id: str) -> Withdrawal:
    """The withdrawal with its (single) gateway payout id recorded."""
    return attrs.evolve(withdrawal, payout_id=payout_id)


def apply_payout_status(
    withdrawal: Withdrawal, status: PayoutStatus, *, actor: Actor, now: datetime
) -> Decision[Withdrawal]:
    """Apply a payout status the gateway reported (webhook or polling).

    A report that does not move the status forward (late, repeated, out of
    order) changes nothing and yields no event.

    Returns:
        The withdrawal and a :class:`WithdrawalStatusChanged` whose transfers
        post the payout (processed), void the hold (failed / rejected /
        cancelled) or reverse a paid payout (reversed; a reversal reported
        without the processed before it posts both).
    """
    new = PayoutStatus(status)
    old = withdrawal.payout_status or PayoutStatus.PENDING
    first = withdrawal.payout_status is None
    if not (first or old.may_become(new)):
        return Decision(state=withdrawal, events=())
    wallet, held, payouts = AccountKind.WALLET, AccountKind.HELD, AccountKind.PAYOUTS
    transfers: tuple[Transfer, ...] = ()
    state = WithdrawalStatus.HELD
    if new.voided:
        state = WithdrawalStatus.VOIDED
        transfers = (_transfer(withdrawal, "void", held, wallet, now),)
    elif new is PayoutStatus.PROCESSED:
        state = WithdrawalStatus.PAID
        transfers = (_transfer(withdrawal, "payout", held, payouts, now),)
    elif new is PayoutStatus.REVERSED:
        state = WithdrawalStatus.REVERSED
        transfers = (
            _transfer(withdrawal, "payout", held, payouts, now),
            _transfer(withdrawal, "reversal", payouts, wallet, now),
        )[1 if old is PayoutStatus.PROCESSED else 0 :]
    event = WithdrawalStatusChanged(
        occurred_at=now,
        actor=actor,
        aggregate_id=withdrawal.id,
        payout_status=new,
        status=state,
        transfers=transfers,
    )
    return Decision(
        state=attrs.evolve(withdrawal, payout_status=new, status=state),
        events=(event,),
    )
