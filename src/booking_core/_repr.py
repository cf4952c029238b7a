"""One ``__repr__`` for every attrs class of the library, the text attrs would write.

attrs compiles a ``__repr__`` per class when the class is created (with a guard
against recursive values, which frozen values made of tuples cannot be). That
is more than a third of the code compiled when a module of value classes is
imported, for a method that runs only when somebody prints a value. So the
library's classes say ``repr=False`` and share :func:`fields_repr`, which reads
the fields when called and writes exactly what attrs' repr writes: the class
name, then ``name=value`` for each field shown, through the field's own
``repr`` callable where it has one (a masked account number, a secret).

Example:
    >>> import attrs
    >>> @attrs.frozen(repr=False)
    ... class Point:
    ...     __repr__ = fields_repr
    ...     x: int
    ...     label: str = attrs.field(default="origin", repr=lambda _: "...")
    ...     hidden: int = attrs.field(default=0, repr=False)
    >>> Point(1)
    Point(x=1, label=...)
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["fields_repr"]


def fields_repr(self: Any) -> str:
    """``Name(field=value, ...)`` for the fields of ``self`` shown in its repr.

    As attrs does, a field that ``__init__`` does not set shows ``NOTHING``
    until it is set, and any other field must be set.
    """
    cls = type(self)
    parts = []
    for field in attrs.fields(cls):
        if field.repr is False:
            continue
        show = repr if field.repr is True else field.repr
        value = (
            getattr(self, field.name)
            if field.init
            else getattr(self, field.name, attrs.NOTHING)
        )
        parts.append(f"{field.name}={show(value)}")
    return f"{cls.__qualname__.rsplit('>.', 1)[-1]}({', '.join(parts)})"
