"""Tables that stream: the same rows as ``--json``, whole lines off a terminal, fitted on one.

``list`` and the other tables are :class:`Grid` s, written a chunk of rows at a time with
column widths measured once (speed is measured in ``benchmarks/``, not here). These check
what is shown: every token of the JSON in the same order, one line each, nothing cut, no
trailing spaces off a terminal; on a narrow terminal, names and scopes wrap at spaces and a
scope is never split; wide characters keep the columns aligned; colours do not move them.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from fastly_tokens.cli._grid import CHUNK, GAP, Column, Grid, layout, render, text_width
from fastly_tokens.testing import FakeFastly

from .support.cli import KEY, run_cli

pytestmark = pytest.mark.fake_fastly(key=KEY, seed_tokens=2500, seed=8)

_STYLE = re.compile(r"\x1b\[[0-9;]*m")


def _no_paint(text: str, style: str) -> str:
    return text


def test_list_shows_the_rows_of_list_json_in_order_one_line_each(fake_fastly: FakeFastly) -> None:
    long_name = "a name longer than any console is wide " * 8
    fake_fastly.add_token(name=long_name.strip(), scope="global purge_all")
    table = run_cli("list", base_url=fake_fastly.base_url)
    listed = run_cli("list", "--json", base_url=fake_fastly.base_url).json()
    lines = table.out.splitlines()

    assert table.code == 0
    assert lines[0] == f"{len(listed)} tokens of this user"
    assert lines[1].split()[:2] == ["id", "name"]
    assert set(lines[2]) == {"─"}
    rows = lines[3:]
    assert [row.split()[0] for row in rows] == [t["id"] for t in listed]
    assert long_name.strip() in table.out  # whole, on its row: nothing cut, nothing wrapped
    assert not [line for line in lines if line != line.rstrip()]
    widths = {len(row.split("   ")[0]) for row in rows}
    assert widths == {22}


@pytest.mark.parametrize(
    "argv",
    [
        ["current"],
        ["list"],
        ["inventory"],
        ["audit"],
        ["revoke", "unknownToken0000000001"],
        ["revoke", "--expired", "--dry-run"],
    ],
)
def test_nothing_piped_has_trailing_spaces(fake_fastly: FakeFastly, argv: list[str]) -> None:
    done = run_cli(*argv, base_url=fake_fastly.base_url)

    assert done.code in (0, 3), done.err
    assert done.out
    assert [line for line in done.text.splitlines() if line != line.rstrip()] == []


def test_inventory_shows_every_token_of_its_json(fake_fastly: FakeFastly) -> None:
    table = run_cli("inventory", base_url=fake_fastly.base_url)
    document = run_cli("inventory", "--json", base_url=fake_fastly.base_url).json()
    ids = [line.split()[0] for line in table.out.splitlines()[3:]]

    assert ids == [t["id"] for t in document["tokens"]]


# -- the grid itself ---------------------------------------------------------------------------


def _grid(rows: int) -> Grid:
    columns = (
        Column("id"),
        Column("name", wrap=True),
        Column("scope", wrap=True, floor=6, words=True),
    )
    cells = [[f"id{n:05d}", f"token number {n}", "global purge_select"] for n in range(rows)]
    return Grid(columns, cells)


def test_the_rows_come_in_chunks_after_the_header() -> None:
    chunks = list(render(_grid(2 * CHUNK + 5), width=None, paint=_no_paint))

    assert len(chunks) == 4  # the header and its rule, then three chunks of rows
    assert [chunk.count("\n") for chunk in chunks] == [2, CHUNK, CHUNK, 5]
    assert chunks[1].startswith("id00000   token number 0")


def test_off_a_terminal_the_columns_are_as_wide_as_their_widest_cell() -> None:
    grid = _grid(120)

    assert layout(grid, None) == [len("id00000"), len("token number 119"), 19]
    assert layout(grid, 10_000) == layout(grid, None)


def test_on_a_narrow_terminal_words_wrap_and_a_scope_is_never_split() -> None:
    grid = _grid(3)
    widths = layout(grid, 32)
    lines = "".join(render(grid, width=32, paint=_no_paint)).splitlines()

    assert widths[2] == len("purge_select")  # its longest word, no narrower
    assert widths[1] == 12  # the name's floor
    assert all(len(line) <= 7 + GAP + 12 + GAP + 12 for line in lines)
    first = lines[2:4]
    assert first == ["id00000   token number   global", "          0              purge_select"]


def test_wide_characters_keep_the_columns_aligned() -> None:
    grid = Grid(
        (Column("name"), Column("scope")), [["東京のトークン", "global"], ["ascii", "global"]]
    )
    lines = "".join(render(grid, width=None, paint=_no_paint)).splitlines()

    assert text_width("東京のトークン") == 14
    starts = {text_width(line[: line.index("global")]) for line in lines[2:]}
    assert starts == {14 + GAP}


def test_colours_do_not_move_the_columns() -> None:
    grid = Grid((Column("a"), Column("b")), [[("red one", "red"), "x"], ["plain", "y"]])

    def paint(text: str, style: str) -> str:
        return f"\x1b[31m{text}\x1b[0m"

    lines = "".join(render(grid, width=None, paint=paint)).splitlines()

    assert "\x1b[31mred one\x1b[0m" in lines[2]
    assert [_STYLE.sub("", line) for line in lines[2:]] == ["red one   x", "plain     y"]


def test_on_a_colour_terminal_an_expired_token_is_red_and_aligned(
    fake_fastly: FakeFastly,
) -> None:
    done = run_cli(
        "list",
        base_url=fake_fastly.base_url,
        env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "200"},
        terminal=True,
    )
    lines = done.out.splitlines()
    expires = _STYLE.sub("", lines[1]).index("expires (UTC)")
    expired = [line for line in lines if "(expired)" in line]

    assert expired
    assert all("\x1b[31m" in line for line in expired)
    for line in expired:
        shown = _STYLE.sub("", line)
        assert shown.endswith(" (expired)")
        assert shown.rindex(shown.split()[-2]) == expires  # the date starts under its header


def test_a_grid_prints_through_rich_too() -> None:
    buffer = io.StringIO()
    Console(file=buffer, width=80).print(_grid(2))
    Console(file=buffer, width=37).print(_grid(1))
    lines = buffer.getvalue().splitlines()

    assert lines[2] == "id00000   token number 0   global purge_select"
    assert lines[-2:] == [
        "id00000   token number   global",
        "          0              purge_select",
    ]
