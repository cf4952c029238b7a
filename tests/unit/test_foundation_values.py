from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs
import pytest

from booking_core.actors import Actor, Role, require_role
from booking_core.clock import Clock, ManualClock, SystemClock
from booking_core.errors import (
    BookingCoreError,
    InvalidValueError,
    InvalidWindowError,
    NaiveDatetimeError,
    PermissionDeniedError,
)
from booking_core.events import Decision, DomainEvent
from booking_core.intervals import TimeWindow

UTC = timezone.utc
T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


class TestClock:
    def test_system_clock_is_aware_utc(self) -> None:
        now = SystemClock().now()
        assert now.tzinfo is UTC
        assert isinstance(SystemClock(), Clock)
        assert repr(SystemClock()) == "SystemClock()"

    def test_manual_clock(self) -> None:
        clock = ManualClock(T0.astimezone(ZoneInfo("Asia/Kolkata")))
        assert clock.now() == T0
        assert clock.now().tzinfo is UTC
        assert clock.advance(timedelta(minutes=5)) == T0 + timedelta(minutes=5)
        assert clock.set(T0) == T0
        assert repr(clock) == "ManualClock(2026-03-29T00:30:00+00:00)"
        assert isinstance(clock, Clock)

    def test_manual_clock_refusals(self) -> None:
        with pytest.raises(NaiveDatetimeError):
            ManualClock(datetime(2026, 1, 1))
        clock = ManualClock(T0)
        with pytest.raises(InvalidValueError):
            clock.advance(timedelta(seconds=-1))
        with pytest.raises(NaiveDatetimeError):
            clock.set(datetime(2026, 1, 1))
        assert clock.now() == T0

    def test_manual_clock_threads(self) -> None:
        clock = ManualClock(T0)

        def move() -> None:
            for _ in range(1000):
                clock.advance(timedelta(seconds=1))

        threads = [threading.Thread(target=move) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert clock.now() == T0 + timedelta(seconds=4000)


class TestActors:
    def test_constructors(self) -> None:
        assert Actor.student("s").role is Role.STUDENT
        assert Actor.teacher("t").role is Role.TEACHER
        assert Actor.admin("a").role is Role.ADMIN
        assert Actor.system() == Actor("system", Role.SYSTEM)
        assert Actor("u", "admin").role is Role.ADMIN
        assert str(Actor.teacher("t-1")) == "teacher 't-1'"

    @pytest.mark.parametrize("bad", ["", "  ", None, 3])
    def test_bad_user_id(self, bad: object) -> None:
        with pytest.raises(InvalidValueError, match="user_id"):
            Actor(bad, Role.STUDENT)  # type: ignore[arg-type]

    def test_bad_role(self) -> None:
        with pytest.raises(ValueError, match="'owner' is not a valid Role"):
            Actor("u", "owner")

    def test_require_role(self) -> None:
        require_role(Actor.admin("a"), {Role.ADMIN}, action="x")
        with pytest.raises(PermissionDeniedError) as info:
            require_role(
                Actor.student("s"), {Role.TEACHER, Role.ADMIN}, action="cancel it"
            )
        assert (
            str(info.value) == "student 's' may not cancel it; allowed: admin, teacher"
        )
        with pytest.raises(PermissionDeniedError, match="allowed: nobody"):
            require_role(Actor.admin("a"), set(), action="x")


class TestTimeWindow:
    def test_basics(self) -> None:
        window = TimeWindow.of(T0, timedelta(hours=1))
        assert window.duration == timedelta(hours=1)
        assert window.contains(T0)
        assert not window.contains(window.end)
        assert window.encloses(window)
        assert not window.encloses(window.shift(timedelta(minutes=1)))
        assert window.shift(timedelta(hours=1)).start == window.end
        assert window.widen(timedelta(minutes=5), timedelta(minutes=10)) == TimeWindow(
            start=T0 - timedelta(minutes=5), end=window.end + timedelta(minutes=10)
        )
        start, end = window.in_zone("Asia/Kolkata")
        assert start.isoformat() == "2026-03-29T06:00:00+05:30"
        assert end - start == timedelta(hours=1)

    def test_stored_in_utc(self) -> None:
        kolkata = ZoneInfo("Asia/Kolkata")
        window = TimeWindow(
            start=T0.astimezone(kolkata),
            end=(T0 + timedelta(hours=1)).astimezone(kolkata),
        )
        assert window.start.tzinfo is UTC
        assert window == TimeWindow.of(T0, timedelta(hours=1))

    def test_touching_windows_do_not_overlap(self) -> None:
        first = TimeWindow.of(T0, timedelta(hours=1))
        second = first.shift(timedelta(hours=1))
        assert not first.overlaps(second)
        assert first.intersection(second) is None
        third = first.shift(timedelta(minutes=30))
        assert first.overlaps(third)
        assert first.intersection(third) == TimeWindow(start=third.start, end=first.end)
        assert sorted([third, first]) == [first, third]

    def test_refusals(self) -> None:
        with pytest.raises(InvalidWindowError):
            TimeWindow(start=T0, end=T0)
        with pytest.raises(InvalidWindowError):
            TimeWindow.of(T0, timedelta(minutes=-1))
        with pytest.raises(NaiveDatetimeError, match=r"^start"):
            TimeWindow(start=datetime(2026, 1, 1), end=T0)
        with pytest.raises(NaiveDatetimeError, match=r"^end"):
            TimeWindow(start=T0, end=datetime(2027, 1, 1))
        with pytest.raises(InvalidValueError, match="start"):
            TimeWindow(start="2026", end=T0)  # type: ignore[arg-type]
        with pytest.raises(NaiveDatetimeError):
            TimeWindow.of(T0, timedelta(hours=1)).contains(datetime(2026, 1, 1))


class TestEvents:
    def test_event_is_frozen_and_named(self) -> None:
        event = DomainEvent(occurred_at=T0, actor=Actor.system(), aggregate_id="s-1")
        assert event.name == "domain_event"
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.aggregate_id = "x"  # type: ignore[misc]
        other = DomainEvent(occurred_at=T0, actor=Actor.system(), aggregate_id="s-1")
        assert other.event_id != event.event_id

    def test_event_refuses_naive_time(self) -> None:
        with pytest.raises(NaiveDatetimeError, match="occurred_at"):
            DomainEvent(
                occurred_at=datetime(2026, 1, 1), actor=Actor.system(), aggregate_id="s"
            )

    def test_decision(self) -> None:
        event = DomainEvent(occurred_at=T0, actor=Actor.system(), aggregate_id="s-1")
        decision = Decision(state=1, events=[event])
        assert decision.events == (event,)
        assert decision.with_events([event]).events == (event, event)
        assert Decision(state=2).events == ()


def test_error_details_and_message() -> None:
    error = InvalidValueError(field="seats", reason="must be at least 1", value=0)
    assert error.details == {
        "field": "seats",
        "reason": "must be at least 1",
        "value": 0,
    }
    assert error.message == "seats is invalid: must be at least 1; got 0"
    assert str(BookingCoreError()) == "booking_core refused the operation"
