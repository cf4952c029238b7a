"""Cross-aggregate reactions, declared in one table and run in the same unit of work.

:data:`REACTIONS` maps a domain event type to the handlers that react to it.
The service template (:class:`booking_core.services.Service`) runs them after
the command staged its writes and before it commits, on every event the
command collected and on every event a handler collected in turn, so a command
and everything that follows from it commit together or not at all:

=====================================  ==========================================
event                                  reactions
=====================================  ==========================================
``SessionScheduled``                   the teacher enrolled as an attendee
``OneOnOneConfirmed``                  its 1:1 Session scheduled; both enrolled
``SeriesExtended``                     a Session per booked occurrence; enrolled
``SeriesOccurrencesMoved``             the occurrences' sessions moved
``OneOnOneCancelled``                  its session cancelled; attendee excused;
                                       a settlement due (refund by policy)
``OneOnOneDeclined`` / ``Expired``     a settlement due (a payment made early)
``SessionCancelled``                   active bookings cancelled (reason and
                                       actor kept), waitlist and offers closed,
                                       attendees excused
``RescheduleApproved`` / ``Expired``   the bookings' windows moved with it, and
                                       a series occurrence's item
``SeatBooked`` / ``OfferAccepted`` /   the student enrolled as an attendee
``BookingPromoted``
``BookingCancelled``                   attendee excused; a settlement due
``OfferDeclined`` / ``OfferExpired``   a settlement due (a payment made early)
``SessionCompleted`` / ``Missed``      confirmed bookings attended / no_show by
                                       attendance; waitlisted and offered ones
                                       closed with a reason; settlement dues
=====================================  ==========================================

Attendees carry no window of their own (they follow their session's), so a
move touches the bookings only.

Money never moves here: a handler records a
:class:`~booking_core.money.dues.SettlementDue` (the outbox) and the monitor's
settlement step finishes it through the payment service, outside the
transaction, so a crash loses nothing and a gateway call never runs while a
booking is locked.

Example:
    >>> from booking_core.sessions import SessionCancelled
    >>> [handler.__name__ for handler in REACTIONS[SessionCancelled]]
    ['close_session_bookings', 'excuse_session_attendees']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import cast, final

import attrs

from booking_core._repr import fields_repr
from booking_core.actors import Actor, Role
from booking_core.attendance.commands import cancel_session_attendees, excuse
from booking_core.attendance.model import Attendee, attendee_id
from booking_core.bookings.model import (
    Booking,
    BookingAttended,
    BookingCancellation,
    BookingCancelled,
    BookingNoShow,
    BookingPromoted,
    BookingStatus,
    BookingType,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    SeatBooked,
)
from booking_core.bookings.one_on_one import (
    OneOnOneCancelled,
    OneOnOneConfirmed,
    OneOnOneDeclined,
    OneOnOneExpired,
    cancel_booking,
)
from booking_core.errors import NotFoundError
from booking_core.events import DomainEvent
from booking_core.money.dues import DueKind, SettlementDue
from booking_core.policies import Policies
from booking_core.ports import UnitOfWork
from booking_core.series.events import SeriesExtended, SeriesOccurrencesMoved
from booking_core.sessions import commands as session_commands
from booking_core.sessions.events import (
    RescheduleApproved,
    RescheduleExpired,
    SessionCancelled,
    SessionCompleted,
    SessionMissed,
    SessionScheduled,
)
from booking_core.sessions.model import Session, SessionKind, SessionStatus

__all__ = ["REACTIONS", "Reaction", "ReactionContext", "react"]


@final
@attrs.frozen(kw_only=True, repr=False)
class ReactionContext:
    """What a handler works with: the command's unit of work, ``now``, the numbers.

    Attributes:
        uow: The unit of work of the command (``collect`` feeds the reactions).
        now: The command's instant.
        policies: The composition root's policies.
    """

    __repr__ = fields_repr

    uow: UnitOfWork
    now: datetime
    policies: Policies


Reaction = Callable[[DomainEvent, ReactionContext], None]
"""A handler: stages writes and collects events in ``context.uow``."""

_SYSTEM = Actor.system()
_UNSEATED = "the session ended before a seat was free"


# -- helpers -----------------------------------------------------------------------


def _maybe_session(uow: UnitOfWork, session_id: str) -> Session | None:
    try:
        return uow.sessions.get(session_id)
    except NotFoundError:
        return None


def _enrol(uow: UnitOfWork, session_id: str, participant_id: str, role: Role) -> None:
    """Enrol a participant; an excused one (cancelled earlier) starts afresh."""
    fresh = Attendee.create(
        session_id=session_id, participant_id=participant_id, role=role
    )
    repository = uow.attendees
    try:
        current = repository.get(fresh.id)
    except NotFoundError:
        repository.add(fresh)
        return
    if current.attendance.value == "excused":
        repository.save(attrs.evolve(fresh, version=current.version))


def _excuse(
    context: ReactionContext, session_id: str, student_id: str, why: str
) -> None:
    repository = context.uow.attendees
    try:
        current = repository.get(attendee_id(session_id, student_id, Role.STUDENT))
    except NotFoundError:
        return
    decision = excuse(current, reason=why, actor=_SYSTEM, now=context.now)
    if decision.events:
        repository.save(decision.state)
        context.uow.collect(decision.events)


def _owe(
    context: ReactionContext,
    booking_id: str,
    session_id: str,
    kind: DueKind,
    by: Role = Role.SYSTEM,
) -> None:
    """Record that the booking's money must end (once per booking)."""
    due = SettlementDue(
        id=booking_id,
        session_id=session_id,
        kind=kind,
        by=by,
        requested_at=context.now,
    )
    repository = context.uow.settlements
    try:
        repository.get(booking_id)
    except NotFoundError:
        repository.add(due)
    # else: the first ending decides (an ended booking never ends again)


