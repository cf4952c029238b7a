"""What the child processes of the PostgreSQL process tests run.

Children are spawned and run this file through ``runpy.run_path(path,
init_globals, run_name="__postgres_worker__")``, as for the SQLite process
tests; ``init_globals`` carries ``TASK`` (a function name below) and ``ARGS``.
They share nothing with the test but the database. Importing the file does
nothing.
"""

# ruff: noqa: PERF203
from __future__ import annotations

import os
import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from booking_core.actors import Actor
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.memory import InMemoryEventPublisher
from booking_core.adapters.postgres import PostgresDatabase, PostgresUnitOfWork
from booking_core.availability.approval import ApprovalPolicy
from booking_core.bookings.one_on_one import OneOnOnePolicy
from booking_core.clock import ManualClock
from booking_core.errors import InsufficientFundsError, TeacherDoubleBookedError
from booking_core.money import Money
from booking_core.money.withdrawals import BankAccount
from booking_core.policies import Policies
from booking_core.services.booking import BookingService
from booking_core.services.one_on_one import OneOnOneService
from booking_core.services.payments import PaymentService

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)
ACCOUNT = BankAccount(
    holder_name="Asha Rao", account_number="001234567890", ifsc="HDFC0001234"
)
PATIENT = Policies(transaction_attempts=10_000)


def database(dsn: str, schema: str) -> PostgresDatabase:
    """The test's database, already migrated by the test."""
    return PostgresDatabase(dsn, schema=schema, migrate=False, max_size=2)


def booking_service(
    db: PostgresDatabase, publisher: InMemoryEventPublisher | None = None
) -> BookingService:
    """A booking service that keeps retrying lost races."""
    return BookingService(
        uow_factory=lambda: PostgresUnitOfWork(db, publisher),
        clock=ManualClock(NOW),
        policies=PATIENT,
    )


def race(
    *,
    dsn: str,
    schema: str,
    session_id: str,
    students: list[str],
    seed: int,
    start: Any,
    out: Any,
) -> None:
    """Book every student (key ``book-<student>``) once start opens; report."""
    service = booking_service(database(dsn, schema))
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


def confirm(
    *,
    dsn: str,
    schema: str,
    pairs: list[tuple[str, str]],
    now: datetime,
    start: Any,
    out: Any,
) -> None:
    """Confirm 1:1 requests ``(teacher, booking id)``; report each outcome."""
    db = database(dsn, schema)
    service = OneOnOneService(
        uow_factory=lambda: PostgresUnitOfWork(db),
        clock=ManualClock(now),
        policies=Policies(
            one_on_one=OneOnOnePolicy(
                pending_holds_slot=False,
                approval=ApprovalPolicy(courses={"math": True}),
            ),
            transaction_attempts=10_000,
        ),
    )
    start.wait()
    results = []
    for teacher, booking_id in pairs:
        try:
            service.confirm(booking_id, actor=Actor.teacher(teacher))
            results.append((teacher, booking_id, "confirmed"))
        except TeacherDoubleBookedError:
            results.append((teacher, booking_id, "refused"))
    out.put(results)


def withdraw(
    *, dsn: str, schema: str, ids: list[str], amount: str, start: Any, out: Any
) -> None:
    """Withdraw ``amount`` once per id from teacher m1's wallet; report each."""
    db = database(dsn, schema)
    clock = ManualClock(NOW)
    service = PaymentService(
        gateway=FakePaymentGateway(secret=b"race-webhook-secret", clock=clock.now),
        uow_factory=lambda: PostgresUnitOfWork(db),
        clock=clock,
        policies=PATIENT,
        currency="INR",
    )
    start.wait()
    results = []
    for withdrawal_id in ids:
        try:
            service.withdraw(
                withdrawal_id=withdrawal_id,
                teacher_id="m1",
                amount=Money.of(amount, "INR"),
                bank_account=ACCOUNT,
            )
            results.append((withdrawal_id, "held"))
        except InsufficientFundsError:
            results.append((withdrawal_id, "refused"))
    out.put(results)


def crash(
    *, dsn: str, schema: str, session_id: str, student: str, statement: str
) -> None:
    """Book one student, killing this process when ``statement`` is about to run."""
    db = database(dsn, schema)
    borrow = db.connect

    class Killer:
        def __init__(self, cursor: Any) -> None:
            self.cursor = cursor

        def __getattr__(self, name: str) -> Any:
            return getattr(self.cursor, name)

        def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            if str(query).strip().startswith(statement):
                os.kill(os.getpid(), signal.SIGKILL)
            return self.cursor.execute(query, *args, **kwargs)

        def executemany(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            if str(query).strip().startswith(statement):
                os.kill(os.getpid(), signal.SIGKILL)
            return self.cursor.executemany(query, *args, **kwargs)

    class Connection:
        def __init__(self, connection: Any) -> None:
            self.connection = connection

        def cursor(self) -> Killer:
            return Killer(self.connection.cursor())

        def __getattr__(self, name: str) -> Any:  # pipeline(), for the commit
            return getattr(self.connection, name)

    @contextmanager
    def connect() -> Iterator[Connection]:
        with borrow() as connection:
            yield Connection(connection)

    db.connect = connect  # type: ignore[method-assign,assignment]
    booking_service(db, InMemoryEventPublisher()).book(
        session_id, student, actor=Actor.student(student)
    )
    os._exit(3)  # the statement never ran: the test fails on this exit code


def book_and_relay(
    *, dsn: str, schema: str, session_id: str, student: str, out: Any
) -> None:
    """Relay unpublished outbox events, then book one student; report both."""
    db = database(dsn, schema)
    publisher = InMemoryEventPublisher()
    relayed = db.relay(publisher)
    decision = booking_service(db, publisher).book(
        session_id, student, actor=Actor.student(student)
    )
    out.put((relayed, [e.name for e in publisher.published], decision.state.id))
    db.close()


def relay(*, dsn: str, schema: str, start: Any, out: Any) -> None:
    """Relay in small batches once start opens; report the event ids delivered."""
    db = database(dsn, schema)
    publisher = InMemoryEventPublisher()
    start.wait()
    db.relay(publisher, batch=7)
    out.put([str(event.event_id) for event in publisher.published])
    db.close()


if __name__ == "__postgres_worker__":
    globals()[globals()["TASK"]](**globals()["ARGS"])
