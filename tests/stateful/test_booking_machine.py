"""Group booking through the service, driven at random, checked after every step.

Random books (1-2 seats, some with idempotency keys), cancels (whole or part),
offer accepts, declines and expiries, capacity changes and clock advances run
against one group session over the in-memory adapter. After every step:
confirmed + offered seats <= capacity; at most one active booking per student;
the waitlist is FIFO (nobody was promoted past an earlier waiting booking);
every freed seat is re-offered unless the waitlist is empty, its head needs more
seats than are free, or the promotion deadline passed; the derived counts equal a
recount of the bookings; and a refused command changed nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.bookings.capacity import availability, promotion_deadline
from booking_core.bookings.model import Booking, BookingStatus
from booking_core.bookings.policies import BookingPolicy, WaitlistMode, WaitlistPolicy
from booking_core.clock import ManualClock
from booking_core.errors import BookingCoreError
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.services.booking import BookingService
from booking_core.sessions import Session, SessionStatus

T0 = datetime(2026, 10, 23, 9, tzinfo=timezone.utc)  # London's autumn fold ahead
START = T0 + timedelta(hours=40)
STUDENTS = [f"st-{i}" for i in range(6)]


class BookingMachine(RuleBasedStateMachine):
    """One group session, many students, a manual clock."""

    def __init__(self) -> None:
        super().__init__()
        self.store = InMemoryStore()
        self.clock = ManualClock(T0)
        self.service: BookingService | None = None
        self.policy = WaitlistPolicy()
        self.ids: list[str] = []
        self.keys: dict[str, str] = {}

    @initialize(
        capacity=st.sampled_from([1, 1, 2, 3]),
        waitlist=st.sampled_from([True, True, True, False]),
        mode=st.sampled_from(list(WaitlistMode)),
        ttl_hours=st.integers(1, 14),
        zone=st.sampled_from(["Europe/London", "Asia/Kolkata"]),
    )
    def setup(
        self,
        capacity: int,
        waitlist: bool,
        mode: WaitlistMode,
        ttl_hours: int,
        zone: str,
    ) -> None:
        self.policy = WaitlistPolicy(mode=mode, offer_ttl=timedelta(hours=ttl_hours))
        self.service = BookingService(
            uow_factory=lambda: InMemoryUnitOfWork(self.store),
            clock=self.clock,
            policies=Policies(
                booking=BookingPolicy(max_seats_per_booking=2), waitlist=self.policy
            ),
        )
        with InMemoryUnitOfWork(self.store) as uow:
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

    # -- helpers ------------------------------------------------------------------

    def _snapshot(self) -> dict[str, dict[str, Any]]:
        with self.store.lock:
            return {
                name: dict(collection)
                for name, collection in self.store.collections.items()
                if collection
            }

    def _session(self) -> Session:
        result: Session = self.store.collection("sessions")["s"]
        return result

    def _bookings(self) -> list[Booking]:
        return list(self.store.collection("bookings").values())

    def _attempt(self, command: Any) -> None:
        before = self._snapshot()
        waitlist_before = [e.booking_id for e in self._session().seats.waitlist]
        events_before = len(self.store.events)
        try:
            result = command()
        except BookingCoreError:
            assert self._snapshot() == before, "a refused command changed state"
            assert len(self.store.events) == events_before
            return
        state = getattr(result, "state", None)
        if isinstance(state, Booking) and state.id not in self.ids:
            self.ids.append(state.id)
        self._check_fifo(waitlist_before)

    def _check_fifo(self, waitlist_before: list[str]) -> None:
        bookings = self.store.collection("bookings")
        promoted = [
            index
            for index, booking_id in enumerate(waitlist_before)
            if bookings[booking_id].status
            in (BookingStatus.CONFIRMED, BookingStatus.OFFERED)
        ]
        if not promoted:
            return
        still_waiting = [
            index
            for index, booking_id in enumerate(waitlist_before)
            if bookings[booking_id].status is BookingStatus.WAITLISTED
        ]
        assert all(index > max(promoted) for index in still_waiting), (
            "a booking was promoted past an earlier waiting one"
        )

    @property
    def svc(self) -> BookingService:
        assert self.service is not None
        return self.service

    # -- rules --------------------------------------------------------------------

    @rule(
        student=st.sampled_from(STUDENTS),
        seats=st.sampled_from([1, 1, 1, 2, 2, 0, 3]),
        key=st.sampled_from([None, None, "k1", "k2"]),
        as_admin=st.booleans(),
    )
    def book(self, student: str, seats: int, key: str | None, as_admin: bool) -> None:
        actor = Actor.admin("a") if as_admin else Actor.student(student)
        self._attempt(
            lambda: self.svc.book(
                "s", student, actor=actor, seats=seats, idempotency_key=key
            )
        )

    @rule(
        pick=st.integers(0, 50),
        seats=st.sampled_from([None, None, 1, 2]),
        who=st.sampled_from(["student", "teacher", "other"]),
    )
    def cancel(self, pick: int, seats: int | None, who: str) -> None:
        if not self.ids:
            return
        booking = self.store.collection("bookings")[self.ids[pick % len(self.ids)]]
        actor = {
            "student": Actor.student(booking.student_id),
            "teacher": Actor.teacher("t"),
            "other": Actor.student("intruder"),
        }[who]
        self._attempt(
            lambda: self.svc.cancel(
                booking.id, actor=actor, seats=seats, reason="cannot come"
            )
        )

    @rule(pick=st.integers(0, 50), accept=st.booleans())
    def answer_offer(self, pick: int, accept: bool) -> None:
        offered = [b for b in self._bookings() if b.status is BookingStatus.OFFERED]
        candidates = offered or self._bookings()
        if not candidates:
            return
        booking = candidates[pick % len(candidates)]
        actor = Actor.student(booking.student_id)
        if accept:
            self._attempt(lambda: self.svc.accept_offer(booking.id, actor=actor))
        else:
            self._attempt(lambda: self.svc.decline_offer(booking.id, actor=actor))

    @rule()
    def expire_offers(self) -> None:
        self._attempt(lambda: self.svc.expire_offers("s"))

    @rule(capacity=st.integers(0, 6), as_teacher=st.booleans())
    def change_capacity(self, capacity: int, as_teacher: bool) -> None:
        actor = Actor.teacher("t") if as_teacher else Actor.teacher("someone")
        self._attempt(lambda: self.svc.change_capacity("s", capacity, actor=actor))

    @rule(minutes=st.integers(0, 150))
    def advance(self, minutes: int) -> None:
        self.clock.set(self.clock.now() + timedelta(minutes=minutes))

    # -- invariants ---------------------------------------------------------------

    @invariant()
    def seats_never_oversold(self) -> None:
        session = self._session()
        assert session.seats.taken <= session.capacity

    @invariant()
    def one_active_booking_per_student(self) -> None:
        active = [b.student_id for b in self._bookings() if b.is_active]
        assert len(active) == len(set(active))

    @invariant()
    def derived_counts_equal_a_recount(self) -> None:
        session = self._session()
        bookings = self._bookings()

        def seats(status: BookingStatus) -> int:
            return sum(b.seats for b in bookings if b.status is status)

        counts = availability(session)
        assert counts.confirmed == seats(BookingStatus.CONFIRMED)
        assert counts.offered == seats(BookingStatus.OFFERED)
        assert counts.waitlisted_seats == seats(BookingStatus.WAITLISTED)
        assert counts.waitlisted == sum(
            b.status is BookingStatus.WAITLISTED for b in bookings
        )
        assert counts.remaining == session.capacity - counts.taken
        assert counts.is_full == (counts.remaining == 0)
        offers = {o.booking_id: (o.seats, o.expires_at) for o in session.seats.offers}
        assert offers == {
            b.id: (b.seats, b.offer_expires_at)
            for b in bookings
            if b.status is BookingStatus.OFFERED
        }
        waiting = [e.booking_id for e in session.seats.waitlist]
        assert sorted(waiting) == sorted(
            b.id for b in bookings if b.status is BookingStatus.WAITLISTED
        )
        if not session.waitlist_enabled:
            assert not waiting
            assert not offers

    @invariant()
    def freed_seats_are_passed_on(self) -> None:
        session = self._session()
        if self.service is None or not session.seats.waitlist:
            return
        if session.status is not SessionStatus.SCHEDULED:
            return  # pragma: no cover - the machine never closes the session
        last_change = max((e.occurred_at for e in self.store.events), default=T0)
        if last_change >= promotion_deadline(session, self.policy):
            return
        head = session.seats.waitlist[0]
        assert head.seats > session.capacity - session.seats.taken, (
            "free seats left while the head of the waitlist fits"
        )


BookingMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None
)
TestBookingMachine = BookingMachine.TestCase