def _schedule_one_on_one(
    context: ReactionContext, booking: Booking, zone: str | None = None
) -> None:
    uow = context.uow
    if _maybe_session(uow, booking.session_id) is None:
        if zone is None:
            # the confirming command locked (and so created) the teacher's schedule
            zone = uow.schedules.get(booking.teacher_id).zone
        decision = session_commands.schedule(
            session_id=booking.session_id,
            kind=SessionKind.ONE_ON_ONE,
            teacher_id=booking.teacher_id,
            course_id=booking.course_id,
            window=booking.window,
            zone=zone,
            actor=_SYSTEM,
            now=context.now,
        )
        uow.sessions.add(decision.state)
        uow.collect(decision.events)
    _enrol(uow, booking.session_id, booking.student_id, Role.STUDENT)


# -- handlers ----------------------------------------------------------------------


def enrol_teacher(event: DomainEvent, context: ReactionContext) -> None:
    """SessionScheduled: the teacher is an attendee of every session they teach."""
    event = cast("SessionScheduled", event)
    _enrol(context.uow, event.session.id, event.session.teacher_id, Role.TEACHER)


def schedule_one_on_one_session(event: DomainEvent, context: ReactionContext) -> None:
    """OneOnOneConfirmed: the 1:1 session is scheduled and both are enrolled."""
    event = cast("OneOnOneConfirmed", event)
    _schedule_one_on_one(context, context.uow.bookings.get(event.aggregate_id))


def schedule_series_sessions(event: DomainEvent, context: ReactionContext) -> None:
    """SeriesExtended: one 1:1 session per booked occurrence, both enrolled."""
    event = cast("SeriesExtended", event)
    series = context.uow.series.get(event.aggregate_id)
    for item in event.booked:
        booking = context.uow.bookings.get(item.booking_id)
        _schedule_one_on_one(context, booking, series.zone)


