"""JSON views over :class:`booking_core.services.booking.BookingService`.

* ``GET  /sessions/<id>``: seat availability.
* ``POST /sessions/<id>/bookings``: book (``{"seats": n}``, default 1); the
  response says ``confirmed`` or ``waitlisted``.
* ``POST /bookings/<id>/cancel``: cancel (``{"reason": "..."}``, optional).

Who acts comes from the ``X-Student-Id`` header, a stand-in for the host's real
authentication (``request.user``); an ``Idempotency-Key`` header makes a retried
POST return the first result. Refusals come back as the error's ``to_dict()``
(``code``, ``message``, ``field``, ``details``) with its ``http_status``
(:func:`error_response`).
"""

from __future__ import annotations

import json
from typing import Any

from booking_core.actors import Actor
from booking_core.bookings import Booking
from booking_core.errors import BookingCoreError, InvalidValueError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from seats.services import booking_service

__all__ = ["availability", "book", "cancel", "error_response"]


def error_response(error: BookingCoreError) -> JsonResponse:
    """A refusal as JSON: ``error.to_dict()`` with ``error.http_status``."""
    return JsonResponse(error.to_dict(), status=error.http_status)


def _unauthenticated() -> JsonResponse:
    return JsonResponse(
        {"code": "auth.missing_student", "message": "send the X-Student-Id header"},
        status=401,
    )


def _payload(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError as exc:
        raise InvalidValueError(
            field="body", reason="must be a JSON object", value=request.body[:80]
        ) from exc
    if not isinstance(data, dict):
        raise InvalidValueError(
            field="body", reason="must be a JSON object", value=data
        )
    return data


def _booking_json(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "session_id": booking.session_id,
        "student_id": booking.student_id,
        "status": booking.status.value,
        "seats": booking.seats,
    }


@require_GET
def availability(request: HttpRequest, session_id: str) -> JsonResponse:
    """The seat counts of a session now."""
    try:
        seats = booking_service().availability(session_id)
    except BookingCoreError as error:
        return error_response(error)
    return JsonResponse(
        {
            "session_id": session_id,
            "capacity": seats.capacity,
            "confirmed": seats.confirmed,
            "remaining": seats.remaining,
            "waitlisted": seats.waitlisted,
            "is_full": seats.is_full,
            "booking_open": seats.booking_open,
        }
    )


@csrf_exempt  # an API called with a header credential, not a browser form
@require_POST
def book(request: HttpRequest, session_id: str) -> JsonResponse:
    """Book seats on a session for the student in ``X-Student-Id``."""
    student_id = request.headers.get("X-Student-Id")
    if not student_id:
        return _unauthenticated()
    try:
        seats = _payload(request).get("seats", 1)
        if not isinstance(seats, int) or isinstance(seats, bool):
            raise InvalidValueError(
                field="seats", reason="must be a whole number", value=seats
            )
        decision = booking_service().book(
            session_id,
            student_id,
            actor=Actor.student(student_id),
            seats=seats,
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
    except BookingCoreError as error:
        return error_response(error)
    return JsonResponse(_booking_json(decision.state), status=201)


@csrf_exempt
@require_POST
def cancel(request: HttpRequest, booking_id: str) -> JsonResponse:
    """Cancel a booking of the student in ``X-Student-Id``; the waitlist moves up."""
    student_id = request.headers.get("X-Student-Id")
    if not student_id:
        return _unauthenticated()
    try:
        reason = _payload(request).get("reason")
        decision = booking_service().cancel(
            booking_id,
            actor=Actor.student(student_id),
            reason=None if reason is None else str(reason),
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
    except BookingCoreError as error:
        return error_response(error)
    return JsonResponse(_booking_json(decision.state))
