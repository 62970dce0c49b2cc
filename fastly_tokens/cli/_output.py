"""What the command prints: tables, JSON, progress (a live bar or plain lines) and reports.

Results go to standard output; progress, notes and errors to standard error, so that
``--json`` output can be piped. Every console has markup and emoji off: token names are
user data, and ``[bold]`` or ``:x:`` in one must print as it is.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol, Self, TextIO

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from .. import Outcome, RevocationProgress, RevocationReport, RevocationResult, Token
from .._converter import converter
from ._secrets import Redactor
from ._visible import visible
from ._whole import write_whole

__all__ = [
    "FAILURES_SHOWN",
    "Output",
    "ProgressView",
    "counts_text",
    "report_json",
    "token_json",
]

FAILURES_SHOWN = 50
"""Failures listed in the report table; ``--json`` has them all."""

PLAIN_INTERVAL = 0.5
"""Seconds between two plain progress lines, at most one a chunk."""

_NON_TERMINAL_WIDTH = 160
_WIDE_ENOUGH = 100
_OUTCOME_STYLE = {
    Outcome.REVOKED: "green",
    Outcome.NOT_FOUND: "cyan",
    Outcome.INVALID: "yellow",
    Outcome.FAILED: "red",
    Outcome.NOT_ATTEMPTED: "magenta",
}
_OUTCOME_LABEL = {outcome: outcome.value.replace("_", " ") for outcome in Outcome}


def _console(file: TextIO, *, stderr: bool, environ: Mapping[str, str]) -> Console:
    console = Console(
        file=file,
        stderr=stderr,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
        _environ=environ,
    )
    if not console.is_terminal and "COLUMNS" not in environ:
        # A pipe or a file: do not fold table rows at 80 columns.
        console.width = _NON_TERMINAL_WIDTH
    return console


def _when(value: datetime | None, never: str = "never") -> str:
    return never if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _day(value: datetime | None, never: str = "never") -> str:
    return never if value is None else value.astimezone(UTC).strftime("%Y-%m-%d")


def _scopes(token: Token) -> str:
    return " ".join(sorted(token.scope)) or "-"


def token_json(token: Token) -> dict[str, Any]:
    """Render a token as JSON: timestamps ``...Z``, scope space-joined, as Fastly writes them."""
    data: dict[str, Any] = converter.unstructure(token)
    return data


def describe_error(error: BaseException | None) -> str:
    """One line naming an error's type and saying what it said."""
    if error is None:
        return ""
    return f"{type(error).__name__}: {error}"


def counts_text(counts: Mapping[Outcome, int]) -> str:
    """``revoked 3, not found 1, failed 0, invalid 0`` (not attempted only when some were)."""
    shown = [Outcome.REVOKED, Outcome.NOT_FOUND, Outcome.FAILED, Outcome.INVALID]
    if counts.get(Outcome.NOT_ATTEMPTED, 0):
        shown.append(Outcome.NOT_ATTEMPTED)
    return ", ".join(f"{_OUTCOME_LABEL[o]} {counts.get(o, 0)}" for o in shown)


def _result_json(result: RevocationResult) -> dict[str, Any]:
    return {
        "id": result.token_id,
        "outcome": str(result.outcome),
        "error": describe_error(result.error) or None,
        "error_type": None if result.error is None else type(result.error).__name__,
        "status": getattr(result.error, "status", None),
        "resumed": result.resumed,
    }


def report_json(report: RevocationReport) -> dict[str, Any]:
    """Render the report as JSON: the totals, then one result per id in input order."""
    counts = report.counts
    return {
        "ok": report.ok,
        "total": len(report.results),
        "counts": {str(o): counts.get(o, 0) for o in Outcome},
        "requests": report.requests,
        "elapsed": round(report.elapsed, 3),
        "results": [_result_json(r) for r in report.results],
    }


class ProgressView(Protocol):
    """Shows a revocation job's progress while it runs."""

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def update(self, progress: RevocationProgress) -> None:
        """Take one update from the job's ``on_progress``."""
        ...

    def finish(self, report: RevocationReport) -> None:
        """Show the final state once the job has ended (or was stopped)."""
        ...


