"""``booking-core demo``'s week, told through this site's views.

The same teacher, students, instants, ids, gateway and policies as the
library's demo (``docs/demo.md``), every step an HTTP call through Django's
test client, every aggregate stored by the storage kernel on Django's
database. The figures asserted are the demo's: where it prints
``teacher share 613.48 INR, held in escrow`` the API must answer the same, and
the closing lines (the wallet, the reconciliation, what the database holds)
are compared with those of the installed ``booking-core demo --json``.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from booking_core import ManualClock, Policies, get_zone, to_instant
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.availability.approval import ApprovalPolicy
from booking_core.bookings.one_on_one import OneOnOnePolicy
from django.test import Client

from booking_store.models import Aggregate, OutboxEvent
from classroom.services import Wiring, configure, webhook_secret
from classroom.views import SIGNATURE_HEADER

pytestmark = pytest.mark.django_db(transaction=True)

KOLKATA = "Asia/Kolkata"
START = datetime(2026, 6, 1, 4, 30, tzinfo=timezone.utc)  # Mon 10:00 in Kolkata
MONDAY, TUESDAY = date(2026, 6, 1), date(2026, 6, 2)
THURSDAY, FRIDAY = date(2026, 6, 4), date(2026, 6, 5)
BANK = {
    "holder_name": "Asha Rao",
    "account_number": "001234567890",
    "ifsc": "HDFC0001234",
}


def ist(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall time in Kolkata as an instant."""
    return to_instant(datetime.combine(day, time(hour, minute)), KOLKATA)


def local(text: str, zone: str = KOLKATA) -> str:
    """``HH:MM`` of an ISO instant in ``zone``."""
    return datetime.fromisoformat(text).astimezone(get_zone(zone)).strftime("%H:%M")


class Site:
    """The site as its users call it: who they are, what they send."""

    def __init__(self, clock: ManualClock, gateway: FakePaymentGateway) -> None:
        self.client = Client()
        self.clock = clock
        self.gateway = gateway

    def at(self, instant: datetime) -> None:
        self.clock.set(instant)

    def call(
        self,
        method: str,
        path: str,
        who: str | None = None,
        role: str = "student",
        body: dict[str, Any] | None = None,
        *,
        expect: int = 200,
        query: dict[str, str] | None = None,
    ) -> Any:
        headers = {} if who is None else {"X-User-Id": who, "X-Role": role}
        if method == "GET":
            response = self.client.get(path, query or {}, headers=headers)
        else:
            response = self.client.generic(
                method,
                path,
                "" if body is None else json.dumps(body),
                content_type="application/json",
                headers=headers,
            )
        assert response.status_code == expect, response.content
        return response.json()

    def deliver_webhooks(self) -> None:
        """The gateway calls the site back with what happened on its side."""
        for body, signature in self.gateway.take_webhooks():
            response = self.client.post(
                "/webhooks/gateway",
                body,
                content_type="application/json",
                headers={SIGNATURE_HEADER: signature},
            )
            assert response.status_code == 200, response.content

    def seats(self, session_id: str) -> tuple[int, int]:
        seats = self.call("GET", f"/sessions/{session_id}")["seats"]
        return seats["taken"], seats["waitlisted"]

    def free(self, day: date, zone: str = KOLKATA) -> list[str]:
        found = self.call(
            "GET",
            "/teachers/asha/slots",
            query={"from": str(day), "minutes": "60", "zone": zone},
        )
        return [local(slot["start"], zone) for slot in found["slots"]]


