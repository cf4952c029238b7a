"""The views, end to end through Django's test client and the SQLite database."""

from __future__ import annotations

import io
import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from booking_core.bookings.model import SeatBooked
from booking_core.clock import ManualClock
from booking_core.events import DomainEvent
from django.core.management import call_command
from django.db import connections
from django.test import Client

from booking_store.models import OutboxEvent
from classroom.services import core
from classroom.views import SIGNATURE_HEADER
from conftest import NOW, schedule_group

pytestmark = pytest.mark.django_db(transaction=True)


def _book(client: Client, session_id: str, student: str, **headers: str) -> Any:
    return client.post(
        f"/sessions/{session_id}/bookings",
        data={"seats": 1},
        content_type="application/json",
        headers={"X-User-Id": student, **headers},
    )


def _cancel(client: Client, booking_id: str, student: str) -> Any:
    return client.post(
        f"/bookings/{booking_id}/cancel",
        data={"reason": "cannot make it"},
        content_type="application/json",
        headers={"X-User-Id": student},
    )


def test_last_seat_booked_twice_one_confirmed_one_waitlisted(
    clock: ManualClock, signalled: list[DomainEvent]
) -> None:
    schedule_group("s-1", capacity=1)
    signalled.clear()
    client = Client()

    ann = _book(client, "s-1", "ann")
    bob = _book(client, "s-1", "bob")

    assert (ann.status_code, ann.json()["status"]) == (201, "confirmed")
    assert (bob.status_code, bob.json()["status"]) == (201, "waitlisted")
    seats = client.get("/sessions/s-1").json()["seats"]
    assert seats["confirmed"] == 1
    assert seats["waitlisted"] == 1
    assert seats["is_full"] is True
    # events went out after each commit, through the Django signal
    assert [type(e) for e in signalled][:1] == [SeatBooked]
    assert {e.aggregate_id for e in signalled} >= {ann.json()["id"], bob.json()["id"]}


