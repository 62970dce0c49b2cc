"""What the command shows: token tables and views, reports, dry runs.

Pure: data in, renderables out, nothing printed. Lists of any length are :class:`Grid` s,
which stream (see ``_grid``); the report's small summary is a rich table. Every string from
outside goes through the ``clean`` given (secrets masked, control characters escaped) before
it reaches a cell; the labels and the styling are ours. Markup is never parsed: a name like
``[bold]`` stays text. Times are UTC, and say so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from .. import AutomationToken, Outcome, RevocationPlan, RevocationReport, RevocationResult, Token
from ._documents import describe_error, label, not_revoked
from ._grid import Cell, Column, Grid
from ._words import plural

__all__ = [
    "FAILURES_SHOWN",
    "day",
    "day_column",
    "moment",
    "plan_lines",
    "plan_table",
    "report_view",
    "token_detail",
    "token_table",
]

Clean = Callable[[str], str]

FAILURES_SHOWN = 50
"""Failures listed in the report table; ``--json`` has them all."""

_WIDE_ENOUGH = 100
_OWNER_WIDTH = 24
_OUTCOME_STYLE = {
    Outcome.REVOKED: "green",
    Outcome.NOT_FOUND: "cyan",
    Outcome.FAILED: "red",
    Outcome.NOT_ATTEMPTED: "magenta",
}
"""Colours of the outcomes; any other (such as invalid) is yellow."""


def _style(outcome: Outcome) -> str:
    return _OUTCOME_STYLE.get(outcome, "yellow")


def moment(value: datetime | None, never: str = "never") -> str:
    """Write a time for people: ``2026-06-01 12:00 UTC``."""
    return never if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def day(value: datetime | None, never: str = "never") -> str:
    """Write a day for a table column whose header says UTC: ``2026-06-01``."""
    return never if value is None else value.astimezone(UTC).strftime("%Y-%m-%d")


def _roles(token: Token) -> str:
    if not isinstance(token, AutomationToken):
        return "(user token)"
    return " ".join(sorted(token.role_names)) or "-"


def _scopes(token: Token) -> str:
    return " ".join(sorted(token.scope)) or "-"


def day_column(header: str) -> Column:
    """Make a column of days: it may narrow to a day's width, its header wrapping."""
    return Column(header, wrap=True, floor=len("2026-01-01"), words=True)


def token_detail(token: Token, *, clean: Clean, now: datetime) -> Grid:
    """Build a two-column view of one token's fields."""
    rows: list[tuple[str, str]] = [
        ("id", token.id),
        ("name", token.name or ""),
        ("user_id", token.user_id or ""),
        ("customer_id", token.customer_id or ""),
        ("scope", _scopes(token)),
        ("services", " ".join(token.services) or "all"),
        ("created_at", moment(token.created_at, "")),
        ("last_used_at", moment(token.last_used_at)),
        ("expires_at", moment(token.expires_at)),
    ]
    if isinstance(token, AutomationToken):
        rows += [("kind", "automation token"), ("role", _roles(token))]
        if token.creator_id:
            rows.append(("creator_id", token.creator_id))
    if token.ip:
        rows.append(("ip", token.ip))
    if token.user_agent:
        rows.append(("user_agent", token.user_agent))
    cells: list[list[Cell]] = [[name, clean(value)] for name, value in rows]
    if token.is_expired(now):
        cells.append(["", ("expired", "red")])
    columns = (Column("field"), Column("value", wrap=True, floor=20))
    return Grid(columns, cells, header=False, styles=("bold", ""))


def token_table(
    tokens: Sequence[Token], *, owners: bool, width: int, clean: Clean, now: datetime
) -> Grid:
    """Build a table of tokens, one a row; ``owners`` adds the user id column.

    Days are UTC (the headers say so); a scope is never split, a name wraps on a narrow
    terminal. Each row is built from the token alone, so the table streams.
    """
    # On a narrow terminal, the creation date is the column to give up.
    created = width >= _WIDE_ENOUGH + (_OWNER_WIDTH if owners else 0)
    roles = any(isinstance(t, AutomationToken) for t in tokens)
    columns = [Column("id"), Column("name", wrap=True)]
    if owners:
        columns.append(Column("user_id"))
    if roles:
        columns.append(Column("role", wrap=True, floor=6, words=True))
    columns.append(Column("scope", wrap=True, floor=6, words=True))
    if created:
        columns.append(day_column("created (UTC)"))
    columns += [day_column("last used (UTC)"), day_column("expires (UTC)")]
    rows: list[list[Cell]] = []
    for token in tokens:
        cells: list[Cell] = [clean(token.id), clean(token.name or "")]
        if owners:
            cells.append(clean(token.user_id or ""))
        if roles:
            cells.append(clean(_roles(token)))
        cells.append(clean(_scopes(token)))
        if created:
            cells.append(day(token.created_at, ""))
        cells.append(day(token.last_used_at))
        expires = day(token.expires_at)
        cells.append((f"{expires} (expired)", "red") if token.is_expired(now) else expires)
        rows.append(cells)
    return Grid(tuple(columns), rows)


