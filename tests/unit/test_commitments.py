from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from booking_core.availability import (
    Commitment,
    CommitmentKind,
    ConflictPolicy,
    ensure_no_conflict,
    find_conflicts,
)
from booking_core.errors import (
    CommitmentConflictError,
    ConflictError,
    InvalidValueError,
    StudentDoubleBookedError,
    TeacherDoubleBookedError,
)
from booking_core.intervals import TimeWindow

UTC = timezone.utc
HOUR = timedelta(hours=1)
NINE = datetime(2026, 3, 29, 9, tzinfo=UTC)


def c(minutes: int, ref: str, **overrides: Any) -> Commitment:
    fields: dict[str, Any] = {
        "window": TimeWindow.of(NINE + timedelta(minutes=minutes), HOUR),
        "teacher_id": "t-1",
        "student_id": "s-1",
        "kind": CommitmentKind.ONE_ON_ONE,
        "ref_id": ref,
    }
    fields.update(overrides)
    return Commitment(**fields)


def test_commitment_validation() -> None:
    assert c(0, "b-1", kind="group_session").kind is CommitmentKind.GROUP_SESSION
    assert c(0, "b-1", student_id=None).student_id is None
    for field, value in [
        ("teacher_id", ""),
        ("ref_id", " "),
        ("student_id", ""),
        ("window", (NINE, NINE + HOUR)),
    ]:
        with pytest.raises(InvalidValueError):
            c(0, "b-1", **{field: value})
    with pytest.raises(ValueError, match="not a valid CommitmentKind"):
        c(0, "b-1", kind="lunch")
    with pytest.raises(InvalidValueError):
        ConflictPolicy(check_students="no")  # type: ignore[arg-type]


def test_find_conflicts_teacher_student_and_same_event() -> None:
    a = c(0, "b-1")
    b = c(30, "b-2", student_id="s-2")  # same teacher
    other_teacher = c(45, "b-3", teacher_id="t-2")  # same student s-1
    touching = c(60, "b-4", student_id="s-9", teacher_id="t-9")
    group_teacher = c(
        200, "g-1", kind="group_session", student_id=None, teacher_id="t-3"
    )
    group_student = c(
        200, "g-1", kind="group_session", student_id="s-5", teacher_id="t-3"
    )
    found = find_conflicts(
        [touching, other_teacher, b, a, group_student, group_teacher]
    )
    assert [(x.first.ref_id, x.second.ref_id, x.party) for x in found] == [
        ("b-1", "b-2", "teacher"),
        ("b-1", "b-3", "student"),
    ]
    assert found[0].overlap == TimeWindow(
        start=NINE + timedelta(minutes=30), end=NINE + HOUR
    )
    teachers_only = find_conflicts(
        [a, b, other_teacher], policy=ConflictPolicy(check_students=False)
    )
    assert [x.party for x in teachers_only] == ["teacher"]
    assert find_conflicts([]) == ()


def test_find_conflicts_reports_every_pair_of_a_pile_up() -> None:
    long = c(0, "long", window=TimeWindow.of(NINE, 5 * HOUR), student_id=None)
    shorts = [c(60 * k, f"s{k}", student_id=None) for k in range(4)]
    found = find_conflicts([long, *shorts])
    assert [(x.first.ref_id, x.second.ref_id) for x in found] == [
        ("long", "s0"),
        ("long", "s1"),
        ("long", "s2"),
        ("long", "s3"),
    ]
    assert len(found) == 4


def test_find_conflicts_refuses_wrong_items() -> None:
    with pytest.raises(InvalidValueError, match="Commitment"):
        find_conflicts([c(0, "b-1"), "b-2"])  # type: ignore[list-item]


def test_ensure_no_conflict_names_the_earliest_teacher_clash_first() -> None:
    existing = [c(40, "b-late", student_id="s-2"), c(-30, "b-early", student_id="s-3")]
    new = c(0, "b-new", student_id="s-4")
    with pytest.raises(TeacherDoubleBookedError) as info:
        ensure_no_conflict(new, existing)
    err = info.value
    assert isinstance(err, CommitmentConflictError)
    assert isinstance(err, ConflictError)
    assert err.code == "availability.teacher_double_booked"
    assert err.conflicting is existing[1]
    assert err.commitment is new
    assert "b-early" in str(err)
    assert "t-1" in str(err)
    assert existing == [
        c(40, "b-late", student_id="s-2"),
        c(-30, "b-early", student_id="s-3"),
    ]


def test_ensure_no_conflict_student_rule_and_policy() -> None:
    elsewhere = [
        c(30, "b-2", teacher_id="t-2"),
        c(10, "b-1", teacher_id="t-3"),
        c(20, "b-3", teacher_id="t-4"),
    ]
    new = c(0, "b-new")
    with pytest.raises(StudentDoubleBookedError) as info:
        ensure_no_conflict(new, elsewhere)
    assert info.value.conflicting.ref_id == "b-1"
    assert info.value.code == "availability.student_double_booked"
    assert "s-1" in str(info.value)
    ensure_no_conflict(new, elsewhere, policy=ConflictPolicy(check_students=False))
    ensure_no_conflict(c(0, "b-new", student_id=None), elsewhere)


def test_ensure_no_conflict_passes_touching_and_itself() -> None:
    new = c(0, "b-1")
    ensure_no_conflict(new, [new, c(60, "b-2"), c(-60, "b-3")])
    with pytest.raises(InvalidValueError):
        ensure_no_conflict(new, [object()])  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="new"):
        ensure_no_conflict(new.window, [new])  # type: ignore[arg-type]
