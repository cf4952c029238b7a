"""Domain events and decisions: the audit trail of everything that happens.

Every state change returns a :class:`Decision`: the new state of the aggregate
and the frozen events that describe the change (who, what, when and why).
Concept modules subclass :class:`DomainEvent` with past-tense names
(``SeatBooked``, ``SessionCancelled``); the unit of work publishes them after
commit.

Example:
    >>> from datetime import datetime, timezone
    >>> from booking_core.actors import Actor
    >>> from booking_core.events import Decision, DomainEvent
    >>> event = DomainEvent(
    ...     occurred_at=datetime(2026, 6, 1, 9, tzinfo=timezone.utc),
    ...     actor=Actor.system(),
    ...     aggregate_id="session-1",
    ... )
    >>> event.name, event.version
    ('domain_event', 1)
    >>> Decision(state="new state", events=(event,)).events[0].aggregate_id
    'session-1'
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Final, Generic, TypeVar, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import utc_instant, valid_key
from booking_core.actors import Actor
from booking_core.errors import InvalidEventError

__all__ = ["ENVELOPE", "Decision", "DomainEvent", "event_types"]

ENVELOPE: Final = (
    "name",
    "version",
    "event_id",
    "occurred_at",
    "actor",
    "aggregate_id",
    "data",
)
"""The keys of :meth:`DomainEvent.to_dict`, in order; the event's own fields go
under ``data``."""

_BASE_FIELDS: Final = frozenset({"occurred_at", "actor", "aggregate_id", "event_id"})

S_co = TypeVar("S_co", covariant=True)

# Event class -> its name (the outbox writes one per event; a class never moves).
_NAMES: dict[type, str] = {}


def _occurred_at(value: datetime) -> datetime:
    return utc_instant(value, "occurred_at")


@attrs.frozen(kw_only=True, repr=False)
class DomainEvent:
    """Something that happened to an aggregate; the base of every event.

    Attributes:
        occurred_at: When it happened (aware, stored in UTC): the ``now`` of the
            decision that produced it.
        actor: Who caused it.
        aggregate_id: The id of the aggregate it happened to.
        event_id: A unique id, for de-duplication by consumers (random by default).
    """

    __repr__ = fields_repr

    version: ClassVar[int] = 1
    """The version of the event's JSON shape (:meth:`to_dict`); a subclass raises
    it when it changes a field incompatibly."""

    occurred_at: datetime = attrs.field(converter=_occurred_at)
    actor: Actor
    aggregate_id: str = attrs.field(validator=valid_key)
    event_id: uuid.UUID = attrs.field(factory=uuid.uuid4)

    @property
    def name(self) -> str:
        """The event's stable name, e.g. ``"booking.seats_booked"``.

        Taken from :mod:`booking_core.type_names`, so it never follows a module
        move. An event class missing there (a host's own) is named by its
        ``"module:qualname"``, and :meth:`from_dict` does not know it.
        """
        cls = type(self)
        name = _NAMES.get(cls)
        if name is None:
            from booking_core._plain_types import stable_name

            name = _NAMES[cls] = (
                stable_name(cls) or f"{cls.__module__}:{cls.__qualname__}"
            )
        return name

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON types only, for queues, webhooks and other languages.

        Returns:
            ``name``, ``version``, ``event_id`` (a UUID string), ``occurred_at``
            (ISO 8601, UTC), ``actor`` (``{"user_id", "role"}``),
            ``aggregate_id`` and ``data``: the event's own fields rendered as
            the errors render their details (datetimes ISO 8601, durations
            ISO 8601, ``Money`` as ``{"amount": "10.50", "currency": "INR"}``,
            enums as values, attrs values as objects of their fields). The
            shape of each event is the JSON Schema shipped in
            :mod:`booking_core.event_schemas`.

        Example:
            >>> import json, uuid
            >>> from datetime import datetime, timezone
            >>> from booking_core.sessions.events import SessionCancelled
            >>> from booking_core.intervals import TimeWindow
            >>> at = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
            >>> event = SessionCancelled(
            ...     occurred_at=at, actor=Actor.teacher("t-1"), aggregate_id="s-1",
            ...     event_id=uuid.UUID(int=7), reason="ill", old_window=None,
            ...     new_window=TimeWindow(start=at, end=at.replace(hour=10)),
            ... )
            >>> print(json.dumps(event.to_dict(), indent=1))
            {
             "name": "session.cancelled",
             "version": 1,
             "event_id": "00000000-0000-0000-0000-000000000007",
             "occurred_at": "2026-06-01T09:00:00+00:00",
             "actor": {
              "user_id": "t-1",
              "role": "teacher"
             },
             "aggregate_id": "s-1",
             "data": {
              "reason": "ill",
              "old_window": null,
              "new_window": {
               "start": "2026-06-01T09:00:00+00:00",
               "end": "2026-06-01T10:00:00+00:00"
              }
             }
            }
            >>> DomainEvent.from_dict(event.to_dict()) == event
            True
        """
        from booking_core._plain import plain

        fields = plain(self)
        return {
            "name": self.name,
            "version": self.version,
            "event_id": fields.pop("event_id"),
            "occurred_at": fields.pop("occurred_at"),
            "actor": fields.pop("actor"),
            "aggregate_id": fields.pop("aggregate_id"),
            "data": fields,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DomainEvent:
        """The exact event :meth:`to_dict` rendered.

        Called on :class:`DomainEvent`, reads any library event (by ``name``);
        called on an event class, reads only that event.

        Args:
            data: The JSON object (parsed).

        Returns:
            The event, equal to the one rendered.

        Raises:
            InvalidEventError: ``events.invalid_event``; ``details["field"]``
                names what is wrong: ``name`` (unknown, or another event than
                the class called), ``version`` (not the class's), a missing or
                unknown key, or a field inside (``data.new_window.start``).

        Example:
            >>> DomainEvent.from_dict({"name": "session.vanished"})
            Traceback (most recent call last):
            ...
            booking_core.errors.InvalidEventError: event name is invalid: ...
        """
        if not isinstance(data, Mapping):
            raise InvalidEventError(field="event", reason="expected an object")
        target = _event_class(data.get("name"), cls)
        for key in data:
            if key not in ENVELOPE:
                raise InvalidEventError(field=str(key)[:100], reason="unknown field")
        for key in ENVELOPE:
            if key not in data:
                raise InvalidEventError(field=key, reason="missing")
        version = data["version"]
        if type(version) is not int or version != target.version:
            raise InvalidEventError(
                field="version",
                reason=f"this library reads {data['name']} version {target.version}",
            )
        from booking_core._plain_types import build, field_values, from_plain

        values = field_values(target, data["data"], "data", skip=_BASE_FIELDS)
        values.update(
            occurred_at=from_plain(datetime, data["occurred_at"], "occurred_at"),
            actor=from_plain(Actor, data["actor"], "actor"),
            aggregate_id=from_plain(str, data["aggregate_id"], "aggregate_id"),
            event_id=from_plain(uuid.UUID, data["event_id"], "event_id"),
        )
        event: DomainEvent = build(target, values, "data")
        return event


def event_types() -> dict[str, type[DomainEvent]]:
    """Every event class of the library, by stable name (sorted).

    Example:
        >>> event_types()["session.cancelled"].__name__
        'SessionCancelled'
    """
    from booking_core.type_names import TYPE_NAMES

    found: dict[str, type[DomainEvent]] = {}
    for name in sorted(TYPE_NAMES):
        module_name, _, qualname = TYPE_NAMES[name].partition(":")
        value = getattr(importlib.import_module(module_name), qualname)
        if (
            isinstance(value, type)
            and issubclass(value, DomainEvent)
            and value is not DomainEvent
        ):
            found[name] = value
    return found


def _event_class(name: object, called_on: type[DomainEvent]) -> type[DomainEvent]:
    if not _EVENT_TYPES:
        _EVENT_TYPES.update(event_types())
    target = _EVENT_TYPES.get(name) if isinstance(name, str) else None
    if target is None:
        raise InvalidEventError(
            field="name", reason=f"not a library event: {str(name)[:100]!r}"
        )
    if called_on is not DomainEvent and not issubclass(target, called_on):
        raise InvalidEventError(
            field="name", reason=f"{called_on.__name__}.from_dict reads no {name}"
        )
    return target


_EVENT_TYPES: dict[str, type[DomainEvent]] = {}


def _as_events(value: Iterable[DomainEvent]) -> tuple[DomainEvent, ...]:
    return tuple(value)


@final
@attrs.frozen(kw_only=True, repr=False)
class Decision(Generic[S_co]):
    """The outcome of a pure command: the new state and what happened.

    Attributes:
        state: The aggregate after the command (its ``version`` unchanged: the
            repository advances it on save).
        events: The events the command produced, in order.
    """

    __repr__ = fields_repr

    state: S_co
    events: tuple[DomainEvent, ...] = attrs.field(default=(), converter=_as_events)

    def with_events(self, more: Iterable[DomainEvent]) -> Decision[S_co]:
        """The same decision with ``more`` events appended."""
        return Decision(state=self.state, events=(*self.events, *more))
