"""Application services: load through repositories, decide (pure), commit.

Every service follows one shape, implemented once here by :func:`run_in_transaction`:
open a unit of work, let the operation load aggregates and take pure decisions,
commit, and on a :class:`~booking_core.errors.ConcurrencyError` (somebody saved
first) start over from a fresh load, a bounded number of times.

Example:
    >>> import attrs
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.services import run_in_transaction
    >>> @attrs.frozen(kw_only=True)
    ... class Counter:
    ...     id: str
    ...     value: int = 0
    ...     version: int = 0
    >>> store = InMemoryStore()
    >>> def create(uow):
    ...     uow.repository("counters", Counter).add(Counter(id="c"))
    >>> def bump(uow):
    ...     repo = uow.repository("counters", Counter)
    ...     counter = repo.get("c")
    ...     repo.save(attrs.evolve(counter, value=counter.value + 1))
    ...     return counter.value + 1
    >>> run_in_transaction(lambda: InMemoryUnitOfWork(store), create)
    >>> run_in_transaction(lambda: InMemoryUnitOfWork(store), bump)
    1
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from booking_core.clock import Clock
from booking_core.errors import (
    BookingCoreError,
    ConcurrencyError,
    DuplicateIdError,
    InvalidValueError,
)
from booking_core.events import DomainEvent
from booking_core.policies import Policies, TransactionBackoff

if TYPE_CHECKING:  # only annotations: naming a service loads no repository protocol
    from booking_core.ports import UnitOfWork
    from booking_core.services.reactions import ReactionContext

__all__ = ["Service", "run_in_transaction"]

T = TypeVar("T")
U = TypeVar("U", bound="UnitOfWork")


def run_in_transaction(
    uow_factory: Callable[[], U],
    operation: Callable[[U], T],
    *,
    attempts: int = 5,
    retry_on: tuple[type[BookingCoreError], ...] = (ConcurrencyError,),
    backoff: TransactionBackoff | None = None,
    sleep: Callable[[float], object] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> T:
    """Run ``operation`` in a fresh unit of work and commit, retrying on conflicts.

    The operation must be safe to run again from scratch: it loads what it needs
    from the unit of work it is given and keeps no state between attempts.

    Args:
        uow_factory: Makes a new unit of work per attempt.
        operation: Loads, decides and stages writes; its result is returned.
        attempts: How many times to try before giving up (at least 1).
        retry_on: The errors that start a new attempt, raised by ``commit`` or
            by a repository inside ``operation`` (a repository may detect a
            conflict early). Add :class:`~booking_core.errors.DuplicateIdError`
            when an id that another writer may create first is looked up again
            on retry (the ledger's entries and accounts, records keyed by a
            booking id); leave it out when a duplicate is the caller's error.
        backoff: How long to wait after a lost race before the next attempt
            (no wait when not given); the services pass
            ``policies.transaction_backoff``.
        sleep: Waits that many seconds (``time.sleep``; inject one in tests).
        jitter: A random fraction in ``[0, 1)`` per wait (``random.random``).

    Returns:
        What ``operation`` returned on the attempt that committed.

    Raises:
        ConcurrencyError: ``concurrency.stale_version`` (or another concurrency
            code, or an error of ``retry_on``) when every attempt lost the race.
        InvalidValueError: ``input.invalid_value`` when ``attempts`` is below 1.
    """
    if attempts < 1:
        raise InvalidValueError(
            field="attempts", reason="must be at least 1", value=attempts
        )
    for attempt in range(1, attempts + 1):
        with uow_factory() as uow:
            try:
                result = operation(uow)  # type: ignore[arg-type]
                uow.commit()
            except retry_on:
                if attempt == attempts:
                    raise
            else:
                return result
        if backoff is not None:
            sleep(backoff.seconds(attempt, jitter()))
    raise AssertionError("unreachable")  # pragma: no cover


# The collections of the per-person tokens (teacher schedule, student calendar)
# that :mod:`booking_core.services.commitments` creates on first use.
_TOKENS = frozenset({"teacher_schedules", "student_calendars"})


@functools.cache
def _reactions() -> tuple[type[ReactionContext], Callable[..., None]]:
    """The reaction context and runner, imported on first use and kept.

    Imported late (the reaction table imports the services); kept, because an
    import statement run per command looks the module up again each time.
    """
    from booking_core.services.reactions import ReactionContext, react

    return ReactionContext, react


class _Reacting:
    """A unit of work whose ``collect`` also queues the events for the reactions."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self.queue: list[DomainEvent] = []

    def collect(self, events: Sequence[DomainEvent]) -> None:
        self._uow.collect(events)
        self.queue.extend(events)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)


class Service:
    """The template every service follows: load, decide (pure), save, collect.

    A service holds the unit-of-work factory, the one clock and the one
    :class:`~booking_core.policies.Policies` bundle of the composition root
    (:func:`booking_core.services.app.bootstrap`). :meth:`_run` opens a unit of
    work, lets the operation load aggregates from its named repositories
    (``uow.sessions``, ``uow.bookings`` …), take the pure decision, stage the
    writes and collect the events, then commits, starting over from a fresh
    load on a lost race, ``policies.transaction_attempts`` times at most.

    Args:
        uow_factory: Makes a new unit of work per attempt.
        clock: Where ``now`` comes from (the same clock for every service).
        policies: Every number of the library (defaults when not given).
    """

    def __init__(
        self,
        *,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        policies: Policies | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self.policies = policies if policies is not None else Policies()

    def _run(
        self,
        operation: Callable[[UnitOfWork], T],
        *,
        retry_on: tuple[type[BookingCoreError], ...] = (ConcurrencyError,),
    ) -> T:
        """Run ``operation`` and its reactions in a fresh unit of work; commit.

        Every event the operation collects, and every event a reaction
        collects in turn, runs its handlers of
        :data:`~booking_core.services.reactions.REACTIONS` in the same unit of
        work before it commits: a command and what follows from it across
        aggregates are one transaction (retried together on a lost race).
        """
        context_of, react = _reactions()

        def reacting(uow: UnitOfWork) -> T:
            wrapped = _Reacting(uow)
            facade = cast("UnitOfWork", wrapped)
            result = operation(facade)
            if wrapped.queue:
                context = context_of(
                    uow=facade, now=self._clock.now(), policies=self.policies
                )
                react(wrapped.queue, context)
            return result

        try:
            return run_in_transaction(
                self._uow_factory,
                reacting,
                attempts=self.policies.transaction_attempts,
                retry_on=retry_on,
                backoff=self.policies.transaction_backoff,
            )
        except DuplicateIdError as error:
            if error.details.get("kind") not in _TOKENS:
                raise
            # A twin transaction created the same person's token first; from a
            # fresh load this one finds it and is ordered after it.
            return run_in_transaction(
                self._uow_factory,
                reacting,
                attempts=self.policies.transaction_attempts,
                retry_on=retry_on,
                backoff=self.policies.transaction_backoff,
            )

    def _read(self, query: Callable[[UnitOfWork], T]) -> T:
        """Run a read-only ``query`` in a unit of work that is never committed."""
        with self._uow_factory() as uow:
            return query(uow)
