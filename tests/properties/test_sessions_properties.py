"""Properties of the session lifecycle over generated zones, times and actors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import example, given, settings
from hypothesis import strategies as st

from booking_core.actors import Actor
from booking_core.errors import BookingCoreError, RescheduleNoticeTooShortError
from booking_core.intervals import TimeWindow
from booking_core.sessions import (
    RescheduleApproved,
    RescheduleExpired,
    ReschedulePolicy,
    Session,
    SessionPolicy,
    approve_reschedule,
    can_join,
    cancel,
    complete,
    decline_reschedule,
    expire_reschedule,
    mark_missed,
    replay,
    request_reschedule,
    schedule,
)
from booking_core.testing.strategies import gap_wall_times, zone_names
from booking_core.zones import to_instant

SP = SessionPolicy()
RP = ReschedulePolicy()
STUDENTS = frozenset({"s-1"})
ACTORS = st.sampled_from(
    [
        Actor.teacher("t-1"),
        Actor.teacher("t-2"),
        Actor.student("s-1"),
        Actor.student("s-2"),
        Actor.admin("a-1"),
        Actor.system(),
    ]
)
WALLS = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2030, 12, 31),
).map(lambda d: d.replace(microsecond=0))
ZONES = st.one_of(
    st.sampled_from(["Europe/London", "Asia/Kolkata"]), zone_names(dst_only=True)
)


def _session(start: datetime, zone: str, kind: str = "one_on_one") -> Session:
    return schedule(
        session_id="s",
        kind=kind,  # type: ignore[arg-type]
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(start, timedelta(hours=1)),
        zone=zone,
        capacity=1 if kind == "one_on_one" else 4,
        actor=Actor.admin("a-1"),
        now=start - timedelta(days=60),
    ).state


@settings(max_examples=100)
@given(
    wall=WALLS,
    zone=ZONES,
    lead=st.integers(min_value=0, max_value=4 * 24 * 3600),
    teacher=st.booleans(),
)
@example(  # 10:00 BST on the London spring-forward day; 23 real hours earlier
    wall=datetime(2026, 3, 29, 10), zone="Europe/London", lead=23 * 3600, teacher=False
)
@example(  # exactly the student's notice in Kolkata, on Feb 29
    wall=datetime(2028, 2, 29, 18), zone="Asia/Kolkata", lead=24 * 3600, teacher=False
)
@example(
    wall=datetime(2026, 10, 25, 1, 30),
    zone="Europe/London",
    lead=48 * 3600,
    teacher=True,
)
def test_request_allowed_iff_notice_is_met(
    wall: datetime, zone: str, lead: int, teacher: bool
) -> None:
    start = to_instant(wall, zone)
    session = _session(start, zone)
    actor = Actor.teacher("t-1") if teacher else Actor.student("s-1")
    now = start - timedelta(seconds=lead)
    required = RP.teacher_notice if teacher else RP.student_notice
    try:
        request_reschedule(
            session,
            reason="a clash with an exam",
            students=STUDENTS,
            actor=actor,
            now=now,
            policy=RP,
        )
    except RescheduleNoticeTooShortError:
        assert timedelta(seconds=lead) < required
    else:
        assert timedelta(seconds=lead) >= required


@settings(max_examples=100)
@given(
    gap=gap_wall_times(),
    offset=st.integers(min_value=-3 * 3600, max_value=3 * 3600),
    actor=ACTORS,
)
def test_join_window_is_half_open_around_dst_gaps(
    gap: tuple[datetime, str, object], offset: int, actor: Actor
) -> None:
    wall, zone, _ = gap
    start = to_instant(wall, zone)  # compatible: shifted forward out of the gap
    session = _session(start, zone)
    now = start + timedelta(seconds=offset)
    inside = start - SP.join_opens_before <= now < session.end + SP.grace_period
    participant = actor.user_id in {"t-1", "s-1", "a-1"}
    assert can_join(session, actor, now=now, policy=SP, students=STUDENTS) is (
        inside and participant
    )


COMMANDS = st.sampled_from(
    [
        lambda s, a, now: request_reschedule(
            s,
            reason="a clash with an exam",
            new_start=now + timedelta(days=1),
            students=STUDENTS,
            actor=a,
            now=now,
            policy=RP,
        ),
        lambda s, a, now: approve_reschedule(
            s,
            new_start=now + timedelta(days=1),
            students=STUDENTS,
            actor=a,
            now=now,
            policy=RP,
        ),
        lambda s, a, now: decline_reschedule(
            s, students=STUDENTS, actor=a, now=now, policy=RP
        ),
        lambda s, a, now: expire_reschedule(s, actor=a, now=now, policy=RP),
        lambda s, a, now: complete(s, students=STUDENTS, actor=a, now=now, policy=SP),
        lambda s, a, now: cancel(
            s, reason="because", students=STUDENTS, actor=a, now=now, policy=SP
        ),
        lambda s, a, now: mark_missed(
            s, students=STUDENTS, actor=a, now=now, policy=SP
        ),
    ]
)


@settings(max_examples=100)
@given(
    closing=st.integers(min_value=0, max_value=2),
    kind=st.sampled_from(["group", "one_on_one"]),
    command=COMMANDS,
    actor=ACTORS,
    later=st.integers(min_value=-10 * 24 * 3600, max_value=10 * 24 * 3600),
)
def test_a_terminal_session_never_changes(
    closing: int, kind: str, command: object, actor: Actor, later: int
) -> None:
    start = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)
    session = _session(start, "Europe/London", kind)
    admin = Actor.admin("a-1")
    after = start + timedelta(hours=2)
    closed = [
        complete(session, actor=admin, now=after, policy=SP),
        cancel(session, reason="closed", actor=admin, now=after, policy=SP),
        mark_missed(session, actor=admin, now=after, policy=SP),
    ][closing].state
    try:
        command(closed, actor, after + timedelta(seconds=later))  # type: ignore[operator]
    except BookingCoreError:
        return
    raise AssertionError("a command changed a terminal session")


PARTIES = st.sampled_from(
    [Actor.teacher("t-1"), Actor.student("s-1"), Actor.admin("a-1"), Actor.system()]
)
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["request", "approve", "decline", "expire"]),
        PARTIES,
        st.integers(min_value=0, max_value=30),  # hours that pass first
        st.none() | st.integers(min_value=-2, max_value=400),  # proposal, hours ahead
    ),
    max_size=25,
)


@settings(max_examples=150)
@given(steps=STEPS, zone=st.sampled_from(["Europe/London", "Asia/Kolkata"]))
def test_window_moves_only_by_approval_and_the_trail_replays(
    steps: list[tuple[str, Actor, int, int | None]], zone: str
) -> None:
    now = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    session = _session(now + timedelta(days=40), zone)  # across the spring gap
    events = list(
        schedule(
            session_id="s",
            kind="one_on_one",
            teacher_id="t-1",
            course_id="c-1",
            window=session.window,
            zone=zone,
            actor=Actor.admin("a-1"),
            now=now - timedelta(days=60),
        ).events
    )
    for name, actor, hours, proposal in steps:
        now += timedelta(hours=hours)
        new_start = None if proposal is None else now + timedelta(hours=proposal)
        try:
            if name == "request":
                decision = request_reschedule(
                    session,
                    reason="a clash with an exam",
                    new_start=new_start,
                    students=STUDENTS,
                    actor=actor,
                    now=now,
                    policy=RP,
                )
            elif name == "approve":
                decision = approve_reschedule(
                    session,
                    new_start=new_start,
                    students=STUDENTS,
                    actor=actor,
                    now=now,
                    policy=RP,
                )
            elif name == "decline":
                decision = decline_reschedule(
                    session, students=STUDENTS, actor=actor, now=now, policy=RP
                )
            else:
                decision = expire_reschedule(session, actor=actor, now=now, policy=RP)
        except BookingCoreError:
            continue
        (event,) = decision.events
        moved = isinstance(event, RescheduleApproved) or (
            isinstance(event, RescheduleExpired) and event.auto_approved
        )
        if moved:
            assert decision.state.window == event.new_window  # type: ignore[attr-defined]
            assert decision.state.duration == session.duration
        else:
            assert decision.state.window == session.window
        session = decision.state
        events.append(event)
    assert replay(events) == session
