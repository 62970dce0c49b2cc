"""The bad-input tables' machinery: a case, the run of one, and the world it runs in.

Not a test module. ``test_bad_input`` and ``test_bad_input_jobs`` each hold a table of
:class:`Case` s and check every row with :func:`check_case`: the exit status, exactly one line
on standard error holding the row's words, nothing on standard output, no traceback, no secret
(the key, another key, the password), and what the fake received: nothing at all for a usage
error, unless the row says reads were needed to find it (and then no write). Sleeps are
instant, so a refused connection's retries cost no time.
"""

from __future__ import annotations

import asyncio
import io
import json
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from fastly_tokens.cli._run import run
from fastly_tokens.cli._streams import Streams
from fastly_tokens.testing import DEMO_PASSWORD, FakeFastly

from .cli import KEY, Run, check_run, cli_environ

OTHER_KEY = "AnotherKey-x7Rq2Lm9Vb4Tz8Wc1Np3K"
"""A key that is not the configured one (and not the fake's): key-shaped, so it is masked."""
WRONG = "not-the-password-9f3k"
UNKNOWN_ID = "abcdefghijklmnopqrstuv"


@attrs.frozen
class Case:
    """One bad input: the words, the exit status, and a fragment of the one error line."""

    id: str
    argv: tuple[str, ...]
    code: int
    says: str
    stdin: str = ""
    token: str | None = KEY
    env: Mapping[str, str] = attrs.field(factory=dict)
    sent: str = "nothing"
    """What the fake may have received: ``nothing``, ``reads`` (no write) or ``any``."""
    stdout: bool = False
    """Whether standard output may hold something (the audit's findings)."""


def case(name: str, argv: str | tuple[str, ...], code: int, says: str, **options: Any) -> Any:
    """A row of a table: ``argv`` as words, or one string split at spaces."""
    words = tuple(argv.split()) if isinstance(argv, str) else argv
    return pytest.param(Case(name, words, code, says, **options), id=name)


def make_fake() -> FakeFastly:
    """The world of the tables: the seeded user with expired tokens, a 2FA and a locked user."""
    server = FakeFastly(key=KEY, seed_tokens=40, seed=11)
    server.add_user(username="twofa@example.com", otp="246810")
    server.add_user(username="locked@example.com", locked=True)
    return server


def closed_port() -> int:
    """A loopback port nothing listens on (the probe that found it is closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def make_files(tmp_path: Path, fake: FakeFastly) -> dict[str, str]:
    """Write the files the rows name, and return the values their ``{...}`` stand for."""
    (tmp_path / "dir").mkdir()
    (tmp_path / "ids.txt").write_text("# the ids to revoke\n" + UNKNOWN_ID + "\n")
    (tmp_path / "binary").write_bytes(b"\xff\xfe\x00ids\n")
    (tmp_path / "keys.txt").write_text(f"{UNKNOWN_ID}\n{KEY}.x\n")
    (tmp_path / "notoml.toml").write_text("not toml [")
    (tmp_path / "badvalue.toml").write_text('[audit]\nunused_days = "x"\n')
    (tmp_path / "unknown.toml").write_text("[audit]\nnosuch = 1\n")
    (tmp_path / "huge.toml").write_text("[audit]\nunused_days = 99999999999\n")
    header = {"fastly_tokens_journal": 1, "endpoint": fake.base_url, "customer_id": "someone"}
    (tmp_path / "theirs.jsonl").write_text(json.dumps({**header, "user_id": "else"}) + "\n")
    return {
        "tmp": str(tmp_path),
        "current": fake.token_id,
        "superuser_key": fake.superuser_key,
        "closed": str(closed_port()),
    }


async def _instant(seconds: float) -> None:
    await asyncio.sleep(0)


class _Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


def _fill(text: str, values: Mapping[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _run(argv: list[str], *, base_url: str, bad: Case, token: str | None) -> Run:
    """Run the command in this process, off a terminal, with instant sleeps."""
    out, err = io.StringIO(), io.StringIO()
    environ = cli_environ(base_url=base_url, token=token, env=bad.env)
    stdin = bad.stdin and bad.stdin + "\n"
    code = run(argv, Streams(_Stdin(stdin), out, err, environ, sleep=_instant))
    return check_run(Run(code, out.getvalue(), err.getvalue()), [OTHER_KEY, WRONG])


def check_case(bad: Case, fake: FakeFastly, values: Mapping[str, str]) -> None:
    """Run one row against ``fake`` and check everything the row promises."""
    before = len(fake.requests)
    token = None if bad.token is None else _fill(bad.token, values)
    argv = [_fill(word, values) for word in bad.argv]
    done = _run(argv, base_url=fake.base_url, bad=bad, token=token)
    received = fake.requests[before:]

    assert done.code == bad.code, done.err
    assert done.err.count("\n") == 1, done.err
    assert done.err.endswith("\n")
    assert _fill(bad.says, values) in done.err
    if not bad.stdout:
        assert done.out == "", done.out
    assert DEMO_PASSWORD not in done.text
    if bad.sent == "nothing":
        assert received == [], [f"{r.method} {r.path}" for r in received]
    elif bad.sent == "reads":
        assert {r.method for r in received} <= {"GET"}, [r.method for r in received]
