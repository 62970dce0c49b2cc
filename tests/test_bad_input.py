"""Every bad input to ``fastly-tokens`` ends in one clear line and its documented exit status.

This table covers the command line itself (words, the key, the endpoint), ``get``, ``list``
and ``create``; ``test_bad_input_jobs`` covers ``revoke``, ``automation``, the hygiene
commands and ``demo``. Each row runs the whole command in this process (see
``support.bad_input`` for what every row is checked for); a few run the real entry point,
``python -m fastly_tokens``, in a subprocess.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fastly_tokens.testing import DEMO_PASSWORD, FakeFastly

from .support.bad_input import (
    OTHER_KEY,
    UNKNOWN_ID,
    WRONG,
    Case,
    case,
    check_case,
    make_fake,
    make_files,
)
from .support.cli import KEY, run_subprocess


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeFastly]:
    with make_fake().serve_in_thread() as running:
        yield running


@pytest.fixture
def values(tmp_path: Path, fake: FakeFastly) -> dict[str, str]:
    return make_files(tmp_path, fake)


CASES = [
    # -- the command line itself --------------------------------------------------------
    case("no-command", (), 2, "the following arguments are required: COMMAND"),
    case("unknown-command", "nosuch", 2, "invalid choice: 'nosuch'"),
    case("the-key-as-command", (KEY, "current"), 2, "invalid choice: '***'"),
    case("the-key-and-junk-as-command", (KEY + ".x", "current"), 2, "invalid choice: '***"),
    case("another-key-as-command", (OTHER_KEY, "current"), 2, "invalid choice: '***'"),
    case("a-key-to-a-prefix-of-token", ("--tok", OTHER_KEY, "nosuch"), 2, "invalid choice"),
    case("extra-word", "current extra", 2, "unrecognized arguments: extra"),
    case("flag-with-a-value", "current --json=x", 2, "ignored explicit argument 'x'"),
    case("unknown-option", "current --nosuch", 2, "unrecognized arguments: --nosuch"),
    case("empty-token", ("--token", "", "current"), 2, "no API token"),
    case("blank-token", ("--token", "  ", "current"), 2, "no API token"),
    case(
        "no-token", "current", 2, "no API token: pass --token or set FASTLY_API_TOKEN", token=None
    ),
    case("token-with-a-space", ("--token", "a b", "current"), 2, "--token holds a space"),
    case("env-token-with-a-tab", "current", 2, "$FASTLY_API_TOKEN holds a space", token="a\tb"),
    case("wrong-key", "current", 1, "GET /tokens/self -> 401", token=OTHER_KEY, sent="reads"),
    case("base-url-ftp", "--base-url ftp://x current", 2, "--base-url must be an http(s) URL"),
    case("base-url-no-host", "--base-url https:// current", 2, "must be an http(s) URL"),
    case("base-url-words", ("--base-url", "not a url", "current"), 2, "http(s) URL with a host"),
    case("base-url-port", "--base-url https://x:99999 current", 2, "--base-url is not a URL"),
    case("base-url-ipv6", "--base-url http://[::1 current", 2, "--base-url is not a URL"),
    case(
        "base-url-plain-http",
        "--base-url http://api.example.com current",
        2,
        "pass --allow-insecure-http if you really mean it",
    ),
    case(
        "env-base-url-plain-http",
        "current",
        2,
        "$FASTLY_API_URL http://api.example.com is plain http",
        env={"FASTLY_API_URL": "http://api.example.com"},
    ),
    case(
        "closed-port",
        "--base-url http://127.0.0.1:{closed} current",
        1,
        "GET /tokens/self: no answer from 127.0.0.1",
    ),
    # -- get, list --------------------------------------------------------------------
    case("get-no-id", "get", 2, "the following arguments are required: ID"),
    case("get-malformed-id", "get bad/id", 2, "ID must be 1 to 64 ASCII letters and digits"),
    case("get-the-key", ("get", KEY), 2, "ID looks like an API key"),
    case("get-the-key-and-junk", ("get", KEY + ".x"), 2, "ID looks like an API key"),
    case("get-a-piece-of-the-key", ("get", KEY[:20]), 2, "ID looks like an API key"),
    case("get-another-key", ("get", OTHER_KEY), 2, "ID looks like an API key"),
    case("get-unknown", ("get", UNKNOWN_ID), 1, "-> 404", sent="reads"),
    case("list-bad-customer", "list --customer bad/id", 2, "--customer must be 1 to 64"),
    case("list-key-as-customer", ("list", "--customer", KEY), 2, "--customer looks like"),
    case("list-other-customer", ("list", "--customer", UNKNOWN_ID), 1, "-> 403", sent="reads"),
    # -- create -----------------------------------------------------------------------
    case("create-no-password", "create", 2, "no password: standard input is not a terminal"),
    case("create-empty-password", "create --password-stdin", 2, "the password is empty"),
    case("create-two-passwords", "create --password-stdin --password x", 2, "not allowed with"),
    case(
        "create-unknown-scope",
        "create --scope purge_everything --password-stdin",
        2,
        "--scope 'purge_everything' is not a scope: the scopes are global, purge_select, "
        "purge_all, global:read",
        stdin=DEMO_PASSWORD,
    ),
    case("create-unknown-scope-joined", ("create", "--scope", "global bogus"), 2, "'bogus'"),
    case("create-empty-scope", ("create", "--scope", ""), 2, "--scope is empty"),
    case("create-bad-expiry", "create --expires-at tomorrow", 2, "--expires-at: not an ISO"),
    case(
        "create-past-expiry",
        "create --expires-at 2020-01-01 --password-stdin",
        1,
        "-> 422",
        stdin=DEMO_PASSWORD,
        sent="any",
    ),
    case(
        "create-bad-service",
        "create --service bad/id --password-stdin",
        2,
        "services must be",
        stdin=DEMO_PASSWORD,
    ),
    case(
        "create-wrong-password",
        "create --password-stdin",
        1,
        "POST /sudo -> 403: Invalid login credentials: sudo mode was refused: the password is "
        "not the key's user's",
        stdin=WRONG,
        sent="any",
    ),
    case(
        "create-wrong-password-as-argument",
        ("create", "--password", WRONG),
        1,
        "sudo mode was refused",
        sent="any",
    ),
    case(
        "create-keyless-wrong-password",
        "create --username user@example.com --password-stdin",
        1,
        "POST /tokens -> 400: invalid_grant: the login was refused: the password or the "
        "username is wrong; a user with two-factor authentication also needs --otp CODE, and "
        "an account that signs in with SSO cannot log in with a password",
        stdin=WRONG,
        sent="any",
    ),
    case(
        "create-keyless-unknown-user",
        "create --username nobody@example.com --password-stdin",
        1,
        "invalid_grant: the login was refused",
        stdin=WRONG,
        sent="any",
    ),
    case(
        "create-two-factor-without-otp",
        "create --username twofa@example.com --password-stdin",
        1,
        "2fa.verify: the login needs a current two-factor code: pass --otp CODE",
        stdin=DEMO_PASSWORD,
        sent="any",
    ),
    case(
        "create-two-factor-wrong-otp",
        "create --username twofa@example.com --otp 000000 --password-stdin",
        1,
        "pass --otp CODE",
        stdin=DEMO_PASSWORD,
        sent="any",
    ),
    case(
        "create-locked-user",
        "create --username locked@example.com --password-stdin",
        1,
        "account_locked: the user's account is locked",
        stdin=DEMO_PASSWORD,
        sent="any",
    ),
]


@pytest.mark.parametrize("bad", CASES)
def test_a_bad_input_ends_in_one_line_and_its_exit_status(
    bad: Case, fake: FakeFastly, values: dict[str, str]
) -> None:
    check_case(bad, fake, values)


# -- the real entry point ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        ((KEY, "current"), 2, "fastly-tokens: error: argument COMMAND: invalid choice: '***'"),
        (("--base-url", "http://api.example.com", "current"), 2, "--allow-insecure-http"),
        (("revoke", KEY + ".x"), 2, "ID 1 looks like an API key"),
        (("demo", "--base-url", "http://x"), 2, "demo runs on its own embedded fake Fastly"),
        (("create", "--scope", "purge_everything"), 2, "is not a scope"),
    ],
)
def test_the_installed_entry_point_says_the_same_in_one_line(
    argv: tuple[str, ...], code: int, says: str
) -> None:
    done = run_subprocess(*argv, base_url="http://127.0.0.1:9")

    assert done.code == code
    assert done.err.count("\n") == 1, done.err
    assert says in done.err
    assert done.out == ""


def test_a_long_error_is_one_line_even_into_a_file(tmp_path: Path) -> None:
    # The refusal is longer than any console: written to a file, it stays one line.
    done = run_subprocess("--base-url", "http://api.example.com:8080/some/long/path", "current")

    assert done.code == 2
    assert done.err.count("\n") == 1
    assert len(done.err) > 160
    assert not any(line.endswith(" ") for line in done.err.splitlines())
