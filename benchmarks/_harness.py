"""What every row shares: the fake in a subprocess, sizes, interleaved rounds, results, the table.

The fake runs as ``python -m fastly_tokens.testing`` in a process of its own, so the client
under test and the server never share an event loop or a GIL; every contender of a row talks to
the same server. Rounds interleave the contenders, in a rotated order each round, and a ratio
is the median over rounds of the ratio measured within one round, which cancels slow drift of
the machine (a neighbour's load, CPU frequency) that would bias a ratio of two medians.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType, TracebackType
from typing import IO, Any, Self

__all__ = [
    "Config",
    "FakeServer",
    "Figure",
    "Ratio",
    "RowResult",
    "Samples",
    "chunks",
    "figure",
    "interleave",
    "log_to_stderr",
    "machine_lines",
    "missing_note",
    "optional_module",
    "paired_ratio",
    "peak_kib",
    "render",
    "timed",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
"""Where ``python -m benchmarks...`` subprocesses find the package, whatever the caller's cwd."""
BANNER_KEYS = ("base_url", "key", "token_id", "username", "password")
NO_LIMIT = 1_000_000_000
"""A write budget no row reaches (row 5 uses Fastly's real 1,000 instead)."""


# -- sizes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """Sizes and repetitions of the whole suite; ``quick()`` is the test suite's tiny run."""

    calls: int = 5_000
    """Row 1: sequential ``get_token_current()`` per contender per round."""
    list_tokens: int = 2_000
    """Row 2: tokens the list returns."""
    list_repeats: int = 10
    """Row 2: lists per contender per round (the official SDK's: ``official_list_repeats``)."""
    official_list_repeats: int = 1
    revoke_ids: int = 2_000
    """Row 3: ids per revocation job."""
    latencies: tuple[float, ...] = (0.0, 0.020)
    """Row 3: server latencies, seconds."""
    concurrency: int = 32
    chunk_size: int = 100
    memory_ids: tuple[int, int] = (1_000, 100_000)
    """Row 4: the small and the large job."""
    budget_ids: int = 10_000
    budget_foreign: int = 10
    middleware_calls: int = 1_000
    """Row 6 (bench_middleware): calls per operation per round."""
    automation_tokens: int = 10_000
    """Row 7: automation tokens listed, 100 a page."""
    page_latency: float = 0.020
    """Rows 7 and 8: seconds the fake adds to every response."""
    inventory_tokens: int = 5_000
    """Row 8: user tokens of the customer, spread over ``inventory_users``."""
    inventory_users: int = 50
    inventory_automation: int = 1_000
    """Row 8: automation tokens beside them (their pages are the inventory's paged read)."""
    reads_memory_tokens: tuple[int, int] = (1_000, 100_000)
    """Row 4: the small and the large account that ``list`` and ``inventory`` read."""
    startup_rounds: int = 15
    """Row 9: start-up commands run per contender (the median is taken)."""
    rounds: int = 7
    blocks: int = 10
    """Row 1: each round's calls run in this many interleaved blocks."""
    warmup: int = 200
    official: bool = True
    """Time the official SDK where it is installed."""
    rows: frozenset[str] = frozenset(
        {
            "calls",
            "list",
            "revoke",
            "memory",
            "budget",
            "middleware",
            "automation",
            "inventory",
            "startup",
        }
    )

    @classmethod
    def quick(cls) -> Config:
        """A run of a few seconds that goes through every code path (for the test suite)."""
        return cls(
            calls=20,
            list_tokens=30,
            list_repeats=2,
            revoke_ids=40,
            latencies=(0.0, 0.005),
            concurrency=8,
            chunk_size=10,
            memory_ids=(50, 400),
            budget_ids=200,
            budget_foreign=2,
            middleware_calls=10,
            automation_tokens=250,
            page_latency=0.005,
            inventory_tokens=60,
            inventory_users=3,
            inventory_automation=150,
            reads_memory_tokens=(20, 200),
            startup_rounds=2,
            rounds=2,
            blocks=2,
            warmup=5,
        )

    def scaled(self, factor: float) -> Config:
        """The same run with every count multiplied by ``factor`` (latencies unchanged)."""

        def s(n: int, least: int = 1) -> int:
            return max(least, round(n * factor))

        return replace(
            self,
            calls=s(self.calls),
            list_tokens=s(self.list_tokens, 2),
            revoke_ids=s(self.revoke_ids, 2),
            memory_ids=(s(self.memory_ids[0], 2), s(self.memory_ids[1], 4)),
            budget_ids=s(self.budget_ids, self.budget_foreign + 2),
            middleware_calls=s(self.middleware_calls),
            automation_tokens=s(self.automation_tokens),
            inventory_tokens=s(self.inventory_tokens),
            inventory_users=s(self.inventory_users),
            inventory_automation=s(self.inventory_automation),
            reads_memory_tokens=(
                s(self.reads_memory_tokens[0], 2),
                s(self.reads_memory_tokens[1], 4),
            ),
            warmup=s(self.warmup),
        )


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """One line of the ratio table: ours over a baseline, and the target when there is one.

    ``target`` is ``("<=", x)`` or ``(">=", x)``; ``value`` is None when a contender could not
    run (``note`` says why).
    """

    row: str
    what: str
    value: float | None
    target: tuple[str, float] | None = None
    note: str = ""
    unit: str = ""
    """Empty for a ratio; otherwise the value is a quantity in this unit (row 4's B/id)."""

    @property
    def met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        op, bound = self.target
        return self.value <= bound if op == "<=" else self.value >= bound


