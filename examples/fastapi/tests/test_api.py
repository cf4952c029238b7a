"""The API through FastAPI's TestClient, on SQLite and on PostgreSQL.

Every test runs on a temporary SQLite file and, when ``BOOKING_CORE_PG_DSN``
names a PostgreSQL database (``nox -s examples`` starts a throwaway cluster and
sets it), on a schema of its own there, dropped afterwards.
"""

from __future__ import annotations

import importlib
import os
import threading
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from booking_core import bootstrap
from booking_core.actors import Actor
from booking_core.bookings.model import SeatBooked
from booking_core.clock import ManualClock
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from fastapi.testclient import TestClient

from booking_api import seed
from booking_api.app import create_app
from booking_api.storage import (
    DSN_VARIABLE,
    FILE_VARIABLE,
    SCHEMA_VARIABLE,
    Store,
    open_store,
    postgres_store,
    sqlite_store,
)

# 20 March 2026: London changes to summer time on the 29th, so the sessions
# scheduled ten days ahead start after the change; Kolkata has no DST.
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)
TEACHER = Actor.teacher("teacher-1")
TEST_DSN = "BOOKING_CORE_PG_DSN"
"""The PostgreSQL database the tests may use (the package's tests' variable)."""


class Events:
    """An event publisher that remembers what it was given."""

    def __init__(self) -> None:
        self.published: list[DomainEvent] = []

    def publish(self, events: Sequence[DomainEvent]) -> None:
        self.published.extend(events)


