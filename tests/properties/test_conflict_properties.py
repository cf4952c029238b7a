"""find_conflicts and ensure_no_conflict against an all-pairs brute force."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from booking_core.availability import (
    Commitment,
    CommitmentKind,
    ConflictPolicy,
    ensure_no_conflict,
    find_conflicts,
)
from booking_core.errors import StudentDoubleBookedError, TeacherDoubleBookedError
from booking_core.intervals import TimeWindow

BASE = datetime(2026, 10, 25, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)

commitment_st = st.builds(
    lambda start, length, teacher, student, kind, ref: Commitment(
        window=TimeWindow.of(BASE + start * MINUTE, length * MINUTE),
        teacher_id=teacher,
        student_id=student,
        kind=kind,
        ref_id=ref,
    ),
    st.integers(0, 120),
    st.integers(1, 60),
    st.sampled_from(["t-1", "t-2"]),
    st.sampled_from([None, "s-1", "s-2"]),
    st.sampled_from(list(CommitmentKind)),
    st.sampled_from(["r-1", "r-2", "r-3", "r-4", "r-5"]),
)


def clash(a: Commitment, b: Commitment, policy: ConflictPolicy) -> str | None:
    if not a.window.overlaps(b.window) or (a.kind, a.ref_id) == (b.kind, b.ref_id):
        return None
    if a.teacher_id == b.teacher_id:
        return "teacher"
    if (
        policy.check_students
        and a.student_id is not None
        and a.student_id == b.student_id
    ):
        return "student"
    return None


@given(st.lists(commitment_st, max_size=12), st.booleans())
@example([], True)
def test_find_conflicts_reports_exactly_the_overlapping_pairs(
    items: list[Commitment], check_students: bool
) -> None:
    policy = ConflictPolicy(check_students=check_students)
    expected = {
        (i, j, party)
        for i in range(len(items))
        for j in range(i + 1, len(items))
        if (party := clash(items[i], items[j], policy)) is not None
    }
    found = find_conflicts(items, policy=policy)
    position = {id(item): index for index, item in enumerate(items)}
    got = set()
    for conflict in found:
        i, j = position[id(conflict.first)], position[id(conflict.second)]
        assert conflict.first.window.start <= conflict.second.window.start
        assert conflict.overlap.duration > timedelta(0)
        got.add((min(i, j), max(i, j), conflict.party))
    assert got == expected
    assert len(found) == len(expected)


@given(commitment_st, st.lists(commitment_st, max_size=10), st.booleans())
def test_ensure_no_conflict_matches_brute_force(
    new: Commitment, existing: list[Commitment], check_students: bool
) -> None:
    policy = ConflictPolicy(check_students=check_students)
    teacher = [e for e in existing if clash(new, e, policy) == "teacher"]
    student = [e for e in existing if clash(new, e, policy) == "student"]
    if teacher:
        with pytest.raises(TeacherDoubleBookedError) as teacher_info:
            ensure_no_conflict(new, existing, policy=policy)
        assert teacher_info.value.conflicting in teacher
        assert teacher_info.value.conflicting.window == min(e.window for e in teacher)
    elif student:
        with pytest.raises(StudentDoubleBookedError) as student_info:
            ensure_no_conflict(new, existing, policy=policy)
        assert student_info.value.conflicting.window == min(e.window for e in student)
    else:
        ensure_no_conflict(new, existing, policy=policy)
