"""The double-entry ledger: accounts, idempotent transfers, the journal, wallets.

Every movement of money is a :class:`Transfer` of a positive amount from one
account (debited) to another (credited). An account's balance is derived from the
transfers: credits minus debits. Because every transfer debits and credits the
same amount, the balances of all accounts always sum to zero.

**Accounts** are strings ``"<kind>"`` or ``"<kind>:<owner>"``
(:func:`account_id`): ``payments`` (what students paid in: it goes negative as
money enters), ``escrow:<teacher>``, ``wallet:<teacher>`` (available),
``held:<teacher>`` (a withdrawal in flight), ``payouts``, ``platform_revenue``,
``gateway_fees``, ``gateway_tax``, ``fee_loss`` (fees the gateway kept on
refunds, when the platform absorbs them) and ``refunds``. Escrow, wallet and held
accounts may never go below zero; a transfer that would take one there is refused
with :class:`~booking_core.errors.InsufficientFundsError`.

**Idempotency.** Each transfer has a key. Posting a key again with the same
content (accounts, amount, currency, kind, reference; not the timestamp) is a
no-op that returns the original; the same key with different content raises
:class:`~booking_core.errors.IdempotencyKeyReuseError`.

**The journal.** :class:`Journal` is the one mutable object of the money package:
an append-only record owned by a repository or service, the in-memory reference
implementation of :class:`~booking_core.ports.LedgerJournal`. Every decision
about money (splits, which transfers a capture, release or refund makes) is a
pure function returning frozen transfers; the journal only checks and appends
them. It keeps each account's balance up to date as transfers post, a set of
keys for idempotency and an append-only log; the key index and per-account
histories are built from the log when first read. Posting is O(1) and reading a
balance is a dict lookup: a million transfers post in about three times the time
of summing them into a dict (``benchmarks/money.py``). Linked transfers
(:meth:`Journal.post_linked`) post all or nothing. A journal holds one currency;
a host with several currencies keeps one journal per currency.

Example:
    >>> from booking_core.money.ledger import Journal, Transfer, TransferKind
    >>> journal = Journal("INR")
    >>> pay = Transfer(key="p1/capture/teacher", debit="payments",
    ...                credit="escrow:m1", amount=61348, currency="INR",
    ...                kind=TransferKind.CAPTURE_TEACHER, reference="p1")
    >>> journal.post(pay) is pay
    True
    >>> journal.post(pay) is pay  # replay: a no-op returning the original
    True
    >>> journal.balance("escrow:m1"), journal.balance("payments")
    (61348, -61348)
    >>> journal.post(Transfer(key="x", debit="wallet:m1", credit="payouts",
    ...                       amount=1, currency="INR", kind=TransferKind.PAYOUT))
    Traceback (most recent call last):
    ...
    booking_core.errors.InsufficientFundsError: account 'wallet:m1' holds 0.00 INR \
but 0.01 INR is needed; wallet accounts may not go below zero
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol, final

import attrs

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
    "Journal",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerView",
    "PostingPlan",
    "TeacherWallet",
    "Transfer",
    "TransferKind",
    "account_id",
    "parse_account",
    "plan_posting",
    "teacher_wallet",
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

    @property
    def per_teacher(self) -> bool:
        """Whether each teacher has their own account of this kind."""
        return self in _PER_TEACHER

    @property
    def may_go_negative(self) -> bool:
        """Whether the balance may fall below zero (false for teacher accounts)."""
        return self not in _PER_TEACHER


_PER_TEACHER = frozenset({AccountKind.ESCROW, AccountKind.WALLET, AccountKind.HELD})


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
@attrs.frozen(kw_only=True)
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
@attrs.frozen(kw_only=True)
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
@attrs.frozen(kw_only=True)
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

    id: str = attrs.field(validator=valid_key)
    transfer: Transfer
    debit_seq: int
    credit_seq: int
    version: int = 0

    def seq(self, account: str) -> int:
        """The entry's position in ``account``'s history."""
        return self.debit_seq if account == self.transfer.debit else self.credit_seq


@final
@attrs.frozen(kw_only=True)
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

    id: str = attrs.field(validator=valid_key)
    currency: str
    account: str
    balance: int = 0
    entries: int = 0
    version: int = 0


@final
class Journal:
    """An append-only, in-memory journal of transfers in one currency.

    Balances are kept up to date as transfers post; the key index and each
    account's history are built from the append-only log when first read; see
    the module doc for why it is mutable. Not
    thread-safe by itself: for threads, use a unit-of-work journal
    (:class:`~booking_core.adapters.memory_ledger.InMemoryLedgerJournal`) through
    :class:`~booking_core.services.ledger.LedgerService`.

    Args:
        currency: The ISO 4217 code of every transfer it accepts.
    """

    __slots__ = (
        "_accounts",
        "_by_key",
        "_history",
        "_indexed",
        "_keys",
        "_log",
        "currency",
    )

    def __init__(self, currency: str) -> None:
        self.currency: str = get_currency(currency).code
        # account -> [balance, may go negative]
        self._accounts: dict[str, list[Any]] = {}
        # Posting touches only the balances, the key set and the log; the key ->
        # transfer index and the per-account histories are built from the log
        # when first read (amortised O(1) per transfer), up to _indexed.
        self._keys: set[str] = set()
        self._log: list[Transfer] = []
        self._by_key: dict[str, Transfer] = {}
        self._history: dict[str, list[Transfer]] = {}
        self._indexed = 0

    def _open(self, account: str, debited: int = 0) -> list[Any]:
        # A first use; an account that may not go negative cannot start with a
        # debit, and is refused before it is registered (nothing changes).
        may_go_negative = parse_account(account)[0].may_go_negative
        if debited and not may_go_negative:
            raise self._refuse(account, 0, debited)
        record = [0, may_go_negative]
        self._accounts[account] = record
        return record

    def _catch_up(self) -> dict[str, list[Transfer]]:
        log = self._log
        history = self._history
        by_key = self._by_key
        if self._indexed == len(log):
            return history
        for transfer in log[self._indexed :]:
            by_key[transfer.key] = transfer
            for account in (transfer.debit, transfer.credit):
                found = history.get(account)
                if found is None:
                    history[account] = [transfer]
                else:
                    found.append(transfer)
        self._indexed = len(log)
        return history

    def _replay(self, transfer: Transfer, prior: Transfer) -> Transfer:
        return _replay(transfer, prior)

    def _refuse(
        self, account: str, balance: int, amount: int
    ) -> InsufficientFundsError:
        return _refuse(account, balance, amount, self.currency)

    def post(self, transfer: Transfer) -> Transfer:
        """Post one transfer, or return the original when its key was posted.

        Args:
            transfer: The transfer to append.

        Returns:
            ``transfer``, or the transfer first posted under its key when this is
            a replay with the same content (nothing changes then).

        Raises:
            IdempotencyKeyReuseError: ``money.idempotency_key_reused`` when the
                key was posted with different content.
            CurrencyMismatchError: ``money.currency_mismatch`` when the transfer
                is in another currency than the journal.
            InsufficientFundsError: ``money.insufficient_funds`` when an escrow,
                wallet or held account would go below zero. Nothing changes.
        """
        key = transfer.key
        if key in self._keys:
            return self._replay(transfer, self._original(key))
        if transfer.currency != self.currency:
            raise CurrencyMismatchError(
                action="post", left=transfer.money, right=f"a {self.currency} journal"
            )
        accounts = self._accounts
        amount = transfer.amount
        debit = accounts.get(transfer.debit)
        if debit is None:
            debit = self._open(transfer.debit, amount)
        balance = debit[0] - amount
        if balance < 0 and not debit[1]:
            raise self._refuse(transfer.debit, debit[0], amount)
        credit = accounts.get(transfer.credit)
        if credit is None:
            credit = self._open(transfer.credit)
        debit[0] = balance
        credit[0] += amount
        self._keys.add(key)
        self._log.append(transfer)
        return transfer

    def post_many(self, transfers: Iterable[Transfer]) -> int:
        """Post independent transfers one after the other: :meth:`post` in a loop.

        The fast path for bulk loads and imports. Each transfer posts or is
        refused on its own: at the first refusal the error is raised and the
        transfers before it stay posted (use :meth:`post_linked` for all or
        nothing). Replays are no-ops as in :meth:`post`.

        Returns:
            How many transfers were newly posted (replays not counted).

        Raises:
            IdempotencyKeyReuseError: ``money.idempotency_key_reused``.
            CurrencyMismatchError: ``money.currency_mismatch``.
            InsufficientFundsError: ``money.insufficient_funds``.
        """
        accounts = self._accounts
        find = accounts.get
        keys = self._keys
        claim = keys.add
        append = self._log.append
        currency = self.currency
        posted = 0
        for transfer in transfers:
            key = transfer.key
            if key in keys or transfer.currency != currency:
                self.post(transfer)  # a replay (no-op) or a refusal
                continue
            amount = transfer.amount
            debit = find(transfer.debit)
            if debit is None:
                debit = self._open(transfer.debit, amount)
            balance = debit[0] - amount
            if balance < 0 and not debit[1]:
                raise self._refuse(transfer.debit, debit[0], amount)
            credit = find(transfer.credit)
            if credit is None:
                credit = self._open(transfer.credit)
            debit[0] = balance
            credit[0] += amount
            claim(key)
            append(transfer)
            posted += 1
        return posted

    def post_linked(self, transfers: Iterable[Transfer]) -> tuple[Transfer, ...]:
        """Post several transfers all or nothing, in order.

        Transfers whose key was already posted with the same content are replays
        and change nothing; the rest post together only if every one of them can.

        Returns:
            For each transfer, the posted one (the original for replays).

        Raises:
            IdempotencyKeyReuseError: ``money.idempotency_key_reused`` when a key
                is reused with different content (also inside the batch).
            CurrencyMismatchError: ``money.currency_mismatch`` for a transfer in
                another currency.
            InsufficientFundsError: ``money.insufficient_funds`` when a
                non-negative account would go below zero at any step. Nothing is
                posted when any transfer is refused.
        """
        plan = plan_posting(
            transfers, currency=self.currency, posted=self.get, balance=self.balance
        )
        for transfer in plan.new:
            self.post(transfer)
        return plan.results

    def _original(self, key: str) -> Transfer:
        found = self._by_key.get(key)
        if found is None:
            self._catch_up()
            found = self._by_key[key]
        return found

    def get(self, key: str) -> Transfer | None:
        """The transfer posted under ``key``, or ``None``."""
        if key not in self._keys:
            return None
        return self._original(key)

    def balance(self, account: str) -> int:
        """The balance of ``account``: credits minus debits (0 if unused)."""
        record = self._accounts.get(account)
        return 0 if record is None else int(record[0])

    def balances(self) -> dict[str, int]:
        """Every used account's balance, in minor units (a fresh dict)."""
        return {account: record[0] for account, record in self._accounts.items()}

    def history(self, account: str) -> tuple[Transfer, ...]:
        """Every transfer that debited or credited ``account``, in posting order."""
        return tuple(self._catch_up().get(account, ()))

    def transfers(self) -> tuple[Transfer, ...]:
        """Every posted transfer, in posting order."""
        return tuple(self._log)

    def __len__(self) -> int:
        return len(self._log)