@dataclass(frozen=True)
class Figure:
    """One absolute figure: a contender's median (and spread over rounds) in ``unit``."""

    row: str
    contender: str
    value: float | None
    unit: str
    spread: tuple[float, float] | None = None
    note: str = ""


@dataclass
class RowResult:
    """What one row measured."""

    ratios: list[Ratio] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


Samples = dict[str, list[float]]
"""Per contender, one value per round (seconds per unit of work, lower is better)."""


def figure(
    row: str, samples: Samples, name: str, *, unit: str, scale: float, note: str = ""
) -> Figure:
    """The median and spread of a contender's rounds, in ``unit`` (``scale`` per second)."""
    values = samples.get(name)
    if not values:
        return Figure(row, name, None, unit, note=note or "not run")
    return Figure(
        row,
        name,
        statistics.median(values) * scale,
        unit,
        (min(values) * scale, max(values) * scale),
        note,
    )


def paired_ratio(samples: Samples, ours: str, base: str) -> float | None:
    """The median over rounds of ``ours / base`` measured in the same round."""
    a, b = samples.get(ours), samples.get(base)
    if not a or not b:
        return None
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


# -- running ----------------------------------------------------------------------------------


def interleave(
    contenders: Mapping[str, Callable[[], float]],
    rounds: int,
    *,
    log: Callable[[str], None],
    blocks: int = 1,
    blocks_for: Mapping[str, int] | None = None,
) -> Samples:
    """Run the contenders in interleaved blocks; one sample per contender per round.

    Each callable does one block of timed work and returns its own measurement (per unit of
    work), so that setup stays out of the clock. A round runs ``blocks`` blocks of every
    contender, the order rotated at each block, and its sample is the mean of the contender's
    blocks: short blocks cancel drift within a round, rounds give the spread. ``blocks_for``
    gives a contender fewer blocks (the slow official SDK in row 2).
    """
    names = list(contenders)
    samples: Samples = {name: [] for name in names}
    turn = 0
    for number in range(rounds):
        measured: dict[str, list[float]] = {name: [] for name in names}
        for block in range(blocks):
            shift = turn % len(names) if names else 0
            turn += 1
            for name in names[shift:] + names[:shift]:
                if block >= (blocks_for or {}).get(name, blocks):
                    continue
                gc.collect()
                measured[name].append(contenders[name]())
        for name in names:
            samples[name].append(statistics.fmean(measured[name]))
        log(f"  round {number + 1}/{rounds} done")
    return samples


def timed(work: Callable[[], object], units: int) -> float:
    """Seconds per unit of running ``work`` once."""
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) / units