def _drop_schema(dsn: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which shipped adapter the test runs on."""
    if request.param == "postgres" and not os.environ.get(TEST_DSN):
        pytest.skip(f"PostgreSQL: {TEST_DSN} is not set")
    return str(request.param)


@pytest.fixture
def schema(backend: str) -> Iterator[str]:
    """A PostgreSQL schema of the test's own (dropped after it)."""
    name = f"api_{uuid.uuid4().hex[:12]}"
    yield name
    if backend == "postgres":
        _drop_schema(os.environ[TEST_DSN], name)


@pytest.fixture
def store(backend: str, schema: str, tmp_path: Path) -> Iterator[Store]:
    opened = (
        sqlite_store(tmp_path / "api.sqlite3")
        if backend == "sqlite"
        else postgres_store(os.environ[TEST_DSN], schema=schema)
    )
    yield opened
    opened.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def client(store: Store, clock: ManualClock, events: Events) -> TestClient:
    return TestClient(create_app(store, clock=clock, publisher=events))


@pytest.fixture
def schedule(store: Store, clock: ManualClock) -> Any:
    service = bootstrap(uow_factory=store.uow_factory(), clock=clock).sessions

    def schedule(
        session_id: str, *, capacity: int, days: int = 10, zone: str = "Europe/London"
    ) -> None:
        service.schedule(
            session_id=session_id,
            kind="group",
            teacher_id=TEACHER.user_id,
            course_id="course-1",
            window=TimeWindow.of(NOW + timedelta(days=days), timedelta(hours=1)),
            zone=zone,
            capacity=capacity,
            waitlist_enabled=True,
            actor=TEACHER,
        )

    return schedule


def _book(client: TestClient, session_id: str, student: str, **headers: str) -> Any:
    return client.post(
        f"/sessions/{session_id}/bookings",
        json={"seats": 1},
        headers={"X-Student-Id": student, **headers},
    )


def test_list_sessions_with_their_seats(client: TestClient, schedule: Any) -> None:
    schedule("yoga", capacity=2, days=10)
    schedule("maths", capacity=5, days=3, zone="Asia/Kolkata")
    schedule("far", capacity=5, days=60)
    _book(client, "yoga", "ann")

    listed = client.get("/sessions", params={"days": 30})

    assert listed.status_code == 200
    assert [(s["session_id"], s["remaining"]) for s in listed.json()] == [
        ("maths", 5),
        ("yoga", 1),
    ]
    yoga = client.get("/sessions/yoga").json()
    assert yoga["start"] == "2026-03-30T09:00:00Z"
    assert (yoga["confirmed"], yoga["booking_open"]) == (1, True)


def test_last_seat_booked_twice(
    client: TestClient, schedule: Any, events: Events
) -> None:
    schedule("yoga", capacity=1)
    ann = _book(client, "yoga", "ann")
    bob = _book(client, "yoga", "bob")
    assert (ann.status_code, ann.json()["status"]) == (201, "confirmed")
    assert (bob.status_code, bob.json()["status"]) == (201, "waitlisted")
    assert isinstance(events.published[0], SeatBooked)


def test_last_seat_raced_from_threads(client: TestClient, schedule: Any) -> None:
    schedule("yoga", capacity=1)
    students = ["ann", "bob", "cat", "dan"]
    barrier = threading.Barrier(len(students))
    results: dict[str, Any] = {}

    def request(student: str) -> None:
        barrier.wait()
        results[student] = _book(client, "yoga", student)

    threads = [threading.Thread(target=request, args=(s,)) for s in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(r.json()["status"] for r in results.values())
    assert statuses == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]
    seats = client.get("/sessions/yoga").json()
    assert (seats["confirmed"], seats["waitlisted"]) == (1, 3)


def test_cancel_promotes_the_next_student(client: TestClient, schedule: Any) -> None:
    schedule("yoga", capacity=1)
    ann = _book(client, "yoga", "ann").json()
    _book(client, "yoga", "bob")

    cancelled = client.post(
        f"/bookings/{ann['id']}/cancel",
        json={"reason": "moved house"},
        headers={"X-Student-Id": "ann"},
    )

    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    seats = client.get("/sessions/yoga").json()
    assert (seats["confirmed"], seats["waitlisted"]) == (1, 0)


def test_refusals_map_family_to_status_with_the_code(
    client: TestClient, schedule: Any
) -> None:
    schedule("yoga", capacity=2)
    ann = _book(client, "yoga", "ann").json()
    refusals = [
        (_book(client, "yoga", "ann"), 409, "booking.already_booked"),
        (_book(client, "nope", "ann"), 404, "not_found"),
        (client.get("/sessions/nope"), 404, "not_found"),
        (
            client.post(
                f"/bookings/{ann['id']}/cancel", headers={"X-Student-Id": "eve"}
            ),
            403,
            "booking.not_holder",
        ),
        (
            client.post(
                "/sessions/yoga/bookings",
                json={"seats": 3},
                headers={"X-Student-Id": "cat"},
            ),
            409,
            "booking.too_many_seats",
        ),
    ]
    for response, status, code in refusals:
        assert (response.status_code, response.json()["code"]) == (status, code)
        assert response.json()["message"]
    # the framework's own validation: no student header
    assert client.post("/sessions/yoga/bookings").status_code == 422
    # nothing changed
    seats = client.get("/sessions/yoga").json()
    assert (seats["confirmed"], seats["waitlisted"]) == (1, 0)


def test_idempotency_key(client: TestClient, schedule: Any) -> None:
    schedule("yoga", capacity=3)
    first = _book(client, "yoga", "ann", **{"Idempotency-Key": "k-1"})
    retry = _book(client, "yoga", "ann", **{"Idempotency-Key": "k-1"})
    assert first.json() == retry.json()
    other = client.post(
        "/sessions/yoga/bookings",
        json={"seats": 2},
        headers={"X-Student-Id": "ann", "Idempotency-Key": "k-1"},
    )
    assert (other.status_code, other.json()["code"]) == (
        409,
        "booking.idempotency_key_reused",
    )


def test_no_booking_once_started(
    client: TestClient, schedule: Any, clock: ManualClock
) -> None:
    schedule("yoga", capacity=3, days=1)
    clock.advance(timedelta(days=1, minutes=1))
    response = _book(client, "yoga", "ann")
    assert (response.status_code, response.json()["code"]) == (
        409,
        "booking.session_not_bookable",
    )
    assert client.get("/sessions").json() == []


def test_seed_then_serve_from_the_configured_database(
    backend: str, schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m booking_api.seed`` and ``booking_api.main:app`` share one store."""
    monkeypatch.setenv(FILE_VARIABLE, str(tmp_path / "served.sqlite3"))
    if backend == "postgres":
        monkeypatch.setenv(DSN_VARIABLE, os.environ[TEST_DSN])
        monkeypatch.setenv(SCHEMA_VARIABLE, schema)
    else:
        monkeypatch.delenv(DSN_VARIABLE, raising=False)
    seed.main()
    main = importlib.reload(importlib.import_module("booking_api.main"))
    try:
        assert (
            main.store.name == {"sqlite": "SQLite", "postgres": "PostgreSQL"}[backend]
        )
        served = TestClient(main.app)
        assert [s["session_id"] for s in served.get("/sessions").json()] == [
            "yoga-1",
            "maths-1",
        ]
        booked = _book(served, "yoga-1", "ann")
        assert booked.json()["status"] == "confirmed"
    finally:
        main.store.close()


def test_a_dsn_selects_postgresql_and_its_schema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a DSN the file; the DSN wins over the file when both are set."""
    seen: list[tuple[str, str]] = []

    def fake_postgres(dsn: str, *, schema: str = "booking_core") -> Store:
        seen.append((dsn, schema))
        raise RuntimeError("not opened")

    from booking_api import storage

    monkeypatch.setattr(storage, "postgres_store", fake_postgres)
    with pytest.raises(RuntimeError):
        open_store({DSN_VARIABLE: "postgresql://app@db/app", FILE_VARIABLE: "x"})
    with pytest.raises(RuntimeError):
        open_store({DSN_VARIABLE: "dbname=app", SCHEMA_VARIABLE: "tenant_1"})
    assert seen == [
        ("postgresql://app@db/app", "booking_core"),
        ("dbname=app", "tenant_1"),
    ]
