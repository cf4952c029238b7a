"""What the child processes of the SQLite process tests run.

Children are started with the ``spawn`` context and run this file through
``runpy.run_path(path, init_globals, run_name="__sqlite_worker__")`` (test
modules are not importable by name in a fresh interpreter); ``init_globals``
carries ``TASK`` (a function name below) and ``ARGS`` (its keyword arguments).
Importing the file does nothing.
"""

from __future__ import annotations

import os
import random
import signal
from datetime import datetime, timezone
from typing import Any

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.clock import ManualClock
from booking_core.policies import Policies
from booking_core.services.booking import BookingService

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)


def service_on(
    database: SqliteDatabase, publisher: InMemoryEventPublisher | None = None
) -> BookingService:
    """A booking service on ``database`` that keeps retrying lost races."""
    return BookingService(
        uow_factory=lambda: SqliteUnitOfWork(database, publisher),
        clock=ManualClock(NOW),
        policies=Policies(transaction_attempts=10_000),
    )


def race(
    *, path: str, session_id: str, students: list[str], seed: int, start: Any, out: Any
) -> None:
    """Book every student (key ``book-<student>``) once start opens; report results."""
    service = service_on(SqliteDatabase(path))
    order = list(students)
    random.Random(seed).shuffle(order)
    start.wait()
    results = []
    for student in order:
        decision = service.book(
            session_id,
            student,
            actor=Actor.student(student),
            idempotency_key=f"book-{student}",
        )
        results.append((student, decision.state.id, decision.state.status.value))
    out.put(results)


def crash(*, path: str, session_id: str, student: str, statement: str) -> None:
    """Book one student, killing this process when ``statement`` is about to run."""
    database = SqliteDatabase(path)

    def trace(sql: str) -> None:
        if sql.strip().startswith(statement):
            os.kill(os.getpid(), signal.SIGKILL)

    database.connection().set_trace_callback(trace)
    service_on(database, InMemoryEventPublisher()).book(
        session_id, student, actor=Actor.student(student)
    )
    os._exit(3)  # the statement never ran: the test fails on this exit code


def book_and_relay(*, path: str, session_id: str, student: str, out: Any) -> None:
    """Relay unpublished outbox events, then book one student; report both."""
    database = SqliteDatabase(path)
    publisher = InMemoryEventPublisher()
    relayed = database.relay(publisher)
    decision = service_on(database, publisher).book(
        session_id, student, actor=Actor.student(student)
    )
    out.put((relayed, [e.name for e in publisher.published], decision.state.id))


if __name__ == "__sqlite_worker__":
    globals()[globals()["TASK"]](**globals()["ARGS"])