class FakeServer:
    """``python -m fastly_tokens.testing`` in a subprocess, read from its start-up banner.

    ``with FakeServer(tokens=2000, latency=0.02) as server:`` then ``server.base_url`` and
    ``server.key``. Its stderr goes to a temporary file, shown if it dies.
    """

    def __init__(
        self,
        *,
        tokens: int = 0,
        latency: float = 0.0,
        rate_limit: int = NO_LIMIT,
        bulk_partial: bool = False,
        seed: int = 1,
    ) -> None:
        self.argv = [
            sys.executable,
            "-m",
            "fastly_tokens.testing",
            "--port",
            "0",
            "--tokens",
            str(tokens),
            "--latency",
            repr(latency),
            "--rate-limit",
            str(rate_limit),
            "--seed",
            str(seed),
        ]
        if bulk_partial:
            self.argv.append("--bulk-partial")
        self.info: dict[str, str] = {}
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return self.info["base_url"]

    @property
    def key(self) -> str:
        return self.info["key"]

    @property
    def token_id(self) -> str:
        """The id of the key's own token (left out of every revocation pool)."""
        return self.info["token_id"]

    @property
    def username(self) -> str:
        return self.info["username"]

    @property
    def password(self) -> str:
        return self.info["password"]

    def __enter__(self) -> Self:
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            self.argv, stdout=subprocess.PIPE, stderr=self._stderr, text=True, cwd=REPO_ROOT
        )
        assert self._process.stdout is not None
        try:
            self._read_banner(self._process.stdout)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _read_banner(self, stdout: IO[str]) -> None:
        while not all(k in self.info for k in BANNER_KEYS):
            line = stdout.readline()
            if not line:
                raise RuntimeError(f"the fake server exited early:\n{self._error_text()}")
            name, sep, value = line.strip().partition(": ")
            if sep:
                self.info[name] = value

    def _error_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-2000:]

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def peak_kib() -> int:
    """The peak resident set of this process image so far, in KiB.

    Linux's ``VmHWM`` where there is one. ``ru_maxrss`` is the fallback only: on Linux it
    carries over the parent's peak through fork and exec, so a child of a large parent (this
    suite, after row 3) would report the parent's size instead of its own.
    """
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_report(argv: list[str], key: str, what: str) -> dict[str, Any]:
    """Run a measuring child (our interpreter, our module) and read its last line as JSON.

    The key goes in the environment, never in ``argv``: ``ps`` shows arguments.
    """
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        argv,
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        env={**os.environ, "FASTLY_API_TOKEN": key},
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-2000:]}")
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def optional_module(name: str) -> ModuleType | None:
    """Import ``name`` if it is installed (the official SDK and orjson are bench-only)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    """Consecutive slices of ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- the machine and the table ------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or what ``platform`` knows)."""
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine_lines(command: str) -> list[str]:
    """Who, where and when: the header of a run."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    packages = ", ".join(
        f"{name} {_version(name)}"
        for name in ("fastly-tokens", "aiohttp", "attrs", "cattrs", "fastly", "orjson")
    )
    return [
        f"date:     {now}",
        f"command:  {command}",
        f"machine:  {cpu_model()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()} ({platform.machine()})",
        f"python:   {platform.python_version()} ({platform.python_implementation()})",
        f"packages: {packages}",
    ]


def _fmt_ratio(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit:
        return f"{value:,.0f} {unit}"
    if value < 0.1:
        return f"{value:.4f}"
    return f"{value:.3f}"


def _fmt_target(target: tuple[str, float] | None) -> str:
    if target is None:
        return ""
    op, bound = target
    return f"{op} {bound:g}"


def _fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f} {unit}"
    if abs(value) >= 10:
        return f"{value:,.1f} {unit}"
    return f"{value:,.3g} {unit}"


def render(header: Iterable[str], results: Iterable[RowResult]) -> str:
    """The report: header lines, the ratio table, the absolute figures, then the notes."""
    results = list(results)
    out = [*header, ""]
    ratios = [r for result in results for r in result.ratios]
    width = max([len(f"{r.row}  {r.what}") for r in ratios] + [20])
    out.append(f"{'RATIOS (ours / baseline)':<{width}}  {'ratio':>9}  {'target':>8}  verdict")
    out.append("-" * (width + 40))
    for r in ratios:
        verdict = {True: "met", False: "MISSED", None: ""}[r.met]
        if r.note:
            verdict = f"{verdict} ({r.note})" if verdict else f"({r.note})"
        out.append(
            f"{f'{r.row}  {r.what}':<{width}}  {_fmt_ratio(r.value, r.unit):>9}  "
            f"{_fmt_target(r.target):>8}  {verdict}".rstrip()
        )
    out.append("")
    figures = [f for result in results for f in result.figures]
    fwidth = max([len(f"{f.row}  {f.contender}") for f in figures] + [20])
    out.append(f"{'ABSOLUTE (median of rounds)':<{fwidth}}  {'median':>14}  {'min - max':>21}")
    out.append("-" * (fwidth + 40))
    for f in figures:
        spread = ""
        if f.spread is not None and f.spread[0] != f.spread[1]:
            lo, hi = f.spread
            spread = f"{_fmt_value(lo, '')}- {_fmt_value(hi, '')}".replace("  ", " ")
        tail = f"  {f.note}" if f.note else ""
        out.append(
            f"{f'{f.row}  {f.contender}':<{fwidth}}  {_fmt_value(f.value, f.unit):>14}  "
            f"{spread:>21}{tail}".rstrip()
        )
    notes = [n for result in results for n in result.notes]
    if notes:
        out.append("")
        out.append("NOTES")
        out.extend(f"- {n}" for n in notes)
    return "\n".join(out)


def log_to_stderr(message: str) -> None:
    """Progress lines go to stderr, so stdout is the report alone."""
    print(message, file=sys.stderr, flush=True)


def missing_note(installed: bool, wanted: bool, what: str) -> str:
    """Why a contender has no figure: not installed, or left out on the command line."""
    if not installed:
        return f"{what} not installed"
    return "" if wanted else f"{what} skipped (--no-official)"
