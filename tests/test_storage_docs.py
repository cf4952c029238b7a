"""Every name the storage and framework pages use exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"
PAGES = ("repositories.md", "frameworks.md")
IMPORT = re.compile(r"^from (booking_core[\w.]*) import ([\w, ]+)$", re.MULTILINE)
DOTTED = re.compile(r"`(booking_core(?:\.\w+)+)`")


def _names() -> list[str]:
    found: set[str] = set()
    for page in PAGES:
        text = (DOCS / page).read_text()
        for module, names in IMPORT.findall(text):
            found.update(f"{module}.{name.strip()}" for name in names.split(","))
        found.update(DOTTED.findall(text))
    return sorted(found)


@pytest.mark.parametrize("dotted", _names())
def test_the_name_exists(dotted: str) -> None:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return
    pytest.fail(dotted)  # pragma: no cover - a broken page fails here
