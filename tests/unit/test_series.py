"""Booking series: expansion, conflict modes, cancel and move scopes, DST."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs
import pytest

from booking_core.actors import Actor
from booking_core.adapters.codec import dumps, loads
from booking_core.availability.commitments import Commitment, ConflictPolicy
from booking_core.errors import (
    InvalidValueError,
    NotSeriesParticipantError,
    SeriesConflictError,
    SeriesOccurrenceNotChangeableError,
    SeriesOccurrenceNotFoundError,
    SessionStartInPastError,
)
from booking_core.intervals import TimeWindow
from booking_core.recurrence import RecurrenceRule
from booking_core.series import (
    BookingSeries,
    ChangeScope,
    ConflictMode,
    SeriesExtended,
    SeriesOccurrencesCancelled,
    SeriesOccurrencesMoved,
    SeriesPaymentMode,
    cancel_occurrences,
    create_series,
    extend_series,
    move_occurrences,
)
from booking_core.sessions import MeetingInfo

UTC = timezone.utc
LONDON = "Europe/London"
KOLKATA = "Asia/Kolkata"
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
STUDENT = Actor.student("s-1")
TEACHER = Actor.teacher("t-1")
HOUR = timedelta(hours=1)


def _series(
    rule: str = "FREQ=WEEKLY",
    *,
    start: datetime = datetime(2026, 3, 16, 18),
    zone: str = LONDON,
    until: datetime = datetime(2026, 4, 13, tzinfo=UTC),
    existing: tuple[Commitment, ...] = (),
    mode: ConflictMode = ConflictMode.ALL_OR_NOTHING,
) -> BookingSeries:
    return create_series(
        id="series-1",
        teacher_id="t-1",
        student_id="s-1",
        course_id="math",
        rule=RecurrenceRule.parse(rule),
        start=start,
        zone=zone,
        duration=HOUR,
        until=until,
        existing=existing,
        actor=STUDENT,
        now=NOW,
        meeting=MeetingInfo(provider="zoom", link="https://zoom.example/j/1"),
        mode=mode,
    ).state


def _busy(start: datetime, *, teacher: str = "t-1", student: str = "s-9") -> Commitment:
    return Commitment(
        window=TimeWindow.of(start, HOUR),
        teacher_id=teacher,
        student_id=student,
        kind="one_on_one",
        ref_id=f"b-{start.isoformat()}",
    )


def _locals(series: BookingSeries) -> list[str]:
    return [item.local_start.strftime("%Y-%m-%d %H:%M %Z") for item in series.items]


def test_weekly_1800_london_created_in_march_keeps_1800_after_dst_ends() -> None:
    series = _series(until=datetime(2026, 11, 10, tzinfo=UTC))
    wall = {item.local_start.time() for item in series.items}
    assert wall == {time(18)}
    by_date = {item.local_start.date().isoformat(): item for item in series.items}
    # BST until 25 October 2026, GMT after: the UTC instant moves, the wall time not.
    assert by_date["2026-10-19"].window.start == datetime(2026, 10, 19, 17, tzinfo=UTC)
    assert by_date["2026-10-26"].window.start == datetime(2026, 10, 26, 18, tzinfo=UTC)
    assert by_date["2026-11-09"].local_start.strftime("%H:%M %Z") == "18:00 GMT"
    assert by_date["2026-03-23"].local_start.strftime("%H:%M %Z") == "18:00 GMT"
    assert by_date["2026-03-30"].local_start.strftime("%H:%M %Z") == "18:00 BST"


def test_kolkata_series_has_fixed_utc_times() -> None:
    series = _series(
        "FREQ=WEEKLY;BYDAY=MO,TH",
        start=datetime(2026, 3, 16, 18),
        zone=KOLKATA,
        until=datetime(2026, 4, 1, tzinfo=UTC),
    )
    assert {item.window.start.time() for item in series.items} == {time(12, 30)}
    assert [item.occurrence_index for item in series.items] == [0, 1, 2, 3, 4]


def test_snapshot_fields_and_booking_ids() -> None:
    series = _series()
    assert series.meeting == MeetingInfo(
        provider="zoom", link="https://zoom.example/j/1"
    )
    assert series.payment_mode is SeriesPaymentMode.PER_OCCURRENCE
    assert [item.booking_id for item in series.items] == [
        f"series-1~{index}" for index in range(4)
    ]
    assert series.expanded_until == datetime(2026, 4, 13, tzinfo=UTC)
    assert not any(item.moved for item in series.items)
    assert series.item(2).booking_id == "series-1~2"
    assert loads(dumps(series)) == series


def test_all_or_nothing_with_a_conflict_books_nothing() -> None:
    clash = _busy(datetime(2026, 3, 30, 17, 30, tzinfo=UTC))
    with pytest.raises(SeriesConflictError) as caught:
        _series(existing=(clash,))
    assert caught.value.code == "series.conflict"
    assert caught.value.details["index"] == 2
    assert caught.value.details["count"] == 1


def test_skip_conflicts_books_the_free_ones_and_reports_the_rest() -> None:
    teacher_clash = _busy(datetime(2026, 3, 30, 17, 30, tzinfo=UTC))
    student_clash = _busy(
        datetime(2026, 4, 6, 17, tzinfo=UTC), teacher="t-9", student="s-1"
    )
    decision = create_series(
        id="series-1",
        teacher_id="t-1",
        student_id="s-1",
        rule=RecurrenceRule.parse("FREQ=WEEKLY"),
        start=datetime(2026, 3, 16, 18),
        zone=LONDON,
        duration=HOUR,
        until=datetime(2026, 4, 13, tzinfo=UTC),
        existing=[teacher_clash, student_clash],
        actor=TEACHER,
        now=NOW,
        mode="skip_conflicts",
        payment_mode="up_front",
    )
    series = decision.state
    assert series.payment_mode is SeriesPaymentMode.UP_FRONT
    assert [item.occurrence_index for item in series.items] == [0, 1]
    report = decision.events[-1]
    assert isinstance(report, SeriesExtended)
    assert [(s.occurrence_index, s.reason) for s in report.skipped] == [
        (2, "availability.teacher_double_booked"),
        (3, "availability.student_double_booked"),
    ]
    assert report.skipped[0].conflicting_ref_id == teacher_clash.ref_id
    assert series.skipped == report.skipped
    # students unchecked by policy: the student clash is booked
    relaxed = extend_series(
        attrs.evolve(series, items=(), skipped=(), expanded_until=series.first_start),
        until=datetime(2026, 4, 13, tzinfo=UTC),
        existing=[teacher_clash, student_clash],
        actor=Actor.system(),
        now=NOW,
        mode=ConflictMode.SKIP_CONFLICTS,
        policy=ConflictPolicy(check_students=False),
    ).state
    assert [item.occurrence_index for item in relaxed.items] == [0, 1, 3]


def test_occurrences_that_overlap_each_other_conflict() -> None:
    with pytest.raises(SeriesConflictError):
        create_series(
            id="series-1",
            teacher_id="t-1",
            student_id="s-1",
            rule=RecurrenceRule.parse("FREQ=DAILY;COUNT=3"),
            start=datetime(2026, 3, 16, 18, tzinfo=UTC),
            zone=LONDON,
            duration=timedelta(hours=30),
            until=datetime(2026, 4, 13, tzinfo=UTC),
            existing=[],
            actor=STUDENT,
            now=NOW,
        )


def test_extension_is_idempotent_and_continues_indexes() -> None:
    series = _series()
    again = extend_series(
        series, until=series.expanded_until, existing=[], actor=Actor.system(), now=NOW
    )
    assert again.state is series
    assert again.events == ()
    assert (
        extend_series(
            series,
            until=datetime(2026, 4, 1, tzinfo=UTC),
            existing=[],
            actor=Actor.system(),
            now=NOW,
        ).state
        is series
    )
    later = extend_series(
        series,
        until=datetime(2026, 5, 1, tzinfo=UTC),
        existing=series.commitments(),
        actor=Actor.system(),
        now=NOW,
    ).state
    assert [item.occurrence_index for item in later.items] == [0, 1, 2, 3, 4, 5, 6]
    twice = extend_series(
        later,
        until=datetime(2026, 5, 1, tzinfo=UTC),
        existing=later.commitments(),
        actor=Actor.system(),
        now=NOW,
    )
    assert twice.state is later


def test_occurrences_in_the_past_are_skipped_or_refuse() -> None:
    series = _series()
    late = datetime(2026, 4, 21, 12, tzinfo=UTC)
    decision = extend_series(
        series,
        until=datetime(2026, 5, 1, tzinfo=UTC),
        existing=[],
        actor=Actor.system(),
        now=late,
        mode="skip_conflicts",
    )
    assert [(s.occurrence_index, s.reason) for s in decision.state.skipped] == [
        (4, "series.occurrence_in_past"),
        (5, "series.occurrence_in_past"),
    ]
    assert decision.state.skipped[0].conflicting_ref_id is None
    assert [item.occurrence_index for item in decision.state.items][-1] == 6
    with pytest.raises(SeriesConflictError):
        extend_series(
            series,
            until=datetime(2026, 5, 1, tzinfo=UTC),
            existing=[],
            actor=Actor.system(),
            now=late,
        )


def test_start_must_be_in_the_future() -> None:
    with pytest.raises(SessionStartInPastError):
        create_series(
            id="series-1",
            teacher_id="t-1",
            student_id="s-1",
            rule=RecurrenceRule.parse("FREQ=WEEKLY"),
            start=datetime(2026, 3, 1, 18),
            zone=LONDON,
            duration=HOUR,
            until=datetime(2026, 4, 13, tzinfo=UTC),
            existing=[],
            actor=STUDENT,
            now=NOW,
        )


def test_only_participants_may_act() -> None:
    with pytest.raises(NotSeriesParticipantError):
        _series_by(Actor.student("s-2"))
    with pytest.raises(NotSeriesParticipantError):
        _series_by(Actor.teacher("t-2"))
    assert _series_by(Actor.admin("a-1")).items
    series = _series()
    with pytest.raises(NotSeriesParticipantError):
        cancel_occurrences(
            series,
            occurrence_index=1,
            scope="one",
            reason="ill",
            actor=Actor.teacher("s-1"),
            now=NOW,
        )


def _series_by(actor: Actor) -> BookingSeries:
    return create_series(
        id="series-1",
        teacher_id="t-1",
        student_id="s-1",
        rule=RecurrenceRule.parse("FREQ=WEEKLY;COUNT=2"),
        start=datetime(2026, 3, 16, 18),
        zone=LONDON,
        duration=HOUR,
        until=datetime(2026, 4, 13, tzinfo=UTC),
        existing=[],
        actor=actor,
        now=NOW,
    ).state


def _statuses(series: BookingSeries) -> list[str]:
    return [item.status.value[0] for item in series.items]


def test_cancel_one_leaves_the_others() -> None:
    series = _series()
    decision = cancel_occurrences(
        series, occurrence_index=1, scope="one", reason=" ill ", actor=STUDENT, now=NOW
    )
    assert _statuses(decision.state) == ["a", "c", "a", "a"]
    (event,) = decision.events
    assert isinstance(event, SeriesOccurrencesCancelled)
    assert event.reason == "ill"
    assert [item.booking_id for item in event.cancelled] == ["series-1~1"]
    assert decision.state.last_index is None
    assert len(decision.state.commitments()) == 3
    with pytest.raises(SeriesOccurrenceNotChangeableError):
        cancel_occurrences(
            decision.state,
            occurrence_index=1,
            scope="one",
            reason="again",
            actor=STUDENT,
            now=NOW,
        )


def test_cancel_this_and_following_stops_future_expansion() -> None:
    series = _series()
    cut = cancel_occurrences(
        series,
        occurrence_index=2,
        scope=ChangeScope.THIS_AND_FOLLOWING,
        reason="moving away",
        actor=TEACHER,
        now=NOW,
    ).state
    assert _statuses(cut) == ["a", "a", "c", "c"]
    assert cut.last_index == 1
    later = extend_series(
        cut,
        until=datetime(2026, 6, 1, tzinfo=UTC),
        existing=[],
        actor=Actor.system(),
        now=NOW,
    )
    assert len(later.state.items) == 4
    assert later.state.skipped == ()
    # a second, earlier cut keeps the earliest
    earlier = cancel_occurrences(
        cut,
        occurrence_index=0,
        scope="this_and_following",
        reason="stop",
        actor=TEACHER,
        now=NOW,
    ).state
    assert earlier.last_index == -1
    assert earlier.ended


def test_cancel_all_keeps_started_occurrences() -> None:
    series = _series()
    during = datetime(2026, 3, 23, 18, 30, tzinfo=UTC)
    decision = cancel_occurrences(
        series,
        occurrence_index=0,
        scope="all",
        reason="stop",
        actor=STUDENT,
        now=during,
    )
    assert _statuses(decision.state) == ["a", "a", "c", "c"]
    assert decision.state.ended
    ended = extend_series(
        decision.state,
        until=datetime(2026, 6, 1, tzinfo=UTC),
        existing=[],
        actor=Actor.system(),
        now=during,
    )
    assert ended.state is decision.state
    with pytest.raises(SeriesOccurrenceNotChangeableError) as caught:
        cancel_occurrences(
            series,
            occurrence_index=1,
            scope="one",
            reason="x",
            actor=STUDENT,
            now=during,
        )
    assert "already started" in str(caught.value)


def test_cancel_refusals_change_nothing() -> None:
    series = _series()
    before = dumps(series)
    with pytest.raises(SeriesOccurrenceNotFoundError) as caught:
        cancel_occurrences(
            series, occurrence_index=9, scope="one", reason="x", actor=STUDENT, now=NOW
        )
    assert caught.value.details["booked"] == [0, 1, 2, 3]
    with pytest.raises(InvalidValueError):
        cancel_occurrences(
            series, occurrence_index=1, scope="one", reason="  ", actor=STUDENT, now=NOW
        )
    with pytest.raises(ValueError, match="sideways"):
        cancel_occurrences(
            series,
            occurrence_index=1,
            scope="sideways",
            reason="x",
            actor=STUDENT,
            now=NOW,
        )
    assert dumps(series) == before


def test_move_one_occurrence() -> None:
    series = _series()
    new_start = datetime(2026, 3, 24, 18, tzinfo=UTC)
    decision = move_occurrences(
        series,
        occurrence_index=1,
        new_start=new_start,
        scope="one",
        existing=[],
        reason="clash at school",
        actor=STUDENT,
        now=NOW,
    )
    moved = decision.state.item(1)
    assert moved.window == TimeWindow.of(new_start, HOUR)
    assert moved.moved
    assert moved.original_start == datetime(2026, 3, 23, 18, tzinfo=UTC)
    assert [
        item.window for item in decision.state.items if item.occurrence_index != 1
    ] == [item.window for item in series.items if item.occurrence_index != 1]
    (event,) = decision.events
    assert isinstance(event, SeriesOccurrencesMoved)
    assert event.shift == timedelta(days=1)
    assert event.moved == ((series.item(1), moved),)
    assert decision.state.wall_shifts == ()


def test_move_this_and_following_keeps_local_time_across_dst_and_in_extensions() -> (
    None
):
    series = _series()
    # occurrence 1 (Mon 23 March, 18:00 GMT) -> 19:00 local; 2 and 3 are in BST
    decision = move_occurrences(
        series,
        occurrence_index=1,
        new_start=datetime(2026, 3, 23, 19, tzinfo=UTC),
        scope="this_and_following",
        existing=[],
        reason="later please",
        actor=TEACHER,
        now=NOW,
    )
    state = decision.state
    assert [item.local_start.hour for item in state.items] == [18, 19, 19, 19]
    assert state.item(2).window.start == datetime(2026, 3, 30, 18, tzinfo=UTC)
    assert state.wall_shifts == ((1, HOUR),)
    later = extend_series(
        state,
        until=datetime(2026, 5, 1, tzinfo=UTC),
        existing=[],
        actor=Actor.system(),
        now=NOW,
    ).state
    assert [item.local_start.hour for item in later.items] == [
        18,
        19,
        19,
        19,
        19,
        19,
        19,
    ]
    assert all(item.moved for item in later.items[1:])


def test_move_all_from_any_occurrence() -> None:
    series = _series()
    during = datetime(2026, 3, 16, 18, 30, tzinfo=UTC)
    decision = move_occurrences(
        series,
        occurrence_index=2,
        new_start=datetime(2026, 3, 30, 16, 30, tzinfo=UTC),  # 17:30 BST
        scope="all",
        existing=[],
        reason="earlier",
        actor=STUDENT,
        now=during,
    )
    assert [item.local_start.strftime("%H:%M") for item in decision.state.items] == [
        "18:00",  # already running: untouched
        "17:30",
        "17:30",
        "17:30",
    ]
    assert decision.state.wall_shifts == ((0, -timedelta(minutes=30)),)


def test_move_is_all_or_nothing() -> None:
    series = _series()
    clash = _busy(datetime(2026, 4, 6, 18, tzinfo=UTC))
    before = dumps(series)
    with pytest.raises(SeriesConflictError) as caught:
        move_occurrences(
            series,
            occurrence_index=1,
            new_start=datetime(2026, 3, 23, 19, tzinfo=UTC),
            scope="this_and_following",
            existing=[clash],
            reason="later please",
            actor=TEACHER,
            now=NOW,
        )
    assert caught.value.details["index"] == 3
    with pytest.raises(SeriesConflictError, match="before now"):
        move_occurrences(
            series,
            occurrence_index=1,
            new_start=datetime(2026, 3, 1, 19, tzinfo=UTC),
            scope="one",
            existing=[],
            reason="earlier",
            actor=TEACHER,
            now=NOW,
        )
    with pytest.raises(SeriesConflictError):
        # onto another occurrence of the same series
        move_occurrences(
            series,
            occurrence_index=1,
            new_start=datetime(2026, 3, 30, 17, 30, tzinfo=UTC),
            scope="one",
            existing=[],
            reason="double",
            actor=TEACHER,
            now=NOW,
        )
    assert dumps(series) == before


def test_bad_fields_are_refused() -> None:
    series = _series()
    with pytest.raises(InvalidValueError):
        attrs.evolve(series, rule="FREQ=WEEKLY")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError):
        attrs.evolve(series, duration=timedelta(0))


def test_recurrence_of_the_series_is_anchored_in_its_zone() -> None:
    series = _series()
    assert series.recurrence.start.tzinfo == ZoneInfo(LONDON)
    assert series.recurrence.start.hour == 18


def test_every_series_event_round_trips_through_the_codec() -> None:
    clash = _busy(datetime(2026, 3, 30, 17, 30, tzinfo=UTC))
    created = create_series(
        id="series-1",
        teacher_id="t-1",
        student_id="s-1",
        rule=RecurrenceRule.parse("FREQ=WEEKLY"),
        start=datetime(2026, 3, 16, 18),
        zone=LONDON,
        duration=HOUR,
        until=datetime(2026, 4, 13, tzinfo=UTC),
        existing=[clash],
        actor=STUDENT,
        now=NOW,
        mode="skip_conflicts",
    )
    moved = move_occurrences(
        created.state,
        occurrence_index=1,
        new_start=datetime(2026, 3, 23, 19, tzinfo=UTC),
        scope="all",
        existing=[],
        reason="later",
        actor=STUDENT,
        now=NOW,
    )
    cancelled = cancel_occurrences(
        moved.state,
        occurrence_index=3,
        scope="one",
        reason="ill",
        actor=STUDENT,
        now=NOW,
    )
    events = (*created.events, *moved.events, *cancelled.events)
    assert [event.name for event in events] == [
        "series.created",
        "series.extended",
        "series.occurrences_moved",
        "series.occurrences_cancelled",
    ]
    for event in events:
        assert loads(dumps(event)) == event
    assert loads(dumps(cancelled.state)) == cancelled.state