class _BarProgress:
    """A live rich progress bar, for a terminal."""

    def __init__(self, console: Console, total: int, label: str) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TextColumn("{task.fields[requests]} requests"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task: TaskID = self._progress.add_task(
            label, total=total, counts=counts_text({}), requests=0
        )

    def __enter__(self) -> Self:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def update(self, progress: RevocationProgress) -> None:
        """Move the bar."""
        self._progress.update(
            self._task,
            completed=progress.done,
            total=progress.total,
            counts=counts_text(progress.counts),
            requests=progress.requests,
        )

    def finish(self, report: RevocationReport) -> None:
        """Set the bar to the report's final figures."""
        done = sum(1 for r in report.results if r.outcome is not Outcome.NOT_ATTEMPTED)
        self._progress.update(
            self._task,
            completed=done,
            total=len(report.results),
            counts=counts_text(report.counts),
            requests=report.requests,
        )


class _PlainProgress:
    """Plain progress lines, for a pipe or a log: at most one every half second."""

    def __init__(
        self, console: Console, total: int, label: str, clock: Callable[[], float]
    ) -> None:
        self._console = console
        self._total = total
        self._label = label
        self._clock = clock
        self._last: float | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def _line(self, done: int, total: int, counts: Mapping[Outcome, int], requests: int) -> str:
        return f"{self._label} {done}/{total} ({counts_text(counts)}; requests {requests})"

    def update(self, progress: RevocationProgress) -> None:
        """Print a line if the last one is half a second old (or there was none)."""
        now = self._clock()
        if self._last is not None and now - self._last < PLAIN_INTERVAL:
            return
        self._last = now
        line = self._line(progress.done, progress.total, progress.counts, progress.requests)
        self._console.print(Text(line))

    def finish(self, report: RevocationReport) -> None:
        """Print the final line."""
        done = sum(1 for r in report.results if r.outcome is not Outcome.NOT_ATTEMPTED)
        line = self._line(done, len(report.results), report.counts, report.requests)
        self._console.print(Text(f"{line} in {report.elapsed:.2f} s"))


class _ConsoleLogHandler(logging.Handler):
    """Log lines printed through the stderr console, so they land above a live bar.

    Each line is masked as it is printed; the record itself is left as it was, for any other
    handler of the logger.
    """

    def __init__(self, console: Console, redact: Redactor) -> None:
        super().__init__()
        self._console = console
        self._redact = redact

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = visible(self._redact(f"{record.levelname.lower()}: {self.format(record)}"))
            text = Text(line, style="dim")
            self._console.print(text)
        except Exception:  # logging must never break the command
            self.handleError(record)


class Output:
    """The command's two consoles and everything it prints on them."""

    def __init__(
        self,
        *,
        redact: Redactor | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        environ = os.environ if environ is None else environ
        self._stdout = stdout if stdout is not None else sys.stdout
        self.out = _console(self._stdout, stderr=False, environ=environ)
        self.err = _console(
            stderr if stderr is not None else sys.stderr, stderr=True, environ=environ
        )
        self.redact = redact if redact is not None else Redactor()
        self._clock = clock

    # -- plain messages ---------------------------------------------------------------

    def clean(self, text: str) -> str:
        """Make a string from outside printable: secrets masked, control characters escaped."""
        return visible(self.redact(text))

    def error(self, message: str) -> None:
        """Print ``fastly-tokens: error: ...`` on standard error, secrets masked."""
        self.err.print(Text(f"fastly-tokens: error: {self.clean(message)}", style="red"))

    def note(self, message: str, style: str = "") -> None:
        """Print a note on standard error (never mixed into results)."""
        self.err.print(Text(self.clean(message), style=style))

    def say(self, message: str, style: str = "") -> None:
        """Print a line of results on standard output, secrets masked."""
        self.out.print(Text(self.clean(message), style=style))

    def say_secret(self, secret: str) -> None:
        """Print the one secret the command is there to print (a new token's), unmasked."""
        self.out.print(Text(visible(secret), style="bold"))

    def show(self, renderable: Any) -> None:
        """Print a rich renderable (a table) on standard output."""
        self.out.print(renderable)

    def json(self, data: Any, *, keep: frozenset[str] = frozenset()) -> None:
        """Write ``data`` as indented JSON on standard output, whole or not at all.

        Secrets are masked in every string but the fields ``keep`` names.
        """
        text = json.dumps(self.redact.document(data, keep=keep), indent=2) + "\n"
        write_whole(self._stdout, text)

    @contextlib.contextmanager
    def sdk_logging(self, *, verbose: bool) -> Iterator[None]:
        """Send the SDK's log records (retries, rate-limit waits) to standard error meanwhile.

        Warnings always, information too when ``verbose``; the logger is put back after.
        """
        logger = logging.getLogger("fastly_tokens")
        handler = _ConsoleLogHandler(self.err, self.redact)
        level, propagate = logger.level, logger.propagate
        logger.addHandler(handler)
        logger.setLevel(logging.INFO if verbose else logging.WARNING)
        logger.propagate = False
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate

    # -- tokens -----------------------------------------------------------------------

    def token_detail(self, token: Token) -> Table:
        """Build a two-column table of one token's fields."""
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column()
        rows: list[tuple[str, str]] = [
            ("id", token.id),
            ("name", token.name or ""),
            ("user_id", token.user_id or ""),
            ("customer_id", token.customer_id or ""),
            ("scope", _scopes(token)),
            ("services", " ".join(token.services) or "all"),
            ("created_at", _when(token.created_at, "")),
            ("last_used_at", _when(token.last_used_at)),
            ("expires_at", _when(token.expires_at)),
        ]
        if token.ip:
            rows.append(("ip", token.ip))
        if token.user_agent:
            rows.append(("user_agent", token.user_agent))
        for name, value in rows:
            table.add_row(name, self.clean(value))
        if token.is_expired():
            table.add_row("", Text("expired", style="red"))
        return table

    def show_tokens(
        self, tokens: Sequence[Token], *, owners: bool = False, title: str | None = None
    ) -> None:
        """Print a title line, then the tokens as a table, one a row."""
        if title is not None:
            self.say(title, style="bold")
        self.show(self.token_table(tokens, owners=owners))

    def token_table(self, tokens: Sequence[Token], *, owners: bool = False) -> Table:
        """Build a table of tokens, one a row."""
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        # On a narrow terminal, the creation date is the column to give up.
        created = self.out.width >= _WIDE_ENOUGH + (24 if owners else 0)
        table.add_column("id", no_wrap=True)
        table.add_column("name", min_width=12)
        if owners:
            table.add_column("user_id", no_wrap=True)
        table.add_column("scope", min_width=8)
        if created:
            table.add_column("created", min_width=10)
        table.add_column("last used", min_width=10)
        table.add_column("expires", min_width=10)
        now = datetime.now(UTC)
        for token in tokens:
            expires = Text(_day(token.expires_at))
            if token.is_expired(now):
                expires = Text(f"{_day(token.expires_at)} (expired)", style="red")
            cells: list[str | Text] = [self.clean(token.id), self.clean(token.name or "")]
            if owners:
                cells.append(self.clean(token.user_id or ""))
            cells.append(self.clean(_scopes(token)))
            if created:
                cells.append(_day(token.created_at, ""))
            cells += [_day(token.last_used_at), expires]
            table.add_row(*cells)
        return table

    # -- revocation ---------------------------------------------------------------------

    def progress(self, total: int, label: str = "revoking") -> ProgressView:
        """Make the progress view: a live bar on a terminal, plain lines elsewhere."""
        if self.err.is_terminal:
            return _BarProgress(self.err, total, label)
        return _PlainProgress(self.err, total, label, self._clock)

    def report(self, report: RevocationReport, *, title: str = "Revocation report") -> None:
        """Print the summary: counts per outcome, requests, time, and the failures."""
        counts = report.counts
        self.say(title, style="bold")
        summary = Table()
        summary.add_column("outcome")
        summary.add_column("ids", justify="right")
        for outcome in Outcome:
            summary.add_row(
                Text(_OUTCOME_LABEL[outcome], style=_OUTCOME_STYLE[outcome]),
                str(counts.get(outcome, 0)),
            )
        summary.add_row(Text("total", style="bold"), str(len(report.results)), end_section=True)
        self.show(summary)
        resumed = sum(1 for r in report.results if r.resumed)
        line = f"requests: {report.requests}   time: {report.elapsed:.2f} s"
        if resumed:
            line += f"   taken from the journal: {resumed}"
        self.say(line)
        self._problems(report.results)

    def _problems(self, results: Iterable[RevocationResult]) -> None:
        """List the failed and invalid ids with their errors; sum up the ones not attempted."""
        problems = [r for r in results if r.outcome not in (Outcome.REVOKED, Outcome.NOT_FOUND)]
        listed = [r for r in problems if r.outcome is not Outcome.NOT_ATTEMPTED]
        if listed:
            self.say("Not revoked", style="bold")
            table = Table()
            table.add_column("id", no_wrap=True)
            table.add_column("outcome", no_wrap=True)
            table.add_column("error")
            for result in listed[:FAILURES_SHOWN]:
                token_id = result.token_id
                table.add_row(
                    self.clean(token_id),
                    Text(_OUTCOME_LABEL[result.outcome], style=_OUTCOME_STYLE[result.outcome]),
                    self.clean(describe_error(result.error)) or "-",
                )
            self.show(table)
            if len(listed) > FAILURES_SHOWN:
                self.say(f"... and {len(listed) - FAILURES_SHOWN} more; --json lists them all")
        skipped = [r for r in problems if r.outcome is Outcome.NOT_ATTEMPTED]
        if skipped:
            reasons = dict.fromkeys(describe_error(r.error) or "interrupted" for r in skipped)
            # say() cleans the line: the reasons quote what the server said.
            style = _OUTCOME_STYLE[Outcome.NOT_ATTEMPTED]
            self.say(f"{len(skipped)} ids not attempted: {'; '.join(reasons)}", style=style)
