from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.adapters.memory import (
    InMemoryEventPublisher,
    InMemoryStore,
    InMemoryUnitOfWork,
)
from booking_core.errors import (
    DuplicateIdError,
    InvalidValueError,
    NotFoundError,
    StaleVersionError,
)
from booking_core.events import DomainEvent
from booking_core.policies import Policies, TransactionBackoff
from booking_core.services import run_in_transaction

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)


@attrs.frozen(kw_only=True)
class Counter:
    id: str
    value: int = 0
    version: int = 0


def _event(aggregate_id: str = "c") -> DomainEvent:
    return DomainEvent(occurred_at=T0, actor=Actor.system(), aggregate_id=aggregate_id)


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    with InMemoryUnitOfWork(store) as uow:
        uow.repository("counters", Counter).add(Counter(id="c"))
        uow.commit()
    return store


def test_add_get_version(store: InMemoryStore) -> None:
    with InMemoryUnitOfWork(store) as uow:
        repo = uow.repository("counters", Counter)
        assert repo.get("c") == Counter(id="c", version=1)
        with pytest.raises(NotFoundError) as info:
            repo.get("nope")
        assert str(info.value) == "no counters with id 'nope'"
        repo.add(Counter(id="d"))
        uow.repository("others", Counter).add(Counter(id="z"))
        with pytest.raises(DuplicateIdError):
            repo.add(Counter(id="d"))
        assert {c.id for c in repo} == {"c", "d"}
        assert repo.get("d").version == 0


def test_adding_a_stored_id_reads_nothing_and_is_refused_on_commit(
    store: InMemoryStore,
) -> None:
    with InMemoryUnitOfWork(store) as uow:
        repo = uow.repository("counters", Counter)
        repo.add(Counter(id="c"))  # no read: the commit finds the stored id
        repo.add(Counter(id="e"))
        with pytest.raises(DuplicateIdError):
            uow.commit()
    with InMemoryUnitOfWork(store) as uow:
        assert [c.id for c in uow.repository("counters", Counter)] == ["c"]


def test_two_units_of_work_second_commit_is_stale(store: InMemoryStore) -> None:
    publisher = InMemoryEventPublisher()
    first = InMemoryUnitOfWork(store, publisher)
    second = InMemoryUnitOfWork(store, publisher)
    with first, second:
        a = first.repository("counters", Counter).get("c")
        b = second.repository("counters", Counter).get("c")
        first.repository("counters", Counter).save(attrs.evolve(a, value=1))
        first.collect([_event()])
        second.repository("counters", Counter).save(attrs.evolve(b, value=2))
        second.repository("counters", Counter).add(Counter(id="other"))
        second.collect([_event()])
        first.commit()
        with pytest.raises(StaleVersionError) as info:
            second.commit()
    assert info.value.details["expected"] == 1
    assert info.value.details["actual"] == 2
    with InMemoryUnitOfWork(store) as uow:
        repo = uow.repository("counters", Counter)
        assert repo.get("c") == Counter(id="c", value=1, version=2)
        with pytest.raises(NotFoundError):
            repo.get("other")
    assert len(publisher.published) == 1
    assert store.events == []  # handed to the publisher, not kept


def test_rollback_leaves_nothing(store: InMemoryStore) -> None:
    publisher = InMemoryEventPublisher()
    with InMemoryUnitOfWork(store, publisher) as uow:
        uow.repository("counters", Counter).add(Counter(id="e"))
        uow.collect([_event("e")])
    with InMemoryUnitOfWork(store) as uow, pytest.raises(NotFoundError):
        uow.repository("counters", Counter).get("e")
    assert publisher.published == []
    assert store.events == []


