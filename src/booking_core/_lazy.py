"""Lazy package faces: a package's public names, imported on first use.

A capability package (``booking_core.bookings``, ``booking_core.money`` …) lists
its public names in ``__all__`` and maps each to the submodule that defines it;
:func:`load` imports that submodule the first time the name is read. So
``import booking_core.money`` costs nothing until a name is used, and no
submodule ever needs to import its own package's face (which keeps the import
graph free of cycles).

Example:
    >>> import booking_core.bookings as bookings
    >>> bookings.BookingStatus.CONFIRMED.value
    'confirmed'
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

__all__ = ["load"]


def load(
    package: str,
    exports: Mapping[str, tuple[str, ...]],
    name: str,
    namespace: dict[str, Any],
) -> Any:
    """The public ``name`` of ``package``, imported from its submodule and cached.

    Args:
        package: The package's ``__name__``.
        exports: Submodule (relative to ``package``) -> the names it provides.
        name: The attribute asked for.
        namespace: The package's ``globals()``; the value is cached there.

    Raises:
        AttributeError: When ``package`` has no public ``name``.
    """
    for module, names in exports.items():
        if name in names:
            value = getattr(importlib.import_module(f"{package}.{module}"), name)
            namespace[name] = value
            return value
    msg = f"module {package!r} has no attribute {name!r}"
    raise AttributeError(msg)
