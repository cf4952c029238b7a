from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.adapters import codec
from booking_core.adapters.memory import (
    InMemoryEventPublisher,
    InMemoryStore,
    InMemoryUnitOfWork,
)
from booking_core.adapters.sqlite import MIGRATIONS, SqliteDatabase, SqliteUnitOfWork
from booking_core.errors import DuplicateIdError, NotFoundError, StaleVersionError
from booking_core.events import DomainEvent
from booking_core.services import run_in_transaction

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)


@attrs.frozen(kw_only=True)
class Seat:
    id: str
    room: str
    taken: bool = False
    version: int = 0


codec.register_type("tests.seat", Seat)


def _event(aggregate_id: str) -> DomainEvent:
    return DomainEvent(occurred_at=T0, actor=Actor.system(), aggregate_id=aggregate_id)


def _by_room(seat: Seat) -> list[tuple[str, str]]:
    return [("room", seat.room)] + ([("taken", seat.room)] if seat.taken else [])


@pytest.fixture
def database(tmp_path: Path) -> SqliteDatabase:
    db = SqliteDatabase(tmp_path / "test.sqlite3")
    db.register_index("seats", _by_room)
    return db


def test_schema_is_versioned_and_reopen_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = SqliteDatabase(path)
    assert first.schema_version() == len(MIGRATIONS)
    first.close()
    second = SqliteDatabase(path)
    assert second.schema_version() == len(MIGRATIONS)
    second.close()
    second.close()  # closing twice is harmless


def test_failed_migration_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import booking_core.adapters.sqlite as module

    monkeypatch.setattr(
        module.SqliteDialect, "migrations", (*MIGRATIONS, "CREATE TABLE broken (")
    )
    with pytest.raises(Exception, match=r"incomplete input|syntax error"):
        SqliteDatabase(tmp_path / "db.sqlite3")
    monkeypatch.undo()
    assert SqliteDatabase(tmp_path / "db.sqlite3").schema_version() == len(MIGRATIONS)


def test_add_get_save_and_stale(database: SqliteDatabase) -> None:
    publisher = InMemoryEventPublisher()
    with SqliteUnitOfWork(database, publisher) as uow:
        uow.repository("seats", Seat).add(Seat(id="a", room="r1"))
        uow.collect([_event("a")])
        uow.commit()
    assert [e.aggregate_id for e in publisher.published] == ["a"]
    first, second = SqliteUnitOfWork(database), SqliteUnitOfWork(database)
    with first, second:
        one = first.repository("seats", Seat).get("a")
        two = second.repository("seats", Seat).get("a")
        assert one.version == 1
        first.repository("seats", Seat).save(attrs.evolve(one, taken=True))
        second.repository("seats", Seat).save(attrs.evolve(two, room="r2"))
        second.repository("seats", Seat).add(Seat(id="b", room="r2"))
        second.collect([_event("a")])
        first.commit()
        with pytest.raises(StaleVersionError) as info:
            second.commit()
    assert info.value.details == {
        "kind": "seats",
        "id": "a",
        "expected": 1,
        "actual": 2,
    }
    with SqliteUnitOfWork(database) as uow:
        repo = uow.repository("seats", Seat)
        assert repo.get("a") == Seat(id="a", room="r1", taken=True, version=2)
        with pytest.raises(NotFoundError):
            repo.get("b")
    assert len(database.events()) == 1


def test_duplicates(database: SqliteDatabase) -> None:
    with SqliteUnitOfWork(database) as uow:
        uow.repository("seats", Seat).add(Seat(id="a", room="r1"))
        with pytest.raises(DuplicateIdError):
            uow.repository("seats", Seat).add(Seat(id="a", room="r1"))
        uow.commit()
    first, second = SqliteUnitOfWork(database), SqliteUnitOfWork(database)
    with first, second:
        first.repository("seats", Seat).add(Seat(id="x", room="r"))
        second.repository("seats", Seat).add(Seat(id="x", room="r"))
        first.commit()
        with pytest.raises(DuplicateIdError):
            second.commit()


def test_save_of_missing_is_stale(database: SqliteDatabase) -> None:
    with SqliteUnitOfWork(database) as uow:
        uow.repository("seats", Seat).save(Seat(id="ghost", room="r", version=3))
        with pytest.raises(StaleVersionError) as info:
            uow.commit()
    assert info.value.details["actual"] is None


def test_rollback_leaves_nothing(database: SqliteDatabase) -> None:
    with SqliteUnitOfWork(database) as uow:
        uow.repository("seats", Seat).add(Seat(id="a", room="r1"))
        uow.collect([_event("a")])
    with SqliteUnitOfWork(database) as uow:
        assert uow.repository("seats", Seat).list() == []
    assert database.events() == []


def _seed(uow: SqliteUnitOfWork | InMemoryUnitOfWork) -> None:
    repo = uow.repository("seats", Seat)
    repo.add(Seat(id="a", room="r1"))
    repo.add(Seat(id="b", room="r1", taken=True))
    repo.add(Seat(id="c", room="r2"))
    uow.commit()


