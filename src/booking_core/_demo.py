"""The ``booking-core demo`` story: the library end to end on an SQLite file.

One teacher in Kolkata, four students, one week, told as a timeline. Every
step goes through the library's services on the SQLite adapter (sessions,
bookings and attendees are stored in the file, the events in its outbox), the
money through :class:`~booking_core.services.payments.PaymentService` on the
fake gateway, and the time through a :class:`~booking_core.clock.ManualClock`
that the story advances. Ids are fixed, so the output is the same on every run
(``docs/demo.md`` shows it, and a test compares).

:func:`run_demo` hands each :class:`Entry` to a callback as it happens, so a
refusal half-way still shows what went before it. A database given by path
must be new or empty: the demo never overwrites data it did not write.
"""

from __future__ import annotations

import itertools
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import cast, final
from zoneinfo import ZoneInfo

import attrs

from booking_core._repr import fields_repr
from booking_core.actors import Actor, Role
from booking_core.adapters._repositories import ATTENDEES, BOOKINGS, SESSIONS
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.sql import SqlDatabase, SqlUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase
from booking_core.attendance.model import (
    AttendanceMark,
    Attendee,
    ParticipationEvent,
    lateness,
)
from booking_core.attendance.outcome import OutcomeReport
from booking_core.availability.approval import ApprovalPolicy
from booking_core.availability.schedule import TeacherSchedule
from booking_core.availability.windows import WeeklyAvailability
from booking_core.bookings.model import Booking
from booking_core.bookings.one_on_one import OneOnOnePolicy, decision_deadline
from booking_core.clock import ManualClock
from booking_core.errors import InvalidValueError
from booking_core.events import Decision, DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.money import Money, teacher_wallet
from booking_core.money.gateway import PayoutStatus
from booking_core.money.payments import CapturedPayment
from booking_core.money.withdrawals import BankAccount
from booking_core.policies import Policies
from booking_core.services import run_in_transaction
from booking_core.services.app import bootstrap
from booking_core.sessions import RescheduleRequest, Session
from booking_core.zones import get_zone, to_instant

__all__ = ["Entry", "run_demo"]

TEACHER_ZONE = "Asia/Kolkata"
STUDENT_ZONE = "Europe/London"
COURSE = "python-101"
TEACHER = "asha"
_IST = get_zone(TEACHER_ZONE)
_LONDON = get_zone(STUDENT_ZONE)
START = datetime(2026, 6, 1, 4, 30, tzinfo=timezone.utc)
"""When the story starts: Monday 1 June 2026, 10:00 in Kolkata."""
PRICE = Money.of("700.00", "INR")
"""The price of the 1:1 session."""
ACCOUNT = BankAccount(
    holder_name="Asha Rao", account_number="001234567890", ifsc="HDFC0001234"
)