def test_exception_rolls_back(store: InMemoryStore) -> None:
    def fail_inside() -> None:
        with InMemoryUnitOfWork(store) as uow:
            uow.repository("counters", Counter).add(Counter(id="f"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_inside()
    with InMemoryUnitOfWork(store) as uow, pytest.raises(NotFoundError):
        uow.repository("counters", Counter).get("f")


def test_save_twice_in_one_unit_keeps_first_expected_version(
    store: InMemoryStore,
) -> None:
    with InMemoryUnitOfWork(store) as uow:
        repo = uow.repository("counters", Counter)
        counter = repo.get("c")
        repo.save(attrs.evolve(counter, value=1))
        again = repo.get("c")
        repo.save(attrs.evolve(again, value=2))
        uow.commit()
    with InMemoryUnitOfWork(store) as uow:
        assert uow.repository("counters", Counter).get("c") == Counter(
            id="c", value=2, version=2
        )


def test_save_of_deleted_or_missing_is_stale() -> None:
    store = InMemoryStore()
    with InMemoryUnitOfWork(store) as uow:
        uow.repository("counters", Counter).save(Counter(id="ghost", version=1))
        with pytest.raises(StaleVersionError):
            uow.commit()


def test_concurrent_add_of_same_id_is_duplicate() -> None:
    store = InMemoryStore()
    first, second = InMemoryUnitOfWork(store), InMemoryUnitOfWork(store)
    with first, second:
        first.repository("counters", Counter).add(Counter(id="x"))
        second.repository("counters", Counter).add(Counter(id="x"))
        first.commit()
        with pytest.raises(DuplicateIdError):
            second.commit()


def _bump(uow: InMemoryUnitOfWork) -> int:
    repo = uow.repository("counters", Counter)
    counter = repo.get("c")
    repo.save(attrs.evolve(counter, value=counter.value + 1))
    uow.collect([_event()])
    return counter.value + 1


def test_run_in_transaction_retries_until_it_wins(store: InMemoryStore) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(50):
                run_in_transaction(
                    lambda: InMemoryUnitOfWork(store), _bump, attempts=1000
                )
        except BaseException as exc:  # noqa: BLE001  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with InMemoryUnitOfWork(store) as uow:
        assert uow.repository("counters", Counter).get("c").value == 200
    assert len(store.events) == 200


def test_run_in_transaction_gives_up(store: InMemoryStore) -> None:
    def always_loses(uow: InMemoryUnitOfWork) -> None:
        repo = uow.repository("counters", Counter)
        counter = repo.get("c")
        with InMemoryUnitOfWork(store) as other:  # someone else wins the race
            _bump(other)
            other.commit()
        repo.save(attrs.evolve(counter, value=-1))

    with pytest.raises(StaleVersionError):
        run_in_transaction(lambda: InMemoryUnitOfWork(store), always_loses, attempts=2)
    with pytest.raises(InvalidValueError):
        run_in_transaction(lambda: InMemoryUnitOfWork(store), _bump, attempts=0)


def test_a_lost_race_waits_a_jittered_backoff_before_the_next_attempt(
    store: InMemoryStore,
) -> None:
    def always_loses(uow: InMemoryUnitOfWork) -> None:
        counter = uow.repository("counters", Counter).get("c")
        with InMemoryUnitOfWork(store) as other:
            _bump(other)
            other.commit()
        uow.repository("counters", Counter).save(counter)

    waits: list[float] = []
    backoff = TransactionBackoff(
        first=timedelta(milliseconds=10), cap=timedelta(milliseconds=30)
    )
    with pytest.raises(StaleVersionError):
        run_in_transaction(
            lambda: InMemoryUnitOfWork(store),
            always_loses,
            attempts=4,
            backoff=backoff,
            sleep=waits.append,
            jitter=lambda: 0.5,
        )
    assert waits == [0.005, 0.01, 0.015]  # bounds 10, 20, 30 (capped) ms; none after
    assert Policies().transaction_backoff == TransactionBackoff()
    with pytest.raises(InvalidValueError):
        TransactionBackoff(first=timedelta(seconds=-1))


@attrs.frozen(kw_only=True)
class Tagged:
    id: str
    tag: str
    version: int = 0


def _tags(store: InMemoryStore, tag: str) -> list[str]:
    with InMemoryUnitOfWork(store) as uow:
        return [t.id for t in uow.repository("tagged", Tagged).find("tag", tag)]


def _retag(store: InMemoryStore, aggregate_id: str, tag: str) -> None:
    with InMemoryUnitOfWork(store) as uow:
        repo = uow.repository("tagged", Tagged)
        repo.save(attrs.evolve(repo.get(aggregate_id), tag=tag))
        uow.commit()


def test_index_entries_move_between_one_id_and_several() -> None:
    store = InMemoryStore()
    store.register_index("tagged", lambda t: [("tag", t.tag)])
    with InMemoryUnitOfWork(store) as uow:
        for name in "abc":
            uow.repository("tagged", Tagged).add(Tagged(id=name, tag="x"))
        uow.commit()
    assert _tags(store, "x") == ["a", "b", "c"]
    _retag(store, "a", "y")
    assert (_tags(store, "x"), _tags(store, "y")) == (["b", "c"], ["a"])
    _retag(store, "b", "y")
    assert (_tags(store, "x"), _tags(store, "y")) == (["c"], ["a", "b"])
    _retag(store, "c", "y")
    assert (_tags(store, "x"), _tags(store, "y")) == ([], ["a", "b", "c"])
    with InMemoryUnitOfWork(store) as uow:  # an unchanged save keeps its entries
        repo = uow.repository("tagged", Tagged)
        repo.save(repo.get("a"))
        uow.commit()
    assert _tags(store, "y") == ["a", "b", "c"]


def test_relay_hands_out_the_outbox_and_drops_it(store: InMemoryStore) -> None:
    for name in ("e1", "e2"):
        with InMemoryUnitOfWork(store) as uow:
            uow.collect([_event(name)])
            uow.commit()
    assert [e.aggregate_id for e in store.events] == ["e1", "e2"]

    class Broken:
        def publish(self, events: object) -> None:
            raise ConnectionError

    with pytest.raises(ConnectionError):
        store.relay(Broken())
    assert [e.aggregate_id for e in store.events] == ["e1", "e2"]  # kept for later
    publisher = InMemoryEventPublisher()
    assert store.relay(publisher) == 2
    assert [e.aggregate_id for e in publisher.published] == ["e1", "e2"]
    assert store.events == []
    assert store.relay(publisher) == 0
