"""The command line's pure parts, table-driven and without a server: grammar, selection,
ids, documents, tables, progress lines; and the shape of the package (sizes, imports)."""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from rich.console import Console, RenderableType

from fastly_tokens import (
    NotFoundError,
    Outcome,
    RevocationProgress,
    RevocationReport,
    RevocationResult,
    Scope,
    Selection,
    Token,
)
from fastly_tokens.cli import _grammar
from fastly_tokens.cli._documents import (
    GONE,
    counts_text,
    label,
    not_revoked,
    report_json,
    result_json,
)
from fastly_tokens.cli._grammar import UsageError, build_parser
from fastly_tokens.cli._ids import check_id, gather_ids, parse_id_lines
from fastly_tokens.cli._progress import PlainProgress
from fastly_tokens.cli._selection import build_selections, criteria, parse_moment, parse_where
from fastly_tokens.cli._tables import FAILURES_SHOWN, report_view, token_table

from .support.cli import KEY

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ID = "5Yo3XXnrQpjc20u0ybrf2g"
CLI = Path(__file__).parent.parent / "fastly_tokens" / "cli"


def text_of(*renderables: RenderableType, width: int = 200) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, markup=False, emoji=False, highlight=False)
    for renderable in renderables:
        console.print(renderable)
    return buffer.getvalue()


def revoke_args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["revoke", *argv])


# -- grammar and selection ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "clauses"),
    [
        (["--expired"], [("expired", True)]),
        (["--unused-since", "30d"], [("unused_since", NOW - timedelta(days=30))]),
        (["--unused-since", "2026-01-31"], [("unused_since", datetime(2026, 1, 31, tzinfo=UTC))]),
        (["--name", "ci-*", "--name", "*-deploy"], [("name", "ci-*"), ("name", "*-deploy")]),
        (["--scope", "global:read"], [("scope", Scope.GLOBAL_READ)]),
        (["--scope", "custom"], [("scope", "custom")]),
        # The older spelling, alone and mixed with the flags.
        (["--where", "expired"], [("expired", True)]),
        (["--where", "unused-since=7d"], [("unused_since", NOW - timedelta(days=7))]),
        (["--where", "name ci *"], [("name", "ci *")]),
        (["--where", "scope", "purge_all"], [("scope", Scope.PURGE_ALL)]),
        (["--expired", "--where", "name", "x*"], [("expired", True), ("name", "x*")]),
        ([ID], []),
    ],
)
def test_criteria(argv: list[str], clauses: list[tuple[str, Any]]) -> None:
    assert criteria(revoke_args(*argv), now=NOW) == clauses


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (["bogus"], "unknown clause 'bogus'"),
        (["name"], "takes one value"),
        (["expired", "yes"], "takes no value"),
        (["unused-since", "last tuesday"], "not an ISO date"),
    ],
)
def test_bad_where_clauses(where: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_where([where], now=NOW)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("0d", NOW),
        ("90d", NOW - timedelta(days=90)),
        ("2026-01-31", datetime(2026, 1, 31, tzinfo=UTC)),
        ("2026-01-31T12:00:00Z", datetime(2026, 1, 31, 12, tzinfo=UTC)),
        ("2026-01-31T12:00:00+02:00", datetime(2026, 1, 31, 10, tzinfo=UTC)),
    ],
)
def test_parse_moment(text: str, moment: datetime) -> None:
    assert parse_moment(text, "--x", now=NOW) == moment


@pytest.mark.parametrize("text", ["yesterday", "-3d", "3 d", ""])
def test_parse_moment_refuses(text: str) -> None:
    with pytest.raises(UsageError, match="--x: not an ISO date"):
        parse_moment(text, "--x", now=NOW)


def test_a_repeated_criterion_becomes_a_selection_of_its_own() -> None:
    clauses = [("name", "ci-*"), ("expired", True), ("name", "*-deploy")]
    main, extra = build_selections(clauses, owner="u1", include_current=False)
    assert main == Selection(name="ci-*", expired=True, owner="u1")
    assert extra == [Selection(name="*-deploy", include_current=True)]


