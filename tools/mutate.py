"""Mutation testing of the pure core: ``nox -s mutate`` (or ``python tools/mutate.py``).

For each target module this script parses the source with :mod:`ast`, makes small
mutants (a flipped comparison, a swapped operator, a constant off by one, a
removed guard ...), samples them deterministically, and runs the tests that cover
the module against each mutant. A mutant the tests catch is *killed*; one they
miss *survived* and points at a missing test. The score of a module is
``killed / (total - equivalent)``.

Each mutant runs in a private copy of ``src/`` (one per worker, on ``PYTHONPATH``
ahead of the editable install); the working tree is never written to. Mutants
judged equivalent (no test can tell them apart from the original) are listed in
``tools/mutation-equivalent.txt`` with a one-line reason each and are not run.

Usage::

    python tools/mutate.py                      # every module, default sample
    python tools/mutate.py --module capacity    # one module (a name in MODULES)
    python tools/mutate.py --sample 20          # fewer mutants per module
    python tools/mutate.py --all                # every mutant, no sampling
    python tools/mutate.py --list               # print the mutants, run nothing
    python tools/mutate.py --recheck-equivalent # run only the listed equivalents
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from queue import Queue

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "booking_core"
EQUIVALENT_FILE = ROOT / "tools" / "mutation-equivalent.txt"

# -- the one place to update when modules move ------------------------------------
# Module (path under src/booking_core) -> the tests that cover it. A test path under
# ``src/`` runs that module's doctests from the mutated copy.
MODULES: dict[str, tuple[str, ...]] = {
    "money/allocation.py": (
        "src/booking_core/money/allocation.py",
        "tests/unit/test_money_allocation_and_split.py",
        "tests/unit/test_split_fee_estimate_and_allocation_signs.py",
        "tests/properties/test_money_properties.py",
    ),
    "money/_rates.py": (
        "src/booking_core/money/_rates.py",
        "tests/unit/test_money_rates.py",
        "tests/unit/test_money_allocation_and_split.py",
        "tests/unit/test_split_fee_estimate_and_allocation_signs.py",
        "tests/properties/test_money_properties.py",
    ),
    "money/split.py": (
        "src/booking_core/money/split.py",
        "tests/unit/test_money_allocation_and_split.py",
        "tests/unit/test_split_fee_estimate_and_allocation_signs.py",
        "tests/properties/test_money_properties.py",
    ),
    "bookings/capacity.py": (
        "src/booking_core/bookings/capacity.py",
        "tests/unit/test_capacity_rules.py",
        "tests/unit/test_capacity_guards_and_details.py",
    ),
    "bookings/offers.py": (
        "src/booking_core/bookings/offers.py",
        "tests/unit/test_capacity_rules.py",
        "tests/unit/test_capacity_guards_and_details.py",
    ),
    "intervals.py": (
        "src/booking_core/intervals.py",
        "tests/unit/test_interval_set.py",
        "tests/unit/test_interval_set_boundaries.py",
        "tests/unit/test_foundation_values.py",
        "tests/properties/test_interval_set_properties.py",
    ),
    "sessions/reschedule.py": (
        "src/booking_core/sessions/reschedule.py",
        "tests/unit/test_sessions_rules.py",
        "tests/unit/test_sessions_table.py",
        "tests/unit/test_session_commands_zoned_now.py",
        "tests/unit/test_session_refusal_details.py",
    ),
    "sessions/commands.py": (
        "src/booking_core/sessions/commands.py",
        "tests/unit/test_sessions_rules.py",
        "tests/unit/test_sessions_table.py",
        "tests/unit/test_session_commands_zoned_now.py",
        "tests/unit/test_session_refusal_details.py",
    ),
    "_recurrence_engine.py": (
        "src/booking_core/_recurrence_engine.py",
        "tests/unit/test_recurrence.py",
        "tests/unit/test_recurrence_rfc5545.py",
        "tests/unit/test_recurrence_engine_edges.py",
    ),
    "money/ledger.py": (
        "src/booking_core/money/ledger.py",
        "tests/unit/test_money_ledger.py",
        "tests/unit/test_ledger_post_many_balances.py",
        "tests/unit/test_ledger_refusal_details.py",
    ),
    "money/accounts.py": (
        "src/booking_core/money/accounts.py",
        "tests/unit/test_money_ledger.py",
        "tests/unit/test_ledger_post_many_balances.py",
        "tests/unit/test_ledger_refusal_details.py",
    ),
    "availability/windows.py": (
        "src/booking_core/availability/windows.py",
        "tests/unit/test_availability.py",
        "tests/unit/test_slot_edges.py",
        "tests/unit/test_one_on_one_slots.py",
        "tests/unit/test_availability_day_cap.py",
        "tests/unit/test_availability_refusal_details.py",
    ),
    "availability/slots.py": (
        "src/booking_core/availability/slots.py",
        "tests/unit/test_availability.py",
        "tests/unit/test_slot_edges.py",
        "tests/unit/test_one_on_one_slots.py",
        "tests/unit/test_availability_day_cap.py",
        "tests/unit/test_availability_refusal_details.py",
    ),
}

DEFAULT_SAMPLE = 80
"""Mutants drawn per module by default (``--all`` runs every one)."""
SEED = 22
"""The sampling seed: the same sample on every run and every machine."""
MAX_WORKERS = 2
"""Parallel pytest runs at most (the reference machine has two shared cores)."""


# -- mutants ------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """One change to one module, with an identifier that survives line moves."""

    module: str
    function: str
    operator: str
    original: str
    mutated: str
    occurrence: int
    line: int
    start: tuple[int, int]
    end: tuple[int, int]

    @property
    def key(self) -> str:
        """``module::function::operator::original => mutated[#n]``."""
        suffix = f"#{self.occurrence}" if self.occurrence else ""
        return (
            f"{self.module}::{self.function}::{self.operator}::"
            f"{self.original} => {self.mutated}{suffix}"
        )


_COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BINOP_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.FloorDiv: ast.Mult,
    ast.Div: ast.Mult,
    ast.Mod: ast.FloorDiv,
}
_DECLARATION_FLAGS = frozenset(
    {"init", "eq", "repr", "hash", "order", "kw_only", "strict"}
)
"""Declaration and assertion flags (attrs' ``eq=False``, ``zip(strict=True)``):
not logic, so their values are not mutated."""
_CALL_SWAPS = {"min": "max", "max": "min", "any": "all", "all": "any"}


