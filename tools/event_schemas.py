"""Regenerate the shipped event schemas and the events table of ``docs/events.md``.

Run after changing an event's fields (or its docstring's first paragraph)::

    python tools/event_schemas.py

It writes ``src/booking_core/event_schemas/<name>.v<version>.json`` for every
event (removing files of events that are gone) and replaces the table between
the ``events-table`` markers of ``docs/events.md``.
``tests/unit/test_event_schema.py`` fails while either is stale.
"""

from __future__ import annotations

from pathlib import Path

from booking_core.event_schemas import events_table, write

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- events-table:begin -->\n", "<!-- events-table:end -->"


def main() -> None:
    """Write the schema files and the docs table."""
    written = write(ROOT / "src" / "booking_core" / "event_schemas")
    doc = ROOT / "docs" / "events.md"
    text = doc.read_text(encoding="utf-8")
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    doc.write_text(text[:start] + events_table() + text[stop:], encoding="utf-8")
    print(f"wrote {len(written)} schema files and the table of {doc.name}")


if __name__ == "__main__":
    main()
