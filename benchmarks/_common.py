"""Shared benchmark helpers: medians of repeated timings and the JSON line format."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable


def median_seconds(
    func: Callable[[], object], *, repeat: int = 7, number: int = 1
) -> float:
    """Median wall time of ``number`` calls of ``func``, over ``repeat`` runs."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        timings.append((time.perf_counter() - start) / number)
    return statistics.median(timings)


def interleaved_medians(
    funcs: list[Callable[[], object]], *, rounds: int = 15
) -> list[float]:
    """Median wall time of each of ``funcs``, timed in turn within every round.

    Interleaving spreads machine noise (other processes, frequency changes) over
    all the functions alike, so their ratio is steadier than with separate runs.
    """
    timings: list[list[float]] = [[] for _ in funcs]
    for _ in range(rounds):
        for func, spent in zip(funcs, timings, strict=True):
            start = time.perf_counter()
            func()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in timings]


def report(
    bench: str, ours_s: float, peer: str, peer_s: float, **extra: object
) -> None:
    """Print one JSON line: ``{"bench", "ours_s", "peer", "peer_s", "ratio", ...}``."""
    line = {
        "bench": bench,
        "ours_s": round(ours_s, 6),
        "peer": peer,
        "peer_s": round(peer_s, 6),
        "ratio": round(ours_s / peer_s, 3),
        **extra,
    }
    print(json.dumps(line), flush=True)
