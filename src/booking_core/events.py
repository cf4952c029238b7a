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
    >>> event.name
    'DomainEvent'
    >>> Decision(state="new state", events=(event,)).events[0].aggregate_id
    'session-1'
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Generic, TypeVar, final

import attrs

from booking_core._validation import utc_instant, valid_key
from booking_core.actors import Actor

__all__ = ["Decision", "DomainEvent"]

S_co = TypeVar("S_co", covariant=True)


def _occurred_at(value: datetime) -> datetime:
    return utc_instant(value, "occurred_at")


@attrs.frozen(kw_only=True)
class DomainEvent:
    """Something that happened to an aggregate; the base of every event.

    Attributes:
        occurred_at: When it happened (aware, stored in UTC): the ``now`` of the
            decision that produced it.
        actor: Who caused it.
        aggregate_id: The id of the aggregate it happened to.
        event_id: A unique id, for de-duplication by consumers (random by default).
    """

    occurred_at: datetime = attrs.field(converter=_occurred_at)
    actor: Actor
    aggregate_id: str = attrs.field(validator=valid_key)
    event_id: uuid.UUID = attrs.field(factory=uuid.uuid4)

    @property
    def name(self) -> str:
        """The event's type name, e.g. ``"SeatBooked"``."""
        return type(self).__name__


def _as_events(value: Iterable[DomainEvent]) -> tuple[DomainEvent, ...]:
    return tuple(value)


@final
@attrs.frozen(kw_only=True)
class Decision(Generic[S_co]):
    """The outcome of a pure command: the new state and what happened.

    Attributes:
        state: The aggregate after the command (its ``version`` unchanged: the
            repository advances it on save).
        events: The events the command produced, in order.
    """

    state: S_co
    events: tuple[DomainEvent, ...] = attrs.field(default=(), converter=_as_events)

    def with_events(self, more: Iterable[DomainEvent]) -> Decision[S_co]:
        """The same decision with ``more`` events appended."""
        return Decision(state=self.state, events=(*self.events, *more))