def _segment(node: ast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
    start = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
    end = (node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
    return start, end


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Collector(ast.NodeVisitor):
    """Walk a module and record every mutant; annotations and decorators skipped."""

    def __init__(self, module: str, source: str) -> None:
        self.module = module
        self.lines = source.splitlines(keepends=True)
        self.scope: list[str] = []
        self.mutants: list[Mutant] = []
        self._seen: Counter[str] = Counter()
        self._in_if_body = 0

    # scopes -----------------------------------------------------------------------
    def _visit_scope(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    ) -> None:
        self.scope.append(node.name)
        body = node.body
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body = body[1:]  # the docstring
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                self.visit(base)
        else:
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    self.visit(default)
        for statement in body:
            self.visit(statement)
        self.scope.pop()

    visit_FunctionDef = _visit_scope  # noqa: N815
    visit_AsyncFunctionDef = _visit_scope  # noqa: N815
    visit_ClassDef = _visit_scope  # noqa: N815

    def visit_Module(self, node: ast.Module) -> None:
        for statement in node.body:
            if isinstance(statement, ast.If) and "TYPE_CHECKING" in ast.unparse(
                statement.test
            ):
                continue
            if isinstance(statement, ast.Expr) and isinstance(
                statement.value, ast.Constant
            ):
                continue  # module docstring, attribute docstrings
            if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in statement.targets
            ):
                continue
            self.visit(statement)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)  # never the annotation

    # recording --------------------------------------------------------------------
    def _add(self, operator: str, node: ast.AST, replacement: str) -> None:
        start, end = _segment(node)
        original = _one_line(self._text(start, end))
        mutated = _one_line(replacement)
        if original == mutated:
            return
        function = ".".join(self.scope) or "<module>"
        ident = f"{function}::{operator}::{original} => {mutated}"
        occurrence = self._seen[ident]
        self._seen[ident] += 1
        self.mutants.append(
            Mutant(
                module=self.module,
                function=function,
                operator=operator,
                original=original,
                mutated=mutated,
                occurrence=occurrence,
                line=start[0],
                start=start,
                end=end,
            )
        )

    def _text(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        (l1, c1), (l2, c2) = start, end
        if l1 == l2:
            return self.lines[l1 - 1][c1:c2]
        middle = "".join(self.lines[l1 : l2 - 1])
        return self.lines[l1 - 1][c1:] + middle + self.lines[l2 - 1][:c2]

    def _statement_to_pass(self, operator: str, node: ast.stmt) -> None:
        self._add(operator, node, "pass")

    # expressions ------------------------------------------------------------------
    def visit_Compare(self, node: ast.Compare) -> None:
        for index, op in enumerate(node.ops):
            swap = _COMPARE_SWAPS.get(type(op))
            if swap is not None:
                ops = list(node.ops)
                ops[index] = swap()
                changed = ast.Compare(node.left, ops, node.comparators)
                self._add("compare", node, f"({ast.unparse(changed)})")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        swap = _BINOP_SWAPS.get(type(node.op))
        if swap is not None and not _is_string_format(node):
            changed = ast.BinOp(node.left, swap(), node.right)
            self._add("arithmetic", node, f"({ast.unparse(changed)})")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        swap = _BINOP_SWAPS.get(type(node.op))
        if swap is not None:
            changed = ast.AugAssign(node.target, swap(), node.value)
            self._add("arithmetic", node, ast.unparse(changed))
        self._statement_to_pass("statement", node)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        other: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self._add("boolean", node, f"({ast.unparse(ast.BoolOp(other, node.values))})")
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self._add("not", node, f"({ast.unparse(node.operand)})")
        elif isinstance(node.op, ast.USub) and not isinstance(
            node.operand, ast.Constant
        ):
            self._add("negation", node, f"({ast.unparse(node.operand)})")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self._add("constant", node, str(not value))
        elif isinstance(value, int):
            self._add("constant", node, str(value + 1))
            self._add("constant", node, str(value - 1))

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in _CALL_SWAPS:
            self._add("call", node.func, _CALL_SWAPS[node.func.id])
        name = ast.unparse(node.func)
        if name.endswith("Error"):  # error details hosts show to users
            for keyword in node.keywords:
                value = keyword.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    self._add("error-detail", value, repr(f"XX{value.value}XX"))
                elif keyword.arg is not None and not isinstance(value, ast.Constant):
                    self._add("error-detail", value, "None")
        self.visit(node.func)
        for argument in node.args:
            self.visit(argument)
        for keyword in node.keywords:
            if keyword.arg not in _DECLARATION_FLAGS:
                self.visit(keyword.value)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        return  # message text: not mutated

    # statements -------------------------------------------------------------------
    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        self._in_if_body += 1
        for statement in node.body:
            self.visit(statement)
        self._in_if_body -= 1
        for statement in node.orelse:
            self.visit(statement)

    def visit_Raise(self, node: ast.Raise) -> None:
        self._statement_to_pass("statement", node)
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if self._in_if_body:  # an early return guarded by a condition
            self._statement_to_pass("statement", node)
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Call):
            self._statement_to_pass("statement", node)
        self.generic_visit(node)

    def visit_Continue(self, node: ast.Continue) -> None:
        self._statement_to_pass("statement", node)

    def visit_Break(self, node: ast.Break) -> None:
        self._statement_to_pass("statement", node)


