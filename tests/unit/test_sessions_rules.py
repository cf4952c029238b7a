"""Boundary examples and the finer rules of the session lifecycle.

Fixed instants only; DST dates for Europe/London and a no-DST zone (Asia/Kolkata).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import cast
from zoneinfo import ZoneInfo

import attrs
import pytest

from booking_core.actors import Actor, Role
from booking_core.errors import (
    InvalidSessionTextError,
    InvalidValueError,
    JoinWindowClosedError,
    NaiveDatetimeError,
    NewTimeTooSoonError,
    NoShowTooEarlyError,
    NotSessionParticipantError,
    RejoinNotAllowedError,
    RescheduleNotDueError,
    RescheduleNoticeTooShortError,
    SessionNotEndedError,
    SessionNotScheduledError,
    SessionRoleNotAllowedError,
    SessionStartInPastError,
    UnknownZoneError,
)
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.sessions import (
    MeetingInfo,
    RescheduleExpired,
    ReschedulePolicy,
    RescheduleRequest,
    Session,
    SessionCompleted,
    SessionEvent,
    SessionKind,
    SessionPolicy,
    SessionStatus,
    apply,
    approve_reschedule,
    can_be_completed,
    can_join,
    cancel,
    check_join,
    complete,
    decline_reschedule,
    expire_reschedule,
    is_overdue,
    is_past_grace_period,
    is_past_no_show_limit,
    is_reschedule_expired,
    join_window,
    mark_missed,
    replay,
    request_reschedule,
    schedule,
    status_display,
    time_until_start,
)

LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
START = datetime(2026, 6, 10, 9, tzinfo=timezone.utc)
SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)
SP = SessionPolicy()
RP = ReschedulePolicy()
TEACHER = Actor.teacher("t-1")
STUDENT = Actor.student("s-1")
ADMIN = Actor.admin("a-1")
SYSTEM = Actor.system()
STUDENTS = frozenset({"s-1"})
REASON = "a clash with an exam"


def make(
    start: datetime = START,
    *,
    zone: str = "Europe/London",
    kind: SessionKind = SessionKind.ONE_ON_ONE,
    duration: timedelta = HOUR,
) -> Session:
    return schedule(
        session_id="s",
        kind=kind,
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(start, duration),
        zone=zone,
        meeting=MeetingInfo(provider="jitsi", link="https://meet.example/s"),
        actor=TEACHER,
        now=start - timedelta(days=30),
    ).state


def ask(
    session: Session,
    *,
    now: datetime,
    actor: Actor = STUDENT,
    reason: str = REASON,
    new_start: datetime | None = None,
    policy: ReschedulePolicy = RP,
) -> Session:
    return request_reschedule(
        session,
        reason=reason,
        new_start=new_start,
        students=STUDENTS,
        actor=actor,
        now=now,
        policy=policy,
    ).state


# -- notice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "notice"),
    [(STUDENT, timedelta(hours=24)), (TEACHER, timedelta(hours=48))],
)
def test_notice_exactly_allowed_one_second_less_refused(
    actor: Actor, notice: timedelta
) -> None:
    session = make()
    asked = ask(session, actor=actor, now=START - notice)
    assert asked.is_reschedule_requested
    with pytest.raises(RescheduleNoticeTooShortError) as raised:
        ask(session, actor=actor, now=START - notice + SECOND)
    assert raised.value.code == "sessions.notice_too_short"
    assert "remain" in str(raised.value)


def test_admin_may_request_until_the_start_but_not_after() -> None:
    session = make()
    assert ask(session, actor=ADMIN, now=START).pending_reschedule is not None
    with pytest.raises(RescheduleNoticeTooShortError):
        ask(session, actor=ADMIN, now=START + SECOND)


def test_late_window_for_listed_roles_down_to_minimum_notice() -> None:
    policy = ReschedulePolicy(late_request_roles={Role.STUDENT})
    session = make()
    assert ask(
        session, now=START - timedelta(hours=10), policy=policy
    ).is_reschedule_requested
    with pytest.raises(RescheduleNoticeTooShortError):
        ask(session, now=START - timedelta(hours=10) + SECOND, policy=policy)
    with pytest.raises(RescheduleNoticeTooShortError):  # teachers are not listed
        ask(session, actor=TEACHER, now=START - timedelta(hours=47), policy=policy)
    literal = attrs.evolve(policy, minimum_notice=timedelta(0))
    asked = ask(session, now=START - SECOND, policy=literal)
    assert asked.is_reschedule_requested


def test_notice_is_absolute_time_across_the_london_spring_gap() -> None:
    # 10:00 BST on the day clocks go forward is 09:00 UTC; 10:00 GMT the day before
    # is only 23 real hours earlier.
    start = datetime(2026, 3, 29, 10, tzinfo=LONDON)
    session = make(start)
    with pytest.raises(RescheduleNoticeTooShortError):
        ask(session, now=datetime(2026, 3, 28, 10, tzinfo=LONDON))
    assert ask(
        session, now=datetime(2026, 3, 28, 9, tzinfo=LONDON)
    ).is_reschedule_requested


def test_notice_across_the_london_autumn_fold() -> None:
    start = datetime(2026, 10, 25, 10, tzinfo=LONDON)  # GMT again, 10:00 UTC
    session = make(start)
    # 11:00 BST the day before is 10:00 UTC: exactly 24 h
    assert ask(
        session, now=datetime(2026, 10, 24, 11, tzinfo=LONDON)
    ).is_reschedule_requested
    with pytest.raises(RescheduleNoticeTooShortError):
        ask(session, now=datetime(2026, 10, 24, 11, 0, 1, tzinfo=LONDON))
    # a session in the repeated hour keeps its instant (fold=1: the GMT 01:30)
    folded = make(datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON))
    assert folded.start == datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)


def test_notice_in_kolkata() -> None:
    start = datetime(2026, 2, 28, 18, tzinfo=KOLKATA)
    session = make(start, zone="Asia/Kolkata")
    assert ask(
        session, now=datetime(2026, 2, 27, 18, tzinfo=KOLKATA)
    ).is_reschedule_requested
    with pytest.raises(RescheduleNoticeTooShortError):
        ask(session, now=datetime(2026, 2, 27, 18, 0, 1, tzinfo=KOLKATA))


# -- reason ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "ok"), [(9, False), (10, True), (500, True), (501, False)]
)
def test_reason_length_bounds(length: int, ok: bool) -> None:
    session = make()
    now = START - timedelta(days=3)
    reason = "   " + "r" * length + "\n"
    if ok:
        assert ask(session, now=now, reason=reason).pending_reschedule.reason == (  # type: ignore[union-attr]
            "r" * length
        )
    else:
        with pytest.raises(InvalidSessionTextError) as raised:
            ask(session, now=now, reason=reason)
        assert raised.value.details["length"] == length


def test_reason_must_be_a_string() -> None:
    with pytest.raises(InvalidValueError):
        ask(make(), now=T0, reason=None)  # type: ignore[arg-type]


# -- new time -------------------------------------------------------------------


def test_new_time_exactly_one_hour_ahead_allowed() -> None:
    now = START - timedelta(days=3)
    session = ask(make(), now=now, new_start=now + HOUR)
    assert session.pending_reschedule is not None
    assert session.pending_reschedule.new_window == TimeWindow.of(now + HOUR, HOUR)
    with pytest.raises(NewTimeTooSoonError):
        ask(make(), now=now, new_start=now + HOUR - SECOND)


def test_approve_new_time_lead_and_counter_proposal() -> None:
    now = START - timedelta(days=3)
    session = ask(make(), now=now, new_start=START + timedelta(days=1))
    later = now + timedelta(hours=2)
    counter = approve_reschedule(
        session, new_start=later + HOUR, actor=TEACHER, now=later, policy=RP
    )
    assert counter.state.window == TimeWindow.of(later + HOUR, HOUR)
    with pytest.raises(NewTimeTooSoonError):
        approve_reschedule(
            session,
            new_start=later + HOUR - SECOND,
            actor=TEACHER,
            now=later,
            policy=RP,
        )
    with pytest.raises(NaiveDatetimeError):
        approve_reschedule(
            session, new_start=datetime(2026, 7, 1), actor=TEACHER, now=later, policy=RP
        )


def test_approve_needs_a_time_when_none_was_proposed() -> None:
    now = START - timedelta(days=3)
    session = ask(make(), now=now)
    with pytest.raises(InvalidValueError) as raised:
        approve_reschedule(session, actor=TEACHER, now=now, policy=RP)
    assert raised.value.details["field"] == "new_start"
    moved = approve_reschedule(
        session, new_start=START + timedelta(days=2), actor=TEACHER, now=now, policy=RP
    )
    assert moved.state.start == START + timedelta(days=2)
    assert moved.state.duration == HOUR


def test_decline_keeps_the_window_and_checks_its_reason() -> None:
    now = START - timedelta(days=3)
    session = ask(make(), now=now, new_start=START + timedelta(days=1))
    declined = decline_reschedule(session, actor=TEACHER, now=now, policy=RP)
    assert declined.state.window == session.window
    assert declined.state.pending_reschedule is None
    assert cast("SessionEvent", declined.events[0]).reason is None
    with pytest.raises(InvalidSessionTextError):
        decline_reschedule(session, reason="  ", actor=TEACHER, now=now, policy=RP)


# -- expiry ---------------------------------------------------------------------


def test_expire_before_deadline_refused_then_auto_approved() -> None:
    requested_at = START - timedelta(days=3)
    new_start = START + timedelta(days=2)
    session = ask(make(), now=requested_at, new_start=new_start)
    assert session.pending_reschedule is not None
    due = session.pending_reschedule.respond_by
    assert due == requested_at + timedelta(hours=24)
    assert not is_reschedule_expired(session, now=due - SECOND)
    assert is_reschedule_expired(session, now=due)
    with pytest.raises(RescheduleNotDueError):
        expire_reschedule(session, actor=SYSTEM, now=due - SECOND, policy=RP)
    decision = expire_reschedule(session, actor=SYSTEM, now=due, policy=RP)
    (event,) = decision.events
    assert isinstance(event, RescheduleExpired)
    assert event.auto_approved
    assert decision.state.window == TimeWindow.of(new_start, HOUR)
    assert event.old_window == session.window


@pytest.mark.parametrize("why", ["no proposal", "auto off", "too close"])
def test_expire_lapses(why: str) -> None:
    requested_at = START - timedelta(days=3)
    policy = RP
    new_start: datetime | None = START + timedelta(days=1)
    if why == "no proposal":
        new_start = None
    if why == "auto off":
        policy = ReschedulePolicy(auto_approve_on_timeout=False)
    if why == "too close":
        new_start = requested_at + timedelta(hours=24, minutes=30)
    session = ask(make(), now=requested_at, new_start=new_start, policy=policy)
    due = requested_at + timedelta(hours=24)
    decision = expire_reschedule(session, actor=ADMIN, now=due, policy=policy)
    event = decision.events[0]
    assert isinstance(event, RescheduleExpired)
    assert not event.auto_approved
    assert decision.state.window == session.window
    assert decision.state.pending_reschedule is None
    assert event.proposed_window == (
        None if new_start is None else TimeWindow.of(new_start, HOUR)
    )


def test_respond_by_never_after_the_session_start() -> None:
    now = START - timedelta(hours=24)  # student's exact notice
    session = ask(make(), now=now, new_start=START + timedelta(days=1))
    assert session.pending_reschedule is not None
    assert session.pending_reschedule.respond_by == START


# -- join window ----------------------------------------------------------------


def test_join_at_exactly_opens_and_closes() -> None:
    session = make()
    opens = START - timedelta(minutes=10)
    closes = session.end + timedelta(minutes=15)
    assert join_window(session, SP) == TimeWindow(start=opens, end=closes)
    cases = {
        opens - SECOND: False,
        opens: True,
        closes - SECOND: True,
        closes: False,
    }
    for now, expected in cases.items():
        assert can_join(session, STUDENT, now=now, policy=SP, students=STUDENTS) is (
            expected
        )
    with pytest.raises(JoinWindowClosedError):
        check_join(session, STUDENT, now=closes, policy=SP, students=STUDENTS)


def test_join_rules_roles_rejoin_and_terminal() -> None:
    session = make()
    now = START
    assert can_join(session, TEACHER, now=now, policy=SP)
    assert can_join(session, ADMIN, now=now, policy=SP)
    assert not can_join(
        session, Actor.student("s-2"), now=now, policy=SP, students=STUDENTS
    )
    with pytest.raises(SessionRoleNotAllowedError):
        check_join(session, SYSTEM, now=now, policy=SP)
    with pytest.raises(NotSessionParticipantError):
        check_join(session, Actor.teacher("t-2"), now=now, policy=SP)
    assert can_join(session, TEACHER, now=now, policy=SP, already_joined=True)
    strict = SessionPolicy(rejoin_allowed=False)
    with pytest.raises(RejoinNotAllowedError):
        check_join(session, TEACHER, now=now, policy=strict, already_joined=True)
    cancelled = cancel(session, reason="ill", actor=TEACHER, now=now, policy=SP).state
    with pytest.raises(SessionNotScheduledError):
        check_join(cancelled, TEACHER, now=now, policy=SP)


def test_join_window_across_the_london_spring_gap() -> None:
    # 00:55 to 01:55 UTC on 29 March 2026: the clocks jump 01:00 -> 02:00 inside.
    start = datetime(2026, 3, 29, 0, 55, tzinfo=LONDON)
    session = make(start)
    window = join_window(session, SP)
    assert window.duration == HOUR + timedelta(minutes=25)
    local_close = window.end.astimezone(LONDON)
    assert (local_close.hour, local_close.minute) == (3, 10)


# -- no-show, completion ----------------------------------------------------------


def test_no_show_at_exactly_thirty_minutes() -> None:
    session = make()
    limit = START + timedelta(minutes=30)
    assert not is_past_no_show_limit(session, now=limit - SECOND, policy=SP)
    assert is_past_no_show_limit(session, now=limit, policy=SP)
    with pytest.raises(NoShowTooEarlyError):
        mark_missed(session, actor=SYSTEM, now=limit - SECOND, policy=SP)
    missed = mark_missed(session, actor=SYSTEM, now=limit, policy=SP)
    assert missed.state.status is SessionStatus.MISSED
    assert missed.state.closed_at == limit
    assert missed.state.closed_by == SYSTEM
    assert missed.state.close_reason is None


def test_complete_one_second_before_end_refused() -> None:
    session = make()
    with pytest.raises(SessionNotEndedError):
        complete(session, actor=TEACHER, now=session.end - SECOND, policy=SP)
    assert not can_be_completed(session, now=session.end - SECOND)
    assert can_be_completed(session, now=session.end)
    done = complete(
        session, notes="  went well  ", actor=TEACHER, now=session.end, policy=SP
    ).state
    assert done.status is SessionStatus.COMPLETED
    assert [n.text for n in done.notes_by(Role.TEACHER)] == ["went well"]
    assert done.notes_by(Role.STUDENT) == ()


def test_system_completes_only_after_the_grace_period() -> None:
    session = make()
    grace_end = session.end + timedelta(minutes=15)
    assert not is_past_grace_period(session, now=grace_end - SECOND, policy=SP)
    assert is_past_grace_period(session, now=grace_end, policy=SP)
    with pytest.raises(SessionNotEndedError):
        complete(session, actor=SYSTEM, now=grace_end - SECOND, policy=SP)
    done = complete(session, notes="", actor=SYSTEM, now=grace_end, policy=SP)
    assert done.state.notes == ()
    assert isinstance(done.events[0], SessionCompleted)
    assert done.events[0].notes is None


@pytest.mark.parametrize(("length", "ok"), [(1000, True), (1001, False)])
def test_completion_notes_length(length: int, ok: bool) -> None:
    session = make(kind=SessionKind.GROUP)
    notes = "n" * length
    if ok:
        done = complete(
            session,
            notes=notes,
            students=STUDENTS,
            actor=STUDENT,
            now=session.end,
            policy=SP,
        ).state
        assert done.notes_by(Role.STUDENT)[0].text == notes
    else:
        with pytest.raises(InvalidSessionTextError):
            complete(
                session,
                notes=notes,
                students=STUDENTS,
                actor=STUDENT,
                now=session.end,
                policy=SP,
            )


def test_completing_drops_a_pending_request() -> None:
    session = ask(make(), now=START - timedelta(days=3))
    done = complete(session, actor=ADMIN, now=session.end, policy=SP).state
    assert done.pending_reschedule is None


def test_cancel_needs_a_reason_and_keeps_it() -> None:
    session = make()
    with pytest.raises(InvalidSessionTextError):
        cancel(session, reason=" ", actor=TEACHER, now=T0, policy=SP)
    with pytest.raises(InvalidSessionTextError):
        cancel(session, reason="x" * 501, actor=TEACHER, now=T0, policy=SP)
    done = cancel(session, reason=" ill ", actor=TEACHER, now=T0, policy=SP).state
    assert (done.close_reason, done.closed_by, done.closed_at) == ("ill", TEACHER, T0)


def test_schedule_refuses_the_past_and_bad_input() -> None:
    window = TimeWindow.of(T0, HOUR)
    kwargs = {
        "session_id": "s",
        "kind": "group",
        "teacher_id": "t-1",
        "course_id": "c-1",
        "window": window,
        "zone": "Europe/London",
        "actor": TEACHER,
    }
    with pytest.raises(SessionStartInPastError):
        schedule(**kwargs, now=T0)  # type: ignore[arg-type]
    assert schedule(**kwargs, now=T0 - SECOND).state.start == T0  # type: ignore[arg-type]
    with pytest.raises(UnknownZoneError):
        schedule(**{**kwargs, "zone": "Mars/Base"}, now=T0 - HOUR)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError):
        schedule(**{**kwargs, "kind": "seminar"}, now=T0 - HOUR)  # type: ignore[arg-type]
    with pytest.raises(NaiveDatetimeError):
        schedule(**kwargs, now=datetime(2026, 1, 1))  # type: ignore[arg-type]


# -- values ---------------------------------------------------------------------


def test_session_value_rules() -> None:
    session = make()
    with pytest.raises(InvalidValueError):
        attrs.evolve(session, capacity=2)
    with pytest.raises(InvalidValueError):
        attrs.evolve(session, waitlist_enabled=True)
    with pytest.raises(InvalidValueError):
        attrs.evolve(session, capacity=0)
    group = attrs.evolve(
        session, kind=SessionKind.GROUP, capacity=30, waitlist_enabled=True
    )
    assert group.capacity == 30
    pending = ask(session, now=START - timedelta(days=3))
    with pytest.raises(InvalidValueError):
        attrs.evolve(pending, status=SessionStatus.CANCELLED)
    with pytest.raises(InvalidValueError):
        MeetingInfo(provider="", link="https://x")
    with pytest.raises(InvalidValueError):
        attrs.evolve(session, status="postponed")
    local = make(zone="Asia/Kolkata").local_window
    assert local[0].utcoffset() == timedelta(hours=5, minutes=30)
    assert session.closed_at is None
    closed = attrs.evolve(
        session,
        status="cancelled",
        closed_at=datetime(2026, 6, 2, 10, tzinfo=KOLKATA),
    )
    assert closed.closed_at == datetime(2026, 6, 2, 4, 30, tzinfo=timezone.utc)


def test_request_values_are_stored_in_utc() -> None:
    request = RescheduleRequest(
        requested_by=STUDENT,
        requested_at=datetime(2026, 6, 1, 12, tzinfo=KOLKATA),
        reason=REASON,
        respond_by=datetime(2026, 6, 2, 12, tzinfo=KOLKATA),
    )
    assert request.requested_at.tzinfo is timezone.utc


def test_policy_validation() -> None:
    with pytest.raises(InvalidValueError):
        SessionPolicy(grace_period=-SECOND)
    with pytest.raises(InvalidValueError):
        SessionPolicy(notes_max_length=0)
    with pytest.raises(InvalidValueError):
        SessionPolicy(notes_max_length=True)
    with pytest.raises(InvalidValueError):
        ReschedulePolicy(reason_min_length=20, reason_max_length=10)
    with pytest.raises(InvalidValueError):
        ReschedulePolicy(response_window=3600)  # type: ignore[arg-type]
    assert ReschedulePolicy().notice_for(Role.SYSTEM) == timedelta.max
    assert ReschedulePolicy(late_request_roles=["student"]).late_request_roles == {
        Role.STUDENT
    }
    assert ReschedulePolicy(late_request_roles="teacher").late_request_roles == {
        Role.TEACHER
    }
    with pytest.raises(InvalidValueError):
        ReschedulePolicy(late_request_roles=["coach"])


# -- queries --------------------------------------------------------------------


def test_queries() -> None:
    session = make()
    assert time_until_start(session, now=START - HOUR) == HOUR
    assert time_until_start(session, now=START + HOUR) == -HOUR
    assert not is_overdue(session, now=session.end - SECOND)
    assert is_overdue(session, now=session.end)
    assert status_display(session) == "Scheduled"
    assert not is_reschedule_expired(session, now=session.end)
    pending = ask(session, now=START - timedelta(days=3))
    assert status_display(pending) == "Reschedule requested"
    now = session.end
    labels = {
        "Completed": complete(session, actor=TEACHER, now=now, policy=SP).state,
        "Cancelled": cancel(
            session, reason="r", actor=TEACHER, now=now, policy=SP
        ).state,
        "Missed": mark_missed(session, actor=TEACHER, now=now, policy=SP).state,
    }
    for label, closed in labels.items():
        assert status_display(closed) == label
        assert not is_overdue(closed, now=now)
        assert closed.is_terminal


# -- replay ---------------------------------------------------------------------


def test_apply_refuses_ill_formed_histories() -> None:
    first = schedule(
        session_id="s",
        kind="one_on_one",
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(START, HOUR),
        zone="UTC",
        actor=TEACHER,
        now=T0,
    )
    cancelled = cancel(first.state, reason="ill", actor=TEACHER, now=T0, policy=SP)
    with pytest.raises(InvalidValueError):
        apply(first.state, first.events[0])
    with pytest.raises(InvalidValueError):
        apply(None, cancelled.events[0])
    with pytest.raises(InvalidValueError):
        apply(attrs.evolve(first.state, id="other"), cancelled.events[0])
    with pytest.raises(InvalidValueError):
        replay([])
    with pytest.raises(InvalidValueError):
        apply(
            None,
            DomainEvent(occurred_at=T0, actor=TEACHER, aggregate_id="s"),
        )
    history = [*first.events, *cancelled.events]
    assert replay(history) == cancelled.state
