"""Session command refusals carry the details hosts render: who, what, which, when.

Each refusal is checked for its whole ``details`` dict, so a detail dropped or
renamed (``actor``, ``action``, ``session_id``, ``status``, ``allowed``, the
instants) fails here.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from booking_core import Actor, TimeWindow
from booking_core.errors import (
    InvalidSessionTextError,
    InvalidValueError,
    NewTimeTooSoonError,
    NoPendingRescheduleError,
    NoShowTooEarlyError,
    NotSessionParticipantError,
    OwnRescheduleRequestError,
    RescheduleNotDueError,
    RescheduleNoticeTooShortError,
    ReschedulePendingError,
    SessionNotEndedError,
    SessionNotScheduledError,
    SessionRoleNotAllowedError,
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

START = datetime(2026, 10, 28, 9, tzinfo=timezone.utc)  # after the London fold
NOW = START - timedelta(days=3)
HOUR = timedelta(hours=1)
TEACHER = Actor.teacher("t-1")
STUDENT = Actor.student("s-1")
ADMIN = Actor.admin("a-1")
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


def _asked_by(actor: Actor, new_start: datetime | None = None) -> Session:
    return request_reschedule(
        _session(),
        reason="a clash with an exam",
        new_start=new_start,
        students=STUDENTS,
        actor=actor,
        now=NOW,
        policy=RP,
    ).state


def test_the_system_may_not_request_a_reschedule() -> None:
    system = Actor.system()
    with pytest.raises(SessionRoleNotAllowedError) as caught:
        request_reschedule(
            _session(), reason="a clash with an exam", actor=system, now=NOW, policy=RP
        )
    assert caught.value.details == {
        "actor": system,
        "action": "request a reschedule",
        "allowed": "admin, student, teacher",
    }


def test_another_teacher_is_not_a_participant() -> None:
    other = Actor.teacher("t-2")
    with pytest.raises(NotSessionParticipantError) as caught:
        cancel(_session(), reason="ill", actor=other, now=NOW, policy=SP)
    assert caught.value.details == {
        "actor": other,
        "action": "cancel a one_on_one session",
        "session_id": "s",
    }


def test_a_closed_session_names_its_status() -> None:
    closed = cancel(_session(), reason="ill", actor=TEACHER, now=NOW, policy=SP).state
    with pytest.raises(SessionNotScheduledError) as caught:
        cancel(closed, reason="again", actor=TEACHER, now=NOW, policy=SP)
    assert caught.value.details == {
        "action": "cancel a one_on_one session",
        "session_id": "s",
        "status": "cancelled",
    }


def test_answering_without_a_request() -> None:
    with pytest.raises(NoPendingRescheduleError) as caught:
        decline_reschedule(_session(), actor=TEACHER, now=NOW, policy=RP)
    assert caught.value.details == {
        "action": "decline the reschedule",
        "session_id": "s",
    }


def test_a_teachers_request_is_answered_by_a_student_or_an_admin() -> None:
    session = _asked_by(TEACHER, START + timedelta(days=2))
    with pytest.raises(OwnRescheduleRequestError) as own:
        approve_reschedule(session, actor=TEACHER, now=NOW, policy=RP)
    assert own.value.details == {
        "actor": TEACHER,
        "action": "approve the reschedule",
        "session_id": "s",
        "allowed": "admin, student",
    }
    for answerer in (STUDENT, ADMIN):
        moved = approve_reschedule(
            session, students=STUDENTS, actor=answerer, now=NOW, policy=RP
        )
        assert moved.state.start == START + timedelta(days=2)


def test_a_students_request_is_not_answered_by_another_student() -> None:
    session = _asked_by(STUDENT, START + timedelta(days=2))
    classmate = Actor.student("s-2")
    with pytest.raises(SessionRoleNotAllowedError) as caught:
        approve_reschedule(
            session,
            students=frozenset({"s-1", "s-2"}),
            actor=classmate,
            now=NOW,
            policy=RP,
        )
    assert caught.value.details == {
        "actor": classmate,
        "action": "approve the reschedule made by a student",
        "allowed": "admin, teacher",
    }


def test_approving_an_open_request_needs_a_time() -> None:
    session = _asked_by(STUDENT)
    with pytest.raises(InvalidValueError) as caught:
        approve_reschedule(session, actor=TEACHER, now=NOW, policy=RP)
    assert caught.value.details == {
        "field": "new_start",
        "reason": "is required because the request proposed no new time",
        "value": None,
    }


def test_a_new_time_too_soon_names_the_earliest() -> None:
    soon = NOW + timedelta(minutes=59)
    with pytest.raises(NewTimeTooSoonError) as caught:
        request_reschedule(
            _session(),
            reason="a clash with an exam",
            new_start=soon,
            students=STUDENTS,
            actor=STUDENT,
            now=NOW,
            policy=RP,
        )
    assert caught.value.details == {
        "new_start": soon.isoformat(),
        "lead": HOUR,
        "now": NOW.isoformat(),
        "earliest": (NOW + HOUR).isoformat(),
    }


def test_an_early_no_show_names_the_earliest_instant() -> None:
    early = START + timedelta(minutes=10)
    with pytest.raises(NoShowTooEarlyError) as caught:
        mark_missed(_session(), actor=TEACHER, now=early, policy=SP)
    assert caught.value.details == {
        "session_id": "s",
        "earliest": (START + timedelta(minutes=30)).isoformat(),
        "limit": timedelta(minutes=30),
        "now": early.isoformat(),
    }


def test_a_second_request_names_the_pending_one() -> None:
    session = _asked_by(STUDENT)
    pending = session.pending_reschedule
    assert pending is not None
    with pytest.raises(ReschedulePendingError) as caught:
        request_reschedule(
            session,
            reason="another clash",
            students=STUDENTS,
            actor=TEACHER,
            now=NOW,
            policy=RP,
        )
    assert caught.value.details == {
        "session_id": "s",
        "requested_by": STUDENT,
        "respond_by": pending.respond_by.isoformat(),
    }


def test_too_short_a_notice_names_the_role_and_both_durations() -> None:
    late = START - timedelta(hours=23)
    with pytest.raises(RescheduleNoticeTooShortError) as caught:
        request_reschedule(
            _session(),
            reason="a clash with an exam",
            students=STUDENTS,
            actor=STUDENT,
            now=late,
            policy=RP,
        )
    assert caught.value.details == {
        "role": "student",
        "required": RP.required_notice(STUDENT.role),
        "start": START.isoformat(),
        "remaining": timedelta(hours=23),
    }


def test_an_early_expiry_names_the_session() -> None:
    session = _asked_by(STUDENT)
    pending = session.pending_reschedule
    assert pending is not None
    with pytest.raises(RescheduleNotDueError) as caught:
        expire_reschedule(session, actor=Actor.system(), now=NOW, policy=RP)
    assert caught.value.details == {
        "session_id": "s",
        "respond_by": pending.respond_by.isoformat(),
        "now": NOW.isoformat(),
    }


def test_expiry_approves_a_new_time_exactly_the_lead_away() -> None:
    new_start = NOW + timedelta(days=2)
    session = _asked_by(STUDENT, new_start)
    pending = session.pending_reschedule
    assert pending is not None
    at_lead = new_start - RP.min_new_time_lead
    assert at_lead >= pending.respond_by
    decision = expire_reschedule(session, actor=Actor.system(), now=at_lead, policy=RP)
    assert decision.state.start == new_start
    assert decision.events[0].auto_approved is True  # type: ignore[attr-defined]
    later = expire_reschedule(
        session,
        actor=Actor.system(),
        now=at_lead + timedelta(microseconds=1),
        policy=RP,
    )
    assert later.state.start == START


def test_completion_notes_and_no_show_reasons_are_one_character_at_least() -> None:
    done = complete(_session(), notes=" x ", actor=TEACHER, now=START + HOUR, policy=SP)
    assert done.events[0].notes == "x"  # type: ignore[attr-defined]
    with pytest.raises(InvalidSessionTextError) as caught:
        complete(
            _session(), notes="n" * 1001, actor=TEACHER, now=START + HOUR, policy=SP
        )
    assert caught.value.details == {
        "field": "notes",
        "minimum": 1,
        "maximum": 1000,
        "length": 1001,
    }
    late = START + timedelta(minutes=30)
    missed = mark_missed(_session(), reason="x", actor=TEACHER, now=late, policy=SP)
    assert missed.events[0].reason == "x"  # type: ignore[attr-defined]
    with pytest.raises(InvalidSessionTextError) as caught:
        mark_missed(_session(), reason="  ", actor=TEACHER, now=late, policy=SP)
    assert caught.value.details == {
        "field": "reason",
        "minimum": 1,
        "maximum": 500,
        "length": 0,
    }


def test_an_early_completion_names_who_and_when() -> None:
    early = START + HOUR - timedelta(seconds=1)
    with pytest.raises(SessionNotEndedError) as caught:
        complete(_session(), actor=TEACHER, now=early, policy=SP)
    assert caught.value.details == {
        "session_id": "s",
        "actor": TEACHER,
        "earliest": (START + HOUR).isoformat(),
        "now": early.isoformat(),
    }