def _is_string_format(node: ast.BinOp) -> bool:
    return isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)


def collect(module: str) -> list[Mutant]:
    """Every mutant of ``module`` (a path under ``src/booking_core``) that compiles."""
    source = (PACKAGE / module).read_text(encoding="utf-8")
    collector = _Collector(module, source)
    collector.visit(ast.parse(source))
    return [m for m in collector.mutants if _compiles(apply(source, m))]


def apply(source: str, mutant: Mutant) -> str:
    """``source`` with ``mutant``'s segment replaced by its mutated text."""
    lines = source.splitlines(keepends=True)
    (l1, c1), (l2, c2) = mutant.start, mutant.end
    before = "".join(lines[: l1 - 1]) + lines[l1 - 1][:c1]
    after = lines[l2 - 1][c2:] + "".join(lines[l2:])
    return before + mutant.mutated + after


def _compiles(source: str) -> bool:
    try:
        compile(source, "<mutant>", "exec")
    except SyntaxError:
        return False
    return True


def sample(mutants: Sequence[Mutant], size: int | None) -> list[Mutant]:
    """A deterministic sample (same seed, same module -> same mutants), in order."""
    if size is None or size >= len(mutants):
        return list(mutants)
    rng = random.Random(f"{SEED}:{mutants[0].module}")
    chosen = rng.sample(range(len(mutants)), size)
    return [mutants[i] for i in sorted(chosen)]