def _find_behaviour(uow_factory: object) -> None:
    make = uow_factory  # a zero-argument callable returning a unit of work
    with make() as uow:  # type: ignore[operator]
        _seed(uow)
    with make() as uow:  # type: ignore[operator]
        repo = uow.repository("seats", Seat)
        assert [s.id for s in repo.find("room", "r1")] == ["a", "b"]
        assert [s.id for s in repo.find("taken", "r1")] == ["b"]
        repo.save(attrs.evolve(repo.get("a"), taken=True))
        repo.save(attrs.evolve(repo.get("b"), room="r2", taken=False))
        assert [s.id for s in repo.find("taken", "r1")] == ["a"]
        assert [s.id for s in repo.find("room", "r2")] == ["b", "c"]
        uow.commit()
    with make() as uow:  # type: ignore[operator]
        repo = uow.repository("seats", Seat)
        assert [s.id for s in repo.find("taken", "r1")] == ["a"]
        assert [s.id for s in repo.find("room", "r2")] == ["b", "c"]
        assert [s.id for s in repo.find("room", "nowhere")] == []
        assert [s.id for s in repo] == ["a", "b", "c"]
        assert uow.repository("unindexed", Seat).find("room", "r1") == []


def test_find_sqlite(database: SqliteDatabase) -> None:
    _find_behaviour(lambda: SqliteUnitOfWork(database))


def test_find_memory() -> None:
    store = InMemoryStore()
    store.register_index("seats", _by_room)
    _find_behaviour(lambda: InMemoryUnitOfWork(store))


def test_outbox_relay_delivers_at_least_once(database: SqliteDatabase) -> None:
    with SqliteUnitOfWork(database) as uow:  # no publisher: events wait in the outbox
        uow.repository("seats", Seat).add(Seat(id="a", room="r"))
        uow.collect([_event("a"), _event("a")])
        uow.commit()
    publisher = InMemoryEventPublisher()
    assert database.relay(publisher) == 2
    assert database.relay(publisher) == 0
    assert len(publisher.published) == 2
    assert publisher.published == database.events()


@pytest.mark.parametrize("where", ["memory", "file"])
def test_threads_never_lose_an_update(where: str, tmp_path: Path) -> None:
    database = SqliteDatabase(
        ":memory:" if where == "memory" else tmp_path / "threads.sqlite3"
    )
    with SqliteUnitOfWork(database) as uow:
        uow.repository("seats", Seat).add(Seat(id="a", room="0"))
        uow.commit()

    def bump(uow: SqliteUnitOfWork) -> None:
        repo = uow.repository("seats", Seat)
        seat = repo.get("a")
        repo.save(attrs.evolve(seat, room=str(int(seat.room) + 1)))

    def worker() -> None:
        for _ in range(25):
            run_in_transaction(lambda: SqliteUnitOfWork(database), bump, attempts=1000)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with SqliteUnitOfWork(database) as uow:
        assert uow.repository("seats", Seat).get("a").room == "100"
    database.close()


def test_an_in_memory_database_has_one_connection_for_every_thread() -> None:
    import threading

    database = SqliteDatabase(":memory:")
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(database.connection()))
    thread.start()
    thread.join()
    assert seen == [database.connection()]
    database.close()


def test_an_old_file_is_reindexed_by_its_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import booking_core.adapters.sqlite as module
    from booking_core.intervals import TimeWindow
    from booking_core.sessions.model import Session

    path = tmp_path / "old.sqlite3"
    window = TimeWindow.of(
        datetime(2026, 6, 1, 9, tzinfo=timezone.utc), timedelta(hours=1)
    )
    monkeypatch.setattr(module.SqliteDialect, "migrations", MIGRATIONS[:1])
    old = SqliteDatabase(path)
    with SqliteUnitOfWork(old) as uow:
        uow.sessions.add(
            Session(
                id="s-1",
                kind="group",
                teacher_id="t-1",
                course_id="c-1",
                window=window,
                zone="Europe/London",
                capacity=3,
            )
        )
        uow.commit()
    # what version 1 of the library wrote: no day buckets
    with old.transaction() as cursor:
        cursor.execute(
            "DELETE FROM index_entries WHERE name LIKE '%\\_day/%' ESCAPE '\\'"
        )
    with SqliteUnitOfWork(old) as uow:
        assert uow.sessions.scheduled_of("t-1", overlapping=window) == []
    old.close()
    monkeypatch.undo()
    upgraded = SqliteDatabase(path)
    assert upgraded.schema_version() == len(MIGRATIONS)
    with SqliteUnitOfWork(upgraded) as uow:
        assert [s.id for s in uow.sessions.scheduled_of("t-1", overlapping=window)] == [
            "s-1"
        ]
        assert [s.id for s in uow.sessions.taught_by("t-1")] == ["s-1"]
    upgraded.close()


def test_reindex_drops_the_entries_of_a_collection_without_indexer(
    database: SqliteDatabase,
) -> None:
    with SqliteUnitOfWork(database) as uow:
        uow.repository("seats", Seat).add(Seat(id="a", room="r1"))
        uow.commit()
    database._indexers.pop("seats")
    with database.transaction() as cursor:
        assert database.reindex(cursor, "seats") == 0
    assert database.query(
        "SELECT count(*) FROM index_entries WHERE collection = 'seats'"
    ) == [(0,)]


def test_a_page_after_an_item_that_left_its_set_starts_again() -> None:
    from booking_core.adapters._repositories import page

    items = [Seat(id="a", room="r1"), Seat(id="b", room="r2")]
    gone = Seat(id="z", room="")

    def key(seat: Seat) -> tuple[str | None, str]:
        return (seat.room or None, seat.id)

    assert page(items, after="z", key=key, anchor=lambda _: gone) == items
    assert page(items, after="a", key=key, anchor=lambda _: items[0]) == items[1:]
