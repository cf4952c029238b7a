"""The public test kit: strategies, clocks and repository contract suites.

Hosts use it in their own test suites: :mod:`booking_core.testing.contracts`
(sessions), :mod:`booking_core.testing.booking_contract` (bookings and
idempotency records, with the concurrent last-seat race),
:mod:`booking_core.testing.attendance_contract` (attendees),
:mod:`booking_core.testing.series_contract` (booking series),
:mod:`booking_core.testing.webhook_contract` (applied webhooks, ``uow.webhooks``)
:mod:`booking_core.testing.reminder_contract` (reminder claims, ``uow.reminders``,
and sessions by start window)
and :mod:`booking_core.testing.ledger_contract` (ledger journals) prove a host's own
adapters, :mod:`booking_core.testing.strategies` generates inputs;
it is the only part of ``booking_core`` that imports ``hypothesis`` (and, for the
contract suites, ``pytest``), so install
the ``test`` extra to use it.
"""

from __future__ import annotations

from booking_core.clock import ManualClock

__all__ = ["ManualClock"]
