"""booking_core's ports on the Django ORM: a unit of work and three repositories.

* :class:`DjangoUnitOfWork` implements :class:`booking_core.ports.UnitOfWork`.
  It stages writes in memory and applies them on :meth:`~DjangoUnitOfWork.commit`
  inside one ``transaction.atomic()``; the collected events are handed to the
  publisher by ``transaction.on_commit``, so they go out only once the data is
  really committed (after the host's outer transaction, if there is one).
* Each save is compare-and-set: ``filter(id=..., version=...).update(...)``; 0 rows
  means somebody saved first and raises
  :class:`booking_core.errors.StaleVersionError`, which the library's services
  answer by starting the command again from a fresh load.
* Before writing, the commit locks the rows it will update with
  ``select_for_update()``, in one order (table, then id). On PostgreSQL or MySQL
  that keeps two commits touching the same session and bookings from deadlocking
  and reports the version that won; SQLite ignores it (``BEGIN IMMEDIATE``
  already serialises writers).

Why stage instead of holding a transaction open for the whole unit of work:
Django has one connection per thread, so two units of work open in one thread
(as in the library's contract kit, or a view that reads in one unit and writes in
another) would silently nest into one transaction. Staging keeps them
independent, and the compare-and-set on commit is what keeps a decision taken on
a stale read from being stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar, Generic, TypeVar

import attrs
from booking_core.adapters import codec
from booking_core.bookings.model import Booking, CommandRecord
from booking_core.errors import DuplicateIdError, NotFoundError, StaleVersionError
from booking_core.events import DomainEvent
from booking_core.ports import EventPublisher, Versioned
from booking_core.sessions import Session, SessionStatus
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from seats.models import AggregateRow, BookingRow, CommandRow, SessionRow

__all__ = [
    "DjangoBookingRepository",
    "DjangoIdempotencyRecords",
    "DjangoSessionRepository",
    "DjangoUnitOfWork",
]

A = TypeVar("A", bound=Versioned)
Row = type[AggregateRow]


class DjangoUnitOfWork:
    """One unit of work: staged writes, applied in one ``transaction.atomic()``.

    Args:
        publisher: Receives the committed events (via ``transaction.on_commit``).
        using: The database alias.
    """

    def __init__(
        self, publisher: EventPublisher | None = None, *, using: str = "default"
    ) -> None:
        self.publisher = publisher
        self.using = using
        # (row model, id) -> (stored version expected, or None when new; aggregate)
        self._writes: dict[tuple[Row, str], tuple[int | None, Any]] = {}
        self._events: list[DomainEvent] = []
        self._committed = False

    def __enter__(self) -> DjangoUnitOfWork:
        self._committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed:
            self.rollback()

    # -- staging (used by the repositories) ---------------------------------------

    def staged(self, model: Row, aggregate_id: str) -> tuple[int | None, Any] | None:
        """What this unit staged for the row ``aggregate_id`` of ``model``."""
        return self._writes.get((model, aggregate_id))

    def staged_of(self, model: Row) -> list[Any]:
        """Every aggregate this unit staged in ``model``'s table."""
        return [a for (m, _), (_, a) in self._writes.items() if m is model]

    def stage(self, model: Row, aggregate: Versioned, *, expected: int | None) -> None:
        """Stage a write that must find ``expected`` stored (``None``: a new row)."""
        self._writes[(model, aggregate.id)] = (expected, aggregate)

    def rows(self, model: Row) -> QuerySet[AggregateRow]:
        """``model``'s rows on this unit's database."""
        return model.objects.using(self.using).all()  # type: ignore[attr-defined,no-any-return]

    # -- the port -----------------------------------------------------------------

    def collect(self, events: Sequence[DomainEvent]) -> None:
        """Remember events to publish once the transaction commits."""
        self._events.extend(events)

    def rollback(self) -> None:
        """Drop every staged write and collected event."""
        self._writes.clear()
        self._events.clear()

    def commit(self) -> None:
        """Apply every staged write atomically; publish the events on commit.

        Raises:
            StaleVersionError: ``concurrency.stale_version`` when a saved aggregate
                changed since it was loaded; nothing of this unit is stored.
            DuplicateIdError: ``conflict.duplicate_id`` when an added id now exists.
        """
        writes = sorted(
            self._writes.items(),
            key=lambda item: (item[0][0]._meta.db_table, item[0][1]),
        )
        events = list(self._events)
        with transaction.atomic(using=self.using):
            self._lock(writes)
            for (model, aggregate_id), (expected, aggregate) in writes:
                self._write(model, aggregate_id, expected, aggregate)
            publisher = self.publisher
            if publisher is not None and events:
                transaction.on_commit(
                    lambda: publisher.publish(events), using=self.using
                )
        self._writes.clear()
        self._events.clear()
        self._committed = True

    def _lock(
        self, writes: list[tuple[tuple[Row, str], tuple[int | None, Any]]]
    ) -> None:
        updates: dict[Row, dict[str, int]] = {}
        for (model, aggregate_id), (expected, _) in writes:
            if expected is not None:
                updates.setdefault(model, {})[aggregate_id] = expected
        for model, expected_by_id in updates.items():
            stored = dict(
                self.rows(model)
                .select_for_update()
                .filter(id__in=sorted(expected_by_id))
                .order_by("id")
                .values_list("id", "version")
            )
            for aggregate_id, expected in expected_by_id.items():
                if stored.get(aggregate_id) != expected:
                    raise StaleVersionError(
                        kind=_TABLES[model][0],
                        id=aggregate_id,
                        expected=expected,
                        actual=stored.get(aggregate_id),
                    )

    def _write(
        self, model: Row, aggregate_id: str, expected: int | None, aggregate: Any
    ) -> None:
        version = 1 if expected is None else expected + 1
        stored = attrs.evolve(aggregate, version=version)
        fields = {
            "version": version,
            "body": codec.encode(stored),
            **_TABLES[model][1](aggregate),
        }
        if expected is None:
            try:
                self.rows(model).create(id=aggregate_id, **fields)
            except IntegrityError as exc:
                raise DuplicateIdError(kind=_TABLES[model][0], id=aggregate_id) from exc
            return
        # The compare-and-set itself: the row lock above is an optimisation for
        # databases that have one; this conditional UPDATE is the guarantee.
        updated = (
            self.rows(model).filter(id=aggregate_id, version=expected).update(**fields)
        )
        if updated != 1:
            raise StaleVersionError(
                kind=_TABLES[model][0],
                id=aggregate_id,
                expected=expected,
                actual=None,
            )