def move_series_sessions(event: DomainEvent, context: ReactionContext) -> None:
    """SeriesOccurrencesMoved: each moved occurrence's session moves too."""
    event = cast("SeriesOccurrencesMoved", event)
    for _before, after in event.moved:
        booking = context.uow.bookings.get(after.booking_id)
        session = _maybe_session(context.uow, booking.session_id)
        if session is not None and session.status is SessionStatus.SCHEDULED:
            context.uow.sessions.save(attrs.evolve(session, window=after.window))


def cancel_one_on_one_session(event: DomainEvent, context: ReactionContext) -> None:
    """OneOnOneCancelled: its session (still scheduled) is cancelled too."""
    event = cast("OneOnOneCancelled", event)
    booking = context.uow.bookings.get(event.aggregate_id)
    session = _maybe_session(context.uow, booking.session_id)
    if session is None or session.status is not SessionStatus.SCHEDULED:
        return
    decision = session_commands.cancel(
        session,
        reason=event.reason,
        students=frozenset({booking.student_id}),
        actor=event.actor,
        now=context.now,
        policy=context.policies.session,
    )
    context.uow.sessions.save(decision.state)
    context.uow.collect(decision.events)


def end_one_on_one(event: DomainEvent, context: ReactionContext) -> None:
    """A 1:1 booking ended: attendee excused, its money due by who ended it."""
    event = cast("OneOnOneCancelled | OneOnOneDeclined | OneOnOneExpired", event)
    booking = context.uow.bookings.get(event.aggregate_id)
    _excuse(context, booking.session_id, booking.student_id, "booking cancelled")
    by = event.actor.role if isinstance(event, OneOnOneCancelled) else Role.SYSTEM
    _owe(context, booking.id, booking.session_id, DueKind.CANCELLATION, by)


def close_session_bookings(event: DomainEvent, context: ReactionContext) -> None:
    """SessionCancelled: every active booking is cancelled, waitlist first."""
    event = cast("SessionCancelled", event)
    uow = context.uow
    order = {
        BookingStatus.WAITLISTED: 0,
        BookingStatus.OFFERED: 1,
        BookingStatus.PENDING: 2,
        BookingStatus.CONFIRMED: 3,
    }
    active = sorted(
        (b for b in uow.bookings.of_session(event.aggregate_id) if b.is_active),
        key=lambda b: (order[b.status], b.id),
    )
    reason = event.reason or "session cancelled"
    for booking in active:
        if booking.type is BookingType.ONE_ON_ONE:
            # whoever may cancel the session closes its bookings: checked as
            # the system, recorded as the session's canceller
            decision = cancel_booking(
                booking, reason=reason, actor=_SYSTEM, now=context.now
            )
            cancellation = BookingCancellation(
                by=event.actor, at=context.now, reason=reason.strip()
            )
            uow.bookings.save(attrs.evolve(decision.state, cancellation=cancellation))
            uow.collect([attrs.evolve(e, actor=event.actor) for e in decision.events])
            continue
        uow.bookings.save(
            attrs.evolve(
                booking,
                status=BookingStatus.CANCELLED,
                offer_expires_at=None,
                cancellation=BookingCancellation(
                    by=event.actor, at=context.now, reason=reason
                ),
            )
        )
        uow.collect(
            [
                BookingCancelled(
                    occurred_at=context.now,
                    actor=event.actor,
                    aggregate_id=booking.id,
                    session_id=booking.session_id,
                    student_id=booking.student_id,
                    seats=booking.seats,
                    remaining_seats=0,
                    previous_status=booking.status,
                    reason=reason,
                )
            ]
        )
    _empty_seats(uow, event.aggregate_id)


def _empty_seats(uow: UnitOfWork, session_id: str) -> None:
    """A closed session holds no seats, offers or waitlist any more."""
    session = uow.sessions.get(session_id)
    if session.seats.taken or session.seats.waitlist:
        seats = attrs.evolve(session.seats, confirmed=0, waitlist=(), offers=())
        uow.sessions.save(attrs.evolve(session, seats=seats))