def test_help_documents_the_exit_statuses_the_code_uses() -> None:
    text = build_parser().format_help()
    for status in (_grammar.EXIT_OK, _grammar.EXIT_FAILED, _grammar.EXIT_USAGE):
        assert f"\n  {status}    " in text
    assert f"\n  {_grammar.EXIT_INTERRUPTED}  interrupted" in text
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args(["revoke", "--help"])
    text = out.getvalue()
    for flag in ("--expired", "--unused-since DATE", "--name GLOB", "--scope SCOPE", "--where"):
        assert flag in text
    assert "older spelling" in text


# -- ids ------------------------------------------------------------------------------------


def test_parse_id_lines() -> None:
    lines = ["\ufeff# header", f"  {ID}  ", "", "\tb2 # comment", "# c3", "d4#"]
    assert parse_id_lines(lines) == [ID, "b2", "d4"]


@pytest.mark.parametrize(
    ("value", "message"),
    [(KEY, "looks like an API key"), ("a/b", "must be 1 to 64"), ("", "must be 1 to 64")],
)
def test_check_id_refuses(value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        check_id(value, "--customer")
    assert check_id(ID, "--customer") == ID


def test_gather_ids(tmp_path: Path) -> None:
    listed = tmp_path / "ids.txt"
    listed.write_text("b2\nc3\n")
    assert gather_ids([ID], [str(listed), "-"], io.StringIO("d4\n")) == [ID, "b2", "c3", "d4"]
    with pytest.raises(UsageError, match="only once"):
        gather_ids([], ["-", "-"], io.StringIO())
    listed.write_text(f"b2\n{KEY}\n")
    with pytest.raises(UsageError, match=r"id 2 of .*ids.txt looks like an API key") as caught:
        gather_ids([], [str(listed)], io.StringIO())
    assert KEY not in str(caught.value)
    with pytest.raises(UsageError, match="ID 2 looks like an API key"):
        gather_ids([ID, KEY], [], io.StringIO())


# -- documents and tables -------------------------------------------------------------------


@pytest.mark.parametrize("outcome", list(Outcome))
def test_gone_is_what_a_report_calls_ok(outcome: Outcome) -> None:
    report = RevocationReport((RevocationResult(ID, outcome),), 0, 0, 0.0)
    assert report.ok is (outcome in GONE)
    assert not_revoked(report.results) == ([] if report.ok else list(report.results))


def test_every_outcome_has_a_label_a_count_and_a_row() -> None:
    results = tuple(RevocationResult(f"id{i}", o) for i, o in enumerate(Outcome))
    report = RevocationReport(results, 1, 3, 1.5)
    document = report_json(report)
    assert document["counts"] == {str(o): 1 for o in Outcome}
    assert counts_text(report.counts) == ", ".join(f"{label(o)} 1" for o in Outcome)
    shown = text_of(*report_view(report, title="T", clean=str))
    for outcome in Outcome:
        assert f"│ {label(outcome)} " in shown


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        ({}, "revoked 0"),
        ({Outcome.REVOKED: 5, Outcome.NOT_FOUND: 0}, "revoked 5"),
        ({Outcome.FAILED: 2}, "revoked 0, failed 2"),
    ],
)
def test_counts_text_shows_revoked_and_what_happened(counts: dict[Outcome, int], text: str) -> None:
    assert counts_text(counts) == text


def test_result_json_renders_every_field_of_the_result() -> None:
    error = NotFoundError(status=404, method="DELETE", path=f"/tokens/{ID}", msg="gone")
    result = RevocationResult(ID, Outcome.NOT_FOUND, error, resumed=True)
    data = result_json(result)
    assert data == {
        "id": ID,
        "outcome": "not_found",
        "error": f"NotFoundError: DELETE /tokens/{ID} -> 404: gone",
        "error_type": "NotFoundError",
        "status": 404,
        "resumed": True,
        "maybe_revoked": False,
        "note": None,
    }
    others = {f.name for f in attrs.fields(RevocationResult)} - {"token_id", "outcome", "error"}
    assert others <= data.keys()


