"""``python -m benchmarks.profile WORK``: where our side of a row spends its time.

The profiles in ``benchmarks/README.md`` come from here. Each work runs our client against
FakeFastly in a subprocess, as its row does, after a warm-up; only the measured part is
profiled. With cProfile (the default) the table is the functions by own time; cProfile adds a
fixed cost to every Python call, so it overstates code made of many small calls. ``--spy``
samples with py-spy instead (``pip install py-spy``; it needs ptrace), which adds nothing to
the code it watches, and prints the functions by own and by inclusive time::

    python -m benchmarks.profile calls            # 5,000 get_token_current()
    python -m benchmarks.profile list --spy       # list_tokens_user() of 2,000 tokens
    python -m benchmarks.profile structure        # the converter alone, on that same body
    python -m benchmarks.profile each             # revoke_many of 2,000 ids, one DELETE each
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Literal

from fastly_tokens import FastlyAsync, Token
from fastly_tokens._converter import converter

from ._harness import FakeServer

__all__ = ["WORKS", "main", "spy_tables"]

MEASURED = "_measured"
"""The frame py-spy's samples are kept under: the measured part of a work."""

Measured = Callable[[], Coroutine[Any, Any, None]]
"""The measured part of a work."""
Work = Callable[[FastlyAsync, FakeServer, int], Coroutine[Any, Any, Measured]]
"""Set up (untimed) and return the measured part: ``await work(client, server, n)``."""


async def _calls(client: FastlyAsync, server: FakeServer, n: int) -> Measured:
    async def measured() -> None:
        for _ in range(n):
            await client.tokens.get_token_current()

    return measured


async def _list(client: FastlyAsync, server: FakeServer, n: int) -> Measured:
    async def measured() -> None:
        for _ in range(10):
            await client.tokens.list_tokens_user()

    return measured


async def _structure(client: FastlyAsync, server: FakeServer, n: int) -> Measured:
    body = await _body(client, "/tokens")

    async def measured() -> None:
        for _ in range(10):
            converter.structure(json.loads(body), list[Token])

    return measured


async def _revoke(
    client: FastlyAsync, server: FakeServer, n: int, strategy: Literal["batch", "each"]
) -> Measured:
    ids = [t.id for t in await client.tokens.list_tokens_user() if t.id != server.token_id]

    async def measured() -> None:
        report = await client.tokens.revoke_many(
            ids[:n], strategy=strategy, concurrency=32, preflight=False
        )
        if report.writes < 1:
            raise RuntimeError("the job sent nothing")

    return measured


async def _each(client: FastlyAsync, server: FakeServer, n: int) -> Measured:
    return await _revoke(client, server, n, "each")


async def _batch(client: FastlyAsync, server: FakeServer, n: int) -> Measured:
    return await _revoke(client, server, n, "batch")


async def _body(client: FastlyAsync, path: str) -> bytes:
    answer = await client._request("GET", path)
    return answer.body


WORKS: dict[str, tuple[Work, str]] = {
    "calls": (_calls, "sequential get_token_current() (row 1); N calls"),
    "list": (_list, "10 x list_tokens_user() of N tokens (row 2)"),
    "structure": (_structure, "10 x json.loads + converter.structure of N tokens, no I/O"),
    "each": (_each, "revoke_many(strategy='each') of N ids at 0 ms (row 3)"),
    "batch": (_batch, "revoke_many(strategy='batch') of N ids at 0 ms (row 3)"),
}
DEFAULT_N = {"calls": 5000, "list": 2000, "structure": 2000, "each": 2000, "batch": 2000}


def _seeded_tokens(name: str, n: int) -> int:
    return n if name in ("list", "structure", "each", "batch") else 0


