"""The ledger on its own: a journal whose every call is one committed transaction.

A unit of work's ledger (``uow.ledger(currency)``, a
:class:`~booking_core.ports.LedgerJournal`) posts inside
that unit's transaction, atomically with the other aggregates it changes: that
is how :class:`~booking_core.services.payments.PaymentService` uses it.
:class:`LedgerService` is the same journal for callers with nothing else to
commit: each ``post`` or ``post_linked`` runs in a fresh unit of work through
:func:`~booking_core.services.run_in_transaction`, retried from a fresh read
when another writer got there first (a stale balance, or the same key or a new
account created concurrently), and each read is a fresh unit of work that sees
what is committed.

Example:
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.money.ledger import Transfer
    >>> store = InMemoryStore()
    >>> ledger = LedgerService(
    ...     uow_factory=lambda: InMemoryUnitOfWork(store),
    ...     currency="INR",
    ... )
    >>> _ = ledger.post(Transfer(key="k1", debit="payments", credit="escrow:m1",
    ...                          amount=100, currency="INR", kind="capture_teacher"))
    >>> ledger.balance("escrow:m1"), ledger.currency
    (100, 'INR')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar, final

from booking_core.errors import ConcurrencyError, DuplicateIdError
from booking_core.money.ledger import Transfer
from booking_core.policies import Policies
from booking_core.ports import LedgerJournal, UnitOfWork
from booking_core.services import run_in_transaction

__all__ = ["RETRY_ON", "LedgerService"]

T = TypeVar("T")

RETRY_ON = (ConcurrencyError, DuplicateIdError)
"""The commit errors after which a ledger posting is retried from a fresh read.

A duplicate id on commit means another writer created the same entry (the same
key) or the same account first; the retry then sees it (a replay, or an update).
"""


@final
class LedgerService:
    """A :class:`~booking_core.ports.LedgerJournal` committing every call.

    Args:
        uow_factory: Makes a new unit of work per transaction.
        currency: The ISO 4217 code of the journal (``uow.ledger(currency)``).
        policies: Its ``transaction_attempts`` is how many times a posting is
            tried when it loses races (defaults when not given).
    """

    def __init__(
        self,
        *,
        uow_factory: Callable[[], UnitOfWork],
        currency: str,
        policies: Policies | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._currency = currency
        self._attempts = (policies or Policies()).transaction_attempts

    def _journal(self, uow: UnitOfWork) -> LedgerJournal:
        return uow.ledger(self._currency)

    def _read(self, read: Callable[[LedgerJournal], T]) -> T:
        uow = self._uow_factory()
        with uow:
            return read(self._journal(uow))

    def _write(self, write: Callable[[LedgerJournal], T]) -> T:
        return run_in_transaction(
            self._uow_factory,
            lambda uow: write(self._journal(uow)),
            attempts=self._attempts,
            retry_on=RETRY_ON,
        )

    @property
    def currency(self) -> str:
        """The ISO 4217 code of every transfer in it."""
        return self._read(lambda journal: journal.currency)

    def post(self, transfer: Transfer) -> Transfer:
        """Post one transfer and commit, or return the original of a replay.

        Raises:
            IdempotencyKeyReuseError: ``money.idempotency_key_reused``.
            CurrencyMismatchError: ``money.currency_mismatch``.
            InsufficientFundsError: ``money.insufficient_funds``; nothing stored.
            ConcurrencyError: ``concurrency.stale_version`` when every attempt
                lost a race.
        """
        return self._write(lambda journal: journal.post(transfer))

    def post_linked(self, transfers: Iterable[Transfer]) -> tuple[Transfer, ...]:
        """Post transfers all or nothing in one transaction; replays change nothing.

        Raises:
            IdempotencyKeyReuseError: ``money.idempotency_key_reused``.
            CurrencyMismatchError: ``money.currency_mismatch``.
            InsufficientFundsError: ``money.insufficient_funds``; nothing stored.
            ConcurrencyError: ``concurrency.stale_version`` when every attempt
                lost a race.
        """
        batch = tuple(transfers)
        return self._write(lambda journal: journal.post_linked(batch))

    def get(self, key: str) -> Transfer | None:
        """The committed transfer posted under ``key``, or ``None``."""
        return self._read(lambda journal: journal.get(key))

    def balance(self, account: str) -> int:
        """One account's committed balance in minor units (0 when never used)."""
        return self._read(lambda journal: journal.balance(account))

    def balances(self) -> dict[str, int]:
        """Every used account's committed balance in minor units."""
        return self._read(lambda journal: dict(journal.balances()))

    def history(self, account: str) -> tuple[Transfer, ...]:
        """The committed transfers that touched ``account``, in posting order."""
        return self._read(lambda journal: tuple(journal.history(account)))
