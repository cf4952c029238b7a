"""One commitment check for every command that creates or moves a commitment.

A teacher's active commitments are the sessions they teach that are still
scheduled and their 1:1 bookings still waiting or confirmed; a student's are
their active bookings (confirmed, waitlisted, offered seats and 1:1 requests)
on sessions that are not closed. Every command that creates or moves one of
them (scheduling a session, asking for or approving a reschedule, a group
seat, a 1:1 request or confirmation, a series) calls :func:`lock` first and
:func:`ensure_free` before it stages its writes:

* :func:`lock` stages the teacher's
  :class:`~booking_core.availability.TeacherSchedule` and each student's
  :class:`~booking_core.availability.StudentCalendar` unchanged, so two
  transactions that touch one person are ordered by that token's
  compare-and-set: the second one to commit starts again from a fresh load
  and its check sees the first one's commitment;
* :func:`ensure_free` refuses a window that overlaps another active
  commitment of the teacher or of a student, with
  ``availability.teacher_double_booked`` / ``availability.student_double_booked``
  naming the conflict.

The 1:1 service keeps its richer slot rules (availability, buffers, notice,
daily cap) and takes the same tokens (its ``_lock`` is :func:`lock_teacher`).

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core import Actor, ManualClock, TimeWindow, bootstrap
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> clock = ManualClock(datetime(2026, 6, 1, 9, tzinfo=timezone.utc))
    >>> store = InMemoryStore()
    >>> core = bootstrap(uow_factory=lambda: InMemoryUnitOfWork(store), clock=clock)
    >>> hour = TimeWindow.of(clock.now() + timedelta(days=3), timedelta(hours=1))
    >>> _ = core.sessions.schedule(
    ...     session_id="s-1", kind="group", teacher_id="t-1", course_id="c",
    ...     window=hour, zone="Europe/London", capacity=3, actor=Actor.teacher("t-1"))
    >>> core.sessions.schedule(
    ...     session_id="s-2", kind="group", teacher_id="t-1", course_id="c",
    ...     window=hour, zone="Europe/London", capacity=3, actor=Actor.teacher("t-1"))
    Traceback (most recent call last):
    ...
    booking_core.errors.TeacherDoubleBookedError: teacher 't-1' already holds
    group_session 's-1' from 2026-06-04T09:00:00+00:00 to ...
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from booking_core.availability.commitments import (
    Commitment,
    CommitmentKind,
    ConflictPolicy,
    ensure_no_conflict,
)
from booking_core.availability.schedule import StudentCalendar, TeacherSchedule
from booking_core.availability.windows import available_windows
from booking_core.bookings.model import Booking, BookingStatus, BookingType
from booking_core.errors import NotFoundError, SlotNotAvailableError
from booking_core.intervals import TimeWindow
from booking_core.ports import Repository, UnitOfWork
from booking_core.sessions.model import Session, SessionKind, SessionStatus
from booking_core.zones import to_local

__all__ = [
    "ensure_free",
    "ensure_student_free",
    "ensure_within_availability",
    "lock",
    "lock_student",
    "lock_teacher",
    "student_commitments",
    "teacher_commitments",
]

_DAY = timedelta(days=1)


def _touch(
    repository: Repository[TeacherSchedule] | Repository[StudentCalendar],
    fresh: TeacherSchedule | StudentCalendar,
) -> None:
    try:
        current = repository.get(fresh.id)
    except NotFoundError:
        repository.add(fresh)  # type: ignore[arg-type]
        return
    repository.save(current)  # type: ignore[arg-type]


def lock_teacher(uow: UnitOfWork, teacher_id: str) -> TeacherSchedule:
    """Stage the teacher's schedule unchanged (created empty when new); return it.

    Saving it unchanged still bumps its version on commit, so two
    transactions that lock one teacher are ordered.
    """
    _touch(uow.schedules, TeacherSchedule(id=teacher_id))
    return uow.schedules.get(teacher_id)


def lock_student(uow: UnitOfWork, student_id: str) -> None:
    """Stage the student's calendar token, so one student's writes are ordered."""
    _touch(uow.calendars, StudentCalendar(id=student_id))


def lock(
    uow: UnitOfWork, teacher_id: str, student_ids: Iterable[str] = ()
) -> TeacherSchedule:
    """Lock a teacher and every student given (in id order); the schedule back."""
    schedule = lock_teacher(uow, teacher_id)
    for student_id in sorted(set(student_ids)):
        lock_student(uow, student_id)
    return schedule


def _kind(booking: Booking) -> CommitmentKind:
    if booking.type is BookingType.GROUP:
        return CommitmentKind.GROUP_SESSION
    if booking.status is BookingStatus.PENDING:
        return CommitmentKind.PENDING_REQUEST
    return CommitmentKind.ONE_ON_ONE


def _session_kind(session: Session) -> CommitmentKind:
    if session.kind is SessionKind.GROUP:
        return CommitmentKind.GROUP_SESSION
    return CommitmentKind.ONE_ON_ONE


def _open(uow: UnitOfWork, booking: Booking) -> bool:
    """False for a booking whose session is closed (it holds no time any more)."""
    try:
        session = uow.sessions.get(booking.session_id)
    except NotFoundError:
        return True  # a 1:1 request whose session is made on confirmation
    return session.status is SessionStatus.SCHEDULED


def teacher_commitments(
    uow: UnitOfWork,
    teacher_id: str,
    *,
    around: TimeWindow,
    pending_holds_slot: bool = True,
) -> list[Commitment]:
    """The teacher's active commitments overlapping ``around``.

    Scheduled sessions they teach, then their pending (when
    ``pending_holds_slot``) and confirmed 1:1 bookings whose session is not
    among those (a 1:1 waiting for its session). ``ref_id`` is the session id
    throughout.
    """
    found = [
        Commitment(
            window=session.window,
            teacher_id=teacher_id,
            kind=_session_kind(session),
            ref_id=session.id,
        )
        for session in uow.sessions.scheduled_of(teacher_id, overlapping=around)
    ]
    seen = {c.ref_id for c in found}
    for booking in uow.bookings.one_on_one_of_teacher(teacher_id, overlapping=around):
        if (
            booking.session_id in seen
            or (booking.status is BookingStatus.PENDING and not pending_holds_slot)
            or not _open(uow, booking)
        ):
            continue
        seen.add(booking.session_id)
        found.append(
            Commitment(
                window=booking.window,
                teacher_id=teacher_id,
                student_id=booking.student_id,
                kind=_kind(booking),
                ref_id=booking.session_id,
            )
        )
    return found


def student_commitments(
    uow: UnitOfWork,
    student_id: str,
    *,
    around: TimeWindow,
    pending_holds_slot: bool = True,
) -> list[Commitment]:
    """The student's active bookings overlapping ``around``, on open sessions."""
    return [
        Commitment(
            window=booking.window,
            teacher_id=booking.teacher_id,
            student_id=student_id,
            kind=_kind(booking),
            ref_id=booking.session_id,
        )
        for booking in uow.bookings.active_of_student(student_id, overlapping=around)
        if not (booking.status is BookingStatus.PENDING and not pending_holds_slot)
        and _open(uow, booking)
    ]


