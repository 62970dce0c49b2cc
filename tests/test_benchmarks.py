"""The benchmark suite runs, at a tiny size: every row, every contender that is installed.

No speed is asserted here: these tests prove that ``python -m benchmarks`` works (and keeps
working), not how fast anything is. The official SDK and orjson are not in the test
dependencies, so their lines must say "not installed" rather than fail.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import __main__ as bench
from benchmarks._harness import Config, FakeServer, Ratio, RowResult, render

ROOT = Path(__file__).resolve().parent.parent
ROW_LABELS = ("1 per call", "2 list", "3 revoke @0ms", "4 memory", "5 budget", "6 middleware")


def installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@pytest.fixture(scope="module")
def quick_report() -> str:
    """One quick run of the whole suite, in a subprocess as ``nox -s bench`` runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_quick_run_prints_every_row(quick_report: str) -> None:
    for label in ROW_LABELS:
        assert label in quick_report, label
    assert "RATIOS (ours / baseline)" in quick_report
    assert "ABSOLUTE (median of rounds)" in quick_report
    for header in ("date:", "command:", "machine:", "python:"):
        assert header in quick_report


def test_ratios_come_before_absolute_figures(quick_report: str) -> None:
    assert quick_report.index("RATIOS") < quick_report.index("ABSOLUTE")


def test_every_target_line_has_a_value_and_a_verdict(quick_report: str) -> None:
    table = quick_report[quick_report.index("RATIOS") : quick_report.index("ABSOLUTE")]
    target_lines = [line for line in table.splitlines() if re.search(r"[<>]= [\d.]+", line)]
    assert len(target_lines) >= 8  # rows 1, 2, 3 (two latencies), 4 (two strategies), 5
    for line in target_lines:
        assert re.search(r"\b(met|MISSED)\b", line), line


def test_optional_contenders_are_reported_not_installed(quick_report: str) -> None:
    if not installed("fastly"):
        assert "official SDK not installed" in quick_report
    else:
        assert "official fastly 15" in quick_report
    if not installed("orjson"):
        assert "orjson not installed" in quick_report


def test_budget_row_counts_match_the_server(quick_report: str) -> None:
    # bench_budget raises if a job's count and the server's log disagree; the rows printed.
    for bad in ("0", "2", "100"):
        for engine in ("preflight", "bisection", "per id"):
            assert re.search(rf"5 budget\s+{bad} bad, {engine} \((does not )?fit", quick_report)
    assert re.search(r"0 bad: preflight writes / lower bound.*1\.0+\s+<= 1\s+met", quick_report)


def test_no_official_flag_leaves_it_out() -> None:
    cfg = bench.config_from(bench.build_parser().parse_args(["--quick", "--no-official"]))
    assert not cfg.official


def test_scale_and_rows_options() -> None:
    args = bench.build_parser().parse_args(
        ["--scale", "0.5", "--rows", "calls,budget", "--rounds", "3"]
    )
    cfg = bench.config_from(args)
    assert cfg.calls == Config().calls // 2
    assert cfg.rows == frozenset({"calls", "budget"})
    assert cfg.rounds == 3


def test_unknown_row_is_refused() -> None:
    with pytest.raises(SystemExit, match="unknown rows"):
        bench.config_from(bench.build_parser().parse_args(["--rows", "nope"]))


def test_fake_server_subprocess_prints_its_banner_and_stops() -> None:
    with FakeServer(tokens=3) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert all([server.key, server.token_id, server.username, server.password])
        process = server._process
        assert process is not None
    assert process.poll() is not None


def test_render_marks_missed_and_met_targets() -> None:
    result = RowResult(
        ratios=[
            Ratio("9 x", "fast", 0.5, ("<=", 1.0)),
            Ratio("9 x", "slow", 2.0, ("<=", 1.0)),
            Ratio("9 x", "absent", None, ("<=", 1.0), note="thing not installed"),
        ]
    )
    text = render(["header"], [result])
    lines = {line.split()[2]: line for line in text.splitlines() if line.startswith("9 x")}
    assert lines["fast"].endswith("met")
    assert "MISSED" in lines["slow"]
    assert "thing not installed" in lines["absent"]
