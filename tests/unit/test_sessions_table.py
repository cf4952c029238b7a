"""Every (state, command, role) combination of the session state machine.

The expected outcome of each cell comes from the spec tables below (written from
the issue and the seeds, not from the implementation): allowed cells must give the
right status, window and event; every other cell must raise its specific error and
leave the session unchanged - in the pure core (same value) and through the
service (same stored version, no event committed or published).
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import cast

import pytest

from booking_core.actors import Actor, Role
from booking_core.adapters.memory import (
    InMemoryEventPublisher,
    InMemoryStore,
    InMemoryUnitOfWork,
)
from booking_core.bookings import Booking
from booking_core.clock import ManualClock
from booking_core.errors import (
    BookingCoreError,
    NoPendingRescheduleError,
    NotSessionParticipantError,
    OwnRescheduleRequestError,
    ReschedulePendingError,
    SessionNotScheduledError,
    SessionRoleNotAllowedError,
)
from booking_core.events import Decision
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.services.sessions import SessionService
from booking_core.sessions import (
    RescheduleApproved,
    RescheduleDeclined,
    RescheduleExpired,
    ReschedulePolicy,
    RescheduleRequested,
    Session,
    SessionCancelled,
    SessionCompleted,
    SessionEvent,
    SessionKind,
    SessionMissed,
    SessionPolicy,
    SessionScheduled,
    SessionStatus,
    approve_reschedule,
    cancel,
    complete,
    decline_reschedule,
    expire_reschedule,
    mark_missed,
    request_reschedule,
    schedule,
)

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
START = T0 + timedelta(days=5)
WINDOW = TimeWindow.of(START, timedelta(hours=1))
PROPOSED_START = START + timedelta(days=7)
REQUESTED_AT = START - timedelta(hours=72)
STUDENTS = frozenset({"s-1", "s-3"})
SP = SessionPolicy()
RP = ReschedulePolicy()


class Who(enum.Enum):
    OWN_TEACHER = Actor.teacher("t-1")
    OTHER_TEACHER = Actor.teacher("t-2")
    BOOKED_STUDENT = Actor.student("s-1")
    CLASSMATE = Actor.student("s-3")  # also booked: same side as BOOKED_STUDENT
    OTHER_STUDENT = Actor.student("s-2")
    ADMIN = Actor.admin("a-1")
    SYSTEM = Actor.system()


OUTSIDERS = {Who.OTHER_TEACHER, Who.OTHER_STUDENT}


class State(enum.Enum):
    SCHEDULED = "scheduled"
    REQUESTED_BY_STUDENT = Who.BOOKED_STUDENT
    REQUESTED_BY_TEACHER = Who.OWN_TEACHER
    REQUESTED_BY_ADMIN = Who.ADMIN
    COMPLETED = SessionStatus.COMPLETED
    CANCELLED = SessionStatus.CANCELLED
    MISSED = SessionStatus.MISSED


def _scheduled(kind: SessionKind) -> Session:
    return schedule(
        session_id="sess",
        kind=kind,
        teacher_id="t-1",
        course_id="c-1",
        window=WINDOW,
        zone="Europe/London",
        capacity=1 if kind is SessionKind.ONE_ON_ONE else 12,
        waitlist_enabled=kind is SessionKind.GROUP,
        actor=Who.ADMIN.value,
        now=T0,
    ).state


def build(state: State, kind: SessionKind) -> Session:
    session = _scheduled(kind)
    admin = Who.ADMIN.value
    if isinstance(state.value, Who):
        return request_reschedule(
            session,
            reason="a clash with an exam",
            new_start=PROPOSED_START,
            students=STUDENTS,
            actor=state.value.value,
            now=REQUESTED_AT,
            policy=RP,
        ).state
    if state is State.COMPLETED:
        return complete(session, actor=admin, now=WINDOW.end, policy=SP).state
    if state is State.CANCELLED:
        return cancel(
            session, reason="room closed", actor=admin, now=T0, policy=SP
        ).state
    if state is State.MISSED:
        return mark_missed(
            session, actor=admin, now=START + timedelta(hours=2), policy=SP
        ).state
    return session


# -- the spec -------------------------------------------------------------------

Command = Callable[[Session, Actor, datetime], Decision[Session]]

COMMANDS: dict[str, tuple[Command, datetime]] = {
    "request_reschedule": (
        lambda s, a, now: request_reschedule(
            s,
            reason="I have a doctor's appointment",
            new_start=PROPOSED_START,
            students=STUDENTS,
            actor=a,
            now=now,
            policy=RP,
        ),
        START - timedelta(hours=50),
    ),
    "approve_reschedule": (
        lambda s, a, now: approve_reschedule(
            s, students=STUDENTS, actor=a, now=now, policy=RP
        ),
        START - timedelta(hours=60),
    ),
    "decline_reschedule": (
        lambda s, a, now: decline_reschedule(
            s, reason="cannot make it", students=STUDENTS, actor=a, now=now, policy=RP
        ),
        START - timedelta(hours=60),
    ),
    "expire_reschedule": (
        lambda s, a, now: expire_reschedule(s, actor=a, now=now, policy=RP),
        REQUESTED_AT + RP.response_window,
    ),
    "complete": (
        lambda s, a, now: complete(
            s, notes="covered chapter 3", students=STUDENTS, actor=a, now=now, policy=SP
        ),
        WINDOW.end + SP.grace_period,
    ),
    "cancel": (
        lambda s, a, now: cancel(
            s, reason="teacher unwell", students=STUDENTS, actor=a, now=now, policy=SP
        ),
        START - timedelta(hours=60),
    ),
    "mark_missed": (
        lambda s, a, now: mark_missed(
            s, reason="nobody came", students=STUDENTS, actor=a, now=now, policy=SP
        ),
        START + SP.no_show_after,
    ),
}

PEOPLE = {Role.TEACHER, Role.STUDENT, Role.ADMIN}
ALL = set(Role)
ROLES: dict[str, set[Role]] = {
    "request_reschedule": PEOPLE,
    "approve_reschedule": PEOPLE,
    "decline_reschedule": PEOPLE,
    "expire_reschedule": {Role.ADMIN, Role.SYSTEM},
    "complete": ALL,
    "cancel": ALL,  # narrowed below for group sessions
    "mark_missed": ALL,
}
# who answers a request, by the requester's role
ANSWERERS = {
    Role.STUDENT: {Role.TEACHER, Role.ADMIN},
    Role.TEACHER: {Role.STUDENT, Role.ADMIN},
    Role.ADMIN: PEOPLE,
}
EVENTS = {
    "request_reschedule": RescheduleRequested,
    "approve_reschedule": RescheduleApproved,
    "decline_reschedule": RescheduleDeclined,
    "expire_reschedule": RescheduleExpired,
    "complete": SessionCompleted,
    "cancel": SessionCancelled,
    "mark_missed": SessionMissed,
}
AFTER = {
    "complete": SessionStatus.COMPLETED,
    "cancel": SessionStatus.CANCELLED,
    "mark_missed": SessionStatus.MISSED,
}


def expected_error(  # noqa: PLR0911 -- one return per rule of the spec
    state: State, kind: SessionKind, command: str, who: Who
) -> type[BookingCoreError] | None:
    roles = set(ROLES[command])
    if command == "cancel" and kind is SessionKind.GROUP:
        roles.discard(Role.STUDENT)
    if who.value.role not in roles:
        return SessionRoleNotAllowedError
    if who in OUTSIDERS:
        return NotSessionParticipantError
    if state in {State.COMPLETED, State.CANCELLED, State.MISSED}:
        return SessionNotScheduledError
    pending = isinstance(state.value, Who)
    if command == "request_reschedule" and pending:
        return ReschedulePendingError
    if command.endswith("_reschedule") and command != "request_reschedule":
        if not pending:
            return NoPendingRescheduleError
        assert isinstance(state.value, Who)
        requester = state.value
        if command != "expire_reschedule":
            if who is requester:
                return OwnRescheduleRequestError
            if who.value.role not in ANSWERERS[requester.value.role]:
                return SessionRoleNotAllowedError
    return None


CASES = list(itertools.product(State, SessionKind, COMMANDS, Who))


def _id(case: object) -> str:
    return getattr(case, "name", str(case))


@pytest.mark.parametrize(("state", "kind", "command", "who"), CASES, ids=_id)
def test_every_state_command_role(
    state: State, kind: SessionKind, command: str, who: Who
) -> None:
    session = build(state, kind)
    before = build(state, kind)  # an independent, equal value
    run, now = COMMANDS[command]
    error = expected_error(state, kind, command, who)

    # pure core
    if error is not None:
        with pytest.raises(error) as raised:
            run(session, who.value, now)
        assert type(raised.value) is error
        assert session == before
        assert session.version == before.version
    else:
        decision = run(session, who.value, now)
        (event,) = cast("tuple[SessionEvent]", decision.events)
        assert type(event) is EVENTS[command]
        assert event.actor == who.value
        assert event.occurred_at == now
        assert event.aggregate_id == session.id
        assert event.old_window == session.window
        assert event.new_window == decision.state.window
        new = decision.state
        assert new.version == session.version
        assert new.status is AFTER.get(command, SessionStatus.SCHEDULED)
        moved = command in {"approve_reschedule", "expire_reschedule"}
        assert new.window == (
            TimeWindow.of(PROPOSED_START, WINDOW.duration) if moved else session.window
        )
        assert (new.pending_reschedule is not None) == (command == "request_reschedule")

    # through the service: refusals store nothing and publish nothing
    store = InMemoryStore()
    publisher = InMemoryEventPublisher()
    with InMemoryUnitOfWork(store) as uow:
        uow.sessions.add(session)
        for student in sorted(STUDENTS):
            uow.bookings.add(_confirmed_booking(session, student))
        uow.commit()
    service = SessionService(
        uow_factory=lambda: InMemoryUnitOfWork(store, publisher),
        clock=ManualClock(now),
        policies=Policies(session=SP, reschedule=RP),
    )
    method = getattr(service, command)
    kwargs: dict[str, object] = {
        "request_reschedule": {
            "reason": "I have a doctor's appointment",
            "new_start": PROPOSED_START,
        },
        "decline_reschedule": {"reason": "cannot make it"},
        "complete": {"notes": "covered chapter 3"},
        "cancel": {"reason": "teacher unwell"},
        "mark_missed": {"reason": "nobody came"},
    }.get(command, {})  # type: ignore[assignment]
    if error is not None:
        with pytest.raises(error):
            method("sess", actor=who.value, **kwargs)
        with InMemoryUnitOfWork(store) as uow:
            stored = uow.sessions.get("sess")
        assert stored.version == 1
        assert stored == _at_version(session, 1)
        assert publisher.published == []
        assert store.events == []
    else:
        decision = method("sess", actor=who.value, **kwargs)
        with InMemoryUnitOfWork(store) as uow:
            stored = uow.sessions.get("sess")
        assert stored.version == 2
        assert stored.status is decision.state.status
        # the command's event first; the reactions' events follow it
        # (booking_core.services.reactions)
        assert type(publisher.published[0]) is EVENTS[command]


def _confirmed_booking(session: Session, student: str) -> Booking:
    """A confirmed booking: what makes ``student`` a participant of ``session``."""
    return Booking(
        id=f"{session.id}-{student}",
        type="group" if session.kind is SessionKind.GROUP else "one_on_one",
        session_id=session.id,
        student_id=student,
        teacher_id=session.teacher_id,
        course_id=session.course_id,
        window=session.window,
        status="confirmed",
        created_at=T0,
    )


def _at_version(session: Session, version: int) -> Session:
    import attrs

    return attrs.evolve(session, version=version)


def test_table_is_complete_and_has_both_outcomes() -> None:
    outcomes = [expected_error(*case) for case in CASES]
    assert len(CASES) == len(State) * len(SessionKind) * len(COMMANDS) * len(Who)
    assert outcomes.count(None) > 50
    assert len({o for o in outcomes if o is not None}) == 6


@pytest.mark.parametrize(
    ("kind", "who"), list(itertools.product(SessionKind, Who)), ids=_id
)
def test_schedule_by_role(kind: SessionKind, who: Who) -> None:
    allowed = {Who.OWN_TEACHER, Who.ADMIN, Who.SYSTEM}
    kwargs: dict[str, object] = {
        "session_id": "new",
        "kind": kind,
        "teacher_id": "t-1",
        "course_id": "c-1",
        "window": WINDOW,
        "zone": "Asia/Kolkata",
        "capacity": 1 if kind is SessionKind.ONE_ON_ONE else 5,
        "actor": who.value,
        "now": T0,
    }
    if who in allowed:
        decision = schedule(**kwargs)  # type: ignore[arg-type]
        (event,) = decision.events
        assert isinstance(event, SessionScheduled)
        assert event.session == decision.state
        assert (event.old_window, event.new_window) == (None, WINDOW)
        assert decision.state.status is SessionStatus.SCHEDULED
        assert decision.state.kind is kind
    else:
        expected = (
            NotSessionParticipantError
            if who is Who.OTHER_TEACHER
            else SessionRoleNotAllowedError
        )
        with pytest.raises(expected):
            schedule(**kwargs)  # type: ignore[arg-type]
