"""Commitments (time promised to a session) and double-booking checks.

A :class:`Commitment` is time a teacher, and maybe a student, has promised: a
confirmed 1:1 booking, a pending request holding its slot, a group session.
:func:`find_conflicts` reports every double booking in a set of commitments;
:func:`ensure_no_conflict` is the check booking runs before it commits a new
one. Whether students are checked too is :class:`ConflictPolicy` data.
:mod:`booking_core.availability.windows` re-exports these names.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.intervals import TimeWindow
    >>> nine = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> held = Commitment(
    ...     window=TimeWindow.of(nine, timedelta(hours=1)),
    ...     teacher_id="t-1", student_id="s-1", kind="one_on_one", ref_id="b-1",
    ... )
    >>> new = attrs.evolve(held, student_id="s-2", ref_id="b-2")
    >>> ensure_no_conflict(new, [held])
    Traceback (most recent call last):
    ...
    booking_core.errors.TeacherDoubleBookedError: teacher 't-1' already holds \
one_on_one 'b-1' from 2026-06-01T09:00:00+00:00 to ...
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal, cast, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import identifier, valid_key
from booking_core.errors import (
    InvalidValueError,
    StudentDoubleBookedError,
    TeacherDoubleBookedError,
)
from booking_core.intervals import TimeWindow

__all__ = [
    "Commitment",
    "CommitmentKind",
    "Conflict",
    "ConflictPolicy",
    "ensure_no_conflict",
    "find_conflicts",
]


def _optional_text(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None:
        valid_key(_instance, attribute, value)


def _bool(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidValueError(
            field=attribute.name, reason="must be True or False", value=value
        )


def _window(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, TimeWindow):
        raise InvalidValueError(
            field=attribute.name, reason="must be a TimeWindow", value=value
        )


@final
class CommitmentKind(str, enum.Enum):
    """What holds a person's time."""

    ONE_ON_ONE = "one_on_one"
    """A confirmed 1:1 booking."""
    PENDING_REQUEST = "pending_request"
    """A 1:1 booking waiting for the teacher's approval (it holds the slot)."""
    GROUP_SESSION = "group_session"
    """A group session: taught by the teacher, or booked by the student."""
    EXTERNAL = "external"
    """Busy time from the person's external calendar (:mod:`booking_core.ical`)."""


@final
@attrs.frozen(kw_only=True, repr=False)
class Commitment:
    """Time a teacher (and maybe a student) has promised to something.

    Two commitments with the same ``kind`` and ``ref_id`` are the same event
    (a group session held by its teacher and by each student) and never
    conflict with each other.

    Attributes:
        window: When.
        teacher_id: The teacher who is busy.
        student_id: The student who is busy too, ``None`` when none is (a group
            session as the teacher holds it).
        kind: A 1:1 booking, a pending request or a group session.
        ref_id: The host's id of the booking or session.
    """

    __repr__ = fields_repr

    window: TimeWindow = attrs.field(validator=_window)
    teacher_id: str = attrs.field(validator=identifier)
    student_id: str | None = attrs.field(default=None, validator=_optional_text)
    kind: CommitmentKind = attrs.field(converter=CommitmentKind)
    ref_id: str = attrs.field(validator=valid_key)

    def _same_event(self, other: Commitment) -> bool:
        return self.ref_id == other.ref_id and self.kind is other.kind


@final
@attrs.frozen(kw_only=True, repr=False)
class ConflictPolicy:
    """Which overlaps count as double booking.

    Attributes:
        check_students: When ``True`` (the default) a student may not hold two
            overlapping commitments either; ``False`` checks teachers only.
    """

    __repr__ = fields_repr

    check_students: bool = attrs.field(default=True, validator=_bool)


@final
@attrs.frozen(kw_only=True, repr=False)
class Conflict:
    """Two commitments of one person that overlap.

    Attributes:
        first: The one that starts first (or, on a tie, comes first in the input).
        second: The other one.
        party: ``"teacher"`` when they share the teacher, else ``"student"``.
    """

    __repr__ = fields_repr

    first: Commitment
    second: Commitment
    party: Literal["teacher", "student"]

    @property
    def overlap(self) -> TimeWindow:
        """The time both commitments claim."""
        return TimeWindow(
            start=max(self.first.window.start, self.second.window.start),
            end=min(self.first.window.end, self.second.window.end),
        )


def _collide(
    index: int,
    *,
    items: Sequence[Commitment],
    running: int | list[int],
    student_rule: bool,
    pairs: list[tuple[int, int]],
) -> list[int]:
    """The slow path of :func:`_sweep`: ``items[index]`` overlaps someone running.

    Pairs it with every running commitment it overlaps, except those of the
    same event and, for the student rule, those sharing the teacher (the
    teacher rule reported them); returns what is still running after it.
    """
    item = items[index]
    start = item.window.start
    candidates = [running] if isinstance(running, int) else running
    still = [other for other in candidates if items[other].window.end > start]
    pairs.extend(
        (other, index)
        for other in still
        if not items[other]._same_event(item)  # noqa: SLF001
        and not (student_rule and items[other].teacher_id == item.teacher_id)
    )
    still.append(index)
    return still


