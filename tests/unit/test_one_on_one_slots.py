"""The listing and the booking check of 1:1 slots agree (seed 003 slot scenarios)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from booking_core.availability import (
    AvailabilityItem,
    Blackout,
    OneTimeAvailability,
    SlotRequest,
    WeeklyAvailability,
)
from booking_core.availability.approval import ApprovalPolicy
from booking_core.availability.commitments import Commitment, ConflictPolicy
from booking_core.bookings.one_on_one import (
    OneOnOnePolicy,
    bookable_slots,
    ensure_slot_bookable,
)
from booking_core.errors import (
    InvalidValueError,
    SlotNotAvailableError,
    StudentDoubleBookedError,
    TeacherDoubleBookedError,
)
from booking_core.intervals import TimeWindow

UTC = timezone.utc
NOW = datetime(2026, 5, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _request(zone: str, day: date, **kwargs: object) -> SlotRequest:
    return SlotRequest(
        first_date=day,
        last_date=day,
        zone=zone,
        duration=HOUR,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("zone", "day", "utc_hour"),
    [
        ("Europe/London", date(2026, 6, 1), 13),  # BST
        ("Europe/London", date(2026, 11, 2), 14),  # GMT, after the end of DST
        ("Asia/Kolkata", date(2026, 6, 1), 8),  # 14:00 IST = 08:30 UTC
    ],
)
def test_recurring_monday_14_15_slot_is_listed_and_bookable(
    zone: str, day: date, utc_hour: int
) -> None:
    mondays = [WeeklyAvailability(weekday=0, start=time(14), end=time(15), zone=zone)]
    (slot,) = bookable_slots(mondays, [], _request(zone, day), now=NOW)
    assert slot.start.hour == utc_hour
    held = ensure_slot_bookable(
        slot,
        teacher_id="t-1",
        student_id="s-1",
        availability=mondays,
        commitments=[],
        request=_request(zone, day),
        now=NOW,
        ref_id="b-1",
    )
    assert held.window == slot
    # booked: no longer listed, and a second booking of it is refused
    assert bookable_slots(mondays, [held], _request(zone, day), now=NOW) == ()
    with pytest.raises(TeacherDoubleBookedError):
        ensure_slot_bookable(
            slot,
            teacher_id="t-1",
            student_id="s-2",
            availability=mondays,
            commitments=[held],
            request=_request(zone, day),
            now=NOW,
            ref_id="b-2",
        )
    # the booking itself re-checks fine (confirming a pending request)
    pending = ensure_slot_bookable(
        slot,
        teacher_id="t-1",
        student_id="s-1",
        availability=mondays,
        commitments=[],
        request=_request(zone, day),
        now=NOW,
        ref_id="b-1",
        kind="pending_request",
    )
    assert (
        ensure_slot_bookable(
            slot,
            teacher_id="t-1",
            student_id="s-1",
            availability=mondays,
            commitments=[pending],
            request=_request(zone, day),
            now=NOW,
            ref_id="b-1",
        )
        == held
    )


def test_one_time_slot() -> None:
    window = TimeWindow.of(datetime(2026, 6, 3, 10, tzinfo=UTC), HOUR)
    availability = [OneTimeAvailability(window=window)]
    request = _request("Asia/Kolkata", date(2026, 6, 3))
    assert bookable_slots(availability, [], request, now=NOW) == (window,)
    assert (
        bookable_slots(
            availability, [], request, now=window.start + timedelta(minutes=1)
        )
        == ()
    )


def test_slots_outside_the_listing_are_refused_at_decision_time() -> None:
    mondays: list[AvailabilityItem] = [
        WeeklyAvailability(
            weekday=0, start=time(14), end=time(16), zone="Europe/London"
        ),
        Blackout(window=TimeWindow.of(datetime(2026, 6, 1, 14, tzinfo=UTC), HOUR)),
    ]
    request = _request("Europe/London", date(2026, 6, 1))
    listed = bookable_slots(mondays, [], request, now=NOW)
    assert [s.start.hour for s in listed] == [13]
    refused = [
        TimeWindow.of(datetime(2026, 6, 1, 14, tzinfo=UTC), HOUR),  # blackout
        TimeWindow.of(datetime(2026, 6, 1, 13, 10, tzinfo=UTC), HOUR),  # off step
        TimeWindow.of(datetime(2026, 6, 1, 13, tzinfo=UTC), 2 * HOUR),  # wrong length
        TimeWindow.of(datetime(2026, 6, 2, 13, tzinfo=UTC), HOUR),  # a Tuesday
    ]
    for slot in refused:
        with pytest.raises(SlotNotAvailableError) as caught:
            ensure_slot_bookable(
                slot,
                teacher_id="t-1",
                student_id="s-1",
                availability=mondays,
                commitments=[],
                request=request,
                now=NOW,
                ref_id="b-1",
            )
        assert caught.value.code == "one_on_one.slot_not_available"
    # too late: the listing and the check change together
    late = datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
    notice = _request("Europe/London", date(2026, 6, 1), minimum_notice=HOUR)
    assert bookable_slots(mondays, [], notice, now=late) == ()
    with pytest.raises(SlotNotAvailableError):
        ensure_slot_bookable(
            listed[0],
            teacher_id="t-1",
            student_id="s-1",
            availability=mondays,
            commitments=[],
            request=notice,
            now=late,
            ref_id="b-1",
        )
    with pytest.raises(InvalidValueError):
        ensure_slot_bookable(
            "13:00",  # type: ignore[arg-type]
            teacher_id="t-1",
            student_id="s-1",
            availability=mondays,
            commitments=[],
            request=request,
            now=NOW,
            ref_id="b-1",
        )


def test_pending_requests_hold_their_slot_by_policy() -> None:
    mondays: list[AvailabilityItem] = [
        WeeklyAvailability(
            weekday=0, start=time(14), end=time(15), zone="Europe/London"
        )
    ]
    request = _request("Europe/London", date(2026, 6, 1))
    (slot,) = bookable_slots(mondays, [], request, now=NOW)
    pending = Commitment(
        window=slot,
        teacher_id="t-1",
        student_id="s-1",
        kind="pending_request",
        ref_id="b-1",
    )
    assert bookable_slots(mondays, [pending], request, now=NOW) == ()
    loose = OneOnOnePolicy(pending_holds_slot=False)
    assert bookable_slots(mondays, [pending], request, now=NOW, policy=loose) == (slot,)
    ensure_slot_bookable(
        slot,
        teacher_id="t-1",
        student_id="s-2",
        availability=mondays,
        commitments=[pending],
        request=request,
        now=NOW,
        ref_id="b-2",
        kind="pending_request",
        policy=loose,
    )
    # ...but a confirmed booking always blocks
    confirmed = Commitment(
        window=slot, teacher_id="t-1", student_id="s-1", kind="one_on_one", ref_id="b-1"
    )
    with pytest.raises(TeacherDoubleBookedError):
        ensure_slot_bookable(
            slot,
            teacher_id="t-1",
            student_id="s-2",
            availability=mondays,
            commitments=[confirmed],
            request=request,
            now=NOW,
            ref_id="b-2",
            policy=loose,
        )


def test_student_double_booking_is_checked_by_policy() -> None:
    mondays: list[AvailabilityItem] = [
        WeeklyAvailability(
            weekday=0, start=time(14), end=time(15), zone="Europe/London"
        )
    ]
    request = _request("Europe/London", date(2026, 6, 1))
    (slot,) = bookable_slots(mondays, [], request, now=NOW)
    elsewhere = Commitment(
        window=slot,
        teacher_id="t-9",
        student_id="s-1",
        kind="group_session",
        ref_id="g-1",
    )
    kwargs = {
        "teacher_id": "t-1",
        "student_id": "s-1",
        "availability": mondays,
        "commitments": [elsewhere],
        "request": request,
        "now": NOW,
        "ref_id": "b-1",
    }
    with pytest.raises(StudentDoubleBookedError):
        ensure_slot_bookable(slot, **kwargs)  # type: ignore[arg-type]
    relaxed = OneOnOnePolicy(conflicts=ConflictPolicy(check_students=False))
    assert ensure_slot_bookable(slot, policy=relaxed, **kwargs).window == slot  # type: ignore[arg-type]


def test_policy_defaults_and_validation() -> None:
    policy = OneOnOnePolicy()
    assert policy.pending_holds_slot is True
    assert policy.approval == ApprovalPolicy()
    assert policy.deadline.decision_window == timedelta(hours=48)
    with pytest.raises(InvalidValueError):
        OneOnOnePolicy(approval={"math": True})  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError):
        OneOnOnePolicy(pending_holds_slot="no")  # type: ignore[arg-type]
