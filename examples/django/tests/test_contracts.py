"""Every contract kit of ``booking_core.testing``, run against the Django storage.

The kits are found, not listed: every public ``*Contract`` class of the contract
modules of :mod:`booking_core.testing` (``contracts`` and every ``*_contract``
module) becomes a test class here, subclassing
:class:`DjangoStore` (which provides the fixtures the kits ask for). A kit the
library adds in a release runs here without a change; one that needs a fixture
:class:`DjangoStore` does not provide fails loudly at setup.

To prove a single kit by hand, the class is three lines::

    class TestDjangoSessions(DjangoStore, SessionRepositoryContract):
        pass
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import booking_core.testing
import pytest
from booking_core.events import DomainEvent
from booking_core.ports import LedgerJournal
from booking_core.services.ledger import LedgerService
from booking_core.testing.ledger_contract import LedgerJournalContract
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from booking_store.storage import DjangoDatabase, DjangoUnitOfWork


class ListPublisher:
    """An event publisher remembering what it was given."""

    def __init__(self) -> None:
        self.published: list[DomainEvent] = []

    def publish(self, events: Any) -> None:
        """Remember ``events``."""
        self.published.extend(events)


# Real commits (transaction=True), on an emptied database per test: the kits
# run threads, each with its own connection, and check what other units of
# work see after commit.
@pytest.mark.django_db(transaction=True)
class DjangoStore:
    """The fixtures of every ``booking_core.testing`` contract, on the ORM's database.

    The kits read their repositories as ``uow.sessions``, ``uow.bookings`` …
    (their ``*_of`` fixtures default to that), so a store gives only the unit
    of work, the published events and, for the ledger kit, a journal.
    """

    @pytest.fixture
    def publisher(self) -> ListPublisher:
        return ListPublisher()

    @pytest.fixture
    def uow_factory(
        self, publisher: ListPublisher
    ) -> Iterator[Callable[[], DjangoUnitOfWork]]:
        database = DjangoDatabase()
        opened: dict[int, BaseDatabaseWrapper] = {}

        def factory() -> DjangoUnitOfWork:
            connection = connections[database.using]
            opened[id(connection)] = connection
            return DjangoUnitOfWork(database, publisher)

        yield factory
        # The kits run units of work in threads of their own; Django opened a
        # connection in each. Close those (this thread's stays with the test).
        for connection in opened.values():
            if connection is not connections[database.using]:
                connection.inc_thread_sharing()
                connection.close()

    @pytest.fixture
    def published(self, publisher: ListPublisher) -> list[DomainEvent]:
        return publisher.published

    @pytest.fixture
    def journal(
        self, uow_factory: Callable[[], DjangoUnitOfWork]
    ) -> Iterator[LedgerJournal]:
        """The ledger of one open unit of work (reads see its staged postings)."""
        with uow_factory() as uow:
            yield uow.ledger("INR")


def _kit_modules(package: ModuleType) -> Iterator[ModuleType]:
    """The package's public contract modules: ``contracts`` and ``*_contract``.

    Only those: the rest of the kit (``strategies``) needs hypothesis, which
    proving a storage does not.
    """
    for info in pkgutil.iter_modules(package.__path__):
        name = info.name
        if not name.startswith("_") and (
            name == "contracts" or name.endswith("_contract")
        ):
            yield importlib.import_module(f"{package.__name__}.{name}")


def contract_kits() -> list[type[Any]]:
    """Every public contract class the installed ``booking_core.testing`` ships."""
    found = {
        name: value
        for module in _kit_modules(booking_core.testing)
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and name.endswith("Contract")
        and not name.startswith("_")
        and value.__module__ == module.__name__
    }
    return [found[name] for name in sorted(found)]


KITS = contract_kits()

for _kit in KITS:
    _name = f"TestDjango{_kit.__name__.removesuffix('Contract')}"
    globals()[_name] = type(
        _name, (DjangoStore, _kit), {"__doc__": f"{_kit.__name__} on Django."}
    )


def test_every_kit_was_found() -> None:
    """The kits this example was written against are among those found."""
    names = {kit.__name__ for kit in KITS}
    assert names >= {
        "SessionRepositoryContract",
        "BookingRepositoryContract",
        "BookingQueriesContract",
        "IdempotencyRecordsContract",
        "AttendeeRepositoryContract",
        "BookingSeriesRepositoryContract",
        "ProcessedWebhookRepositoryContract",
        "LedgerJournalContract",
        "TeacherScheduleRepositoryContract",
        "StudentCalendarRepositoryContract",
        "BookingPaymentRepositoryContract",
        "SettlementDueRepositoryContract",
        "WithdrawalRepositoryContract",
    }


class TestDjangoLedgerService(DjangoStore, LedgerJournalContract):
    """The ledger kit again, every call committed through the Django storage."""

    @pytest.fixture
    def journal(self, uow_factory: Callable[[], DjangoUnitOfWork]) -> LedgerJournal:
        return LedgerService(uow_factory=uow_factory, currency="INR")
