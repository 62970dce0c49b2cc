"""Where the command's output goes: two consoles, the SDK's log lines, and the progress view.

Results go to standard output; progress, notes, log lines and errors to standard error, so
that ``--json`` can be piped. Everything is printed through :class:`Output`, which cleans
every string from outside (secrets masked, control characters escaped) and keeps markup and
emoji off: a token named ``[bold]`` or ``:x:`` prints as it is.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.console import Console, RenderableType
from rich.text import Text

from .. import RevocationReport, Token
from ._progress import ProgressView, make_progress
from ._secrets import Redactor
from ._streams import Streams
from ._tables import report_view, token_detail, token_table
from ._visible import visible
from ._whole import write_whole

__all__ = ["Output"]

_NON_TERMINAL_WIDTH = 160


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


class _ConsoleLogHandler(logging.Handler):
    """Log lines printed through the stderr console, so they land above a live bar.

    Each line is cleaned as it is printed; the record itself is left as it was, for any other
    handler of the logger.
    """

    def __init__(self, console: Console, clean: Callable[[str], str]) -> None:
        super().__init__()
        self._console = console
        self._clean = clean

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self._clean(f"{record.levelname.lower()}: {self.format(record)}")
            self._console.print(Text(line, style="dim"))
        except Exception:  # logging must never break the command
            self.handleError(record)


class Output:
    """The command's two consoles and everything it prints on them."""

    def __init__(
        self,
        streams: Streams,
        *,
        redact: Redactor | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stdout = streams.stdout
        self.out = _console(streams.stdout, stderr=False, environ=streams.environ)
        self.err = _console(streams.stderr, stderr=True, environ=streams.environ)
        self.redact = redact if redact is not None else Redactor()
        self._clock = clock

    def clean(self, text: str) -> str:
        """Make a string from outside printable: secrets masked, control characters escaped."""
        return visible(self.redact(text))

    # -- messages and results ---------------------------------------------------------

    def error(self, message: str) -> None:
        """Print ``fastly-tokens: error: ...`` on standard error, cleaned."""
        self.err.print(Text(f"fastly-tokens: error: {self.clean(message)}", style="red"))

    def note(self, message: str, style: str = "") -> None:
        """Print a note on standard error (never mixed into results), cleaned."""
        self.err.print(Text(self.clean(message), style=style))

    def say(self, message: str, style: str = "") -> None:
        """Print a line of results on standard output, cleaned."""
        self.out.print(Text(self.clean(message), style=style))

    def say_secret(self, secret: str) -> None:
        """Print the one secret the command is there to print (a new token's), unmasked."""
        self.out.print(Text(visible(secret), style="bold"))

    def show(self, *renderables: RenderableType) -> None:
        """Print renderables built from cleaned strings (see ``_tables``) on standard output."""
        for renderable in renderables:
            self.out.print(renderable)

    def text(self, text: str) -> None:
        """Write ``text`` (already cleaned: CSV cells, say) on standard output, whole."""
        write_whole(self._stdout, text)

    def json(self, data: Any, *, keep: frozenset[str] = frozenset()) -> None:
        """Write ``data`` as indented JSON on standard output, whole or not at all.

        Secrets are masked in every string but the fields ``keep`` names.
        """
        text = json.dumps(self.redact.document(data, keep=keep), indent=2) + "\n"
        write_whole(self._stdout, text)

    # -- tokens and reports ------------------------------------------------------------

    def token(self, token: Token) -> None:
        """Print one token's fields."""
        self.show(token_detail(token, clean=self.clean, now=datetime.now(UTC)))

    def tokens(self, tokens: Sequence[Token], *, title: str, owners: bool = False) -> None:
        """Print a title line, then the tokens as a table, one a row."""
        table = token_table(
            tokens, owners=owners, width=self.out.width, clean=self.clean, now=datetime.now(UTC)
        )
        self.say(title, style="bold")
        self.show(table)

    def report(self, report: RevocationReport, *, title: str = "Revocation report") -> None:
        """Print a revocation report: counts, requests, time, and what was not revoked."""
        self.show(*report_view(report, title=title, clean=self.clean))

    def progress(self, total: int, label: str = "revoking") -> ProgressView:
        """Make the progress view on standard error: a live bar on a terminal, else lines."""
        return make_progress(self.err, total, label, self._clock)

    @contextlib.contextmanager
    def sdk_logging(self, *, verbose: bool) -> Iterator[None]:
        """Send the SDK's log records (retries, rate-limit waits) to standard error meanwhile.

        Warnings always, information too when ``verbose``; the logger is put back after.
        """
        logger = logging.getLogger("fastly_tokens")
        handler = _ConsoleLogHandler(self.err, self.clean)
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
