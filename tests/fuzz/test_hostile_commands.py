"""Hostile arguments to every public service method reachable through ``bootstrap``.

Each example builds a small deployment (in memory, fake gateway): a teacher's
schedule, a group session with a booking, a 1:1 session with a paid order and
enrolled attendees. It then calls one public method of ``sessions``,
``bookings``, ``one_on_one``, ``attendance`` or ``payments`` with sane values for
every parameter except a drawn few, which get hostile ones (huge, tiny,
negative, NaN, surrogates, far and naive dates, wrong types, deep nesting). The
call must return or raise a ``BookingCoreError`` within the time budget, and a
refused call must leave everything stored exactly as it was.
"""

from __future__ import annotations

import inspect
import time as clock_time
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking_core import bootstrap
from booking_core.actors import Actor
from booking_core.adapters import codec
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.attendance import OUTCOME_SETTLEMENTS, SessionOutcome
from booking_core.attendance.model import ParticipationEvent
from booking_core.availability.schedule import TeacherSchedule
from booking_core.availability.windows import WeeklyAvailability
from booking_core.bookings.model import Booking
from booking_core.clock import ManualClock
from booking_core.errors import BookingCoreError
from booking_core.intervals import TimeWindow
from booking_core.money.amount import Money
from booking_core.money.withdrawals import BankAccount
from booking_core.recurrence import RecurrenceRule
from booking_core.services.app import BookingCore

NOW = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
LESSON = NOW + timedelta(hours=1)  # the paid 1:1, starting soon
CLASS = NOW + timedelta(days=2)  # the group class
HOUR = timedelta(hours=1)
TEACHER = Actor.teacher("t-1")
STUDENT = Actor.student("alice")
ADMIN = Actor.admin("ops")
SECRET = b"fuzz-webhook-secret-0123"

SERVICES = ("sessions", "bookings", "one_on_one", "attendance", "payments")

T = TypeVar("T")

BUDGET_S = 2.0
"""The longest any single call may take (generous: the machine may be shared)."""


def answers(call: Callable[[], T]) -> T | BookingCoreError:
    """Run ``call``: it returns, or raises a BookingCoreError, within the budget."""
    started = clock_time.perf_counter()
    try:
        result: T | BookingCoreError = call()
    except BookingCoreError as error:
        result = error
    spent = clock_time.perf_counter() - started
    if isinstance(result, BookingCoreError):
        assert result.code, "every refusal carries a code"
    assert spent < BUDGET_S, f"took {spent:.2f}s"
    return result


def deployment() -> tuple[BookingCore, InMemoryStore]:
    """A small world in which most commands can succeed."""
    store = InMemoryStore()
    clock = ManualClock(NOW - timedelta(days=1))
    gateway = FakePaymentGateway(secret=SECRET, clock=clock.now)
    core = bootstrap(
        uow_factory=lambda: InMemoryUnitOfWork(store), clock=clock, gateway=gateway
    )
    core.one_on_one.set_schedule(
        TeacherSchedule(
            id="t-1",
            zone="UTC",
            availability=[
                WeeklyAvailability(weekday=day, start=time(8), end=time(18), zone="UTC")
                for day in range(7)
            ],
        ),
        actor=TEACHER,
    )
    core.sessions.schedule(
        session_id="g-1",
        kind="group",
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(CLASS, HOUR),
        zone="UTC",
        capacity=2,
        waitlist_enabled=True,
        actor=TEACHER,
    )
    core.bookings.book("g-1", "alice", actor=STUDENT, idempotency_key="k-1")
    core.sessions.schedule(
        session_id="l-1",
        kind="one_on_one",
        teacher_id="t-1",
        course_id="c-1",
        window=TimeWindow.of(LESSON, HOUR),
        zone="UTC",
        actor=TEACHER,
    )
    with InMemoryUnitOfWork(store) as unit:
        unit.bookings.add(
            Booking(
                id="b-1",
                type="one_on_one",
                session_id="l-1",
                student_id="alice",
                teacher_id="t-1",
                course_id="c-1",
                window=TimeWindow.of(LESSON, HOUR),
                status="confirmed",
                created_at=clock.now(),
            )
        )
        unit.commit()
    order = core.payments.open_order(
        booking_id="b-1",
        teacher_id="t-1",
        amount=Money.of("700.00", "INR"),
        starts_at=LESSON,
    )
    assert order.order_id is not None
    gateway.pay(order.order_id)
    for body, signature in gateway.take_webhooks():
        core.payments.handle_webhook(body, signature)
    core.attendance.enrol("l-1", "t-1", "teacher")
    core.attendance.enrol("l-1", "alice", "student")
    clock.set(NOW)
    return core, store