def test_last_seat_raced_from_two_threads(clock: ManualClock) -> None:
    """Two requests at once for the last seat: one confirmed, one waitlisted."""
    schedule_group("s-race", capacity=1)
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def request(student: str) -> None:
        barrier.wait()
        try:
            results[student] = _book(Client(), "s-race", student)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=request, args=(s,)) for s in ("ann", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {r.status_code for r in results.values()} == {201}
    assert sorted(r.json()["status"] for r in results.values()) == [
        "confirmed",
        "waitlisted",
    ]


def test_cancel_promotes_the_waitlist(clock: ManualClock) -> None:
    schedule_group("s-1", capacity=1)
    client = Client()
    ann = _book(client, "s-1", "ann").json()
    _book(client, "s-1", "bob")

    cancelled = _cancel(client, ann["id"], "ann")

    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    seats = client.get("/sessions/s-1").json()["seats"]
    assert (seats["confirmed"], seats["waitlisted"]) == (1, 0)


def test_refusals_carry_the_library_code_and_family_status(clock: ManualClock) -> None:
    schedule_group("s-1", capacity=2)
    client = Client()
    ann = _book(client, "s-1", "ann").json()

    again = _book(client, "s-1", "ann")
    assert (again.status_code, again.json()["code"]) == (409, "booking.already_booked")

    stranger = _cancel(client, ann["id"], "mallory")
    assert (stranger.status_code, stranger.json()["code"]) == (
        403,
        "booking.not_holder",
    )

    missing = _book(client, "no-such-session", "ann")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    unknown = client.get("/sessions/no-such-session")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")

    too_many = client.post(
        "/sessions/s-1/bookings",
        data={"seats": 3},
        content_type="application/json",
        headers={"X-User-Id": "cat"},
    )
    assert too_many.status_code == 409
    assert too_many.json()["code"] == "booking.too_many_seats"

    bad = client.post(
        "/sessions/s-1/bookings",
        data={"seats": "two"},
        content_type="application/json",
        headers={"X-User-Id": "cat"},
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "input.invalid_value")

    anonymous = client.post("/sessions/s-1/bookings")
    assert (anonymous.status_code, anonymous.json()["code"]) == (
        401,
        "auth.missing_user",
    )
    impostor = client.post(
        "/sessions/s-1/bookings", headers={"X-User-Id": "cat", "X-Role": "wizard"}
    )
    assert (impostor.status_code, impostor.json()["field"]) == (422, "X-Role")
    odd = client.post("/sessions/s-1/bookings", headers={"X-User-Id": "a b"})
    assert (odd.status_code, odd.json()["field"]) == (422, "user_id")
    not_json = client.post(
        "/sessions/s-1/bookings",
        data="seats=1",
        content_type="text/plain",
        headers={"X-User-Id": "cat"},
    )
    assert (not_json.status_code, not_json.json()["field"]) == (422, "body")
    a_list = client.post(
        "/sessions/s-1/bookings",
        data=[1],
        content_type="application/json",
        headers={"X-User-Id": "cat"},
    )
    assert (a_list.status_code, a_list.json()["field"]) == (422, "body")
    wrong_method = client.get("/sessions/s-1/bookings", headers={"X-User-Id": "cat"})
    assert wrong_method.status_code == 405
    # nothing was changed by any refusal
    seats = client.get("/sessions/s-1").json()["seats"]
    assert (seats["confirmed"], seats["waitlisted"]) == (1, 0)


def test_idempotency_key_replays_the_first_result(clock: ManualClock) -> None:
    schedule_group("s-1", capacity=5)
    client = Client()
    first = _book(client, "s-1", "ann", **{"Idempotency-Key": "ann-s-1"})
    retry = _book(client, "s-1", "ann", **{"Idempotency-Key": "ann-s-1"})
    assert first.json() == retry.json()
    assert client.get("/sessions/s-1").json()["seats"]["confirmed"] == 1


def test_booking_closes_once_the_session_started(clock: ManualClock) -> None:
    schedule_group("s-1", capacity=5, days=1)
    clock.advance(timedelta(days=1, minutes=1))  # it started at 09:00 on 21 March
    response = _book(Client(), "s-1", "ann")
    assert response.status_code == 409
    assert response.json()["code"] == "booking.session_not_bookable"


def test_seed_command_schedules_bookable_sessions(clock: ManualClock) -> None:
    out = io.StringIO()
    call_command("seed_sessions", stdout=out)
    assert "scheduled yoga-1" in out.getvalue()
    ann = _book(Client(), "yoga-1", "ann")
    assert ann.json()["status"] == "confirmed"


def test_tick_and_relay_commands(clock: ManualClock) -> None:
    """The monitor marks a session nobody joined missed; the relay finds nothing."""
    schedule_group("s-1", capacity=5, days=1)
    _book(Client(), "s-1", "ann")
    clock.advance(timedelta(days=2))
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert out.getvalue().strip().endswith("sessions_missed=1")
    assert core().sessions.get("s-1").status.value == "missed"
    out = io.StringIO()
    call_command("relay_events", stdout=out)
    assert out.getvalue().strip() == "relayed 0 event(s)"


def _as(
    client: Client, method: str, path: str, user: str, role: str, **body: Any
) -> Any:
    return client.generic(
        method,
        path,
        json.dumps(body),
        content_type="application/json",
        headers={"X-User-Id": user, "X-Role": role},
    )


def test_refusals_of_the_schedule_money_and_attendance_views(
    clock: ManualClock,
) -> None:
    """Ownership, roles and malformed input: coded refusals, nothing changed."""
    schedule_group("s-1", capacity=2)
    client = Client()
    # another teacher's wallet and withdrawals, the reconciliation, a settlement
    for method, path, user, role in (
        ("GET", "/teachers/teacher-1/wallet", "t-2", "teacher"),
        ("GET", "/teachers/teacher-1/wallet", "teacher-1", "student"),
        ("POST", "/teachers/teacher-1/withdrawals", "t-2", "teacher"),
        ("GET", "/reconciliation", "ann", "student"),
        ("POST", "/bookings/x/settle", "ann", "student"),
    ):
        response = _as(client, method, path, user, role)
        assert (response.status_code, response.json()["code"]) == (
            403,
            "permission_denied",
        ), path
    invalid = {
        "/sessions": {"id": "s-2", "start": "tomorrow"},
        "/teachers/teacher-1/schedule": {"zone": "UTC", "weekly": "mondays"},
        "/teachers/teacher-1/withdrawals": {"id": "w", "amount": "600.00 INR"},
        "/sessions/s-1/participation": {"event": "waved", "at": NOW.isoformat()},
    }
    fields = []
    for path, body in invalid.items():
        method = "PUT" if path.endswith("schedule") else "POST"
        role = "system" if "participation" in path else "teacher"
        response = _as(client, method, path, "teacher-1", role, **body)
        assert response.status_code == 422, response.content
        fields.append(response.json()["field"])
    assert fields == ["start", "weekly", "bank_account", "event"]
    flags = _as(
        client,
        "POST",
        "/sessions",
        "teacher-1",
        "teacher",
        id="s-3",
        course_id="c",
        start=NOW.isoformat(),
        zone="UTC",
        capacity=2,
        waitlist="yes",
    )
    assert (flags.status_code, flags.json()["field"]) == (422, "waitlist")
    forged = client.post(
        "/webhooks/gateway",
        b'{"event": "payment.captured"}',
        content_type="application/json",
        headers={SIGNATURE_HEADER: "forged"},
    )
    assert (forged.status_code, forged.json()["code"]) == (
        422,
        "payments.invalid_webhook",
    )
    missing = client.get("/teachers/teacher-1/slots")
    assert (missing.status_code, missing.json()["field"]) == (422, "from")
    assert client.get("/sessions/s-1").json()["seats"]["taken"] == 0
    # ending a session: the marks are rolled back with a refused completion
    clock.advance(timedelta(days=10, hours=2))
    events = OutboxEvent.objects.count()
    student = _as(client, "POST", "/sessions/s-1/complete", "ann", "student")
    assert (student.status_code, student.json()["code"]) == (
        403,
        "sessions.not_participant",
    )
    assert OutboxEvent.objects.count() == events
    ended = _as(client, "POST", "/sessions/s-1/complete", "teacher-1", "teacher")
    assert ended.json()["attendance"] == {"teacher-1": "absent"}
    assert OutboxEvent.objects.count() > events