def read_equivalent(path: Path = EQUIVALENT_FILE) -> dict[str, str]:
    """``key -- reason`` lines of the equivalent list; ``#`` starts a comment."""
    entries: dict[str, str] = {}
    if not path.exists():
        return entries
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, reason = line.partition(" -- ")
        if not sep or not reason.strip():
            msg = f"{path}: every entry needs ' -- <reason>': {line!r}"
            raise SystemExit(msg)
        entries[key.strip()] = reason.strip()
    return entries


# -- running ------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the tests did with one mutant."""

    mutant: Mutant
    status: str  # killed, survived, timeout, equivalent
    seconds: float = 0.0


@dataclass
class Report:
    """Per-module tallies."""

    module: str
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many outcomes have ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def score(self) -> float:
        """Caught / (total - equivalent): a timeout counts as caught."""
        judged = len(self.outcomes) - self.count("equivalent")
        caught = self.count("killed") + self.count("timeout")
        return 100.0 if judged == 0 else 100.0 * caught / judged


class Workspace:
    """A private copy of ``src/`` a worker mutates one file of at a time."""

    def __init__(self, base: Path, index: int) -> None:
        self.src = base / f"worker-{index}" / "src"
        shutil.copytree(
            SRC, self.src, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )

    def test_args(self, tests: Sequence[str]) -> list[str]:
        """The test paths, with ``src/...`` doctest targets moved into the copy.

        Doctest targets come last: by then the test files have imported the
        module by its name, and pytest's importlib mode reuses that module
        instead of loading the file a second time (whose classes would differ).
        """
        doctests = [
            str(self.src / t.removeprefix("src/"))
            for t in tests
            if t.startswith("src/")
        ]
        return [t for t in tests if not t.startswith("src/")] + doctests

    def run(self, tests: Sequence[str], timeout: float) -> tuple[str, float]:
        """``("passed" | "failed" | "timeout", seconds)`` for one pytest run."""
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(self.src), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.pop("HYPOTHESIS_PROFILE", None)  # the deterministic default profile
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-x",
            "-q",
            "-p",
            "no:cacheprovider",
            "--no-header",
            "-o",
            "console_output_style=classic",
            *self.test_args(tests),
        ]
        began = time.monotonic()
        with subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        ) as process:
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return "timeout", time.monotonic() - began
        return ("passed" if code == 0 else "failed"), time.monotonic() - began

    def install(self, module: str, text: str) -> None:
        """Write ``text`` as ``module`` in the copy."""
        (self.src / "booking_core" / module).write_text(text, encoding="utf-8")


