"""Contract suites for booking storage: the booking repository and command records.

A host proves its :class:`~booking_core.ports.BookingRepository` and
:class:`~booking_core.ports.IdempotencyRecords` by subclassing these classes in
its test suite and providing the fixtures (see ``docs/repositories.md``)::

    import pytest
    from booking_core.testing.booking_contract import BookingRepositoryContract

    class TestPostgresBookings(BookingRepositoryContract):
        @pytest.fixture
        def uow_factory(self, clean_database, publisher):
            return lambda: PostgresUnitOfWork(clean_database, publisher)




        @pytest.fixture
        def published(self, publisher):
            return publisher.published

The booking contract ends with the check that matters most: threads booking the
last seats of one session through
:class:`~booking_core.services.booking.BookingService` never confirm more seats
than the session has and never lose a booking.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.bookings.model import (
    Booking,
    BookingCancellation,
    BookingDecision,
    BookingNote,
    BookingStatus,
    CommandRecord,
    SeatBooked,
)
from booking_core.clock import ManualClock
from booking_core.errors import (
    BookingCoreError,
    DuplicateIdError,
    InvalidValueError,
    SeatsUnavailableError,
)
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.services.booking import BookingService
from booking_core.testing._aggregate_contract import (
    NOW,
    TEACHER,
    AggregateRepositoryContract,
    group_session,
    refuses_duplicate,
)

__all__ = [
    "BookingQueriesContract",
    "BookingRepositoryContract",
    "IdempotencyRecordsContract",
]

_WINDOW = TimeWindow.of(NOW + timedelta(days=10), timedelta(hours=1))


def _booking(
    booking_id: str,
    status: BookingStatus | str = BookingStatus.CONFIRMED,
    *,
    session_id: str = "s-1",
    student_id: str = "ann",
    **changes: Any,
) -> Booking:
    return Booking(
        id=booking_id,
        type=changes.pop("type", "group"),
        session_id=session_id,
        student_id=student_id,
        teacher_id=TEACHER.user_id,
        course_id="course-1",
        window=changes.pop("window", _WINDOW),
        status=status,
        created_at=changes.pop("created_at", NOW),
        **changes,
    )


def _cancelled(booking: Booking) -> Booking:
    return attrs.evolve(
        booking,
        status=BookingStatus.CANCELLED,
        cancellation=BookingCancellation(
            by=Actor.student(booking.student_id), at=NOW, reason="moved house"
        ),
    )


class BookingRepositoryContract(AggregateRepositoryContract):
    """The checks every :class:`~booking_core.ports.BookingRepository` must pass.

    Fixtures: ``uow_factory``, ``published``, ``bookings_of`` (the booking
    repository of a unit of work), and for the service-level race
    ``sessions_of`` and ``records_of`` (session repository and idempotency
    records of a unit of work).
    """

    race_threads = 8
    """How many threads race for the two last seats (hosts may change it; 3 or more)."""

    @pytest.fixture
    def bookings_of(self) -> Callable[[Any], Any]:
        """The booking repository of a unit of work (``uow.bookings``)."""
        return lambda uow: uow.bookings

    @pytest.fixture
    def sessions_of(self) -> Callable[[Any], Any]:
        """The session repository of a unit of work (``uow.sessions``)."""
        return lambda uow: uow.sessions

    @pytest.fixture
    def records_of(self) -> Callable[[Any], Any]:
        """The idempotency records of a unit of work (``uow.records``)."""
        return lambda uow: uow.records

    @pytest.fixture
    def repository_of(self, bookings_of: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """The repository the shared checks use: the booking repository."""
        return bookings_of

    def shapes(self) -> Sequence[Booking]:
        """Every status group bookings reach, a 1:1 request, notes and keys."""
        system = Actor.system()
        return [
            _booking(
                "b-confirmed",
                seats=3,
                decision=BookingDecision(by=system, at=NOW),
                notes=(
                    BookingNote(
                        author=Actor.student("ann"), text="first class", written_at=NOW
                    ),
                    BookingNote(author=TEACHER, text="welcome", written_at=NOW),
                ),
                idempotency_key="key-1",
            ),
            _booking("b-waitlisted", BookingStatus.WAITLISTED, student_id="bob"),
            _booking(
                "b-offered",
                BookingStatus.OFFERED,
                student_id="cy",
                offer_expires_at=NOW + timedelta(hours=2),
            ),
            _cancelled(_booking("b-cancelled", student_id="dee")),
            _booking(
                "b-one-on-one",
                BookingStatus.PENDING,
                session_id="s-1on1",
                type="one_on_one",
            ),
            _booking("b-attended", BookingStatus.ATTENDED, student_id="eve"),
            _booking(
                "b-expired",
                BookingStatus.EXPIRED,
                student_id="fay",
                decision=BookingDecision(by=system, at=NOW + timedelta(hours=2)),
            ),
        ]

    def changed(self, aggregate: Any) -> Any:
        """The booking cancelled by its student."""
        return _cancelled(aggregate)

    def test_active_booking_and_of_session(
        self, uow_factory: Callable[[], Any], bookings_of: Callable[[Any], Any]
    ) -> None:
        """The one active booking per (session, student) and a session's bookings."""
        old = _cancelled(_booking("b-1"))
        live = _booking("b-2", BookingStatus.WAITLISTED)
        other_session = _booking("b-3", session_id="s-2")
        other_student = _booking("b-4", student_id="bob")
        self.add_committed(
            uow_factory, bookings_of, other_student, other_session, live, old
        )
        with uow_factory() as uow:
            repository = bookings_of(uow)
            assert repository.active_booking("s-1", "ann") == attrs.evolve(
                live, version=1
            )
            assert repository.active_booking("s-1", "zed") is None
            assert repository.active_booking("s-9", "ann") is None
            assert [b.id for b in repository.of_session("s-1")] == [
                "b-1",
                "b-2",
                "b-4",
            ]
            assert repository.of_session("s-9") == []
            # Staged writes are visible to the unit that made them.
            repository.save(_cancelled(repository.get("b-2")))
            repository.add(_booking("b-5", BookingStatus.OFFERED, student_id="cy"))
            assert repository.active_booking("s-1", "ann") is None
            assert repository.active_booking("s-1", "cy") is not None
            assert [b.id for b in repository.of_session("s-1")] == [
                "b-1",
                "b-2",
                "b-4",
                "b-5",
            ]
            uow.commit()
        with uow_factory() as uow:
            repository = bookings_of(uow)
            assert repository.active_booking("s-1", "ann") is None
            assert repository.active_booking("s-1", "cy") == _booking(
                "b-5", BookingStatus.OFFERED, student_id="cy", version=1
            )
            assert [b.status for b in repository.of_session("s-1")] == [
                BookingStatus.CANCELLED,
                BookingStatus.CANCELLED,
                BookingStatus.CONFIRMED,
                BookingStatus.OFFERED,
            ]

    def test_ids_that_look_alike_do_not_collide(
        self, uow_factory: Callable[[], Any], bookings_of: Callable[[Any], Any]
    ) -> None:
        """(``"a~b"``, ``"c"``) and (``"a"``, ``"b~c"``) are different pairs."""
        self.add_committed(
            uow_factory,
            bookings_of,
            _booking("b-1", session_id="a~b", student_id="c"),
        )
        with uow_factory() as uow:
            assert bookings_of(uow).active_booking("a", "b~c") is None
            assert bookings_of(uow).active_booking("a~b", "c") is not None

    @pytest.mark.parametrize("waitlist", [False, True], ids=["full", "waitlist"])
    def test_concurrent_last_seat_race(
        self,
        uow_factory: Callable[[], Any],
        bookings_of: Callable[[Any], Any],
        sessions_of: Callable[[Any], Any],
        records_of: Callable[[Any], Any],
        waitlist: bool,  # noqa: FBT001 - a pytest parameter
    ) -> None:
        """Threads booking the last seats never overbook and lose no booking."""
        with uow_factory() as uow:
            sessions_of(uow).add(group_session("s-race", capacity=4, waitlist=waitlist))
            uow.commit()
        service = BookingService(
            uow_factory=uow_factory,
            clock=ManualClock(NOW),
            policies=Policies(transaction_attempts=1000),
        )
        # Two seats go before the race: two seats are left for the racers.
        for student in ("early-1", "early-2"):
            service.book("s-race", student, actor=Actor.student(student))
        results: dict[str, Booking | BookingCoreError] = {}
        barrier = threading.Barrier(self.race_threads)

        def racer(student: str) -> None:
            barrier.wait()
            try:
                decision = service.book("s-race", student, actor=Actor.student(student))
                results[student] = decision.state
            except BookingCoreError as exc:
                results[student] = exc

        threads = [
            threading.Thread(target=racer, args=(f"racer-{n}",))
            for n in range(self.race_threads)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        with uow_factory() as uow:
            stored = bookings_of(uow).of_session("s-race")
            session = sessions_of(uow).get("s-race")
        by_student = {b.student_id: b for b in stored}
        assert len(by_student) == len(stored)  # no duplicate per student
        confirmed = [b for b in stored if b.status is BookingStatus.CONFIRMED]
        assert sum(b.seats for b in confirmed) == 4 == session.capacity
        booked = {s: r for s, r in results.items() if isinstance(r, Booking)}
        refused = {s: r for s, r in results.items() if not isinstance(r, Booking)}
        assert len(booked) + len(refused) == self.race_threads
        for student, booking in booked.items():  # no lost booking
            assert by_student[student] == attrs.evolve(booking, version=1)
        assert set(by_student) == {"early-1", "early-2", *booked}
        if waitlist:
            assert refused == {}
            statuses = sorted(b.status.value for b in booked.values())
            assert statuses == ["confirmed"] * 2 + ["waitlisted"] * (
                self.race_threads - 2
            )
        else:
            assert len(booked) == 2
            assert all(isinstance(e, SeatsUnavailableError) for e in refused.values())


def _record(key: str, booking_id: str = "b-1") -> CommandRecord:
    booking = _booking(booking_id)
    return CommandRecord(
        id=key,
        content=f"book|'s-1'|'ann'|1|{key}",
        result=booking,
        events=(
            SeatBooked(
                occurred_at=NOW,
                actor=Actor.student("ann"),
                aggregate_id=booking_id,
                session_id="s-1",
                student_id="ann",
                seats=1,
            ),
        ),
    )


class IdempotencyRecordsContract:
    """The checks every :class:`~booking_core.ports.IdempotencyRecords` must pass.

    Fixtures: ``uow_factory`` (new unit of work on a fresh store per test) and
    ``records_of`` (the records of a unit of work).
    """

    _is_contract_base = True  # subclassed by hosts, so deliberately not @final

    @pytest.fixture
    def uow_factory(self) -> Callable[[], Any]:
        """A zero-argument callable returning a new unit of work on a fresh store."""
        raise NotImplementedError  # pragma: no cover - subclasses provide it

    @pytest.fixture
    def records_of(self) -> Callable[[Any], Any]:
        """The idempotency records of a unit of work (``uow.records``)."""
        return lambda uow: uow.records

    def test_unknown_key_is_none(
        self, uow_factory: Callable[[], Any], records_of: Callable[[Any], Any]
    ) -> None:
        """An unknown key gives ``None``, not an error."""
        with uow_factory() as uow:
            assert records_of(uow).get("unknown") is None

    def test_round_trip(
        self, uow_factory: Callable[[], Any], records_of: Callable[[Any], Any]
    ) -> None:
        """A record (result and events) comes back equal; the unit sees it first."""
        record = _record("key-1")
        with uow_factory() as uow:
            records_of(uow).add(record)
            assert records_of(uow).get("key-1") == record
            uow.commit()
        with uow_factory() as uow:
            assert records_of(uow).get("key-1") == attrs.evolve(record, version=1)

    def test_duplicate_key(
        self, uow_factory: Callable[[], Any], records_of: Callable[[Any], Any]
    ) -> None:
        """A known key raises ``conflict.duplicate_id``, on add or on commit."""
        with uow_factory() as uow:
            records_of(uow).add(_record("key-1"))
            uow.commit()
        first, second = uow_factory(), uow_factory()
        refuses_duplicate(
            uow_factory, lambda uow: records_of(uow).add(_record("key-1", "b-other"))
        )
        with first, second:
            records_of(first).add(_record("key-2", "b-first"))
            records_of(second).add(_record("key-2", "b-second"))
            second.commit()
            with pytest.raises(DuplicateIdError):
                first.commit()
        with uow_factory() as uow:
            assert records_of(uow).get("key-1").result.id == "b-1"
            assert records_of(uow).get("key-2").result.id == "b-second"

    def test_rollback_leaves_nothing(
        self, uow_factory: Callable[[], Any], records_of: Callable[[Any], Any]
    ) -> None:
        """A record of a unit that did not commit is not stored."""
        with uow_factory() as uow:
            records_of(uow).add(_record("key-1"))
        with uow_factory() as uow:
            assert records_of(uow).get("key-1") is None


class BookingQueriesContract:
    """The lookups of the service-specific booking and session protocols.

    They are :class:`~booking_core.ports.OneOnOneBookingRepository` and
    :class:`~booking_core.ports.TeacherSessionRepository` (the 1:1 service) and
    :class:`~booking_core.ports.BookingOffersRepository` (the monitor).

    Separate from :class:`BookingRepositoryContract` because the protocols are:
    a host that implements them adds this class to its suite. Fixtures:
    ``uow_factory``, ``bookings_of`` and ``sessions_of``.
    """

    _is_contract_base = True  # subclassed by hosts, so deliberately not @final

    @pytest.fixture
    def uow_factory(self) -> Callable[[], Any]:
        """Makes a unit of work on a fresh, empty store."""
        raise NotImplementedError  # pragma: no cover - subclasses provide it

    @pytest.fixture
    def bookings_of(self) -> Callable[[Any], Any]:
        """The booking repository of a unit of work (``uow.bookings``)."""
        return lambda uow: uow.bookings

    @pytest.fixture
    def sessions_of(self) -> Callable[[Any], Any]:
        """The session repository of a unit of work (``uow.sessions``)."""
        return lambda uow: uow.sessions

    def test_of_teacher_of_student_and_pending_requests(
        self, uow_factory: Callable[[], Any], bookings_of: Callable[[Any], Any]
    ) -> None:
        """By teacher and student (all or active only) and the pending requests."""
        other = attrs.evolve(
            _booking("b-4", student_id="bob", session_id="s-2"), teacher_id="t-2"
        )
        with uow_factory() as uow:
            repository = bookings_of(uow)
            for booking in (
                _booking("b-1"),
                _cancelled(_booking("b-2", session_id="s-2")),
                _booking(
                    "b-3", BookingStatus.PENDING, type="one_on_one", session_id="x"
                ),
                other,
            ):
                repository.add(booking)
            uow.commit()
        teacher = TEACHER.user_id
        with uow_factory() as uow:
            repository = bookings_of(uow)
            assert [b.id for b in repository.of_teacher(teacher)] == [
                "b-1",
                "b-2",
                "b-3",
            ]
            assert [b.id for b in repository.of_teacher(teacher, active_only=True)] == [
                "b-1",
                "b-3",
            ]
            assert [b.id for b in repository.of_teacher("t-2")] == ["b-4"]
            assert [b.id for b in repository.of_student("ann")] == ["b-1", "b-2", "b-3"]
            assert [b.id for b in repository.of_student("ann", active_only=True)] == [
                "b-1",
                "b-3",
            ]
            assert repository.of_student("zed") == []
            assert [b.id for b in repository.pending_requests()] == ["b-3"]
            # The unit sees its own staged change: the request is decided.
            decided = attrs.evolve(repository.get("b-3"), status=BookingStatus.DECLINED)
            repository.save(decided)
            assert repository.pending_requests() == []
            assert [b.id for b in repository.of_teacher(teacher, active_only=True)] == [
                "b-1"
            ]

    def test_windowed_reads_of_teacher_and_student(
        self, uow_factory: Callable[[], Any], bookings_of: Callable[[Any], Any]
    ) -> None:
        """Active bookings overlapping a window, by id; other days and the ended not.

        ``one_on_one_of_teacher`` lists the teacher's active 1:1 bookings,
        ``active_of_student`` the student's active bookings of any type; an
        item spanning many days is found from any of them.
        """
        day = timedelta(days=1)
        hour = timedelta(hours=1)
        long = TimeWindow(start=_WINDOW.start - 9 * day, end=_WINDOW.end + 9 * day)
        with uow_factory() as uow:
            repository = bookings_of(uow)
            for booking in (
                _booking("b-1", type="one_on_one"),
                _booking("b-2", session_id="s-2"),
                _cancelled(_booking("b-3", type="one_on_one", session_id="s-3")),
                _booking("b-4", type="one_on_one", session_id="s-4", window=long),
                _booking(
                    "b-5",
                    type="one_on_one",
                    session_id="s-5",
                    window=TimeWindow.of(_WINDOW.start + 3 * day, hour),
                ),
            ):
                repository.add(booking)
            uow.commit()
        teacher = TEACHER.user_id
        with uow_factory() as uow:
            repository = bookings_of(uow)
            assert [
                b.id
                for b in repository.one_on_one_of_teacher(teacher, overlapping=_WINDOW)
            ] == ["b-1", "b-4"]
            assert [
                b.id for b in repository.active_of_student("ann", overlapping=_WINDOW)
            ] == ["b-1", "b-2", "b-4"]
            later = TimeWindow.of(_WINDOW.start + 3 * day, 2 * hour)
            assert [
                b.id for b in repository.active_of_student("ann", overlapping=later)
            ] == ["b-4", "b-5"]
            assert repository.one_on_one_of_teacher("t-2", overlapping=_WINDOW) == []
            # the unit sees its own staged changes
            repository.save(_cancelled(repository.get("b-1")))
            repository.add(_booking("b-6", type="one_on_one", session_id="s-6"))
            assert [
                b.id
                for b in repository.one_on_one_of_teacher(teacher, overlapping=_WINDOW)
            ] == ["b-4", "b-6"]

    def test_lists_page(
        self, uow_factory: Callable[[], Any], bookings_of: Callable[[Any], Any]
    ) -> None:
        """``after`` / ``limit`` page every list, by id or by its own key.

        A ``limit`` that is not a whole number above 0 is refused with
        ``input.invalid_value``.
        """
        with uow_factory() as uow:
            repository = bookings_of(uow)
            for n, hours in ((1, 3), (2, 1), (3, 2)):
                repository.add(
                    _booking(
                        f"b-{n}",
                        BookingStatus.OFFERED,
                        student_id=f"st-{n}",
                        offer_expires_at=NOW + timedelta(hours=hours),
                    )
                )
            uow.commit()
        with uow_factory() as uow:
            repository = bookings_of(uow)
            first = repository.of_session("s-1", limit=2)
            assert [b.id for b in first] == ["b-1", "b-2"]
            rest = repository.of_session("s-1", after=first[-1].id, limit=2)
            assert [b.id for b in rest] == ["b-3"]
            assert repository.of_session("s-1", after="b-3") == []
            teacher = TEACHER.user_id
            assert [b.id for b in repository.of_teacher(teacher, after="b-1")] == [
                "b-2",
                "b-3",
            ]
            due_by = NOW + timedelta(days=1)
            first = repository.offers_due(due_by=due_by, limit=2)
            assert [b.id for b in first] == ["b-2", "b-3"]
            rest = repository.offers_due(due_by=due_by, after=first[-1].id)
            assert [b.id for b in rest] == ["b-1"]
            for limit in (0, -1):
                with pytest.raises(InvalidValueError):
                    repository.of_session("s-1", limit=limit)

    def test_offers_due(
        self, uow_factory: Callable[[], Any], bookings_of: Callable[[Any], Any]
    ) -> None:
        """Open offers expiring by a given instant, by expiry, then id."""
        with uow_factory() as uow:
            repository = bookings_of(uow)
            for booking_id, student, hours in (("b-1", "ann", 3), ("b-2", "bob", 1)):
                repository.add(
                    _booking(
                        booking_id,
                        BookingStatus.OFFERED,
                        student_id=student,
                        offer_expires_at=NOW + timedelta(hours=hours),
                    )
                )
            repository.add(_booking("b-3", student_id="cy"))
            uow.commit()
        with uow_factory() as uow:
            repository = bookings_of(uow)
            assert repository.offers_due(due_by=NOW) == []
            due = repository.offers_due(due_by=NOW + timedelta(hours=3))
            assert [b.id for b in due] == ["b-2", "b-1"]
            repository.save(attrs.evolve(due[0], status=BookingStatus.CONFIRMED))
            assert [
                b.id for b in repository.offers_due(due_by=NOW + timedelta(days=1))
            ] == ["b-1"]

    def test_taught_by(
        self, uow_factory: Callable[[], Any], sessions_of: Callable[[Any], Any]
    ) -> None:
        """Every session of one teacher, any status, by id; staged ones included."""
        with uow_factory() as uow:
            sessions_of(uow).add(group_session("s-2"))
            sessions_of(uow).add(group_session("s-1"))
            uow.commit()
        with uow_factory() as uow:
            repository = sessions_of(uow)
            assert [s.id for s in repository.taught_by(TEACHER.user_id)] == [
                "s-1",
                "s-2",
            ]
            assert repository.taught_by("nobody") == []
            repository.add(group_session("s-3"))
            assert len(repository.taught_by(TEACHER.user_id)) == 3

    def test_scheduled_of(
        self, uow_factory: Callable[[], Any], sessions_of: Callable[[Any], Any]
    ) -> None:
        """A teacher's scheduled sessions overlapping a window, by id."""
        first = group_session("s-1")
        with uow_factory() as uow:
            sessions_of(uow).add(first)
            sessions_of(uow).add(group_session("s-2", days=12))
            sessions_of(uow).add(attrs.evolve(group_session("s-3"), status="cancelled"))
            uow.commit()
        with uow_factory() as uow:
            repository = sessions_of(uow)
            window = first.window
            assert [
                s.id
                for s in repository.scheduled_of(TEACHER.user_id, overlapping=window)
            ] == ["s-1"]
            assert repository.scheduled_of("nobody", overlapping=window) == []
            repository.add(group_session("s-4"))
            assert [
                s.id
                for s in repository.scheduled_of(TEACHER.user_id, overlapping=window)
            ] == ["s-1", "s-4"]
