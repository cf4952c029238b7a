from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs
import pytest
from hypothesis import given

from booking_core._validation import member, members, non_negative_int, positive_int
from booking_core.actors import Role
from booking_core.attendance import Intent, ParticipationPolicy
from booking_core.bookings import WaitlistPolicy
from booking_core.errors import InvalidValueError
from booking_core.sessions import ReschedulePolicy
from booking_core.testing.strategies import Transition, aware_datetimes, transitions


@attrs.frozen
class Seats:
    wanted: int = attrs.field(validator=positive_int)
    waiting: int = attrs.field(default=0, validator=non_negative_int)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2"])
def test_positive_int(bad: object) -> None:
    with pytest.raises(InvalidValueError, match="wanted is invalid"):
        Seats(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, False, 0.0])
def test_non_negative_int(bad: object) -> None:
    with pytest.raises(InvalidValueError, match="waiting is invalid"):
        Seats(1, bad)  # type: ignore[arg-type]
    assert Seats(1, 0).waiting == 0


@given(aware_datetimes())
def test_aware_datetimes_are_aware(value: datetime) -> None:
    assert value.utcoffset() is not None


def test_transition_str_negative_offset() -> None:
    (first, *_) = transitions("America/New_York", 2026)
    assert isinstance(first, Transition)
    assert str(first) == "2026-03-08T07:00:00+00:00 -5:00:00 -> -4:00:00 (gap)"


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: ParticipationPolicy(reporters=["judge"]), "reporters"),
        (lambda: ParticipationPolicy(correctors=3), "correctors"),
        (lambda: ReschedulePolicy(late_request_roles="judge"), "late_request_roles"),
    ],
)
def test_role_sets_name_their_field_and_the_roles_allowed(
    make: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        make()
    assert caught.value.details["field"] == field
    assert caught.value.details["reason"] == (
        "must be some of 'student', 'teacher', 'admin', 'system'"
    )


def test_role_sets_take_one_role_or_many() -> None:
    assert ReschedulePolicy(late_request_roles="admin").late_request_roles == {
        Role.ADMIN
    }
    assert ParticipationPolicy(reporters=("teacher", Role.SYSTEM)).reporters == {
        Role.TEACHER,
        Role.SYSTEM,
    }
    assert members(Role, Role.STUDENT, "by") == {Role.STUDENT}


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: WaitlistPolicy(mode="lottery"), "mode"),
        (lambda: member(Intent, "perhaps", "intent"), "intent"),
    ],
)
def test_enum_values_name_their_field(make: Callable[[], object], field: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        make()
    assert caught.value.details["field"] == field
    assert caught.value.details["reason"].startswith("must be one of ")
