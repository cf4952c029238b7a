"""The booking service over the in-memory adapter: seed 003 scenarios, races, keys."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import Any, cast

import pytest

from booking_core.actors import Actor
from booking_core.adapters.codec import dumps, loads
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.bookings.model import BookingStatus, CommandRecord
from booking_core.bookings.policies import BookingPolicy, WaitlistMode, WaitlistPolicy
from booking_core.clock import ManualClock
from booking_core.errors import (
    AlreadyBookedError,
    BookingCoreError,
    BookingKeyReuseError,
    DuplicateIdError,
    IdempotencyKeyReuseError,
    NotSessionParticipantError,
    SeatsUnavailableError,
)
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.ports import IdempotencyRecords, UnitOfWork
from booking_core.services.booking import BookingService
from booking_core.services.sessions import SessionService
from booking_core.sessions import Session

# London's spring-forward night (29 March 2026) lies between now and the start.
T0 = datetime(2026, 3, 28, 9, tzinfo=timezone.utc)
START = T0 + timedelta(days=2)


def _world(
    capacity: int,
    *,
    waitlist: bool,
    mode: WaitlistMode = WaitlistMode.AUTO_CONFIRM,
    zone: str = "Europe/London",
    max_seats: int = 1,
) -> tuple[InMemoryStore, ManualClock, BookingService]:
    store = InMemoryStore()
    clock = ManualClock(T0)
    service = BookingService(
        uow_factory=lambda: InMemoryUnitOfWork(store),
        clock=clock,
        policies=Policies(
            booking=BookingPolicy(max_seats_per_booking=max_seats),
            waitlist=WaitlistPolicy(mode=mode),
            transaction_attempts=200,
        ),
    )
    with InMemoryUnitOfWork(store) as uow:
        uow.sessions.add(
            Session(
                id="s",
                kind="group",
                teacher_id="t",
                course_id="c",
                window=TimeWindow.of(START, timedelta(hours=1)),
                zone=zone,
                capacity=capacity,
                waitlist_enabled=waitlist,
            )
        )
        uow.commit()
    return store, clock, service


def _statuses(store: InMemoryStore) -> dict[str, int]:
    counts: dict[str, int] = {}
    for booking in store.collection("bookings").values():
        counts[booking.status.value] = counts.get(booking.status.value, 0) + 1
    return counts


# -- seed 003 scenarios -------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Kolkata"])
def test_five_seats_five_students_closes_booking(zone: str) -> None:
    store, _, service = _world(5, waitlist=False, zone=zone)
    for i in range(5):
        service.book("s", f"st-{i}", actor=Actor.student(f"st-{i}"))
    counts = service.availability("s")
    assert (counts.remaining, counts.is_full, counts.booking_open) == (0, True, False)
    assert [e.name for e in store.events].count("session.booking_closed") == 1
    before = dict(store.collection("bookings"))
    with pytest.raises(SeatsUnavailableError) as refused:
        service.book("s", "late", actor=Actor.student("late"))
    assert refused.value.code == "booking.seats_unavailable"
    assert dict(store.collection("bookings")) == before


def test_cancel_reopens_a_closed_session() -> None:
    store, _, service = _world(1, waitlist=False)
    first = service.book("s", "ann", actor=Actor.student("ann"))
    service.cancel(first.state.id, actor=Actor.student("ann"))
    names = [e.name for e in store.events]
    # the seat decision's events, then the reactions' (attendee excused)
    assert names[names.index("booking.seats_released") :][:2] == [
        "booking.seats_released",
        "session.booking_reopened",
    ]
    assert service.availability("s").booking_open


def test_fifteen_students_with_waitlist_gives_ten_confirmed_five_waitlisted() -> None:
    store, _, service = _world(10, waitlist=True)
    for i in range(15):
        service.book("s", f"st-{i:02}", actor=Actor.student(f"st-{i:02}"))
    assert _statuses(store) == {"confirmed": 10, "waitlisted": 5}
    counts = service.availability("s")
    assert (counts.confirmed, counts.waitlisted, counts.booking_open) == (10, 5, True)


@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Kolkata"])
def test_a_cancel_promotes_the_first_waiting_student(zone: str) -> None:
    store, _, service = _world(10, waitlist=True, zone=zone)
    booked = [
        service.book("s", f"st-{i:02}", actor=Actor.student(f"st-{i:02}")).state
        for i in range(15)
    ]
    service.cancel(booked[3].id, actor=Actor.student("st-03"), reason="ill")
    assert service.get(booked[10].id).status is BookingStatus.CONFIRMED
    assert all(
        service.get(b.id).status is BookingStatus.WAITLISTED for b in booked[11:]
    )
    # the command's events, then its reaction's (the attendee excused)
    assert [e.name for e in store.events][-3:] == [
        "booking.seats_released",
        "booking.promoted",
        "attendee.excused",
    ]


def test_the_same_student_cannot_book_twice() -> None:
    store, _, service = _world(10, waitlist=True)
    first = service.book("s", "ann", actor=Actor.student("ann"))
    before = (dict(store.collection("bookings")), store.collection("sessions")["s"])
    with pytest.raises(AlreadyBookedError) as refused:
        service.book("s", "ann", actor=Actor.student("ann"))
    assert refused.value.code == "booking.already_booked"
    assert (dict(store.collection("bookings")), store.collection("sessions")["s"]) == (
        before
    )
    service.cancel(first.state.id, actor=Actor.student("ann"))
    again = service.book("s", "ann", actor=Actor.student("ann"))
    assert again.state.status is BookingStatus.CONFIRMED


def test_offer_mode_offers_then_passes_on_after_expiry() -> None:
    store, clock, service = _world(1, waitlist=True, mode=WaitlistMode.OFFER)
    ann = service.book("s", "ann", actor=Actor.student("ann")).state
    bob = service.book("s", "bob", actor=Actor.student("bob")).state
    cat = service.book("s", "cat", actor=Actor.student("cat")).state
    service.cancel(ann.id, actor=Actor.student("ann"))
    offered = service.get(bob.id)
    assert offered.status is BookingStatus.OFFERED
    assert offered.offer_expires_at == clock.now() + timedelta(hours=12)
    assert service.expire_offers("s").state == ()
    clock.set(clock.now() + timedelta(hours=12))
    moved = service.expire_offers("s")
    assert [(b.id, b.status) for b in moved.state] == [
        (bob.id, BookingStatus.EXPIRED),
        (cat.id, BookingStatus.OFFERED),
    ]
    accepted = service.accept_offer(cat.id, actor=Actor.student("cat"))
    assert accepted.state.status is BookingStatus.CONFIRMED
    assert accepted.state.decision is not None
    assert "booking.offer_accepted" in [e.name for e in store.events]


def test_decline_passes_the_offer_on() -> None:
    _, _, service = _world(1, waitlist=True, mode=WaitlistMode.OFFER)
    ann = service.book("s", "ann", actor=Actor.student("ann")).state
    bob = service.book("s", "bob", actor=Actor.student("bob")).state
    cat = service.book("s", "cat", actor=Actor.student("cat")).state
    service.cancel(ann.id, actor=Actor.teacher("t"))
    declined = service.decline_offer(bob.id, actor=Actor.student("bob"))
    assert declined.state.status is BookingStatus.DECLINED
    assert service.get(cat.id).status is BookingStatus.OFFERED


def test_raising_capacity_promotes() -> None:
    store, _, service = _world(1, waitlist=True)
    service.book("s", "ann", actor=Actor.student("ann"))
    bob = service.book("s", "bob", actor=Actor.student("bob")).state
    changed = service.change_capacity("s", 2, actor=Actor.teacher("t"))
    assert changed.state.capacity == 2
    assert service.get(bob.id).status is BookingStatus.CONFIRMED
    assert store.collection("sessions")["s"].capacity == 2


# -- concurrency -------------------------------------------------------------------


def test_fifty_students_race_for_ten_seats() -> None:
    store, _, service = _world(10, waitlist=True)
    barrier = threading.Barrier(50)
    failures: list[BookingCoreError] = []

    def student(i: int) -> None:
        barrier.wait()
        try:
            service.book("s", f"st-{i:02}", actor=Actor.student(f"st-{i:02}"))
        except BookingCoreError as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _statuses(store) == {"confirmed": 10, "waitlisted": 40}
    session = store.collection("sessions")["s"]
    assert session.seats.confirmed == 10
    assert len(session.seats.waitlist) == 40
    assert (
        session.version == 51
    )  # added once, then one save per booking: no lost update
    booked = [
        e
        for e in store.events
        if e.name in ("booking.seats_booked", "booking.waitlisted")
    ]
    assert len(booked) == 50


def test_one_student_racing_with_itself_gets_one_booking() -> None:
    store, _, service = _world(10, waitlist=True)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            service.book("s", "ann", actor=Actor.student("ann"))
            outcomes.append("booked")
        except AlreadyBookedError:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["refused"] * 7
    assert len(store.collection("bookings")) == 1


# -- idempotency -------------------------------------------------------------------


def test_same_key_same_content_returns_the_original_and_changes_nothing() -> None:
    store, _, service = _world(2, waitlist=True)
    first = service.book("s", "ann", actor=Actor.student("ann"), idempotency_key="k")
    snapshot = (dict(store.collection("bookings")), len(store.events))
    again = service.book("s", "ann", actor=Actor.student("ann"), idempotency_key="k")
    assert again == first
    assert (dict(store.collection("bookings")), len(store.events)) == snapshot
    cancelled = service.cancel(
        first.state.id, actor=Actor.student("ann"), idempotency_key="c"
    )
    assert (
        service.cancel(first.state.id, actor=Actor.student("ann"), idempotency_key="c")
        == cancelled
    )


def test_same_key_other_content_is_refused() -> None:
    store, _, service = _world(2, waitlist=True)
    service.book("s", "ann", actor=Actor.student("ann"), idempotency_key="k")
    snapshot = dict(store.collection("bookings"))
    with pytest.raises(BookingKeyReuseError) as refused:
        service.book("s", "bob", actor=Actor.student("bob"), idempotency_key="k")
    assert refused.value.code == "booking.idempotency_key_reused"
    assert isinstance(refused.value, IdempotencyKeyReuseError)
    assert dict(store.collection("bookings")) == snapshot


# -- participants and storage ------------------------------------------------------


def _participants(store: InMemoryStore, session_id: str) -> frozenset[str]:
    with InMemoryUnitOfWork(store) as uow:
        booked = uow.bookings.of_session(session_id)
    return frozenset(b.student_id for b in booked if b.is_participant)


def test_session_permissions_follow_real_bookings() -> None:
    store, clock, service = _world(1, waitlist=True)
    sessions = SessionService(
        uow_factory=lambda: InMemoryUnitOfWork(store), clock=clock
    )
    service.book("s", "ann", actor=Actor.student("ann"))
    service.book("s", "bob", actor=Actor.student("bob"))  # waitlisted
    assert _participants(store, "s") == frozenset({"ann"})
    assert _participants(store, "unknown") == frozenset()
    clock.set(START + timedelta(hours=1))
    with pytest.raises(NotSessionParticipantError):
        sessions.complete("s", actor=Actor.student("bob"))
    decision = sessions.complete("s", actor=Actor.student("ann"))
    assert decision.state.status.value == "completed"


def test_bookings_sessions_and_records_round_trip_through_the_codec() -> None:
    store, _, service = _world(1, waitlist=True, mode=WaitlistMode.OFFER)
    ann = service.book("s", "ann", actor=Actor.student("ann"), idempotency_key="a")
    service.book("s", "bob", actor=Actor.student("bob"))
    service.cancel(ann.state.id, actor=Actor.student("ann"), reason="moved away")
    values = [
        *store.collection("bookings").values(),
        *store.collection("sessions").values(),
        *store.collection("booking_commands").values(),
        *store.events,
    ]
    for value in values:
        assert loads(dumps(value)) == value


def test_concurrent_retries_with_one_key_book_once() -> None:
    store, _, service = _world(10, waitlist=True)
    barrier = threading.Barrier(8)
    results: list[object] = []

    def retry() -> None:
        barrier.wait()
        results.append(
            service.book("s", "ann", actor=Actor.student("ann"), idempotency_key="k")
        )

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert all(result == results[0] for result in results)
    assert len(store.collection("bookings")) == 1
    assert [e.name for e in store.events] == ["booking.seats_booked"]


class _LateRecords:
    """Records whose first lookup misses: a twin request commits in between."""

    misses = 1

    def __init__(self, inner: IdempotencyRecords) -> None:
        self._inner = inner

    def get(self, key: str) -> CommandRecord | None:
        if _LateRecords.misses:
            _LateRecords.misses -= 1
            return None
        return self._inner.get(key)

    def add(self, record: CommandRecord) -> None:
        self._inner.add(record)


class _LateUnitOfWork:
    """An in-memory unit of work whose ``records`` are :class:`_LateRecords`."""

    def __init__(self, inner: InMemoryUnitOfWork) -> None:
        self._inner = inner

    def __enter__(self) -> _LateUnitOfWork:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._inner.__exit__(kind, error, traceback)

    @property
    def records(self) -> _LateRecords:
        return _LateRecords(self._inner.records)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_twin_request_committing_first_is_replayed() -> None:
    store, clock, service = _world(10, waitlist=True)
    first = service.book("s", "ann", actor=Actor.student("ann"), idempotency_key="k")
    late = BookingService(
        uow_factory=lambda: cast(
            "UnitOfWork", _LateUnitOfWork(InMemoryUnitOfWork(store))
        ),
        clock=clock,
    )
    _LateRecords.misses = 1
    with pytest.raises(AlreadyBookedError):  # without a key: a plain refusal
        late.book("s", "ann", actor=Actor.student("ann"))
    _LateRecords.misses = 1
    with pytest.raises(AlreadyBookedError):  # a key nobody used: refused too
        late.book("s", "ann", actor=Actor.student("ann"), idempotency_key="new")
    # the lookup misses the twin's record; the refusal finds it and replays
    _LateRecords.misses = 1
    assert late.book("s", "ann", actor=Actor.student("ann"), idempotency_key="k") == (
        first
    )
    # the lookup misses, the command runs, storing the record collides: run again
    _LateRecords.misses = 1
    snapshot = dict(store.collection("bookings"))
    with pytest.raises(BookingKeyReuseError):
        late.book("s", "bob", actor=Actor.student("bob"), idempotency_key="k")
    assert dict(store.collection("bookings")) == snapshot


def test_a_repeating_id_generator_is_refused_not_overwritten() -> None:
    store, clock, _ = _world(10, waitlist=True)
    service = BookingService(
        uow_factory=lambda: InMemoryUnitOfWork(store),
        clock=clock,
        new_id=lambda: "same",
    )
    service.book("s", "ann", actor=Actor.student("ann"))
    with pytest.raises(DuplicateIdError):
        service.book("s", "bob", actor=Actor.student("bob"))
    assert store.collection("bookings")["same"].student_id == "ann"
