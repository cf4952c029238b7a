"""Shared fixtures: the services on a fixed clock, the events sent by signal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from booking_core import Actor, ManualClock, TimeWindow
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.events import DomainEvent

from booking_store.events import domain_event
from classroom.services import Wiring, configure, core, webhook_secret


def pytest_report_header() -> str:
    """Which database the run is on (``BOOKING_CORE_PG_DSN`` picks PostgreSQL)."""
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"


NOW = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)
TEACHER = Actor.teacher("teacher-1")


@pytest.fixture
def clock() -> Iterator[ManualClock]:
    """The services read this fixed clock (and a fake gateway) during the test."""
    manual = ManualClock(NOW)
    previous = configure(
        Wiring(
            clock=manual,
            gateway=FakePaymentGateway(secret=webhook_secret(), clock=manual.now),
        )
    )
    yield manual
    configure(previous)


@pytest.fixture
def signalled() -> Iterator[list[DomainEvent]]:
    """Every event the app published (after commit) during the test."""
    received: list[DomainEvent] = []

    def receive(sender: Any, *, event: DomainEvent, **_: Any) -> None:
        received.append(event)

    domain_event.connect(receive, weak=False)
    yield received
    domain_event.disconnect(receive)


def schedule_group(session_id: str, *, capacity: int, days: int = 10) -> None:
    """Schedule a group session through the library's session service.

    Europe/London, ten days after 20 March 2026: across the spring-forward
    change of 29 March, so the stored instants must survive DST.
    """
    core().sessions.schedule(
        session_id=session_id,
        kind="group",
        teacher_id=TEACHER.user_id,
        course_id="course-1",
        window=TimeWindow.of(NOW + timedelta(days=days), timedelta(hours=1)),
        zone="Europe/London",
        capacity=capacity,
        waitlist_enabled=True,
        actor=TEACHER,
    )