def excuse_session_attendees(event: DomainEvent, context: ReactionContext) -> None:
    """SessionCancelled: the attendance cascade (every attendee excused)."""
    event = cast("SessionCancelled", event)
    uow = context.uow
    session = uow.sessions.get(event.aggregate_id)
    loaded = uow.attendees.of_session(session.id)
    decision = cancel_session_attendees(
        session, loaded, actor=event.actor, now=context.now
    )
    for attendee in decision.state:
        if attendee not in loaded:
            uow.attendees.save(attendee)
    uow.collect(decision.events)


def move_session_bookings(event: DomainEvent, context: ReactionContext) -> None:
    """RescheduleApproved / auto-approved RescheduleExpired: bookings move along."""
    event = cast("RescheduleApproved | RescheduleExpired", event)
    if event.old_window == event.new_window:
        return
    for booking in context.uow.bookings.of_session(event.aggregate_id):
        context.uow.bookings.save(attrs.evolve(booking, window=event.new_window))


def move_series_items(event: DomainEvent, context: ReactionContext) -> None:
    """RescheduleApproved / auto-approved RescheduleExpired: a series item moves too.

    A series occurrence's booking id is ``"<series id>~<index>"``; its item
    takes the session's new window, so the series reports it as moved and a
    later move of the series starts from where it is now.
    """
    event = cast("RescheduleApproved | RescheduleExpired", event)
    if event.old_window == event.new_window:
        return
    uow = context.uow
    for booking in uow.bookings.of_session(event.aggregate_id):
        series_id, tilde, _index = booking.id.rpartition("~")
        if not tilde:
            continue
        try:
            series = uow.series.get(series_id)
        except NotFoundError:
            continue  # a host's id with a tilde, not a series occurrence
        items = tuple(
            attrs.evolve(item, window=event.new_window)
            if item.booking_id == booking.id
            else item
            for item in series.items
        )
        uow.series.save(attrs.evolve(series, items=items))


def enrol_student(event: DomainEvent, context: ReactionContext) -> None:
    """SeatBooked, OfferAccepted, BookingPromoted: the student is an attendee."""
    event = cast("SeatBooked | OfferAccepted | BookingPromoted", event)
    _enrol(context.uow, event.session_id, event.student_id, Role.STUDENT)


def end_seat(event: DomainEvent, context: ReactionContext) -> None:
    """A seat booking ended: attendee excused, its money due by who ended it."""
    event = cast("BookingCancelled | OfferDeclined | OfferExpired", event)
    if isinstance(event, BookingCancelled) and event.remaining_seats:
        return  # some seats kept: the booking goes on
    _excuse(context, event.session_id, event.student_id, "booking cancelled")
    by = event.actor.role if isinstance(event, BookingCancelled) else Role.SYSTEM
    _owe(context, event.aggregate_id, event.session_id, DueKind.CANCELLATION, by)


def _attended(uow: UnitOfWork, booking: Booking) -> bool:
    try:
        found = uow.attendees.get(
            attendee_id(booking.session_id, booking.student_id, Role.STUDENT)
        )
    except NotFoundError:
        return False
    if found.attendance.value != "unknown":
        return found.attendance.attended
    return found.first_join is not None


def _close_unseated(context: ReactionContext, booking: Booking) -> None:
    """A booking still waiting when its session ended is cancelled by the system.

    Its cancellation event runs the usual reactions (attendee excused, money
    due), so nothing else is done here.
    """
    uow = context.uow
    if booking.type is BookingType.ONE_ON_ONE:
        decision = cancel_booking(
            booking, reason=_UNSEATED, actor=_SYSTEM, now=context.now
        )
        uow.bookings.save(decision.state)
        uow.collect(decision.events)
        return
    uow.bookings.save(
        attrs.evolve(
            booking,
            status=BookingStatus.CANCELLED,
            offer_expires_at=None,
            cancellation=BookingCancellation(
                by=_SYSTEM, at=context.now, reason=_UNSEATED
            ),
        )
    )
    uow.collect(
        [
            BookingCancelled(
                occurred_at=context.now,
                actor=_SYSTEM,
                aggregate_id=booking.id,
                session_id=booking.session_id,
                student_id=booking.student_id,
                seats=booking.seats,
                remaining_seats=0,
                previous_status=booking.status,
                reason=_UNSEATED,
            )
        ]
    )