_EARNINGS_IN = frozenset({TransferKind.ESCROW_RELEASE})
_EARNINGS_OUT = frozenset({TransferKind.REFUND_TEACHER, TransferKind.REFUND_FEE_LOSS})


@final
@attrs.frozen(kw_only=True)
class TeacherWallet:
    """What a teacher sees: their money by state, with the transfers behind each figure.

    Attributes:
        teacher_id: Whose wallet.
        escrow: Earned on sessions not yet completed.
        available: Released to the teacher, free to withdraw.
        held: Withdrawals in flight (held from available until the payout settles).
        lifetime_earned: Everything ever released to the teacher, less refunds
            and fee losses later charged to the wallet.
        escrow_entries: The transfers behind ``escrow``.
        available_entries: The transfers behind ``available``.
        held_entries: The transfers behind ``held``.
        earned_entries: The transfers behind ``lifetime_earned``.
    """

    teacher_id: str
    escrow: Money
    available: Money
    held: Money
    lifetime_earned: Money
    escrow_entries: tuple[Transfer, ...]
    available_entries: tuple[Transfer, ...]
    held_entries: tuple[Transfer, ...]
    earned_entries: tuple[Transfer, ...]


class LedgerView(Protocol):
    """What a wallet view reads of a ledger: its currency, balances and history.

    :class:`Journal` and every :class:`~booking_core.ports.LedgerJournal` (which
    extends this protocol) provide it.
    """

    @property
    def currency(self) -> str:
        """The ISO 4217 code of every transfer in it."""
        ...

    def balance(self, account: str) -> int:
        """One account's balance in minor units (0 when never used)."""
        ...

    def history(self, account: str) -> Sequence[Transfer]:
        """The transfers that touched ``account``, in posting order."""
        ...


