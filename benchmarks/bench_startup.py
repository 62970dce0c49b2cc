"""Row 9, start-up: ``fastly-tokens --help`` and ``import fastly_tokens``, beyond aiohttp's import.

Every command of the command line pays its start-up before it sends a request, and a script
that shells out to it pays it each time. Four commands, each a fresh subprocess of this
interpreter, run in interleaved rounds (the order rotated each round) and timed from the outside
(the child's own CPU time, user + system from ``wait4``, and the wall clock around it):

* ``python -c pass``: the interpreter alone;
* ``python -c "import aiohttp"``: the transport, which any aiohttp client pays;
* ``python -c "import fastly_tokens"``: the package, which loads its names on first use;
* ``python -c "from fastly_tokens import FastlyAsync"``: the SDK, as a program imports it;
* ``fastly-tokens --help``: the command (its console script next to this interpreter, else
  ``python -m fastly_tokens --help``).

The figure that counts is each one's CPU time beyond aiohttp's import, the median over rounds
of the difference measured in the same round: target under 50 ms for each. CPU time, because
the wall clock of a 300 ms start-up on this shared 2-core machine swings by as much (the wall
figures are shown beside).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ._harness import REPO_ROOT, Config, Ratio, RowResult, Samples, figure, interleave

ROW = "9 start-up"
TARGET_MS = 50.0
BARE = "python -c pass"
AIOHTTP = 'python -c "import aiohttp"'
IMPORT = 'python -c "import fastly_tokens"'
SDK = 'python -c "from fastly_tokens import FastlyAsync"'
HELP = "fastly-tokens --help"


def help_argv() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m fastly_tokens``."""
    script = Path(sys.executable).with_name("fastly-tokens")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), "--help"]
    return [sys.executable, "-m", "fastly_tokens", "--help"]


def commands() -> dict[str, list[str]]:
    """Each contender's argv."""
    python = sys.executable
    return {
        BARE: [python, "-c", "pass"],
        AIOHTTP: [python, "-c", "import aiohttp"],
        IMPORT: [python, "-c", "import fastly_tokens"],
        SDK: [python, "-c", "from fastly_tokens import FastlyAsync"],
        HELP: help_argv(),
    }


def _run(argv: Sequence[str]) -> float:
    """Run ``argv`` to its end; the CPU seconds (user + system) the child itself spent."""
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and console script)
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=REPO_ROOT,
    )
    assert process.stderr is not None
    error = process.stderr.read()
    process.stderr.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {process.returncode}: {error[-500:]!r}")
    return usage.ru_utime + usage.ru_stime


def _beyond(samples: Samples, name: str, base: str) -> list[float]:
    """Per round, ``name``'s time minus ``base``'s, in milliseconds."""
    return [(a - b) * 1e3 for a, b in zip(samples[name], samples[base], strict=True)]


def run(cfg: Config, log: Callable[[str], None]) -> RowResult:
    """Measure row 9."""
    argvs = commands()
    for argv in argvs.values():  # warm the page cache and the bytecode
        _run(argv)
    cpu: Samples = {name: [] for name in argvs}

    def contender(name: str) -> Callable[[], float]:
        def once() -> float:
            started = time.perf_counter()
            cpu[name].append(_run(argvs[name]))
            return time.perf_counter() - started

        return once

    contenders = {name: contender(name) for name in argvs}
    log(f"row {ROW}: {len(contenders)} commands x {cfg.startup_rounds} rounds")
    wall = interleave(contenders, cfg.startup_rounds, log=log)
    result = RowResult()
    for name in (HELP, IMPORT, SDK):
        extra = _beyond(cpu, name, AIOHTTP)
        result.ratios.append(
            Ratio(
                ROW,
                f"{name}: its own CPU beyond import aiohttp",
                statistics.median(extra),
                ("<=", TARGET_MS),
                unit="ms",
                note=f"{min(extra):.0f} to {max(extra):.0f} ms",
            )
        )
    for name in (HELP, IMPORT, SDK):
        extra = _beyond(wall, name, AIOHTTP)
        result.ratios.append(
            Ratio(
                ROW,
                f"{name}: wall time beyond import aiohttp",
                statistics.median(extra),
                unit="ms",
                note=f"{min(extra):.0f} to {max(extra):.0f} ms",
            )
        )
    for name in argvs:
        result.figures.append(figure(ROW, cpu, f"{name}", unit="ms CPU", scale=1e3))
    for name in argvs:
        result.figures.append(figure(ROW, wall, name, unit="ms wall", scale=1e3))
    result.notes.append(
        f"row 9: each command a fresh subprocess of this interpreter, {cfg.startup_rounds} "
        "interleaved rounds after one warm-up each; the child's own CPU time (user + system, "
        "from wait4) and the wall time around it. The cost beyond aiohttp is the median of the "
        "differences within a round (their spread after the verdict); the target is on CPU "
        "time, which the neighbours' load on this shared machine moves much less than the "
        f"wall clock. '{HELP}' runs {' '.join(Path(a).name for a in argvs[HELP])}."
    )
    return result
