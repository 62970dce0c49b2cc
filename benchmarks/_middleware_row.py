"""Row 6, middleware cost: ``bench_middleware`` (written separately) run as one more row.

It has its own method: FakeFastly in this process, on the same event loop as the client, so the
figures are not comparable with rows 1 to 3 (there, the server has a process of its own); the
ratio of retrying on to retrying off is what it is for.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable

from . import bench_middleware
from ._harness import Config, Figure, Ratio, RowResult

ROW = "6 middleware"


def run(cfg: Config, log: Callable[[str], None]) -> RowResult:
    """Run ``bench_middleware.bench`` and turn its medians into ratios and figures."""
    calls, rounds = cfg.middleware_calls, cfg.rounds
    log(f"row {ROW}: bench_middleware, {calls:,} calls x {rounds} rounds (in-process fake)")
    results = asyncio.run(bench_middleware.bench(calls, rounds))
    result = RowResult()
    for operation in bench_middleware.OPERATIONS:
        med = {v: statistics.median(results[v, operation]) for v in bench_middleware.VARIANTS}
        result.ratios.append(Ratio(ROW, f"{operation}: retry on / retry off", med["a"] / med["b"]))
        result.ratios.append(
            Ratio(ROW, f"{operation}: ours (retry on) / raw aiohttp", med["a"] / med["raw"])
        )
        for variant in bench_middleware.VARIANTS:
            result.figures.append(
                Figure(
                    ROW,
                    f"{operation}: {bench_middleware.LABELS[variant]}",
                    med[variant] * 1e6,
                    "us/call",
                )
            )
    result.notes.append(
        f"row 6: benchmarks/bench_middleware.py, {calls:,} sequential calls per operation per "
        f"round, {rounds} rounds, medians of the rounds; its fake shares the client's process "
        "and event loop, so its absolute figures are not those of rows 1-3."
    )
    return result