def _check_import_path(workspace: Workspace) -> None:
    """The copy, not the editable install, must be what ``import`` finds."""
    env = {**os.environ, "PYTHONPATH": str(workspace.src)}
    where = subprocess.run(
        [sys.executable, "-c", "import booking_core; print(booking_core.__file__)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not where.startswith(str(workspace.src)):
        msg = f"mutants would not be imported: booking_core comes from {where}"
        raise SystemExit(msg)


def run_module(
    module: str,
    mutants: Sequence[Mutant],
    equivalent: dict[str, str],
    workspaces: Queue[Workspace],
    workers: int,
    *,
    recheck: bool = False,
) -> Report:
    """Run the module's tests against each mutant, ``workers`` at a time."""
    tests = MODULES[module]
    source = (PACKAGE / module).read_text(encoding="utf-8")
    report = Report(module)

    workspace = workspaces.get()
    baseline, seconds = workspace.run(tests, timeout=600)
    workspaces.put(workspace)
    if baseline != "passed":
        msg = f"{module}: the tests fail without any mutant ({baseline}); fix first"
        raise SystemExit(msg)
    timeout = max(30.0, 4 * seconds)
    print(f"{module}: {len(mutants)} mutants, baseline {seconds:.1f}s", flush=True)

    lock = threading.Lock()

    def one(mutant: Mutant) -> Outcome:
        listed = mutant.key in equivalent
        if listed and not recheck:
            return Outcome(mutant, "equivalent")
        space = workspaces.get()
        try:
            space.install(module, apply(source, mutant))
            result, took = space.run(tests, timeout)
        finally:
            space.install(module, source)
            workspaces.put(space)
        status = {"passed": "survived", "failed": "killed"}.get(result, result)
        if listed:  # --recheck-equivalent: a listed mutant a test kills is wrong
            status = "equivalent" if status == "survived" else "not-equivalent"
        with lock:
            mark = {"survived": "S", "timeout": "T", "not-equivalent": "!"}.get(
                status, "."
            )
            print(mark, end="", flush=True)
        return Outcome(mutant, status, took)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        report.outcomes = list(pool.map(one, mutants))
    print(flush=True)
    _print_report([report], stale=())  # this module now; all of them at the end
    return report


def _print_report(reports: Sequence[Report], stale: Sequence[str]) -> None:
    print("\nmodule                      total killed survived timeout equiv  score")
    for r in reports:
        print(
            f"{r.module:<27} {len(r.outcomes):>5} {r.count('killed'):>6} "
            f"{r.count('survived'):>8} {r.count('timeout'):>7} "
            f"{r.count('equivalent'):>5} {r.score:>5.1f}%"
        )
    survivors = [o for r in reports for o in r.outcomes if o.status == "survived"]
    if survivors:
        print("\nsurvivors (add a test, or list in tools/mutation-equivalent.txt):")
        for o in survivors:
            m = o.mutant
            print(
                f"  src/booking_core/{m.module}:{m.line} [{m.operator}] "
                f"{m.original!s} -> {m.mutated!s}"
            )
            print(f"      {m.key}")
    wrong = [o for r in reports for o in r.outcomes if o.status == "not-equivalent"]
    if wrong:
        print("\nlisted as equivalent but killed (remove them from the list):")
        for o in wrong:
            print(f"  {o.mutant.key}")
    if stale:
        print("\nequivalent entries matching no mutant (update or remove them):")
        for key in stale:
            print(f"  {key}")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--module",
        action="append",
        choices=sorted(MODULES),
        metavar="MODULE",
        help="a module under src/booking_core (repeatable; default: all of MODULES)",
    )
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE)
    parser.add_argument("--all", action="store_true", help="no sampling")
    parser.add_argument("--workers", type=int, default=MAX_WORKERS)
    parser.add_argument("--fail-under", type=float, default=90.0)
    parser.add_argument(
        "--match", default="", help="only mutants whose key contains this text"
    )
    parser.add_argument("--list", action="store_true", help="print mutants only")
    parser.add_argument(
        "--recheck-equivalent",
        action="store_true",
        help="run the listed equivalent mutants too and report any a test kills",
    )
    return parser.parse_args(argv)


def _modules(chosen: Sequence[str] | None) -> Iterator[str]:
    yield from chosen or MODULES


def main(argv: Sequence[str] | None = None) -> int:
    """Run the harness; 1 when a module scores below ``--fail-under``."""
    args = _parse(argv)
    workers = max(1, min(args.workers, MAX_WORKERS))
    equivalent = read_equivalent()
    size = None if args.all else args.sample
    every_key: set[str] = set()
    plan: list[tuple[str, list[Mutant]]] = []
    for module in _modules(args.module):
        mutants = collect(module)
        every_key.update(m.key for m in mutants)
        if args.match:
            mutants = [m for m in mutants if args.match in m.key]
        picked = sample(mutants, size)
        if args.recheck_equivalent:  # every listed mutant, sampled or not
            picked = [m for m in mutants if m.key in equivalent]
        if picked or not args.recheck_equivalent:
            plan.append((module, picked))
    if args.list:
        for _, mutants in plan:
            for m in mutants:
                print(f"{m.module}:{m.line} {m.key}")
        return 0

    with tempfile.TemporaryDirectory(prefix="booking-core-mutants-") as base:
        workspaces: Queue[Workspace] = Queue()
        for index in range(workers):
            workspaces.put(Workspace(Path(base), index))
        probe = workspaces.get()
        _check_import_path(probe)
        workspaces.put(probe)
        reports = [
            run_module(
                module,
                mutants,
                equivalent,
                workspaces,
                workers,
                recheck=args.recheck_equivalent,
            )
            for module, mutants in plan
        ]
    chosen = {m for m, _ in plan}
    stale = [
        k for k in equivalent if k.split("::", 1)[0] in chosen and k not in every_key
    ]
    _print_report(reports, stale)
    return 1 if any(r.score < args.fail_under for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
