"""The session state machine run beside a naive model.

Random actors issue random commands at random, ever later, instants. After every
step: a refused command changed nothing; a terminal session never changes again;
the window moved only through an approved (or auto-approved) reschedule; the model
(status, pending flag, window) agrees; and the audit trail replays to the session.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import event as hypothesis_event
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from booking_core.actors import Actor
from booking_core.errors import BookingCoreError
from booking_core.events import Decision, DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.sessions import (
    RescheduleApproved,
    RescheduleExpired,
    ReschedulePolicy,
    RescheduleRequested,
    Session,
    SessionCancelled,
    SessionCompleted,
    SessionMissed,
    SessionPolicy,
    SessionStatus,
    approve_reschedule,
    cancel,
    complete,
    decline_reschedule,
    expire_reschedule,
    mark_missed,
    replay,
    request_reschedule,
    schedule,
)

T0 = datetime(2026, 3, 20, 9, tzinfo=timezone.utc)  # the London spring gap is ahead
ACTORS = [
    Actor.teacher("t-1"),
    Actor.teacher("t-2"),
    Actor.student("s-1"),
    Actor.student("s-2"),
    Actor.admin("a-1"),
    Actor.system(),
]
# participants more often than outsiders, so allowed transitions happen
WHO = st.sampled_from([*ACTORS, ACTORS[0], ACTORS[2], ACTORS[4], ACTORS[5]])
STUDENTS = frozenset({"s-1"})
SP = SessionPolicy()
RP = ReschedulePolicy()
GOOD = "a clash with an exam"
REASONS = st.sampled_from(["", "too short", "x" * 501, *[GOOD] * 5])
# closing commands run on one draw in five, so reschedules get explored too
RARELY = st.integers(min_value=0, max_value=4).map(lambda n: n == 0)
OFFSETS = st.integers(min_value=-2 * 3600, max_value=10 * 24 * 3600).map(
    lambda s: timedelta(seconds=s)
)
STATUS_OF = {
    SessionCompleted: SessionStatus.COMPLETED,
    SessionCancelled: SessionStatus.CANCELLED,
    SessionMissed: SessionStatus.MISSED,
}


class SessionMachine(RuleBasedStateMachine):
    session: Session
    events: list[DomainEvent]
    now: datetime

    @initialize(
        kind=st.sampled_from(["group", "one_on_one"]),
        lead=st.integers(min_value=1, max_value=10 * 24 * 60),
        minutes=st.integers(min_value=15, max_value=180),
        zone=st.sampled_from(["Europe/London", "Asia/Kolkata"]),
    )
    def scheduled(self, kind: str, lead: int, minutes: int, zone: str) -> None:
        decision = schedule(
            session_id="s",
            kind=kind,  # type: ignore[arg-type]
            teacher_id="t-1",
            course_id="c-1",
            window=TimeWindow.of(
                T0 + timedelta(minutes=lead), timedelta(minutes=minutes)
            ),
            zone=zone,
            capacity=1 if kind == "one_on_one" else 8,
            actor=Actor.teacher("t-1"),
            now=T0,
        )
        self.session = decision.state
        self.events = list(decision.events)
        self.now = T0
        self.model = {
            "status": SessionStatus.SCHEDULED,
            "pending": False,
            "window": decision.state.window,
        }

    @rule(minutes=st.integers(min_value=0, max_value=14 * 60))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    def _try(self, command: object, **kwargs: object) -> None:
        before = self.session
        try:
            decision: Decision[Session] = command(self.session, now=self.now, **kwargs)  # type: ignore[operator]
        except BookingCoreError as err:
            hypothesis_event(f"refused {getattr(command, '__name__', '')} {err.code}")
            assert self.session is before
            return
        assert not before.is_terminal, "a terminal session changed"
        (event,) = decision.events
        moved = isinstance(event, RescheduleApproved) or (
            isinstance(event, RescheduleExpired) and event.auto_approved
        )
        if not moved:
            assert decision.state.window == before.window
        self.model["window"] = decision.state.window if moved else before.window
        self.model["pending"] = isinstance(event, RescheduleRequested)
        self.model["status"] = STATUS_OF.get(type(event), SessionStatus.SCHEDULED)
        self.session = decision.state
        self.events.append(event)
        hypothesis_event(event.name)

    def _open(self) -> bool:
        return not self.session.is_terminal

    def _pending(self) -> bool:
        return self.session.is_reschedule_requested

    @precondition(lambda self: self._open() and not self._pending())
    @rule(actor=WHO, reason=REASONS, offset=st.none() | OFFSETS)
    def do_request(self, actor: Actor, reason: str, offset: timedelta | None) -> None:
        new_start = None if offset is None else self.now + offset
        self._try(
            request_reschedule,
            reason=reason,
            new_start=new_start,
            students=STUDENTS,
            actor=actor,
            policy=RP,
        )

    @precondition(lambda self: self._pending())
    @rule(actor=WHO, offset=st.none() | OFFSETS)
    def do_approve(self, actor: Actor, offset: timedelta | None) -> None:
        new_start = None if offset is None else self.now + offset
        self._try(
            approve_reschedule,
            new_start=new_start,
            students=STUDENTS,
            actor=actor,
            policy=RP,
        )

    @precondition(lambda self: self._pending())
    @rule(actor=WHO, reason=st.none() | REASONS)
    def do_decline(self, actor: Actor, reason: str | None) -> None:
        self._try(
            decline_reschedule, reason=reason, students=STUDENTS, actor=actor, policy=RP
        )

    @precondition(lambda self: self._pending())
    @rule(actor=WHO, to_deadline=st.booleans())
    def do_expire(self, actor: Actor, to_deadline: bool) -> None:
        request = self.session.pending_reschedule
        if to_deadline and request is not None:
            self.now = max(self.now, request.respond_by)
        self._try(expire_reschedule, actor=actor, policy=RP)

    @precondition(lambda self: self._open())
    @rule(actor=WHO, notes=st.none() | REASONS, go=RARELY)
    def do_complete(self, actor: Actor, notes: str | None, go: bool) -> None:
        if go:
            self._try(complete, notes=notes, students=STUDENTS, actor=actor, policy=SP)

    @precondition(lambda self: self._open())
    @rule(actor=WHO, reason=REASONS, go=RARELY)
    def do_cancel(self, actor: Actor, reason: str, go: bool) -> None:
        if go:
            self._try(cancel, reason=reason, students=STUDENTS, actor=actor, policy=SP)

    @precondition(lambda self: self._open())
    @rule(actor=WHO, reason=st.none() | REASONS, go=RARELY)
    def do_mark_missed(self, actor: Actor, reason: str | None, go: bool) -> None:
        if go:
            self._try(
                mark_missed, reason=reason, students=STUDENTS, actor=actor, policy=SP
            )

    @rule(
        command=st.sampled_from(
            [
                request_reschedule,
                approve_reschedule,
                decline_reschedule,
                complete,
                cancel,
                mark_missed,
            ]
        ),
        actor=WHO,
        reason=REASONS,
        go=RARELY,
    )
    def anything_at_any_time(
        self, command: object, actor: Actor, reason: str, go: bool
    ) -> None:
        """Any command in any state (always once terminal) with valid-ish input."""
        if not (go or self.session.is_terminal):
            return
        policy = RP if "reschedule" in getattr(command, "__name__", "") else SP
        kwargs: dict[str, object] = {"students": STUDENTS, "actor": actor}
        if command in (request_reschedule, cancel):
            kwargs["reason"] = reason
        self._try(command, policy=policy, **kwargs)

    @rule(actor=WHO)
    def expire_at_any_time(self, actor: Actor) -> None:
        self._try(expire_reschedule, actor=actor, policy=RP)

    @invariant()
    def agrees_with_the_model(self) -> None:
        assert self.session.status is self.model["status"]
        assert self.session.is_reschedule_requested is self.model["pending"]
        assert self.session.window == self.model["window"]

    @invariant()
    def audit_trail_replays_to_the_current_state(self) -> None:
        assert replay(self.events) == self.session


SessionMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None
)
TestSessionMachine = SessionMachine.TestCase
