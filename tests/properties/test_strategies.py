"""The public strategies: every value is valid, stores losslessly, and is useful.

Each strategy family gets (1) a validity test: the value survives its class's
validation again (``attrs.evolve`` re-runs converters, validators and
``__attrs_post_init__``) and a round trip through ``adapters.codec``; and (2) one
real property of the library, written the way a host would use the strategy.
Every ``*Policy`` class of the package is found by walking it, so a new policy is
covered without touching this file.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import pkgutil
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import Phase, assume, example, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

import booking_core
from booking_core.actors import Actor, Role
from booking_core.adapters.codec import dumps, loads
from booking_core.availability import (
    Blackout,
    OneTimeAvailability,
    SlotRequest,
    WeeklyAvailability,
    free_slots,
)
from booking_core.availability.commitments import (
    Commitment,
    CommitmentKind,
    find_conflicts,
)
from booking_core.bookings import capacity
from booking_core.bookings.policies import BookingPolicy
from booking_core.errors import (
    InvalidValueError,
    SeatsUnavailableError,
)
from booking_core.money import GatewayFee, Money, SplitPolicy, split_payment
from booking_core.money.currency import CURRENCIES, Currency
from booking_core.money.gateway import RetryPolicy
from booking_core.recurrence import Frequency, Recurrence, RecurrenceRule
from booking_core.sessions import (
    ReschedulePolicy,
    Session,
    SessionKind,
    SessionStatus,
)
from booking_core.testing import strategies as bs
from booking_core.testing.strategies import transitions
from booking_core.zones import to_instant

T = TypeVar("T")
# Finding an example is the point, not shrinking it: no shrink phase, reproducible.
QUICK_FIND = settings(
    phases=(Phase.generate,), max_examples=5000, database=None, derandomize=True
)
UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")


def reaches(strategy: st.SearchStrategy[T], predicate: Callable[[T], bool]) -> T:
    """The simplest value of ``strategy`` that satisfies ``predicate``; it exists."""
    found = find(strategy, predicate, settings=QUICK_FIND)
    assert predicate(found)
    return found


def is_a(kind: type, value: object) -> bool:
    return isinstance(value, kind)


def same_after_checks(value: Any) -> None:
    """``value`` passes its class's validation again and stores losslessly."""
    if attrs.has(type(value)):
        assert attrs.evolve(value) == value
    assert loads(dumps(value)) == value


# -- every strategy makes valid values ---------------------------------------------

VALUE_STRATEGIES = {
    "instants": bs.instants(),
    "zoned_datetimes": bs.zoned_datetimes(),
    "time_windows": bs.time_windows(),
    "recurrence_rules": bs.recurrence_rules(),
    "recurrences": bs.recurrences(),
    "actors": bs.actors(),
    "sessions": bs.sessions(),
    "weekly_availabilities": bs.weekly_availabilities(),
    "one_time_availabilities": bs.one_time_availabilities(),
    "blackouts": bs.blackouts(),
    "availability_items": bs.availability_items(),
    "slot_requests": bs.slot_requests(),
    "commitments": bs.commitments(),
    "currencies": bs.currencies(),
    "money": bs.money(),
}


@pytest.mark.parametrize("name", sorted(VALUE_STRATEGIES))
def test_values_are_valid_and_round_trip(name: str) -> None:
    @settings(max_examples=60)
    @given(VALUE_STRATEGIES[name])
    def check(value: Any) -> None:
        same_after_checks(value)

    check()


@settings(max_examples=100)
@given(bs.instants())
@example(datetime(2026, 3, 29, 1, tzinfo=UTC))  # London's spring-forward instant
def test_instants_are_utc_to_the_second(at: datetime) -> None:
    assert at.tzinfo is UTC
    assert at.microsecond == 0


@settings(max_examples=100)
@given(bs.zoned_datetimes())
@example(datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1))  # the fold, later
@example(datetime(2026, 3, 29, 3, 0, tzinfo=LONDON))  # just after the gap
@example(datetime(2028, 2, 29, 9, 0, tzinfo=KOLKATA))  # Feb 29, no DST
def test_zoned_datetimes_exist_on_the_clock(value: datetime) -> None:
    """A host's property: reading the wall time back gives the same instant."""
    assert isinstance(value.tzinfo, ZoneInfo)
    # (an instant in a fold never equals one in another zone: compare in UTC)
    instant = value.astimezone(UTC)
    back = instant.astimezone(value.tzinfo)
    assert (back, back.fold) == (value, value.fold)
    wall = value.replace(tzinfo=None, fold=0)
    mode: Literal["earlier", "later"] = "later" if value.fold else "earlier"
    assert to_instant(wall, value.tzinfo, disambiguate=mode) == instant
    stored = loads(dumps(value))
    assert (stored.astimezone(UTC), stored.fold) == (instant, value.fold)


