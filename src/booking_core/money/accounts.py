"""Ledger accounts and transfers: the vocabulary and the posting rules.

:mod:`booking_core.money.ledger` builds the journal and the wallet view on these;
every name here is importable from there too.

**Accounts** are strings ``"<kind>"`` or ``"<kind>:<owner>"``
(:func:`account_id`), one :class:`AccountKind` each. Escrow, wallet and held
accounts may never go below zero. A ``receivable:<teacher>`` account is the
one per-teacher account that may: its balance is minus what the teacher owes
the platform (a loss policy put on the teacher that their wallet could not
cover, :class:`~booking_core.money.losses.UncoveredLoss`), settled from the
teacher's future earnings; it never goes above zero.

**Posting** (:func:`plan_posting`) is decided here once for every journal:
replays, key reuse, currencies, non-negative accounts.

Example:
    >>> account_id(AccountKind.RECEIVABLE, "m1")
    'receivable:m1'
    >>> AccountKind.RECEIVABLE.may_go_negative, AccountKind.WALLET.may_go_negative
    (True, False)
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import utc_instant, valid_key
from booking_core.errors import (
    CurrencyMismatchError,
    IdempotencyKeyReuseError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidValueError,
)
from booking_core.money.amount import Money
from booking_core.money.currency import get_currency

__all__ = [
    "AccountKind",
    "LedgerAccount",
    "LedgerEntry",
    "PostingPlan",
    "Transfer",
    "TransferKind",
    "account_id",
    "parse_account",
    "plan_posting",
]


@final
class AccountKind(str, enum.Enum):
    """The kinds of ledger account; per-teacher kinds take the teacher as owner."""

    PAYMENTS = "payments"
    ESCROW = "escrow"
    WALLET = "wallet"
    HELD = "held"
    PAYOUTS = "payouts"
    PLATFORM_REVENUE = "platform_revenue"
    GATEWAY_FEES = "gateway_fees"
    GATEWAY_TAX = "gateway_tax"
    FEE_LOSS = "fee_loss"
    REFUNDS = "refunds"
    RECEIVABLE = "receivable"
    UNCOVERED_LOSS = "uncovered_loss"

    @property
    def per_teacher(self) -> bool:
        """Whether each teacher has their own account of this kind."""
        return self in _PER_TEACHER

    @property
    def may_go_negative(self) -> bool:
        """Whether the balance may fall below zero.

        False for escrow, wallet and held; a receivable is a debt (negative).
        """
        return self not in _NON_NEGATIVE


_NON_NEGATIVE = frozenset({AccountKind.ESCROW, AccountKind.WALLET, AccountKind.HELD})
_PER_TEACHER = _NON_NEGATIVE | {AccountKind.RECEIVABLE}


def account_id(kind: AccountKind | str, owner: str | None = None) -> str:
    """The id of an account: ``"platform_revenue"``, ``"escrow:m1"``.

    Args:
        kind: The account kind.
        owner: The teacher, required for per-teacher kinds and refused otherwise.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an unknown kind, a missing
            owner of a per-teacher kind or an owner on a platform-wide kind.

    Example:
        >>> account_id(AccountKind.WALLET, "m-7"), account_id("refunds")
        ('wallet:m-7', 'refunds')
    """
    try:
        found = AccountKind(kind)
    except ValueError:
        raise InvalidValueError(
            field="kind",
            reason=f"must be one of {', '.join(k.value for k in AccountKind)}",
            value=kind,
        ) from None
    if found.per_teacher:
        if not isinstance(owner, str) or not owner.strip():
            raise InvalidValueError(
                field="owner",
                reason=f"{found.value} accounts need a teacher",
                value=owner,
            )
        return f"{found.value}:{owner}"
    if owner is not None:
        raise InvalidValueError(
            field="owner", reason=f"{found.value} is one account for all", value=owner
        )
    return found.value


def parse_account(account: str) -> tuple[AccountKind, str | None]:
    """Split an account id into its kind and owner: ``("escrow", "m1")``.

    Raises:
        InvalidValueError: ``input.invalid_value`` when it is not a valid id.

    Example:
        >>> parse_account("held:m1")
        (<AccountKind.HELD: 'held'>, 'm1')
    """
    if not isinstance(account, str):
        raise InvalidValueError(field="account", reason="must be a str", value=account)
    kind, sep, owner = account.partition(":")
    account_id(kind, owner if sep else None)  # validates
    return AccountKind(kind), (owner if sep else None)


@final
class TransferKind(str, enum.Enum):
    """Why money moved; recorded on every transfer."""

    CAPTURE_PLATFORM = "capture_platform"
    CAPTURE_GATEWAY_FEE = "capture_gateway_fee"
    CAPTURE_GATEWAY_TAX = "capture_gateway_tax"
    CAPTURE_TEACHER = "capture_teacher"
    ESCROW_RELEASE = "escrow_release"
    REFUND_PLATFORM = "refund_platform"
    REFUND_TEACHER = "refund_teacher"
    REFUND_FEE_LOSS = "refund_fee_loss"
    PAYOUT_HOLD = "payout_hold"
    PAYOUT = "payout"
    PAYOUT_RETURN = "payout_return"
    ADJUSTMENT = "adjustment"
    REFUND_UNCOVERED = "refund_uncovered"
    RECEIVABLE_SETTLED = "receivable_settled"


def _account(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    try:
        parse_account(value)
    except InvalidValueError:
        raise InvalidValueError(
            field=attribute.name,
            reason="must be an account id such as 'escrow:m1' or 'refunds'",
            value=value,
        ) from None


def _positive_minor(
    instance: object, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidAmountError(
            field=attribute.name,
            reason="must be a whole number of minor units above 0",
            value=value,
        )


def _currency_code(value: object) -> str:
    return get_currency(value).code  # type: ignore[arg-type]


def _optional_instant(value: datetime | None) -> datetime | None:
    return None if value is None else utc_instant(value, "at")


@final
@attrs.frozen(kw_only=True, repr=False)
class Transfer:
    """One balanced movement: ``amount`` leaves ``debit`` and arrives in ``credit``.

    Equality is the transfer's *content*: every field but ``at``.

    Attributes:
        key: The idempotency key, unique in a journal.
        debit: The account the money leaves.
        credit: The account the money arrives in (not the debit account).
        amount: Minor units, above zero.
        currency: ISO 4217 code (a :class:`~booking_core.money.Currency` or any
            letter case is converted).
        kind: Why the money moved.
        reference: What it belongs to, e.g. the payment id (may be empty).
        at: When it was decided (aware, stored in UTC), or ``None``; not content.
    """

    __repr__ = fields_repr

    key: str = attrs.field(validator=valid_key)
    debit: str = attrs.field(validator=_account)
    credit: str = attrs.field(validator=_account)
    amount: int = attrs.field(validator=_positive_minor)
    currency: str = attrs.field(converter=_currency_code)
    kind: TransferKind = attrs.field(converter=TransferKind)
    reference: str = ""
    at: datetime | None = attrs.field(
        default=None, converter=_optional_instant, eq=False
    )

    def __attrs_post_init__(self) -> None:
        if self.debit == self.credit:
            raise InvalidValueError(
                field="credit",
                reason="must differ from the debit account",
                value=self.credit,
            )

    @property
    def money(self) -> Money:
        """The amount as :class:`~booking_core.money.Money`."""
        return Money(self.amount, self.currency)


def _fmt(amount: int, currency: str) -> str:
    return str(Money(amount, currency))


def _replay(transfer: Transfer, prior: Transfer) -> Transfer:
    if prior == transfer:
        return prior
    raise IdempotencyKeyReuseError(key=transfer.key, existing=prior, requested=transfer)


def _refuse(
    account: str, balance: int, amount: int, currency: str
) -> InsufficientFundsError:
    return InsufficientFundsError(
        account=account,
        balance=_fmt(balance, currency),
        amount=_fmt(amount, currency),
        kind=parse_account(account)[0].value,
    )


@final
@attrs.frozen(kw_only=True, repr=False)
class PostingPlan:
    """What posting a batch of transfers does, decided before anything is stored.

    Made by :func:`plan_posting`; a journal applies ``new`` and ``balances``
    together (all or nothing) and returns ``results``.

    Attributes:
        results: For each transfer asked for, the one posted (the original for
            a replay), in order.
        new: The transfers to append, in order (replays left out).
        balances: ``(account, balance after)`` for every account ``new`` touches,
            in first-touched order.
    """

    __repr__ = fields_repr

    results: tuple[Transfer, ...]
    new: tuple[Transfer, ...]
    balances: tuple[tuple[str, int], ...]


def plan_posting(
    transfers: Iterable[Transfer],
    *,
    currency: str,
    posted: Callable[[str], Transfer | None],
    balance: Callable[[str], int],
) -> PostingPlan:
    """Decide a linked (all or nothing) posting: the ledger's rules in one place.

    Every journal, in memory or in a database, posts through these rules: a key
    already posted with the same content is a replay (no-op returning the
    original), with other content it is refused; a transfer in another currency
    is refused; an escrow, wallet or held account may not go below zero at any
    step. A key repeated inside the batch follows the same rules.

    Args:
        transfers: The batch, in posting order.
        currency: The journal's currency code.
        posted: The transfer stored under a key, or ``None`` (the idempotency
            lookup).
        balance: An account's stored balance (0 when unused).

    Returns:
        The plan; nothing is changed by making it.

    Raises:
        IdempotencyKeyReuseError: ``money.idempotency_key_reused``.
        CurrencyMismatchError: ``money.currency_mismatch``.
        InsufficientFundsError: ``money.insufficient_funds``.

    Example:
        >>> t = Transfer(key="k", debit="payments", credit="escrow:m1",
        ...              amount=5, currency="INR", kind="capture_teacher")
        >>> plan = plan_posting([t, t], currency="INR",
        ...                     posted=lambda key: None, balance=lambda a: 0)
        >>> len(plan.new), plan.balances
        (1, (('payments', -5), ('escrow:m1', 5)))
    """
    staged: dict[str, Transfer] = {}
    overlay: dict[str, int] = {}
    result = []
    for transfer in transfers:
        prior = staged.get(transfer.key) or posted(transfer.key)
        if prior is not None:
            result.append(_replay(transfer, prior))
            continue
        if transfer.currency != currency:
            raise CurrencyMismatchError(
                action="post", left=transfer.money, right=f"a {currency} journal"
            )
        debit = transfer.debit
        before = overlay[debit] if debit in overlay else balance(debit)
        after = before - transfer.amount
        if after < 0 and not parse_account(debit)[0].may_go_negative:
            raise _refuse(debit, before, transfer.amount, currency)
        overlay[debit] = after
        credit = transfer.credit
        overlay[credit] = (
            overlay[credit] if credit in overlay else balance(credit)
        ) + transfer.amount
        staged[transfer.key] = transfer
        result.append(transfer)
    return PostingPlan(
        results=tuple(result),
        new=tuple(staged.values()),
        balances=tuple(overlay.items()),
    )


@final
@attrs.frozen(kw_only=True, repr=False)
class LedgerEntry:
    """A posted transfer as a database journal stores it (one per key).

    Attributes:
        id: ``"<currency>/<key>"``: unique per journal, so a second post of the
            key is caught by the store's duplicate-id check.
        transfer: The transfer.
        debit_seq: Its position in the debit account's history (1 = first).
        credit_seq: Its position in the credit account's history.
        version: The stored version (the repository's business).
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=valid_key)
    transfer: Transfer
    debit_seq: int
    credit_seq: int
    version: int = 0

    def seq(self, account: str) -> int:
        """The entry's position in ``account``'s history."""
        return self.debit_seq if account == self.transfer.debit else self.credit_seq


@final
@attrs.frozen(kw_only=True, repr=False)
class LedgerAccount:
    """One account's running balance as a database journal stores it.

    Saved by compare-and-set with every entry that touches the account, in the
    same transaction, so concurrent postings never lose an update and the
    balance always equals the sum of the account's history.

    Attributes:
        id: ``"<currency>/<account>"``.
        currency: The journal's currency code.
        account: The account id, e.g. ``"escrow:m1"``.
        balance: Credits minus debits, in minor units.
        entries: How many entries touched it (the last history position).
        version: The stored version (the repository's business).
    """

    __repr__ = fields_repr

    id: str = attrs.field(validator=valid_key)
    currency: str
    account: str
    balance: int = 0
    entries: int = 0
    version: int = 0
