"""Attendance: join log, lateness, marking, intent, excuse, cascade, outcomes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest

from booking_core.actors import Actor, Role
from booking_core.adapters.codec import dumps, loads
from booking_core.attendance.billing import (
    BillingPolicy,
    PaymentStatus,
    change_payment_status,
    request_payment,
)
from booking_core.attendance.commands import (
    cancel_session_attendees,
    correct_participation,
    excuse,
    mark_attendance,
    record_participation,
    set_intent,
)
from booking_core.attendance.model import (
    AttendanceMark,
    AttendancePolicy,
    Attendee,
    Intent,
    ParticipationEvent,
    ParticipationPolicy,
    attendee_id,
    is_late,
    lateness,
    presence,
)
from booking_core.attendance.outcome import (
    OUTCOME_SETTLEMENTS,
    SessionOutcome,
    classify_outcome,
)
from booking_core.errors import (
    AttendanceTooEarlyError,
    BookingCoreError,
    ClaimTooOldError,
    IntentChangeClosedError,
    InvalidSessionTextError,
    InvalidValueError,
    JoinWindowClosedError,
    NotSessionParticipantError,
    OwnPresenceCorrectionError,
    PermissionDeniedError,
    RejoinNotAllowedError,
    SessionNotCancelledError,
    SessionNotScheduledError,
)
from booking_core.intervals import TimeWindow
from booking_core.money.refunds import CancellationPolicy, CancellationReason
from booking_core.sessions import Session, SessionPolicy, SessionStatus

# 2026-10-25 is the Europe/London fall-back day; Kolkata has no DST.
START = datetime(2026, 10, 25, 9, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)
SYSTEM = Actor.system()
POLICY = AttendancePolicy()
SP = SessionPolicy()
PP = ParticipationPolicy()


def session(
    *,
    status: SessionStatus = SessionStatus.SCHEDULED,
    zone: str = "Europe/London",
    start: datetime = START,
    minutes: int = 60,
    sid: str = "s-1",
) -> Session:
    closed_at = None if status is SessionStatus.SCHEDULED else start
    return Session(
        id=sid,
        kind="group",
        capacity=5,
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(start, timedelta(minutes=minutes)),
        zone=zone,
        status=status,
        closed_at=closed_at,
    )


def teacher(sid: str = "s-1") -> Attendee:
    return Attendee.create(session_id=sid, participant_id="t-1", role=Role.TEACHER)


def student(name: str = "alice", sid: str = "s-1", **kw: object) -> Attendee:
    return Attendee.create(session_id=sid, participant_id=name, role="student", **kw)  # type: ignore[arg-type]


def visit(
    attendee: Attendee, s: Session, join: int, leave: int | None = None
) -> Attendee:
    """Record a join ``join`` minutes after the start (and a leave)."""
    entries = [ParticipationEvent.joined(s.start + join * MIN)]
    if leave is not None:
        entries.append(ParticipationEvent.left(s.start + leave * MIN))
    for entry in entries:
        attendee = record(attendee, s, entry)
    return attendee


def record(
    attendee: Attendee,
    s: Session,
    entry: ParticipationEvent,
    *,
    now: datetime | None = None,
    actor: Actor = SYSTEM,
    session_policy: SessionPolicy = SP,
) -> Attendee:
    """Record ``entry`` live (at its claimed time unless ``now`` is given)."""
    return record_participation(
        attendee,
        s,
        entry,
        actor=actor,
        now=entry.at if now is None else now,
        session_policy=session_policy,
        policy=PP,
    ).state


def claims(attendee: Attendee) -> list[tuple[str, datetime]]:
    """The log as claimed: ``(kind, at)`` per entry."""
    return [(entry.kind.value, entry.at) for entry in attendee.log]


# -- values ---------------------------------------------------------------------


def test_attendee_defaults_and_validation() -> None:
    assert teacher().payment_status is PaymentStatus.NOT_BILLABLE
    assert student().payment_status is PaymentStatus.DUE
    assert student().actor == Actor.student("alice")
    assert attendee_id("s-1", "t-1", "teacher") == teacher().id
    with pytest.raises(InvalidValueError):
        Attendee.create(session_id="s-1", participant_id="x", role=Role.ADMIN)
    with pytest.raises(InvalidValueError):
        Attendee(id="wrong", session_id="s-1", participant_id="x", role="student")
    with pytest.raises(InvalidValueError):
        AttendancePolicy(late_after=timedelta(minutes=-1))
    for bad in (0.5, "x", Decimal("1.5"), Decimal("NaN"), None, True):
        with pytest.raises(InvalidValueError):
            AttendancePolicy(held_share=bad)
    assert AttendancePolicy(held_share="0.5").held_share == Decimal("0.5")


def test_attendee_round_trips_through_codec() -> None:
    s = session()
    a = visit(student(), s, 3, 40)
    assert loads(dumps(a)) == a
    report = classify_outcome(s, [visit(teacher(), s, 0), a], POLICY)
    assert loads(dumps(report)) == report


# -- recording joins and leaves -------------------------------------------------


def test_log_is_sorted_and_deduplicated() -> None:
    s = session()
    a = student()
    late = ParticipationEvent.left(START + 30 * MIN)
    early = ParticipationEvent.joined(START)
    # out of order, within the claim lag of the recording
    now = START + 31 * MIN
    for entry in (late, ParticipationEvent.joined(START + 27 * MIN), late):
        a = record(a, s, entry, now=now)
    assert claims(a) == [("joined", START + 27 * MIN), ("left", START + 30 * MIN)]
    assert all(e.recorded_at == now and e.recorded_by == SYSTEM for e in a.log)
    # a duplicate changes nothing, however late it arrives
    again = record_participation(
        a, s, late, actor=SYSTEM, now=s.end, session_policy=SP, policy=PP
    )
    assert again.state is a
    assert again.events == ()
    del early


@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Kolkata"])
def test_joins_only_inside_join_window(zone: str) -> None:
    s = session(zone=zone)
    a = student()
    opens = START - SP.join_opens_before
    closes = s.end + SP.grace_period
    ok = record_participation(
        a,
        s,
        ParticipationEvent.joined(opens),
        actor=SYSTEM,
        now=opens + MIN,
        session_policy=SP,
        policy=PP,
    )
    assert ok.events[0].name == "attendee.participation_recorded"
    for at in (opens - timedelta(microseconds=1), closes):
        for entry in (ParticipationEvent.joined(at), ParticipationEvent.left(at)):
            with pytest.raises(JoinWindowClosedError):
                record(a, s, entry, now=at + MIN)


def test_recording_refusals_change_nothing() -> None:
    s = session()
    a = visit(student(), s, 0, 10)
    snapshot = a
    entry = ParticipationEvent.joined(START + 20 * MIN)
    now = entry.at + MIN
    with pytest.raises(InvalidValueError):  # entry in the future
        record(a, s, entry, now=START)
    with pytest.raises(NotSessionParticipantError):
        record(a, s, entry, now=now, actor=Actor.student("bob"))
    with pytest.raises(NotSessionParticipantError):  # admins correct, with a reason
        record(a, s, entry, now=now, actor=Actor.admin("ops"))
    with pytest.raises(InvalidValueError):
        record(a, session(sid="s-2"), entry, now=now)
    with pytest.raises(RejoinNotAllowedError):
        record(a, s, entry, now=now, session_policy=SessionPolicy(rejoin_allowed=False))
    with pytest.raises(SessionNotScheduledError):
        record(a, session(status=SessionStatus.CANCELLED), entry, now=now)
    assert a == snapshot
    own = record(a, s, entry, now=now, actor=Actor.student("alice"))
    assert own.log[-1] == entry.recorded(at=now, by=Actor.student("alice"))


# -- lateness, presence, marking ------------------------------------------------


def test_lateness_and_presence() -> None:
    s = session()
    assert lateness(student(), s) is None
    early = visit(student(), s, -5, 30)
    assert lateness(early, s) == timedelta(0)
    assert presence(early, s) == 30 * MIN
    assert not is_late(visit(student(), s, 5), s, POLICY)  # exactly 5 min: on time
    late = visit(student(), s, 6)
    assert is_late(late, s, POLICY)
    assert lateness(late, s) == 6 * MIN
    assert presence(late, s) == 54 * MIN  # never left: counted to the end
    # rejoin: two visits, overlapping joins and a stray leave are read sanely
    a = visit(visit(student(), s, 0, 10), s, 20, 30)
    a = record(a, s, ParticipationEvent.left(START + 15 * MIN), now=START + 20 * MIN)
    assert presence(a, s) == 20 * MIN
    doubled = visit(visit(student(), s, 0), s, 10, 20)  # join, join, leave
    assert presence(doubled, s) == 20 * MIN
    zero = visit(student(), s, 10, 10)
    assert presence(zero, s) == timedelta(0)
    after = visit(student(), s, 61)  # joined in grace, never left
    assert presence(after, s) == timedelta(0)


def test_mark_attendance() -> None:
    s = session()
    now = s.end
    marks = {
        name: mark_attendance(a, s, actor=SYSTEM, now=now, policy=POLICY)
        for name, a in {
            "present": visit(student(), s, 2),
            "late": visit(student(), s, 12),
            "absent": student(),
        }.items()
    }
    assert {k: d.state.attendance.value for k, d in marks.items()} == {
        "present": "present",
        "late": "late",
        "absent": "absent",
    }
    assert marks["late"].events[0].lateness == 12 * MIN  # type: ignore[attr-defined]
    again = mark_attendance(
        marks["late"].state, s, actor=Actor.teacher("t-1"), now=now, policy=POLICY
    )
    assert again.events == ()
    with pytest.raises(AttendanceTooEarlyError):
        mark_attendance(student(), s, actor=SYSTEM, now=s.end - MIN, policy=POLICY)
    with pytest.raises(PermissionDeniedError):
        mark_attendance(
            student(), s, actor=Actor.student("alice"), now=now, policy=POLICY
        )
    with pytest.raises(NotSessionParticipantError):
        mark_attendance(
            student(), s, actor=Actor.teacher("t-9"), now=now, policy=POLICY
        )
    excused = excuse(student(), reason="ill", actor=SYSTEM, now=START).state
    assert (
        mark_attendance(excused, s, actor=SYSTEM, now=now, policy=POLICY).events == ()
    )


# -- intent, excuse, cancellation cascade ---------------------------------------


def test_intent_in_time_excuses_and_late_cancellation_stays_billable() -> None:
    s = session()
    alice = Actor.student("alice")
    maybe = set_intent(
        student(), s, "maybe", actor=alice, now=START - 2 * MIN, policy=POLICY
    )
    assert maybe.state.intent is Intent.MAYBE
    assert not maybe.state.late_cancellation
    same = set_intent(
        maybe.state, s, Intent.MAYBE, actor=alice, now=START - MIN, policy=POLICY
    )
    assert same.events == ()
    early = set_intent(
        student(),
        s,
        Intent.NOT_GOING,
        actor=alice,
        now=START - timedelta(hours=24),
        policy=POLICY,
    )
    assert early.state.attendance is AttendanceMark.EXCUSED
    assert early.state.payment_status is PaymentStatus.NOT_BILLABLE
    assert [e.name for e in early.events] == [
        "attendee.excused",
        "attendee.intent_changed",
    ]
    late = set_intent(
        student(),
        s,
        Intent.NOT_GOING,
        actor=Actor.admin("ops"),
        now=START - timedelta(hours=23),
        policy=POLICY,
    )
    assert late.state.late_cancellation
    assert late.state.payment_status is PaymentStatus.DUE
    assert late.state.attendance is AttendanceMark.UNKNOWN


def test_intent_refusals_change_nothing() -> None:
    s = session()
    a = student()
    cancelled = set_intent(
        a, s, "not_going", actor=Actor.student("alice"), now=START - MIN, policy=POLICY
    ).state
    cases: list[tuple[Attendee, object, Actor, datetime, type[Exception]]] = [
        (a, "maybe", Actor.student("alice"), START, IntentChangeClosedError),
        (
            cancelled,
            "going",
            Actor.student("alice"),
            START - MIN,
            IntentChangeClosedError,
        ),
        (a, "nope", Actor.student("alice"), START - MIN, InvalidValueError),
        (teacher(), "maybe", Actor.teacher("t-1"), START - MIN, InvalidValueError),
        (a, "maybe", Actor.teacher("t-1"), START - MIN, PermissionDeniedError),
        (a, "maybe", Actor.student("bob"), START - MIN, NotSessionParticipantError),
    ]
    for attendee, intent, actor, now, error in cases:
        before = attendee
        with pytest.raises(error):
            set_intent(attendee, s, intent, actor=actor, now=now, policy=POLICY)  # type: ignore[arg-type]
        assert attendee == before


def test_excuse() -> None:
    with pytest.raises(PermissionDeniedError):
        excuse(student(), reason="x", actor=Actor.teacher("t-1"), now=START)
    paid = excuse(
        student(payment_status="paid"), reason="ill", actor=Actor.admin("a"), now=START
    ).state
    assert paid.payment_status is PaymentStatus.PAID
    assert paid.refund_pending
    assert excuse(paid, reason="again", actor=SYSTEM, now=START).events == ()


def test_cancellation_cascade_is_one_decision() -> None:
    s = session(status=SessionStatus.CANCELLED)
    attendees = [
        teacher(),
        student("due"),
        student("requested", payment_status="requested"),
        student("paid", payment_status="paid"),
        student("waived", payment_status="waived"),
        student("refunded", payment_status="refunded"),
        excuse(student("gone"), reason="ill", actor=SYSTEM, now=START).state,
    ]
    decision = cancel_session_attendees(s, reversed(attendees), actor=SYSTEM, now=START)
    by_name = {a.participant_id: a for a in decision.state}
    assert all(a.attendance is AttendanceMark.EXCUSED for a in decision.state)
    assert {n: a.payment_status.value for n, a in by_name.items()} == {
        "t-1": "not_billable",
        "due": "not_billable",
        "requested": "not_billable",
        "paid": "paid",
        "waived": "waived",
        "refunded": "refunded",
        "gone": "not_billable",
    }
    assert [n for n, a in by_name.items() if a.refund_pending] == ["paid"]
    assert len(decision.events) == 6  # the already excused one changes nothing
    assert [a.id for a in decision.state] == sorted(a.id for a in attendees)
    with pytest.raises(SessionNotCancelledError):
        cancel_session_attendees(session(), attendees, actor=SYSTEM, now=START)
    with pytest.raises(InvalidValueError):
        cancel_session_attendees(
            s, [*attendees, student(sid="s-2")], actor=SYSTEM, now=START
        )


# -- outcomes -------------------------------------------------------------------


def outcome(
    t: tuple[int, int | None] | None, *students: tuple[int, int | None]
) -> object:
    s = session()
    group = [student(f"st{i}") for i in range(max(len(students), 1))]
    attendees = [visit(a, s, *v) for a, v in zip(group, students, strict=False)]
    attendees += group[len(students) :]
    attendees.append(teacher() if t is None else visit(teacher(), s, *t))
    return classify_outcome(s, attendees, POLICY)


@pytest.mark.parametrize(
    ("teacher_visit", "student_visits", "expected"),
    [
        ((0, 60), [(2, 60)], SessionOutcome.HELD),
        ((-5, None), [(0, 50), (3, 4)], SessionOutcome.HELD),
        (None, [(0, 60)], SessionOutcome.TEACHER_NO_SHOW),
        ((0, 60), [], SessionOutcome.STUDENT_NO_SHOW),
        ((0, 60), [(0, 5)], SessionOutcome.STUDENT_NO_SHOW),  # dropped in only
        (None, [], SessionOutcome.NOBODY_SHOWED),
        ((-8, -2), [(61, None)], SessionOutcome.NOBODY_SHOWED),  # outside window
        ((0, 30), [(0, 60)], SessionOutcome.ENDED_EARLY),
        ((15, None), [(0, 60)], SessionOutcome.HELD),  # 45 of 60 min: the share
        ((16, None), [(0, 60)], SessionOutcome.ENDED_EARLY),
    ],
)
def test_outcome_examples(
    teacher_visit: tuple[int, int | None] | None,
    student_visits: list[tuple[int, int | None]],
    expected: SessionOutcome,
) -> None:
    report = outcome(teacher_visit, *student_visits)
    assert report.outcome is expected  # type: ignore[attr-defined]
    assert report.settlement is OUTCOME_SETTLEMENTS[expected]  # type: ignore[attr-defined]


def test_teacher_twenty_minutes_late_who_leaves_early_ended_early() -> None:
    """Joins at +20 of a 60 min session, leaves at +50: 30 min < 45 min share."""
    report = outcome((20, 50), (0, 60))
    assert report.outcome is SessionOutcome.ENDED_EARLY  # type: ignore[attr-defined]
    facts = report.facts  # type: ignore[attr-defined]
    assert facts.teacher_lateness == 20 * MIN
    assert facts.teacher_presence == 30 * MIN
    assert facts.required_presence == 45 * MIN
    assert facts.student_presence == (("st0", 60 * MIN),)
    assert (facts.students_joined, facts.students_present) == (1, 1)
    settlement = report.settlement  # type: ignore[attr-defined]
    assert not settlement.teacher_paid
    assert settlement.refund_share(CancellationPolicy(), starts_at=START) == 1
    # A lenient policy (half the session is enough) calls the same facts held.
    s = session()
    lenient = classify_outcome(
        s,
        [visit(teacher(), s, 20, 50), visit(student("st0"), s, 0, 60)],
        AttendancePolicy(held_share=Decimal("0.5")),
    )
    assert lenient.outcome is SessionOutcome.HELD


def test_settlements_speak_the_refund_vocabulary() -> None:
    policy = CancellationPolicy(student_no_show_share=Decimal("0.25"))
    shares = {
        o: (s.teacher_paid, s.refund_share(policy, starts_at=START))
        for o, s in OUTCOME_SETTLEMENTS.items()
    }
    assert shares == {
        SessionOutcome.HELD: (True, 0),
        SessionOutcome.TEACHER_NO_SHOW: (False, 1),
        SessionOutcome.ENDED_EARLY: (False, 1),
        SessionOutcome.STUDENT_NO_SHOW: (True, Decimal("0.25")),
        SessionOutcome.NOBODY_SHOWED: (False, 1),
    }
    assert set(OUTCOME_SETTLEMENTS) == set(SessionOutcome)
    assert all(
        s.refund_reason in (None, CancellationReason.NO_SHOW)
        for s in OUTCOME_SETTLEMENTS.values()
    )


def test_classify_rejects_other_sessions_attendees() -> None:
    with pytest.raises(InvalidValueError):
        classify_outcome(session(), [student(sid="s-2")], POLICY)
    other_teacher = Attendee.create(
        session_id="s-1", participant_id="t-9", role="teacher"
    )
    s = session()
    other_teacher = attrs.evolve(other_teacher, log=visit(teacher(), s, 0, 60).log)
    report = classify_outcome(s, [other_teacher, visit(student(), s, 0, 60)], POLICY)
    assert report.outcome is SessionOutcome.TEACHER_NO_SHOW


def test_every_event_round_trips_through_codec() -> None:
    s = session()
    paid = student("p", payment_status="paid")
    decisions = [
        record_participation(
            student(),
            s,
            ParticipationEvent.joined(START),
            actor=SYSTEM,
            now=START,
            session_policy=SP,
            policy=PP,
        ),
        correct_participation(
            student(),
            s,
            ParticipationEvent.joined(START),
            reason="provider webhook lost",
            actor=SYSTEM,
            now=s.end,
            session_policy=SP,
            policy=PP,
        ),
        set_intent(
            student(),
            s,
            "not_going",
            actor=Actor.student("alice"),
            now=START - timedelta(days=2),
            policy=POLICY,
        ),
        mark_attendance(
            visit(student(), s, 9), s, actor=SYSTEM, now=s.end, policy=POLICY
        ),
        change_payment_status(paid, "refunded", reason="r", actor=SYSTEM, now=START),
        request_payment(
            [attrs.evolve(student(), attendance="late")],
            request_id="req",
            actor=SYSTEM,
            now=START,
            policy=BillingPolicy(),
        ),
    ]
    events = [event for decision in decisions for event in decision.events]
    assert {e.name for e in events} == {
        "attendee.participation_recorded",
        "attendee.participation_corrected",
        "attendee.intent_changed",
        "attendee.excused",
        "attendee.attendance_marked",
        "attendee.payment_status_changed",
        "payment_request.sent",
    }
    for event in events:
        assert loads(dumps(event)) == event


# -- claimed vs recorded times --------------------------------------------------

TEACHER = Actor.teacher("t-1")
WHY = "the provider lost the webhook"


def correct(
    attendee: Attendee,
    s: Session,
    entry: ParticipationEvent,
    *,
    actor: Actor = SYSTEM,
    reason: str = WHY,
    now: datetime | None = None,
    session_policy: SessionPolicy = SP,
) -> list[object]:
    """Correct ``attendee``'s log; the events' names (the state is checked apart)."""
    decision = correct_participation(
        attendee,
        s,
        entry,
        reason=reason,
        actor=actor,
        now=s.end + HOUR if now is None else now,
        session_policy=session_policy,
        policy=PP,
    )
    return [event.name for event in decision.events]


HOUR = timedelta(hours=1)


def test_log_entries_keep_the_claim_and_its_recording() -> None:
    claim = ParticipationEvent.joined(START)
    assert (claim.recorded_at, claim.recorded_by, claim.is_correction) == (
        None,
        None,
        False,
    )
    kept = claim.recorded(at=START + MIN, by=SYSTEM, reason=WHY)
    assert kept.is_correction
    assert loads(dumps(kept)) == kept
    with pytest.raises(InvalidValueError) as after:
        claim.recorded(at=START - MIN, by=SYSTEM)
    assert after.value.details["field"] == "at"
    for field, bad in (
        ("recorded_by", "system"),
        ("reason", ""),
        ("reason", "lost\ud800"),
        ("recorded_at", datetime(2026, 1, 1)),
    ):
        with pytest.raises(BookingCoreError) as refused:
            attrs.evolve(kept, **{field: bad})  # type: ignore[arg-type]
        assert refused.value.details["field"] == field


def test_rows_stored_before_recordings_were_kept_still_decode() -> None:
    document = (
        '{"$type":"participation_entry","f":{"at":{"$dt":"2026-10-25T09:00:00+00:00"},'
        '"kind":{"$enum":"participation_kind","v":"joined"}}}'
    )
    assert loads(document) == ParticipationEvent.joined(START)


def test_the_log_keeps_the_earliest_recording_of_a_claim() -> None:
    claim = ParticipationEvent.joined(START)
    first = claim.recorded(at=START + MIN, by=SYSTEM)
    later = claim.recorded(at=START + 2 * MIN, by=SYSTEM)
    anonymous = attrs.evolve(claim, recorded_at=START + MIN)
    for entries, kept in (
        ([later, first], first),
        ([first, later], first),
        ([first, claim], claim),  # stored before recordings were kept
        ([first, anonymous], anonymous),  # same instant: a total order decides
        ([anonymous, first], anonymous),
    ):
        assert attrs.evolve(student(), log=entries).log == (kept,)


def test_participation_policy_defaults_and_validation() -> None:
    assert PP.claim_lag == 5 * MIN
    assert PP.self_recording
    assert PP.reporters == {Role.SYSTEM}
    assert PP.correctors == {Role.TEACHER, Role.ADMIN, Role.SYSTEM}
    assert ParticipationPolicy(reporters="admin").reporters == {Role.ADMIN}
    assert ParticipationPolicy(claim_lag=timedelta(days=1)).claim_lag == HOUR * 24
    for lag in (-MIN, timedelta(days=1, microseconds=1), 300):
        with pytest.raises(InvalidValueError) as refused:
            ParticipationPolicy(claim_lag=lag)  # type: ignore[arg-type]
        assert refused.value.details["field"] == "claim_lag"
    for roles in ("guest", 5, ["teacher", "guest"]):
        with pytest.raises(InvalidValueError):
            ParticipationPolicy(correctors=roles)


def test_a_live_claim_may_lie_at_most_the_claim_lag_before_its_recording() -> None:
    s = session()
    claim = ParticipationEvent.joined(START)
    ok = record(teacher(), s, claim, now=START + 5 * MIN, actor=TEACHER)
    assert ok.log == (claim.recorded(at=START + 5 * MIN, by=TEACHER),)
    with pytest.raises(ClaimTooOldError) as old:
        record(teacher(), s, claim, now=s.end + MIN, actor=TEACHER)
    assert old.value.code == "attendance.claim_too_old"
    assert old.value.details == {
        "field": "entry.at",
        "kind": "joined",
        "claimed": START.isoformat(),
        "recorded": (s.end + MIN).isoformat(),
        "limit": "0:05:00",
    }
    with pytest.raises(ClaimTooOldError):  # the system too: late is a correction
        record(teacher(), s, ParticipationEvent.left(START), now=START + 6 * MIN)


def test_who_records_live_is_a_policy() -> None:
    s = session()
    claim = ParticipationEvent.joined(START)
    quiet = ParticipationPolicy(self_recording=False, reporters={Role.ADMIN})
    for actor, allowed in (
        (Actor.student("alice"), False),
        (SYSTEM, False),
        (Actor.admin("ops"), True),
    ):
        if allowed:
            assert record_participation(
                student(),
                s,
                claim,
                actor=actor,
                now=START,
                session_policy=SP,
                policy=quiet,
            ).events
        else:
            with pytest.raises(NotSessionParticipantError):
                record_participation(
                    student(),
                    s,
                    claim,
                    actor=actor,
                    now=START,
                    session_policy=SP,
                    policy=quiet,
                )


def test_a_teacher_who_never_came_cannot_log_joined_at_the_start() -> None:
    s = session()
    tina = teacher()
    alice = record(student(), s, ParticipationEvent.joined(START + MIN))
    claim = ParticipationEvent.joined(START)
    with pytest.raises(ClaimTooOldError):
        record(tina, s, claim, now=s.end + MIN, actor=TEACHER)
    with pytest.raises(OwnPresenceCorrectionError) as own:
        correct(tina, s, claim, actor=TEACHER)
    assert own.value.code == "attendance.own_correction"
    assert own.value.http_status == 403
    assert tina == teacher()
    report = classify_outcome(s, [tina, alice], POLICY)
    assert report.outcome is SessionOutcome.TEACHER_NO_SHOW
    assert not report.settlement.teacher_paid


def test_corrections_need_a_corrector_a_reason_and_the_join_window() -> None:
    s = session()
    alice = student()
    claim = ParticipationEvent.joined(START)
    assert correct(alice, s, claim, actor=TEACHER) == [
        "attendee.participation_corrected"
    ]
    assert correct(alice, s, claim, actor=Actor.admin("ops")) == [
        "attendee.participation_corrected"
    ]
    other_teacher = Attendee.create(
        session_id="s-1", participant_id="t-9", role="teacher"
    )
    refusals: list[tuple[type[BookingCoreError], Attendee, dict[str, object]]] = [
        (PermissionDeniedError, alice, {"actor": Actor.student("bob")}),
        (PermissionDeniedError, alice, {"actor": Actor.student("alice")}),
        (NotSessionParticipantError, alice, {"actor": Actor.teacher("t-2")}),
        (NotSessionParticipantError, other_teacher, {"actor": TEACHER}),
        (InvalidSessionTextError, alice, {"reason": "   short   "}),
        (InvalidValueError, alice, {"now": START - MIN}),
        (SessionNotScheduledError, alice, {}),
        (JoinWindowClosedError, alice, {"now": s.end + 10 * HOUR}),
    ]
    for error, attendee, changes in refusals:
        target = session(status=SessionStatus.CANCELLED) if not changes else s
        entry = (
            ParticipationEvent.left(s.end + 2 * HOUR)
            if error is JoinWindowClosedError
            else claim
        )
        with pytest.raises(error):
            correct(attendee, target, entry, **changes)  # type: ignore[arg-type]
    joined = record(alice, s, claim)
    assert correct(joined, s, claim) == []  # a duplicate changes nothing
    with pytest.raises(RejoinNotAllowedError):
        correct(
            joined,
            s,
            ParticipationEvent.joined(START + MIN),
            session_policy=SessionPolicy(rejoin_allowed=False),
        )
    # a completed session can still be corrected
    done = session(status=SessionStatus.COMPLETED)
    assert correct(alice, done, ParticipationEvent.left(s.end)) == [
        "attendee.participation_corrected"
    ]
