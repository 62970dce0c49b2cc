"""``python -m benchmarks``: run every row and print one table of ratios measured in this run.

Rows: 1 per call, 2 list into models, 3 revoke 2,000 ids, 4 memory, 5 budget, 6 middleware
cost (``bench_middleware``). ``--quick`` is the test suite's few-second run; ``--scale`` keeps
the shape and multiplies every count. Progress goes to stderr, the report to stdout. Nothing
here asserts a speed: a missed target is printed as MISSED, and the exit status stays 0.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from . import (
    _middleware_row,
    bench_automation,
    bench_budget,
    bench_calls,
    bench_inventory,
    bench_list,
    bench_memory,
    bench_revoke,
    bench_startup,
)
from ._harness import Config, RowResult, log_to_stderr, machine_lines, render

ROWS: dict[str, Callable[[Config, Callable[[str], None]], RowResult]] = {
    "calls": bench_calls.run,
    "list": bench_list.run,
    "revoke": bench_revoke.run,
    "memory": bench_memory.run,
    "budget": bench_budget.run,
    "middleware": _middleware_row.run,
    "automation": bench_automation.run,
    "inventory": bench_inventory.run,
    "startup": bench_startup.run,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="fastly-tokens against raw aiohttp and the official SDK, in one run.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, a few seconds (the test suite's run)"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply every count by this (default 1)"
    )
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (median)")
    parser.add_argument(
        "--rows",
        default=",".join(ROWS),
        help=f"comma-separated rows to run (default all: {','.join(ROWS)})",
    )
    parser.add_argument(
        "--no-official", action="store_true", help="leave the official SDK out even if installed"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def config_from(args: argparse.Namespace) -> Config:
    cfg = Config.quick() if args.quick else Config()
    if args.scale != 1.0:
        cfg = cfg.scaled(args.scale)
    rows = frozenset(r.strip() for r in args.rows.split(",") if r.strip())
    unknown = rows - set(ROWS)
    if unknown:
        raise SystemExit(f"unknown rows: {', '.join(sorted(unknown))} (known: {', '.join(ROWS)})")
    cfg = replace(cfg, rows=rows, official=not args.no_official)
    if args.rounds is not None:
        if args.rounds < 1:
            raise SystemExit("--rounds must be at least 1")
        cfg = replace(cfg, rounds=args.rounds)
    return cfg


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.scale <= 0:
        raise SystemExit("--scale must be positive")
    cfg = config_from(args)
    given = list(sys.argv[1:] if argv is None else argv)
    shown = shlex.join(["python", "-m", "benchmarks", *given])
    if os.environ.get("NOX_CURRENT_SESSION") == "bench":
        shown = shlex.join(["nox", "-s", "bench", *(["--", *given] if given else [])])
    log: Callable[[str], None] = (lambda _: None) if args.quiet else log_to_stderr
    started = time.perf_counter()
    results = []
    for name, run in ROWS.items():
        if name in cfg.rows:
            results.append(run(cfg, log))
    header = machine_lines(shown)
    header.append(f"run:      {time.perf_counter() - started:.0f} s, {cfg.rounds} rounds")
    print(render(header, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