def stored(store: InMemoryStore) -> str:
    """Everything committed, as one text (aggregates, versions, the outbox)."""
    with store.lock:
        collections = sorted(
            (name, sorted(items.items()))
            for name, items in store.collections.items()
            if items  # a read may create an empty collection: nothing stored
        )
        return codec.dumps([collections, list(store.events)])


def _sane() -> dict[str, Any]:
    """A value for every parameter name that lets the call get somewhere."""
    rule = RecurrenceRule.parse("FREQ=WEEKLY;COUNT=3")
    return {
        "actor": ADMIN,
        "after": None,
        "amount": Money.of("100.00", "INR"),
        "attendee_id": "l-1~student~alice",
        "bank_account": BankAccount(
            holder_name="T One", account_number="123456789", ifsc="HDFC0001234"
        ),
        "body": b'{"event":"payment.captured"}',
        "booking_id": "b-1",
        "by": "teacher",
        "capacity": 3,
        "course": None,
        "course_id": "c-1",
        "duration": HOUR,
        "end": NOW,
        "entry": ParticipationEvent.joined(NOW),
        "first_date": date(2026, 6, 2),
        "idempotency_key": "k-2",
        "intent": "maybe",
        "kind": "group",
        "limit": None,
        "last_date": date(2026, 6, 3),
        "meeting": None,
        "mode": "all_or_nothing",
        "new_capacity": 4,
        "new_start": CLASS + timedelta(days=1),
        "non_overlapping": False,
        "notes": "went well",
        "now": NOW,
        "occurrence_index": 0,
        "participant_id": "alice",
        "payment_mode": "per_occurrence",
        "payment_status": None,
        "reason": "a reason long enough",
        "request_id": "req-1",
        "role": "student",
        "rule": rule,
        "schedule": TeacherSchedule(id="t-1", zone="UTC"),
        "scope": "this",
        "seats": 1,
        "series_id": "series-1",
        "session_id": "l-1",
        "settlement": OUTCOME_SETTLEMENTS[SessionOutcome.HELD],
        "signature": "0" * 64,
        "slot": TimeWindow.of(NOW + timedelta(days=3), HOUR),
        "start": NOW + timedelta(days=3),
        "starting_before": NOW + timedelta(days=7),
        "starts_at": CLASS,
        "student_id": "alice",
        "target": "waived",
        "teacher_id": "t-1",
        "until": None,
        "waitlist_enabled": False,
        "window": TimeWindow.of(NOW + timedelta(days=4), HOUR),
        "withdrawal_id": "w-1",
        "zone": "UTC",
    }


def _methods() -> list[tuple[str, str]]:
    core, _ = deployment()
    found = []
    for service in SERVICES:
        for name, member in inspect.getmembers(getattr(core, service)):
            if not name.startswith("_") and inspect.ismethod(member):
                found.append((service, name))
    return found


METHODS = _methods()

DEEP = st.recursive(
    st.one_of(st.integers(), st.text(max_size=3), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=2), st.dictionaries(st.text(max_size=2), inner)
    ),
    max_leaves=40,
)
NESTED_DEEPLY: Any = []
for _ in range(200):
    NESTED_DEEPLY = [NESTED_DEEPLY]

