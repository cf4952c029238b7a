"""The API: seat availability, book, cancel; errors mapped from their family.

Everything is built by :func:`create_app` from a
:class:`~booking_api.storage.Store` (the library's SQLite or PostgreSQL
adapter), a clock and an optional event publisher, so tests build an app on a
temporary file or schema with a fixed clock, and production builds one on the
database the environment names with the system clock (:mod:`booking_api.main`).

Endpoints:

* ``GET  /sessions?days=30``: the scheduled sessions starting in the next days,
  with their seat counts.
* ``GET  /sessions/{session_id}``: one session's seat counts.
* ``POST /sessions/{session_id}/bookings``: book (``{"seats": n}``, default 1);
  the booking is ``confirmed`` or ``waitlisted``.
* ``POST /bookings/{booking_id}/cancel``: cancel (``{"reason": "..."}``).

The student is the ``X-Student-Id`` header (a stand-in for real
authentication); an ``Idempotency-Key`` header makes a retried POST return the
first result. A refusal is the error's ``to_dict()`` (``code``, ``message``,
``field``, ``details``) with its ``http_status`` (one table by error family, in
``booking_core.errors.HTTP_STATUS``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from booking_core import bootstrap
from booking_core.actors import Actor
from booking_core.bookings import capacity
from booking_core.bookings.model import Booking
from booking_core.clock import Clock, SystemClock
from booking_core.errors import BookingCoreError
from booking_core.ports import EventPublisher
from booking_core.sessions import Session
from fastapi import FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from booking_api.storage import Store

__all__ = ["BookingOut", "SessionSeats", "create_app"]


class SessionSeats(BaseModel):
    """A session's seat counts, as :func:`booking_core.bookings.availability` says."""

    session_id: str
    start: datetime
    zone: str
    capacity: int
    confirmed: int
    remaining: int
    waitlisted: int
    is_full: bool
    booking_open: bool


class BookingOut(BaseModel):
    """A booking as the API shows it."""

    id: str
    session_id: str
    student_id: str
    status: str
    seats: int


class BookRequest(BaseModel):
    """The body of a booking request."""

    seats: int = 1


class CancelRequest(BaseModel):
    """The body of a cancellation."""

    reason: str | None = None


StudentId = Annotated[str, Header(alias="X-Student-Id", min_length=1)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _seats(session: Session, now: datetime) -> SessionSeats:
    counts = capacity.availability(session, now=now)
    return SessionSeats(
        session_id=session.id,
        start=session.start,
        zone=session.zone,
        capacity=counts.capacity,
        confirmed=counts.confirmed,
        remaining=counts.remaining,
        waitlisted=counts.waitlisted,
        is_full=counts.is_full,
        booking_open=counts.booking_open,
    )


def _out(booking: Booking) -> BookingOut:
    return BookingOut(
        id=booking.id,
        session_id=booking.session_id,
        student_id=booking.student_id,
        status=booking.status.value,
        seats=booking.seats,
    )


def create_app(
    store: Store,
    *,
    clock: Clock | None = None,
    publisher: EventPublisher | None = None,
) -> FastAPI:
    """Build the API on ``store``.

    Args:
        store: Where sessions, bookings and idempotency records live.
        clock: Where ``now`` comes from (default the system clock).
        publisher: Receives committed events (default: they wait in the
            database's outbox for ``store.database.relay(publisher)``).
    """
    time = clock or SystemClock()
    core = bootstrap(uow_factory=store.uow_factory(publisher), clock=time)
    app = FastAPI(title="booking_core example API")

    @app.exception_handler(BookingCoreError)
    async def refused(request: Request, error: BookingCoreError) -> JSONResponse:
        return JSONResponse(error.to_dict(), status_code=error.http_status)

    # Plain ``def`` endpoints: FastAPI runs them in its thread pool; the SQLite
    # adapter gives every thread its own connection, the PostgreSQL adapter
    # lends each one a connection of its pool.

    @app.get("/sessions")
    def list_sessions(
        days: Annotated[int, Query(ge=1, le=366)] = 30,
    ) -> list[SessionSeats]:
        now = time.now()
        found = core.sessions.scheduled(starting_before=now + timedelta(days=days))
        return [_seats(s, now) for s in found if s.start > now]

    @app.get("/sessions/{session_id}")
    def session_seats(session_id: str) -> SessionSeats:
        return _seats(core.sessions.get(session_id), time.now())

    @app.post("/sessions/{session_id}/bookings", status_code=201)
    def book(
        session_id: str,
        student_id: StudentId,
        idempotency_key: IdempotencyKey = None,
        body: BookRequest | None = None,
    ) -> BookingOut:
        decision = core.bookings.book(
            session_id,
            student_id,
            actor=Actor.student(student_id),
            seats=(body or BookRequest()).seats,
            idempotency_key=idempotency_key,
        )
        return _out(decision.state)

    @app.post("/bookings/{booking_id}/cancel")
    def cancel(
        booking_id: str,
        student_id: StudentId,
        idempotency_key: IdempotencyKey = None,
        body: CancelRequest | None = None,
    ) -> BookingOut:
        decision = core.bookings.cancel(
            booking_id,
            actor=Actor.student(student_id),
            reason=(body or CancelRequest()).reason,
            idempotency_key=idempotency_key,
        )
        return _out(decision.state)

    return app
