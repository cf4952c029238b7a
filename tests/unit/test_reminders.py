"""Reminders: due once over consecutive windows, none when cancelled, re-armed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs
import pytest

from booking_core import Session, TimeWindow
from booking_core.actors import Actor, Role
from booking_core.errors import InvalidValueError
from booking_core.reminders import (
    Reminder,
    ReminderClaim,
    ReminderDue,
    ReminderPolicy,
    claim_id,
    claim_reminder,
    due_reminders,
    reminder_starts,
    sendable_reminders,
    sendable_starts,
)
from booking_core.sessions import SessionStatus

UTC = timezone.utc
START = datetime(2026, 3, 29, 17, tzinfo=UTC)  # the day London springs forward
STUDENTS = {"s-1": ["bob", "ann"]}


def _session(start: datetime = START) -> Session:
    return Session(
        id="s-1",
        kind="group",
        teacher_id="fay",
        course_id="piano",
        window=TimeWindow.of(start, timedelta(hours=1)),
        zone="Europe/London",
        capacity=4,
    )


def _ticks(
    first: datetime, last: datetime, step: timedelta
) -> list[tuple[datetime, datetime]]:
    bounds = []
    at = first
    while at < last:
        bounds.append((at, min(at + step, last)))
        at += step
    return bounds


@pytest.mark.parametrize(
    "step", [timedelta(minutes=1), timedelta(minutes=7), timedelta(hours=5)]
)
def test_each_reminder_is_due_exactly_once_over_consecutive_ticks(
    step: timedelta,
) -> None:
    session = _session()
    seen: list[Reminder] = []
    for since, now in _ticks(START - timedelta(days=2), START, step):
        seen += due_reminders([session], STUDENTS, since=since, now=now)
    keys = [r.key for r in seen]
    assert len(keys) == len(set(keys)) == 6  # 3 people x (24 h, 1 h)
    assert {(r.participant, r.offset) for r in seen} == {
        (person, offset)
        for person in (Actor.teacher("fay"), Actor.student("ann"), Actor.student("bob"))
        for offset in (timedelta(hours=24), timedelta(hours=1))
    }
    for reminder in seen:
        assert reminder.due_at == START - reminder.offset
        assert reminder.start == START


def test_cancelled_and_closed_sessions_have_none() -> None:
    since = START - timedelta(days=2)
    for status in (
        SessionStatus.CANCELLED,
        SessionStatus.COMPLETED,
        SessionStatus.MISSED,
    ):
        closed = attrs.evolve(
            _session(), status=status, closed_at=START - timedelta(days=3)
        )
        assert due_reminders([closed], STUDENTS, since=since, now=START) == ()


def test_a_reschedule_rearms_with_new_keys() -> None:
    before = due_reminders([_session()], {}, since=START - timedelta(days=2), now=START)
    later = START + timedelta(days=7)
    moved = _session(later)
    after = due_reminders([moved], {}, since=START, now=later)
    assert [r.due_at for r in after] == [
        later - timedelta(hours=24),
        later - timedelta(hours=1),
    ]
    assert not {r.key for r in before} & {r.key for r in after}


def test_policy_per_role_and_bounds() -> None:
    policy = ReminderPolicy(
        teacher=[timedelta(minutes=15)],
        student=(timedelta(hours=2), timedelta(hours=2), timedelta(days=2)),
    )
    assert policy.offsets(Role.STUDENT) == (timedelta(days=2), timedelta(hours=2))
    assert policy.offsets(Role.ADMIN) == ()
    assert policy.longest == timedelta(days=2)
    assert ReminderPolicy(teacher=(), student=()).longest == timedelta(0)
    due = due_reminders(
        [_session()],
        STUDENTS,
        since=START - timedelta(days=3),
        now=START,
        policy=policy,
    )
    assert [(r.participant.user_id, r.offset) for r in due] == [
        ("ann", timedelta(days=2)),
        ("bob", timedelta(days=2)),
        ("ann", timedelta(hours=2)),
        ("bob", timedelta(hours=2)),
        ("fay", timedelta(minutes=15)),
    ]
    for bad in (timedelta(0), timedelta(hours=-1), 3600):
        with pytest.raises(InvalidValueError):
            ReminderPolicy(teacher=(bad,))


def test_the_due_set_window() -> None:
    since, now = START - timedelta(hours=1), START
    assert reminder_starts(since=since, now=now) == TimeWindow(
        start=since, end=now + timedelta(hours=24)
    )
    assert reminder_starts(since=now, now=now) is None
    # every session with a reminder due in [since, now) starts in that window
    for offset in (timedelta(hours=24), timedelta(hours=1)):
        starts = reminder_starts(since=since, now=now)
        assert starts is not None
        assert starts.start <= since + offset < starts.end


# -- what a monitor sends: late tolerance, claims, the event ---------------------


def test_late_is_a_positive_timedelta() -> None:
    assert ReminderPolicy().late == timedelta(hours=1)
    for bad in (timedelta(0), timedelta(minutes=-5), 60):
        with pytest.raises(InvalidValueError) as raised:
            ReminderPolicy(late=bad)  # type: ignore[arg-type]
        assert raised.value.code == "input.invalid_value"


def test_sendable_reminders_are_at_most_late_and_never_after_the_start() -> None:
    policy = ReminderPolicy(teacher=(), student=(timedelta(hours=1),))
    one_hour_before = START - timedelta(hours=1)
    at = {
        one_hour_before - timedelta(minutes=1): [],  # not due yet
        one_hour_before: [],  # due at now is the next tick's ([since, now))
        one_hour_before + timedelta(minutes=1): ["ann", "bob"],
        START - timedelta(minutes=1): ["ann", "bob"],  # 59 min late: still sent
        START: [],  # the session started
    }
    for now, expected in at.items():
        sent = sendable_reminders([_session()], STUDENTS, now=now, policy=policy)
        assert [r.participant.user_id for r in sent] == expected, now
    tight = attrs.evolve(policy, late=timedelta(minutes=10))
    late = one_hour_before + timedelta(minutes=11)
    assert sendable_reminders([_session()], STUDENTS, now=late, policy=tight) == ()
    assert len(sendable_reminders([_session()], STUDENTS, now=late)) == 3


def test_sendable_starts_are_one_late_wide_window_per_offset() -> None:
    now = START - timedelta(hours=30)
    hour = timedelta(hours=1)
    assert sendable_starts(now=now) == (
        TimeWindow(start=now, end=now + hour),
        TimeWindow(start=now + 23 * hour, end=now + 24 * hour),
    )
    close = ReminderPolicy(
        teacher=(timedelta(minutes=30),), student=(hour, 2 * hour), late=hour
    )
    assert sendable_starts(now=now, policy=close) == (
        TimeWindow(start=now, end=now + 2 * hour),
    )
    off = ReminderPolicy(teacher=(), student=())
    assert sendable_starts(now=now, policy=off) == ()


def test_claims_are_stored_under_the_key_or_a_digest_of_a_long_one() -> None:
    reminder = due_reminders(
        [_session()], STUDENTS, since=START - timedelta(hours=2), now=START
    )[0]
    now = reminder.due_at + timedelta(minutes=3)
    decision = claim_reminder(reminder, now=now, actor=Actor.system())
    claim, (event,) = decision.state, decision.events
    assert claim == ReminderClaim(id=reminder.key, reminder=reminder, claimed_at=now)
    assert isinstance(event, ReminderDue)
    assert (event.name, event.version, event.aggregate_id) == ("reminder.due", 1, "s-1")
    assert (event.key, event.participant, event.offset) == (
        reminder.key,
        reminder.participant,
        reminder.offset,
    )
    assert (event.start, event.due_at, event.occurred_at) == (
        START,
        reminder.due_at,
        now,
    )
    assert event.to_dict()["data"]["offset"] == "PT1H"
    long = "x" * 300
    assert claim_id(long) == claim_id(long) != claim_id(long + "y")
    assert claim_id(long).startswith("sha256~")
    assert len(claim_id(long)) == len("sha256~") + 64
