"""The SQL kernel's decoded cache: reused only for the same row text, bounded, shared.

A read whose row has the version and body text of a kept entry gets the kept
immutable aggregate instead of decoding; any other text is decoded. What is
stored, and compare-and-set, never change.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

from booking_core.adapters import codec
from booking_core.adapters._decoded import DecodedCache, immutable
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.availability.schedule import StudentCalendar
from booking_core.errors import StaleVersionError
from booking_core.intervals import TimeWindow
from booking_core.sessions import Session
from booking_core.type_names import TYPE_NAMES

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
CALENDARS = "student_calendars"

# An annotation naming a container whose instances can change in place.
_MUTABLE = re.compile(r"(?<!frozen)\b(list|dict|set|Any|Mapping|Sequence|object)\b")


@attrs.frozen(kw_only=True)
class _HostItem:
    id: str
    version: int = 0


@attrs.define(kw_only=True)
class _Unfrozen:
    id: str
    version: int = 0


codec.register_type("tests.decoded.host_item", _HostItem)
codec.register_type("tests.decoded.unfrozen", _Unfrozen)


def _session(session_id: str = "s-1", capacity: int = 10) -> Session:
    return Session(
        id=session_id,
        kind="group",
        teacher_id="t",
        course_id="c",
        window=TimeWindow.of(T0 + timedelta(days=7), timedelta(hours=1)),
        zone="Europe/London",
        capacity=capacity,
    )


def _body(aggregate: Any, version: int) -> str:
    return codec.dumps(aggregate, replace={"version": version})


def test_every_registered_library_type_is_immutable() -> None:
    """What makes sharing a kept aggregate safe: frozen, immutable fields only."""
    for name in TYPE_NAMES:
        cls = codec._load(name)
        if not attrs.has(cls):
            continue
        assert immutable(cls), name
        for field in attrs.fields(cls):
            assert not _MUTABLE.search(str(field.type)), (name, field.name)


def test_host_types_unfrozen_classes_and_plain_values_are_never_kept() -> None:
    assert not immutable(_HostItem)  # frozen, but the host's: always decoded
    assert not immutable(_Unfrozen)
    assert not immutable(tuple)
    assert immutable(Session)  # decided once, then looked up
    cache = DecodedCache(entries=4, max_chars=1_000)
    item = _HostItem(id="h-1")
    cache.put("items", "h-1", 1, _body(item, 1), item)
    assert len(cache) == 0
    assert cache.get("items", "h-1", 1, _body(item, 1)) is None


def test_a_hit_needs_the_same_version_and_the_same_text() -> None:
    cache = DecodedCache(entries=4, max_chars=1_000)
    calendar = StudentCalendar(id="s-1", version=1)
    body = _body(calendar, 1)
    cache.put(CALENDARS, "s-1", 1, body, calendar)
    assert cache.get(CALENDARS, "s-1", 1, body) is calendar
    assert cache.get(CALENDARS, "s-1", 1, "".join(body)) is calendar  # equal text
    assert cache.get(CALENDARS, "s-1", 2, body) is None  # another version
    assert cache.get(CALENDARS, "s-1", 1, body.replace("s-1", "s-2")) is None
    assert cache.get(CALENDARS, "s-2", 1, body) is None  # another row
    assert cache.get("other", "s-1", 1, body) is None


def test_a_written_aggregate_gets_its_stored_version_on_first_use() -> None:
    cache = DecodedCache(entries=4, max_chars=1_000)
    staged = StudentCalendar(id="s-1", version=3)  # saved as version 4
    body = _body(staged, 4)
    cache.put(CALENDARS, "s-1", 4, body, staged)
    first = cache.get(CALENDARS, "s-1", 4, body)
    assert first == codec.loads(body, replace={"version": 4})
    assert first is not None
    assert first.version == 4
    assert cache.get(CALENDARS, "s-1", 4, body) is first  # kept with its version
    assert staged.version == 3  # the version went on a copy


def test_the_version_applied_on_a_hit_gives_what_evolve_gives() -> None:
    cache = DecodedCache(entries=4, max_chars=1_000)
    staged = attrs.evolve(_session(), version=6)  # saved as version 7
    body = _body(staged, 7)
    cache.put("sessions", "s-1", 7, body, staged)
    read = cache.get("sessions", "s-1", 7, body)
    assert read == attrs.evolve(staged, version=7) == codec.loads(body)
    assert read is not None
    assert (read.window, read.seats) == (staged.window, staged.seats)
    assert staged.version == 6


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = DecodedCache(entries=2, max_chars=1_000)
    kept = {n: StudentCalendar(id=f"s-{n}", version=1) for n in range(3)}
    bodies = {n: _body(calendar, 1) for n, calendar in kept.items()}
    cache.put(CALENDARS, "s-0", 1, bodies[0], kept[0])
    cache.put(CALENDARS, "s-1", 1, bodies[1], kept[1])
    assert cache.get(CALENDARS, "s-0", 1, bodies[0]) is kept[0]  # s-1 is now oldest
    cache.put(CALENDARS, "s-2", 1, bodies[2], kept[2])
    assert len(cache) == 2
    assert cache.get(CALENDARS, "s-1", 1, bodies[1]) is None
    assert cache.get(CALENDARS, "s-0", 1, bodies[0]) is kept[0]
    assert cache.get(CALENDARS, "s-2", 1, bodies[2]) is kept[2]


def test_a_long_body_is_not_kept_and_drops_the_old_entry() -> None:
    cache = DecodedCache(entries=4, max_chars=200)
    short = StudentCalendar(id="s-1", version=1)
    cache.put(CALENDARS, "s-1", 1, _body(short, 1), short)
    session = _session()
    long_body = _body(session, 2)
    assert len(long_body) > 200
    cache.put(CALENDARS, "s-1", 2, long_body, session)
    assert len(cache) == 0
    assert cache.get(CALENDARS, "s-1", 1, _body(short, 1)) is None


def test_no_entries_keeps_nothing() -> None:
    cache = DecodedCache(entries=0, max_chars=1_000)
    calendar = StudentCalendar(id="s-1", version=1)
    cache.put(CALENDARS, "s-1", 1, _body(calendar, 1), calendar)
    assert len(cache) == 0


def test_threads_share_one_cache_safely() -> None:
    cache = DecodedCache(entries=8, max_chars=1_000)
    rows = [StudentCalendar(id=f"s-{n}", version=1) for n in range(16)]
    bodies = [_body(row, 1) for row in rows]
    wrong: list[object] = []

    def worker(offset: int) -> None:
        for turn in range(300):
            n = (turn + offset) % len(rows)
            found = cache.get(CALENDARS, rows[n].id, 1, bodies[n])
            if found is None:
                cache.put(CALENDARS, rows[n].id, 1, bodies[n], rows[n])
            elif found is not rows[n]:
                wrong.append(found)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert len(cache) == 8


# -- through the SQLite adapter ------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> SqliteDatabase:
    return SqliteDatabase(tmp_path / "cache.sqlite3")


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    decoded: list[str] = []
    loads = codec.loads

    def counting(text: Any, **kwargs: Any) -> Any:
        decoded.append(text)
        return loads(text, **kwargs)

    monkeypatch.setattr(codec, "loads", counting)
    return decoded


def test_a_committed_row_is_read_back_without_decoding(
    database: SqliteDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SqliteUnitOfWork(database) as uow:
        uow.sessions.add(_session())
        uow.commit()
    decoded = _count_decodes(monkeypatch)
    with SqliteUnitOfWork(database) as uow:
        stored = uow.sessions.get("s-1")
        assert stored.version == 1
        found = uow.repository("sessions", Session).find("teacher", "t")
        assert found == [stored]
        uow.sessions.save(attrs.evolve(stored, capacity=12))
        uow.commit()
    with SqliteUnitOfWork(database) as uow:
        again = uow.sessions.get("s-1")
    assert decoded == []
    (body,) = [row[0] for row in database.query("SELECT body FROM aggregates")]
    assert again == codec.loads(body, replace={"version": 2})
    assert (again.capacity, again.version) == (12, 2)


def test_a_row_another_writer_changed_is_decoded_again(
    database: SqliteDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SqliteUnitOfWork(database) as uow:
        uow.sessions.add(_session())
        uow.commit()
    other = SqliteDatabase(tmp_path / "cache.sqlite3")  # another process's view
    with SqliteUnitOfWork(other) as uow:
        session = uow.sessions.get("s-1")
        uow.sessions.save(attrs.evolve(session, capacity=20))
        uow.commit()
    decoded = _count_decodes(monkeypatch)
    with SqliteUnitOfWork(database) as uow:
        fresh = uow.sessions.get("s-1")
        assert (fresh.capacity, fresh.version) == (20, 2)
        assert len(decoded) == 1
        assert uow.sessions.get("s-1") is fresh  # now kept: no second decoding
        assert len(decoded) == 1
        uow.sessions.save(attrs.evolve(fresh, capacity=30))
        with SqliteUnitOfWork(other) as racer:
            racer.sessions.save(attrs.evolve(racer.sessions.get("s-1"), capacity=40))
            racer.commit()
        with pytest.raises(StaleVersionError):
            uow.commit()  # compare-and-set is untouched
    with SqliteUnitOfWork(database) as uow:
        assert uow.sessions.get("s-1").capacity == 40
    other.close()
    database.close()


def test_host_aggregates_are_decoded_on_every_read(
    database: SqliteDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SqliteUnitOfWork(database) as uow:
        uow.repository("items", _HostItem).add(_HostItem(id="h-1"))
        uow.commit()
    decoded = _count_decodes(monkeypatch)
    with SqliteUnitOfWork(database) as uow:
        first = uow.repository("items", _HostItem).get("h-1")
        second = uow.repository("items", _HostItem).get("h-1")
    assert first == second
    assert first is not second
    assert len(decoded) == 2
