"""Session commands take ``now`` in any zone, refuse a naive one, and report UTC.

Hosts pass ``now`` from their own clock; a zoned instant (Asia/Kolkata here) is
the same instant as its UTC reading, and error details always show the UTC form.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking_core import Actor, Decision, TimeWindow
from booking_core.errors import (
    NaiveDatetimeError,
    NoShowTooEarlyError,
    RescheduleNotDueError,
    SessionNotEndedError,
    SessionStartInPastError,
)
from booking_core.sessions import (
    ReschedulePolicy,
    Session,
    SessionPolicy,
    approve_reschedule,
    cancel,
    complete,
    decline_reschedule,
    expire_reschedule,
    mark_missed,
    request_reschedule,
    schedule,
)

KOLKATA = ZoneInfo("Asia/Kolkata")
START = datetime(2026, 6, 10, 9, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
TEACHER = Actor.teacher("t-1")
STUDENT = Actor.student("s-1")
SYSTEM = Actor.system()
STUDENTS = frozenset({"s-1"})
SP = SessionPolicy()
RP = ReschedulePolicy()


def _session() -> Session:
    return schedule(
        session_id="s",
        kind="one_on_one",
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(START, HOUR),
        zone="Europe/London",
        actor=TEACHER,
        now=START - timedelta(days=30),
    ).state


def _pending() -> Session:
    return request_reschedule(
        _session(),
        reason="a clash with an exam",
        new_start=START + timedelta(days=2),
        students=STUDENTS,
        actor=STUDENT,
        now=START - timedelta(days=3),
        policy=RP,
    ).state


def _kolkata(instant: datetime) -> datetime:
    return instant.astimezone(KOLKATA)


Command = Callable[[datetime], Decision[Session]]

COMMANDS: dict[str, tuple[Command, datetime]] = {
    "schedule": (
        lambda now: schedule(
            session_id="s",
            kind="group",
            teacher_id="t-1",
            course_id="c-1",
            window=TimeWindow.of(START, HOUR),
            zone="Asia/Kolkata",
            actor=TEACHER,
            now=now,
        ),
        START - timedelta(days=1),
    ),
    "request_reschedule": (
        lambda now: request_reschedule(
            _session(),
            reason="a clash with an exam",
            new_start=START + timedelta(days=2),
            students=STUDENTS,
            actor=STUDENT,
            now=now,
            policy=RP,
        ),
        START - timedelta(days=3),
    ),
    "approve_reschedule": (
        lambda now: approve_reschedule(
            _pending(), students=STUDENTS, actor=TEACHER, now=now, policy=RP
        ),
        START - timedelta(days=2),
    ),
    "decline_reschedule": (
        lambda now: decline_reschedule(
            _pending(), students=STUDENTS, actor=TEACHER, now=now, policy=RP
        ),
        START - timedelta(days=2),
    ),
    "expire_reschedule": (
        lambda now: expire_reschedule(_pending(), actor=SYSTEM, now=now, policy=RP),
        START - timedelta(days=2),
    ),
    "complete": (
        lambda now: complete(_session(), actor=TEACHER, now=now, policy=SP),
        START + HOUR,
    ),
    "cancel": (
        lambda now: cancel(_session(), reason="ill", actor=TEACHER, now=now, policy=SP),
        START - timedelta(days=1),
    ),
    "mark_missed": (
        lambda now: mark_missed(_session(), actor=SYSTEM, now=now, policy=SP),
        START + timedelta(minutes=30),
    ),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_zoned_now_is_the_same_instant(name: str) -> None:
    command, instant = COMMANDS[name]
    decision = command(_kolkata(instant))
    (event,) = decision.events
    assert event.occurred_at == instant
    assert event.occurred_at.tzinfo is timezone.utc


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_naive_now_is_refused_as_now(name: str) -> None:
    command, instant = COMMANDS[name]
    naive = instant.replace(tzinfo=None)
    with pytest.raises(NaiveDatetimeError) as caught:
        command(naive)
    assert caught.value.details == {"field": "now", "value": naive}


def test_schedule_in_the_past_reports_utc_instants() -> None:
    now = _kolkata(START)
    with pytest.raises(SessionStartInPastError) as caught:
        COMMANDS["schedule"][0](now)
    assert caught.value.details == {
        "now": "2026-06-10T09:00:00+00:00",
        "start": "2026-06-10T09:00:00+00:00",
    }


def test_early_expiry_reports_utc_instants() -> None:
    due = START - timedelta(days=2)  # the request's respond_by (24 h later)
    with pytest.raises(RescheduleNotDueError) as caught:
        COMMANDS["expire_reschedule"][0](_kolkata(due - timedelta(seconds=1)))
    assert caught.value.details["now"] == "2026-06-08T08:59:59+00:00"
    assert caught.value.details["respond_by"] == "2026-06-08T09:00:00+00:00"


def test_early_completion_reports_a_utc_now() -> None:
    early = START + HOUR - timedelta(seconds=1)
    with pytest.raises(SessionNotEndedError) as caught:
        COMMANDS["complete"][0](_kolkata(early))
    assert caught.value.details["now"] == "2026-06-10T09:59:59+00:00"


def test_early_no_show_reports_a_utc_now() -> None:
    early = START + timedelta(minutes=29)
    with pytest.raises(NoShowTooEarlyError) as caught:
        COMMANDS["mark_missed"][0](_kolkata(early))
    assert caught.value.details["now"] == "2026-06-10T09:29:00+00:00"
