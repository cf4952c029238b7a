"""The shared ``__repr__`` writes what attrs writes, and every library class uses it."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import attrs
import pytest

import booking_core
from booking_core._repr import fields_repr


def _pair() -> tuple[type, type]:
    """The same class twice: attrs' generated repr, then :func:`fields_repr`."""

    @attrs.frozen(kw_only=True)
    class Shown:
        plain: int
        text: str = "a 'quoted' text"
        secret: bytes = attrs.field(default=b"key", repr=lambda _: "...")
        hidden: int = attrs.field(default=0, repr=False)
        nested: tuple[Any, ...] = ()
        derived: int = attrs.field(init=False, default=7)

    @attrs.frozen(kw_only=True, repr=False)
    class Shared:
        __repr__ = fields_repr

        plain: int
        text: str = "a 'quoted' text"
        secret: bytes = attrs.field(default=b"key", repr=lambda _: "...")
        hidden: int = attrs.field(default=0, repr=False)
        nested: tuple[Any, ...] = ()
        derived: int = attrs.field(init=False, default=7)

    Shared.__qualname__ = Shown.__qualname__.replace("Shown", "Shared")
    return Shown, Shared


@pytest.mark.parametrize(
    "values",
    [
        {"plain": 1},
        {"plain": -2, "text": "x", "secret": b"other", "hidden": 5},
        {"plain": 3, "nested": (None, 1.5, ("deep",))},
    ],
)
def test_the_shared_repr_is_the_attrs_repr(values: dict[str, Any]) -> None:
    shown, shared = _pair()
    expected = repr(shown(**values)).replace("Shown(", "Shared(", 1)
    assert repr(shared(**values)) == expected
    assert expected.startswith("Shared(plain=")  # the <locals> prefix is dropped
    assert "secret=..." in expected
    assert "hidden" not in expected


def test_a_field_not_set_by_init_shows_nothing_until_set() -> None:
    @attrs.define(repr=False)
    class Later:
        __repr__ = fields_repr

        ready: bool
        result: int = attrs.field(init=False)

    later = Later(ready=False)
    assert repr(later) == "Later(ready=False, result=NOTHING)"
    later.result = 4
    assert repr(later) == "Later(ready=False, result=4)"


def _library_classes() -> list[type]:
    found: list[type] = []
    for info in pkgutil.walk_packages(booking_core.__path__, "booking_core."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        found.extend(
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and value.__module__ == info.name
            and attrs.has(value)
        )
    return found


def test_no_library_class_compiles_an_attrs_repr() -> None:
    classes = _library_classes()
    generated = [
        f"{cls.__module__}:{cls.__qualname__}"
        for cls in classes
        if cls.__repr__.__code__.co_filename.startswith("<attrs generated")
    ]
    assert len(classes) > 100
    assert generated == []
