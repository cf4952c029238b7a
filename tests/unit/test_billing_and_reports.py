"""Billing transitions, candidates, payment requests; reports on fixed sessions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import attrs
import pytest

from booking_core.actors import Actor, Role
from booking_core.attendance.billing import (
    PAYMENT_TRANSITIONS,
    BillingPolicy,
    PaymentStatus,
    billing_candidates,
    change_payment_status,
    check_payment_transition,
    request_payment,
)
from booking_core.attendance.model import (
    AttendanceMark,
    AttendancePolicy,
    Attendee,
    ParticipationEvent,
    ParticipationKind,
)
from booking_core.attendance.reports import (
    ContractProgress,
    SessionRecord,
    actual_duration,
    billing_lists,
    contract_progress,
    late_attendees,
    session_stats,
)
from booking_core.errors import (
    IllegalPaymentTransitionError,
    InvalidValueError,
    PermissionDeniedError,
)
from booking_core.intervals import TimeWindow
from booking_core.sessions import (
    RescheduleApproved,
    Session,
    SessionCancelled,
    SessionStatus,
)

T0 = datetime(2026, 3, 29, 8, tzinfo=timezone.utc)  # Europe/London spring forward
MIN = timedelta(minutes=1)
ADMIN = Actor.admin("ops")


def student(name: str, sid: str = "s-1", **changes: Any) -> Attendee:
    base = Attendee.create(session_id=sid, participant_id=name, role="student")
    return attrs.evolve(base, **changes)


# -- payment status machine -----------------------------------------------------


def test_transition_table_is_exactly_what_check_allows() -> None:
    for source in PaymentStatus:
        for target in PaymentStatus:
            if target in PAYMENT_TRANSITIONS[source]:
                assert check_payment_transition(source, target) is target
            else:
                with pytest.raises(IllegalPaymentTransitionError) as info:
                    check_payment_transition(source, target)
                assert info.value.code == "billing.illegal_transition"


def test_change_payment_status() -> None:
    paid = student("a", payment_status=PaymentStatus.PAID, refund_pending=True)
    refunded = change_payment_status(
        paid, "refunded", reason="gateway refund", actor=Actor.system(), now=T0
    )
    assert refunded.state.payment_status is PaymentStatus.REFUNDED
    assert not refunded.state.refund_pending
    assert refunded.events[0].name == "attendee.payment_status_changed"
    with pytest.raises(PermissionDeniedError):
        change_payment_status(
            paid, "refunded", reason="x", actor=Actor.student("a"), now=T0
        )


def test_candidates_and_request_in_one_step() -> None:
    present = student("present", attendance=AttendanceMark.PRESENT)
    late = student("late", attendance=AttendanceMark.LATE)
    late_cancel = student("lc", late_cancellation=True)
    others = [
        student("absent", attendance=AttendanceMark.ABSENT),
        student("unknown"),
        student("waived", attendance="present", payment_status="waived"),
        student("paid", attendance="present", payment_status="paid"),
        student("requested", attendance="late", payment_status="requested"),
        student("free", attendance="present", payment_status="not_billable"),
    ]
    everyone = [*others, late_cancel, late, present]
    assert billing_candidates(everyone, BillingPolicy()) == (late, late_cancel, present)
    no_lc = BillingPolicy(bill_late_cancellations=False)
    assert billing_candidates(everyone, no_lc) == (late, present)
    decision = request_payment(
        everyone, request_id="req-1", actor=ADMIN, now=T0, policy=BillingPolicy()
    )
    assert {a.participant_id for a in decision.state} == {"late", "lc", "present"}
    assert all(a.payment_status is PaymentStatus.REQUESTED for a in decision.state)
    (event,) = decision.events
    assert event.attendee_ids == tuple(a.id for a in decision.state)  # type: ignore[attr-defined]
    assert billing_candidates(decision.state, BillingPolicy()) == ()
    empty = request_payment(others, request_id="r", actor=ADMIN, now=T0, policy=no_lc)
    assert empty.state == ()
    assert empty.events == ()
    with pytest.raises(InvalidValueError):
        request_payment(everyone, request_id=" ", actor=ADMIN, now=T0, policy=no_lc)
    with pytest.raises(PermissionDeniedError):
        request_payment(
            everyone, request_id="r", actor=Actor.teacher("t"), now=T0, policy=no_lc
        )


# -- reports on a fixed set of sessions -----------------------------------------


def make_session(
    sid: str, day: int, minutes: int, status: SessionStatus, zone: str = "Europe/London"
) -> Session:
    start = T0 + timedelta(days=day)
    closed_at = None if status is SessionStatus.SCHEDULED else start
    return Session(
        id=sid,
        kind="group",
        capacity=4,
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(start, timedelta(minutes=minutes)),
        zone=zone,
        status=status,
        closed_at=closed_at,
    )


def logged(
    s: Session, name: str, role: str, *visits: tuple[int, int], **changes: Any
) -> Attendee:
    log = [
        ParticipationEvent(kind=kind, at=s.start + minute * MIN)
        for join, leave in visits
        for kind, minute in (
            (ParticipationKind.JOINED, join),
            (ParticipationKind.LEFT, leave),
        )
    ]
    base = Attendee.create(session_id=s.id, participant_id=name, role=role)
    return attrs.evolve(base, log=log, **changes)


def fixed_records() -> list[SessionRecord]:
    """Six sessions; the figures in the tests below are computed by hand."""
    s1 = make_session("s1", 0, 60, SessionStatus.COMPLETED)  # DST day in London
    s2 = make_session("s2", 1, 30, SessionStatus.COMPLETED, zone="Asia/Kolkata")
    s3 = make_session("s3", 2, 60, SessionStatus.COMPLETED)
    s4 = make_session("s4", 3, 60, SessionStatus.MISSED)
    s5 = make_session("s5", 4, 60, SessionStatus.CANCELLED)
    s6 = make_session("s6", 5, 45, SessionStatus.SCHEDULED)
    window = s3.window
    approved = RescheduleApproved(
        occurred_at=T0,
        actor=Actor.teacher("t-1"),
        aggregate_id="s3",
        old_window=window.shift(-timedelta(days=1)),
        new_window=window,
        requested_by=Actor.student("ann"),
    )
    cancelled = SessionCancelled(
        occurred_at=T0,
        actor=ADMIN,
        aggregate_id="s5",
        old_window=s5.window,
        new_window=s5.window,
        reason="teacher ill",
    )
    return [
        SessionRecord(
            session=s1,
            attendees=[
                logged(s1, "t-1", "teacher", (-2, 62)),
                logged(
                    s1,
                    "ann",
                    "student",
                    (0, 30),
                    (40, 60),
                    attendance="present",
                    payment_status="requested",
                ),
                logged(
                    s1,
                    "bob",
                    "student",
                    (8, 60),
                    attendance="late",
                    payment_status="paid",
                ),
            ],
        ),
        SessionRecord(
            session=s2,
            attendees=[
                logged(s2, "t-1", "teacher", (0, 30)),
                logged(s2, "ann", "student", (0, 20), attendance="present"),
            ],
        ),
        SessionRecord(
            session=s3,
            events=[approved],
            attendees=[
                logged(s3, "t-1", "teacher", (6, 50)),
                logged(
                    s3,
                    "cid",
                    "student",
                    (-5, 55),
                    attendance="present",
                    payment_status="waived",
                ),
            ],
        ),
        SessionRecord(
            session=s4,
            attendees=[
                logged(s4, "t-1", "teacher", (0, 30)),
                logged(s4, "ann", "student"),
            ],
        ),
        SessionRecord(
            session=s5,
            events=[cancelled],
            attendees=[
                logged(
                    s5,
                    "bob",
                    "student",
                    attendance="excused",
                    payment_status="not_billable",
                )
            ],
        ),
        SessionRecord(session=s6),
    ]


def test_late_attendees_on_fixed_sessions() -> None:
    late = late_attendees(fixed_records(), AttendancePolicy())
    # s1: bob joined at +8 (ann at +0, teacher early); s3: teacher at +6.
    assert [(x.session_id, x.participant_id, x.role, x.lateness) for x in late] == [
        ("s1", "bob", Role.STUDENT, 8 * MIN),
        ("s3", "t-1", Role.TEACHER, 6 * MIN),
    ]
    lenient = late_attendees(fixed_records(), AttendancePolicy(late_after=6 * MIN))
    assert [x.participant_id for x in lenient] == ["bob"]


def test_billing_lists_on_fixed_sessions() -> None:
    attendees = [a for r in fixed_records() for a in r.attendees]
    lists = billing_lists(attendees)
    assert set(lists) == set(PaymentStatus)
    names = {status.value: [a.id for a in found] for status, found in lists.items()}
    assert names == {
        "not_billable": [
            "s1~teacher~t-1",
            "s2~teacher~t-1",
            "s3~teacher~t-1",
            "s4~teacher~t-1",
            "s5~student~bob",
        ],
        "due": ["s2~student~ann", "s4~student~ann"],
        "requested": ["s1~student~ann"],
        "paid": ["s1~student~bob"],
        "waived": ["s3~student~cid"],
        "refunded": [],
    }


def test_contract_progress_on_fixed_sessions() -> None:
    sessions = [r.session for r in fixed_records()]
    progress = contract_progress(sessions, total=10)
    assert (progress.completed, progress.total, progress.remaining) == (3, 10, 7)
    assert progress.share_done == Fraction(3, 10)
    assert contract_progress(sessions, total=2).remaining == 0
    assert ContractProgress(completed=0, total=0).share_done is None
    with pytest.raises(InvalidValueError):
        ContractProgress(completed=-1, total=3)


def test_rates_and_durations_on_fixed_sessions() -> None:
    records = fixed_records()
    # Actual (teacher together with a student): s1 teacher -2..62, students
    # ann 0-30 + 40-60, bob 8-60 -> union 0-60 -> 60 min; s2 teacher 0-30,
    # ann 0-20 -> 20 min; s3 teacher 6-50, cid -5..55 -> 44 min.
    assert [actual_duration(r) for r in records[:3]] == [60 * MIN, 20 * MIN, 44 * MIN]
    stats = session_stats(records)
    assert (stats.sessions, stats.completed, stats.cancelled, stats.missed) == (
        6,
        3,
        1,
        1,
    )
    assert stats.rescheduled == 1
    assert stats.completion_rate == Fraction(3, 5)  # 3 of 5 closed
    assert stats.no_show_rate == Fraction(1, 5)
    assert stats.reschedule_rate == Fraction(1, 6)
    assert stats.average_planned == 50 * MIN  # (60 + 30 + 60) / 3
    assert stats.average_actual == 124 * MIN / 3  # (60 + 20 + 44) / 3
    empty = session_stats([])
    assert empty.completion_rate is None
    assert empty.reschedule_rate is None
    assert empty.average_actual is None


def test_record_rejects_other_sessions_attendees() -> None:
    s = make_session("s1", 0, 60, SessionStatus.SCHEDULED)
    with pytest.raises(InvalidValueError):
        SessionRecord(session=s, attendees=[student("a", sid="s-2")])


def test_actual_duration_ignores_a_teacher_who_is_not_the_sessions() -> None:
    s = make_session("s1", 0, 60, SessionStatus.COMPLETED)
    record = SessionRecord(
        session=s,
        attendees=[
            logged(s, "t-9", "teacher", (0, 60)),
            logged(s, "ann", "student", (0, 60)),
        ],
    )
    assert actual_duration(record) == timedelta(0)
