"""Import time of ``booking_core`` against the floor of importing its dependencies.

Each measurement runs in a fresh interpreter and times only the import statement,
so interpreter start-up is not counted. Target ratio <= 1.5.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import report

TEMPLATE = (
    "import time; start = time.perf_counter(); {stmt}; "
    "print(time.perf_counter() - start)"
)
FLOOR = "import attrs, dateutil.rrule, zoneinfo"
OURS = "import booking_core"
# Every exported name resolved: what a host that uses the whole vocabulary pays.
OURS_ALL = (
    "import booking_core; [getattr(booking_core, n) for n in booking_core.__all__]"
)


def fresh_import_seconds(stmt: str, runs: int) -> float:
    timings = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", TEMPLATE.format(stmt=stmt)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        timings.append(float(out))
    return statistics.median(timings)


def main() -> None:
    runs = 21
    floor = fresh_import_seconds(FLOOR, runs)
    ours = fresh_import_seconds(OURS, runs)
    every = fresh_import_seconds(OURS_ALL, runs)
    peer = "floor:import attrs+dateutil.rrule+zoneinfo"
    report("import.booking_core", ours, peer, floor)
    report("import.booking_core.every_export", every, peer, floor)


if __name__ == "__main__":
    main()
