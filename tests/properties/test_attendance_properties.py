"""Properties of lateness, billing candidates, payment transitions and outcomes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from booking_core.actors import Actor
from booking_core.attendance.billing import (
    PAYMENT_TRANSITIONS,
    BillingPolicy,
    PaymentStatus,
    billing_candidates,
    change_payment_status,
)
from booking_core.attendance.commands import (
    correct_participation,
    record_participation,
)
from booking_core.attendance.model import (
    AttendanceMark,
    AttendancePolicy,
    Attendee,
    ParticipationEvent,
    ParticipationPolicy,
    is_late,
    lateness,
)
from booking_core.attendance.outcome import classify_outcome
from booking_core.errors import IllegalPaymentTransitionError
from booking_core.intervals import TimeWindow
from booking_core.sessions import Session, SessionPolicy

SP = SessionPolicy()
ZONES = ("Europe/London", "Asia/Kolkata")
# London DST days 2026 (gap 29 Mar 01:00 UTC, fold 25 Oct 01:00 UTC) and Feb 29 2028.
DST_GAP = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)
DST_FOLD = datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)
LEAP = datetime(2028, 2, 29, 23, 30, tzinfo=timezone.utc)

starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=timezone.utc))
minutes = st.integers(min_value=15, max_value=180)


def make_session(start: datetime, length: int, zone: str) -> Session:
    return Session(
        id="s-1",
        kind="group",
        capacity=3,
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(start, timedelta(minutes=length)),
        zone=zone,
    )


@settings(max_examples=100)
@given(
    start=starts,
    length=minutes,
    zone=st.sampled_from(ZONES),
    offset=st.integers(min_value=-600, max_value=3600),
    late_after=st.integers(min_value=0, max_value=900),
)
@example(start=DST_GAP, length=60, zone="Europe/London", offset=301, late_after=300)
@example(start=DST_FOLD, length=90, zone="Europe/London", offset=0, late_after=0)
@example(start=LEAP, length=60, zone="Asia/Kolkata", offset=-1, late_after=0)
def test_lateness(
    start: datetime, length: int, zone: str, offset: int, late_after: int
) -> None:
    s = make_session(start, length, zone)
    offset = min(offset, length * 60 + 899)  # inside the join window
    joined_at = start + timedelta(seconds=offset)
    policy = AttendancePolicy(late_after=timedelta(seconds=late_after))
    attendee = record_participation(
        Attendee.create(session_id="s-1", participant_id="a", role="student"),
        s,
        ParticipationEvent.joined(joined_at),
        actor=Actor.system(),
        now=joined_at,
        session_policy=SP,
        policy=ParticipationPolicy(),
    ).state
    late = lateness(attendee, s)
    assert late is not None
    assert late >= timedelta(0)
    if joined_at > start:
        assert late == joined_at - start
    else:
        assert late == timedelta(0)
        assert not is_late(attendee, s, policy)
    assert is_late(attendee, s, policy) == (late > policy.late_after)


attendees = st.builds(
    lambda name, status, mark, late_cancel: attrs.evolve(
        Attendee.create(session_id="s-1", participant_id=name, role="student"),
        payment_status=status,
        attendance=mark,
        late_cancellation=late_cancel,
    ),
    st.text("abcdef", min_size=1, max_size=4),
    st.sampled_from(PaymentStatus),
    st.sampled_from(AttendanceMark),
    st.booleans(),
)


@given(st.lists(attendees, max_size=12), st.booleans())
def test_candidates_exclude_settled_or_unbillable(
    group: list[Attendee], bill_late: bool
) -> None:
    found = billing_candidates(group, BillingPolicy(bill_late_cancellations=bill_late))
    excluded = {
        PaymentStatus.WAIVED,
        PaymentStatus.PAID,
        PaymentStatus.REQUESTED,
        PaymentStatus.NOT_BILLABLE,
        PaymentStatus.REFUNDED,
    }
    assert not any(a.payment_status in excluded for a in found)
    for a in found:
        assert a.attendance.attended or (bill_late and a.late_cancellation)


@given(attendees, st.sampled_from(PaymentStatus))
def test_transitions_outside_table_raise_and_change_nothing(
    attendee: Attendee, target: PaymentStatus
) -> None:
    before = attrs.evolve(attendee)
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    if target in PAYMENT_TRANSITIONS[attendee.payment_status]:
        after = change_payment_status(
            attendee, target, reason="r", actor=Actor.system(), now=now
        ).state
        assert after.payment_status is target
    else:
        with pytest.raises(IllegalPaymentTransitionError):
            change_payment_status(
                attendee, target, reason="r", actor=Actor.system(), now=now
            )
    assert attendee == before


visit_minutes = st.lists(
    st.tuples(
        st.sampled_from(["t-1", "s-a", "s-b"]),
        st.booleans(),
        st.integers(min_value=-10, max_value=74),
    ),
    max_size=14,
)


@settings(max_examples=100)
@given(
    start=starts,
    zone=st.sampled_from(ZONES),
    entries=visit_minutes,
    data=st.data(),
)
@example(start=DST_FOLD, zone="Europe/London", entries=[], data=None)
def test_outcome_is_invariant_to_arrival_order(
    start: datetime,
    zone: str,
    entries: list[tuple[str, bool, int]],
    data: st.DataObject | None,
) -> None:
    s = make_session(start, 60, zone)
    orders = [entries, list(reversed(entries))]
    if data is not None:
        orders.append(data.draw(st.permutations(entries)))
    reports = []
    for order in orders:
        group = {
            "t-1": Attendee.create(
                session_id="s-1", participant_id="t-1", role="teacher"
            ),
            "s-a": Attendee.create(
                session_id="s-1", participant_id="s-a", role="student"
            ),
            "s-b": Attendee.create(
                session_id="s-1", participant_id="s-b", role="student"
            ),
        }
        for who, joined, minute in order:
            at = start + timedelta(minutes=minute)
            entry = (
                ParticipationEvent.joined(at) if joined else ParticipationEvent.left(at)
            )
            # webhooks lost and replayed after the end: corrections
            group[who] = correct_participation(
                group[who],
                s,
                entry,
                reason="provider webhooks replayed",
                actor=Actor.system(),
                now=s.end + 15 * timedelta(minutes=1),
                session_policy=SP,
                policy=ParticipationPolicy(),
            ).state
        reports.append(classify_outcome(s, group.values(), AttendancePolicy()))
    assert all(report == reports[0] for report in reports)