def _run(name: str, n: int, latency: float, profile: cProfile.Profile | None) -> float:
    work, _ = WORKS[name]
    with (
        FakeServer(tokens=_seeded_tokens(name, n), latency=latency) as server,
        asyncio.Runner() as runner,
    ):
        client = FastlyAsync(server.key, base_url=server.base_url, max_concurrency=32)
        runner.run(client.__aenter__())
        try:
            if name not in ("each", "batch"):  # a warm-up (a revocation has its ids once)
                runner.run(runner.run(work(client, server, max(1, n // 10)))())
            measured = runner.run(work(client, server, n))
            return _measured(runner, measured, profile)
        finally:
            runner.run(client.close())


def _measured(
    runner: asyncio.Runner,
    measured: Callable[[], Awaitable[object]],
    profile: cProfile.Profile | None,
) -> float:
    """Run the measured part: its own frame, so py-spy's samples can be kept to it (MEASURED)."""

    async def whole() -> object:
        return await measured()

    started = time.perf_counter()
    if profile is not None:
        profile.enable()
    try:
        runner.run(whole())
    finally:
        if profile is not None:
            profile.disable()
    return time.perf_counter() - started


def spy_tables(raw: str, *, top: int, under: str = MEASURED) -> str:
    """Own and inclusive time per function from py-spy's ``--format raw`` samples.

    Only the stacks that pass through a frame named ``under`` count, so set-up is left out.
    """
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = stack.split(";")
        names = [f.split(" (", 1)[0] + _where(f) for f in frames]
        marks = [i for i, f in enumerate(frames) if f.split(" (", 1)[0].rsplit(".", 1)[-1] == under]
        if not marks:
            continue
        kept = names[marks[0] + 1 :] or [under]
        count = int(count_text)
        total += count
        own[kept[-1]] += count
        for name in set(kept):
            inclusive[name] += count
    if not total:
        return "no samples under the measured frame"
    out = [f"{total:,} samples under {under}", "", "own time:"]
    out += [f"  {100 * c / total:5.1f}%  {name}" for name, c in own.most_common(top)]
    out += ["", "inclusive time:"]
    out += [f"  {100 * c / total:5.1f}%  {name}" for name, c in inclusive.most_common(top)]
    return "\n".join(out)


def _where(frame: str) -> str:
    """`` (module.py)`` of a py-spy frame ``name (path/module.py:12)``."""
    _, _, rest = frame.partition(" (")
    path = rest.rsplit(":", 1)[0]
    return f" ({os.path.basename(path)})" if path else ""


def _spy(args: argparse.Namespace) -> int:
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("py-spy is not installed (pip install py-spy)")
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "samples.txt")
        argv = [sys.executable, "-m", "benchmarks.profile", args.work, "--bare"]
        argv += ["--n", str(args.n), "--latency", repr(args.latency)]
        done = subprocess.run(  # noqa: S603 (py-spy on our own interpreter and module)
            [spy, "record", "--rate", "997", "--format", "raw", "--output", out, "--", *argv],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not os.path.exists(out):
            raise SystemExit(f"py-spy failed:\n{done.stderr[-2000:]}")
        print(done.stdout.strip())
        with open(out, encoding="utf-8") as samples:
            print(spy_tables(samples.read(), top=args.top))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("work", choices=list(WORKS), help="what to profile")
    parser.add_argument("--n", type=int, default=None, help="calls, tokens or ids (see list)")
    parser.add_argument("--latency", type=float, default=0.0, help="server latency, seconds")
    parser.add_argument("--top", type=int, default=25, help="lines per table")
    parser.add_argument("--sort", default="tottime", help="cProfile's sort key (tottime)")
    parser.add_argument("--spy", action="store_true", help="sample with py-spy, not cProfile")
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)  # under py-spy
    args = parser.parse_args(argv)
    if args.n is None:
        args.n = DEFAULT_N[args.work]
    if args.spy:
        return _spy(args)
    profile = None if args.bare else cProfile.Profile()
    elapsed = _run(args.work, args.n, args.latency, profile)
    print(f"{args.work}: {WORKS[args.work][1].replace('N', f'{args.n:,}')}: {elapsed:.3f} s")
    if profile is not None:
        stats: Any = pstats.Stats(profile, stream=sys.stdout)
        stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