def test_zoned_datetimes_reach_gaps_and_folds() -> None:
    london = bs.zoned_datetimes(st.just("Europe/London"))
    assert reaches(london, lambda d: d.fold == 1).fold == 1

    def just_after_a_gap(value: datetime) -> bool:
        instant = value.astimezone(UTC)
        return any(
            t.kind == "gap" and t.at <= instant < t.at + timedelta(hours=1)
            for t in transitions("Europe/London", value.year)
        )

    after_gap = reaches(london, just_after_a_gap)
    assert after_gap.utcoffset() == timedelta(hours=1)


# -- recurrence ----------------------------------------------------------------------


@settings(max_examples=150)
@given(bs.recurrence_rules())
@example(RecurrenceRule.parse("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20261231"))
@example(RecurrenceRule.parse("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3"))
def test_rrule_text_round_trips(rule: RecurrenceRule) -> None:
    """A host's property: what ``str`` writes, ``parse`` reads back."""
    same_after_checks(rule)
    assert RecurrenceRule.parse(str(rule)) == rule


@pytest.mark.parametrize("bounded", [True, False])
def test_recurrence_rules_bounded(bounded: bool) -> None:
    @settings(max_examples=40)
    @given(bs.recurrence_rules(bounded=bounded))
    def check(rule: RecurrenceRule) -> None:
        ends = rule.count is not None or rule.until is not None
        assert ends is bounded

    check()


def test_recurrence_rules_use_every_part() -> None:
    rules = bs.recurrence_rules()
    reaches(rules, lambda r: any((d.n or 0) < -5 for d in r.by_weekday))
    reaches(rules, lambda r: bool(r.by_set_pos and r.by_month_day))
    reaches(rules, lambda r: isinstance(r.until, datetime))
    reaches(rules, lambda r: type(r.until) is date)
    reaches(rules, lambda r: r.interval > 1 and r.week_start.name != "MO")
    weekly = bs.recurrence_rules(frequencies=[Frequency.WEEKLY])
    assert (
        reaches(weekly, lambda r: len(r.by_weekday) > 1).frequency is Frequency.WEEKLY
    )


@settings(max_examples=60)
@given(bs.recurrences())
def test_recurrence_occurrences_are_ordered_and_honour_the_rule(
    rec: Recurrence,
) -> None:
    """A host's property: in order, unique indexes, exclusions left out."""
    same_after_checks(rec)
    first = list(itertools.islice(rec.occurrences(), 12))
    instants = [o.start.astimezone(UTC) for o in first]
    assert instants == sorted(instants)
    assert len({o.index for o in first}) == len(first)
    assert not {o.original_start.astimezone(UTC) for o in first} & rec.exdates
    if rec.rule.count is not None:
        assert all(o.index < rec.rule.count for o in first)
    for occurrence in first:
        if not occurrence.moved and occurrence.start.utcoffset() == (
            rec.start.utcoffset()
        ):
            assert occurrence.start.time() == rec.start.time()


def test_recurrence_with_a_start_in_a_gap_round_trips() -> None:
    # Found with aware_datetimes(): the codec keeps wall time, fold and zone.
    rule = RecurrenceRule.parse("FREQ=DAILY;COUNT=2")
    gap = datetime(2026, 3, 29, 1, 30, tzinfo=LONDON)  # London skips 01:00-02:00
    rec = Recurrence(rule=rule, start=gap)
    assert loads(dumps(rec)) == rec


def test_recurrences_drop_moves_that_land_on_another_occurrence() -> None:
    # A whole-day move of a daily class lands on the next occurrence: refused by
    # Recurrence, so the strategy keeps the exclusions and drops the moves.
    rule = RecurrenceRule.parse("FREQ=DAILY;COUNT=5")
    first = datetime(2026, 3, 2, 18, 0, tzinfo=LONDON)
    plain = Recurrence(rule=rule, start=first)
    second, third = first + timedelta(days=1), first + timedelta(days=2)
    kept = bs._with_exceptions(plain, [third], [(first, second)])
    assert kept == attrs.evolve(plain, exdates=[third])
    assert kept.overrides == ()
    later = first + timedelta(hours=2)
    moved = bs._with_exceptions(plain, [third], [(first, later)])
    assert moved.overrides == ((first, later),)


# -- policies -----------------------------------------------------------------------


