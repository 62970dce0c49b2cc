"""The fenced blocks of the README and of docs/, each with the marker comment before it.

Read by ``tests/test_examples.py``, which runs them; its docstring says what the markers mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md")))
PYTHON = frozenset({"python", "py"})
SHELL = frozenset({"sh", "shell", "bash", "console"})

FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^`]*)$")
MARKER = re.compile(r"^<!-- example: (?P<what>.+?) -->$")
NOT_RUN = re.compile(r"^not run \((?P<reason>[^()]*\S[^()]*)\)$")
FILE = re.compile(r"^file (?P<name>[\w.-]+)$")
SUPERUSER = "as superuser"
IN_CLIENT = "inside async with FastlyAsync() as c"


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language, its text and the marker before it."""

    page: str
    line: int
    lang: str
    code: str
    marker: str | None

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def reason_not_run(self) -> str | None:
        """Why the block is not run, or None if it runs."""
        if self.marker is None:
            return None
        if found := NOT_RUN.match(self.marker):
            return found["reason"]
        if found := FILE.match(self.marker):
            return f"written as {found['name']} for the page's other examples"
        return None


@dataclass
class Page:
    """The blocks of one Markdown text, and what is wrong with its markers."""

    blocks: list[Block] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse(name: str, text: str) -> Page:
    """Read the fenced blocks of ``text``, each with the marker comment just before it."""
    page = Page()
    lines = text.splitlines()
    marker: tuple[int, str] | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        fence = FENCE.match(line)
        if line.lstrip().startswith("<!-- example"):
            if marker is not None:
                page.problems.append(f"{name}:{marker[0]}: a marker with no block after it")
            found = MARKER.match(line.strip())
            if found is None:
                page.problems.append(f"{name}:{index}: unreadable marker {line.strip()!r}")
                continue
            marker = (index, found["what"])
            _check_marker(f"{name}:{index}", found["what"], page.problems)
            continue
        if fence is None:
            if line.strip() and marker is not None:
                page.problems.append(f"{name}:{marker[0]}: a marker with no block after it")
                marker = None
            continue
        start, indent = index, len(fence["indent"])
        body: list[str] = []
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index][indent:])
            index += 1
        if index == len(lines):
            page.problems.append(f"{name}:{start}: a block that is never closed")
        index += 1
        lang = fence["info"].strip().split(" ")[0].lower()
        code = "\n".join(body) + "\n"
        page.blocks.append(Block(name, start, lang, code, marker[1] if marker else None))
        marker = None
    if marker is not None:
        page.problems.append(f"{name}:{marker[0]}: a marker with no block after it")
    for block in page.blocks:
        runnable = block.lang in PYTHON or block.lang in SHELL
        if not runnable and block.reason_not_run is None:
            page.problems.append(
                f"{block.where}: a {block.lang or 'plain'} block must be marked "
                "<!-- example: not run (why) --> or <!-- example: file NAME -->"
            )
    return page


def _check_marker(where: str, what: str, problems: list[str]) -> None:
    if what.startswith("not run") and not NOT_RUN.match(what):
        problems.append(f"{where}: say why in brackets: <!-- example: not run (why) -->")
    elif not (NOT_RUN.match(what) or FILE.match(what) or what in {SUPERUSER, IN_CLIENT}):
        problems.append(f"{where}: unknown marker {what!r}")


def read_pages() -> list[Page]:
    return [parse(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in PAGES]


def runnable_blocks() -> Iterator[Block]:
    for page in read_pages():
        for block in page.blocks:
            if block.reason_not_run is None and (block.lang in PYTHON or block.lang in SHELL):
                yield block


def shell_lines(block: Block) -> Iterator[str]:
    """The block's commands: ``$ `` lines of a console block, else every line not a comment."""
    pending = ""
    for raw in block.code.splitlines():
        text = raw
        if block.lang == "console":
            if not (raw.startswith("$ ") or pending):
                continue
            text = raw.removeprefix("$ ")
        line = pending + (text.lstrip() if pending else text)
        if line.endswith("\\"):
            pending = line[:-1].rstrip() + " "
            continue
        pending = ""
        if line.strip() and not line.lstrip().startswith("#"):
            yield line.strip()
