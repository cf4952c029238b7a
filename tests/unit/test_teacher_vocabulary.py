"""Issue 18: one vocabulary on the money side: *teacher*, never *mentor*.

Every public name of the money modules, the payment service, its webhook intake
and the fake gateway (module names, classes, functions, their parameters, attrs
fields, public methods and enum values), every stable type name and the money
docs say teacher. (The legacy type-name map keeps its old class paths so that
stored data still decodes; it is not a public name.)
"""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import booking_core.money
from booking_core.type_names import TYPE_NAMES

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    *(
        f"booking_core.money.{info.name}"
        for info in pkgutil.iter_modules(booking_core.money.__path__)
    ),
    "booking_core.money",
    "booking_core.services.payments",
    "booking_core.services.webhooks",
    "booking_core.adapters.fake_gateway",
]


def _callable_names(value: object) -> list[str]:
    try:
        signature = inspect.signature(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return []
    return list(signature.parameters)


def _names_of(value: object) -> list[str]:
    names = _callable_names(value) if callable(value) else []
    if inspect.isclass(value):
        if attrs.has(value):
            names += [field.name for field in attrs.fields(value)]
        if issubclass(value, enum.Enum):
            names += [f"{member.name}={member.value}" for member in value]
        for name, member in vars(value).items():
            if name.startswith("_"):
                continue
            names.append(name)
            if callable(member):
                names += _callable_names(member)
    return names


def _public(module: ModuleType) -> list[tuple[str, object]]:
    exported = getattr(module, "__all__", None)
    names = exported if exported is not None else dir(module)
    return [(n, getattr(module, n)) for n in names if not n.startswith("_")]


@pytest.mark.parametrize("module_name", MODULES)
def test_no_public_name_on_the_money_side_says_mentor(module_name: str) -> None:
    assert "mentor" not in module_name
    module = importlib.import_module(module_name)
    found = [
        f"{name}: {part}"
        for name, value in _public(module)
        for part in [name, *_names_of(value)]
        if "mentor" in str(part).lower()
    ]
    assert not found, found


def test_stable_type_names_and_money_docs_say_teacher() -> None:
    assert not [n for n in TYPE_NAMES if "mentor" in n.lower()]
    assert not [n for n in TYPE_NAMES.values() if "mentor" in n.lower()]
    for doc in ("payments.md", "money.md"):
        text = (ROOT / "docs" / doc).read_text(encoding="utf-8").lower()
        assert "mentor" not in text, doc


def test_the_check_finds_a_mentor() -> None:
    class MentorPayout:
        def pay(self, mentor_id: str) -> None: ...

    assert "pay" in _names_of(MentorPayout)
    assert "mentor_id" in _names_of(MentorPayout)
