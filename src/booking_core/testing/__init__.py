"""The public test kit: strategies, clocks and (later) repository contracts.

Hosts use it in their own test suites; it is the only part of ``booking_core``
that imports ``hypothesis`` (and, for the contract suites, ``pytest``), so install
the ``test`` extra to use it.
"""

from __future__ import annotations

from booking_core.clock import ManualClock

__all__ = ["ManualClock"]
