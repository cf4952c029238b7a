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

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, final

import attrs

from booking_core._repr import fields_repr
from booking_core.errors import CurrencyMismatchError, InsufficientFundsError
from booking_core.money.accounts import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    PostingPlan,
    Transfer,
    TransferKind,
    _refuse,
    _replay,
    account_id,
    parse_account,
    plan_posting,
)
from booking_core.money.amount import Money
from booking_core.money.currency import get_currency

# AccountKind, Transfer, plan_posting ... are defined in
# booking_core.money.accounts and stay importable from here.
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
@attrs.frozen(kw_only=True, repr=False)
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

    __repr__ = fields_repr

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
