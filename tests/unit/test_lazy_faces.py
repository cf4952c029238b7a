"""The lazy package faces: ``__all__`` and the ``_EXPORTS`` table say the same.

Each face (``booking_core`` and every capability package) lists its public
names twice: in the literal ``__all__`` that type checkers read, and in the
``_EXPORTS`` table (submodule -> names) that :func:`booking_core._lazy.load`
imports from. These tests keep the two from drifting, and keep every entry of
a table a public name of its submodule, so no name is exported from a place
that does not export it itself.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

FACES = [
    "booking_core",
    "booking_core.attendance",
    "booking_core.availability",
    "booking_core.bookings",
    "booking_core.money",
    "booking_core.series",
    "booking_core.sessions",
]


def _face(name: str) -> ModuleType:
    return importlib.import_module(name)


@pytest.mark.parametrize("name", FACES)
def test_all_lists_each_table_name_once(name: str) -> None:
    face = _face(name)
    table: dict[str, tuple[str, ...]] = face._EXPORTS
    listed = [n for names in table.values() for n in names]
    assert len(listed) == len(set(listed)), "a name in two submodules"
    assert sorted(face.__all__) == sorted(listed)


@pytest.mark.parametrize("name", FACES)
def test_each_table_entry_is_public_in_its_submodule(name: str) -> None:
    face = _face(name)
    for submodule, names in face._EXPORTS.items():
        module = importlib.import_module(f"{name}.{submodule}")
        public = set(getattr(module, "__all__", ()))
        assert set(names) <= public, (submodule, set(names) - public)
        for exported in names:
            assert getattr(face, exported) is getattr(module, exported)


@pytest.mark.parametrize("name", FACES)
def test_an_unknown_name_is_an_attribute_error(name: str) -> None:
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        _face(name).missing  # noqa: B018
