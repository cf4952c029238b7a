"""Cost of attendance reading, outcome classification and billing.

Cases:
  * ``attendance.classify.group50``: classifying a 60 min group session with a
    teacher and 50 students, 4 joins/leaves each, vs the floor of sorting the
    same 204 join/leave instants (the least any order-invariant reading does).
  * ``attendance.record.200``: recording 200 joins/leaves through the validated
    command (join window, rejoin rule, sorted log) vs 200 ``attrs.evolve`` calls.
  * ``billing.request.1000``: one payment request over 1000 attendees vs a bare
    list comprehension filtering on the same fields.

Each peer is a floor, not a rival: the least part of the same work that no
implementation can skip (reading every instant in order, producing every new
state, looking at every attendee), on the same inputs, so a ratio says what
the library's rules and records cost on top.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).parent))

from _common import median_seconds, report

from booking_core.actors import Actor
from booking_core.attendance.billing import (
    BillingPolicy,
    PaymentStatus,
    request_payment,
)
from booking_core.attendance.commands import record_participation
from booking_core.attendance.model import (
    AttendanceMark,
    AttendancePolicy,
    Attendee,
    ParticipationEvent,
    ParticipationPolicy,
)
from booking_core.attendance.outcome import classify_outcome
from booking_core.intervals import TimeWindow
from booking_core.sessions import Session, SessionPolicy

START = datetime(2026, 10, 25, 9, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)
SESSION = Session(
    id="s-1",
    kind="group",
    capacity=60,
    teacher_id="t-1",
    course_id="c-1",
    window=TimeWindow.of(START, timedelta(hours=1)),
    zone="Europe/London",
)


def _log(offset: int) -> tuple[ParticipationEvent, ...]:
    return (
        ParticipationEvent.joined(START + (offset % 7) * MIN),
        ParticipationEvent.left(START + (20 + offset % 5) * MIN),
        ParticipationEvent.joined(START + (30 + offset % 3) * MIN),
        ParticipationEvent.left(START + (55 + offset % 4) * MIN),
    )


def _group() -> list[Attendee]:
    teacher = Attendee.create(session_id="s-1", participant_id="t-1", role="teacher")
    people = [attrs.evolve(teacher, log=_log(0))]
    for i in range(50):
        student = Attendee.create(
            session_id="s-1", participant_id=f"st{i}", role="student"
        )
        people.append(attrs.evolve(student, log=_log(i)))
    return people


def main() -> None:
    group = _group()
    policy = AttendancePolicy()
    instants = [e.at for a in group for e in a.log]
    ours = median_seconds(lambda: classify_outcome(SESSION, group, policy), number=20)
    floor = median_seconds(lambda: sorted(instants), number=200)
    report("attendance.classify.group50", ours, "floor:sort 204 instants", floor)

    entries = [
        ParticipationEvent.joined(START + i * 18 * timedelta(seconds=1))
        if i % 2 == 0
        else ParticipationEvent.left(START + i * 18 * timedelta(seconds=1))
        for i in range(200)
    ]
    sp = SessionPolicy()
    pp = ParticipationPolicy()
    system = Actor.system()

    def record() -> None:
        a = Attendee.create(session_id="s-1", participant_id="x", role="student")
        for entry in entries:
            a = record_participation(
                a,
                SESSION,
                entry,
                actor=system,
                now=entry.at,  # live: recorded as it happens
                session_policy=sp,
                policy=pp,
            ).state

    def evolve() -> None:
        a = Attendee.create(session_id="s-1", participant_id="x", role="student")
        for _ in entries:
            a = attrs.evolve(a, refund_pending=False)

    report(
        "attendance.record.200",
        median_seconds(record, repeat=5),
        "floor:attrs.evolve x200",
        median_seconds(evolve, repeat=5),
    )

    many = [
        Attendee(
            id=f"s-{i}~student~p",
            session_id=f"s-{i}",
            participant_id="p",
            role="student",
            attendance=AttendanceMark.PRESENT if i % 3 else AttendanceMark.ABSENT,
            payment_status=PaymentStatus.DUE if i % 4 else PaymentStatus.PAID,
        )
        for i in range(1000)
    ]
    admin = Actor.admin("ops")
    bp = BillingPolicy()
    ours = median_seconds(
        lambda: request_payment(
            many, request_id="r", actor=admin, now=SESSION.end, policy=bp
        ),
        number=5,
    )
    floor = median_seconds(
        lambda: [
            a
            for a in many
            if a.payment_status is PaymentStatus.DUE and a.attendance.attended
        ],
        number=20,
    )
    report("billing.request.1000", ours, "floor:list comprehension filter", floor)


if __name__ == "__main__":
    main()
