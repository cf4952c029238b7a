"""The ``booking-core`` command: try the library from a shell.

Sub-commands (``booking-core <command> --help`` for every option):

* ``demo``: an end-to-end story (availability, a group class with a waitlist,
  a 1:1 with approval, a reschedule, attendance, the money) on an SQLite file,
  printed as a timeline;
* ``expand``: an ``RRULE`` anchored on a local wall time in a zone, listed as
  occurrences in any viewer's zone;
* ``slots``: weekly availability windows given on the command line, turned into
  bookable slots for a duration and step, listed in any viewer's zone;
* ``split``: a payment split into commission, gateway fee (and its tax) and
  teacher share.

Every command prints readable text, or JSON with ``--json``. A refusal from the
library prints ``booking-core: error [<code>]: <message>`` on stderr and exits 1;
a malformed command line prints the usage and exits 2. The command is a thin
shell over the public API: whatever it prints, a host gets from the same calls.

Example:
    >>> main(["split", "700.00", "INR", "--fee", "16.52", "--tax", "2.52"])
    gross             700.00 INR
    commission         70.00 INR  (10% of gross)
    gateway fee        16.52 INR  (reported: 14.00 INR + tax 2.52 INR, borne by teacher)
    platform share     70.00 INR
    teacher share     613.48 INR
    0
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from booking_core._version import __version__
from booking_core.availability.commitments import Commitment, CommitmentKind
from booking_core.availability.slots import SlotRequest, free_slots, slots_in_zone
from booking_core.availability.windows import WeeklyAvailability
from booking_core.clock import SystemClock
from booking_core.errors import BookingCoreError
from booking_core.intervals import TimeWindow
from booking_core.money import Money
from booking_core.money.split import (
    FeeBearer,
    FeeSchedule,
    GatewayFee,
    PaymentSplit,
    SplitPolicy,
    split_payment,
)
from booking_core.recurrence import Occurrence, Recurrence, RecurrenceRule
from booking_core.zones import get_zone, require_aware, to_instant

__all__ = ["main"]

PROG = "booking-core"

_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mo", "mon", "monday"),
            ("tu", "tue", "tuesday"),
            ("we", "wed", "wednesday"),
            ("th", "thu", "thursday"),
            ("fr", "fri", "friday"),
            ("sa", "sat", "saturday"),
            ("su", "sun", "sunday"),
        )
    )
    for name in names
}

# -- argument types (syntax only: the library judges the values) -------------

_MAX_DIGITS = 9  # minutes and counts: far beyond any limit the library accepts


def _wall_datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a local date and time such as 2026-03-25T18:00"
        raise argparse.ArgumentTypeError(msg) from None
    if value.tzinfo is not None:
        msg = f"{text!r} has an offset; give the wall time and name the zone"
        raise argparse.ArgumentTypeError(msg)
    return value


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        msg = f"{text!r} is not an instant with an offset, e.g. 2026-06-01T09:00Z"
        raise argparse.ArgumentTypeError(msg)
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a date such as 2026-06-01"
        raise argparse.ArgumentTypeError(msg) from None


def _minutes(text: str) -> timedelta:
    if not text.isdigit() or len(text) > _MAX_DIGITS:
        msg = f"{text!r} is not a whole number of minutes"
        raise argparse.ArgumentTypeError(msg)
    return timedelta(minutes=int(text))


def _count(text: str) -> int:
    if not text.isdigit() or len(text) > _MAX_DIGITS or int(text) == 0:
        msg = f"{text!r} is not a positive whole number"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        msg = f"{text!r} is not a decimal number"
        raise argparse.ArgumentTypeError(msg)
    return value


def _rate(text: str) -> Decimal:
    if text.endswith("%"):
        try:
            return _decimal(text[:-1]) / 100
        except ArithmeticError:  # beyond the decimal context: no rate at all
            msg = f"{text!r} is not a percentage"
            raise argparse.ArgumentTypeError(msg) from None
    return _decimal(text)


def _clock_time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a wall time such as 09:00"
        raise argparse.ArgumentTypeError(msg) from None


# -- formatting ---------------------------------------------------------------


def _local(value: datetime) -> str:
    """``Mon 2026-06-01 09:00 BST`` for an aware datetime."""
    return value.strftime("%a %Y-%m-%d %H:%M %Z")


def _iso(value: datetime) -> str:
    return value.isoformat()


def _emit(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


# -- expand ---------------------------------------------------------------------


def _expand(args: argparse.Namespace) -> int:
    zone = get_zone(args.zone)
    viewer = get_zone(args.show_in) if args.show_in is not None else zone
    rule = RecurrenceRule.parse(args.rule)
    recurrence = Recurrence(
        rule=rule,
        # the wall time as given: the recurrence keeps it on every date and
        # resolves gaps and folds per occurrence (see docs/recurrence.md)
        start=args.start.replace(tzinfo=zone),
        duration=args.duration,
    )
    if args.between is not None:
        low, high = (to_instant(bound, viewer) for bound in args.between)
        found = recurrence.between(low, high)
    else:
        found = recurrence.occurrences()
    shown: list[Occurrence] = []
    truncated = False
    for occurrence in found:
        if len(shown) == args.limit:
            truncated = True
            break
        shown.append(occurrence)
    if args.json:
        _emit(
            {
                "rule": str(rule),
                "start": _iso(recurrence.start),
                "zone": zone.key,
                "shown_in": viewer.key,
                "occurrences": [_occurrence_json(o, viewer) for o in shown],
                "truncated": truncated,
            }
        )
        return 0
    print(f"{rule} from {args.start:%Y-%m-%d %H:%M} {zone.key}, shown in {viewer.key}:")
    for occurrence in shown:
        start = occurrence.start.astimezone(viewer)
        line = f"{occurrence.index:>4}  {_local(start)}"
        end = occurrence.end
        if end is not None:
            line += f" - {end.astimezone(viewer):%H:%M %Z}"
        print(line)
    if not shown:
        print("   (no occurrences)")
    if truncated:
        print(f"   ... more; showing the first {args.limit} (raise --limit)")
    return 0


def _occurrence_json(occurrence: Occurrence, viewer: ZoneInfo) -> dict[str, object]:
    end = occurrence.end
    return {
        "index": occurrence.index,
        "start": _iso(occurrence.start.astimezone(viewer)),
        "end": None if end is None else _iso(end.astimezone(viewer)),
        "moved": occurrence.moved,
    }


# -- slots ----------------------------------------------------------------------


def _weekly(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> list[WeeklyAvailability]:
    windows = []
    for day, span in args.weekly:
        weekday = _WEEKDAYS.get(day.lower())
        start_text, dash, end_text = span.partition("-")
        if weekday is None or not dash:
            parser.error(
                f"--weekly {day} {span}: give a weekday (MO..SU or Monday) and "
                "a wall-time range such as 09:00-12:00"
            )
        try:
            start, end = _clock_time(start_text), _clock_time(end_text)
        except argparse.ArgumentTypeError as error:
            parser.error(f"--weekly {day} {span}: {error}")
        windows.append(
            WeeklyAvailability(weekday=weekday, start=start, end=end, zone=args.zone)
        )
    return windows


def _slots(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    zone = get_zone(args.zone)
    viewer = get_zone(args.show_in) if args.show_in is not None else zone
    now = (
        SystemClock().now()
        if args.now is None
        else require_aware(args.now, field="now")
    )
    request = SlotRequest(
        first_date=args.first,
        last_date=args.last,
        zone=zone,
        duration=args.duration,
        step=args.step,
        minimum_notice=args.notice,
        buffer_before=args.buffer,
        buffer_after=args.buffer,
        max_per_day=args.max_per_day,
        non_overlapping=args.non_overlapping,
    )
    availability = _weekly(args, parser)
    busy = [
        Commitment(
            window=TimeWindow(
                start=to_instant(start, zone),
                end=to_instant(end, zone, disambiguate="later"),
            ),
            teacher_id="teacher",
            kind=CommitmentKind.ONE_ON_ONE,
            ref_id=f"busy-{number}",
        )
        for number, (start, end) in enumerate(args.busy or (), start=1)
    ]
    slots = free_slots(availability, busy, request, now=now)
    local = slots_in_zone(slots, viewer)
    if args.json:
        _emit(
            {
                "zone": zone.key,
                "shown_in": viewer.key,
                "duration_minutes": args.duration // timedelta(minutes=1),
                "slots": [{"start": _iso(s), "end": _iso(e)} for s, e in local],
            }
        )
        return 0
    minutes = args.duration // timedelta(minutes=1)
    print(
        f"{len(local)} slots of {minutes} min, {args.first} to {args.last} "
        f"({zone.key}), shown in {viewer.key}:"
    )
    for start, end in local:
        print(f"  {_local(start)} - {end:%H:%M %Z}")
    return 0


# -- split ------------------------------------------------------------------------


def _split(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.tax is not None and args.fee is None:
        parser.error("--tax needs --fee (the reported fee includes its tax)")
    gross = Money.of(args.gross, args.currency)
    schedule = FeeSchedule(
        percent=args.fee_percent,
        fixed=None
        if args.fee_fixed is None
        else Money.of(args.fee_fixed, gross.currency),
        tax_rate=args.fee_tax_rate,
    )
    policy = SplitPolicy(
        commission_rate=args.commission,
        fee_bearer=FeeBearer(args.bearer),
        fee_schedule=schedule,
    )
    reported = None
    if args.fee is not None:
        tax = Decimal(0) if args.tax is None else args.tax
        reported = GatewayFee(
            fee=Money.of(args.fee, gross.currency), tax=Money.of(tax, gross.currency)
        )
    split = split_payment(gross, policy, reported)
    if args.json:
        _emit(_split_json(split))
        return 0
    rate = f"{split.commission_rate * 100:f}".rstrip("0").rstrip(".")
    rows = [
        ("gross", split.gross, ""),
        ("commission", split.commission, f"{rate}% of gross"),
        (
            "gateway fee",
            split.gateway_fee,
            f"{split.fee_source.value}: {split.gateway_fee_net} + tax "
            f"{split.gateway_tax}, borne by {split.fee_bearer.value}",
        ),
        ("platform share", split.platform_share, ""),
        ("teacher share", split.teacher_share, ""),
    ]
    width = max(len(str(money)) for _, money, _ in rows)
    for label, money, note in rows:
        line = f"{label:<15}{money!s:>{width + 3}}"
        print(f"{line}  ({note})" if note else line)
    return 0


def _split_json(split: PaymentSplit) -> dict[str, object]:
    def money(value: Money) -> dict[str, object]:
        return {"amount": str(value.to_decimal()), "minor": value.amount}

    return {
        "currency": split.currency,
        "gross": money(split.gross),
        "commission": money(split.commission),
        "commission_rate": str(split.commission_rate),
        "gateway_fee": money(split.gateway_fee),
        "gateway_fee_net": money(split.gateway_fee_net),
        "gateway_tax": money(split.gateway_tax),
        "fee_source": split.fee_source.value,
        "fee_bearer": split.fee_bearer.value,
        "platform_share": money(split.platform_share),
        "teacher_share": money(split.teacher_share),
        "parts": {part.value: money(value) for part, value in split.parts()},
        "policy_version": split.policy_version,
    }


# -- demo -------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> int:
    # imported here: the other commands need no database, services or gateway
    from booking_core._demo import TEACHER_ZONE, Entry, run_demo

    started: list[Entry] = []

    def emit(entry: Entry) -> None:
        if args.json:
            print(json.dumps(entry.to_json(), ensure_ascii=False), flush=True)
            return
        if not started:  # the title once the story runs (not before a refusal)
            print(
                f"booking_core demo: a week of a teacher in {TEACHER_ZONE}, on SQLite"
            )
            print(f"(times in {TEACHER_ZONE}; ids are fixed: every run prints this)")
            print()
        started.append(entry)
        print("\n".join(entry.lines()), flush=True)

    run_demo(args.db, emit)
    if not args.json and args.db is not None:
        print()
        print(f"kept the database in {args.db}")
    return 0


# -- the parser -------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Try booking_core from a shell: run the end-to-end demo, expand "
            "recurrence rules, list free slots, split payments."
        ),
        epilog="Run 'booking-core COMMAND --help' for the options of a command.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo",
        help="run the end-to-end story on an SQLite file",
        description=(
            "Tell one week of a teacher's bookings through the library's services "
            "on an SQLite file: availability and a group class, bookings to "
            "capacity, the waitlist, a cancellation promoting the next student, a "
            "1:1 with approval, a reschedule, attendance with a late student, the "
            "payment split, escrow release, a withdrawal and reconciliation."
        ),
    )
    demo.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help=(
            "keep the SQLite file here (it must be new or empty; default: a "
            "temporary file, removed afterwards)"
        ),
    )
    demo.add_argument(
        "--json", action="store_true", help="print the timeline as JSON lines"
    )

    expand = commands.add_parser(
        "expand",
        help="list the occurrences of an RRULE",
        description=(
            "Anchor an RFC 5545 RRULE on a local wall time in a zone and list its "
            "occurrences, shown in a viewer's zone. Every occurrence keeps the "
            "start's wall time across DST."
        ),
    )
    expand.add_argument("rule", help='the rule, e.g. "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"')
    expand.add_argument(
        "--start",
        required=True,
        type=_wall_datetime,
        metavar="YYYY-MM-DDTHH:MM",
        help="the first occurrence, as a wall time in --zone (no offset)",
    )
    expand.add_argument(
        "--zone", required=True, help="the IANA zone of the rule (Europe/London)"
    )
    expand.add_argument(
        "--show-in",
        metavar="ZONE",
        help="show the occurrences in this IANA zone (default: --zone)",
    )
    expand.add_argument(
        "--duration",
        type=_minutes,
        metavar="MINUTES",
        help="length of each occurrence, to show its end",
    )
    expand.add_argument(
        "--limit",
        type=_count,
        default=50,
        metavar="N",
        help="show at most N occurrences (default 50)",
    )
    expand.add_argument(
        "--between",
        nargs=2,
        type=_wall_datetime,
        metavar=("FROM", "TO"),
        help=(
            "only occurrences starting in [FROM, TO): wall times (or dates, "
            "meaning midnight) in the --show-in zone"
        ),
    )
    expand.add_argument("--json", action="store_true", help="print JSON")

    slots = commands.add_parser(
        "slots",
        help="list bookable slots from weekly availability",
        description=(
            "Turn weekly wall-clock windows in a teacher's zone into the slots a "
            "student can book, shown in a viewer's zone."
        ),
    )
    slots.add_argument(
        "--weekly",
        nargs=2,
        action="append",
        required=True,
        metavar=("DAY", "HH:MM-HH:MM"),
        help=(
            "a weekly window, e.g. --weekly MO 09:00-12:00 (repeat it; an end "
            "before the start crosses midnight)"
        ),
    )
    slots.add_argument("--zone", required=True, help="the teacher's IANA zone")
    slots.add_argument(
        "--from",
        dest="first",
        required=True,
        type=_date,
        metavar="DATE",
        help="first local date (in --zone)",
    )
    slots.add_argument(
        "--to",
        dest="last",
        required=True,
        type=_date,
        metavar="DATE",
        help="last local date, inclusive",
    )
    slots.add_argument(
        "--duration",
        required=True,
        type=_minutes,
        metavar="MINUTES",
        help="slot length",
    )
    slots.add_argument(
        "--step",
        type=_minutes,
        default=timedelta(minutes=30),
        metavar="MINUTES",
        help="slots start on multiples of this after local midnight (default 30)",
    )
    slots.add_argument(
        "--show-in",
        metavar="ZONE",
        help="show the slots in this zone (default: --zone)",
    )
    slots.add_argument(
        "--now",
        type=_instant,
        metavar="INSTANT",
        help="the current instant, e.g. 2026-05-01T00:00Z (default: the clock)",
    )
    slots.add_argument(
        "--notice",
        type=_minutes,
        default=timedelta(0),
        metavar="MINUTES",
        help="minimum notice after --now (default 0)",
    )
    slots.add_argument(
        "--busy",
        nargs=2,
        action="append",
        type=_wall_datetime,
        metavar=("FROM", "TO"),
        help=(
            "time the teacher already committed, as wall times in --zone (repeat "
            "it); slots avoid it"
        ),
    )
    slots.add_argument(
        "--buffer",
        type=_minutes,
        default=timedelta(0),
        metavar="MINUTES",
        help="keep this long free before and after each --busy (default 0)",
    )
    slots.add_argument(
        "--max-per-day",
        type=_count,
        metavar="N",
        help="no slots on a local day that already holds N --busy commitments",
    )
    slots.add_argument(
        "--non-overlapping",
        action="store_true",
        help="slots that do not overlap each other (earliest first)",
    )
    slots.add_argument("--json", action="store_true", help="print JSON")

    split = commands.add_parser(
        "split",
        help="split a payment into its parts",
        description=(
            "Split a gross payment into platform commission, gateway fee (with its "
            "tax) and teacher share; the parts sum exactly to the gross. Without "
            "--fee the fee is estimated from the fee schedule options."
        ),
    )
    split.add_argument("gross", help="what the payer paid, e.g. 700.00")
    split.add_argument("currency", help="ISO 4217 code, e.g. INR")
    split.add_argument(
        "--commission",
        type=_rate,
        default=Decimal("0.10"),
        metavar="RATE",
        help="commission rate, 0.10 or 10%% (default 10%%)",
    )
    split.add_argument(
        "--bearer",
        choices=[b.value for b in FeeBearer],
        default=FeeBearer.TEACHER.value,
        help="who bears the gateway fee (default teacher)",
    )
    split.add_argument(
        "--fee",
        type=_decimal,
        metavar="AMOUNT",
        help="the fee the gateway reported, tax included",
    )
    split.add_argument(
        "--tax",
        type=_decimal,
        metavar="AMOUNT",
        help="the tax inside the reported fee (default 0)",
    )
    split.add_argument(
        "--fee-percent",
        type=_rate,
        default=Decimal("0.02"),
        metavar="RATE",
        help="estimated fee rate of the gross (default 2%%)",
    )
    split.add_argument(
        "--fee-fixed",
        type=_decimal,
        metavar="AMOUNT",
        help="estimated fixed fee per payment (default none)",
    )
    split.add_argument(
        "--fee-tax-rate",
        type=_rate,
        default=Decimal("0.18"),
        metavar="RATE",
        help="estimated tax on the fee (default 18%%)",
    )
    split.add_argument("--json", action="store_true", help="print JSON")

    demo.set_defaults(run=lambda a, _p: _demo(a), parser=demo)
    expand.set_defaults(run=lambda a, _p: _expand(a), parser=expand)
    slots.set_defaults(run=_slots, parser=slots)
    split.set_defaults(run=_split, parser=split)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``booking-core`` command.

    Args:
        argv: The arguments after the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 1 when the library refused the input
        (its code and message are printed on stderr), 2 for a malformed command
        line (the usage is printed on stderr).

    Example:
        >>> main(["expand", "FREQ=DAILY;COUNT=2", "--start", "2026-03-28T01:30",
        ...       "--zone", "Europe/London"])
        FREQ=DAILY;COUNT=2 from 2026-03-28 01:30 Europe/London, shown in Europe/London:
           0  Sat 2026-03-28 01:30 GMT
           1  Sun 2026-03-29 02:30 BST
        0
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace, argparse.ArgumentParser], int] = args.run
        return run(args, args.parser)
    except SystemExit as exit_:  # argparse: --help, --version, usage errors
        return int(exit_.code or 0)
    except BookingCoreError as error:
        print(f"{PROG}: error [{error.code}]: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader left (``booking-core demo | head``): stop without a
        # traceback, and keep the interpreter's final flush off the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (OSError, sqlite3.Error) as error:  # the demo's database file
        print(f"{PROG}: error [storage]: {error}", file=sys.stderr)
        return 1
