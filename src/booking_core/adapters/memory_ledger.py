"""The in-memory ledgers: a shared journal per currency, or one in a unit of work.

:class:`InMemoryStagedLedgerJournal` posts inside an
:class:`~booking_core.adapters.memory.InMemoryUnitOfWork`, so its transfers
commit atomically with the other aggregates of the transaction; it is the
in-memory twin of :class:`~booking_core.adapters.sqlite_money.SqliteLedgerJournal`
(both are :class:`~booking_core.adapters._repositories.StagedLedgerJournal`).
:class:`InMemoryLedgerJournal`, below, posts immediately instead.

:class:`InMemoryLedgerJournal`'s journals live in an
:class:`~booking_core.adapters.memory.InMemoryStore` (one per
currency, in its ``"ledger"`` collection) so that every unit of work on the same
store sees the same ledger; every call runs under the store's lock, so transfers
posted from several threads never interleave half-way.

Posting is immediate, not staged in an
:class:`~booking_core.adapters.memory.InMemoryUnitOfWork`. Post the transfers
that committed events carry (``PaymentCaptured``, ``EscrowReleased``,
``PaymentRefunded``), e.g. from the event publisher or the store's outbox
(``store.events``): an event delivered twice posts nothing twice, because the
keys are idempotent, and an event that never committed posts nothing at all.

Example:
    >>> from booking_core.adapters.memory import InMemoryStore
    >>> from booking_core.adapters.memory_ledger import InMemoryLedgerJournal
    >>> from booking_core.money.ledger import Transfer
    >>> store = InMemoryStore()
    >>> journal = InMemoryLedgerJournal(store, "INR")
    >>> _ = journal.post(Transfer(key="k1", debit="payments", credit="escrow:m1",
    ...                           amount=100, currency="INR", kind="capture_mentor"))
    >>> InMemoryLedgerJournal(store, "INR").balance("escrow:m1")
    100
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import final

from booking_core.adapters._repositories import StagedLedgerJournal
from booking_core.adapters.memory import InMemoryStore
from booking_core.money.currency import get_currency
from booking_core.money.ledger import Journal, Transfer

__all__ = ["InMemoryLedgerJournal", "InMemoryStagedLedgerJournal"]


@final
class InMemoryLedgerJournal:
    """A :class:`~booking_core.ports.LedgerJournal` over an in-memory store.

    Args:
        store: The shared store; its ``"ledger"`` collection holds the journals.
        currency: Which currency's journal to use (created on first use).
    """

    def __init__(self, store: InMemoryStore, currency: str) -> None:
        self._lock = store.lock
        code = get_currency(currency).code
        with store.lock:
            journals = store.collection("ledger")
            found = journals.get(code)
            if found is None:
                found = journals[code] = Journal(code)
        self._journal: Journal = found

    @property
    def currency(self) -> str:
        """The ISO 4217 code of every transfer in it."""
        return self._journal.currency

    def post(self, transfer: Transfer) -> Transfer:
        """Post one transfer (see :meth:`Journal.post`)."""
        with self._lock:
            return self._journal.post(transfer)

    def post_linked(self, transfers: Iterable[Transfer]) -> tuple[Transfer, ...]:
        """Post transfers all or nothing (see :meth:`Journal.post_linked`)."""
        with self._lock:
            return self._journal.post_linked(transfers)

    def get(self, key: str) -> Transfer | None:
        """The transfer posted under ``key``, or ``None``."""
        with self._lock:
            return self._journal.get(key)

    def balance(self, account: str) -> int:
        """One account's balance in minor units."""
        with self._lock:
            return self._journal.balance(account)

    def balances(self) -> dict[str, int]:
        """Every used account's balance in minor units (a snapshot)."""
        with self._lock:
            return self._journal.balances()

    def history(self, account: str) -> tuple[Transfer, ...]:
        """The transfers that touched ``account``, in posting order."""
        with self._lock:
            return self._journal.history(account)


@final
class InMemoryStagedLedgerJournal(StagedLedgerJournal):
    """A :class:`~booking_core.ports.LedgerJournal` inside an in-memory unit of work.

    Postings are staged and commit with the unit of work (all or nothing, with
    every other aggregate it stages); see
    :class:`~booking_core.adapters._repositories.StagedLedgerJournal`.

    Args:
        uow: The :class:`~booking_core.adapters.memory.InMemoryUnitOfWork` it
            stages into.
        currency: The ISO 4217 code of every transfer it accepts.

    Example:
        >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
        >>> from booking_core.money.ledger import Transfer
        >>> store = InMemoryStore()
        >>> with InMemoryUnitOfWork(store) as uow:
        ...     journal = InMemoryStagedLedgerJournal(uow, "INR")
        ...     _ = journal.post(Transfer(key="k1", debit="payments",
        ...         credit="escrow:m1", amount=100, currency="INR",
        ...         kind="capture_mentor"))
        ...     uow.commit()
        >>> with InMemoryUnitOfWork(store) as uow:
        ...     InMemoryStagedLedgerJournal(uow, "INR").balance("escrow:m1")
        100
    """
