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
from benchmarks._account_server import seed
from benchmarks._harness import Config, FakeServer, Ratio, RowResult, render
from fastly_tokens.testing import FakeFastly

ROOT = Path(__file__).resolve().parent.parent
ROW_LABELS = (
    "1 per call",
    "2 list",
    "3 revoke @0ms",
    "4 memory",
    "5 budget",
    "6 middleware",
    "7 automation",
    "8 inventory",
    "9 start-up",
)


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


def test_automation_row_prints_its_bound_and_what_links_read(quick_report: str) -> None:
    pages = -(-Config.quick().automation_tokens // 100)
    assert re.search(
        rf"7 automation\s+ours / \(one page x ceil\({pages} / 16\)\)\s+[\d.]+"
        r"\s+<= 1.2\s+(met|MISSED)",
        quick_report,
    )
    assert re.search(r"7 automation\s+bound: one page x ceil", quick_report)
    # Fastly's pages name no next page: a client that follows links stops after page one.
    assert re.search(r"7 automation\s+tokens read by following links\s+100 tokens", quick_report)


def test_inventory_row_spends_no_write_and_counts_its_reads(quick_report: str) -> None:
    assert re.search(
        r"8 inventory\s+writes \(non-GET\) in the server's log\s+0 writes\s+<= 0\s+met",
        quick_report,
    )
    # Two reads, then the customer's tokens, its users and every automation page.
    pages = -(-Config.quick().inventory_automation // 100)
    assert re.search(
        rf"8 inventory\s+requests by method in the server's log\s+{4 + pages} requests"
        rf"\s+GET {4 + pages}$",
        quick_report,
        re.MULTILINE,
    )


def test_memory_row_measures_the_reads(quick_report: str) -> None:
    for case in ("list", "inventory"):
        assert re.search(
            rf"4 memory\s+{case}: peak per token / raw aiohttp \+ json.loads per token\s+-?[\d.]+"
            r"\s+<= 1.1\s+(met|MISSED)",
            quick_report,
        )
    assert re.search(r"4 memory\s+the raw JSON's own size per token\s+[\d,]+ B/token", quick_report)


def test_startup_row_prints_each_command_beyond_aiohttp(quick_report: str) -> None:
    for command in ("fastly-tokens --help", "import fastly_tokens", "from fastly_tokens import"):
        assert re.search(
            rf"9 start-up\s+.*{re.escape(command)}.*CPU beyond import aiohttp\s+-?[\d,]+ ms"
            r"\s+<= 50\s+(met|MISSED)",
            quick_report,
        )


async def test_account_seed_spreads_tokens_over_users_and_pages() -> None:
    async with FakeFastly() as fake:
        seed(fake, users=3, user_tokens=10, automation=150, rng_seed=1)
        colleagues = [u for u in fake.store.users.values() if u.username.startswith("colleague-")]
        assert sorted(len(fake.tokens_of(u)) for u in colleagues) == [3, 3, 4]
        assert len(fake.automation_tokens()) == 150


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
