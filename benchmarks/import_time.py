"""Import time of ``booking_core`` against importing the dependencies it imports.

Lines (fresh interpreter each measurement, only the import statement timed, so
interpreter start-up is not counted; the process's CPU time, so the waits of a
shared machine are not; medians of interleaved runs):

* ``import.booking_core``: ``import booking_core``;
* ``import.every_export``: every name of ``booking_core.__all__``
  resolved, what a host that uses the whole top-level vocabulary pays
  (target ratio <= 1.5);
* ``import.services_monitor``: ``import booking_core.services.monitor``.

Peer ``floor:deps``, per line: importing, in the same order, exactly the modules
from outside ``booking_core`` (attrs, the standard library …) that the line's
statement leaves in ``sys.modules``, as found by a probe process. It is the same
work as ours minus our own modules: what remains is the cost of booking_core's
code. The probe lists the modules before it imports ``json`` to print them, so
the floor holds ``json`` exactly when the statement imported it (it used to drop
``json`` always, and to keep the ``_json`` of the probe's own import). Both
sides run with bytecode caching on (``__pycache__`` written by a warm-up run, as
an installed package has it), even where the environment sets
``PYTHONDONTWRITEBYTECODE``.

The ratio compares our own code with the dependencies it imports: a module that
stops importing a dependency makes both sides cheaper, so a real saving can leave
the ratio where it was, or raise it. ``own_ms`` (ours minus the floor) is the
absolute cost of booking_core's own modules.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import report

TEMPLATE = (
    "import time; start = time.process_time(); {stmt}; "
    "print(time.process_time() - start)"
)
PROBE = (
    "import sys; before = set(sys.modules); {stmt}; "
    "found = [m for m in sys.modules if m not in before"
    " and not m.startswith('booking_core')]; "
    "import json; print(json.dumps(found))"
)
CASES = {
    "import.booking_core": "import booking_core",
    "import.every_export": (
        "import booking_core; [getattr(booking_core, n) for n in booking_core.__all__]"
    ),
    "import.services_monitor": "import booking_core.services.monitor",
}
RUNS = 15


def _run(code: str, env: dict[str, str]) -> str:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout


def _floor_statement(stmt: str, env: dict[str, str]) -> str:
    """``import a, b, …``: what ``stmt`` imports from outside booking_core."""
    modules = json.loads(_run(PROBE.format(stmt=stmt), env))
    importable = [m for m in modules if not m.startswith("_sysconfigdata")]
    return "import " + ", ".join(importable) if importable else "pass"


def main() -> None:
    """Print one JSON line per case."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    pairs = {
        bench: (stmt, _floor_statement(stmt, env)) for bench, stmt in CASES.items()
    }
    for stmt, floor in pairs.values():  # warm the bytecode caches
        _run(TEMPLATE.format(stmt=stmt), env)
        _run(TEMPLATE.format(stmt=floor), env)
    timings: dict[str, tuple[list[float], list[float]]] = {
        bench: ([], []) for bench in pairs
    }
    for _ in range(RUNS):
        for bench, (stmt, floor) in pairs.items():
            timings[bench][0].append(float(_run(TEMPLATE.format(stmt=stmt), env)))
            timings[bench][1].append(float(_run(TEMPLATE.format(stmt=floor), env)))
    for bench, (ours, peer) in timings.items():
        report(
            bench,
            statistics.median(ours),
            "floor:deps",
            statistics.median(peer),
            modules=pairs[bench][1].count(",") + 1,
            own_ms=round((statistics.median(ours) - statistics.median(peer)) * 1e3, 1),
        )


if __name__ == "__main__":
    main()
