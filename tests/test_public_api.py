"""Guards the public surface: exports, docs, frozen values, error codes, layering."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import booking_core
from booking_core import errors
from booking_core.adapters.sql import Dialect
from booking_core.events import DomainEvent
from booking_core.services import Service

SRC = Path(booking_core.__file__).parent
DOCS = SRC.parent.parent / "docs"

# Concept modules may not import these layers.
OUTER_LAYERS = (
    "booking_core.services",
    "booking_core.adapters",
    "booking_core.testing",
)
# Optional extras (pyproject ``[project.optional-dependencies]``) and the one
# module each may be imported by.
OPTIONAL_EXTRAS = {
    "booking_core.ical._busy": ("icalendar",),
    "booking_core.adapters.postgres": ("psycopg", "psycopg_pool"),
}
# The command line: the outermost layer. It may import services and adapters;
# nothing else in the library may import it.
APPLICATION = ("booking_core.cli", "booking_core.__main__", "booking_core._demo")


def _in_application(module: str) -> bool:
    return any(module == app or module.startswith(f"{app}.") for app in APPLICATION)


def _modules() -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.walk_packages([str(SRC)], prefix="booking_core.")
        if not info.name.endswith("__main__")
    ]
    return [importlib.import_module(name) for name in ["booking_core", *names]]


MODULES = _modules()


def _is_private(name: str) -> bool:
    return any(part.startswith("_") for part in name.split("."))


def _public_modules() -> list[ModuleType]:
    return [m for m in MODULES if not _is_private(m.__name__)]


def test_top_level_all_matches_public_names() -> None:
    assert len(booking_core.__all__) == len(set(booking_core.__all__))
    for name in booking_core.__all__:
        value = getattr(booking_core, name)
        home = importlib.import_module(value.__module__)
        assert name in getattr(home, "__all__", ()) or home is errors, name
    assert set(dir(booking_core)) >= set(booking_core.__all__)
    with pytest.raises(AttributeError):
        booking_core.not_a_name  # noqa: B018


def test_top_level_names_are_type_checked_imports() -> None:
    tree = ast.parse((SRC / "__init__.py").read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
        for alias in node.names
    }
    assert set(booking_core.__all__) <= imported


def test_version() -> None:
    assert re.match(r"^\d+\.\d+\.\d+", booking_core.__version__)
    with pytest.raises(AttributeError):
        booking_core.no_such_name  # noqa: B018


@pytest.mark.parametrize("module", _public_modules(), ids=lambda m: m.__name__)
def test_every_public_module_has_all_and_docs(module: ModuleType) -> None:
    assert module.__doc__, f"{module.__name__} has no docstring"
    if not hasattr(module, "__path__") or module.__name__ != "booking_core":
        exported = getattr(module, "__all__", None)
        assert exported is not None, f"{module.__name__} has no __all__"
        for name in exported:
            assert hasattr(module, name), (
                f"{module.__name__}.__all__ names missing {name}"
            )


def _exported() -> list[tuple[str, object]]:
    seen: dict[int, tuple[str, object]] = {}
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            seen.setdefault(id(value), (f"{module.__name__}.{name}", value))
    return list(seen.values())


def _is_protocol(cls: type) -> bool:
    return bool(getattr(cls, "_is_protocol", False))


@pytest.mark.parametrize(
    ("name", "value"), _exported(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_exported_objects_are_documented(name: str, value: object) -> None:
    if inspect.isclass(value) or inspect.isfunction(value):
        assert inspect.getdoc(value), f"{name} has no docstring"
    if inspect.isclass(value):
        for attr_name, member in vars(value).items():
            if attr_name.startswith("_"):
                continue
            if inspect.isfunction(member) or isinstance(
                member, (property, classmethod, staticmethod)
            ):
                target = member.fget if isinstance(member, property) else member
                doc = getattr(target, "__doc__", None)
                if isinstance(member, (classmethod, staticmethod)):
                    doc = member.__func__.__doc__
                assert doc, f"{name}.{attr_name} has no docstring"


def _is_error_base(cls: type) -> bool:
    return (
        cls is errors.BookingCoreError
        or (
            cls.__module__ == "booking_core.errors"
            and cls.__name__
            in {
                "InvalidInputError",
                "PermissionDeniedError",
                "NotFoundError",
                "InvalidTransitionError",
                "PolicyViolationError",
                "ConflictError",
                "ConcurrencyError",
            }
        )
        or getattr(cls, "_is_family", False)
    )


@pytest.mark.parametrize(
    ("name", "value"), _exported(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_public_classes_are_final(name: str, value: object) -> None:
    if (
        not inspect.isclass(value)
        or value.__module__.startswith("booking_core") is False
    ):
        return
    if _is_protocol(value) or issubclass(value, errors.BookingCoreError):
        return
    if value is DomainEvent or getattr(value, "__final__", False):
        return
    if value is Service:  # the template every service of the library extends
        return
    if name.startswith("booking_core.adapters.sql.") or issubclass(value, Dialect):
        return  # the storage kernel and its dialects are bases for host adapters
    if value.__module__.startswith("booking_core.testing") and getattr(
        value, "_is_contract_base", False
    ):
        return  # contract kits are subclassed by hosts, like trio's check_* suites
    pytest.fail(f"{name} should be @final (or a protocol, error or event base)")


def _all_errors() -> list[type[errors.BookingCoreError]]:
    found: list[type[errors.BookingCoreError]] = []
    stack: list[type[errors.BookingCoreError]] = [errors.BookingCoreError]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def test_error_codes_unique_and_documented() -> None:
    classes = _all_errors()
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes)), "every error class has its own code"
    for cls in classes:
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", cls.code), cls
        assert (cls.__doc__ or "").startswith("Raised when"), cls
    table = (DOCS / "errors.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", table, flags=re.MULTILINE))
    assert documented == set(codes), (
        "docs/errors.md must list exactly the error codes; "
        f"missing: {sorted(set(codes) - documented)}, "
        f"stale: {sorted(documented - set(codes))}"
    )


def test_errors_are_exported_from_errors_module() -> None:
    for cls in _all_errors():
        assert cls.__name__ in errors.__all__ or cls.__module__ != "booking_core.errors"
        assert getattr(sys.modules[cls.__module__], cls.__name__) is cls


def test_events_are_frozen() -> None:
    stack: list[type] = [DomainEvent]
    while stack:
        cls = stack.pop()
        assert attrs.has(cls), cls
        assert cls.__setattr__ is not object.__setattr__, cls
        stack.extend(cls.__subclasses__())


def test_policies_are_frozen() -> None:
    for module in MODULES:
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and name.endswith("Policy")
                and value.__module__ == module.__name__
            ):
                assert attrs.has(value), name
                with pytest.raises(attrs.exceptions.FrozenInstanceError):
                    object.__new__(value).__setattr__("x", 1)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _imported_names(path: Path) -> set[str]:
    """Modules and ``from`` names: ``from booking_core import cli`` gives both."""
    found = _imports(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_application_layer_names() -> None:
    assert _in_application("booking_core.cli")
    assert _in_application("booking_core._demo")
    assert not _in_application("booking_core.clock")
    assert not _in_application("booking_core.client")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


SOURCES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=_module_name)
def test_import_layering(path: Path) -> None:
    name = _module_name(path)
    imported = _imports(path)
    if not name.startswith("booking_core.testing"):
        assert not any(i.split(".")[0] in {"pytest", "hypothesis"} for i in imported), (
            name
        )
    if not _in_application(name):  # the command line may import anything
        inward = {i for i in _imported_names(path) if _in_application(i)}
        assert not inward, f"{name} imports the command line: {inward}"
    layer = next((layer for layer in OUTER_LAYERS if name.startswith(layer)), None)
    if layer is None and name != "booking_core" and not _in_application(name):
        bad = {i for i in imported if i.startswith(OUTER_LAYERS)}
        assert not bad, f"concept module {name} imports {bad}"
    if _is_domain(name):  # domain <- ports <- services <- adapters
        ports = {
            i
            for i in _imported_names(path)
            if i == "booking_core.ports" or i.startswith("booking_core.ports.")
        }
        assert not ports, f"domain module {name} imports the ports: {ports}"
    if layer == "booking_core.services":
        bad = {
            i
            for i in imported
            if i.startswith(("booking_core.adapters", "booking_core.testing"))
        }
        assert not bad, f"service {name} imports {bad}"
    for module in imported:
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top in {
            "booking_core",
            "attrs",
            "dateutil",
        }:
            continue
        if name.startswith("booking_core.testing") and top in {"hypothesis", "pytest"}:
            continue
        if top in OPTIONAL_EXTRAS.get(name, ()):
            continue  # imported lazily, behind a coded error naming the extra
        pytest.fail(f"{name} imports {module}, which is not a runtime dependency")


def _is_domain(name: str) -> bool:
    """A domain module: neither ports, services, adapters, testing nor the CLI."""
    outer = (*OUTER_LAYERS, "booking_core.ports")
    return (
        name != "booking_core"
        and not _in_application(name)
        and not any(name == o or name.startswith(f"{o}.") for o in outer)
    )


def test_domain_names() -> None:
    assert _is_domain("booking_core.money.ledger")
    assert _is_domain("booking_core.bookings")
    assert not _is_domain("booking_core.ports")
    assert not _is_domain("booking_core.services.app")
    assert not _is_domain("booking_core")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(module: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The ``booking_core`` modules ``module`` imports when it runs.

    Every import counts, in functions too (a lazy import still runs), except
    those under ``if TYPE_CHECKING:``; ``from package import name`` counts as
    the submodule when ``name`` is one, else as the package.
    """
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                visit(node.orelse)
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name in known)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    if sub in known:
                        found.add(sub)
                    elif node.module in known:
                        found.add(node.module)
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child])

    visit(tree.body)
    found.discard(module)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c"]
    ]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import x.b\n"
        "def f():\n    from x import c\n"
    )
    assert _runtime_imports("x.a", tree, {"x.a", "x.b", "x.c", "x"}) == {"x.c"}


