"""The key and the password in no byte the command writes, whatever the server sends back.

A server (or a proxy) that echoes the request into its error body hands the ``Fastly-Key``
header and the create form's password back to us; a key typed in the wrong place on the
command line is echoed by argparse. ``run_cli`` checks every run's stdout and stderr for the
key; the tests add the other secrets they use.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from fastly_tokens.cli import _commands
from fastly_tokens.cli._grammar import build_parser
from fastly_tokens.cli._secrets import (
    Redactor,
    key_shaped_words,
    looks_like_key,
    secret_option_values,
)
from fastly_tokens.cli._streams import Streams
from fastly_tokens.testing import DEMO_PASSWORD, FakeFastly

from .support.cli import KEY, PASSWORD, EchoServer, run_cli, run_unchecked

OTHER_KEY = "Zz9-otherKEY_notConfigured4u7Wq1"
"""Shaped like a key, but not the one the command is configured with."""

TOKEN_ID = "5Yo3XXnrQpjc20u0ybrf2g"
OTHER_IDS = ["2JVEnF2nTNiC0CQSFqH7Ql", "3KWFoG3oUOjD1DRTGrI8Rm"]

SELF: dict[str, Any] = {
    "id": TOKEN_ID,
    "user_id": "x4xXVHwqk4VYRcDzzL8LtN",
    "customer_id": "1ZEFL3GXK7vwq2bx4KbHOI",
    "name": "mine",
    "scope": "global",
    "created_at": "2025-01-01T00:00:00Z",
}

# How the key reaches the command: the environment, --token KEY, --token=KEY, an abbreviation.
KEY_SOURCES = [
    pytest.param({}, [], id="env"),
    pytest.param({"token": None}, ["--token", KEY], id="--token KEY"),
    pytest.param({"token": None}, [f"--token={KEY}"], id="--token=KEY"),
    pytest.param({"token": None}, ["--tok", KEY], id="--tok KEY"),
]


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    with EchoServer(status=403).serve_in_thread() as server:
        yield server


@pytest.fixture
def echo_writes() -> Iterator[EchoServer]:
    """Answers the GETs with a token; refuses every write with an echo of the request."""
    with EchoServer(status=422, token=SELF).serve_in_thread() as server:
        yield server


@pytest.mark.parametrize(("options", "key_args"), KEY_SOURCES)
@pytest.mark.parametrize(
    "command",
    [["current"], ["current", "--json"], ["list", "--json"], ["get", TOKEN_ID], ["-v", "list"]],
)
def test_an_echoed_key_in_an_error_is_masked(
    echo: EchoServer, options: dict[str, Any], key_args: list[str], command: list[str]
) -> None:
    run = run_cli(*key_args, *command, base_url=echo.base_url, **options)
    assert run.code == 1
    assert "-> 403" in run.err
    assert "***" in run.err  # the key was there, and was masked
    assert echo.requests  # the request was sent (and echoed)


@pytest.mark.parametrize(("options", "key_args"), KEY_SOURCES)
@pytest.mark.parametrize(
    "mode",
    [
        pytest.param(["--json"], id="json"),
        pytest.param([], id="table"),
        pytest.param(["--json", "--strategy", "each"], id="json-each"),
        pytest.param(["-v"], id="verbose-table"),
    ],
)
def test_an_echoed_key_in_a_revocation_report_is_masked(
    echo_writes: EchoServer, options: dict[str, Any], key_args: list[str], mode: list[str]
) -> None:
    args = ["revoke", *OTHER_IDS, *mode, "--no-preflight"]  # the echo lists no tokens
    run = run_cli(*key_args, *args, base_url=echo_writes.base_url, **options)
    assert run.code == 1
    assert "DELETE /tokens" in "".join(echo_writes.requests)
    if "--json" in mode:
        errors = [r["error"] for r in run.json()["results"]]
        assert all("Fastly-Key: ***" in e for e in errors), errors
    else:
        assert "Fastly-Key: ***" in run.out


def test_an_echoed_key_on_a_terminal_is_masked(echo_writes: EchoServer) -> None:
    run = run_cli(
        "revoke",
        *OTHER_IDS,
        "--no-preflight",
        base_url=echo_writes.base_url,
        env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"},
        terminal=True,
    )
    assert run.code == 1
    assert "\x1b[" in run.out  # styled: this really was terminal output
    assert "Fastly-Key: ***" in run.out


@pytest.mark.parametrize(
    ("password_args", "stdin", "tty"),
    [
        pytest.param(["--password-stdin"], PASSWORD + "\n", False, id="--password-stdin"),
        pytest.param(["--password", PASSWORD], "", False, id="--password"),
        pytest.param([], "", True, id="prompt"),
    ],
)
@pytest.mark.parametrize("json_mode", [[], ["--json"]], ids=["table", "json"])
def test_an_echoed_password_is_masked(
    echo: EchoServer, password_args: list[str], stdin: str, tty: bool, json_mode: list[str]
) -> None:
    echo.status = 400
    args = ["create", "--username", "me@example.com", *password_args, *json_mode]
    run = run_cli(
        *args,
        base_url=echo.base_url,
        stdin=stdin,
        tty=tty,
        prompt=lambda _prompt: PASSWORD,
        secrets=[PASSWORD, PASSWORD.replace(" ", "+"), PASSWORD.replace(" ", "%20")],
    )
    assert run.code == 1
    assert echo.requests == ["POST /tokens"]
    assert "-> 400" in run.err
    assert "password=***" in run.err


def test_a_key_typed_in_the_wrong_place_is_masked() -> None:
    # Not the configured key (there is none here), but shaped like one: argparse echoes it.
    for argv in (
        ["--tokn", OTHER_KEY, "current"],
        ["current", OTHER_KEY],
        [OTHER_KEY, "current"],
        ["--tokn=" + OTHER_KEY, "current"],
        ["revoke", "--strategy", OTHER_KEY, TOKEN_ID],
    ):
        run = run_cli(*argv, token=None, secrets=[OTHER_KEY])
        assert run.code == 2, argv
        assert "***" in run.err, argv


def test_ids_stay_visible_in_usage_errors() -> None:
    run = run_cli("current", TOKEN_ID, token=None)
    assert run.code == 2
    assert f"unrecognized arguments: {TOKEN_ID}" in run.err


@pytest.mark.parametrize("command", [["get"], ["revoke"], ["revoke", "--dry-run"]])
def test_a_key_given_as_an_id_is_refused_unsent(
    echo_writes: EchoServer, command: list[str]
) -> None:
    run = run_cli(*command, OTHER_KEY, base_url=echo_writes.base_url, secrets=[OTHER_KEY])
    assert run.code == 2
    assert "looks like an API key" in run.err
    assert not [r for r in echo_writes.requests if OTHER_KEY in r]


def test_a_key_in_an_id_file_is_refused_unsent(echo_writes: EchoServer, tmp_path: Any) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{OTHER_IDS[0]}\n{OTHER_KEY}\n")
    run = run_cli("revoke", "--file", str(ids), base_url=echo_writes.base_url, secrets=[OTHER_KEY])
    assert run.code == 2
    assert "looks like an API key" in run.err
    assert echo_writes.requests == []


@pytest.mark.fake_fastly(key=KEY)
def test_the_traceback_of_a_bug_masks_the_key(
    fake_fastly: FakeFastly, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> int:
        raise RuntimeError(f"bug near {KEY} and {PASSWORD}")

    monkeypatch.setattr(_commands, "current", broken)
    run = run_unchecked("current", base_url=fake_fastly.base_url, env={"X": PASSWORD})
    assert run.code == 1
    assert "Traceback" in run.err
    assert "RuntimeError: bug near *** and" in run.err
    assert KEY not in run.text


@pytest.mark.parametrize("mode", [[], ["--json"]], ids=["table", "json"])
def test_a_log_line_quoting_an_echo_masks_the_key(mode: list[str]) -> None:
    # A 429 asking for an hour's wait stops the job, which logs the error: the echo with it.
    server = EchoServer(status=429, token=SELF, headers={"Retry-After": "3600"})
    with server.serve_in_thread():
        run = run_cli("revoke", *OTHER_IDS, *mode, "--no-preflight", base_url=server.base_url)
    assert run.code == 1
    stopped = "warning: revocation stopped: the rate-limit budget is spent: DELETE /tokens -> 429"
    assert stopped in run.err
    assert "Fastly-Key: ***" in run.err


@pytest.mark.fake_fastly(key=KEY)
def test_create_still_prints_the_new_secret(fake_fastly: FakeFastly) -> None:
    # Masking never touches the one secret the command is there to print.
    args = ["create", "--username", fake_fastly.user.username, "--password-stdin", "--json"]
    run = run_cli(
        *args, base_url=fake_fastly.base_url, stdin=DEMO_PASSWORD, secrets=[DEMO_PASSWORD]
    )
    assert run.code == 0, run.err
    created = json.loads(run.out)
    token = fake_fastly.token(created["id"])
    assert token is not None
    assert created["access_token"] == token.access_token


# -- the pure parts ---------------------------------------------------------------------------


def test_the_parsed_arguments_and_the_streams_keep_secrets_out_of_their_repr() -> None:

    parser = build_parser()
    args = parser.parse_args(["--token", KEY, "current"])
    assert args.token == KEY
    assert KEY not in repr(args)
    args = parser.parse_args(["create", "--username", "u", "--password", PASSWORD])
    assert args.password == PASSWORD
    assert PASSWORD not in repr(args)
    streams = Streams(io.StringIO(), io.StringIO(), io.StringIO(), {"FASTLY_API_TOKEN": KEY})
    assert KEY not in repr(streams)


@pytest.mark.parametrize(
    ("word", "key"),
    [
        (KEY, True),
        (OTHER_KEY, True),
        ("a" * 31 + "B", True),
        (TOKEN_ID, False),  # an id: 22 letters and digits
        ("terraform-production-deploy-2024", False),  # 32, but one case: a name
        ("TERRAFORM-PRODUCTION-DEPLOY-2024", False),
        (KEY + "x", False),
        (KEY[:-1], False),
        ("cliTest-KEY_4hX9qTz2LmVb7Rw1aB3!", False),
    ],
)
def test_looks_like_key(word: str, key: bool) -> None:
    assert looks_like_key(word) is key


@pytest.mark.parametrize(
    ("argv", "found"),
    [
        (["current", KEY], [KEY]),
        ([f"--tokn={KEY}"], [KEY]),
        ([f"{KEY}.x", f"x{KEY}"], [KEY]),  # bounded by a character outside the alphabet only
        ([f"'{KEY}'\n"], [KEY]),
        (["revoke", TOKEN_ID, "--name", "terraform-production-deploy-2024"], []),
    ],
)
def test_key_shaped_words(argv: list[str], found: list[str]) -> None:
    assert key_shaped_words(argv) == found


@pytest.mark.parametrize(
    ("argv", "found"),
    [
        (["--token", "s3cret-value", "current"], ["s3cret-value"]),
        (["--token=s3cret-value"], ["s3cret-value"]),
        (["--tok", "s3cret-value"], ["s3cret-value"]),
        (["--t=s3cret-value"], ["s3cret-value"]),
        (["create", "--password", "hunter22"], ["hunter22"]),
        (["create", "--password-stdin", "--name", "x"], []),
        (["demo", "--tokens", "50"], []),
        (["--token"], []),
    ],
)
def test_secret_option_values(argv: list[str], found: list[str]) -> None:
    assert secret_option_values(argv) == found


def test_the_redactor_masks_every_encoded_form_and_keeps_short_values() -> None:
    redact = Redactor([' pa ss/wörd"\n', "abc", None, ""])
    assert redact("form: password=+pa+ss%2Fw%C3%B6rd%22%0A&x=1") == "form: password=***&x=1"
    assert redact('json: " pa ss/w\\u00f6rd\\"\\n"') == 'json: "***"'
    assert redact('trimmed: "pa ss/w\\u00f6rd\\""') == 'trimmed: "***"'
    assert redact('plain: pa ss/wörd"') == "plain: ***"
    assert redact("abc stays: too short to mask without garbling") == (
        "abc stays: too short to mask without garbling"
    )
    document = {"a": [f"x {KEY}"], KEY: 1, "access_token": KEY}
    redact.add(KEY)
    assert redact.document(document, keep=frozenset({"access_token"})) == {
        "a": ["x ***"],
        "***": 1,
        "access_token": KEY,
    }
    assert KEY not in repr(redact)