def finish_session_bookings(event: DomainEvent, context: ReactionContext) -> None:
    """SessionCompleted / SessionMissed: bookings end by attendance; money due.

    Confirmed bookings become ``attended`` or ``no_show`` (with
    :class:`~booking_core.bookings.BookingAttended` /
    :class:`~booking_core.bookings.BookingNoShow`) and owe their outcome
    settlement; waitlisted, offered and pending ones are cancelled by the
    system, and the session's waitlist and offers are emptied.
    """
    event = cast("SessionCompleted | SessionMissed", event)
    uow = context.uow
    session = uow.sessions.get(event.aggregate_id)
    for booking in uow.bookings.of_session(session.id):
        if booking.status is BookingStatus.CONFIRMED:
            attended = _attended(uow, booking)
            status = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
            uow.bookings.save(attrs.evolve(booking, status=status))
            ended = BookingAttended if attended else BookingNoShow
            uow.collect(
                [
                    ended(
                        occurred_at=context.now,
                        actor=event.actor,
                        aggregate_id=booking.id,
                        session_id=session.id,
                        student_id=booking.student_id,
                        seats=booking.seats,
                    )
                ]
            )
            _owe(context, booking.id, session.id, DueKind.OUTCOME)
        elif booking.is_active:
            _close_unseated(context, booking)
    session = uow.sessions.get(session.id)
    seats = session.seats
    if seats.waitlist or seats.offers:
        uow.sessions.save(
            attrs.evolve(session, seats=attrs.evolve(seats, waitlist=(), offers=()))
        )


REACTIONS: Mapping[type[DomainEvent], tuple[Reaction, ...]] = MappingProxyType(
    {
        SessionScheduled: (enrol_teacher,),
        OneOnOneConfirmed: (schedule_one_on_one_session,),
        SeriesExtended: (schedule_series_sessions,),
        SeriesOccurrencesMoved: (move_series_sessions,),
        OneOnOneCancelled: (cancel_one_on_one_session, end_one_on_one),
        OneOnOneDeclined: (end_one_on_one,),
        OneOnOneExpired: (end_one_on_one,),
        SessionCancelled: (close_session_bookings, excuse_session_attendees),
        RescheduleApproved: (move_session_bookings, move_series_items),
        RescheduleExpired: (move_session_bookings, move_series_items),
        SeatBooked: (enrol_student,),
        OfferAccepted: (enrol_student,),
        BookingPromoted: (enrol_student,),
        BookingCancelled: (end_seat,),
        OfferDeclined: (end_seat,),
        OfferExpired: (end_seat,),
        SessionCompleted: (finish_session_bookings,),
        SessionMissed: (finish_session_bookings,),
    }
)
"""Event type -> the handlers that react to it, in order: the one place."""


_LIMIT = 10_000


def react(
    events: list[DomainEvent],
    context: ReactionContext,
    table: Mapping[type[DomainEvent], tuple[Reaction, ...]] = REACTIONS,
) -> None:
    """Run the handlers of ``events`` and of every event they collect, in order.

    ``events`` is the queue the unit of work's ``collect`` appends to; the
    run ends when nothing new was collected.

    Raises:
        RuntimeError: when reactions keep producing events (a cycle in the
            table; a bug, never a refusal).
    """
    done = 0
    while done < len(events):
        event = events[done]
        done += 1
        if done > _LIMIT:
            raise RuntimeError("reactions did not settle: a cycle in the table")
        for handler in table.get(type(event), ()):
            handler(event, context)
