"""The money on SQLite: the ledger journal and the payment service's records.

Final subclasses of the repositories written once in
:mod:`booking_core.adapters._repositories`, staged in a
:class:`~booking_core.adapters.sqlite.SqliteUnitOfWork` and written in its one
``BEGIN IMMEDIATE`` commit: ledger entries (one row per transfer key, so a key
is stored once whatever the number of processes), account balances (saved by
compare-and-set with every entry that moves them, so balances always equal the
sum of their history), booking payment records and withdrawals. No schema of
its own: they are aggregates in the adapter's tables, found through its index
entries.

Example:
    >>> from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
    >>> from booking_core.money.ledger import Transfer
    >>> database = SqliteDatabase(":memory:")
    >>> with SqliteUnitOfWork(database) as uow:
    ...     journal = SqliteLedgerJournal(uow, "INR")
    ...     _ = journal.post(Transfer(key="k1", debit="payments",
    ...         credit="escrow:m1", amount=100, currency="INR",
    ...         kind="capture_teacher"))
    ...     uow.commit()
    >>> with SqliteUnitOfWork(database) as uow:
    ...     journal = SqliteLedgerJournal(uow, "INR")
    ...     journal.balances(), [t.key for t in journal.history("payments")]
    ({'escrow:m1': 100, 'payments': -100}, ['k1'])
"""

from __future__ import annotations

from typing import final

from booking_core.adapters._repositories import (
    StagedBookingPaymentRepository,
    StagedLedgerJournal,
    StagedWithdrawalRepository,
)

__all__ = [
    "SqliteBookingPaymentRepository",
    "SqliteLedgerJournal",
    "SqliteWithdrawalRepository",
]


@final
class SqliteLedgerJournal(StagedLedgerJournal):
    """A :class:`~booking_core.ports.LedgerJournal` inside a SQLite unit of work.

    See :class:`~booking_core.adapters._repositories.StagedLedgerJournal`; for
    one committed transaction per call wrap it in
    :class:`~booking_core.services.ledger.LedgerService`.

    Args:
        uow: The :class:`~booking_core.adapters.sqlite.SqliteUnitOfWork` it
            stages into.
        currency: The ISO 4217 code of every transfer it accepts.
    """


@final
class SqliteBookingPaymentRepository(StagedBookingPaymentRepository):
    """A :class:`~booking_core.ports.BookingPaymentRepository` on SQLite.

    Args:
        uow: The :class:`~booking_core.adapters.sqlite.SqliteUnitOfWork` it
            stages into.
    """


@final
class SqliteWithdrawalRepository(StagedWithdrawalRepository):
    """A :class:`~booking_core.ports.WithdrawalRepository` on SQLite.

    Args:
        uow: The :class:`~booking_core.adapters.sqlite.SqliteUnitOfWork` it
            stages into.
    """
