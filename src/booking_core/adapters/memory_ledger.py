"""The in-memory ledger journal: postings staged in a unit of work.

:class:`InMemoryLedgerJournal` posts inside an
:class:`~booking_core.adapters.memory.InMemoryUnitOfWork`, so its transfers
commit atomically with the other aggregates of the transaction; it is the
in-memory twin of :class:`~booking_core.adapters.sqlite_money.SqliteLedgerJournal`
(both are :class:`~booking_core.adapters._repositories.StagedLedgerJournal`).
For a ledger whose every call commits on its own (threads posting the transfers
of committed events, say), wrap it in
:class:`~booking_core.services.ledger.LedgerService`.
"""

from __future__ import annotations

from typing import final

from booking_core.adapters._repositories import StagedLedgerJournal

__all__ = ["InMemoryLedgerJournal"]


@final
class InMemoryLedgerJournal(StagedLedgerJournal):
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
        ...     journal = InMemoryLedgerJournal(uow, "INR")
        ...     _ = journal.post(Transfer(key="k1", debit="payments",
        ...         credit="escrow:m1", amount=100, currency="INR",
        ...         kind="capture_teacher"))
        ...     uow.commit()
        >>> with InMemoryUnitOfWork(store) as uow:
        ...     InMemoryLedgerJournal(uow, "INR").balance("escrow:m1")
        100
    """
