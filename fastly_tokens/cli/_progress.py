"""Showing a revocation job's progress: a live bar on a terminal, plain lines elsewhere.

The bar redraws in place on standard error; off a terminal (a pipe, a CI log) a line is
printed at most every half second, and one at the end. Only counts and our own words are shown:
nothing from the server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Protocol, Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from .. import Outcome, RevocationProgress, RevocationReport
from ._documents import counts_text
from ._words import plural

__all__ = ["PLAIN_INTERVAL", "BarProgress", "PlainProgress", "ProgressView", "make_progress"]

PLAIN_INTERVAL = 0.5
"""Seconds between two plain progress lines, at most one a chunk."""


Quiet = Callable[[], contextlib.AbstractContextManager[None]]
"""What keeps other transient lines (the wait notice) off the terminal while a bar is live."""


def make_progress(
    console: Console,
    total: int,
    label: str,
    clock: Callable[[], float],
    *,
    quiet: Quiet = contextlib.nullcontext,
) -> ProgressView:
    """Make the progress view for ``console``: a live bar on a terminal, plain lines elsewhere."""
    if console.is_terminal:
        return BarProgress(console, total, label, quiet=quiet)
    return PlainProgress(console, total, label, clock)


def _done(report: RevocationReport) -> int:
    return sum(1 for r in report.results if r.outcome is not Outcome.NOT_ATTEMPTED)


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


class BarProgress:
    """A live rich progress bar, for a terminal."""

    def __init__(
        self, console: Console, total: int, label: str, *, quiet: Quiet = contextlib.nullcontext
    ) -> None:
        self._quiet = quiet
        self._stack = contextlib.ExitStack()
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TextColumn("{task.fields[writes]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task: TaskID = self._progress.add_task(
            label, total=total, counts=counts_text({}), writes=plural(0, "write")
        )

    def __enter__(self) -> Self:
        self._stack.enter_context(self._quiet())
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()
        self._stack.close()

    def update(self, progress: RevocationProgress) -> None:
        """Move the bar."""
        self._progress.update(
            self._task,
            completed=progress.done,
            total=progress.total,
            counts=counts_text(progress.counts),
            writes=plural(progress.writes, "write"),
        )

    def finish(self, report: RevocationReport) -> None:
        """Set the bar to the report's final figures."""
        self._progress.update(
            self._task,
            completed=_done(report),
            total=len(report.results),
            counts=counts_text(report.counts),
            writes=plural(report.writes, "write"),
        )


class PlainProgress:
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
        return f"{self._label} {done}/{total} ({counts_text(counts)}; writes {requests})"

    def update(self, progress: RevocationProgress) -> None:
        """Print a line if the last one is half a second old (or there was none)."""
        now = self._clock()
        if self._last is not None and now - self._last < PLAIN_INTERVAL:
            return
        self._last = now
        line = self._line(progress.done, progress.total, progress.counts, progress.writes)
        self._console.print(Text(line))

    def finish(self, report: RevocationReport) -> None:
        """Print the final line."""
        line = self._line(_done(report), len(report.results), report.counts, report.writes)
        self._console.print(Text(f"{line} in {report.elapsed:.2f} s"))
