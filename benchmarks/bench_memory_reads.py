"""Row 4, memory of the reads: peak RSS of ``list`` and ``inventory`` over 100,000 tokens.

Part of row 4 (``bench_memory`` runs it after the revocation jobs), measured the same way: each
case a fresh subprocess (``python -m benchmarks.bench_memory_reads --child ...``) that imports
the SDK, opens the client, reads once against a FakeFastly subprocess seeded with ``--tokens``,
and prints its peak resident set (``VmHWM``, see ``_harness.peak_kib``). Cases:

* ``list``: ``client.tokens.list_tokens_user()`` with the user's key: ``list[Token]``;
* ``inventory``: ``client.inventory()`` with the superuser's key: the customer's tokens (the
  same ones) joined to their owners;
* ``raw``: aiohttp, ``GET /tokens`` and ``json.loads`` of the body: the dicts, no models;
  its body's length is the raw JSON's own size.

Each at two sizes (1,000 and 100,000 tokens, two servers), so that what the interpreter, the
imports and the session weigh cancels: the figure is the growth of the peak per extra token,
set against the raw JSON's bytes per token. Every case holds the whole body at its peak (the
SDK reads a body whole before decoding it), then the decoded dicts, then what it builds.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Literal

import aiohttp

from fastly_tokens import FastlyAsync

from ._harness import Config, FakeServer, Figure, Ratio, RowResult, child_report, peak_kib

ROW = "4 memory"
Case = Literal["list", "inventory", "raw"]
CASES: tuple[Case, ...] = ("list", "inventory", "raw")
LABEL = {
    "list": "list_tokens_user() -> list[Token]",
    "inventory": "inventory() (superuser)",
    "raw": "raw aiohttp + json.loads (dicts)",
}
TARGET_RATIO = 1.1
"""Ours' peak per token within 10 % of what raw aiohttp's dicts take: the models add nothing
to the peak that decoding the body sets (10 %: this machine's noise between runs)."""


async def _child(args: argparse.Namespace) -> dict[str, Any]:
    key = os.environ["FASTLY_API_TOKEN"]
    body_bytes = 0
    if args.case == "raw":
        async with aiohttp.ClientSession(headers={"Fastly-Key": key}) as session:
            gc.collect()
            before = peak_kib()
            async with session.get(f"{args.base_url}/tokens") as resp:
                body = await resp.read()
            items = json.loads(body)
            body_bytes, count = len(body), len(items)
    else:
        async with FastlyAsync(key, base_url=args.base_url) as client:
            gc.collect()
            before = peak_kib()
            if args.case == "list":
                count = len(await client.tokens.list_tokens_user())
            else:
                count = len(await client.inventory())
    return {"peak_kib": peak_kib(), "before_kib": before, "count": count, "body": body_bytes}


def child_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of one measured subprocess; prints one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_memory_reads")
    parser.add_argument("--child", dest="case", choices=CASES, required=True)
    parser.add_argument("--base-url", required=True)
    print(json.dumps(asyncio.run(_child(parser.parse_args(argv)))))
    return 0


def _measure(server: FakeServer, case: Case) -> dict[str, Any]:
    argv = [sys.executable, "-m", "benchmarks.bench_memory_reads", "--child", case]
    argv += ["--base-url", server.base_url]
    key = server.info["superuser_key"] if case == "inventory" else server.key
    return child_report(argv, key, case)


def run(cfg: Config, log: Callable[[str], None]) -> RowResult:
    """Measure the reads' part of row 4: 3 cases x 2 sizes, one subprocess a case."""
    result = RowResult()
    measured: dict[tuple[Case, int], dict[str, Any]] = {}
    for n in cfg.reads_memory_tokens:
        log(f"row {ROW}: seeding {n:,} tokens for the reads")
        with FakeServer(tokens=n) as server:
            for case in CASES:
                log(f"row {ROW}: {case}, {n:,} tokens (fresh process)")
                measured[case, n] = _measure(server, case)
    small, large = cfg.reads_memory_tokens
    raw_large = measured["raw", large]
    json_per_token = raw_large["body"] / raw_large["count"]
    per_token: dict[Case, float] = {}
    for case in CASES:
        lo, hi = measured[case, small], measured[case, large]
        grew = (hi["peak_kib"] - lo["peak_kib"]) * 1024
        per_token[case] = grew / (hi["count"] - lo["count"])
        result.figures.append(
            Figure(
                ROW,
                f"{LABEL[case]}, {hi['count']:,} tokens: peak RSS",
                hi["peak_kib"] / 1024,
                "MiB",
                note=f"{lo['peak_kib'] / 1024:.1f} MiB at {lo['count']:,}",
            )
        )
        result.figures.append(
            Figure(ROW, f"{LABEL[case]}: peak growth per token", per_token[case], "B/token")
        )
    result.figures.append(
        Figure(ROW, "the raw JSON's own size per token", json_per_token, "B/token")
    )
    for case in ("list", "inventory"):
        result.ratios.append(
            Ratio(
                ROW,
                f"{case}: peak per token / raw JSON per token",
                per_token[case] / json_per_token,
            )
        )
        result.ratios.append(
            Ratio(
                ROW,
                f"{case}: peak per token / raw aiohttp + json.loads per token",
                per_token[case] / per_token["raw"],
                ("<=", TARGET_RATIO),
            )
        )
    result.notes.append(
        f"row 4 (reads): peak RSS (VmHWM) of a fresh subprocess per case after one read of "
        f"{small:,} and of {large:,} seeded tokens; per token = the growth of the peak between "
        "the two / the extra tokens. The JSON's size is GET /tokens's body over its tokens. "
        f"Target: ours' peak per token at most raw aiohttp + json.loads's ({TARGET_RATIO:g}x)."
    )
    return result


if __name__ == "__main__":
    raise SystemExit(child_main())
