"""JSON Schemas of the published events: one file per event and version, shipped.

``<name>.v<version>.json`` (``session.cancelled.v1.json``, in this package)
describes what :meth:`~booking_core.events.DomainEvent.to_dict` gives for that
event: the envelope (``name``, ``version``, ``event_id``, ``occurred_at``,
``actor``, ``aggregate_id``) and ``data``, the event's own fields, with every
value type once under ``$defs`` by its stable name (JSON Schema 2020-12). A
consumer in any language validates against these files; a later library that
changes an event's fields incompatibly ships the next version beside it.

The files are generated from the event classes (:func:`generate`,
``python tools/event_schemas.py`` writes them) and a test keeps the committed
ones equal to the generated ones; ``docs/events.md`` shows :func:`events_table`.

Example:
    >>> from booking_core.event_schemas import load_schema
    >>> schema = load_schema("session.cancelled")
    >>> schema["title"], schema["properties"]["name"]
    ('session.cancelled v1', {'const': 'session.cancelled'})
    >>> sorted(schema["properties"]["data"]["properties"])
    ['new_window', 'old_window', 'reason']
"""

from __future__ import annotations

import importlib.resources
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from booking_core._plain_types import json_schema, object_schema
from booking_core.actors import Actor
from booking_core.errors import InvalidValueError
from booking_core.events import ENVELOPE, DomainEvent, event_types

__all__ = [
    "DIALECT",
    "event_schema",
    "events_table",
    "file_name",
    "generate",
    "load_schema",
    "write",
]

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect of the files."""

_BASE: Final = frozenset({"occurred_at", "actor", "aggregate_id", "event_id"})


def file_name(name: str, version: int = 1) -> str:
    """The file of one event's schema: ``"session.cancelled.v1.json"``."""
    return f"{name}.v{version}.json"


def _summary(cls: type) -> str:
    """The first paragraph of ``cls``'s docstring, on one line, Markdown quotes."""
    text = (cls.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(text.split()).replace("``", "`")


def event_schema(cls: type[DomainEvent]) -> dict[str, Any]:
    """The JSON Schema of ``cls``'s :meth:`~DomainEvent.to_dict`, built from its fields.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a class that is not a
            library event.
    """
    names = {found: name for name, found in event_types().items()}
    name = names.get(cls)
    if name is None:
        raise InvalidValueError(
            field="cls", reason="must be a library event class", value=cls
        )
    defs: dict[str, Any] = {}
    properties = {
        "name": {"const": name},
        "version": {"const": cls.version},
        "event_id": json_schema(uuid.UUID, defs),
        "occurred_at": json_schema(datetime, defs),
        "actor": json_schema(Actor, defs),
        "aggregate_id": {"type": "string"},
        "data": object_schema(cls, defs, skip=_BASE),
    }
    return {
        "$schema": DIALECT,
        "$id": f"urn:booking-core:event:{name}:v{cls.version}",
        "title": f"{name} v{cls.version}",
        "description": _summary(cls),
        "type": "object",
        "properties": {key: properties[key] for key in ENVELOPE},
        "required": list(ENVELOPE),
        "additionalProperties": False,
        "$defs": dict(sorted(defs.items())),
    }


def generate() -> dict[str, str]:
    """Every event's schema file, as its text, by file name.

    Example:
        >>> files = generate()
        >>> "booking.seats_booked.v1.json" in files
        True
    """
    return {
        file_name(name, cls.version): json.dumps(event_schema(cls), indent=2) + "\n"
        for name, cls in event_types().items()
    }


def write(directory: Path | None = None) -> list[Path]:
    """Write :func:`generate`'s files into ``directory`` (default: this package).

    Files of events that no longer exist are removed.

    Returns:
        The paths written.
    """
    target = directory if directory is not None else Path(__file__).parent
    files = generate()
    for stale in target.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, text in files.items():
        path = target / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def load_schema(name: str, version: int = 1) -> dict[str, Any]:
    """The shipped schema of event ``name`` at ``version``.

    Raises:
        InvalidValueError: ``input.invalid_value`` when no such file ships.
    """
    resource = importlib.resources.files(__name__) / file_name(name, version)
    if not resource.is_file():
        raise InvalidValueError(
            field="name", reason=f"no schema of version {version} ships", value=name
        )
    loaded: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return loaded


def events_table() -> str:
    """The Markdown table of every event, as ``docs/events.md`` shows it.

    Returns:
        One row per event: stable name, version, class (and module), the fields
        under ``data``, and what happened (the class's summary).
    """
    rows = [
        "| name | version | class | data | what happened |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, cls in event_types().items():
        fields = event_schema(cls)["properties"]["data"]["properties"]
        shown = ", ".join(f"`{field}`" for field in fields) or "—"
        summary = _summary(cls)
        rows.append(
            f"| `{name}` | {cls.version} | `{cls.__name__}` (`{cls.__module__}`) "
            f"| {shown} | {summary} |"
        )
    return "\n".join(rows) + "\n"
