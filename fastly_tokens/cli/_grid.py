"""Tables that stream: each column measured once, then the rows written a chunk at a time.

A rich ``Table`` lays every row out before it prints the first, at a cost that grows faster
than the rows: 200,000 tokens took 150 s and a gigabyte, ten times their ``--json``. A
:class:`Grid` is data (columns, and rows of cells already cleaned); :func:`render` measures
each column's widest cell in one pass, then yields the lines a chunk of rows at a time.

Nothing is cut. Off a terminal (``width=None``) every row is one line, however long, with no
trailing spaces. On a terminal narrower than the table, the columns that may wrap (a name,
the scopes) are narrowed and wrap at spaces within their width, never below their
``floor``: a scope is never split. Styling goes through the ``paint`` function the caller
gives (ANSI codes for a colour terminal, nothing otherwise), so this module prints nothing.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Sequence

import attrs
from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment

__all__ = ["CHUNK", "GAP", "Cell", "Column", "Grid", "Paint", "layout", "render", "text_width"]

Cell = str | tuple[str, str]
"""A cell: its text, or its text and a rich style name (``"red"``)."""

Paint = Callable[[str, str], str]
"""``paint(text, style)``: the text as the console shows that style."""

GAP = 3
"""Spaces between two columns."""
CHUNK = 1000
"""Rows rendered per chunk of lines."""


@attrs.frozen
class Column:
    """One column: its header, and how it may narrow on a narrow terminal.

    ``wrap`` columns may narrow to ``floor`` characters, or to their longest word (the
    header's too) when ``words`` is set, so a scope or a date is never split; the others keep
    their widest cell. A header wraps like its cells.
    """

    header: str
    wrap: bool = False
    floor: int = 12
    words: bool = False


@attrs.frozen
class Grid:
    """A table as data: its columns and rows (cells cleaned already), for :func:`render`."""

    columns: tuple[Column, ...]
    rows: Sequence[Sequence[Cell]]
    header: bool = True
    """Print the headers and a rule under them."""
    styles: tuple[str, ...] = ()
    """A style for every cell of a column, by position (``""``: none)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Print through rich too, fitted to its width (``Output`` writes tables itself)."""
        for chunk in render(self, width=options.max_width, paint=lambda text, _: text):
            for line in chunk.splitlines():
                yield Segment(line)
                yield Segment.line()


def text_width(text: str) -> int:
    """Count the cells ``text`` takes on a terminal (wide characters take two)."""
    return len(text) if text.isascii() else cell_len(text)


def _text(cell: Cell) -> str:
    return cell if isinstance(cell, str) else cell[0]


def _widest_word(texts: Iterator[str]) -> int:
    return max((text_width(word) for text in texts for word in text.split()), default=1)


def layout(grid: Grid, width: int | None) -> list[int]:
    """Give each column's width: its widest cell, narrowed only to fit a terminal's ``width``."""
    widths = [text_width(c.header) if grid.header else 0 for c in grid.columns]
    for row in grid.rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], text_width(_text(cell)))
    excess = sum(widths) + GAP * (len(widths) - 1) - (width or 0)
    if width is None or excess <= 0:
        return widths
    floors = [
        min(
            widths[i],
            max(
                column.floor,
                _widest_word(iter([column.header, *(_text(row[i]) for row in grid.rows)]))
                if column.words
                else 0,
            ),
        )
        if column.wrap
        else widths[i]
        for i, column in enumerate(grid.columns)
    ]
    while excess > 0:
        spare = [i for i, floor in enumerate(floors) if widths[i] > floor]
        if not spare:
            break  # as narrow as it goes: the terminal wraps the lines itself
        widest = max(spare, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def _fold(text: str, width: int) -> list[str]:
    """Wrap ``text`` at spaces to ``width`` cells, splitting only a word longer than that."""
    if text_width(text) <= width:
        return [text]
    if text.isascii():
        return textwrap.wrap(text, width, break_on_hyphens=False) or [""]
    return chop_cells(text, width)


def _pad(text: str, width: int, style: str, paint: Paint) -> str:
    shown = paint(text, style) if style and text else text
    return shown + " " * (width - text_width(text))


def _lines(
    cells: Sequence[Cell], widths: Sequence[int], styles: Sequence[str], paint: Paint
) -> Iterator[str]:
    """Yield the lines of one row: more than one when a cell wraps."""
    folded: list[tuple[list[str], str]] = []
    for i, cell in enumerate(cells):
        if isinstance(cell, str):
            text, style = cell, styles[i] if i < len(styles) else ""
        else:
            text, style = cell
        folded.append((_fold(text, widths[i]), style))
    height = max(len(parts) for parts, _ in folded)
    gap = " " * GAP
    for line in range(height):
        yield gap.join(
            _pad(parts[line] if line < len(parts) else "", widths[i], style, paint)
            for i, (parts, style) in enumerate(folded)
        ).rstrip()


def render(grid: Grid, *, width: int | None, paint: Paint, rule: str = "─") -> Iterator[str]:
    """Yield the table as text, a chunk of rows at a time (each chunk ends in a newline)."""
    widths = layout(grid, width)
    if grid.header:
        headers = [(c.header, "bold") for c in grid.columns]
        top = list(_lines(headers, widths, (), paint))
        top.append(rule * (sum(widths) + GAP * (len(widths) - 1)))
        yield "\n".join(top) + "\n"
    rows = grid.rows
    for start in range(0, len(rows), CHUNK):
        yield "".join(
            line + "\n"
            for cells in rows[start : start + CHUNK]
            for line in _lines(cells, widths, grid.styles, paint)
        )
