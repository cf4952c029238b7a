"""The stable type names, where the storage codec first kept them.

The table now lives in :mod:`booking_core.type_names`, beside the domain that
names its events by it; this module re-exports it for code that imports it from
here.

Example:
    >>> from booking_core.adapters.type_names import TYPE_NAMES
    >>> TYPE_NAMES["session.cancelled"]
    'booking_core.sessions.events:SessionCancelled'
"""

from __future__ import annotations

from booking_core.type_names import LEGACY_TYPE_NAMES, TYPE_NAMES

__all__ = ["LEGACY_TYPE_NAMES", "TYPE_NAMES"]
