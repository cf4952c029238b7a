"""Every ``$ booking-core ...`` example in docs/cli.md runs and prints what it shows."""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest

import booking_core
from booking_core.cli import main

DOC = Path(booking_core.__file__).parents[2] / "docs" / "cli.md"
BLOCK = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    examples: list[tuple[str, str]] = []
    for block in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            examples.append((command, output))
    return examples


EXAMPLES = _examples()


def test_the_page_has_examples_of_every_command() -> None:
    used = {shlex.split(command)[1] for command, _ in EXAMPLES}
    assert used == {"demo", "expand", "slots", "split"}
    assert all(shlex.split(command)[0] == "booking-core" for command, _ in EXAMPLES)


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=lambda v: v[13:60])
def test_documented_example(
    command: str,
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps to the terminal width
    status = main(shlex.split(command)[1:])
    out, err = capsys.readouterr()
    flags = doctest.ELLIPSIS
    if err.startswith("usage:"):  # argparse wraps it differently across versions
        flags |= doctest.NORMALIZE_WHITESPACE
    assert doctest.OutputChecker().check_output(expected, out + err, flags), (
        f"docs/cli.md: `{command}` printed\n{out}{err}"
    )
    if err.startswith("usage:"):
        assert (status, out) == (2, "")
    elif err:
        assert (status, out) == (1, "")
        assert err.startswith("booking-core: error [")
    else:
        assert status == 0