@pytest.fixture(scope="module")
def demo() -> dict[str, list[str]]:
    """What the library's own demo prints: each step's details by what happened."""
    told = subprocess.run(
        [sys.executable, "-m", "booking_core", "demo", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    entries = [json.loads(line) for line in told.stdout.splitlines()]
    return {entry["what"]: entry["details"] for entry in entries}


@pytest.fixture
def site() -> Iterator[Site]:
    """The demo's wiring: its clock, gateway, approval policy and seat ids."""
    clock = ManualClock(START)
    gateway = FakePaymentGateway(secret=webhook_secret(), clock=clock.now)
    seats = itertools.count(1)
    approval = ApprovalPolicy(teachers={"asha": True})
    previous = configure(
        Wiring(
            clock=clock,
            gateway=gateway,
            policies=Policies(one_on_one=OneOnOnePolicy(approval=approval)),
            new_id=lambda: f"seat-{next(seats)}",
        )
    )
    yield Site(clock, gateway)
    configure(previous)


def test_the_demo_week_through_the_views(  # noqa: PLR0915
    site: Site, demo: dict[str, list[str]]
) -> None:
    # 1. Asha opens 1:1 availability on Tuesdays and Thursdays, 15:00-18:00.
    site.call(
        "PUT",
        "/teachers/asha/schedule",
        "asha",
        "teacher",
        {
            "zone": KOLKATA,
            "weekly": [
                {"weekday": 1, "start": "15:00", "end": "18:00"},
                {"weekday": 3, "start": "15:00", "end": "18:00"},
            ],
            "step_minutes": 60,
        },
    )
    assert site.free(THURSDAY) == ["15:00", "16:00", "17:00"]
    assert site.free(THURSDAY, "Europe/London") == ["10:30", "11:30", "12:30"]

    # 2. She schedules the group class: two seats, a waitlist.
    site.at(START + timedelta(minutes=5))
    scheduled = site.call(
        "POST",
        "/sessions",
        "asha",
        "teacher",
        {
            "id": "class-1",
            "course_id": "python-101",
            "start": ist(TUESDAY, 19).isoformat(),
            "minutes": 60,
            "zone": KOLKATA,
            "capacity": 2,
            "waitlist": True,
        },
        expect=201,
    )
    assert local(scheduled["start"], "Europe/London") == "14:30"

    # 3. Four students book: two confirmed, two wait.
    for minute, student, status, taken in (
        (10, "ann", "confirmed", (1, 0)),
        (15, "ben", "confirmed", (2, 0)),
        (20, "cara", "waitlisted", (2, 1)),
        (25, "dev", "waitlisted", (2, 2)),
    ):
        site.at(START + timedelta(minutes=minute))
        booked = site.call("POST", "/sessions/class-1/bookings", student, expect=201)
        assert booked["status"] == status
        assert site.seats("class-1") == taken
    assert booked["id"] == "seat-4"

    # 4. Ben cancels: his seat passes to Cara.
    site.at(START + timedelta(hours=2))
    cancelled = site.call(
        "POST", "/bookings/seat-2/cancel", "ben", body={"reason": "a clash at work"}
    )
    assert cancelled["status"] == "cancelled"
    assert site.call("GET", "/bookings/seat-3")["status"] == "confirmed"
    assert site.seats("class-1") == (2, 1)

    # 5. Dev requests a 1:1; Asha approves hers, so it is pending and holds its slot.
    site.at(ist(MONDAY, 13))
    requested = site.call(
        "POST",
        "/one-on-ones",
        "dev",
        body={
            "teacher_id": "asha",
            "course_id": "python-101",
            "start": ist(THURSDAY, 16).isoformat(),
            "minutes": 60,
            "booking_id": "one-1",
            "session_id": "lesson-1",
        },
        expect=201,
    )
    assert requested["status"] == "pending"
    assert site.free(THURSDAY) == ["15:00", "17:00"]

    # 6. Asha confirms: the session is scheduled with it.
    site.at(ist(MONDAY, 15))
    confirmed = site.call("POST", "/one-on-ones/one-1/confirm", "asha", "teacher")
    assert confirmed["status"] == "confirmed"
    lesson = site.call("GET", "/sessions/lesson-1")
    assert (local(lesson["start"]), local(lesson["end"])) == ("16:00", "17:00")

    # 7. Dev pays; the gateway's webhook captures the payment and splits it.
    site.at(ist(MONDAY, 15, 5))
    order = site.call("POST", "/bookings/one-1/payment", "dev", expect=201)
    assert order["amount"] == "700.00 INR"
    site.gateway.pay(order["order_id"])  # on the gateway's own page
    site.deliver_webhooks()
    paid = site.call("GET", "/bookings/one-1/payment")
    assert paid["payment_id"] == "pay_0000002"
    assert paid["split"] == {
        "gross": "700.00 INR",
        "commission_rate": "0.10",
        "commission": "70.00 INR",
        "gateway_fee": "16.52 INR",
        "gateway_fee_net": "14.00 INR",
        "gateway_tax": "2.52 INR",
        "teacher_share": "613.48 INR",
    }
    wallet = site.call("GET", "/teachers/asha/wallet", "asha", "teacher")
    assert wallet["escrow"] == "613.48 INR"

    # 8. Dev asks to move the 1:1 an hour later; Asha approves.
    site.at(ist(TUESDAY, 9))
    asked = site.call(
        "POST",
        "/sessions/lesson-1/reschedule",
        "dev",
        body={
            "new_start": ist(THURSDAY, 17).isoformat(),
            "reason": "my exam moved to Thursday afternoon",
        },
    )
    respond_by = asked["pending_reschedule"]["respond_by"]
    assert datetime.fromisoformat(respond_by) == ist(date(2026, 6, 3), 9)
    site.at(ist(TUESDAY, 10))
    moved = site.call(
        "POST", "/sessions/lesson-1/reschedule/approve", "asha", "teacher"
    )
    assert (local(moved["start"]), local(moved["end"])) == ("17:00", "18:00")

    # 9. The group class runs; Cara is 12 minutes late; the outcome is held.
    start = ist(TUESDAY, 19)
    people = (("asha", "teacher"), ("ann", "student"), ("cara", "student"))
    joins = (-5, 0, 12)
    _attend(site, "class-1", people, joins, start)
    ended = site.call("POST", "/sessions/class-1/complete", "asha", "teacher")
    assert ended["attendance"] == {
        "asha": "present",
        "ann": "present",
        "ben": "excused",  # cancelled in time
        "cara": "late",
    }
    assert ended["outcome"] == "held"
    assert ended["settlement"] == "delivered: the teacher is paid, nobody is refunded"
    assert site.call("GET", "/sessions/class-1/outcome")["outcome"] == "held"

    # 10. The 1:1 runs; its outcome settles the payment: escrow released.
    start = ist(THURSDAY, 17)
    _attend(site, "lesson-1", (("asha", "teacher"), ("dev", "student")), (-2, 1), start)
    ended = site.call("POST", "/sessions/lesson-1/complete", "asha", "teacher")
    assert ended["outcome"] == "held"
    settled = site.call("POST", "/bookings/one-1/settle", "platform", "system")
    assert settled["closed"] is True
    wallet = site.call("GET", "/teachers/asha/wallet", "asha", "teacher")
    assert (wallet["available"], wallet["escrow"]) == ("613.48 INR", "0.00 INR")
    assert demo["ends the 1:1; the outcome settles the payment"][-1] == (
        f"escrow released: asha's wallet {wallet['available']} available, "
        f"{wallet['escrow']} in escrow"
    )

    # 11. Asha withdraws 600.00 INR; the payout settles by webhook.
    site.at(ist(FRIDAY, 10))
    withdrawal = site.call(
        "POST",
        "/teachers/asha/withdrawals",
        "asha",
        "teacher",
        {"id": "wd-1", "amount": "600.00 INR", "bank_account": BANK},
        expect=201,
    )
    assert (withdrawal["status"], withdrawal["payout_id"]) == ("held", "pout_0000004")
    assert withdrawal["payout_status"] == "pending"
    site.at(ist(FRIDAY, 14))
    for _ in range(4):  # pending -> queued -> scheduled -> processing -> processed
        site.gateway.advance_payouts()
    site.deliver_webhooks()
    assert site.call("GET", "/withdrawals/wd-1")["status"] == "paid"
    wallet = site.call("GET", "/teachers/asha/wallet", "asha", "teacher")
    assert (wallet["available"], wallet["held"]) == ("13.48 INR", "0.00 INR")
    assert demo["settles the payout by webhook: paid"] == [
        f"asha's wallet {wallet['available']} available, {wallet['held']} held"
    ]

    # 12. The week reconciles with the gateway: clean.
    site.at(ist(FRIDAY, 18))
    report = site.call(
        "GET",
        "/reconciliation",
        "ops",
        "admin",
        query={"start": START.isoformat(), "end": site.clock.now().isoformat()},
    )
    assert report == {
        "matched": ["payment:pay_0000002", "payout:wd-1"],
        "discrepancies": [],
        "clean": True,
    }
    matched = report["matched"]
    assert demo["reconciles the ledger with the gateway for the week"] == [
        f"{len(matched)} matched ({', '.join(matched)}), 0 discrepancies: clean"
    ]

    # The database holds the story, as the demo's SQLite file does.
    def stored(collection: str) -> int:
        count: int = Aggregate.objects.filter(collection=collection).count()
        return count

    assert (stored("sessions"), stored("bookings"), stored("attendees")) == (2, 5, 6)
    assert demo["the SQLite file holds the story"] == [
        f"{stored('sessions')} sessions, {stored('bookings')} bookings, "
        f"{stored('attendees')} attendees, "
        f"{OutboxEvent.objects.count()} events in the outbox"
    ]
    assert not OutboxEvent.objects.filter(published=False).exists()


def _attend(
    site: Site,
    session_id: str,
    people: tuple[tuple[str, str], ...],
    joins: tuple[int, ...],
    start: datetime,
) -> None:
    """The meeting provider reports joins (minutes after the start), then leaves."""
    for (participant, role), minutes in zip(people, joins, strict=True):
        at = start + timedelta(minutes=minutes)
        site.at(at)
        site.call(
            "POST",
            f"/sessions/{session_id}/participation",
            "meeting-provider",
            "system",
            {
                "participant_id": participant,
                "role": role,
                "event": "joined",
                "at": at.isoformat(),
            },
            expect=201,
        )
    end = start + timedelta(hours=1)
    site.at(end)
    for participant, role in people:
        site.call(
            "POST",
            f"/sessions/{session_id}/participation",
            "meeting-provider",
            "system",
            {
                "participant_id": participant,
                "role": role,
                "event": "left",
                "at": end.isoformat(),
            },
            expect=201,
        )
