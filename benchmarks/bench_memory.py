"""Row 4, memory: the peak RSS of ``revoke_many`` over 100,000 ids next to 1,000, both strategies.

The reads' half of the row (``list`` and ``inventory`` over 100,000 tokens) is
:mod:`.bench_memory_reads`, run after the jobs.

Each case runs in a fresh subprocess (``python -m benchmarks.bench_memory --child ...``) that
imports the SDK, builds its ids, opens the client, runs one ``revoke_many`` against a FakeFastly
subprocess, and prints its peak resident set at the end: ``VmHWM`` from ``/proc/self/status``
on Linux, as ``ru_maxrss`` there inherits the parent's peak through fork and exec (measured:
a child of a 300 MB parent reports 318 MB in ``ru_maxrss`` and 9 MB in ``VmHWM``). The ids are
synthetic, and the server runs with ``--bulk-partial`` and no tokens, so that:

* batch: every ``DELETE /tokens`` of 100 ids answers 204, and every id ends ``revoked``: the
  path of a job that succeeds;
* each: every ``DELETE /tokens/{id}`` answers 404, and every id ends ``not_found`` with its
  ``NotFoundError``: the path of ids that are already gone, where each outcome carries an error.

The jobs run with ``preflight=False``: with the preflight, ids that no listing shows end
``not_found`` unsent, and the job would measure three reads instead of 100,000 requests.

A constant difference is impossible in one respect: the ids passed in and the report handed
back (one result per id, by contract) grow with the ids. So each strategy also has a floor,
measured the same way in a fresh subprocess: the ids and a report of the same outcomes, built
without a request. What the job adds beyond its floor, per extra id, is the figure that should
stay small: the job's own bookkeeping (its ordering, de-duplication and outcome maps).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

from fastly_tokens import FastlyAsync, NotFoundError, Outcome, RevocationResult

from . import bench_memory_reads
from ._harness import Config, FakeServer, Figure, Ratio, RowResult, child_report, peak_kib

ROW = "4 memory"
TARGET_BYTES_PER_ID = 256
"""What the job may add per id beyond its ids and its report: a few map and list entries."""

Kind = Literal["batch", "each"]


def synthetic_ids(n: int) -> list[str]:
    """``n`` distinct well-formed ids (22 ASCII letters and digits, like Fastly's)."""
    return [f"bench{i:017d}" for i in range(n)]


async def _child_job(args: argparse.Namespace) -> dict[str, Any]:
    ids = synthetic_ids(args.ids)
    async with FastlyAsync(base_url=args.base_url, max_concurrency=args.concurrency) as c:
        gc.collect()
        before = peak_kib()
        started = time.perf_counter()
        report = await c.tokens.revoke_many(
            ids,
            strategy=args.strategy,
            chunk_size=args.chunk_size,
            concurrency=args.concurrency,
            preflight=False,  # the synthetic ids are in no listing: every one would end unsent
        )
        elapsed = time.perf_counter() - started
        counts = {outcome.value: n for outcome, n in report.counts.items() if n}
        return {
            "peak_kib": peak_kib(),
            "before_kib": before,
            "requests": report.requests,
            "counts": counts,
            "elapsed": elapsed,
        }


async def _child_floor(args: argparse.Namespace) -> dict[str, Any]:
    """The ids, and a report of the outcomes the job would return, built without requests."""
    ids = synthetic_ids(args.ids)
    results: tuple[RevocationResult, ...]
    if args.strategy == "batch":
        gc.collect()
        before = peak_kib()
        results = tuple(RevocationResult(t, Outcome.REVOKED) for t in ids)
    else:
        # One real 404, for the words Fastly (here the fake) puts in it.
        async with FastlyAsync(base_url=args.base_url) as c:
            probe = "0" * 22
            try:
                await c.tokens.revoke_token(probe)
            except NotFoundError as exc:
                words = exc
            else:
                raise RuntimeError("the floor's probe id was not answered 404")
        gc.collect()
        before = peak_kib()
        results = tuple(
            RevocationResult(
                t,
                Outcome.NOT_FOUND,
                NotFoundError(
                    status=404,
                    method="DELETE",
                    path=f"/tokens/{t}",
                    msg=words.msg,
                    detail=words.detail.replace(probe, t),
                    # Each answer's own rate-limit figures, as the job's errors carry them.
                    remaining=None if words.remaining is None else int(str(words.remaining)),
                    reset_at=None if words.reset_at is None else copy.copy(words.reset_at),
                ),
            )
            for t in ids
        )
    return {"peak_kib": peak_kib(), "before_kib": before, "results": len(results)}


def child_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of one measured subprocess; prints one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_memory")
    parser.add_argument("--child", choices=("job", "floor"), required=True)
    parser.add_argument("--strategy", choices=("batch", "each"), required=True)
    parser.add_argument("--ids", type=int, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--chunk-size", type=int, default=100)
    args = parser.parse_args(argv)
    work = _child_job if args.child == "job" else _child_floor
    print(json.dumps(asyncio.run(work(args))))
    return 0


def _measure(server: FakeServer, cfg: Config, mode: str, kind: Kind, n: int) -> dict[str, Any]:
    argv = [
        sys.executable,
        "-m",
        "benchmarks.bench_memory",
        "--child",
        mode,
        "--strategy",
        kind,
        "--ids",
        str(n),
        "--base-url",
        server.base_url,
        "--concurrency",
        str(cfg.concurrency),
        "--chunk-size",
        str(cfg.chunk_size),
    ]
    return child_report(argv, server.key, " ".join(argv[2:8]))


def run(cfg: Config, log: Callable[[str], None]) -> RowResult:
    """Measure row 4: 2 strategies x 2 sizes, each with its floor, one subprocess a case."""
    result = RowResult()
    small, large = cfg.memory_ids
    outcome = {"batch": "all 204, revoked", "each": "all 404, not_found + error"}
    with FakeServer(bulk_partial=True) as server:
        for kind in ("batch", "each"):
            measured: dict[tuple[str, int], dict[str, Any]] = {}
            for n in (small, large):
                for mode in ("floor", "job"):
                    log(f"row {ROW}: {kind} {mode}, {n:,} ids (fresh process)")
                    measured[mode, n] = _measure(server, cfg, mode, kind, n)
            job_small, job_large = measured["job", small], measured["job", large]
            for n, job in ((small, job_small), (large, job_large)):
                result.figures.append(
                    Figure(
                        ROW,
                        f"{kind}, {n:,} ids ({outcome[kind]}): peak RSS",
                        job["peak_kib"] / 1024,
                        "MiB",
                        note=f"{job['requests']:,} requests, {job['elapsed']:.1f} s",
                    )
                )
            grew = (job_large["peak_kib"] - job_small["peak_kib"]) / 1024
            floor_grew = (
                measured["floor", large]["peak_kib"] - measured["floor", small]["peak_kib"]
            ) / 1024
            result.figures.append(
                Figure(ROW, f"{kind}: peak RSS {large:,} ids - {small:,} ids", grew, "MiB")
            )
            result.figures.append(
                Figure(
                    ROW, f"{kind}: the same for the ids + report alone (floor)", floor_grew, "MiB"
                )
            )
            beyond = (grew - floor_grew) * 1024 * 1024 / (large - small)
            result.ratios.append(
                Ratio(
                    ROW,
                    f"{kind}: job's growth beyond ids + report, {small:,} -> {large:,} ids",
                    beyond,
                    ("<=", TARGET_BYTES_PER_ID),
                    unit="B/id",
                )
            )
    result.notes.append(
        f"row 4: peak RSS (VmHWM; ru_maxrss would inherit the parent's peak through fork+exec) "
        f"at the end of a fresh subprocess per case; synthetic ids against a "
        f"--bulk-partial server with no tokens (batch: every chunk 204; each: every id 404). "
        f"The floor is the same process with the ids and a report of the same outcomes built "
        f"without requests; the ratio line is (job growth - floor growth) / extra ids, target "
        f"<= {TARGET_BYTES_PER_ID} bytes an id."
    )
    reads = bench_memory_reads.run(cfg, log)
    result.ratios += reads.ratios
    result.figures += reads.figures
    result.notes += reads.notes
    return result


if __name__ == "__main__":
    raise SystemExit(child_main())
