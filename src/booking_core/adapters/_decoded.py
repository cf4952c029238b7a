"""The SQL kernel's cache of decoded aggregates, keyed and checked by body text.

Decoding a stored body is most of what a read costs in Python. A unit of work
reads again the rows the previous one wrote (a session booked ten times in a
row is read ten times), so :class:`DecodedCache` keeps, per ``(collection,
id)``, the last body text read or written with its version and the immutable
aggregate it decodes to. A read whose row has exactly that version and that
body text gets the kept aggregate instead of decoding the text again.

Why it is sound:

* **Equality of the full text.** An entry is used only when the row read now
  has the same version and the same body text, character for character; a row
  rewritten since (by this process or any other) differs, misses and is decoded.
  Nothing else changes: reads still run their statement, and compare-and-set on
  commit is untouched.
* **Immutable values only.** An entry is kept only for a frozen attrs class of
  the library's type registry (:data:`booking_core.type_names.TYPE_NAMES`), whose
  fields hold immutable values (tuples, frozensets, frozen attrs values,
  datetimes, enums, strings, numbers); ``tests/unit/test_decoded_cache.py``
  checks every registered type. A host's own registered types are always
  decoded, so handing the same object to two readers never shares mutable state.
* **Written = decoded.** After a commit the kernel keeps each written body with
  the aggregate it was encoded from; the codec is lossless, so decoding that text
  gives an equal aggregate. The version column is applied on first use, to a
  shallow copy: every other field is the very value the class's checks passed
  when the aggregate was built, and the version is the one the kernel wrote
  (``expected + 1``), so no check runs again.

It is bounded: at most ``entries`` entries (least recently used goes first),
and a body longer than ``max_chars`` is never kept. One lock guards it, so the
threads of a database (SQLite's per-thread connections, a PostgreSQL pool) share
it safely.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from typing import Any

from booking_core.adapters.codec import _immutable

__all__ = ["DecodedCache", "immutable"]


def immutable(cls: type) -> bool:
    """Whether instances of ``cls`` may be shared: a frozen registered library type.

    Decided once per class (the codec's rule: it reuses the text of such a
    value written again).

    Example:
        >>> from booking_core.sessions import Session
        >>> immutable(Session), immutable(dict)
        (True, False)
    """
    return _immutable(cls)


def _with_version(aggregate: Any, version: int) -> Any:
    """A shallow copy of ``aggregate`` carrying ``version``; the original is unchanged.

    What ``attrs.evolve(aggregate, version=version)`` returns, without running
    the class's converters and validators again on fields they already passed.
    """
    copied = copy.copy(aggregate)
    object.__setattr__(copied, "version", version)
    return copied


class DecodedCache:
    """Decoded aggregates by ``(collection, id)``, used only for an identical row.

    Args:
        entries: At most this many entries (0 keeps none).
        max_chars: A body longer than this is never kept.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from booking_core.adapters import codec
        >>> from booking_core.availability.schedule import StudentCalendar
        >>> cache = DecodedCache(entries=2, max_chars=1_000)
        >>> calendar = StudentCalendar(id="s-1")
        >>> body = codec.dumps(calendar, replace={"version": 1})
        >>> cache.put("student_calendars", "s-1", 1, body, calendar)
        >>> cache.get("student_calendars", "s-1", 1, body).version
        1
        >>> cache.get("student_calendars", "s-1", 2, body) is None
        True
    """

    def __init__(self, *, entries: int, max_chars: int) -> None:
        self.entries = entries
        self.max_chars = max_chars
        self._kept: OrderedDict[tuple[str, str], tuple[int, Any, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, name: str, aggregate_id: str, version: int, body: Any) -> Any | None:
        """The aggregate kept for exactly this row (version and body text), or ``None``.

        A hit whose aggregate still carries the version it had before it was
        written gets the row's version (and is kept so from then on).
        """
        key = (name, aggregate_id)
        with self._lock:
            entry = self._kept.get(key)
            if entry is None or entry[0] != version or entry[1] != body:
                return None
            self._kept.move_to_end(key)
        aggregate = entry[2]
        if aggregate.version != version:
            aggregate = _with_version(aggregate, version)
            self.put(name, aggregate_id, version, body, aggregate)
        return aggregate

    def put(
        self, name: str, aggregate_id: str, version: int, body: Any, aggregate: Any
    ) -> None:
        """Keep ``aggregate`` as what the row ``(version, body)`` decodes to.

        ``aggregate`` may carry an older version (the one it was staged with);
        :meth:`get` applies ``version`` on first use. A body too long or an
        aggregate that is not :func:`immutable` is not kept (and drops what was
        kept for that row).
        """
        key = (name, aggregate_id)
        keep = len(body) <= self.max_chars and _immutable(type(aggregate))
        with self._lock:
            if not keep:
                self._kept.pop(key, None)
                return
            self._kept[key] = (version, body, aggregate)
            self._kept.move_to_end(key)
            while len(self._kept) > self.entries:
                self._kept.popitem(last=False)
