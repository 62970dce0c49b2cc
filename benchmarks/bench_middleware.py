"""What the retry and rate-limit middlewares cost a fault-free call, measured in one run.

``python -m benchmarks.bench_middleware [--calls N] [--rounds R]`` serves FakeFastly on loopback
(in this process, on the same event loop) and times N sequential ``get_token_current()`` and N
sequential ``revoke_token()`` of pre-seeded tokens with

* (a) ``FastlyAsync(...)``, the default ``RetryPolicy()``: retrying on;
* (b) ``FastlyAsync(..., retry=RetryPolicy(attempts=1))``: the same client, retrying off;

and, for reference, (c) that client with its middleware tuple emptied (a private attribute set
here only, to price the middlewares themselves, which (b) still runs), and raw aiohttp (one
``ClientSession``, the same headers, the body read and nothing else: no middlewares, no models).
Rounds interleave the variants, in a rotated order each round, to cancel drift; each figure is
the median over rounds of the mean time per call. It prints the table and the ratio a/b; it
asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import aiohttp

from fastly_tokens import FastlyAsync, RetryPolicy, __version__
from fastly_tokens.testing import FakeFastly

VARIANTS = ("a", "b", "c", "raw")
LABELS = {
    "a": "(a) retry on: RetryPolicy()",
    "b": "(b) retry off: RetryPolicy(attempts=1)",
    "c": "(c) no middlewares (reference)",
    "raw": "raw aiohttp, no SDK (reference)",
}
OPERATIONS = ("GET /tokens/self", "DELETE /tokens/{id}")
WARMUP = 200

Runner = Callable[[str, int], Awaitable[None]]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_middleware",
        description="Time fault-free calls with retrying on and off, in one run.",
    )
    parser.add_argument("--calls", type=int, default=3_000, help="calls per operation per round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median)")
    return parser


async def timed(run: Runner, operation: str, calls: int) -> float:
    """Mean seconds per call of ``calls`` sequential calls."""
    gc.collect()
    started = time.perf_counter()
    await run(operation, calls)
    return (time.perf_counter() - started) / calls


async def bench(calls: int, rounds: int) -> dict[tuple[str, str], list[float]]:
    """Per (variant, operation), the mean seconds per call of each round."""
    results: dict[tuple[str, str], list[float]] = {
        (v, op): [] for v in VARIANTS for op in OPERATIONS
    }
    async with (
        FakeFastly(rate_limit=10**9) as fake,
        FastlyAsync(fake.key, base_url=fake.base_url) as retry_on,
        FastlyAsync(fake.key, base_url=fake.base_url, retry=RetryPolicy(attempts=1)) as retry_off,
        FastlyAsync(fake.key, base_url=fake.base_url) as bare,
        aiohttp.ClientSession(
            headers={"Fastly-Key": fake.key, "Accept": "application/json"}
        ) as raw_session,
    ):
        # Every revoke gets a fresh token of its own, made before any clock starts.
        per_variant = (rounds * calls) + WARMUP
        victims = {
            v: [fake.add_token(name=f"bench-{v}").id for _ in range(per_variant)] for v in VARIANTS
        }
        bare._middlewares = ()  # reference only: what the calls cost with no middlewares at all
        clients = {"a": retry_on, "b": retry_off, "c": bare}

        def runner(variant: str) -> Runner:
            pool = victims[variant]

            async def run(operation: str, n: int) -> None:
                if variant == "raw":
                    base = fake.base_url
                    if operation == OPERATIONS[0]:
                        for _ in range(n):
                            async with raw_session.get(base + "/tokens/self") as resp:
                                await resp.read()
                    else:
                        for _ in range(n):
                            async with raw_session.delete(f"{base}/tokens/{pool.pop()}") as resp:
                                await resp.read()
                    return
                client = clients[variant]
                if operation == OPERATIONS[0]:
                    for _ in range(n):
                        await client.tokens.get_token_current()
                else:
                    for _ in range(n):
                        await client.tokens.revoke_token(pool.pop())

            return run

        runners = {v: runner(v) for v in VARIANTS}
        for variant in VARIANTS:  # warm up: connections open, code paths hot
            for operation in OPERATIONS:
                await runners[variant](operation, WARMUP // 2)
        for round_number in range(rounds):
            shift = round_number % len(VARIANTS)
            order = VARIANTS[shift:] + VARIANTS[:shift]
            for operation in OPERATIONS:
                for variant in order:
                    per_call = await timed(runners[variant], operation, calls)
                    results[variant, operation].append(per_call)
        failed = [r for r in fake.requests if r.status is None or r.status >= 400]
        assert not failed, f"the benchmark's calls must all succeed: {failed[:3]}"
    return results


def report(results: dict[tuple[str, str], list[float]], calls: int, rounds: int) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    print(f"fastly-tokens {__version__} middleware cost, {now}")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs ({platform.machine()})")
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"aiohttp {aiohttp.__version__}"
    )
    print(
        f"{calls:,} sequential calls per operation per round, {rounds} interleaved rounds; "
        "median of the rounds' mean per call; FakeFastly on loopback, same event loop"
    )
    print()
    header = (
        f"{'operation':<22}{'(a) retry on':>15}{'(b) retry off':>15}{'a/b':>7}"
        f"{'(c) no mw':>13}{'a/c':>7}{'raw':>11}"
    )
    print(header)
    print("-" * len(header))
    for operation in OPERATIONS:
        med = {v: statistics.median(results[v, operation]) * 1e6 for v in VARIANTS}
        print(
            f"{operation:<22}{med['a']:>12.1f} us{med['b']:>12.1f} us{med['a'] / med['b']:>7.3f}"
            f"{med['c']:>10.1f} us{med['a'] / med['c']:>7.3f}{med['raw']:>8.1f} us"
        )
    print()
    print("spread over rounds (min-max, us per call):")
    for operation in OPERATIONS:
        for variant in VARIANTS:
            values = [x * 1e6 for x in results[variant, operation]]
            print(f"  {operation:<22}{LABELS[variant]:<42}{min(values):>8.1f} - {max(values):.1f}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.calls < 1 or args.rounds < 1:
        print("--calls and --rounds must be at least 1", file=sys.stderr)
        return 2
    results = asyncio.run(bench(args.calls, args.rounds))
    report(results, args.calls, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