HOSTILE = st.one_of(
    st.sampled_from([0, -1, 2**31, -(2**63), 10**40, 10**400, 10**5000]),
    st.sampled_from(
        [
            Decimal("NaN"),
            Decimal("Infinity"),
            Decimal("1e-400000000"),
            Decimal("9" * 60),
            float("nan"),
            float("-inf"),
            -0.5,
            True,
            None,
            object(),
        ]
    ),
    st.sampled_from(
        ["", " ", "\x00", "\ud800", "a\udfffb", "\n", "x" * 10_000, "9" * 5000, "é"]
    ),
    st.text(max_size=12),
)
FAR = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from(["UTC", "Asia/Kolkata", "Pacific/Kiritimati"]).map(
        ZoneInfo
    ),
)
DURATIONS = st.one_of(
    st.timedeltas(), st.sampled_from([timedelta.max, timedelta.min, timedelta(0)])
)
HOSTILE_ARGUMENT = st.one_of(
    HOSTILE,
    FAR,
    DURATIONS,
    DEEP,
    st.just(NESTED_DEEPLY),
    st.datetimes(),  # naive
    st.dates(),
    st.sampled_from(
        [
            Actor.student("mallory"),
            Actor.teacher("t-2"),
            Actor.system(),
            STUDENT,
            TEACHER,
            "admin",
            Money.of("999999999999999.99", "INR"),
            Money.of("0.01", "USD"),
            Decimal(-1),
            -(10**18),
            b"\xff" * 3,
            b"{" * 10_000,
            TimeWindow.of(datetime(2399, 12, 31, tzinfo=timezone.utc), HOUR),
            TimeWindow.of(datetime(1800, 1, 1, tzinfo=timezone.utc), HOUR),
            ParticipationEvent.left(NOW - timedelta(days=365)),
        ]
    ),
)

FUZZ = settings(max_examples=8, deadline=None)

#: Methods where a wrongly typed argument still escapes as a builtin exception,
#: found by this suite and not yet fixed (their services are being rewritten):
#: ``(service, method) -> (parameter, value)``. The fuzz test skips them (a
#: failing example is slow to shrink); ``test_known_gaps_still_escape`` expects
#: each to fail, strictly, so a fix makes it pass and the entry must go.
# Arguments of the wrong type that once escaped as builtin exceptions: each now
# answers with a coded error (and changes nothing, like every refusal here).
FORMER_GAPS: dict[tuple[str, str], tuple[str, object]] = {
    ("one_on_one", "cancel"): ("actor", 0),
    ("one_on_one", "create_series"): ("payment_mode", [[]]),
    ("one_on_one", "set_schedule"): ("actor", 0),
    ("payments", "refund"): ("by", [[]]),
    ("payments", "settle"): ("settlement", []),
    ("payments", "withdraw"): ("amount", 0),
}


@pytest.mark.parametrize(("service", "name"), sorted(FORMER_GAPS))
def test_wrongly_typed_arguments_answer_with_a_code(service: str, name: str) -> None:
    core, store = deployment()
    method: Callable[..., object] = getattr(getattr(core, service), name)
    sane = _sane()
    arguments = {p: sane[p] for p in inspect.signature(method).parameters}
    key, value = FORMER_GAPS[(service, name)]
    arguments[key] = value
    before = stored(store)
    with pytest.raises(BookingCoreError) as refused:
        method(**arguments)
    assert refused.value.details.get("field") == key
    assert stored(store) == before


@pytest.mark.parametrize(
    ("service", "name"),
    METHODS,
    ids=[".".join(method) for method in METHODS],
)
@FUZZ
@given(data=st.data())
def test_hostile_arguments_answer_with_a_code_and_change_nothing(
    service: str, name: str, data: st.DataObject
) -> None:
    core, store = deployment()
    method: Callable[..., object] = getattr(getattr(core, service), name)
    parameters = list(inspect.signature(method).parameters.values())
    sane = _sane()
    arguments = {parameter.name: sane[parameter.name] for parameter in parameters}
    if parameters:
        hostile = data.draw(
            st.sets(st.sampled_from([p.name for p in parameters]), max_size=2),
            label="hostile",
        )
        for key in sorted(hostile):
            arguments[key] = data.draw(HOSTILE_ARGUMENT, label=key)
    before = stored(store)
    result = answers(lambda: method(**arguments))
    if isinstance(result, BookingCoreError):
        assert stored(store) == before, result