def _session_columns(session: Session) -> dict[str, Any]:
    request = session.pending_reschedule
    return {
        "status": session.status.value,
        "start": session.start,
        "respond_by": None if request is None else request.respond_by,
    }


def _booking_columns(booking: Booking) -> dict[str, Any]:
    return {
        "session_id": booking.session_id,
        "student_id": booking.student_id,
        "active": booking.is_active,
    }


_TABLES: dict[Row, tuple[str, Callable[[Any], dict[str, Any]]]] = {
    SessionRow: ("session", _session_columns),
    BookingRow: ("booking", _booking_columns),
    CommandRow: ("command record", lambda _: {}),
}
"""Each table's aggregate kind (in error messages) and its queried columns."""


class _OrmRepository(Generic[A]):
    """``get`` / ``add`` / ``save`` on one table, seeing the unit's staged writes."""

    model: ClassVar[Row]

    def __init__(self, uow: DjangoUnitOfWork) -> None:
        self._uow = uow

    def _decode(self, row: AggregateRow) -> A:
        return attrs.evolve(codec.decode(row.body), version=row.version)  # type: ignore[no-any-return]

    def _load(self, aggregate_id: str) -> A | None:
        staged = self._uow.staged(self.model, aggregate_id)
        if staged is not None:
            return staged[1]  # type: ignore[no-any-return]
        row = self._uow.rows(self.model).filter(id=aggregate_id).first()
        return None if row is None else self._decode(row)

    def _query(
        self, rows: Iterable[AggregateRow], keep: Callable[[A], bool]
    ) -> list[A]:
        """Committed ``rows`` (filtered as ``keep`` does) overlaid with staged ones."""
        found = {row.id: self._decode(row) for row in rows}
        for aggregate in self._uow.staged_of(self.model):
            found.pop(aggregate.id, None)
            if keep(aggregate):
                found[aggregate.id] = aggregate
        return list(found.values())

    def get(self, aggregate_id: str) -> A:
        """Load an aggregate with its stored version.

        Raises:
            NotFoundError: ``not_found``.
        """
        found = self._load(aggregate_id)
        if found is None:
            raise NotFoundError(kind=_TABLES[self.model][0], id=aggregate_id)
        return found

    def add(self, aggregate: A) -> None:
        """Stage a new aggregate (stored as version 1).

        Raises:
            DuplicateIdError: ``conflict.duplicate_id`` (now or on commit).
        """
        if self._load(aggregate.id) is not None:
            raise DuplicateIdError(kind=_TABLES[self.model][0], id=aggregate.id)
        self._uow.stage(self.model, aggregate, expected=None)

    def save(self, aggregate: A) -> None:
        """Stage a changed aggregate; compare-and-set against its version on commit."""
        staged = self._uow.staged(self.model, aggregate.id)
        expected = staged[0] if staged is not None else aggregate.version
        self._uow.stage(self.model, aggregate, expected=expected)


