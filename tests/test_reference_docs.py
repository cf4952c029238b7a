"""The policies and events reference pages are checked against the code.

Both walk the whole package, so a policy, a policy field or an event added later
fails here until it is documented.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

import booking_core
from booking_core.events import DomainEvent, event_types

SRC = Path(booking_core.__file__).parent
DOCS = SRC.parent.parent / "docs"

SECTION = re.compile(r"^## `(\w+)`$", re.MULTILINE)
ROW = re.compile(r"^\| `(\w+)` \| (.+?) \| .+ \|$", re.MULTILINE)


def _modules() -> list[ModuleType]:
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages([str(SRC)], prefix="booking_core.")
        if not info.name.endswith("__main__")
    ]


MODULES = _modules()


def _policies() -> dict[str, type]:
    return {
        name: value
        for module in MODULES
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and name.endswith("Policy")
        and not name.startswith("_")
        and value.__module__ == module.__name__
    }


def _documented_policies(text: str) -> dict[str, dict[str, str]]:
    """``{class: {field: default expression}}`` from docs/policies.md."""
    sections = SECTION.split(text)
    documented: dict[str, dict[str, str]] = {}
    for name, body in zip(sections[1::2], sections[2::2], strict=True):
        rows: dict[str, str] = {}
        for field, default in ROW.findall(body):
            assert field not in rows, f"{name}.{field} documented twice"
            rows[field] = default
        documented[name] = rows
    return documented


POLICIES = _policies()
DOCUMENTED_POLICIES = _documented_policies(
    (DOCS / "policies.md").read_text(encoding="utf-8")
)


def test_policies_are_found() -> None:
    # the walk works: the policies that exist today are among those found
    assert {"SessionPolicy", "SplitPolicy", "ConflictPolicy"} <= set(POLICIES)


def test_every_policy_class_is_documented() -> None:
    assert set(DOCUMENTED_POLICIES) == set(POLICIES), (
        "docs/policies.md must have a section per *Policy class; "
        f"missing: {sorted(set(POLICIES) - set(DOCUMENTED_POLICIES))}, "
        f"stale: {sorted(set(DOCUMENTED_POLICIES) - set(POLICIES))}"
    )


def _default(field: attrs.Attribute[Any]) -> object:
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory(None) if default.takes_self else default.factory()
    return default


def _evaluate(expression: str, cls: type) -> object:
    namespace: dict[str, object] = {
        **vars(sys.modules[cls.__module__]),
        "Decimal": decimal.Decimal,
        "timedelta": dt.timedelta,
        "time": dt.time,
        "date": dt.date,
        "datetime": dt.datetime,
        "timezone": dt.timezone,
        "frozenset": frozenset,
        "None": None,
        "True": True,
        "False": False,
        "__builtins__": {},
    }
    return eval(expression, namespace)  # noqa: S307 -- our own docs, in a test


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_policy_fields_and_defaults_match_the_docs(name: str) -> None:
    cls = POLICIES[name]
    rows = DOCUMENTED_POLICIES.get(name, {})
    fields = {f.name: f for f in attrs.fields(cls) if f.init}
    assert set(rows) == set(fields), (
        f"docs/policies.md, {name}: missing fields "
        f"{sorted(set(fields) - set(rows))}, stale {sorted(set(rows) - set(fields))}"
    )
    for field_name, field in fields.items():
        documented = rows[field_name]
        if field.default is attrs.NOTHING:
            assert documented == "required", f"{name}.{field_name} has no default"
            continue
        match = re.fullmatch(r"`(.+)`", documented)
        assert match, f"{name}.{field_name}: write the default as `expression`"
        value = _evaluate(match.group(1), cls)
        actual = _default(field)
        assert value == actual, (
            f"docs/policies.md says {name}.{field_name} defaults to "
            f"{match.group(1)}, the code says {actual!r}"
        )
        assert type(value) is type(actual), (name, field_name)


def test_a_wrong_documented_default_does_not_compare_equal() -> None:
    # the check itself can fail: a wrong default does not compare equal
    cls = POLICIES["SplitPolicy"]
    assert _evaluate('Decimal("0.20")', cls) != _default(
        attrs.fields_dict(cls)["commission_rate"]
    )


# -- events -------------------------------------------------------------------


def _events() -> dict[str, type[DomainEvent]]:
    found: dict[str, type[DomainEvent]] = {}
    stack: list[type[DomainEvent]] = [DomainEvent]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        # attrs' slotted classes replace the class they decorate; the replaced
        # one may linger in __subclasses__ until collected, so keep only the
        # class its module holds
        if (
            cls is not DomainEvent
            and not cls.__name__.startswith("_")
            and cls.__module__.startswith("booking_core.")
            and getattr(sys.modules[cls.__module__], cls.__name__, None) is cls
        ):
            assert found.setdefault(cls.__name__, cls) is cls, cls

    return found


EVENTS = _events()


def test_events_are_found() -> None:
    assert {"SessionScheduled", "PaymentCaptured"} <= set(EVENTS)


def test_every_event_has_a_stable_name() -> None:
    # docs/events.md and the shipped schemas are generated from event_types()
    # (tests/unit/test_event_schema.py); this keeps it complete
    named = {cls.__name__: cls for cls in event_types().values()}
    assert named == EVENTS, (
        "every DomainEvent subclass needs a row in booking_core.type_names; "
        f"missing: {sorted(set(EVENTS) - set(named))}"
    )