def ensure_free(
    uow: UnitOfWork,
    *,
    window: TimeWindow,
    teacher_id: str,
    ref_id: str,
    kind: CommitmentKind,
    student_ids: Iterable[str] = (),
    pending_holds_slot: bool = True,
    policy: ConflictPolicy | None = None,
) -> None:
    """Refuse ``window`` if the teacher or a student holds another commitment there.

    Commitments of ``ref_id`` itself (the session being moved) never conflict.

    Raises:
        TeacherDoubleBookedError: ``availability.teacher_double_booked``.
        StudentDoubleBookedError: ``availability.student_double_booked``.
    """
    policy = policy if policy is not None else ConflictPolicy()
    others = [
        c
        for c in teacher_commitments(
            uow, teacher_id, around=window, pending_holds_slot=pending_holds_slot
        )
        if c.ref_id != ref_id
    ]
    ensure_no_conflict(
        Commitment(window=window, teacher_id=teacher_id, kind=kind, ref_id=ref_id),
        others,
        policy=policy,
    )
    for student_id in sorted(set(student_ids)):
        ensure_student_free(
            uow,
            student_id,
            window=window,
            teacher_id=teacher_id,
            ref_id=ref_id,
            kind=kind,
            pending_holds_slot=pending_holds_slot,
            policy=policy,
        )


def ensure_student_free(
    uow: UnitOfWork,
    student_id: str,
    *,
    window: TimeWindow,
    teacher_id: str,
    ref_id: str,
    kind: CommitmentKind,
    pending_holds_slot: bool = True,
    policy: ConflictPolicy | None = None,
) -> None:
    """Refuse ``window`` if the student holds another commitment there.

    Nothing is checked when ``policy.check_students`` is off.

    Raises:
        StudentDoubleBookedError: ``availability.student_double_booked`` (or
            ``availability.teacher_double_booked`` when the other commitment
            shares the teacher).
    """
    policy = policy if policy is not None else ConflictPolicy()
    if not policy.check_students:
        return
    held = [
        c
        for c in student_commitments(
            uow, student_id, around=window, pending_holds_slot=pending_holds_slot
        )
        if c.ref_id != ref_id
    ]
    ensure_no_conflict(
        Commitment(
            window=window,
            teacher_id=teacher_id,
            student_id=student_id,
            kind=kind,
            ref_id=ref_id,
        ),
        held,
        policy=policy,
    )


def ensure_within_availability(
    schedule: TeacherSchedule, window: TimeWindow, *, course_id: str | None
) -> None:
    """Refuse ``window`` outside the teacher's availability (windows minus blackouts).

    A teacher with no availability windows at all (a group-only teacher) is
    not checked.

    Raises:
        SlotNotAvailableError: ``one_on_one.slot_not_available``.
    """
    if not schedule.availability:
        return
    first = to_local(window.start, schedule.zone).date() - _DAY
    last = to_local(window.end, schedule.zone).date() + _DAY
    free = available_windows(
        schedule.availability,
        first_date=first,
        last_date=last,
        zone=schedule.zone,
        course=course_id,
    )
    if not free.encloses(window):
        raise SlotNotAvailableError(
            teacher_id=schedule.id,
            start=window.start.isoformat(),
            end=window.end.isoformat(),
        )