def report_view(report: RevocationReport, *, title: str, clean: Clean) -> list[RenderableType]:
    """Build the report: counts per outcome, requests and time, then what was not revoked."""
    counts = report.counts
    summary = Table()
    summary.add_column("outcome")
    summary.add_column("ids", justify="right")
    for outcome in Outcome:
        summary.add_row(Text(label(outcome), style=_style(outcome)), str(counts.get(outcome, 0)))
    summary.add_row(Text("total", style="bold"), str(len(report.results)), end_section=True)
    resumed = sum(1 for r in report.results if r.resumed)
    line = (
        f"writes (the hourly budget): {report.writes}   reads (free): {report.reads}   "
        f"time: {report.elapsed:.2f} s"
    )
    if resumed:
        line += f"   taken from the journal: {resumed}"
    shown: list[RenderableType] = [Text(title, style="bold"), summary, Text(line)]
    if report.stopped:
        shown.append(Text(clean(f"stopped: {report.stopped}"), style="red"))
    return [*shown, *_problems(report.results, clean)]


def _problems(results: Sequence[RevocationResult], clean: Clean) -> list[RenderableType]:
    """List the ids not revoked, with their errors; sum up the ones not attempted."""
    problems = not_revoked(results)
    listed = [r for r in problems if r.outcome is not Outcome.NOT_ATTEMPTED]
    shown: list[RenderableType] = []
    if listed:
        columns = (Column("id"), Column("outcome"), Column("error", wrap=True, floor=20))
        rows: list[list[Cell]] = [
            [
                clean(result.token_id),
                (label(result.outcome), _style(result.outcome)),
                clean(describe_error(result.error)) or "-",
            ]
            for result in listed[:FAILURES_SHOWN]
        ]
        shown += [Text("Not revoked", style="bold"), Grid(columns, rows)]
        if len(listed) > FAILURES_SHOWN:
            more = len(listed) - FAILURES_SHOWN
            shown.append(Text(f"... and {more} more; --json lists them all"))
    skipped = [r for r in problems if r.outcome is Outcome.NOT_ATTEMPTED]
    if skipped:
        reasons = dict.fromkeys(describe_error(r.error) or "interrupted" for r in skipped)
        line = f"{plural(len(skipped), 'id')} not attempted: {'; '.join(reasons)}"
        shown.append(Text(clean(line), style=_style(Outcome.NOT_ATTEMPTED)))
    return shown


def plan_table(plan: RevocationPlan, *, clean: Clean) -> Grid:
    """Build the table of a dry run's ids: those it would send, and why the others would not."""
    rows = [(t, "be revoked") for t in plan.to_send]
    if plan.current_last:
        rows.append((plan.current_last, "be revoked last: it is the current token"))
    rows += [(t, "end not found: the preflight did not find it") for t in plan.not_found]
    rows += [(t, "end invalid: not a well-formed id") for t in plan.invalid]
    rows += [(t, "be skipped: the journal settled it") for t in plan.resumed]
    columns = (Column("id"), Column("would", wrap=True))
    return Grid(columns, [[clean(token_id), note] for token_id, note in rows])


def plan_lines(plan: RevocationPlan, *, after: bool) -> list[str]:
    """Say the plan's cost and caveats in words: before a run (``after=False``), or after."""
    lines: list[str] = []
    if not after:
        sent = len(plan.to_send) + bool(plan.current_last)
        cost = f"cost: {plural(plan.writes, 'write')} of the hourly budget, "
        cost += f"for {plural(sent, 'id')}"
        if plan.listing:
            cost += f"; {len(plan.not_found)} not found by the preflight ({plan.listing})"
        if plan.remaining is not None:
            cost += f"; {plural(plan.remaining, 'write')} left"
            if plan.reset_at is not None:
                cost += f" until {plan.reset_at:%H:%M} UTC"
        lines.append(cost)
        if plan.current_last:
            lines.append("the current token is included: it is revoked last, on its own")
        if plan.fits_budget is False:
            lines.append(
                "the budget left does not cover this job: it will wait for the reset or stop"
            )
    if plan.partial_view and plan.not_found:
        lines.append(
            f"{_ids_are(len(plan.not_found))} not among this caller's own tokens; if some are a "
            "colleague's, they may still be live: a superuser can revoke them"
        )
    return lines


def _ids_are(count: int) -> str:
    return "1 id is" if count == 1 else f"{count} ids are"
