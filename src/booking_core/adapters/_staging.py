"""The part every adapter's unit of work shares: staging writes until commit.

A unit of work keeps ``(collection, id) -> (expected version, aggregate)`` and the
collected events in memory; reads see its own staged writes first. Adapters
subclass :class:`StagingUnitOfWork` and supply the committed reads and the atomic
commit; repositories subclass :class:`StagedRepository`.
"""

from __future__ import annotations

import abc
import builtins
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any, Generic, TypeVar

from booking_core._validation import check_key
from booking_core.errors import DuplicateIdError, NotFoundError
from booking_core.events import DomainEvent
from booking_core.ports import Versioned

__all__ = ["Indexer", "StagedRepository", "StagingUnitOfWork"]

A = TypeVar("A", bound=Versioned)

Indexer = Callable[[Any], Iterable[tuple[str, str]]]
"""Maps an aggregate to the ``(index name, value)`` pairs it can be found under."""


class StagedRepository(Generic[A]):
    """A versioned repository for one collection, bound to one unit of work.

    Reads see the unit's own staged writes first, then committed state.
    """

    def __init__(self, uow: StagingUnitOfWork, name: str) -> None:
        self._uow = uow
        self.name = name

    def _load(self, aggregate_id: str) -> A | None:
        staged = self._uow.staged(self.name, aggregate_id)
        if staged is not None:
            return staged[1]  # type: ignore[no-any-return]
        return self._uow.committed(self.name, aggregate_id)

    def get(self, aggregate_id: str) -> A:
        """Load an aggregate by id.

        Raises:
            NotFoundError: ``not_found`` when no aggregate has that id.
            InvalidValueError: ``input.invalid_value`` for a malformed id (the same
                answer on every adapter, before any storage sees it).
        """
        found = self._load(check_key(aggregate_id, "id"))
        if found is None:
            raise NotFoundError(kind=self.name, id=aggregate_id)
        return found

    def add(self, aggregate: A) -> None:
        """Stage a new aggregate; it reads nothing.

        An id this unit already staged is refused now; an id already stored is
        refused on commit (the store's primary key), so adding costs no read.

        Raises:
            DuplicateIdError: ``conflict.duplicate_id`` when this unit staged the
                id already (and from ``commit`` when it is stored).
        """
        if self._uow.staged(self.name, aggregate.id) is not None:
            raise DuplicateIdError(kind=self.name, id=aggregate.id)
        self._uow.stage(self.name, aggregate, expected=None)

    def save(self, aggregate: A) -> None:
        """Stage a changed aggregate; compare-and-set on commit."""
        staged = self._uow.staged(self.name, aggregate.id)
        expected = staged[0] if staged is not None else aggregate.version
        self._uow.stage(self.name, aggregate, expected=expected)

    def _overlay(self, found: dict[str, A], keep: Callable[[A], bool]) -> list[A]:
        for (name, aggregate_id), (_, staged) in self._uow.writes.items():
            if name != self.name:
                continue
            found.pop(aggregate_id, None)
            if keep(staged):
                found[aggregate_id] = staged
        return sorted(found.values(), key=lambda aggregate: aggregate.id)

    def list(self) -> list[A]:
        """Every aggregate of the collection (committed, then staged), by id."""
        return self._overlay(self._uow.committed_all(self.name), lambda _: True)

    def find(self, index: str, value: str) -> builtins.list[A]:
        """The aggregates found under ``(index, value)``, by id.

        The collection needs an indexer registered with the adapter's database.
        """
        indexer = self._uow.indexer(self.name)
        return self._overlay(
            self._uow.committed_find(self.name, index, value),
            lambda staged: (
                indexer is not None and (index, value) in set(indexer(staged))
            ),
        )

    def find_upto(self, index: str, upper: str) -> builtins.list[A]:
        """The aggregates under ``index`` whose value is ``<= upper``, by id.

        For index values that sort as text in the order they mean (UTC instants
        in ISO 8601, :func:`booking_core.adapters._repositories.due_value`): a
        due set read without reading what is not due.
        """
        indexer = self._uow.indexer(self.name)
        return self._overlay(
            self._uow.committed_upto(self.name, index, upper),
            lambda staged: (
                indexer is not None
                and any(
                    name == index and value <= upper for name, value in indexer(staged)
                )
            ),
        )

    def __iter__(self) -> Iterator[A]:
        return iter(self.list())


class StagingUnitOfWork(abc.ABC):
    """Staged writes and collected events; subclasses read and commit."""

    def __init__(self) -> None:
        # (collection, id) -> (expected stored version or None when new, aggregate)
        self.writes: dict[tuple[str, str], tuple[int | None, Any]] = {}
        self.events: list[DomainEvent] = []
        self.committed_flag = False

    def __enter__(self) -> StagingUnitOfWork:
        self.committed_flag = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed_flag:
            self.rollback()

    def staged(self, name: str, aggregate_id: str) -> tuple[int | None, Any] | None:
        """What this unit staged for ``(name, aggregate_id)``, if anything."""
        return self.writes.get((name, aggregate_id))

    def stage(self, name: str, aggregate: Versioned, *, expected: int | None) -> None:
        """Stage a write; ``expected``: the stored version it must find, None if new."""
        self.writes[(name, aggregate.id)] = (expected, aggregate)

    def collect(self, events: Sequence[DomainEvent]) -> None:
        """Remember events to publish after commit."""
        self.events.extend(events)

    def rollback(self) -> None:
        """Drop every staged write and collected event."""
        self.writes.clear()
        self.events.clear()

    def finish(self) -> list[DomainEvent]:
        """Mark the unit committed, clear it and return the events it committed."""
        events = list(self.events)
        self.writes.clear()
        self.events.clear()
        self.committed_flag = True
        return events

    # -- what adapters supply -----------------------------------------------------

    def repository(self, name: str, kind: type[A]) -> StagedRepository[A]:
        """The generic repository of collection ``name`` (aggregates of ``kind``).

        The library's own aggregates have named repositories (``uow.sessions``,
        ``uow.bookings`` …); this is for a host's own versioned aggregates.
        """
        return StagedRepository(self, name)

    @abc.abstractmethod
    def commit(self) -> None:
        """Store everything staged atomically, then publish the collected events."""

    @abc.abstractmethod
    def committed(self, name: str, aggregate_id: str) -> Any | None:
        """The committed aggregate, or ``None``."""

    @abc.abstractmethod
    def committed_all(self, name: str) -> dict[str, Any]:
        """Every committed aggregate of a collection, by id."""

    @abc.abstractmethod
    def committed_find(self, name: str, index: str, value: str) -> dict[str, Any]:
        """The committed aggregates under ``(index, value)``, by id."""

    @abc.abstractmethod
    def committed_upto(self, name: str, index: str, upper: str) -> dict[str, Any]:
        """The committed aggregates under ``index`` with a value ``<= upper``."""

    @abc.abstractmethod
    def indexer(self, name: str) -> Indexer | None:
        """The indexer registered for a collection, if any."""
