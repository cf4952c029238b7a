"""The 1:1 service: availability, requests, decisions and series, one transaction each.

Every command runs inside :func:`~booking_core.services.run_in_transaction`:
it loads what the pure decision needs, decides with
:mod:`booking_core.bookings.one_on_one` (or :mod:`booking_core.series`), stages
the writes and commits, starting over from a fresh load when another
transaction saved first.

**Atomicity.** Each transaction that writes a 1:1 booking (or a series) of a
teacher also saves that teacher's
:class:`~booking_core.availability.TeacherSchedule`, even when nothing in
it changed. Two such transactions therefore conflict on the schedule's
compare-and-set: the second one to commit is retried from a fresh load and its
conflict re-check sees the first one's result. So two pending requests for one
slot are never both confirmed, even with
``OneOnOnePolicy(pending_holds_slot=False)`` and two processes confirming at
the same instant: the loser is refused with
``availability.teacher_double_booked``.

The checks use the teacher's active bookings, the sessions they teach that are
still scheduled, and the student's active bookings (1:1 and group seats) for
the student rule, read for the window being checked only (a slot's reach, or
the span of the series occurrences a command books or moves), never the
whole history. The slot listing (:meth:`OneOnOneService.slots`) and the
commands build their :class:`~booking_core.availability.SlotRequest` from the
same schedule with
:meth:`~booking_core.availability.TeacherSchedule.slot_request`
and decide with the same functions (:func:`~booking_core.bookings.bookable_slots`
and :func:`~booking_core.bookings.ensure_slot_bookable`).

Series live in the same service because they write the same teacher's 1:1
bookings and so must take the same schedule lock: creating, extending,
cancelling or moving occurrences writes the series and one
:class:`~booking_core.bookings.Booking` per occurrence (id
``"<series id>#<index>"``) in one transaction.

Example:
    >>> from datetime import date, datetime, time, timedelta, timezone
    >>> from booking_core.actors import check_actor, Actor
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.availability.windows import WeeklyAvailability
    >>> from booking_core.clock import ManualClock
    >>> from booking_core.availability.schedule import TeacherSchedule
    >>> store = InMemoryStore()
    >>> clock = ManualClock(datetime(2026, 5, 25, 9, tzinfo=timezone.utc))
    >>> service = OneOnOneService(
    ...     uow_factory=lambda: InMemoryUnitOfWork(store), clock=clock
    ... )
    >>> _ = service.set_schedule(TeacherSchedule(
    ...     id="t-1", zone="Europe/London",
    ...     availability=[WeeklyAvailability(weekday=0, start=time(14), end=time(15),
    ...                                      zone="Europe/London")],
    ... ), actor=Actor.teacher("t-1"))
    >>> (slot,) = service.slots("t-1", date(2026, 6, 1), date(2026, 6, 1),
    ...                         timedelta(hours=1))
    >>> booked = service.request(teacher_id="t-1", student_id="s-1",
    ...                          course_id="math", slot=slot,
    ...                          actor=Actor.student("s-1"), booking_id="b-1")
    >>> booked.state.status.value
    'confirmed'
    >>> service.slots("t-1", date(2026, 6, 1), date(2026, 6, 1), timedelta(hours=1))
    ()
    >>> _ = service.cancel("b-1", reason="ill", actor=Actor.student("s-1"))
    >>> service.slots("t-1", date(2026, 6, 1), date(2026, 6, 1),
    ...               timedelta(hours=1)) == (slot,)
    True
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone
from typing import TypeVar, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import utc_instant
from booking_core.actors import Actor, check_actor
from booking_core.availability.commitments import Commitment, CommitmentKind
from booking_core.availability.schedule import (
    TeacherSchedule,
    set_schedule,
)
from booking_core.availability.slots import SlotRequest
from booking_core.bookings.model import (
    Booking,
    BookingDecision,
    BookingStatus,
    BookingType,
)
from booking_core.bookings.one_on_one import (
    OneOnOnePolicy,
    bookable_slots,
    booking_commitment,
    cancel_booking,
    confirm_booking,
    decision_deadline,
    decline_booking,
    expire_booking,
    request_booking,
)
from booking_core.clock import Clock
from booking_core.errors import (
    BookingCoreError,
    ConcurrencyError,
    DuplicateIdError,
    InvalidValueError,
    NotFoundError,
)
from booking_core.events import Decision, DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.ports import (
    UnitOfWork,
)
from booking_core.recurrence import RecurrenceRule
from booking_core.series import (
    BookingSeries,
    ChangeScope,
    ConflictMode,
    SeriesExtended,
    SeriesItem,
    SeriesItemStatus,
    SeriesPaymentMode,
    cancel_occurrences,
    draft_series,
    extend_series,
    move_occurrences,
    start_series,
)
from booking_core.services import Service, commitments
from booking_core.sessions.model import MeetingInfo
from booking_core.zones import to_local

__all__ = ["OneOnOneService"]

T = TypeVar("T")


_DAY = timedelta(days=1)


def _new_id() -> str:
    return uuid.uuid4().hex


def _reach(schedule: TeacherSchedule, start: datetime, end: datetime) -> TimeWindow:
    """Where commitments can change a slot check between ``start`` and ``end``.

    Two days either side (a local day in any zone, for the per-day cap) plus
    both buffers.
    """
    margin = 2 * _DAY + schedule.buffer_before + schedule.buffer_after
    return TimeWindow(start=start - margin, end=end + margin)


def _span(windows: Iterable[TimeWindow]) -> TimeWindow | None:
    """From the earliest start to the latest end of ``windows`` (``None``: none).

    A series check reads the commitments overlapping this span: everything
    that overlaps one of the windows overlaps it, so the checks see exactly
    what a read of the whole history would give them.
    """
    found = list(windows)
    if not found:
        return None
    return TimeWindow(
        start=min(window.start for window in found),
        end=max(window.end for window in found),
    )


_OFFSETS = 2 * _DAY
"""More than any difference of two UTC offsets (they range from -12 h to +14 h)."""


def _move_span(
    series: BookingSeries,
    occurrence_index: int,
    *,
    new_start: datetime,
    scope: ChangeScope | str,
    now: datetime,
) -> TimeWindow | None:
    """A span holding every window a move of ``series`` checks.

    The asked-for occurrence moves to ``new_start``; with a wider scope, each
    other active future occurrence it covers moves by the same wall-clock
    shift, which lands within :data:`_OFFSETS` of its start plus the shift
    whatever the zone's offsets. ``None`` when the arguments are refused
    (:func:`~booking_core.series.move_occurrences` then refuses them too,
    before checking anything).
    """
    try:
        chosen = ChangeScope(scope)
        target = utc_instant(new_start, "new_start")
        asked = series.item(occurrence_index)
        wall = to_local(target, series.zone).replace(tzinfo=None)
        shift = wall - to_local(asked.window.start, series.zone).replace(tzinfo=None)
    except (BookingCoreError, ValueError):
        return None
    moved = TimeWindow.of(target, series.duration)
    if chosen is ChangeScope.ONE:
        return moved
    others = [
        item.window
        for item in series.items
        if item.status is SeriesItemStatus.ACTIVE
        and item.window.start > now
        and (chosen is ChangeScope.ALL or item.occurrence_index >= occurrence_index)
    ]
    return _span(
        [
            moved,
            *(
                TimeWindow(
                    start=window.start + shift - _OFFSETS,
                    end=window.end + shift + _OFFSETS,
                )
                for window in others
            ),
        ]
    )


@attrs.frozen(repr=False)
class _Held:
    """What one transaction loaded about a teacher (and maybe a student)."""

    __repr__ = fields_repr

    bookings: list[Booking]
    others: list[Commitment]


@final
class OneOnOneService(Service):
    """Every 1:1 action of a host, each in one transaction, retried on conflicts.

    Commands return the :class:`~booking_core.events.Decision` of the attempt
    that committed. Errors are the pure decisions' errors
    (:mod:`booking_core.bookings.one_on_one`, :mod:`booking_core.series`,
    :mod:`booking_core.availability.schedule`) plus ``not_found`` for an unknown id
    and ``concurrency.stale_version`` when every attempt lost a race.

    Constructed like every :class:`~booking_core.services.Service` (it reads
    ``policies.one_on_one`` and ``policies.series_horizon``), plus:

    Args:
        new_id: Makes booking and series ids when the caller gives none.

    Every write that books a student saves the student's calendar (when the
    policy checks students), so two teachers booking one student at once are
    ordered and the second sees the first; the group sessions a teacher
    teaches are commitments too.
    """

    def __init__(
        self,
        *,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        policies: Policies | None = None,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        super().__init__(uow_factory=uow_factory, clock=clock, policies=policies)
        self._new_id = new_id

    @property
    def policy(self) -> OneOnOnePolicy:
        """The 1:1 rules (``policies.one_on_one``)."""
        return self.policies.one_on_one

    # -- plumbing -----------------------------------------------------------------

    def _run(
        self,
        operation: Callable[[UnitOfWork], T],
        *,
        retry_on: tuple[type[BookingCoreError], ...] = (ConcurrencyError,),
    ) -> T:
        try:
            return super()._run(operation, retry_on=retry_on)
        except DuplicateIdError:
            # a twin transaction added the same schedule or booking id first;
            # running again sees it (and replays or refuses on a fresh load)
            return super()._run(operation, retry_on=retry_on)

    def _lock(self, uow: UnitOfWork, teacher_id: str) -> TeacherSchedule:
        """Load the teacher's schedule and stage it, so committing is ordered.

        The same token every command that creates or moves a teacher's
        commitment takes (:mod:`booking_core.services.commitments`).
        """
        return commitments.lock_teacher(uow, teacher_id)

    def _lock_student(self, uow: UnitOfWork, student_id: str) -> None:
        """Stage the student's calendar, so bookings of one student are ordered."""
        if self.policy.conflicts.check_students:
            commitments.lock_student(uow, student_id)

    def _held(
        self,
        uow: UnitOfWork,
        teacher_id: str,
        student_id: str | None,
        around: TimeWindow | None,
    ) -> _Held:
        """The active bookings and other commitments the checks run against.

        Only those overlapping ``around``: a slot (see :func:`_reach`) or the
        span of a series' occurrences being checked (see :func:`_span`). A
        check never needs the rest, and skipping them keeps a busy teacher's
        check independent of how many bookings lie elsewhere: the reads look
        up one index bucket per UTC day of ``around`` (plus the long
        bucket), so even a long span costs what its days cost, never what
        the history holds. ``None``: nothing is checked, nothing is read.
        """
        if around is None:
            return _Held(bookings=[], others=[])
        repository = uow.bookings
        teacher = repository.one_on_one_of_teacher(teacher_id, overlapping=around)
        student = (
            []
            if student_id is None
            else repository.active_of_student(student_id, overlapping=around)
        )
        sessions = uow.sessions.scheduled_of(teacher_id, overlapping=around)
        found = {b.id: b for b in teacher if b.type is BookingType.ONE_ON_ONE}
        for booking in student:
            found.setdefault(booking.id, booking)
        bookings = [found[key] for key in sorted(found)]
        one_on_one_sessions = {
            b.session_id for b in bookings if b.type is BookingType.ONE_ON_ONE
        }
        others = [
            Commitment(
                window=session.window,
                teacher_id=session.teacher_id,
                kind=CommitmentKind.GROUP_SESSION,
                ref_id=session.id,
            )
            for session in sessions
            if session.id not in one_on_one_sessions
        ]
        others.extend(
            Commitment(
                window=booking.window,
                teacher_id=booking.teacher_id,
                student_id=booking.student_id,
                kind=CommitmentKind.GROUP_SESSION,
                ref_id=booking.session_id,
            )
            for booking in bookings
            if booking.type is BookingType.GROUP and booking.student_id == student_id
        )
        return _Held(bookings=bookings, others=others)

    def _existing(self, held: _Held) -> list[Commitment]:
        """The commitments a series must not clash with (pending ones per policy)."""
        commitments = [
            c for c in map(booking_commitment, held.bookings) if c is not None
        ]
        if not self.policy.pending_holds_slot:
            commitments = [
                c for c in commitments if c.kind is not CommitmentKind.PENDING_REQUEST
            ]
        return [*commitments, *held.others]

    @staticmethod
    def _request_for(
        schedule: TeacherSchedule, window: TimeWindow, course_id: str
    ) -> SlotRequest:
        day = to_local(window.start, schedule.zone).date()
        return schedule.slot_request(day, day, window.duration, course=course_id)

    # -- queries -------------------------------------------------------------------

    def schedule(self, teacher_id: str) -> TeacherSchedule:
        """The teacher's schedule.

        Raises:
            NotFoundError: ``not_found`` when it was never set.
        """
        return self._run(lambda uow: uow.schedules.get(teacher_id))

    def get(self, booking_id: str) -> Booking:
        """Load one booking.

        Raises:
            NotFoundError: ``not_found``.
        """
        return self._run(lambda uow: uow.bookings.get(booking_id))

    def get_series(self, series_id: str) -> BookingSeries:
        """Load one series.

        Raises:
            NotFoundError: ``not_found``.
        """
        return self._run(lambda uow: uow.series.get(series_id))

    def slots(
        self,
        teacher_id: str,
        first_date: date,
        last_date: date,
        duration: timedelta,
        *,
        course: str | None = None,
        non_overlapping: bool = False,
    ) -> tuple[TimeWindow, ...]:
        """The slots a student may book now: what :meth:`request` accepts.

        Args:
            teacher_id: The teacher.
            first_date: The first local date (teacher's zone).
            last_date: The last local date (inclusive).
            duration: The slot length.
            course: Only windows of this course (and course-less ones).
            non_overlapping: Slots that do not overlap each other.

        Returns:
            The bookable slots (UTC, by start); none when the teacher has no
            schedule.

        Raises:
            InvalidValueError: ``input.invalid_value`` for bad dates or duration.
        """

        def operation(uow: UnitOfWork) -> tuple[TimeWindow, ...]:
            try:
                schedule = uow.schedules.get(teacher_id)
            except NotFoundError:
                return ()
            request = schedule.slot_request(
                first_date,
                last_date,
                duration,
                course=course,
                non_overlapping=non_overlapping,
            )
            reach = _reach(
                schedule,
                datetime.combine(first_date, time(0), tzinfo=timezone.utc),
                datetime.combine(last_date + _DAY, time(0), tzinfo=timezone.utc),
            )
            held = self._held(uow, teacher_id, None, reach)
            commitments = [
                c for c in map(booking_commitment, held.bookings) if c is not None
            ]
            return bookable_slots(
                schedule.availability,
                [*commitments, *held.others],
                request,
                now=self._clock.now(),
                policy=self.policy,
            )

        return self._run(operation)

    # -- commands ------------------------------------------------------------------

    def set_schedule(
        self, schedule: TeacherSchedule, *, actor: Actor
    ) -> Decision[TeacherSchedule]:
        """Set or replace a teacher's availability and slot rules.

        Existing bookings are kept as they are; the new schedule applies to
        requests and confirmations from now on.

        Returns:
            The schedule as set and
            :class:`~booking_core.availability.TeacherScheduleSet`.

        Raises:
            NotScheduleOwnerError: ``one_on_one.not_schedule_owner``.
            InvalidValueError: ``input.invalid_value`` for an ``actor`` that is
                not an Actor or a ``schedule`` that is not a TeacherSchedule.
        """
        check_actor(actor)
        if not isinstance(schedule, TeacherSchedule):
            raise InvalidValueError(
                field="schedule", reason="must be a TeacherSchedule", value=schedule
            )

        def operation(uow: UnitOfWork) -> Decision[TeacherSchedule]:
            repository = uow.schedules
            try:
                current: TeacherSchedule | None = repository.get(schedule.id)
            except NotFoundError:
                current = None
            decision = set_schedule(
                current, schedule, actor=actor, now=self._clock.now()
            )
            if current is None:
                repository.add(decision.state)
            else:
                repository.save(decision.state)
            uow.collect(decision.events)
            return decision

        return self._run(operation)

    def request(
        self,
        *,
        teacher_id: str,
        student_id: str,
        course_id: str,
        slot: TimeWindow,
        actor: Actor,
        booking_id: str | None = None,
        session_id: str | None = None,
    ) -> Decision[Booking]:
        """Book a slot: confirmed at once, or pending when approval is required.

        A retry with the ``booking_id`` of a booking already made for the same
        teacher, student, course and slot returns it (no events) and changes
        nothing.

        Args:
            teacher_id: The teacher.
            student_id: The student.
            course_id: The course (decides approval and which windows apply).
            slot: A slot as listed by :meth:`slots`.
            actor: The student or an admin.
            booking_id: The new booking's id (default a fresh one); makes a
                retry safe.
            session_id: The 1:1 session it holds (default the booking id).

        Returns:
            The new booking and :class:`~booking_core.bookings.OneOnOneRequested`
            or :class:`~booking_core.bookings.OneOnOneConfirmed`.

        Raises:
            NotBookingHolderError: ``booking.not_holder``.
            AlreadyBookedError: ``booking.already_booked``.
            TeacherDoubleBookedError: ``availability.teacher_double_booked``.
            StudentDoubleBookedError: ``availability.student_double_booked``.
            SlotNotAvailableError: ``one_on_one.slot_not_available``.
            DuplicateIdError: ``conflict.duplicate_id`` when ``booking_id``
                names another booking.
            InvalidValueError: ``input.invalid_value`` when ``slot`` is no window.
        """
        if not isinstance(slot, TimeWindow):
            raise InvalidValueError(
                field="slot", reason="must be a TimeWindow", value=slot
            )
        new_id = booking_id if booking_id is not None else self._new_id()

        def operation(uow: UnitOfWork) -> Decision[Booking]:
            repository = uow.bookings
            try:
                earlier = repository.get(new_id)
            except NotFoundError:
                earlier = None
            if earlier is not None:
                same = (
                    earlier.type is BookingType.ONE_ON_ONE
                    and (earlier.teacher_id, earlier.student_id, earlier.course_id)
                    == (teacher_id, student_id, course_id)
                    and earlier.window == slot
                )
                if not same:
                    raise DuplicateIdError(kind="bookings", id=new_id)
                return Decision(state=earlier)
            now = self._clock.now()
            schedule = self._lock(uow, teacher_id)
            self._lock_student(uow, student_id)
            reach = _reach(schedule, slot.start, slot.end)
            held = self._held(uow, teacher_id, student_id, reach)
            decision = request_booking(
                booking_id=new_id,
                session_id=session_id if session_id is not None else new_id,
                slot=slot,
                teacher_id=teacher_id,
                student_id=student_id,
                course_id=course_id,
                availability=schedule.availability,
                request=self._request_for(schedule, slot, course_id),
                bookings=held.bookings,
                other_commitments=held.others,
                actor=actor,
                now=now,
                policy=self.policy,
            )
            repository.add(decision.state)
            uow.collect(decision.events)
            return decision

        return self._run(operation)

    def confirm(self, booking_id: str, *, actor: Actor) -> Decision[Booking]:
        """The teacher approves a pending request; its slot is re-checked atomically.

        Returns:
            The confirmed booking (who, when) and
            :class:`~booking_core.bookings.OneOnOneConfirmed`.

        Raises:
            NotFoundError: ``not_found``.
            NotBookingHolderError: ``booking.not_holder``.
            BookingTransitionError: ``booking.invalid_transition`` unless pending.
            DecisionDeadlinePassedError: ``one_on_one.decision_deadline_passed``.
            TeacherDoubleBookedError: ``availability.teacher_double_booked``
                (e.g. another request for the slot was confirmed first).
            StudentDoubleBookedError: ``availability.student_double_booked``.
            SlotNotAvailableError: ``one_on_one.slot_not_available``.
        """

        def operation(uow: UnitOfWork) -> Decision[Booking]:
            repository = uow.bookings
            booking = repository.get(booking_id)
            schedule = self._lock(uow, booking.teacher_id)
            self._lock_student(uow, booking.student_id)
            reach = _reach(schedule, booking.window.start, booking.window.end)
            held = self._held(uow, booking.teacher_id, booking.student_id, reach)
            decision = confirm_booking(
                booking,
                availability=schedule.availability,
                request=self._request_for(schedule, booking.window, booking.course_id),
                bookings=held.bookings,
                other_commitments=held.others,
                actor=actor,
                now=self._clock.now(),
                policy=self.policy,
            )
            repository.save(decision.state)
            uow.collect(decision.events)
            return decision

        return self._run(operation)

    def decline(
        self, booking_id: str, *, actor: Actor, reason: str | None = None
    ) -> Decision[Booking]:
        """The teacher declines a pending request; its slot is free again.

        Raises:
            NotFoundError: ``not_found``.
            NotBookingHolderError: ``booking.not_holder``.
            BookingTransitionError: ``booking.invalid_transition`` unless pending.
            DecisionDeadlinePassedError: ``one_on_one.decision_deadline_passed``.
        """

        def operation(uow: UnitOfWork) -> Decision[Booking]:
            repository = uow.bookings
            booking = repository.get(booking_id)
            self._lock(uow, booking.teacher_id)
            decision = decline_booking(
                booking,
                actor=actor,
                now=self._clock.now(),
                reason=reason,
                policy=self.policy,
            )
            repository.save(decision.state)
            uow.collect(decision.events)
            return decision

        return self._run(operation)

    def cancel(
        self, booking_id: str, *, reason: str, actor: Actor
    ) -> Decision[Booking]:
        """Cancel a pending or confirmed 1:1 booking, by either party, with a reason.

        A booking of a series is cancelled as that one occurrence (the series
        keeps the others).

        Returns:
            The cancelled booking and its events
            (:class:`~booking_core.bookings.OneOnOneCancelled`, and
            :class:`~booking_core.series.SeriesOccurrencesCancelled` for a
            series occurrence).

        Raises:
            NotFoundError: ``not_found``.
            NotBookingHolderError: ``booking.not_holder``.
            BookingTransitionError: ``booking.invalid_transition``.
            InvalidValueError: ``input.invalid_value`` for an empty reason.
            SeriesOccurrenceNotChangeableError: ``series.occurrence_not_changeable``
                for a series occurrence that already started.
        """
        check_actor(actor)

        def operation(uow: UnitOfWork) -> Decision[Booking]:
            repository = uow.bookings
            booking = repository.get(booking_id)
            self._lock(uow, booking.teacher_id)
            now = self._clock.now()
            decision = cancel_booking(booking, reason=reason, actor=actor, now=now)
            events: tuple[DomainEvent, ...] = decision.events
            series = uow.series.of_booking(booking.id)
            if series is not None:
                index = next(
                    item.occurrence_index
                    for item in series.items
                    if item.booking_id == booking.id
                )
                change = cancel_occurrences(
                    series,
                    occurrence_index=index,
                    scope=ChangeScope.ONE,
                    reason=reason,
                    actor=actor,
                    now=now,
                )
                uow.series.save(change.state)
                events = (*change.events, *events)
            repository.save(decision.state)
            uow.collect(events)
            return Decision(state=decision.state, events=events)

        return self._run(operation)

    def expire_undecided(
        self, *, now: datetime | None = None
    ) -> tuple[Decision[Booking], ...]:
        """Expire every pending request whose decision deadline is at or before now.

        Each request expires in its own transaction (by the system), so one
        refusal never holds up the others; a request decided meanwhile is
        skipped. Running it twice at one ``now`` does nothing the second time.

        Args:
            now: The sweep's instant; the clock's by default (pass one only to
                replay history).

        Returns:
            One decision per expired request, by booking id.
        """
        now = self._clock.now() if now is None else utc_instant(now, "now")

        def due(uow: UnitOfWork) -> list[str]:
            return [
                booking.id
                for booking in uow.bookings.pending_requests()
                if decision_deadline(booking, policy=self.policy) <= now
            ]

        decisions: list[Decision[Booking]] = []
        for booking_id in self._run(due):

            def operation(
                uow: UnitOfWork, booking_id: str = booking_id
            ) -> Decision[Booking] | None:
                repository = uow.bookings
                booking = repository.get(booking_id)
                if booking.status is not BookingStatus.PENDING:
                    return None
                self._lock(uow, booking.teacher_id)
                decision = expire_booking(
                    booking, actor=Actor.system(), now=now, policy=self.policy
                )
                repository.save(decision.state)
                uow.collect(decision.events)
                return decision

            decided = self._run(operation)
            if decided is not None:
                decisions.append(decided)
        return tuple(decisions)

    # -- series --------------------------------------------------------------------

    @staticmethod
    def _item_booking(
        series: BookingSeries, item: SeriesItem, actor: Actor, now: datetime
    ) -> Booking:
        return Booking(
            id=item.booking_id,
            type=BookingType.ONE_ON_ONE,
            session_id=item.booking_id,
            student_id=series.student_id,
            teacher_id=series.teacher_id,
            course_id=series.course_id or series.id,
            window=item.window,
            status=BookingStatus.CONFIRMED,
            decision=BookingDecision(by=actor, at=now),
            created_at=now,
        )

    def _book_items(
        self,
        uow: UnitOfWork,
        series: BookingSeries,
        events: tuple[DomainEvent, ...],
        actor: Actor,
        now: datetime,
    ) -> None:
        repository = uow.bookings
        for event in events:
            if isinstance(event, SeriesExtended):
                for item in event.booked:
                    repository.add(self._item_booking(series, item, actor, now))

    def create_series(
        self,
        *,
        teacher_id: str,
        student_id: str,
        course_id: str,
        rule: RecurrenceRule,
        start: datetime,
        zone: str,
        duration: timedelta,
        until: datetime,
        actor: Actor,
        series_id: str | None = None,
        meeting: MeetingInfo | None = None,
        payment_mode: SeriesPaymentMode | str = SeriesPaymentMode.PER_OCCURRENCE,
        mode: ConflictMode | str = ConflictMode.ALL_OR_NOTHING,
    ) -> Decision[BookingSeries]:
        """Create a series and one confirmed booking per booked occurrence.

        Everything is one transaction: under ``all_or_nothing`` a conflict
        leaves neither series nor booking behind; under ``skip_conflicts`` the
        free occurrences are booked and the others reported (in
        ``state.skipped`` and the :class:`~booking_core.series.SeriesExtended`
        event).

        Args:
            teacher_id: The teacher.
            student_id: The student.
            course_id: The course of every occurrence's booking.
            rule: The recurrence rule.
            start: The first occurrence: a naive local wall time in ``zone``
                or an aware instant.
            zone: The IANA zone the wall time is kept in.
            duration: Each occurrence's length.
            until: The horizon of the first expansion.
            actor: The student, the teacher, an admin or the system.
            series_id: The series id (default a fresh one).
            meeting: The default meeting info snapshot.
            payment_mode: Per occurrence (default) or up front.
            mode: ``all_or_nothing`` (default) or ``skip_conflicts``.

        Returns:
            The series with its items, and its events.

        Raises:
            NotSeriesParticipantError: ``series.not_participant``.
            SeriesConflictError: ``series.conflict`` under ``all_or_nothing``.
            SessionStartInPastError: ``sessions.start_in_past``.
            DuplicateIdError: ``conflict.duplicate_id`` for a known series id.
        """
        new_id = series_id if series_id is not None else self._new_id()

        def operation(uow: UnitOfWork) -> Decision[BookingSeries]:
            now = self._clock.now()
            self._lock(uow, teacher_id)
            self._lock_student(uow, student_id)
            draft = draft_series(
                id=new_id,
                teacher_id=teacher_id,
                student_id=student_id,
                course_id=course_id,
                rule=rule,
                start=start,
                zone=zone,
                duration=duration,
                actor=actor,
                now=now,
                meeting=meeting,
                payment_mode=payment_mode,
            )
            span = _span(window for _, _, window in draft.candidates(until))
            held = self._held(uow, teacher_id, student_id, span)
            decision = start_series(
                draft,
                until=until,
                existing=self._existing(held),
                mode=mode,
                policy=self.policy.conflicts,
            )
            uow.series.add(decision.state)
            self._book_items(uow, decision.state, decision.events, actor, now)
            uow.collect(decision.events)
            return decision

        return self._run(operation)

    def cancel_occurrences(
        self,
        series_id: str,
        occurrence_index: int,
        *,
        scope: ChangeScope | str,
        reason: str,
        actor: Actor,
    ) -> Decision[BookingSeries]:
        """Cancel one occurrence, it and the following ones, or all; and their bookings.

        Returns:
            The series and its events, then the bookings' cancellation events.

        Raises:
            NotFoundError: ``not_found``.
            NotSeriesParticipantError: ``series.not_participant``.
            SeriesOccurrenceNotFoundError: ``series.occurrence_not_found``.
            SeriesOccurrenceNotChangeableError: ``series.occurrence_not_changeable``.
            InvalidValueError: ``input.invalid_value`` for an empty reason.
        """

        def operation(uow: UnitOfWork) -> Decision[BookingSeries]:
            now = self._clock.now()
            series = uow.series.get(series_id)
            self._lock(uow, series.teacher_id)
            decision = cancel_occurrences(
                series,
                occurrence_index=occurrence_index,
                scope=scope,
                reason=reason,
                actor=actor,
                now=now,
            )
            uow.series.save(decision.state)
            events: list[DomainEvent] = list(decision.events)
            repository = uow.bookings
            for before, after in zip(series.items, decision.state.items, strict=True):
                if before.status is not after.status:
                    cancelled = cancel_booking(
                        repository.get(after.booking_id),
                        reason=reason,
                        actor=actor,
                        now=now,
                    )
                    repository.save(cancelled.state)
                    events.extend(cancelled.events)
            uow.collect(events)
            return Decision(state=decision.state, events=tuple(events))

        return self._run(operation)

    def move_occurrences(
        self,
        series_id: str,
        occurrence_index: int,
        *,
        new_start: datetime,
        scope: ChangeScope | str,
        reason: str,
        actor: Actor,
    ) -> Decision[BookingSeries]:
        """Move one occurrence, it and the following ones, or all; and their bookings.

        Every moved occurrence is checked against the teacher's and the
        student's other commitments; the move is all or nothing.

        Returns:
            The series and :class:`~booking_core.series.SeriesOccurrencesMoved`.

        Raises:
            NotFoundError: ``not_found``.
            NotSeriesParticipantError: ``series.not_participant``.
            SeriesOccurrenceNotFoundError: ``series.occurrence_not_found``.
            SeriesOccurrenceNotChangeableError: ``series.occurrence_not_changeable``.
            SeriesConflictError: ``series.conflict`` when a moved occurrence clashes.
            InvalidValueError: ``input.invalid_value`` for an empty reason.
        """

        def operation(uow: UnitOfWork) -> Decision[BookingSeries]:
            now = self._clock.now()
            series = uow.series.get(series_id)
            self._lock(uow, series.teacher_id)
            self._lock_student(uow, series.student_id)
            span = _move_span(
                series, occurrence_index, new_start=new_start, scope=scope, now=now
            )
            held = self._held(uow, series.teacher_id, series.student_id, span)
            decision = move_occurrences(
                series,
                occurrence_index=occurrence_index,
                new_start=new_start,
                scope=scope,
                existing=self._existing(held),
                reason=reason,
                actor=actor,
                now=now,
                policy=self.policy.conflicts,
            )
            uow.series.save(decision.state)
            repository = uow.bookings
            for before, after in zip(series.items, decision.state.items, strict=True):
                if before.window != after.window:
                    booking = repository.get(after.booking_id)
                    repository.save(attrs.evolve(booking, window=after.window))
            uow.collect(decision.events)
            return decision

        return self._run(operation)

    def extend_series(
        self, *, now: datetime | None = None
    ) -> tuple[Decision[BookingSeries], ...]:
        """Book the occurrences of every open series up to now + the series horizon.

        Each series is extended in its own transaction under
        ``skip_conflicts`` (a worker cannot resolve a conflict; skipped
        occurrences are reported in the series and the event). Idempotent: a
        series already expanded that far is left alone, so running it twice at
        one ``now`` does nothing the second time.

        Args:
            now: The run's instant; the clock's by default (pass one only to
                replay history).

        Returns:
            One decision per series that advanced, by series id.
        """
        now = self._clock.now() if now is None else utc_instant(now, "now")
        until = now + self.policies.series_horizon

        def due(uow: UnitOfWork) -> list[str]:
            return [series.id for series in uow.series.to_extend(until=until)]

        decisions: list[Decision[BookingSeries]] = []
        for series_id in self._run(due):

            def operation(
                uow: UnitOfWork, series_id: str = series_id
            ) -> Decision[BookingSeries] | None:
                series = uow.series.get(series_id)
                if series.ended or series.expanded_until >= until:
                    return None
                self._lock(uow, series.teacher_id)
                self._lock_student(uow, series.student_id)
                span = _span(window for _, _, window in series.candidates(until))
                held = self._held(uow, series.teacher_id, series.student_id, span)
                system = Actor.system()
                decision = extend_series(
                    series,
                    until=until,
                    existing=self._existing(held),
                    actor=system,
                    now=now,
                    mode=ConflictMode.SKIP_CONFLICTS,
                    policy=self.policy.conflicts,
                )
                uow.series.save(decision.state)
                self._book_items(uow, decision.state, decision.events, system, now)
                uow.collect(decision.events)
                return decision

            extended = self._run(operation)
            if extended is not None:
                decisions.append(extended)
        return tuple(decisions)
