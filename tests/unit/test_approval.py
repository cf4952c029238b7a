"""Approval resolution over every combination of the four levels, and deadlines."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs
import pytest

from booking_core.adapters.codec import dumps, loads
from booking_core.availability.approval import (
    ApprovalLevel,
    ApprovalPolicy,
    ApprovalResolution,
    DecisionDeadlinePolicy,
    resolve_approval,
)
from booking_core.errors import InvalidValueError, NaiveDatetimeError

SETTINGS = (None, True, False)
TABLE = [
    (tc, t, c, p)
    for tc, t, c in itertools.product(SETTINGS, SETTINGS, SETTINGS)
    for p in (True, False)
]


def _expected(
    tc: bool | None, t: bool | None, c: bool | None, p: bool
) -> tuple[bool, ApprovalLevel]:
    """Written as the spec's sentence, independent of the implementation's loop."""
    if tc is not None:
        return tc, ApprovalLevel.TEACHER_COURSE
    if t is not None:
        return t, ApprovalLevel.TEACHER
    if c is not None:
        return c, ApprovalLevel.COURSE
    return p, ApprovalLevel.PLATFORM


def test_table_covers_all_combinations() -> None:
    assert len(TABLE) == 3 * 3 * 3 * 2
    assert len(set(TABLE)) == len(TABLE)


@pytest.mark.parametrize(("tc", "t", "c", "p"), TABLE)
def test_resolve_approval_table(
    tc: bool | None, t: bool | None, c: bool | None, p: bool
) -> None:
    required, level = _expected(tc, t, c, p)
    assert resolve_approval(
        teacher_course=tc, teacher=t, course=c, platform=p
    ) == ApprovalResolution(required=required, level=level)


@pytest.mark.parametrize(("tc", "t", "c", "p"), TABLE)
def test_policy_resolution_table(
    tc: bool | None, t: bool | None, c: bool | None, p: bool
) -> None:
    policy = ApprovalPolicy(
        platform_default=p,
        courses={} if c is None else {"math": c, "art": not c},
        teachers={} if t is None else {"t-1": t, "t-2": not t},
        teacher_courses={}
        if tc is None
        else {("t-1", "math"): tc, ("t-1", "art"): not tc},
    )
    required, level = _expected(tc, t, c, p)
    assert policy.resolve(teacher_id="t-1", course_id="math") == ApprovalResolution(
        required=required, level=level
    )


def test_defaults_are_no_approval_from_the_platform() -> None:
    assert resolve_approval() == ApprovalResolution(
        required=False, level=ApprovalLevel.PLATFORM
    )
    assert ApprovalPolicy().resolve(teacher_id="t-1", course_id=None).required is False


def test_booking_without_course_uses_teacher_then_platform() -> None:
    policy = ApprovalPolicy(
        courses={"math": True}, teacher_courses={("t-1", "math"): True}
    )
    assert (
        policy.resolve(teacher_id="t-1", course_id=None).level is ApprovalLevel.PLATFORM
    )
    policy = attrs.evolve(policy, teachers={"t-1": True})
    assert policy.resolve(teacher_id="t-1", course_id=None) == ApprovalResolution(
        required=True, level=ApprovalLevel.TEACHER
    )


def test_policy_is_hashable_and_round_trips() -> None:
    policy = ApprovalPolicy(
        platform_default=True,
        courses=[("math", False)],
        teachers={"t-1": True},
        teacher_courses={("t-1", "math"): False},
    )
    assert hash(policy) == hash(loads(dumps(policy)))
    assert loads(dumps(policy)) == policy
    resolution = policy.resolve(teacher_id="t-1", course_id="math")
    assert loads(dumps(resolution)) == resolution


@pytest.mark.parametrize(
    "kwargs",
    [
        {"courses": {"math": "yes"}},
        {"courses": {"": True}},
        {"teachers": {7: True}},
        {"teacher_courses": {"t-1": True}},
        {"teacher_courses": {("t-1", ""): True}},
        {"teacher_courses": {("t-1", "math", "x"): True}},
        {"platform_default": 1},
    ],
)
def test_policy_refuses_bad_settings(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidValueError):
        ApprovalPolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"teacher_course": 1},
        {"teacher": "no"},
        {"course": 0},
        {"platform": None},
    ],
)
def test_resolve_refuses_non_bools(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidValueError):
        resolve_approval(**kwargs)  # type: ignore[arg-type]


UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    ("created", "start", "expected"),
    [
        # far session: created + 48 h
        (
            datetime(2026, 6, 1, 9, tzinfo=UTC),
            datetime(2026, 6, 10, 9, tzinfo=UTC),
            datetime(2026, 6, 3, 9, tzinfo=UTC),
        ),
        # near session: its start
        (
            datetime(2026, 6, 1, 9, tzinfo=UTC),
            datetime(2026, 6, 2, 9, tzinfo=UTC),
            datetime(2026, 6, 2, 9, tzinfo=UTC),
        ),
        # across the end of DST in London: 48 h of absolute time
        (
            datetime(2026, 10, 24, 12, tzinfo=LONDON),
            datetime(2026, 11, 10, 12, tzinfo=LONDON),
            datetime(2026, 10, 26, 11, tzinfo=UTC),
        ),
        # no-DST zone, exactly 48 h away: equal either way
        (
            datetime(2026, 2, 27, 10, tzinfo=KOLKATA),
            datetime(2026, 3, 1, 10, tzinfo=KOLKATA),
            datetime(2026, 3, 1, 4, 30, tzinfo=UTC),
        ),
    ],
)
def test_decision_deadline(
    created: datetime, start: datetime, expected: datetime
) -> None:
    deadline = DecisionDeadlinePolicy().deadline(
        created_at=created, session_start=start
    )
    assert deadline == expected
    assert deadline.tzinfo is UTC


def test_decision_deadline_overrides() -> None:
    created = datetime(2026, 6, 1, 9, tzinfo=UTC)
    start = datetime(2026, 6, 2, 9, tzinfo=UTC)
    policy = DecisionDeadlinePolicy(
        decision_window=timedelta(hours=72), not_after_session_start=False
    )
    assert policy.deadline(created_at=created, session_start=start) == datetime(
        2026, 6, 4, 9, tzinfo=UTC
    )
    short = DecisionDeadlinePolicy(decision_window=timedelta(hours=2))
    assert short.deadline(created_at=created, session_start=start) == datetime(
        2026, 6, 1, 11, tzinfo=UTC
    )
    assert loads(dumps(policy)) == policy


@pytest.mark.parametrize(
    "kwargs",
    [
        {"decision_window": timedelta(0)},
        {"decision_window": 48},
        {"not_after_session_start": "yes"},
    ],
)
def test_decision_deadline_policy_refuses_bad_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidValueError):
        DecisionDeadlinePolicy(**kwargs)  # type: ignore[arg-type]


def test_decision_deadline_refuses_naive() -> None:
    with pytest.raises(NaiveDatetimeError):
        DecisionDeadlinePolicy().deadline(
            created_at=datetime(2026, 6, 1, 9),
            session_start=datetime(2026, 6, 2, 9, tzinfo=UTC),
        )
