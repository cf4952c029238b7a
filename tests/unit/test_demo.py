"""``booking-core demo``: the story on SQLite, checked against docs/demo.md."""

from __future__ import annotations

import doctest
import io
import json
import re
import shlex
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import booking_core
from booking_core import _demo
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.attendance.model import AttendanceMark, attendee_id
from booking_core.bookings.model import BookingStatus
from booking_core.cli import main
from booking_core.sessions import SessionStatus

DOC = Path(booking_core.__file__).parents[2] / "docs" / "demo.md"
BLOCK = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    examples: list[tuple[str, str]] = []
    for block in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            examples.append((command, output))
    return examples


EXAMPLES = _examples()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_page_shows_the_whole_text_timeline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown = dict(EXAMPLES)
    assert set(shown) == {"booking-core demo", "booking-core demo --json"}
    status, out, err = run(capsys, "demo")
    assert (status, err) == (0, "")
    assert out == shown["booking-core demo"], (
        f"docs/demo.md is out of date; the demo now prints:\n{out}"
    )


@pytest.mark.parametrize(("command", "expected"), EXAMPLES)
def test_documented_example(
    command: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, *shlex.split(command)[1:])
    assert (status, err) == (0, "")
    assert doctest.OutputChecker().check_output(expected, out, doctest.ELLIPSIS), out


def test_the_output_is_the_same_on_every_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = run(capsys, "demo")
    assert run(capsys, "demo") == first


def test_json_lines_tell_the_same_story(capsys: pytest.CaptureFixture[str]) -> None:
    _, text, _ = run(capsys, "demo")
    status, out, err = run(capsys, "demo", "--json")
    assert (status, err) == (0, "")
    entries = [json.loads(line) for line in out.splitlines()]
    assert [e["what"] for e in entries] == [
        line[31:]
        for line in text.splitlines()
        if line[:3] in {"Mon", "Tue", "Thu", "Fri"}
    ]
    assert set(entries[0]) == {"at", "local", "who", "what", "details", "events"}
    assert entries[0]["at"] == "2026-06-01T04:30:00+00:00"
    assert entries[0]["local"] == "Mon 01 Jun 10:00 IST"
    instants = [datetime.fromisoformat(e["at"]) for e in entries]
    assert instants == sorted(instants)  # the clock only moves forward
    events = [name for e in entries for name in e["events"]]
    for name in (
        "session.scheduled",
        "booking.requested",
        "booking.confirmed",
        "session.reschedule_requested",
        "attendee.attendance_marked",
        "session.completed",
    ):
        assert name in events


def test_db_keeps_the_story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "week.sqlite3"
    status, out, err = run(capsys, "demo", "--db", str(path))
    assert (status, err) == (0, "")
    assert out.endswith(f"\nkept the database in {path}\n")
    database = SqliteDatabase(path)
    try:
        with SqliteUnitOfWork(database) as uow:
            sessions = uow.sessions
            group, lesson = sessions.get("class-1"), sessions.get("lesson-1")
            bookings = uow.bookings
            statuses = {b.id: b.status for b in bookings.of_session("class-1")} | {
                "one-1": bookings.get("one-1").status
            }
            cara = uow.attendees.get(attendee_id("class-1", "cara", "student"))
        names = [e.name for e in database.events()]
    finally:
        database.close()
    assert group.status is lesson.status is SessionStatus.COMPLETED
    moved_to = datetime(2026, 6, 4, 11, 30, tzinfo=timezone.utc)  # 17:00 IST
    assert lesson.window.start == moved_to
    # the completions ended the bookings: attended, or closed unseated
    assert statuses == {
        "seat-1": BookingStatus.ATTENDED,
        "seat-2": BookingStatus.CANCELLED,
        "seat-3": BookingStatus.ATTENDED,
        "seat-4": BookingStatus.CANCELLED,
        "one-1": BookingStatus.ATTENDED,
    }
    assert cara.attendance is AttendanceMark.LATE
    assert len(names) == 40
    assert names.count("booking.attended") == 3
    assert names[:2] == ["teacher_schedule.set", "session.scheduled"]


def test_a_second_run_on_the_same_db_is_refused_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "week.sqlite3"
    assert run(capsys, "demo", "--db", str(path))[0] == 0
    before = path.read_bytes()
    status, out, err = run(capsys, "demo", "--db", str(path))
    assert (status, out) == (1, "")
    assert err.startswith("booking-core: error [input.invalid_value]: --db is invalid")
    assert "new (or empty) file" in err
    assert path.read_bytes() == before
    status, out, err = run(capsys, "demo", "--db", str(tmp_path), "--json")
    assert (status, out) == (1, "")  # a directory is not a new file either
    assert "[input.invalid_value]" in err


def test_an_empty_existing_file_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    status, _, err = run(capsys, "demo", "--db", str(path), "--json")
    assert (status, err) == (0, "")
    assert path.stat().st_size > 0


def test_the_temporary_database_is_removed(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert run(capsys, "demo")[0] == 0
    assert list(tmp_path.iterdir()) == []


def test_a_refusal_mid_story_keeps_what_went_before(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a group class in the past: the library refuses to schedule it
    monkeypatch.setattr(_demo, "TUESDAY", date(2026, 5, 26))
    status, out, err = run(capsys, "demo")
    assert status == 1
    assert out.splitlines()[0].startswith("booking_core demo:")
    assert "opens 1:1 availability" in out
    assert "schedules the group class" not in out
    assert err.startswith("booking-core: error [sessions.start_in_past]: ")


def test_entry_lines_and_json() -> None:
    entry = _demo.Entry(
        at=_demo.START + timedelta(hours=1),
        who="ann",
        what="books",
        details=("one", "two"),
        events=("SeatBooked",),
    )
    assert entry.lines() == [
        "Mon 01 Jun 11:00 IST  ann      books",
        f"{'':29}one",
        f"{'':29}two",
    ]
    assert entry.to_json()["events"] == ["SeatBooked"]


def test_python_dash_m_demo_in_a_subprocess(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "booking_core", "demo", "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert len(done.stdout.splitlines()) > 20


def test_a_reader_leaving_the_pipe_ends_quietly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    class ClosedPipe(io.StringIO):
        def __init__(self, descriptor: int) -> None:
            super().__init__()
            self.descriptor = descriptor

        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            return self.descriptor

    with (tmp_path / "stdout").open("w") as target:
        monkeypatch.setattr(sys, "stdout", ClosedPipe(target.fileno()))
        assert main(["demo"]) == 1