def teacher_wallet(journal: LedgerView, teacher_id: str) -> TeacherWallet:
    """The wallet view of ``teacher_id``, derived from the journal.

    Args:
        journal: Any :class:`LedgerView` (a :class:`Journal`, a unit of work's
            ledger).
        teacher_id: The teacher.

    Returns:
        Their escrow, available, held and lifetime-earned figures with the
        transfers behind each.

    Example:
        >>> journal = Journal("INR")
        >>> _ = journal.post(Transfer(key="k", debit="payments", credit="wallet:m1",
        ...                           amount=500, currency="INR",
        ...                           kind=TransferKind.ADJUSTMENT))
        >>> str(teacher_wallet(journal, "m1").available)
        '5.00 INR'
    """
    currency = journal.currency
    wallet = account_id(AccountKind.WALLET, teacher_id)
    available_entries = tuple(journal.history(wallet))
    earned = tuple(
        t
        for t in available_entries
        if (t.credit == wallet and t.kind in _EARNINGS_IN)
        or (t.debit == wallet and t.kind in _EARNINGS_OUT)
    )
    lifetime = sum(t.amount if t.credit == wallet else -t.amount for t in earned)
    escrow = account_id(AccountKind.ESCROW, teacher_id)
    held = account_id(AccountKind.HELD, teacher_id)
    return TeacherWallet(
        teacher_id=teacher_id,
        escrow=Money(journal.balance(escrow), currency),
        available=Money(journal.balance(wallet), currency),
        held=Money(journal.balance(held), currency),
        lifetime_earned=Money(lifetime, currency),
        escrow_entries=tuple(journal.history(escrow)),
        available_entries=available_entries,
        held_entries=tuple(journal.history(held)),
        earned_entries=earned,
    )
