"""Every Python and shell block of the README and of docs/ runs, as pasted, against a fake.

The fenced blocks are read from README.md and docs/**/*.md. A ```python block is run as a
script, or, when it defines ``test_`` functions, as a test file under pytest (both plain and
with pytest-asyncio in its default strict mode, unless it uses ``pytest.mark.asyncio``). A
```sh, ```console or ```bash block is run line by line in bash, ``fastly-tokens`` being
``python -m fastly_tokens``; each line must exit 0, or N when its comment starts ``# exit N``;
``export NAME=...`` (a value left for the reader) only checks that the example's world sets
NAME. Every other block, and any block that cannot run by nature, is marked in the Markdown by
an HTML comment on the line before it:

- ``<!-- example: not run (why) -->``: the reason is required;
- ``<!-- example: file NAME -->``: not run, written as NAME beside the page's other examples
  (the TOML policy that an audit example loads);
- ``<!-- example: as superuser -->``: run with the superuser's key instead of the user's;
- ``<!-- example: inside async with FastlyAsync() as c -->``: a Python block that is the body
  of a coroutine with a client ``c``, run as such (the README's short hygiene examples).

The world each example runs in (a fresh one per block), which the pages' prose may rely on:
a ``fake_fastly`` seeded with 60 tokens of the user and a realistic account; FASTLY_API_URL
and FASTLY_API_TOKEN (the user's key) pointing at it; FASTLY_PASSWORD (the key's user's
password), TOKEN_ID (a fresh token of the key's user), SERVICE_ID (a service of the account);
and, in the working directory, ``ids.txt`` (two ids of seeded tokens, a comment and a blank
line) and ``leaked-secret.txt`` (the secret of a fresh token of the user, as if leaked).
No output may show the key, the superuser's key or the password, a traceback, or an enum's
repr (print the value, or ``str()`` of a model).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fastly_tokens.testing import DEMO_PASSWORD, FakeFastly
from tests.doc_blocks import (
    FILE,
    IN_CLIENT,
    SHELL,
    SUPERUSER,
    Block,
    parse,
    read_pages,
    runnable_blocks,
    shell_lines,
)

TIMEOUT = 120.0

CLIENT_WRAPPER = """\
import asyncio

from fastly_tokens import FastlyAsync


async def main() -> None:
    async with FastlyAsync() as c:
{body}

asyncio.run(main())
"""
TEST_FILE = re.compile(r"^(?:async )?def test_", re.MULTILINE)
EXPECTED_EXIT = re.compile(r"#\s*exit (?P<code>\d+)\b")
PLACEHOLDER = re.compile(r"^export (?P<name>[A-Z_][A-Z0-9_]*)=\.\.\.(?:\s+#.*)?$")
ENUM_REPR = re.compile(r"<[A-Z]\w*\.[A-Z_0-9]+: ")

pytestmark = pytest.mark.fake_fastly(seed_tokens=60, seed=7, seed_account=True)


# -- the world an example runs in ------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """A fake, a working directory with the example's files, and the example's environment."""

    fake: FakeFastly
    cwd: Path
    env: Mapping[str, str]
    secrets: tuple[str, ...]

    def for_block(self, block: Block) -> dict[str, str]:
        """The environment, with the superuser's key if the block says so."""
        env = dict(self.env)
        if block.marker == SUPERUSER:
            env["FASTLY_API_TOKEN"] = self.fake.superuser_key
        return env


