"""A process that is killed in the middle of booking (run by test_crash.py).

Usage: ``python crash_worker.py DSN SCHEMA MODE`` where MODE is

* ``in-commit``: stops after the rows are written, before ``COMMIT``;
* ``after-commit``: stops after ``COMMIT``, before the events are published.

It prints the mode when it reaches that point and then sleeps until killed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from booking_core_postgres import (
    PostgresBookingRepository,
    PostgresCommandRecords,
    PostgresDatabase,
    PostgresSessionRepository,
    PostgresUnitOfWork,
)

from booking_core.actors import Actor
from booking_core.clock import ManualClock
from booking_core.events import DomainEvent
from booking_core.services.booking import BookingService

NOW = datetime(2026, 3, 28, 9, tzinfo=timezone.utc)


def _stop_here(mode: str) -> None:
    print(mode, flush=True)
    while True:
        time.sleep(60)


class _StopOnPublish:
    def publish(self, events: Sequence[DomainEvent]) -> None:
        _stop_here("after-commit")


def main(dsn: str, schema: str, mode: str) -> None:
    if mode == "in-commit":
        write_outbox = PostgresUnitOfWork._outbox  # noqa: SLF001

        def outbox_then_stop(connection: object, event: DomainEvent) -> int:
            seq = write_outbox(connection, event)  # type: ignore[arg-type]
            _stop_here(mode)
            return seq  # pragma: no cover - killed before

        PostgresUnitOfWork._outbox = staticmethod(outbox_then_stop)  # type: ignore[method-assign]  # noqa: SLF001
    database = PostgresDatabase(dsn, schema=schema)
    service = BookingService(
        uow_factory=lambda: PostgresUnitOfWork(database, _StopOnPublish()),
        sessions=PostgresSessionRepository,
        bookings=PostgresBookingRepository,
        records=PostgresCommandRecords,
        clock=ManualClock(NOW),
    )
    service.book("s", "ann", actor=Actor.student("ann"), idempotency_key="ann-1")


if __name__ == "__main__":
    main(*sys.argv[1:4])