def test_no_import_cycles() -> None:
    trees = {_module_name(path): ast.parse(path.read_text()) for path in SOURCES}
    known = set(trees)
    graph = {name: _runtime_imports(name, tree, known) for name, tree in trees.items()}
    assert _cycles(graph) == []


CLOCK_READS = re.compile(
    r"\b(datetime\.now|\.utcnow|date\.today|time\.time|time\.monotonic|datetime\.today)\s*\("
)


@pytest.mark.parametrize("path", SOURCES, ids=_module_name)
def test_no_clock_reads_outside_clock_module(path: Path) -> None:
    if path.name == "clock.py" and path.parent == SRC:
        return
    text = path.read_text(encoding="utf-8")
    assert not CLOCK_READS.search(text), (
        f"{path.name} reads the clock; take `now` instead"
    )


def test_import_pulls_in_only_runtime_dependencies() -> None:
    code = (
        "import sys, booking_core; "
        "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    third_party = {
        m for m in out if m not in sys.stdlib_module_names and not m.startswith("_")
    }
    assert third_party <= {
        "booking_core",
        "attrs",
        "attr",
        "dateutil",
        "six",
        "tzdata",
    }, third_party


def test_py_typed_shipped() -> None:
    assert (SRC / "py.typed").exists()


def test_error_tree_in_docstring_lists_every_error() -> None:
    tree = errors.__doc__ or ""
    for cls in _all_errors():
        if cls is errors.BookingCoreError:
            continue
        assert cls.__name__ in tree, (
            f"{cls.__name__} is missing from the errors.py tree"
        )
