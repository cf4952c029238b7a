"""Commands on booking series (see :mod:`booking_core.series`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from booking_core._validation import member, utc_instant
from booking_core.actors import Actor, Role
from booking_core.availability.commitments import (
    Commitment,
    ConflictPolicy,
    ensure_no_conflict,
)
from booking_core.errors import (
    CommitmentConflictError,
    InvalidValueError,
    NotSeriesParticipantError,
    SeriesConflictError,
    SeriesOccurrenceNotChangeableError,
    SessionStartInPastError,
)
from booking_core.events import Decision
from booking_core.intervals import TimeWindow
from booking_core.recurrence import RecurrenceRule
from booking_core.series.events import (
    SeriesCreated,
    SeriesExtended,
    SeriesOccurrencesCancelled,
    SeriesOccurrencesMoved,
)
from booking_core.series.model import (
    _PAST,
    BookingSeries,
    ChangeScope,
    ConflictMode,
    SeriesItem,
    SeriesItemStatus,
    SeriesPaymentMode,
    SkippedOccurrence,
    _shifted,
)
from booking_core.sessions.model import MeetingInfo
from booking_core.zones import to_instant, to_local

__all__ = [
    "cancel_occurrences",
    "create_series",
    "draft_series",
    "extend_series",
    "move_occurrences",
    "start_series",
]


_ALLOWED = (Role.ADMIN, Role.SYSTEM)


def _require_participant(series: BookingSeries, actor: Actor, action: str) -> None:
    if actor.role in _ALLOWED or (
        (actor.role is Role.TEACHER and actor.user_id == series.teacher_id)
        or (actor.role is Role.STUDENT and actor.user_id == series.student_id)
    ):
        return
    raise NotSeriesParticipantError(actor=actor, action=action, series_id=series.id)


def draft_series(
    *,
    id: str,  # noqa: A002 -- the aggregate's field name
    teacher_id: str,
    student_id: str,
    rule: RecurrenceRule,
    start: datetime,
    zone: str,
    duration: timedelta,
    actor: Actor,
    now: datetime,
    course_id: str | None = None,
    meeting: MeetingInfo | None = None,
    payment_mode: SeriesPaymentMode | str = SeriesPaymentMode.PER_OCCURRENCE,
) -> BookingSeries:
    """The new series before its first expansion: no item, nothing booked.

    The first half of :func:`create_series`, for a caller that must know which
    occurrences the expansion will check before it gathers the commitments
    they are checked against: ``draft.candidates(until)`` lists them (a
    service reads only the commitments overlapping their span). Pass the
    draft to :func:`start_series`.

    Args:
        id: The new series' id.
        teacher_id: The teacher.
        student_id: The student.
        rule: The recurrence rule.
        start: The first occurrence's *local wall time* in ``zone`` (naive),
            or an aware instant; read with ``disambiguate="compatible"``.
        zone: The IANA zone the wall time is kept in.
        duration: The length of each occurrence.
        actor: The series' student or teacher, an admin or the system.
        now: The current instant.
        course_id: The course, if any.
        meeting: The default meeting info snapshot.
        payment_mode: Paid per occurrence (default) or up front.

    Returns:
        The series with ``expanded_until`` at its first start.

    Raises:
        NotSeriesParticipantError: ``series.not_participant``.
        SessionStartInPastError: ``sessions.start_in_past`` when the first
            occurrence starts at or before ``now``.
        InvalidValueError: ``input.invalid_value`` for a bad field.
    """
    now = utc_instant(now, "now")
    first = (
        utc_instant(start, "start")
        if start.tzinfo is not None
        else to_instant(start, zone, disambiguate="compatible")
    )
    if first <= now:
        raise SessionStartInPastError(now=now.isoformat(), start=first.isoformat())
    series = BookingSeries(
        id=id,
        teacher_id=teacher_id,
        student_id=student_id,
        course_id=course_id,
        rule=rule,
        first_start=first,
        zone=zone,
        duration=duration,
        meeting=meeting,
        payment_mode=payment_mode,
        expanded_until=first,
        created_at=now,
        created_by=actor,
    )
    _require_participant(series, actor, "create")
    return series


def start_series(
    draft: BookingSeries,
    *,
    until: datetime,
    existing: Iterable[Commitment],
    mode: ConflictMode | str = ConflictMode.ALL_OR_NOTHING,
    policy: ConflictPolicy | None = None,
) -> Decision[BookingSeries]:
    """Create a drafted series and book its occurrences up to ``until``.

    The second half of :func:`create_series`: the actor and the instant are
    the draft's (``created_by``, ``created_at``).

    Args:
        draft: What :func:`draft_series` returned.
        until: The horizon of the first expansion.
        existing: The commitments of the teacher and the student already held
            (bookings, pending requests, group sessions) overlapping the
            occurrences ``draft.candidates(until)`` lists, or more.
        mode: ``all_or_nothing`` (default) or ``skip_conflicts``.
        policy: Whether students are checked for conflicts too.

    Returns:
        As :func:`create_series`.

    Raises:
        SeriesConflictError: ``series.conflict`` under ``all_or_nothing``.
    """
    actor, now = draft.created_by, draft.created_at
    created = SeriesCreated(
        occurred_at=now, actor=actor, aggregate_id=draft.id, series=draft
    )
    extended = extend_series(
        draft,
        until=until,
        existing=existing,
        actor=actor,
        now=now,
        mode=mode,
        policy=policy,
    )
    return Decision(state=extended.state, events=(created, *extended.events))


def create_series(
    *,
    id: str,  # noqa: A002 -- the aggregate's field name
    teacher_id: str,
    student_id: str,
    rule: RecurrenceRule,
    start: datetime,
    zone: str,
    duration: timedelta,
    until: datetime,
    existing: Iterable[Commitment],
    actor: Actor,
    now: datetime,
    course_id: str | None = None,
    meeting: MeetingInfo | None = None,
    payment_mode: SeriesPaymentMode | str = SeriesPaymentMode.PER_OCCURRENCE,
    mode: ConflictMode | str = ConflictMode.ALL_OR_NOTHING,
    policy: ConflictPolicy | None = None,
) -> Decision[BookingSeries]:
    """Create a series and book its occurrences up to ``until``.

    :func:`draft_series` then :func:`start_series` in one call.

    Args:
        id: The new series' id.
        teacher_id: The teacher.
        student_id: The student.
        rule: The recurrence rule.
        start: The first occurrence's *local wall time* in ``zone`` (naive),
            or an aware instant; read with ``disambiguate="compatible"``.
        zone: The IANA zone the wall time is kept in.
        duration: The length of each occurrence.
        until: The horizon of the first expansion.
        existing: The commitments of the teacher and the student already held
            (bookings, pending requests, group sessions).
        actor: The series' student or teacher, an admin or the system.
        now: The current instant.
        course_id: The course, if any.
        meeting: The default meeting info snapshot.
        payment_mode: Paid per occurrence (default) or up front.
        mode: ``all_or_nothing`` (default) or ``skip_conflicts``.
        policy: Whether students are checked for conflicts too.

    Returns:
        The series with its first items; events :class:`SeriesCreated` and
        :class:`SeriesExtended` (the report of booked and skipped occurrences).

    Raises:
        NotSeriesParticipantError: ``series.not_participant``.
        SessionStartInPastError: ``sessions.start_in_past`` when the first
            occurrence starts at or before ``now``.
        SeriesConflictError: ``series.conflict`` under ``all_or_nothing``.
        InvalidValueError: ``input.invalid_value`` for a bad field.
    """
    draft = draft_series(
        id=id,
        teacher_id=teacher_id,
        student_id=student_id,
        rule=rule,
        start=start,
        zone=zone,
        duration=duration,
        actor=actor,
        now=now,
        course_id=course_id,
        meeting=meeting,
        payment_mode=payment_mode,
    )
    return start_series(draft, until=until, existing=existing, mode=mode, policy=policy)


def _check(
    new: Commitment, held: list[Commitment], policy: ConflictPolicy
) -> CommitmentConflictError | None:
    try:
        ensure_no_conflict(new, held, policy=policy)
    except CommitmentConflictError as error:
        return error
    return None


def extend_series(
    series: BookingSeries,
    *,
    until: datetime,
    existing: Iterable[Commitment],
    actor: Actor,
    now: datetime,
    mode: ConflictMode | str = ConflictMode.ALL_OR_NOTHING,
    policy: ConflictPolicy | None = None,
) -> Decision[BookingSeries]:
    """Book the occurrences starting before ``until`` not considered yet.

    Idempotent: a horizon at or before ``expanded_until`` changes nothing and
    returns no event; extending twice to one horizon books once.

    Args:
        series: The series.
        until: The new horizon.
        existing: The commitments of the teacher and student already held
            (the series' own items may be among them; they are added anyway).
        actor: The series' student or teacher, an admin or the system.
        now: The current instant; occurrences starting at or before it are
            skipped as ``series.occurrence_in_past``.
        mode: ``all_or_nothing`` (default) or ``skip_conflicts``.
        policy: Whether students are checked for conflicts too.

    Returns:
        The series with the new items and ``expanded_until`` advanced; a
        :class:`SeriesExtended` event reporting booked and skipped occurrences.

    Raises:
        NotSeriesParticipantError: ``series.not_participant``.
        SeriesConflictError: ``series.conflict`` under ``all_or_nothing`` when
            any occurrence conflicts (a past one counts too); nothing changes.
    """
    _require_participant(series, actor, "extend")
    mode = member(ConflictMode, mode, "mode")
    policy = policy if policy is not None else ConflictPolicy()
    now = utc_instant(now, "now")
    until = utc_instant(until, "until")
    if until <= series.expanded_until or series.ended:
        return Decision(state=series)
    held = [*existing, *series.commitments()]
    booked: list[SeriesItem] = []
    skipped: list[SkippedOccurrence] = []
    for index, original, window in series.candidates(until):
        item = SeriesItem(
            occurrence_index=index,
            booking_id=series.booking_id(index),
            window=window,
            original_start=original,
            zone=series.zone,
        )
        commitment = series.commitment(item)
        if window.start <= now:
            skipped.append(
                SkippedOccurrence(
                    occurrence_index=index,
                    window=window,
                    reason=_PAST,
                    message=f"occurrence #{index} starts at "
                    f"{window.start.isoformat()}, not after now {now.isoformat()}",
                )
            )
            continue
        error = _check(commitment, held, policy)
        if error is None:
            booked.append(item)
            held.append(commitment)
            continue
        skipped.append(
            SkippedOccurrence(
                occurrence_index=index,
                window=window,
                reason=error.code,
                message=str(error),
                conflicting_ref_id=error.details["ref_id"],
            )
        )
    if skipped and mode is ConflictMode.ALL_OR_NOTHING:
        first = skipped[0]
        raise SeriesConflictError(
            series_id=series.id,
            action="be booked",
            count=len(skipped),
            index=first.occurrence_index,
            start=first.window.start.isoformat(),
            reason=first.message,
            skipped=tuple(skipped),
        )
    state = attrs.evolve(
        series,
        items=(*series.items, *booked),
        skipped=(*series.skipped, *skipped),
        expanded_until=until,
    )
    event = SeriesExtended(
        occurred_at=now,
        actor=actor,
        aggregate_id=series.id,
        until=until,
        mode=mode,
        booked=tuple(booked),
        skipped=tuple(skipped),
    )
    return Decision(state=state, events=(event,))


def _changeable(
    series: BookingSeries, item: SeriesItem, *, now: datetime, action: str
) -> None:
    if item.status is not SeriesItemStatus.ACTIVE or item.window.start <= now:
        state = (
            item.status.value
            if item.status is not SeriesItemStatus.ACTIVE
            else "already started"
        )
        raise SeriesOccurrenceNotChangeableError(
            action=action, index=item.occurrence_index, series_id=series.id, state=state
        )


def _targets(
    series: BookingSeries, index: int, scope: ChangeScope, now: datetime, action: str
) -> tuple[int, list[SeriesItem]]:
    """The asked-for pivot index and the active, future items the scope covers."""
    if scope is ChangeScope.ALL:
        pivot = 0
        chosen = [
            item
            for item in series.items
            if item.status is SeriesItemStatus.ACTIVE and item.window.start > now
        ]
        return pivot, chosen
    item = series.item(index)
    _changeable(series, item, now=now, action=action)
    if scope is ChangeScope.ONE:
        return index, [item]
    chosen = [
        other
        for other in series.items
        if other.occurrence_index >= index
        and other.status is SeriesItemStatus.ACTIVE
        and other.window.start > now
    ]
    return index, chosen


def _text(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidValueError(
            field="reason", reason="must be a non-empty text", value=reason
        )
    return reason.strip()


def cancel_occurrences(
    series: BookingSeries,
    *,
    occurrence_index: int,
    scope: ChangeScope | str,
    reason: str,
    actor: Actor,
    now: datetime,
) -> Decision[BookingSeries]:
    """Cancel one occurrence, it and all following, or all future ones.

    ``this_and_following`` and ``all`` also stop future expansions (after the
    occurrence before ``occurrence_index``, or entirely); occurrences that
    already started and cancelled ones are left as they are.

    Args:
        series: The series.
        occurrence_index: The occurrence asked for (ignored for ``all``).
        scope: ``one``, ``this_and_following`` or ``all``.
        reason: Why (non-empty).
        actor: The series' student or teacher, an admin or the system.
        now: The current instant.

    Returns:
        The series with the items cancelled; a :class:`SeriesOccurrencesCancelled`
        event listing the items whose bookings must be cancelled.

    Raises:
        NotSeriesParticipantError: ``series.not_participant``.
        SeriesOccurrenceNotFoundError: ``series.occurrence_not_found``.
        SeriesOccurrenceNotChangeableError: ``series.occurrence_not_changeable``
            for a cancelled or started occurrence (scopes ``one`` and
            ``this_and_following``).
        InvalidValueError: ``input.invalid_value`` for an empty reason.
    """
    _require_participant(series, actor, "cancel occurrences")
    scope = ChangeScope(scope)
    why = _text(reason)
    now = utc_instant(now, "now")
    pivot, chosen = _targets(series, occurrence_index, scope, now, "cancel")
    cancelled = {
        item.occurrence_index: attrs.evolve(item, status=SeriesItemStatus.CANCELLED)
        for item in chosen
    }
    last_index = series.last_index
    if scope is not ChangeScope.ONE:
        cut = pivot - 1 if scope is ChangeScope.THIS_AND_FOLLOWING else -1
        last_index = cut if last_index is None else min(last_index, cut)
    state = attrs.evolve(
        series,
        items=tuple(
            cancelled.get(item.occurrence_index, item) for item in series.items
        ),
        last_index=last_index,
    )
    event = SeriesOccurrencesCancelled(
        occurred_at=now,
        actor=actor,
        aggregate_id=series.id,
        scope=scope,
        from_index=pivot,
        cancelled=tuple(cancelled.values()),
        reason=why,
    )
    return Decision(state=state, events=(event,))


def move_occurrences(
    series: BookingSeries,
    *,
    occurrence_index: int,
    new_start: datetime,
    scope: ChangeScope | str,
    existing: Iterable[Commitment],
    reason: str,
    actor: Actor,
    now: datetime,
    policy: ConflictPolicy | None = None,
) -> Decision[BookingSeries]:
    """Move one occurrence, it and all following, or all future ones.

    The asked-for occurrence moves to ``new_start``; with a wider scope every
    other covered occurrence moves by the same *wall-clock* shift in the
    series' zone (so 18:00 -> 19:00 stays 19:00 local on both sides of a DST
    change), and future expansions use the shift too. The move is all or
    nothing: if any moved occurrence would conflict, nothing moves.

    Args:
        series: The series.
        occurrence_index: The occurrence asked for (for ``all`` too: it sets
            the shift).
        new_start: Its new start (aware).
        scope: ``one``, ``this_and_following`` or ``all``.
        existing: The teacher's and student's other commitments.
        reason: Why (non-empty).
        actor: The series' student or teacher, an admin or the system.
        now: The current instant; every new start must be after it.
        policy: Whether students are checked for conflicts too.

    Returns:
        The series with the items moved; a :class:`SeriesOccurrencesMoved` event.

    Raises:
        NotSeriesParticipantError: ``series.not_participant``.
        SeriesOccurrenceNotFoundError: ``series.occurrence_not_found``.
        SeriesOccurrenceNotChangeableError: ``series.occurrence_not_changeable``.
        SeriesConflictError: ``series.conflict`` when a moved occurrence would
            clash or start at or before ``now``.
        InvalidValueError: ``input.invalid_value`` for an empty reason.
    """
    _require_participant(series, actor, "move occurrences")
    scope = ChangeScope(scope)
    why = _text(reason)
    now = utc_instant(now, "now")
    target = utc_instant(new_start, "new_start")
    policy = policy if policy is not None else ConflictPolicy()
    asked = series.item(occurrence_index)
    _changeable(series, asked, now=now, action="move")
    shift = to_local(target, series.zone).replace(tzinfo=None) - to_local(
        asked.window.start, series.zone
    ).replace(tzinfo=None)
    _pivot, chosen = _targets(series, occurrence_index, scope, now, "move")
    moved: dict[int, SeriesItem] = {}
    for item in chosen:
        start = (
            target
            if item.occurrence_index == occurrence_index
            else _shifted(item.window.start, shift, series.zone)
        )
        moved[item.occurrence_index] = attrs.evolve(
            item, window=TimeWindow.of(start, series.duration)
        )
    items = tuple(moved.get(item.occurrence_index, item) for item in series.items)
    state = attrs.evolve(series, items=items)
    if scope is not ChangeScope.ONE:
        pivot = 0 if scope is ChangeScope.ALL else occurrence_index
        state = attrs.evolve(state, wall_shifts=(*series.wall_shifts, (pivot, shift)))
    held = [*existing, *state.commitments()]
    problems = [
        (item, _check(state.commitment(item), held, policy)) for item in moved.values()
    ]
    refused = [
        (item, error.message if error is not None else "it would start before now")
        for item, error in problems
        if error is not None or item.window.start <= now
    ]
    if refused:
        item, message = refused[0]
        raise SeriesConflictError(
            series_id=series.id,
            action="move these occurrences",
            count=len(refused),
            index=item.occurrence_index,
            start=item.window.start.isoformat(),
            reason=message,
        )
    event = SeriesOccurrencesMoved(
        occurred_at=now,
        actor=actor,
        aggregate_id=series.id,
        scope=scope,
        from_index=occurrence_index,
        shift=shift,
        moved=tuple((series.item(index), after) for index, after in moved.items()),
        reason=why,
    )
    return Decision(state=state, events=(event,))