def _sweep(
    items: Sequence[Commitment], order: Sequence[int], *, check_students: bool
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Overlapping pairs sharing a teacher, and a student, in one sweep by start.

    Per person it keeps the furthest end so far and what is still running (one
    index, or a list after an overlap). A commitment starting at or after that
    end, the common case, only updates two dict entries: no allocation, so a
    million commitments sweep without waking the garbage collector. Otherwise
    :func:`_collide` pairs it with the running ones. O(n + k) for k overlapping
    pairs (plus same-event pairs, which are skipped).
    """
    teacher_reach: dict[str, datetime] = {}
    teacher_running: dict[str, int | list[int]] = {}
    student_reach: dict[str, datetime] = {}
    student_running: dict[str, int | list[int]] = {}
    teacher_pairs: list[tuple[int, int]] = []
    student_pairs: list[tuple[int, int]] = []
    for index in order:
        item = items[index]
        window = item.window
        start = window.start
        teacher = item.teacher_id
        reach = teacher_reach.get(teacher)
        if reach is None or start >= reach:
            teacher_reach[teacher] = window.end
            teacher_running[teacher] = index
        else:
            teacher_running[teacher] = _collide(
                index,
                items=items,
                running=teacher_running[teacher],
                student_rule=False,
                pairs=teacher_pairs,
            )
            if window.end > reach:
                teacher_reach[teacher] = window.end
        student = item.student_id
        if student is None or not check_students:
            continue
        reach = student_reach.get(student)
        if reach is None or start >= reach:
            student_reach[student] = window.end
            student_running[student] = index
        else:
            student_running[student] = _collide(
                index,
                items=items,
                running=student_running[student],
                student_rule=True,
                pairs=student_pairs,
            )
            if window.end > reach:
                student_reach[student] = window.end
    return teacher_pairs, student_pairs


def find_conflicts(
    commitments: Iterable[Commitment], *, policy: ConflictPolicy | None = None
) -> tuple[Conflict, ...]:
    """Every pair of commitments that double-books a teacher or a student.

    Sorts once by start, then sweeps keeping each person's furthest end, on
    plain datetimes; :class:`Conflict` values are built only for what it
    reports. O(n log n + k) for n commitments and k overlapping pairs.

    Args:
        commitments: Any commitments, any order, any teachers and students.
        policy: Whether students are checked (default :class:`ConflictPolicy`).

    Returns:
        Each overlapping pair once (teacher overlaps first, then student ones
        that do not share the teacher), each in order of the later start.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an item that is no
            commitment.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> nine = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
        >>> def booking(ref, minutes, student):
        ...     return Commitment(
        ...         window=TimeWindow.of(nine + timedelta(minutes=minutes),
        ...                              timedelta(hours=1)),
        ...         teacher_id="t-1", student_id=student, kind="one_on_one",
        ...         ref_id=ref,
        ...     )
        >>> both = [booking("b-1", 0, "s-1"), booking("b-2", 30, "s-2")]
        >>> found = find_conflicts(both)
        >>> [(c.first.ref_id, c.second.ref_id, c.party) for c in found]
        [('b-1', 'b-2', 'teacher')]
        >>> found[0].overlap.start.minute
        30
    """
    policy = policy if policy is not None else ConflictPolicy()
    given: list[object] = list(commitments)
    if not set(map(type, given)) <= {Commitment}:
        bad = next(item for item in given if not isinstance(item, Commitment))
        raise InvalidValueError(
            field="commitments", reason="items must be Commitment", value=bad
        )
    items = cast("list[Commitment]", given)
    starts = [item.window.start for item in items]
    order = sorted(range(len(items)), key=starts.__getitem__)
    teacher_pairs, student_pairs = _sweep(
        items, order, check_students=policy.check_students
    )
    found = [
        Conflict(first=items[a], second=items[b], party="teacher")
        for a, b in teacher_pairs
    ]
    found.extend(
        Conflict(first=items[a], second=items[b], party="student")
        for a, b in student_pairs
    )
    return tuple(found)


def ensure_no_conflict(
    new: Commitment,
    existing: Iterable[Commitment],
    *,
    policy: ConflictPolicy | None = None,
) -> None:
    """Refuse ``new`` when it overlaps a commitment of its teacher or student.

    A commitment of the same event (same kind and ref id) never conflicts, so
    re-checking a booking against a list that holds it passes. When several
    commitments clash, the earliest-starting one is named, teacher clashes
    first.

    Args:
        new: The commitment about to be made.
        existing: The commitments already held (any teachers and students).
        policy: Whether students are checked (default :class:`ConflictPolicy`).

    Raises:
        TeacherDoubleBookedError: ``availability.teacher_double_booked``.
        StudentDoubleBookedError: ``availability.student_double_booked``.
        InvalidValueError: ``input.invalid_value`` for an item that is no
            commitment.
    """
    if not isinstance(new, Commitment):
        raise InvalidValueError(field="new", reason="must be a Commitment", value=new)
    policy = policy if policy is not None else ConflictPolicy()
    window = new.window
    teacher_hit: Commitment | None = None
    student_hit: Commitment | None = None
    for other in existing:
        if not isinstance(other, Commitment):
            raise InvalidValueError(
                field="existing", reason="items must be Commitment", value=other
            )
        if not window.overlaps(other.window) or new._same_event(other):  # noqa: SLF001
            continue
        if other.teacher_id == new.teacher_id:
            if teacher_hit is None or other.window < teacher_hit.window:
                teacher_hit = other
        elif (
            policy.check_students
            and new.student_id is not None
            and other.student_id == new.student_id
            and (student_hit is None or other.window < student_hit.window)
        ):
            student_hit = other
    if teacher_hit is not None:
        raise TeacherDoubleBookedError(
            **_conflict_details(new, teacher_hit), person=new.teacher_id
        )
    if student_hit is not None:
        raise StudentDoubleBookedError(
            **_conflict_details(new, student_hit), person=new.student_id
        )


def _conflict_details(new: Commitment, other: Commitment) -> dict[str, object]:
    return {
        "commitment": new,
        "conflicting": other,
        "kind": other.kind.value,
        "ref_id": other.ref_id,
        "start": other.window.start.isoformat(),
        "end": other.window.end.isoformat(),
    }
