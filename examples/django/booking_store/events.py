"""Committed domain events, sent as a Django signal.

Receivers (emails, notifications, an outbox relay to a queue) connect to
:data:`domain_event`; it is sent only after the transaction that stored the
decision has committed (``transaction.on_commit``), once per event, in order.
"""

from __future__ import annotations

from collections.abc import Sequence

from booking_core.events import DomainEvent
from django.dispatch import Signal

__all__ = ["SignalPublisher", "domain_event"]

domain_event = Signal()
"""Sent with ``sender=<event class>`` and ``event=<the DomainEvent>``."""


class SignalPublisher:
    """A :class:`booking_core.ports.EventPublisher` that sends :data:`domain_event`."""

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Send one signal per committed event, in order."""
        for event in events:
            domain_event.send(sender=type(event), event=event)
