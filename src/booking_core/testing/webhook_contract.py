"""Contract suite for applied webhooks: :class:`ProcessedWebhookRepositoryContract`.

A host proves its :class:`~booking_core.ports.ProcessedWebhookRepository`
(``uow.webhooks``) by subclassing the contract in its test suite and
providing ``uow_factory`` and ``published`` (see ``docs/repositories.md``)::

    import pytest
    from booking_core.testing.webhook_contract import (
        ProcessedWebhookRepositoryContract,
    )

    class TestPostgresWebhooks(ProcessedWebhookRepositoryContract):
        @pytest.fixture
        def uow_factory(self, clean_database, publisher):
            return lambda: PostgresUnitOfWork(clean_database, publisher)

        @pytest.fixture
        def published(self, publisher):
            return publisher.published
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from booking_core.errors import DuplicateIdError
from booking_core.money.webhooks import ProcessedWebhook, WebhookKind
from booking_core.testing._aggregate_contract import AggregateRepositoryContract

__all__ = ["ProcessedWebhookRepositoryContract"]

_NOW = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


class ProcessedWebhookRepositoryContract(AggregateRepositoryContract):
    """Everything :class:`AggregateRepositoryContract` checks, plus ``find``.

    Fixtures: ``uow_factory`` and ``published`` (as for every contract);
    ``webhooks_of`` defaults to ``uow.webhooks``.
    """

    @pytest.fixture
    def webhooks_of(self) -> Callable[[Any], Any]:
        """The processed-webhook repository of a unit of work."""
        return lambda uow: uow.webhooks

    @pytest.fixture
    def repository_of(self, webhooks_of: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """The repository the shared checks exercise."""
        return webhooks_of

    def shapes(self) -> Sequence[ProcessedWebhook]:
        """One record per kind of event."""
        return [
            ProcessedWebhook(
                id=f"evt_{kind.value}",
                kind=kind,
                object_id=f"{kind.value}_1",
                processed_at=_NOW + timedelta(minutes=n),
            )
            for n, kind in enumerate(WebhookKind)
        ]

    def changed(self, aggregate: Any) -> Any:
        """The same record, processed a minute later."""
        later: ProcessedWebhook = attrs.evolve(
            aggregate, processed_at=aggregate.processed_at + timedelta(minutes=1)
        )
        return later

    def test_find_sees_staged_and_committed_records(
        self, uow_factory: Callable[[], Any], webhooks_of: Callable[[Any], Any]
    ) -> None:
        """``find`` returns ``None`` for an unknown event, the record otherwise."""
        first, second = self.shapes()[:2]
        self.add_committed(uow_factory, webhooks_of, first)
        with uow_factory() as uow:
            webhooks = webhooks_of(uow)
            assert webhooks.find("evt_unknown") is None
            assert webhooks.find(first.id) == attrs.evolve(first, version=1)
            webhooks.add(second)
            assert webhooks.find(second.id) is not None

    def test_two_deliveries_of_one_event_commit_once(
        self, uow_factory: Callable[[], Any], webhooks_of: Callable[[Any], Any]
    ) -> None:
        """Of two units recording the same event id, the second commit is refused."""
        record = self.shapes()[0]
        first, second = uow_factory(), uow_factory()
        with first, second:
            webhooks_of(first).add(record)
            webhooks_of(second).add(record)
            first.commit()
            with pytest.raises(DuplicateIdError):
                second.commit()
        assert self.load(uow_factory, webhooks_of, record.id).version == 1