def all_policy_classes() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(booking_core.__path__, "booking_core."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                name.endswith("Policy")
                and isinstance(value, type)
                and attrs.has(value)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return sorted(found, key=lambda cls: cls.__name__)


POLICY_CLASSES = all_policy_classes()


def test_policy_discovery_finds_them_all() -> None:
    names = {cls.__name__ for cls in POLICY_CLASSES}
    assert {"SplitPolicy", "ReschedulePolicy", "RetryPolicy", "OneOnOnePolicy"} <= names
    assert len(names) >= 15


@pytest.mark.parametrize("cls", POLICY_CLASSES, ids=lambda cls: cls.__name__)
def test_policies_pass_validation_and_round_trip(cls: type) -> None:
    @settings(max_examples=40)
    @given(bs.policies(cls))
    def check(policy: Any) -> None:
        assert type(policy) is cls
        same_after_checks(policy)

    check()


@pytest.mark.parametrize("cls", POLICY_CLASSES, ids=lambda cls: cls.__name__)
def test_policies_vary_every_field(cls: type) -> None:
    default = cls()

    def differs(name: str) -> Callable[[Any], bool]:
        return lambda policy: getattr(policy, name) != getattr(default, name)

    for field in attrs.fields(cls):
        if field.init:
            reaches(bs.policies(cls), differs(field.name))


def test_policies_overrides() -> None:
    strategy = bs.policies(ReschedulePolicy, reason_min_length=st.just(3))
    assert reaches(strategy, lambda p: True).reason_min_length == 3


@settings(max_examples=100)
@given(bs.policies(ReschedulePolicy))
def test_reschedule_policy_late_window_never_raises_the_notice(
    policy: ReschedulePolicy,
) -> None:
    """A host's property: the late window only ever lowers a role's notice."""
    assert policy.reason_min_length <= policy.reason_max_length
    for role in (Role.STUDENT, Role.TEACHER, Role.ADMIN):
        assert policy.required_notice(role) <= policy.notice_for(role)
        if role in policy.late_request_roles:
            assert policy.required_notice(role) >= min(
                policy.minimum_notice, policy.notice_for(role)
            )


@settings(max_examples=100)
@given(bs.policies(RetryPolicy, attempts=st.integers(1, 30)))
def test_retry_policy_delays_are_capped(policy: RetryPolicy) -> None:
    delays = policy.delays()
    assert len(delays) == policy.attempts - 1
    assert all(0 <= d <= policy.max_delay.total_seconds() for d in delays)
    assert list(delays) == sorted(delays)


def test_retry_policy_delays_with_many_attempts() -> None:
    # Found by policies(RetryPolicy): the waits are capped before they overflow.
    assert RetryPolicy(attempts=200, factor=100).delays()[-1] == 5.0


# -- sessions ------------------------------------------------------------------------


@settings(max_examples=100)
@given(bs.sessions())
def test_session_seat_counts_add_up(session: Session) -> None:
    """A host's property: the counts a listing shows are consistent."""
    same_after_checks(session)
    seats = capacity.availability(session)
    assert seats.taken == seats.confirmed + seats.offered <= seats.capacity
    assert seats.remaining == seats.capacity - seats.taken
    assert seats.is_full is (seats.remaining == 0)
    if session.kind is SessionKind.ONE_ON_ONE:
        assert session.capacity == 1
        assert not session.waitlist_enabled
    assert (session.closed_at is not None) is session.is_terminal
    sequences = [offer.sequence for offer in session.seats.offers]
    sequences += [entry.sequence for entry in session.seats.waitlist]
    assert len(set(sequences)) == len(sequences)
    assert all(n < session.seats.next_sequence for n in sequences)


def test_sessions_reach_every_state() -> None:
    group = bs.sessions(kinds=[SessionKind.GROUP])
    full = reaches(
        group, lambda s: s.seats.taken == s.capacity and bool(s.seats.waitlist)
    )
    assert full.waitlist_enabled
    assert reaches(group, lambda s: bool(s.seats.offers)).seats.offered_seats > 0
    reaches(bs.sessions(), lambda s: s.pending_reschedule is not None)
    for status in SessionStatus:
        found = reaches(bs.sessions(statuses=[status]), lambda s: True)
        assert found.status is status
    completed = bs.sessions(statuses=[SessionStatus.COMPLETED])
    noted = reaches(completed, lambda s: bool(s.notes))
    assert noted.notes[0].author == noted.closed_by
    assert noted.notes[0].written_at == noted.closed_at


@settings(max_examples=60)
@given(bs.sessions(kinds=[SessionKind.GROUP], statuses=[SessionStatus.SCHEDULED]))
def test_the_last_seat(session: Session) -> None:
    """A host's property: the free seats can be booked, and then none are left."""
    before = capacity.availability(session)
    assume(before.remaining > 0 and not session.seats.waitlist)
    now = session.start - timedelta(minutes=1)
    student = Actor.student("st-last")
    decision = capacity.book(
        session,
        booking_id="b-last",
        student_id=student.user_id,
        seats=before.remaining,
        actor=student,
        now=now,
        policy=BookingPolicy(max_seats_per_booking=before.remaining),
    )
    full = decision.state.session
    after = capacity.availability(full)
    assert after.remaining == 0
    assert after.confirmed == before.confirmed + before.remaining
    late = Actor.student("st-late")
    book_one = functools.partial(
        capacity.book,
        full,
        booking_id="b-late",
        student_id=late.user_id,
        seats=1,
        actor=late,
        now=now,
    )
    if session.waitlist_enabled:
        waiting = book_one().state.session
        assert capacity.availability(waiting).waitlisted_seats == 1
    else:
        with pytest.raises(SeatsUnavailableError):
            book_one()
        assert capacity.availability(full) == after


# -- availability, slot requests, commitments ---------------------------------


@settings(max_examples=60)
@given(
    st.lists(bs.availability_items(st.just("Europe/London")), max_size=5),
    st.lists(bs.commitments(), max_size=5),
    bs.slot_requests(st.sampled_from(["Europe/London", "Asia/Kolkata"]), max_days=6),
)
@example(
    [
        WeeklyAvailability(
            weekday=6, start=time(0, 30), end=time(3), zone="Europe/London"
        ),
        WeeklyAvailability(weekday=6, start=time(23), end=time(1), zone="Asia/Kolkata"),
    ],
    [],
    SlotRequest(
        first_date=date(2026, 3, 29),  # London's spring-forward Sunday
        last_date=date(2026, 3, 29),
        zone="Europe/London",
        duration=timedelta(minutes=30),
    ),
)
def test_free_slots_lie_in_availability_and_avoid_blackouts(
    items: list[Any], held: list[Commitment], request: SlotRequest
) -> None:
    """A host's property: every slot is available, free and the asked length."""
    for item in (*items, *held, request):
        same_after_checks(item)
    now = datetime(2000, 1, 1, tzinfo=UTC)
    slots = free_slots(items, held, request, now=now)
    assert list(slots) == sorted(slots)
    away = [item.window for item in items if isinstance(item, Blackout)]
    for slot in slots:
        assert slot.duration == request.duration
        assert not any(slot.overlaps(window) for window in away)
        local = slot.start.astimezone(ZoneInfo(request.zone)).date()
        assert request.first_date <= local <= request.last_date


def test_availability_strategies_reach_their_edges() -> None:
    reaches(bs.weekly_availabilities(), lambda w: w.crosses_midnight)
    reaches(bs.weekly_availabilities(), lambda w: w.valid_until is not None)
    whole = reaches(bs.blackouts(), lambda b: b.window.duration >= timedelta(days=2))
    assert whole.window.duration >= timedelta(days=2)
    for kind in (WeeklyAvailability, OneTimeAvailability, Blackout):
        reaches(bs.availability_items(), functools.partial(is_a, kind))
    reaches(
        bs.slot_requests(), lambda r: r.horizon is not None and r.course is not None
    )


@settings(max_examples=60)
@given(
    st.lists(
        bs.commitments(
            windows=bs.time_windows(2026, 2026, max_duration=timedelta(days=120))
        ),
        max_size=8,
    )
)
def test_reported_conflicts_are_real(held: list[Commitment]) -> None:
    """A host's property: a conflict is two overlapping commitments of one person."""
    for conflict in find_conflicts(held):
        first, second = conflict.first, conflict.second
        assert first.window.overlaps(second.window)
        assert (first.ref_id, first.kind) != (second.ref_id, second.kind)
        if conflict.party == "teacher":
            assert first.teacher_id == second.teacher_id
        else:
            assert first.student_id == second.student_id is not None


def test_commitments_clash() -> None:
    pairs = st.lists(
        bs.commitments(windows=bs.time_windows(2026, 2026)), min_size=2, max_size=2
    )
    reaches(pairs, lambda pair: pair[0].window.overlaps(pair[1].window))
    reaches(bs.commitments(), lambda c: c.kind is CommitmentKind.GROUP_SESSION)


# -- money -------------------------------------------------------------------------


@settings(max_examples=150)
@given(bs.money(signed=True))
@example(Money(1, "INR"))  # the last paisa
@example(Money(-1, "KWD"))
def test_money_text_round_trips(amount: Money) -> None:
    """A host's property: ``str`` and ``Money.parse`` agree in every currency."""
    assert Money.parse(str(amount)) == amount
    assert Money.of(amount.to_decimal(), amount.currency) == amount


@pytest.mark.parametrize(
    ("kwargs", "low"),
    [({}, 0), ({"positive": True}, 1), ({"signed": True}, None)],
)
def test_money_signs(kwargs: dict[str, bool], low: int | None) -> None:
    @settings(max_examples=60)
    @given(bs.money("JPY", max_major=10, **kwargs))
    def check(amount: Money) -> None:
        assert amount.currency.code == "JPY"
        assert abs(amount.amount) <= 10
        if low is not None:
            assert amount.amount >= low

    check()
    if low is None:
        assert reaches(bs.money(signed=True), lambda m: m.amount < 0).amount < 0


@settings(max_examples=100)
@given(bs.amounts(signed=True))
@example((Decimal("0.001"), CURRENCIES["KWD"]))
@example((Decimal(5), CURRENCIES["JPY"]))
def test_amounts_respect_minor_units(pair: tuple[Decimal, Currency]) -> None:
    value, currency = pair
    assert -value.as_tuple().exponent <= currency.minor_unit  # type: ignore[operator]
    assert Money.of(value, currency).to_decimal() == value


@settings(max_examples=100)
@given(bs.split_inputs())
def test_split_parts_sum_to_the_gross(
    inputs: tuple[Money, SplitPolicy, GatewayFee | None],
) -> None:
    """A host's property: a split's parts are never negative and sum exactly."""
    gross, policy, fee = inputs
    same_after_checks(gross)
    same_after_checks(policy)
    if fee is not None:
        assert attrs.evolve(fee) == fee
        assert fee.fee.currency is gross.currency
    split = split_payment(gross, policy, fee)
    assert all(part.amount >= 0 for _, part in split.parts())
    assert sum(part.amount for _, part in split.parts()) == gross.amount


def test_split_inputs_cover_both_fee_sources() -> None:
    inputs = bs.split_inputs("INR")
    assert reaches(inputs, lambda t: t[2] is None)[0].currency.code == "INR"
    reaches(inputs, lambda t: t[2] is not None and t[2].fee.amount > 0)


def test_stored_money_combines_with_fresh_money() -> None:
    # Found by the round trip: decoding gives the shipped Currency instance.
    stored = loads(dumps(Money.of("1.00", "INR")))
    assert stored + Money.of("1.00", "INR") == Money.of("2.00", "INR")


# -- the generic builder behind policies() ------------------------------------


def seven(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value != 7:
        raise InvalidValueError(field=attribute.name, reason="must be 7", value=value)


ONE_RUPEE, NINE_RUPEES = Money.of("1.00", "INR"), Money.of("9.00", "INR")


@attrs.frozen(kw_only=True)
class Odd:
    fixed: int = attrs.field(default=7, validator=seven)
    blob: bytes = b"kept"
    maybe: int | bytes = 3
    listed: list[int] = attrs.Factory(list)
    pair: tuple[int, str] = (1, "a")
    bag: frozenset[Role] = frozenset()
    minimum: Money = ONE_RUPEE
    maximum: Money | bytes = NINE_RUPEES
    wait_min_s: timedelta = timedelta(0)
    wait_max_s: timedelta = timedelta(hours=1)


def test_policies_builds_any_attrs_settings() -> None:
    @settings(max_examples=60)
    @given(bs.policies(Odd))
    def check(odd: Odd) -> None:
        assert odd.fixed == 7
        assert odd.blob == b"kept"
        assert odd.maybe == 3
        assert odd.listed == []
        assert odd.wait_min_s <= odd.wait_max_s
        assert odd.minimum.currency is CURRENCIES["INR"]

    check()
    reaches(bs.policies(Odd), lambda o: o.pair != (1, "a"))
    reaches(bs.policies(Odd), lambda o: bool(o.bag))


@attrs.frozen(kw_only=True)
class Impossible:
    count: int = attrs.field(default=1)

    def __attrs_post_init__(self) -> None:
        raise InvalidValueError(field="count", reason="never valid", value=self.count)


def test_policies_gives_up_on_a_class_that_refuses_everything() -> None:
    with pytest.raises(Unsatisfiable):
        find(
            bs.policies(Impossible),
            lambda value: True,
            settings=settings(max_examples=5, database=None),
        )


def test_policies_needs_an_attrs_class() -> None:
    with pytest.raises(InvalidValueError, match="attrs class"):
        bs.policies(dict)
