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
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any, Generic, TypeVar, final

import attrs

from booking_core.errors import DuplicateIdError, NotFoundError, StaleVersionError
from booking_core.events import DomainEvent
from booking_core.ports import Versioned

__all__ = [
    "InMemoryEventPublisher",
    "InMemoryRepository",
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

    def collection(self, name: str) -> dict[str, Any]:
        """The committed aggregates of one collection, by id (created on demand)."""
        with self.lock:
            return self.collections.setdefault(name, {})


@final
class InMemoryRepository(Generic[A]):
    """A versioned repository for one collection, bound to one unit of work.

    Reads see this unit's own staged writes first, then the committed store.
    Hosts get one through :meth:`InMemoryUnitOfWork.repository`.
    """

    def __init__(self, uow: InMemoryUnitOfWork, name: str) -> None:
        self._uow = uow
        self.name = name

    def get(self, aggregate_id: str) -> A:
        """Load an aggregate by id.

        Raises:
            NotFoundError: ``not_found`` when no aggregate has that id.
        """
        staged = self._uow.staged(self.name, aggregate_id)
        if staged is not None:
            return staged[1]  # type: ignore[no-any-return]
        with self._uow.store.lock:
            found = self._uow.store.collection(self.name).get(aggregate_id)
        if found is None:
            raise NotFoundError(kind=self.name, id=aggregate_id)
        return found  # type: ignore[no-any-return]

    def add(self, aggregate: A) -> None:
        """Stage a new aggregate; checked for a duplicate id now and on commit.

        Raises:
            DuplicateIdError: ``conflict.duplicate_id`` when the id exists.
        """
        with self._uow.store.lock:
            exists = aggregate.id in self._uow.store.collection(self.name)
        if exists or self._uow.staged(self.name, aggregate.id) is not None:
            raise DuplicateIdError(kind=self.name, id=aggregate.id)
        self._uow.stage(self.name, aggregate, expected=None)

    def save(self, aggregate: A) -> None:
        """Stage a changed aggregate; compare-and-set on commit."""
        staged = self._uow.staged(self.name, aggregate.id)
        expected = staged[0] if staged is not None else aggregate.version
        self._uow.stage(self.name, aggregate, expected=expected)

    def list(self) -> list[A]:
        """Every committed aggregate of the collection, with this unit's changes."""
        with self._uow.store.lock:
            found = dict(self._uow.store.collection(self.name))
        for (name, aggregate_id), (_, value) in self._uow.writes.items():
            if name == self.name:
                found[aggregate_id] = value
        return list(found.values())

    def __iter__(self) -> Iterator[A]:
        return iter(self.list())


@final
class InMemoryUnitOfWork:
    """A unit of work over an :class:`InMemoryStore`.

    Args:
        store: The shared committed state.
        publisher: Receives the collected events after each successful commit.
    """

    def __init__(
        self, store: InMemoryStore, publisher: InMemoryEventPublisher | None = None
    ) -> None:
        self.store = store
        self.publisher = (
            publisher if publisher is not None else InMemoryEventPublisher()
        )
        # (collection, id) -> (expected stored version or None when new, aggregate)
        self.writes: dict[tuple[str, str], tuple[int | None, Any]] = {}
        self.events: list[DomainEvent] = []
        self.committed = False

    def __enter__(self) -> InMemoryUnitOfWork:
        self.committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            self.rollback()

    def repository(self, name: str, kind: type[A]) -> InMemoryRepository[A]:
        """The repository of collection ``name`` holding aggregates of type ``kind``."""
        return InMemoryRepository(self, name)

    def staged(self, name: str, aggregate_id: str) -> tuple[int | None, Any] | None:
        """What this unit staged for ``(name, aggregate_id)``, if anything."""
        return self.writes.get((name, aggregate_id))

    def stage(self, name: str, aggregate: Versioned, *, expected: int | None) -> None:
        """Stage a write; ``expected``: the stored version it must find, None if new."""
        self.writes[(name, aggregate.id)] = (expected, aggregate)

    def collect(self, events: Sequence[DomainEvent]) -> None:
        """Remember events to publish after commit."""
        self.events.extend(events)

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
            for (name, aggregate_id), (expected, aggregate) in self.writes.items():
                version = 1 if expected is None else expected + 1
                self.store.collection(name)[aggregate_id] = attrs.evolve(
                    aggregate, version=version
                )
            events = list(self.events)
            self.store.events.extend(events)
        self.writes.clear()
        self.events.clear()
        self.committed = True
        self.publisher.publish(events)

    def rollback(self) -> None:
        """Drop every staged write and collected event."""
        self.writes.clear()
        self.events.clear()