@pytest.fixture
def world(fake_fastly: FakeFastly, tmp_path: Path) -> World:
    fake = fake_fastly
    assert fake.account is not None
    month = datetime.now(UTC) + timedelta(days=30)
    token = fake.add_token(name="example token", services=fake.account.services[:1])
    leaked = fake.add_token(name="deploy key (leaked in a CI log)", expires_at=month)
    (tmp_path / "leaked-secret.txt").write_text(leaked.access_token + "\n", encoding="utf-8")
    seeded = [t.id for t in fake.seeded_tokens[:2]]
    ids = f"# two tokens to revoke\n{seeded[0]}\n\n{seeded[1]}\n"
    (tmp_path / "ids.txt").write_text(ids, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FASTLY_")}
    env.update(
        FASTLY_API_URL=fake.base_url,
        FASTLY_API_TOKEN=fake.key,
        FASTLY_PASSWORD=DEMO_PASSWORD,
        TOKEN_ID=token.id,
        SERVICE_ID=fake.account.services[0],
        EXAMPLE_PYTHON=sys.executable,
        NO_COLOR="1",
        COLUMNS="120",
    )
    return World(fake, tmp_path, env, (fake.key, fake.superuser_key, DEMO_PASSWORD))


# -- running a block --------------------------------------------------------------------------


def _run(
    args: list[str], world: World, env: Mapping[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our interpreter or bash, running the docs' own text)
        args,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _check_output(what: str, done: subprocess.CompletedProcess[str], world: World) -> None:
    shown = done.stdout + done.stderr
    assert "Traceback (most recent call last)" not in shown, f"{what}: a traceback\n{shown}"
    for secret in world.secrets:
        assert secret not in shown, f"{what}: printed a secret\n{shown}"
    found = ENUM_REPR.search(done.stdout)
    assert found is None, f"{what}: printed an enum's repr {found and found[0]!r}\n{shown}"


def _write_page_files(block: Block, cwd: Path) -> None:
    for page in read_pages():
        for other in page.blocks:
            named = FILE.match(other.marker or "")
            if other.page == block.page and named:
                (cwd / named["name"]).write_text(other.code, encoding="utf-8")


def run_script(block: Block, world: World) -> None:
    script = world.cwd / "example.py"
    code = block.code
    if block.marker == IN_CLIENT:
        code = CLIENT_WRAPPER.format(body=textwrap.indent(code, " " * 8))
    script.write_text(code, encoding="utf-8")
    done = _run([sys.executable, str(script)], world, world.for_block(block), world.cwd)
    assert done.returncode == 0, f"{block.where} exited {done.returncode}\n{done.stderr}"
    _check_output(block.where, done, world)


BASH_PRELUDE = (
    'fastly-tokens() { "$EXAMPLE_PYTHON" -m fastly_tokens "$@"; }\n'
    'python() { "$EXAMPLE_PYTHON" "$@"; }\n'
    'python3() { "$EXAMPLE_PYTHON" "$@"; }\n'
)


def run_shell(block: Block, world: World) -> None:
    env = world.for_block(block)
    lines = list(shell_lines(block))
    assert lines, f"{block.where}: a shell block with no command"
    for line in lines:
        if placeholder := PLACEHOLDER.match(line):
            assert placeholder["name"] in env, f"{block.where}: the world sets no {line}"
            continue
        expected = int(found["code"]) if (found := EXPECTED_EXIT.search(line)) else 0
        done = _run(["bash", "-o", "pipefail", "-c", BASH_PRELUDE + line], world, env, world.cwd)
        what = f"{block.where}: {line}"
        assert done.returncode == expected, (
            f"{what}\nexited {done.returncode}, not {expected}\n{done.stdout}\n{done.stderr}"
        )
        _check_output(what, done, world)


def run_test_file(block: Block, world: World) -> None:
    where = world.cwd / "under_pytest"
    where.mkdir()
    (where / "test_example.py").write_text(block.code, encoding="utf-8")
    (where / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    tests = len(TEST_FILE.findall(block.code))
    # pytest-asyncio in its default mode; the loop scope set only to quiet the plugin's own
    # warning about its configuration (an error here, under -W error).
    asyncio = ["-p", "asyncio", "-o", "asyncio_mode=strict"]
    asyncio += ["-o", "asyncio_default_fixture_loop_scope=function"]
    modes = [asyncio] if "pytest.mark.asyncio" in block.code else [["-p", "no:asyncio"], asyncio]
    env = {k: v for k, v in world.env.items() if not k.startswith("FASTLY_")}
    for mode in modes:
        args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"]
        done = _run([*args, "--strict-markers", *mode, "test_example.py"], world, env, where)
        what = f"{block.where} under pytest {' '.join(mode)}"
        assert done.returncode == 0, f"{what} exited {done.returncode}\n{done.stdout}"
        assert f"{tests} passed" in done.stdout, f"{what}: not {tests} passed\n{done.stdout}"
        _check_output(what, done, world)


def run_block(block: Block, world: World) -> None:
    _write_page_files(block, world.cwd)
    if block.lang in SHELL:
        run_shell(block, world)
    elif TEST_FILE.search(block.code):
        run_test_file(block, world)
    else:
        run_script(block, world)


# -- the tests --------------------------------------------------------------------------------


def test_every_block_runs_or_is_marked_with_its_reason() -> None:
    pages = read_pages()
    problems = [problem for page in pages for problem in page.problems]
    assert problems == []
    readme = pages[0].blocks
    assert len([b for b in readme if b.reason_not_run is None]) >= 8, "the README's blocks"
    assert {b.page for b in runnable_blocks()} >= {"README.md", "docs/getting-started.md"}


@pytest.mark.parametrize("block", list(runnable_blocks()), ids=lambda b: b.where)
def test_example_runs_as_pasted(block: Block, world: World) -> None:
    run_block(block, world)


def test_markers_are_read_strictly() -> None:
    text = (
        "<!-- example: not run -->\n```toml\nx = 1\n```\n"
        "<!-- example: skipped -->\n```sh\ntrue\n```\n"
        "<!-- example: not run (a drawing) -->\nsome prose\n\n"
        "```\nA -> B\n```\n"
        "<!-- example: as superuser -->\n```python\nprint(1)\n```\n"
        "```python\nunclosed\n"
    )
    page = parse("t.md", text)
    assert page.problems == [
        "t.md:1: say why in brackets: <!-- example: not run (why) -->",
        "t.md:5: unknown marker 'skipped'",
        "t.md:9: a marker with no block after it",
        "t.md:19: a block that is never closed",
        "t.md:2: a toml block must be marked <!-- example: not run (why) --> or "
        "<!-- example: file NAME -->",
        "t.md:12: a plain block must be marked <!-- example: not run (why) --> or "
        "<!-- example: file NAME -->",
    ]
    assert [b.marker for b in page.blocks] == ["not run", "skipped", None, SUPERUSER, None]


@pytest.mark.parametrize(
    ("lang", "code", "why"),
    [
        ("python", "raise SystemExit(1)\n", "exited 1"),
        ("python", "import os\nprint(os.environ['FASTLY_API_TOKEN'])\n", "printed a secret"),
        ("python", "from fastly_tokens import Scope\nprint([Scope.GLOBAL])\n", "enum's repr"),
        ("python", "import fastly_tokens.nothing\n", "exited 1"),
        ("sh", "fastly-tokens get NoSuchTokenId1234567890\n", "exited 1, not 0"),
        ("sh", "fastly-tokens current   # exit 3 is not what it does\n", "exited 0, not 3"),
        ("sh", "export NOT_IN_THE_WORLD=...\n", "the world sets no"),
        ("sh", "# only a comment\n", "no command"),
        ("python", "def test_fails() -> None:\n    assert False\n", "exited 1"),
        ("python", "async def test_needs_a_plugin() -> None:\n    pass\n", "no:asyncio exited"),
    ],
)
def test_a_broken_example_fails(lang: str, code: str, why: str, world: World) -> None:
    with pytest.raises(AssertionError, match=re.escape(why)):
        run_block(Block("t.md", 1, lang, code, None), world)


def test_shell_lines_join_continuations_and_read_console_prompts() -> None:
    console = Block("t.md", 1, "console", "$ fastly-tokens list \\\n  --json\n[output]\n", None)
    assert list(shell_lines(console)) == ["fastly-tokens list --json"]
    sh = Block("t.md", 1, "sh", "# a comment\n\nfastly-tokens current  # me\n", None)
    assert list(shell_lines(sh)) == ["fastly-tokens current  # me"]
