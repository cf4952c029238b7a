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

import bisect
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any, TypeVar, final

import attrs

from booking_core.adapters._repositories import DEFAULT_INDEXES, StagedUnitOfWork
from booking_core.adapters._staging import Indexer
from booking_core.errors import DuplicateIdError, StaleVersionError
from booking_core.events import DomainEvent
from booking_core.ports import EventPublisher, Versioned

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

    Committed events go to the store's outbox unless the unit of work that
    committed them had a publisher (then they are handed to it right after the
    commit and not kept). :meth:`relay` hands the outbox to a publisher and drops
    it, so a long-running store keeps only the events nobody has taken yet: run
    it after commits (or periodically), as a host runs the SQLite adapter's
    relay.

    Secondary index entries cost a few words each: per collection, index name
    and value, the one aggregate id under it (the id string the aggregate
    already holds, not a copy), or a set of ids once a second aggregate shares
    the value.

    Example:
        >>> from datetime import datetime, timezone
        >>> from booking_core.actors import Actor
        >>> store = InMemoryStore()
        >>> with InMemoryUnitOfWork(store) as uow:
        ...     uow.collect([DomainEvent(
        ...         occurred_at=datetime(2026, 6, 1, tzinfo=timezone.utc),
        ...         actor=Actor.system(), aggregate_id="s-1",
        ...     )])
        ...     uow.commit()
        >>> len(store.events)
        1
        >>> publisher = InMemoryEventPublisher()
        >>> store.relay(publisher), len(publisher.published), store.events
        (1, 1, [])
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.collections: dict[str, dict[str, Any]] = {}
        self._outbox: deque[DomainEvent] = deque()
        self._indexers: dict[str, Indexer] = dict(DEFAULT_INDEXES)
        # collection -> index name -> value -> the id, or a set of ids when several
        self._index: dict[str, dict[str, dict[str, str | set[str]]]] = {}
        # (collection, index name) -> its values in order, kept once ranged over
        self._sorted: dict[tuple[str, str], list[str]] = {}

    @property
    def events(self) -> list[DomainEvent]:
        """The committed events waiting in the outbox, in commit order."""
        with self.lock:
            return list(self._outbox)

    def append_events(self, events: Sequence[DomainEvent]) -> None:
        """Put committed events in the outbox (callers hold :attr:`lock`)."""
        self._outbox.extend(events)

    def relay(self, publisher: EventPublisher) -> int:
        """Hand every event waiting in the outbox to ``publisher``; return how many.

        The events leave the store once handed out. When ``publisher`` raises,
        they stay in the outbox for the next relay (delivery at least once).
        """
        with self.lock:
            events = list(self._outbox)
            self._outbox.clear()
        if not events:
            return 0
        try:
            publisher.publish(events)
        except BaseException:
            with self.lock:
                self._outbox.extendleft(reversed(events))
            raise
        return len(events)

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
            found = self._index.get(collection, {}).get(index, {}).get(value)
            aggregates = self.collection(collection)
            if found is None:
                return {}
            if isinstance(found, str):
                return {found: aggregates[found]}
            return {aggregate_id: aggregates[aggregate_id] for aggregate_id in found}

    def find_upto(self, collection: str, index: str, upper: str) -> dict[str, Any]:
        """The committed aggregates under ``(index, value)`` for values ``<= upper``.

        The index's values are kept sorted from the first such query on, so one
        costs a bisection plus what it finds.
        """
        with self.lock:
            entries = self._index.get(collection, {}).get(index, {})
            values = self._sorted.get((collection, index))
            if values is None:
                values = self._sorted[(collection, index)] = sorted(entries)
            aggregates = self.collection(collection)
            found: dict[str, Any] = {}
            for value in values[: bisect.bisect_right(values, upper)]:
                ids = entries[value]
                for aggregate_id in (ids,) if isinstance(ids, str) else ids:
                    found[aggregate_id] = aggregates[aggregate_id]
            return found

    def put(self, collection: str, aggregate: Versioned) -> None:
        """Store ``aggregate`` and its index entries (callers hold :attr:`lock`)."""
        aggregates = self.collection(collection)
        indexer = self._indexers.get(collection)
        previous = aggregates.get(aggregate.id)
        aggregates[aggregate.id] = aggregate
        if indexer is None:
            return
        aggregate_id = aggregate.id
        old = set() if previous is None else set(indexer(previous))
        new = set(indexer(aggregate))
        indexes = self._index.setdefault(collection, {})
        for index, value in old - new:
            entries = indexes[index]
            _unlink(entries, value, aggregate_id)
            values = self._sorted.get((collection, index))
            if values is not None and value not in entries:
                del values[bisect.bisect_left(values, value)]
        for index, value in new - old:
            entries = indexes.setdefault(index, {})
            values = self._sorted.get((collection, index))
            if values is not None and value not in entries:
                bisect.insort(values, value)
            _link(entries, value, aggregate_id)


def _link(entries: dict[str, str | set[str]], value: str, aggregate_id: str) -> None:
    found = entries.get(value)
    if found is None:
        entries[value] = aggregate_id
    elif isinstance(found, str):
        entries[value] = {found, aggregate_id}
    else:
        found.add(aggregate_id)


def _unlink(entries: dict[str, str | set[str]], value: str, aggregate_id: str) -> None:
    found = entries[value]
    if isinstance(found, str):
        del entries[value]
        return
    found.discard(aggregate_id)
    if len(found) == 1:
        entries[value] = found.pop()


@final
class InMemoryUnitOfWork(StagedUnitOfWork):
    """A unit of work over an :class:`InMemoryStore`.

    Args:
        store: The shared committed state.
        publisher: Receives the collected events right after each successful
            commit (optional; without one, events wait in the store's outbox for
            :meth:`InMemoryStore.relay`).
    """

    def __init__(
        self, store: InMemoryStore, publisher: InMemoryEventPublisher | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.publisher = publisher

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

    def committed_upto(self, name: str, index: str, upper: str) -> dict[str, Any]:
        """The committed aggregates under ``index`` with a value ``<= upper``."""
        return self.store.find_upto(name, index, upper)

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
            if self.publisher is None:
                self.store.append_events(self.events)
            events = self.finish()
        if self.publisher is not None and events:
            self.publisher.publish(events)