class DjangoSessionRepository(_OrmRepository[Session]):
    """:class:`booking_core.ports.SessionRepository` on ``booking_sessions``."""

    model = SessionRow

    def scheduled_sessions(self, *, starting_before: datetime) -> list[Session]:
        """Scheduled sessions starting before ``starting_before``, by start, id."""
        scheduled = SessionStatus.SCHEDULED.value
        rows = SessionRow.objects.using(self._uow.using).filter(
            status=scheduled, start__lt=starting_before
        )
        found = self._query(
            rows,
            lambda s: s.status.value == scheduled and s.start < starting_before,
        )
        return sorted(found, key=lambda s: (s.start, s.id))

    def pending_reschedules(self, *, due_by: datetime) -> list[Session]:
        """Scheduled sessions whose reschedule request is due by ``due_by``."""
        scheduled = SessionStatus.SCHEDULED.value
        rows = SessionRow.objects.using(self._uow.using).filter(
            status=scheduled, respond_by__lte=due_by
        )

        def due(session: Session) -> bool:
            request = session.pending_reschedule
            return (
                session.status.value == scheduled
                and request is not None
                and request.respond_by <= due_by
            )

        found = self._query(rows, due)
        return sorted(
            found,
            key=lambda s: (s.pending_reschedule.respond_by, s.id),  # type: ignore[union-attr]
        )


class DjangoBookingRepository(_OrmRepository[Booking]):
    """:class:`booking_core.ports.BookingRepository` on ``booking_bookings``."""

    model = BookingRow

    def active_booking(self, session_id: str, student_id: str) -> Booking | None:
        """The student's active booking on the session, if any."""
        rows = BookingRow.objects.using(self._uow.using).filter(
            session_id=session_id, student_id=student_id, active=True
        )
        found = self._query(
            rows,
            lambda b: (
                b.session_id == session_id
                and b.student_id == student_id
                and b.is_active
            ),
        )
        return min(found, key=lambda b: b.id) if found else None

    def of_session(self, session_id: str) -> list[Booking]:
        """Every booking of the session (any status), by id."""
        rows = BookingRow.objects.using(self._uow.using).filter(session_id=session_id)
        found = self._query(rows, lambda b: b.session_id == session_id)
        return sorted(found, key=lambda b: b.id)


class DjangoIdempotencyRecords:
    """:class:`booking_core.ports.IdempotencyRecords` on the ``booking_commands`` table.

    Args:
        uow: The unit of work it stages into.
    """

    def __init__(self, uow: DjangoUnitOfWork) -> None:
        self._records = _CommandRepository(uow)

    def get(self, key: str) -> CommandRecord | None:
        """The record stored (or staged) under ``key``, or ``None``."""
        return self._records._load(key)

    def add(self, record: CommandRecord) -> None:
        """Stage a new record.

        Raises:
            DuplicateIdError: ``conflict.duplicate_id`` for a known key.
        """
        self._records.add(record)


class _CommandRepository(_OrmRepository[CommandRecord]):
    model = CommandRow