def test_the_report_lists_failures_up_to_a_limit() -> None:
    failed = [RevocationResult(f"f{i}", Outcome.FAILED, RuntimeError("no")) for i in range(60)]
    skipped = [
        RevocationResult(f"s{i}", Outcome.NOT_ATTEMPTED, RuntimeError("budget")) for i in range(3)
    ]
    everything = (RevocationResult(ID, Outcome.REVOKED), *failed, *skipped)
    report = RevocationReport(everything, 3, 70, 2.0, stopped="the budget is spent")
    shown = text_of(*report_view(report, title="Revocation report", clean=str))
    assert "f49" in shown
    assert "f50 " not in shown
    assert f"... and {60 - FAILURES_SHOWN} more; --json lists them all" in shown
    assert "3 ids not attempted: RuntimeError: budget" in shown
    assert "writes (the hourly budget): 70   reads (free): 3   time: 2.00 s" in shown
    assert "stopped: the budget is spent" in shown


@pytest.mark.parametrize(("width", "created"), [(200, True), (99, False)])
def test_a_narrow_table_gives_up_the_creation_date(width: int, created: bool) -> None:
    token = Token(id=ID, name="n", scope=frozenset({Scope.GLOBAL}), created_at=NOW)
    table = token_table([token], owners=False, width=width, clean=str, now=NOW)
    assert ("created (UTC)" in [c.header for c in table.columns]) is created


def test_token_table_cleans_every_cell_from_outside() -> None:
    token = Token(id=ID, name="name", user_id="user", scope=frozenset({"custom"}))
    table = token_table([token], owners=True, width=200, clean=str.upper, now=NOW)
    shown = text_of(table)
    assert ID.upper() in shown
    for value in ("NAME", "USER", "CUSTOM"):
        assert value in shown


# -- progress ---------------------------------------------------------------------------------


def test_plain_progress_prints_at_most_every_half_second() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200)
    clock = iter([0.0, 0.1, 0.4, 0.6, 0.7])
    view = PlainProgress(console, 10, "revoking", lambda: next(clock))
    for done in range(1, 6):
        counts = {Outcome.REVOKED: done}
        view.update(RevocationProgress(done, 10, 3, done, counts, ()))
    assert buffer.getvalue().splitlines() == [
        "revoking 1/10 (revoked 1; writes 1)",
        "revoking 4/10 (revoked 4; writes 4)",
    ]


# -- the package's shape ----------------------------------------------------------------------


def _cli_imports(path: Path) -> set[str]:
    """The sibling modules a CLI module imports (``from ._x import``, ``from . import _x``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module)
            else:
                names.update(alias.name for alias in node.names)
    return names


MODULES = {p.stem: p for p in CLI.glob("*.py")}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_module_is_under_400_lines(name: str) -> None:
    assert len(MODULES[name].read_text().splitlines()) < 400


def test_no_import_circle_among_the_cli_modules() -> None:
    graph = {name: _cli_imports(path) & MODULES.keys() for name, path in MODULES.items()}
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, " -> ".join((*trail, name))
        if name in done:
            return
        for imported in graph[name]:
            visit(imported, (*trail, name))
        done.add(name)

    for name in graph:
        visit(name, ())


RICH_FREE = ["__init__", "_grammar", "_run", "_secrets", "_visible", "_streams", "_whole"]
"""What ``--help`` and usage errors load: none of it may import rich, even lazily."""


@pytest.mark.parametrize("name", RICH_FREE)
def test_the_grammar_side_imports_no_rich(name: str) -> None:
    def rich_free(module: str, seen: set[str]) -> None:
        tree = ast.parse(MODULES[module].read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "rich" for a in node.names), module
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert (node.module or "").split(".")[0] != "rich", module
        for imported in (_cli_imports(MODULES[module]) & MODULES.keys()) - seen:
            if imported in RICH_FREE:
                rich_free(imported, seen | {imported})

    rich_free(name, {name})
