"""Control characters from outside are shown escaped, never written raw to the terminal.

Whoever last used a token sets its ``ip`` and ``user_agent``; a server sets every field and
every error message. ``run_cli`` checks that no run writes a raw control character (off a
terminal: none at all; on one: only rich's own styling); these tests check the escapes show.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fastly_tokens.cli import _commands
from fastly_tokens.cli._visible import visible, visible_lines
from fastly_tokens.testing import FakeFastly, FakeToken

from .support.cli import HOSTILE, KEY, EchoServer, raw_controls, run_cli, run_unchecked

pytestmark = pytest.mark.fake_fastly(key=KEY)

SHOWN = r"\x1b[1A\x1b[2K\x1b]0;owned\x07\u202e"
"""How ``HOSTILE`` is printed."""

TERMINAL = {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}


@pytest.fixture
def hostile(fake_fastly: FakeFastly) -> FakeToken:
    """A token whose every free-text field carries the escapes."""
    return fake_fastly.add_token(
        name=f"ci {HOSTILE}",
        scope=f"global {HOSTILE}",
        services=[f"svc{HOSTILE}"],
        ip=HOSTILE,
        user_agent=HOSTILE,
    )


@pytest.mark.parametrize("env", [{}, TERMINAL], ids=["pipe", "terminal"])
@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["get", "HOSTILE_ID"], id="get"),
        pytest.param(["list"], id="list"),
        pytest.param(["revoke", "--where", "name", "ci *", "--dry-run"], id="dry-run"),
    ],
)
def test_token_fields_are_shown_escaped(
    fake_fastly: FakeFastly, hostile: FakeToken, command: list[str], env: dict[str, str]
) -> None:
    argv = [hostile.id if word == "HOSTILE_ID" else word for word in command]
    run = run_cli(*argv, base_url=fake_fastly.base_url, env=env, terminal=bool(env))
    assert run.code == 0, run.err
    assert SHOWN in run.out
    assert not fake_fastly.is_revoked(hostile.id)


def test_json_keeps_the_exact_strings(fake_fastly: FakeFastly, hostile: FakeToken) -> None:
    run = run_cli("list", "--json", base_url=fake_fastly.base_url)
    assert run.code == 0, run.err
    (listed,) = [t for t in run.json() if t["id"] == hostile.id]
    assert listed["user_agent"] == HOSTILE
    assert listed["name"] == f"ci {HOSTILE}"
    assert listed["services"] == [f"svc{HOSTILE}"]
    assert "\\u001b[1A" in run.out  # escaped by json.dumps, not by us


HOSTILE_SELF: dict[str, Any] = {
    "id": f"id{HOSTILE}",
    "user_id": f"user{HOSTILE}",
    "customer_id": f"customer{HOSTILE}",
    "name": "mine",
    "scope": "global",
    "services": [HOSTILE],
    "created_at": "2025-01-01T00:00:00Z",
    "ip": f"10.0.0.1{HOSTILE}",
    "user_agent": f"curl/8 {HOSTILE}",
}
"""What the server says of the current token (``current``: the fake would overwrite ``ip`` and
``user_agent`` with this very request's)."""


@pytest.fixture
def hostile_server() -> Iterator[EchoServer]:
    with EchoServer(status=404, token=HOSTILE_SELF).serve_in_thread() as server:
        yield server


@pytest.mark.parametrize(
    "command", [["current"], ["list", "--customer", "1ZEFL3GXK7vwq2bx4KbHOI"]], ids=str
)
def test_ids_from_a_hostile_server_are_shown_escaped(
    hostile_server: EchoServer, command: list[str]
) -> None:
    run = run_cli(*command, base_url=hostile_server.base_url)
    assert run.code == 0, run.err
    assert f"user{SHOWN}" in run.out
    assert f"id{SHOWN}" in run.out
    if command == ["current"]:
        assert f"curl/8 {SHOWN}" in run.out
        assert f"10.0.0.1{SHOWN}" in run.out


def test_error_messages_are_shown_escaped(hostile_server: EchoServer) -> None:
    run = run_cli(
        "revoke",
        "2JVEnF2nTNiC0CQSFqH7Ql",
        "--json",
        "--no-preflight",
        base_url=hostile_server.base_url,
    )
    (result,) = run.json()["results"]
    assert result["outcome"] == "not_found"
    hostile_server.status = 403
    run = run_cli(
        "revoke", "2JVEnF2nTNiC0CQSFqH7Ql", "--no-preflight", base_url=hostile_server.base_url
    )
    assert run.code == 1
    assert f"-> 403: {SHOWN}you sent" in run.out
    hostile_server.token = None
    run = run_cli("current", base_url=hostile_server.base_url, env=TERMINAL, terminal=True)
    assert run.code == 1
    assert f"-> 403: {SHOWN}you sent" in run.err


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        pytest.param(["current", HOSTILE], f"unrecognized arguments: {SHOWN}", id="argparse"),
        pytest.param(["revoke", "--file", f"/no/such/{HOSTILE}"], SHOWN, id="usage"),
        pytest.param(["revoke", "--where", HOSTILE], "unknown clause", id="where"),
    ],
)
def test_usage_errors_show_escapes(argv: list[str], shown: str) -> None:
    run = run_cli(*argv)
    assert run.code == 2
    assert shown in run.err


def test_a_note_shows_escapes(fake_fastly: FakeFastly) -> None:
    args = ["revoke", "--where", "scope", HOSTILE, "--dry-run"]
    run = run_cli(*args, base_url=fake_fastly.base_url)
    assert run.code == 0, run.err
    assert "is not a scope Fastly documents" in run.err


def test_the_traceback_of_a_bug_shows_escapes(
    fake_fastly: FakeFastly, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> int:
        raise RuntimeError(f"bug near {HOSTILE}\nsecond line")

    monkeypatch.setattr(_commands, "current", broken)
    run = run_unchecked("current", base_url=fake_fastly.base_url)
    assert run.code == 1
    assert f"RuntimeError: bug near {SHOWN}\nsecond line" in run.err
    assert not raw_controls(run.text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain name", "plain name"),
        ("tab\there", r"tab\there"),
        ("new\nline", r"new\nline"),
        ("bell\x07", r"bell\x07"),
        ("del\x7f", r"del\x7f"),
        ("c1\x9b2J", r"c1\x9b2J"),
        ("rlo\u202eevil", r"rlo\u202eevil"),
        ("zero\u200bwidth", r"zero\u200bwidth"),
        ("nbsp\xa0", r"nbsp\xa0"),
        ("ünïcödé ✓", "ünïcödé ✓"),
        ("back\\slash", "back\\slash"),
    ],
)
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert not raw_controls(visible(text))


def test_visible_lines_keeps_line_breaks() -> None:
    assert visible_lines("a\x1b\nb\r\n") == "a\\x1b\nb\\r\n"
