"""The one timing rule of every bench: ``warmup`` untimed runs, then the median of ``repeat`` timed
runs (best and all runs reported beside it, and N printed with every figure).

Median, not best-of: the best run flatters whoever is lucky with the shared machine's other load;
the median of N is what a visitor meets, and the same rule on both sides of a ratio keeps it fair.
"""
import math
import statistics
import time
from collections.abc import Callable

DEFAULT_REPEAT = 5
DEFAULT_WARMUP = 1


def measure(fn: Callable[[], object], *, repeat: int = DEFAULT_REPEAT, warmup: int = DEFAULT_WARMUP,
            before: Callable[[], object] | None = None) -> dict:
    """Time ``fn()``; ``before()`` (untimed) runs ahead of every run, e.g. to bump the data version.

    Returns ``{"median_s", "best_s", "p95_s", "runs_s", "n", "warmup", "result"}`` (result: the last run's value).
    """
    result = None
    for _ in range(warmup):
        if before is not None:
            before()
        result = fn()
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return {**summary(runs), "warmup": warmup, "result": result}


def measure_pair(ours: Callable[[], object], baseline: Callable[[], object], *, repeat: int = DEFAULT_REPEAT,
                 warmup: int = DEFAULT_WARMUP) -> tuple[dict, dict, dict]:
    """Time the product and its baseline **interleaved** (ours, baseline, ours, baseline …) under the
    same rule as ``measure``; returns (ours, baseline, ratio) where ratio has the median of the
    per-round ratios beside the ratio of the medians.

    On a shared machine the load moves by the second: N runs of one side and then N of the other
    compare two different machines. Interleaved, every round puts both under the same load, and the
    per-round ratio cancels most of it.
    """
    for _ in range(warmup):
        ours(), baseline()
    a_runs, b_runs, result_a, result_b = [], [], None, None
    for i in range(repeat):
        # Alternate which goes first, so that neither always gets the warmer cache.
        order = ((ours, a_runs), (baseline, b_runs)) if i % 2 == 0 else ((baseline, b_runs), (ours, a_runs))
        for fn, runs in order:
            start = time.perf_counter()
            value = fn()
            runs.append(time.perf_counter() - start)
            if fn is ours:
                result_a = value
            else:
                result_b = value
    a, b = {**summary(a_runs), "warmup": warmup, "result": result_a}, {**summary(b_runs), "warmup": warmup,
                                                                        "result": result_b}
    ratio = {"of_medians": a["median_s"] / b["median_s"] if b["median_s"] else math.inf,
             "median_of_rounds": statistics.median(x / y for x, y in zip(a_runs, b_runs) if y)}
    return a, b, ratio


def summary(runs: list[float]) -> dict:
    """Median, best and p95 (nearest rank) of timings already taken, with their count."""
    ordered = sorted(runs)
    return {"median_s": statistics.median(ordered), "best_s": ordered[0],
            "p95_s": ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], "runs_s": runs, "n": len(runs)}


def fmt(figures: dict) -> str:
    """'median 123.4 ms (best 110.2 ms, p95 130.0 ms; N=5 after 1 warm-up)'."""
    warm = figures.get("warmup")
    after = f" after {warm} warm-up" + ("s" if warm != 1 else "") if warm is not None else ""
    return (f"median {figures['median_s'] * 1000:.1f} ms (best {figures['best_s'] * 1000:.1f} ms, "
            f"p95 {figures['p95_s'] * 1000:.1f} ms; N={figures['n']}{after})")
