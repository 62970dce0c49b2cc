"""Where the command's output goes: two consoles, the SDK's log lines, and the progress view.

Results go to standard output; progress, notes, log lines and errors to standard error, so
that ``--json`` can be piped. Everything is printed through :class:`Output`, which cleans
every string from outside (secrets masked, control characters escaped) and keeps markup and
emoji off: a token named ``[bold]`` or ``:x:`` prints as it is.

On a terminal, rich wraps lines at its width. Anywhere else (a file, a pipe) a line is never
broken: a message is one line however long, and a table's rows are whole. Tables are
:class:`Grid` s, written a chunk of rows at a time. The wait notice (``_waiting``) is erased
before anything is printed.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.color import ColorSystem
from rich.console import Console, RenderableType
from rich.style import Style
from rich.text import Text

from .. import RevocationReport, Token
from ._grid import Grid, render
from ._progress import ProgressView, make_progress
from ._secrets import Redactor
from ._streams import Streams
from ._tables import report_view, token_detail, token_table
from ._visible import visible
from ._waiting import WaitNotice
from ._whole import write_whole

__all__ = ["Output", "settle"]

_NON_TERMINAL_WIDTH = 160
"""The width rich lays its few renderables out in (the report's summary) off a terminal."""

_COLOR_SYSTEMS = {
    "standard": ColorSystem.STANDARD,
    "256": ColorSystem.EIGHT_BIT,
    "truecolor": ColorSystem.TRUECOLOR,
    "windows": ColorSystem.WINDOWS,
}


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


def settle() -> None:
    """Tell the cyclic garbage collector that what is alive now lives until the command ends.

    A listing of 200,000 tokens is millions of objects, and each collection of the oldest
    generation rescans them all while the table or the JSON is built from them (half the time
    of a big table). ``gc.freeze`` moves them out of its sight; garbage made later is
    collected as ever.
    """
    gc.freeze()


class _ConsoleLogHandler(logging.Handler):
    """Log lines printed through the stderr console, so they land above a live bar.

    Each line is cleaned as it is printed; the record itself is left as it was, for any other
    handler of the logger.
    """

    def __init__(self, output: Output) -> None:
        super().__init__()
        self._output = output

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._output.note(f"{record.levelname.lower()}: {self.format(record)}", style="dim")
        except Exception:  # logging must never break the command
            self.handleError(record)


class Output:
    """The command's two consoles and everything it prints on them."""

    def __init__(
        self,
        streams: Streams,
        *,
        redact: Redactor | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._stdout = streams.stdout
        self.out = _console(streams.stdout, stderr=False, environ=streams.environ)
        self.err = _console(streams.stderr, stderr=True, environ=streams.environ)
        self.redact = redact if redact is not None else Redactor()
        self._clock = clock or streams.clock
        self.waiting = WaitNotice(streams.stderr, enabled=self.err.is_terminal, clock=self._clock)
        """The transient ``waiting for HOST`` line (a terminal's standard error only)."""
        self._styles: dict[str, Style] = {}

    def clean(self, text: str) -> str:
        """Make a string from outside printable: secrets masked, control characters escaped."""
        return visible(self.redact(text))

    # -- messages and results ---------------------------------------------------------

    def _line(self, console: Console, text: Text) -> None:
        """Print one line: wrapped by rich on a terminal, whole anywhere else."""
        self.waiting.clear()
        console.print(text, soft_wrap=not console.is_terminal)

    def error(self, message: str) -> None:
        """Print ``fastly-tokens: error: ...`` on standard error, cleaned."""
        self._line(self.err, Text(f"fastly-tokens: error: {self.clean(message)}", style="red"))

    def note(self, message: str, style: str = "") -> None:
        """Print a note on standard error (never mixed into results), cleaned."""
        self._line(self.err, Text(self.clean(message), style=style))

    def say(self, message: str, style: str = "") -> None:
        """Print a line of results on standard output, cleaned."""
        self._line(self.out, Text(self.clean(message), style=style))

    def say_secret(self, secret: str) -> None:
        """Print the one secret the command is there to print (a new token's), unmasked."""
        self._line(self.out, Text(visible(secret), style="bold"))

    def show(self, *renderables: RenderableType | Grid) -> None:
        """Print renderables built from cleaned strings (see ``_tables``) on standard output."""
        self.waiting.clear()
        for renderable in renderables:
            if isinstance(renderable, Grid):
                self.grid(renderable)
            elif isinstance(renderable, Text):
                self._line(self.out, renderable)
            else:
                self.out.print(renderable)

    def _paint(self, text: str, style: str) -> str:
        system = _COLOR_SYSTEMS.get(self.out.color_system or "")
        if system is None:
            return text
        if style not in self._styles:
            self._styles[style] = Style.parse(style)
        return self._styles[style].render(text, color_system=system)

    def grid(self, grid: Grid) -> None:
        """Write a table a chunk of rows at a time: fitted to a terminal, whole elsewhere."""
        self.waiting.clear()
        console = self.out
        width = console.width if console.is_terminal else None
        rule = "─" if console.encoding.lower().startswith("utf") else "-"
        file = console.file
        for chunk in render(grid, width=width, paint=self._paint, rule=rule):
            file.write(chunk)
        file.flush()

    def text(self, text: str) -> None:
        """Write ``text`` (already cleaned: CSV cells, say) on standard output, whole."""
        self.waiting.clear()
        write_whole(self._stdout, text)

    def json(self, data: Any, *, keep: frozenset[str] = frozenset()) -> None:
        """Write ``data`` as indented JSON on standard output, whole or not at all.

        Secrets are masked in every string but the fields ``keep`` names.
        """
        text = json.dumps(self.redact.document(data, keep=keep), indent=2) + "\n"
        self.waiting.clear()
        write_whole(self._stdout, text)

    # -- tokens and reports ------------------------------------------------------------

    def token(self, token: Token) -> None:
        """Print one token's fields."""
        self.show(token_detail(token, clean=self.clean, now=datetime.now(UTC)))

    def tokens(self, tokens: Sequence[Token], *, title: str, owners: bool = False) -> None:
        """Print a title line, then the tokens as a table, one a row."""
        width = self.out.width if self.out.is_terminal else _NON_TERMINAL_WIDTH
        table = token_table(
            tokens, owners=owners, width=width, clean=self.clean, now=datetime.now(UTC)
        )
        self.say(title, style="bold")
        self.grid(table)

    def report(self, report: RevocationReport, *, title: str = "Revocation report") -> None:
        """Print a revocation report: counts, requests, time, and what was not revoked."""
        self.show(*report_view(report, title=title, clean=self.clean))

    def progress(self, total: int, label: str = "revoking") -> ProgressView:
        """Make the progress view on standard error: a live bar on a terminal, else lines.

        The wait notice is quiet while a live bar owns the terminal.
        """
        self.waiting.clear()
        return make_progress(self.err, total, label, self._clock, quiet=self.waiting.paused)

    @contextlib.contextmanager
    def sdk_logging(self, *, verbose: bool) -> Iterator[None]:
        """Send the SDK's log records (retries, rate-limit waits) to standard error meanwhile.

        Warnings always, information too when ``verbose``; the logger is put back after.
        """
        logger = logging.getLogger("fastly_tokens")
        handler = _ConsoleLogHandler(self)
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