@final
@attrs.frozen(kw_only=True, repr=False)
class Entry:
    """One step of the story.

    Attributes:
        at: When it happened (UTC).
        who: Who acted (a user id, ``gateway`` or ``system``).
        what: What happened, in one line.
        details: Further lines (figures, lists).
        events: The names of the domain events the step committed, in order.
    """

    __repr__ = fields_repr

    at: datetime
    who: str
    what: str
    details: tuple[str, ...] = ()
    events: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The entry as text: a stamped first line, indented details."""
        lines = [f"{_stamp(self.at)}  {self.who:<7}  {self.what}"]
        lines += [f"{'':29}{detail}" for detail in self.details]
        return lines

    def to_json(self) -> dict[str, object]:
        """The entry as a JSON-ready mapping."""
        return {
            "at": self.at.isoformat(),
            "local": _stamp(self.at),
            "who": self.who,
            "what": self.what,
            "details": list(self.details),
            "events": list(self.events),
        }


def _stamp(at: datetime) -> str:
    return at.astimezone(_IST).strftime("%a %d %b %H:%M %Z")


def _hm(at: datetime, zone: ZoneInfo = _IST) -> str:
    return at.astimezone(zone).strftime("%H:%M")


def _ist(day: date, hour: int, minute: int = 0) -> datetime:
    return to_instant(datetime.combine(day, time(hour, minute)), TEACHER_ZONE)


def _minutes(delta: timedelta | None) -> int:
    return cast("timedelta", delta) // timedelta(minutes=1)


def _names(events: Iterable[DomainEvent]) -> tuple[str, ...]:
    return tuple(event.name for event in events)


TUESDAY = date(2026, 6, 2)
THURSDAY = date(2026, 6, 4)
FRIDAY = date(2026, 6, 5)


@final
class _Story:
    """The services of the story over one database, its clock and its ids."""

    def __init__(self, database: SqlDatabase, emit: Callable[[Entry], None]):
        self.database = database
        self.emit = emit
        self.clock = ManualClock(START)
        seats = itertools.count(1)
        self.gateway = FakePaymentGateway(
            secret=b"demo-webhook-secret", clock=self.clock.now
        )
        approval = ApprovalPolicy(teachers={TEACHER: True})
        core = bootstrap(
            uow_factory=self.uow,
            clock=self.clock,
            gateway=self.gateway,
            policies=Policies(one_on_one=OneOnOnePolicy(approval=approval)),
            new_id=lambda: f"seat-{next(seats)}",
        )
        self.sessions, self.bookings = core.sessions, core.bookings
        self.attendance, self.payments = core.attendance, core.payments
        self.one_on_one = core.one_on_one
        self.availability = (
            WeeklyAvailability(
                weekday=1, start=time(15), end=time(18), zone=TEACHER_ZONE
            ),
            WeeklyAvailability(
                weekday=3, start=time(15), end=time(18), zone=TEACHER_ZONE
            ),
        )

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.database)

    def at(self, instant: datetime) -> datetime:
        return self.clock.set(instant)

    def note(
        self,
        who: str,
        what: str,
        *details: str,
        events: Iterable[DomainEvent] = (),
    ) -> None:
        self.emit(
            Entry(
                at=self.clock.now(),
                who=who,
                what=what,
                details=details,
                events=_names(events),
            )
        )

    def free_slots(self, day: date) -> tuple[TimeWindow, ...]:
        return self.one_on_one.slots(TEACHER, day, day, timedelta(hours=1))


def _times(slots: Sequence[TimeWindow], zone: ZoneInfo = _IST) -> str:
    label = slots[0].start.astimezone(zone).strftime("%Z") if slots else ""
    return ", ".join(_hm(slot.start, zone) for slot in slots) + f" {label}"


# -- the story, step by step ------------------------------------------------------


def _availability_and_class(story: _Story) -> None:
    schedule = story.one_on_one.set_schedule(
        TeacherSchedule(
            id=TEACHER,
            zone=TEACHER_ZONE,
            availability=story.availability,
            step=timedelta(hours=1),
        ),
        actor=Actor.teacher(TEACHER),
    )
    slots = story.free_slots(THURSDAY)
    story.note(
        TEACHER,
        "opens 1:1 availability: Tue and Thu 15:00-18:00 IST",
        f"free 1:1 slots on Thu 04 Jun: {_times(slots)}",
        f"  seen from London:          {_times(slots, _LONDON)}",
        events=schedule.events,
    )
    story.at(START + timedelta(minutes=5))
    start = _ist(TUESDAY, 19)
    decision = story.sessions.schedule(
        session_id="class-1",
        kind="group",
        teacher_id=TEACHER,
        course_id=COURSE,
        window=TimeWindow.of(start, timedelta(hours=1)),
        zone=TEACHER_ZONE,
        capacity=2,
        waitlist_enabled=True,
        actor=Actor.teacher(TEACHER),
    )
    story.note(
        TEACHER,
        "schedules the group class 'Python basics': 2 seats, waitlist on",
        f"Tue 02 Jun {_hm(start)}-{_hm(start + timedelta(hours=1))} IST "
        f"({_hm(start, _LONDON)} BST in London)",
        events=decision.events,
    )


def _seats(story: _Story) -> None:
    for minute, student in ((10, "ann"), (15, "ben"), (20, "cara"), (25, "dev")):
        story.at(START + timedelta(minutes=minute))
        decision = story.bookings.book("class-1", student, actor=Actor.student(student))
        seats = story.bookings.availability("class-1")
        status = decision.state.status.value
        story.note(
            student,
            f"books the class: {status} ({decision.state.id})",
            f"seats taken {seats.taken} of {seats.capacity}, "
            f"{seats.waitlisted} waiting",
            events=decision.events,
        )
    story.at(START + timedelta(hours=2))
    decision = story.bookings.cancel(
        "seat-2", actor=Actor.student("ben"), reason="a clash at work"
    )
    promoted = story.bookings.get("seat-3")
    seats = story.bookings.availability("class-1")
    story.note(
        "ben",
        "cancels his seat (seat-2)",
        f"the seat passes to cara: {promoted.id} is {promoted.status.value}",
        f"seats taken {seats.taken} of {seats.capacity}, {seats.waitlisted} waiting",
        events=decision.events,
    )


def _one_on_one_with_approval(story: _Story, slot: TimeWindow) -> Booking:
    """Dev requests a 1:1, Asha (who approves her 1:1s) confirms it."""
    requested = story.one_on_one.request(
        teacher_id=TEACHER,
        student_id="dev",
        course_id=COURSE,
        slot=slot,
        actor=Actor.student("dev"),
        booking_id="one-1",
        session_id="lesson-1",
    )
    deadline = decision_deadline(requested.state, policy=story.one_on_one.policy)
    story.note(
        "dev",
        f"requests a 1:1 on Thu 04 Jun {_hm(slot.start)} IST: "
        f"{requested.state.status.value}",
        f"asha approves her 1:1s herself; decide by {_stamp(deadline)}",
        f"free slots on Thu now: {_times(story.free_slots(THURSDAY))} "
        "(the request holds its slot)",
        events=requested.events,
    )

    story.at(_ist(date(2026, 6, 1), 15))

    confirmed = story.one_on_one.confirm("one-1", actor=Actor.teacher(TEACHER))
    scheduled = story.sessions.get("lesson-1")  # by the confirmation's reaction
    story.note(
        TEACHER,
        f"confirms the 1:1: {confirmed.state.status.value}",
        f"session lesson-1 scheduled with it: Thu 04 Jun {_hm(scheduled.start)}-"
        f"{_hm(scheduled.end)} IST",
        events=confirmed.events,
    )
    state: Booking = confirmed.state
    return state


def _pay(story: _Story, booking: Booking) -> None:
    story.at(_ist(date(2026, 6, 1), 15, 5))
    record = story.payments.open_order(
        booking_id=booking.id,
        teacher_id=TEACHER,
        amount=PRICE,
        starts_at=booking.window.start,
    )
    story.gateway.pay(str(record.order_id))  # the fake gateway does not fail here
    for body, signature in story.gateway.take_webhooks():
        story.payments.handle_webhook(body, signature)
    # captured by the webhook just delivered
    payment = cast("CapturedPayment", story.payments.booking(booking.id).payment)
    split = payment.split
    rate = f"{split.commission_rate * 100:f}".rstrip("0").rstrip(".")
    story.note(
        "dev",
        f"pays {split.gross} for the 1:1 ({payment.id}, captured by webhook)",
        f"platform commission {rate} %  {split.commission}",
        f"gateway fee               {split.gateway_fee} "
        f"({split.gateway_fee_net} + tax {split.gateway_tax})",
        f"teacher share             {split.teacher_share}, held in escrow",
    )


def _reschedule(story: _Story) -> None:
    story.at(_ist(TUESDAY, 9))
    new_start = _ist(THURSDAY, 17)
    asked = story.sessions.request_reschedule(
        "lesson-1",
        reason="my exam moved to Thursday afternoon",
        new_start=new_start,
        actor=Actor.student("dev"),
    )
    request = cast("RescheduleRequest", asked.state.pending_reschedule)
    story.note(
        "dev",
        f"asks to move the 1:1 to Thu 04 Jun {_hm(new_start)} IST",
        f"asha answers by {_stamp(request.respond_by)}",
        events=asked.events,
    )
    story.at(_ist(TUESDAY, 10))
    approved = story.sessions.approve_reschedule(
        "lesson-1", actor=Actor.teacher(TEACHER)
    )
    window = approved.state.window
    story.note(
        TEACHER,
        "approves the move",
        f"lesson-1 now Thu 04 Jun {_hm(window.start)}-{_hm(window.end)} IST",
        events=approved.events,
    )


def _joins(
    story: _Story, session_id: str, joins: Sequence[tuple[str, str, datetime]]
) -> None:
    for participant, role, at in joins:
        story.at(at)
        decision = story.attendance.record(
            session_id,
            participant,
            role,
            ParticipationEvent.joined(at),
            actor=Actor.system(),
        )
        story.note(participant, f"joins {session_id}", events=decision.events)


def _leave_and_mark(
    story: _Story, session_id: str, people: Sequence[tuple[str, str]]
) -> tuple[Decision[tuple[Attendee, ...]], Decision[Session], OutcomeReport]:
    end = story.clock.now()
    for participant, role in people:
        story.attendance.record(
            session_id,
            participant,
            role,
            ParticipationEvent.left(end),
            actor=Actor.system(),
        )
    marked = story.attendance.mark_session(session_id, actor=Actor.system())
    completed = story.sessions.complete(session_id, actor=Actor.teacher(TEACHER))
    report = story.attendance.outcome(session_id)
    return marked, completed, report


def _group_class(story: _Story) -> None:
    start = _ist(TUESDAY, 19)
    # enrolled by their bookings (and the teacher by the scheduling)
    people = ((TEACHER, "teacher"), ("ann", "student"), ("cara", "student"))
    _joins(
        story,
        "class-1",
        [
            (TEACHER, "teacher", start - timedelta(minutes=5)),
            ("ann", "student", start),
            ("cara", "student", start + timedelta(minutes=12)),
        ],
    )
    story.at(start + timedelta(hours=1))
    marked, completed, report = _leave_and_mark(story, "class-1", people)
    tolerated = _minutes(story.attendance.policies.attendance.late_after)
    marks = [
        f"{a.participant_id} {a.attendance.value}"
        + (
            f" (joined {_minutes(lateness(a, completed.state))} min after the "
            f"start; late means over {tolerated} min)"
            if a.attendance is AttendanceMark.LATE
            else ""
        )
        for a in marked.state
        if a.role is Role.STUDENT
    ]
    story.note(
        TEACHER,
        "ends the class; attendance is marked from the join log",
        *marks,
        f"outcome: {report.outcome.value}; {report.settlement.meaning}",
        events=[*marked.events, *completed.events],
    )


def _lesson(story: _Story) -> None:
    start = _ist(THURSDAY, 17)
    people = ((TEACHER, "teacher"), ("dev", "student"))
    _joins(
        story,
        "lesson-1",
        [
            (TEACHER, "teacher", start - timedelta(minutes=2)),
            ("dev", "student", start + timedelta(minutes=1)),
        ],
    )
    story.at(start + timedelta(hours=1))
    _, completed, report = _leave_and_mark(story, "lesson-1", people)
    record = story.payments.settle("one-1", report.settlement)
    wallet = teacher_wallet(story.payments.journal, TEACHER)
    story.note(
        TEACHER,
        "ends the 1:1; the outcome settles the payment",
        f"outcome: {report.outcome.value}; {report.settlement.meaning}",
        f"escrow {'released' if record.closed else 'NOT released'}: asha's wallet "
        f"{wallet.available} available, {wallet.escrow} in escrow",
        events=completed.events,
    )


def _withdraw(story: _Story) -> None:
    story.at(_ist(FRIDAY, 10))
    amount = Money.of("600.00", "INR")
    withdrawal = story.payments.withdraw(
        withdrawal_id="wd-1", teacher_id=TEACHER, amount=amount, bank_account=ACCOUNT
    )
    payout = cast("PayoutStatus", withdrawal.payout_status)
    story.note(
        TEACHER,
        f"withdraws {amount} to her bank account",
        f"{withdrawal.id}: {withdrawal.status.value} from her wallet, payout "
        f"{withdrawal.payout_id} {payout.value}",
    )
    story.at(_ist(FRIDAY, 14))
    for _ in range(4):  # pending -> queued -> scheduled -> processing -> processed
        story.gateway.advance_payouts()
    for body, signature in story.gateway.take_webhooks():
        story.payments.handle_webhook(body, signature)
    done = story.payments.withdrawal("wd-1")
    wallet = teacher_wallet(story.payments.journal, TEACHER)
    story.note(
        "gateway",
        f"settles the payout by webhook: {done.status.value}",
        f"asha's wallet {wallet.available} available, {wallet.held} held",
    )


def _reconcile(story: _Story) -> None:
    story.at(_ist(FRIDAY, 18))
    report = story.payments.reconcile(start=START, end=story.clock.now())
    story.note(
        "system",
        "reconciles the ledger with the gateway for the week",
        f"{len(report.matched)} matched ({', '.join(report.matched)}), "
        f"{len(report.discrepancies)} discrepancies: "
        f"{'clean' if report.clean else 'NOT clean'}",
    )
    counts = _stored(story)
    story.note(
        "system",
        f"the {_STORE[story.database.dialect.name]} holds the story",
        ", ".join(f"{count} {name}" for name, count in counts.items())
        + f", {len(story.database.events())} events in the outbox",
    )


def _stored(story: _Story) -> dict[str, int]:
    def count(uow: SqlUnitOfWork) -> dict[str, int]:
        return {
            SESSIONS: len(uow.repository(SESSIONS, Session).list()),
            BOOKINGS: len(uow.repository(BOOKINGS, Booking).list()),
            ATTENDEES: len(uow.repository(ATTENDEES, Attendee).list()),
        }

    return run_in_transaction(story.uow, count)


_STORE = {"SQLite": "SQLite file", "PostgreSQL": "PostgreSQL database"}


def _tell(database: SqlDatabase, emit: Callable[[Entry], None]) -> None:
    story = _Story(database, emit)
    _availability_and_class(story)
    _seats(story)
    story.at(_ist(date(2026, 6, 1), 13))
    booking = _one_on_one_with_approval(
        story, TimeWindow.of(_ist(THURSDAY, 16), timedelta(hours=1))
    )
    _pay(story, booking)
    _reschedule(story)
    _group_class(story)
    _lesson(story)
    _withdraw(story)
    _reconcile(story)


def run_demo(
    db: Path | None, emit: Callable[[Entry], None], *, dsn: str | None = None
) -> None:
    """Tell the story on a database file, handing each step to ``emit``.

    Args:
        db: The SQLite file to keep (it must not exist or be empty), or
            ``None`` for a temporary one removed afterwards.
        emit: Receives every :class:`Entry` as it happens.
        dsn: Tell it on this PostgreSQL database instead (in a schema of its
            own, dropped afterwards; needs the ``postgres`` extra).

    Raises:
        InvalidValueError: ``input.invalid_value`` when ``db`` already holds
            data (nothing is written to it).
        BookingCoreError: Whatever the library refuses on the way (a bug in
            the story; the entries before it were emitted).
    """
    if dsn is not None:
        _run_on_postgres(dsn, emit)
        return
    if db is not None:
        if db.exists() and (not db.is_file() or db.stat().st_size > 0):
            raise InvalidValueError(
                field="--db",
                reason=(
                    "the file exists and is not empty; the demo writes only to a "
                    "new (or empty) file: give another path or delete this one"
                ),
                value=str(db),
            )
        _run_on(db, emit)
        return
    with tempfile.TemporaryDirectory(prefix="booking-core-demo-") as folder:
        _run_on(Path(folder) / "demo.sqlite3", emit)


def _run_on(path: Path, emit: Callable[[Entry], None]) -> None:
    database = SqliteDatabase(path)
    try:
        _tell(database, emit)
    finally:
        database.close()


def _run_on_postgres(dsn: str, emit: Callable[[Entry], None]) -> None:
    try:
        from booking_core.adapters.postgres import PostgresDatabase
    except ImportError:
        raise InvalidValueError(
            field="--dsn",
            reason=(
                "PostgreSQL needs the postgres extra: "
                "pip install 'booking-core-domain[postgres]'"
            ),
            value=dsn,
        ) from None
    schema = f"booking_core_demo_{uuid.uuid4().hex[:12]}"
    database = PostgresDatabase(dsn, schema=schema, max_size=2)
    try:
        _tell(database, emit)
    finally:
        with database.connect() as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        database.close()
