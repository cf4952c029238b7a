"""In-memory implementations of the ports, for tests, demos and embedding.

:class:`InMemoryStore` is the "database": committed aggregates per collection,
the committed event log, and a lock. Each :class:`InMemoryUnitOfWork` stages its
writes privately and applies them on :meth:`~InMemoryUnitOfWork.commit` under the
store's lock, checking every compare-and-set first, so a commit is all or nothing
and safe from several threads.

Example:
    >>> import attrs
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> @attrs.frozen(kw_only=True)
    ... class Note:
    ...     id: str
    ...     text: str
    ...     version: int = 0
    >>> store = InMemoryStore()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     uow.repository("notes", Note).add(Note(id="n1", text="hello"))
    ...     uow.commit()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     note = uow.repository("notes", Note).get("n1")
    >>> note
    Note(id='n1', text='hello', version=1)
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, TypeVar, final

import attrs

from booking_core.adapters._repositories import DEFAULT_INDEXES, StagedUnitOfWork
from booking_core.adapters._staging import Indexer
from booking_core.errors import DuplicateIdError, StaleVersionError
from booking_core.events import DomainEvent
from booking_core.ports import Versioned

__all__ = [
    "InMemoryEventPublisher",
    "InMemoryStore",
    "InMemoryUnitOfWork",
]

A = TypeVar("A", bound=Versioned)


@final
class InMemoryEventPublisher:
    """An event publisher that keeps every published event in :attr:`published`."""

    def __init__(self) -> None:
        self.published: list[DomainEvent] = []
        self._lock = threading.Lock()

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Append ``events`` to :attr:`published`."""
        with self._lock:
            self.published.extend(events)


@final
class InMemoryStore:
    """The committed state shared by every unit of work on it.

    Attributes:
        events: Every event committed so far, in commit order (the outbox).
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.collections: dict[str, dict[str, Any]] = {}
        self.events: list[DomainEvent] = []
        self._indexers: dict[str, Indexer] = dict(DEFAULT_INDEXES)
        # (collection, index name, value) -> ids
        self._index: dict[tuple[str, str, str], set[str]] = {}

    def collection(self, name: str) -> dict[str, Any]:
        """The committed aggregates of one collection, by id (created on demand)."""
        with self.lock:
            return self.collections.setdefault(name, {})

    def register_index(self, collection: str, indexer: Indexer) -> None:
        """Maintain secondary index entries for ``collection`` on every commit.

        ``indexer(aggregate)`` returns ``(name, value)`` pairs; repositories find
        aggregates by them with ``find(name, value)``. Register before writing.
        """
        with self.lock:
            self._indexers[collection] = indexer

    def indexer(self, collection: str) -> Indexer | None:
        """The indexer registered for ``collection``, if any."""
        return self._indexers.get(collection)

    def find(self, collection: str, index: str, value: str) -> dict[str, Any]:
        """The committed aggregates under ``(index, value)``, by id."""
        with self.lock:
            ids = self._index.get((collection, index, value), ())
            aggregates = self.collection(collection)
            return {aggregate_id: aggregates[aggregate_id] for aggregate_id in ids}

    def put(self, collection: str, aggregate: Versioned) -> None:
        """Store ``aggregate`` and its index entries (callers hold :attr:`lock`)."""
        aggregates = self.collection(collection)
        indexer = self._indexers.get(collection)
        if indexer is not None:
            previous = aggregates.get(aggregate.id)
            if previous is not None:
                for index, value in indexer(previous):
                    self._index[(collection, index, value)].discard(previous.id)
            for index, value in indexer(aggregate):
                self._index.setdefault((collection, index, value), set()).add(
                    aggregate.id
                )
        aggregates[aggregate.id] = aggregate


@final
class InMemoryUnitOfWork(StagedUnitOfWork):
    """A unit of work over an :class:`InMemoryStore`.

    Args:
        store: The shared committed state.
        publisher: Receives the collected events after each successful commit.
    """

    def __init__(
        self, store: InMemoryStore, publisher: InMemoryEventPublisher | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.publisher = (
            publisher if publisher is not None else InMemoryEventPublisher()
        )

    def __enter__(self) -> InMemoryUnitOfWork:
        super().__enter__()
        return self

    def committed(self, name: str, aggregate_id: str) -> Any | None:
        """The committed aggregate, or ``None``."""
        with self.store.lock:
            return self.store.collection(name).get(aggregate_id)

    def committed_all(self, name: str) -> dict[str, Any]:
        """Every committed aggregate of a collection, by id."""
        with self.store.lock:
            return dict(self.store.collection(name))

    def committed_find(self, name: str, index: str, value: str) -> dict[str, Any]:
        """The committed aggregates under ``(index, value)``, by id."""
        return self.store.find(name, index, value)

    def indexer(self, name: str) -> Indexer | None:
        """The indexer registered for a collection, if any."""
        return self.store.indexer(name)

    def commit(self) -> None:
        """Apply every staged write atomically, then publish the collected events.

        Raises:
            StaleVersionError: ``concurrency.stale_version`` when a saved aggregate
                changed since it was loaded; nothing is stored.
            DuplicateIdError: ``conflict.duplicate_id`` when an added id now exists.
        """
        with self.store.lock:
            for (name, aggregate_id), (expected, _) in self.writes.items():
                current = self.store.collection(name).get(aggregate_id)
                if expected is None and current is not None:
                    raise DuplicateIdError(kind=name, id=aggregate_id)
                if expected is not None and (
                    current is None or current.version != expected
                ):
                    raise StaleVersionError(
                        kind=name,
                        id=aggregate_id,
                        expected=expected,
                        actual=None if current is None else current.version,
                    )
            for (name, _), (expected, aggregate) in self.writes.items():
                version = 1 if expected is None else expected + 1
                self.store.put(name, attrs.evolve(aggregate, version=version))
            self.store.events.extend(self.events)
            events = self.finish()
        self.publisher.publish(events)
