"""The ``booking-core`` command, run in-process through ``main``."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import booking_core
from booking_core.cli import main
from booking_core.money import Money
from booking_core.money.split import GatewayFee, SplitPolicy, split_payment


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    status, out, err = run(capsys, *argv, "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


# -- help and usage -------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["demo"], ["expand"], ["slots"], ["split"]])
def test_every_command_has_help(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    status, out, err = run(capsys, *command, "--help")
    assert status == 0
    assert out.startswith("usage: booking-core")
    assert err == ""


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out.strip() == f"booking-core {booking_core.__version__}"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys)
    assert (status, out) == (2, "")
    assert "usage: booking-core" in err


DAILY = ["expand", "FREQ=DAILY", "--zone", "UTC", "--start", "2026-06-01T09:00"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["expand", "FREQ=DAILY", "--zone", "UTC", "--start", "soon"], "local date"),
        (
            ["expand", "FREQ=DAILY", "--zone", "UTC", "--start", "2026-06-01T09:00Z"],
            "has an offset",
        ),
        (
            [*DAILY, "--limit", "0"],
            "positive whole number",
        ),
        (
            [*DAILY, "--duration", "1h"],
            "whole number of minutes",
        ),
        (["slots", "--weekly", "XX", "09:00-10:00"], "give a weekday"),
        (["slots", "--weekly", "MO", "09:00"], "give a weekday"),
        (["slots", "--weekly", "MO", "9h-10:00"], "not a wall time"),
        (["slots", "--weekly", "MO", "09:00-10:00", "--from", "June"], "not a date"),
        (["slots", "--weekly", "MO", "09:00-10:00", "--now", "later"], "an instant"),
        (
            ["slots", "--weekly", "MO", "09:00-10:00", "--now", "2026-06-01T09:00"],
            "an instant",
        ),
        (["split", "700", "INR", "--fee", "lots"], "not a decimal number"),
        (["split", "700", "INR", "--fee", "Infinity"], "not a decimal number"),
        (["split", "700", "INR", "--tax", "2.52"], "--tax needs --fee"),
        (["split", "700", "INR", "--bearer", "nobody"], "invalid choice"),
    ],
)
def test_malformed_command_lines_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    complete = {
        "slots": [
            "--zone",
            "UTC",
            "--from",
            "2026-06-01",
            "--to",
            "2026-06-01",
            "--duration",
            "30",
        ]
    }.get(argv[0], [])
    status, out, err = run(capsys, *argv, *complete)
    assert status == 2
    assert out == ""
    assert "usage: booking-core" in err
    assert message in err


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (
            ["expand", "FREQ=DAILY", "--zone", "Mars/Base", "--start", "2026-06-01"],
            "time.unknown_zone",
        ),
        (
            ["expand", "FREQ=HOURLY", "--zone", "UTC", "--start", "2026-06-01"],
            "recurrence.",
        ),
        (
            [
                "slots",
                "--weekly",
                "MO",
                "09:00-10:00",
                "--zone",
                "UTC",
                "--from",
                "2026-06-02",
                "--to",
                "2026-06-01",
                "--duration",
                "30",
            ],
            "input.invalid_value",
        ),
        (["split", "0", "INR"], "money.invalid_amount"),
        (["split", "700", "XXX"], "money.unknown_currency"),
        (["split", "1", "INR", "--commission", "50%", "--fee", "1"], "money.amount"),
        (["split", "700", "INR", "--commission", "1.5"], "input.invalid_value"),
        (["split", "700", "INR", "--fee", "1", "--tax", "2"], "money.invalid_amount"),
    ],
)
def test_refusals_print_code_and_message_and_exit_1(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 1
    assert out == ""
    assert err.startswith(f"booking-core: error [{code}")
    assert len(err.strip().splitlines()) == 1
    assert len(err.split("]: ", 1)[1]) > 20  # the library's message follows


# -- expand -----------------------------------------------------------------------


def test_expand_keeps_wall_time_across_london_dst(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(
        capsys,
        "expand",
        "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
        "--start",
        "2026-03-25T18:00",
        "--zone",
        "Europe/London",
    )
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "FREQ=WEEKLY;COUNT=4;BYDAY=MO,WE from 2026-03-25 18:00 Europe/London, "
        "shown in Europe/London:",
        "   0  Wed 2026-03-25 18:00 GMT",
        "   1  Mon 2026-03-30 18:00 BST",
        "   2  Wed 2026-04-01 18:00 BST",
        "   3  Mon 2026-04-06 18:00 BST",
    ]


def test_expand_shown_in_kolkata_moves_with_london_dst(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = run_json(
        capsys,
        "expand",
        "FREQ=WEEKLY;COUNT=2",
        "--start",
        "2026-03-25T18:00",
        "--zone",
        "Europe/London",
        "--show-in",
        "Asia/Kolkata",
        "--duration",
        "90",
    )
    assert data == {
        "rule": "FREQ=WEEKLY;COUNT=2",
        "start": "2026-03-25T18:00:00+00:00",
        "zone": "Europe/London",
        "shown_in": "Asia/Kolkata",
        "occurrences": [
            {
                "index": 0,
                "start": "2026-03-25T23:30:00+05:30",
                "end": "2026-03-26T01:00:00+05:30",
                "moved": False,
            },
            {
                "index": 1,
                "start": "2026-04-01T22:30:00+05:30",
                "end": "2026-04-02T00:00:00+05:30",
                "moved": False,
            },
        ],
        "truncated": False,
    }


def test_expand_text_shows_end_with_duration(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(
        capsys,
        "expand",
        "FREQ=DAILY;COUNT=1",
        "--start",
        "2026-10-25T01:30",
        "--zone",
        "Europe/London",
        "--duration",
        "60",
    )
    # 01:30 is in the fold: the earlier reading (BST); an hour later is GMT
    assert out.splitlines()[1] == "   0  Sun 2026-10-25 01:30 BST - 01:30 GMT"


def test_expand_gap_start_moves_forward_only_on_the_gap_day(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = run_json(
        capsys,
        "expand",
        "FREQ=DAILY;COUNT=3",
        "--start",
        "2026-03-28T01:30",
        "--zone",
        "Europe/London",
    )
    occurrences = data["occurrences"]
    assert isinstance(occurrences, list)
    assert [o["start"] for o in occurrences] == [
        "2026-03-28T01:30:00+00:00",
        "2026-03-29T02:30:00+01:00",
        "2026-03-30T01:30:00+01:00",
    ]


def test_expand_limit_truncates_unbounded_rules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(
        capsys,
        "expand",
        "FREQ=MONTHLY;BYMONTHDAY=29",
        "--start",
        "2028-01-29T09:00",
        "--zone",
        "Asia/Kolkata",
        "--limit",
        "3",
    )
    assert status == 0
    lines = out.splitlines()
    # Feb 29 exists in 2028
    assert lines[1:] == [
        "   0  Sat 2028-01-29 09:00 IST",
        "   1  Tue 2028-02-29 09:00 IST",
        "   2  Wed 2028-03-29 09:00 IST",
        "   ... more; showing the first 3 (raise --limit)",
    ]
    data = run_json(
        capsys,
        "expand",
        "FREQ=MONTHLY;BYMONTHDAY=29",
        "--start",
        "2027-01-29T09:00",
        "--zone",
        "Asia/Kolkata",
        "--limit",
        "2",
    )
    occurrences = data["occurrences"]
    assert isinstance(occurrences, list)
    # 2027 is a common year: no Feb 29, and it is not counted
    assert [o["index"] for o in occurrences] == [0, 1]
    assert occurrences[1]["start"] == "2027-03-29T09:00:00+05:30"
    assert data["truncated"] is True


def test_expand_between_reads_bounds_in_the_viewer_zone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [
        "expand",
        "FREQ=DAILY",
        "--start",
        "2026-06-01T20:00",
        "--zone",
        "Europe/London",
        "--show-in",
        "Asia/Kolkata",
        "--between",
        "2026-06-10",
        "2026-06-12",
    ]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    # 20:00 London is 00:30 the next day in Kolkata
    assert out.splitlines()[1:] == [
        "   8  Wed 2026-06-10 00:30 IST",
        "   9  Thu 2026-06-11 00:30 IST",
    ]


def test_expand_nothing_found(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys,
        "expand",
        "FREQ=DAILY;COUNT=2",
        "--start",
        "2026-06-01T09:00",
        "--zone",
        "UTC",
        "--between",
        "2027-01-01",
        "2027-02-01",
    )
    assert out.splitlines()[1:] == ["   (no occurrences)"]


# -- slots ------------------------------------------------------------------------

SLOTS = [
    "slots",
    "--weekly",
    "SU",
    "01:00-03:00",
    "--weekly",
    "monday",
    "09:00-10:30",
    "--zone",
    "Europe/London",
    "--from",
    "2026-03-29",
    "--to",
    "2026-03-30",
    "--duration",
    "45",
    "--now",
    "2026-03-01T00:00Z",
]


def test_slots_on_spring_forward_day_shown_in_kolkata(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, *SLOTS, "--show-in", "Asia/Kolkata")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "3 slots of 45 min, 2026-03-29 to 2026-03-30 (Europe/London), "
        "shown in Asia/Kolkata:",
        # Sunday 01:00-03:00 London is one real hour (02:00-03:00 BST)
        "  Sun 2026-03-29 06:30 IST - 07:15 IST",
        "  Mon 2026-03-30 13:30 IST - 14:15 IST",
        "  Mon 2026-03-30 14:00 IST - 14:45 IST",
    ]


def test_slots_options_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(
        capsys,
        *SLOTS,
        "--step",
        "15",
        "--notice",
        "60",
        "--max-per-day",
        "5",
        "--non-overlapping",
    )
    assert data == {
        "zone": "Europe/London",
        "shown_in": "Europe/London",
        "duration_minutes": 45,
        "slots": [
            {"start": "2026-03-29T02:00:00+01:00", "end": "2026-03-29T02:45:00+01:00"},
            {"start": "2026-03-30T09:00:00+01:00", "end": "2026-03-30T09:45:00+01:00"},
            {"start": "2026-03-30T09:45:00+01:00", "end": "2026-03-30T10:30:00+01:00"},
        ],
    }


def test_slots_honour_notice_after_now(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a if a != "2026-03-01T00:00Z" else "2026-03-30T08:00+00:00" for a in SLOTS]
    data = run_json(capsys, *argv, "--notice", "30")
    slots = data["slots"]
    assert isinstance(slots, list)
    # now 09:00 BST + 30 min notice: the first slot starts at 09:30 BST
    assert [s["start"] for s in slots] == ["2026-03-30T09:30:00+01:00"]


def test_slots_default_now_is_the_clock(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*SLOTS[:-2]]
    argv[argv.index("2026-03-29")] = "2000-01-02"
    argv[argv.index("2026-03-30")] = "2000-01-03"
    data = run_json(capsys, *argv)
    assert data["slots"] == []  # every slot of 2000 is in the past


def test_slots_busy_time_in_the_fold_blocks_both_readings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = run_json(
        capsys,
        "slots",
        "--weekly",
        "SU",
        "00:00-03:00",
        "--zone",
        "Europe/London",
        "--from",
        "2026-10-25",
        "--to",
        "2026-10-25",
        "--duration",
        "60",
        "--now",
        "2026-10-01T00:00Z",
        "--busy",
        "2026-10-25T01:00",
        "2026-10-25T02:00",
    )
    # 01:00-02:00 happens twice on fall-back day; busy covers both readings
    assert data["slots"] == [
        {"start": "2026-10-25T00:00:00+01:00", "end": "2026-10-25T01:00:00+01:00"},
        {"start": "2026-10-25T02:00:00+00:00", "end": "2026-10-25T03:00:00+00:00"},
    ]


def test_slots_busy_with_buffer_and_daily_cap_in_kolkata(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [
        "slots",
        "--weekly",
        "TU",
        "10:00-13:00",
        "--zone",
        "Asia/Kolkata",
        "--from",
        "2026-06-02",
        "--to",
        "2026-06-09",
        "--duration",
        "60",
        "--now",
        "2026-06-01T00:00Z",
        "--busy",
        "2026-06-02T11:00",
        "2026-06-02T11:30",
    ]
    data = run_json(capsys, *argv, "--buffer", "30")
    slots = data["slots"]
    assert isinstance(slots, list)
    assert [s["start"][:16] for s in slots] == [
        "2026-06-02T12:00",
        "2026-06-09T10:00",
        "2026-06-09T10:30",
        "2026-06-09T11:00",
        "2026-06-09T11:30",
        "2026-06-09T12:00",
    ]
    capped = run_json(capsys, *argv, "--max-per-day", "1")
    capped_slots = capped["slots"]
    assert isinstance(capped_slots, list)
    assert {s["start"][:10] for s in capped_slots} == {"2026-06-09"}


def test_slots_busy_that_ends_before_it_starts_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(
        capsys, *SLOTS, "--busy", "2026-03-30T10:00", "2026-03-30T09:00"
    )
    assert (status, out) == (1, "")
    assert err.startswith("booking-core: error [time.invalid_window]: ")


# -- split ------------------------------------------------------------------------


def test_split_reported_fee_text(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "split", "700.00", "INR", "--fee", "16.52", "--tax", "2.52"
    )
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "gross             700.00 INR",
        "commission         70.00 INR  (10% of gross)",
        "gateway fee        16.52 INR  (reported: 14.00 INR + tax 2.52 INR, "
        "borne by teacher)",
        "platform share     70.00 INR",
        "teacher share     613.48 INR",
    ]


def test_split_json_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(
        capsys,
        "split",
        "700.00",
        "INR",
        "--commission",
        "12.5%",
        "--bearer",
        "platform",
        "--fee",
        "16.52",
    )
    expected = split_payment(
        Money.of("700.00", "INR"),
        SplitPolicy(commission_rate=Decimal("0.125"), fee_bearer="platform"),
        GatewayFee(fee=Money.of("16.52", "INR"), tax=Money.zero("INR")),
    )
    assert data["commission"] == {"amount": "87.50", "minor": 8750}
    assert data["platform_share"] == {
        "amount": str(expected.platform_share.to_decimal()),
        "minor": expected.platform_share.amount,
    }
    assert data["teacher_share"] == {"amount": "612.50", "minor": 61250}
    assert data["gateway_tax"] == {"amount": "0.00", "minor": 0}
    assert data["fee_source"] == "reported"
    assert data["fee_bearer"] == "platform"
    assert data["commission_rate"] == "0.125"
    parts = data["parts"]
    assert isinstance(parts, dict)
    assert sum(p["minor"] for p in parts.values()) == 70000  # last paisa


def test_split_estimated_fee_with_fixed_part(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = run_json(
        capsys,
        "split",
        "1000",
        "JPY",
        "--fee-percent",
        "3.6%",
        "--fee-fixed",
        "30",
        "--fee-tax-rate",
        "0.1",
    )
    # net fee = 36 + 30 = 66 yen, tax 6.6 -> 7 yen (half-up), fee 73 yen
    assert data["gateway_fee"] == {"amount": "73", "minor": 73}
    assert data["gateway_tax"] == {"amount": "7", "minor": 7}
    assert data["fee_source"] == "estimated"
    assert data["teacher_share"] == {"amount": "827", "minor": 827}


def test_split_last_paisa(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "split", "0.01", "INR", "--commission", "0")
    parts = data["parts"]
    assert isinstance(parts, dict)
    assert sum(p["minor"] for p in parts.values()) == 1


# -- entry points -----------------------------------------------------------------


def test_python_dash_m_runs_main(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["booking_core", "split", "100", "INR"])
    with pytest.raises(SystemExit) as exit_:
        # what `python -m booking_core` runs, named as its module for coverage
        runpy.run_path(
            str(Path(booking_core.__file__).with_name("__main__.py")),
            run_name="booking_core.__main__",
        )
    assert exit_.value.code == 0
    assert "teacher share" in capsys.readouterr().out


def test_python_dash_m_help_in_a_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "booking_core", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: booking-core")
    for command in ("expand", "slots", "split"):
        assert command in done.stdout
