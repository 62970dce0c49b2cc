"""The command's manners: how it masks, counts, dates and words what it prints.

Each test names one case of issue 13 and checks what the user saw: a key pasted with junk
masked in every place a report shows an id, counts that agree with their nouns, times that say
UTC, ``scope`` and ``scopes`` in one order, scopes whole on an 80-column terminal, the demo's
refusal of the connection options, and a refused login in words that say what to do.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from fastly_tokens import (
    APIStatusError,
    BadRequestError,
    NotFoundError,
    Outcome,
    PermissionDeniedError,
    RevocationReport,
    RevocationResult,
    SudoRequiredError,
)
from fastly_tokens.cli._console import Output
from fastly_tokens.cli._explain import explain
from fastly_tokens.cli._journal import HEADER_KEY, check_journal
from fastly_tokens.cli._secrets import MASK, WINDOW, Redactor
from fastly_tokens.cli._streams import Streams
from fastly_tokens.testing import FakeFastly

from .support.cli import KEY, run_cli

pytestmark = pytest.mark.fake_fastly(key=KEY, seed=5)

TERMINAL = {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}
_STYLE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def plain(text: str) -> str:
    """The text without rich's styles and cursor moves."""
    return _STYLE.sub("", text)


class _Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


# -- a key pasted by mistake --------------------------------------------------------------------


def _report_of(token_id: str) -> RevocationReport:
    error = ValueError("token_ids must be 1 to 64 ASCII letters and digits")
    return RevocationReport((RevocationResult(token_id, Outcome.INVALID, error),), 0, 0, 0.0)


@pytest.mark.parametrize(
    "pasted",
    [KEY + ".x", KEY + "x", "x" + KEY, KEY[:WINDOW], KEY[-20:], f"{KEY[:16]}/{KEY[16:]}"],
    ids=["dot-junk", "junk", "junk-first", "a-window", "cut-short", "split"],
)
def test_anything_holding_the_key_is_masked_in_the_id_column_json_and_error(
    pasted: str,
) -> None:
    out, err = io.StringIO(), io.StringIO()
    output = Output(Streams(_Stdin(""), out, err, {}), redact=Redactor([KEY]))
    report = _report_of(pasted)
    output.report(report)
    output.json({"results": [{"id": pasted, "error": f"bad id {pasted}"}]})
    output.error(f"{pasted} was refused")
    shown = out.getvalue() + err.getvalue()

    assert MASK in shown
    for start in range(len(KEY) - WINDOW + 1):
        assert KEY[start : start + WINDOW] not in shown, shown


def test_a_short_piece_or_an_id_stays_visible() -> None:
    redact = Redactor([KEY])
    short = KEY[: WINDOW - 1]
    assert (
        redact(f"id {short} and 5Yo3XXnrQpjc20u0ybrf2g") == f"id {short} and 5Yo3XXnrQpjc20u0ybrf2g"
    )
    assert not redact.holds_secret("5Yo3XXnrQpjc20u0ybrf2g")
    assert redact.holds_secret(KEY + ".x")


def test_revoke_of_the_key_with_junk_sends_nothing(fake_fastly: FakeFastly) -> None:
    before = len(fake_fastly.requests)
    done = run_cli("revoke", KEY + ".x", "--json", base_url=fake_fastly.base_url)
    assert done.code == 2
    assert done.out == ""
    assert "looks like an API key, or holds one" in done.err
    assert fake_fastly.requests[before:] == []


# -- counts, times and scopes -------------------------------------------------------------------


def test_counts_agree_with_their_nouns(fake_fastly: FakeFastly) -> None:
    other = fake_fastly.add_token(name="the other one", expires_at=fake_fastly.clock() - 86400)
    listed = run_cli("list", base_url=fake_fastly.base_url)
    dry = run_cli("revoke", other.id, "--dry-run", base_url=fake_fastly.base_url)
    revoked = run_cli("revoke", other.id, base_url=fake_fastly.base_url)
    stranger = run_cli("revoke", "unknownToken0000000001", base_url=fake_fastly.base_url)

    assert listed.out.startswith("2 tokens of this user\n")
    assert "Would revoke 1 token (dry run)" in dry.out
    assert "cost: 1 write of the hourly budget, for 1 id" in dry.out
    assert "1 id is not among" in stranger.err
    assert revoked.code == 0
    assert "1 writes" not in revoked.text + dry.text
    assert "1 ids" not in revoked.text + dry.text + stranger.text
    assert "1 tokens" not in listed.text + dry.text
    after = run_cli("list", base_url=fake_fastly.base_url)
    assert after.out.startswith("1 token of this user\n")


def test_a_token_shown_to_people_says_its_times_are_utc(fake_fastly: FakeFastly) -> None:
    shown = run_cli("current", base_url=fake_fastly.base_url)
    listed = run_cli("list", base_url=fake_fastly.base_url)

    assert re.search(r"created_at +\d{4}-\d\d-\d\d \d\d:\d\d UTC$", shown.out, re.M), shown.out
    assert re.search(r"last_used_at +\d{4}-\d\d-\d\d \d\d:\d\d UTC$", shown.out, re.M)
    header = listed.out.splitlines()[1]
    assert "created (UTC)" in header
    assert "last used (UTC)" in header
    assert "expires (UTC)" in header


def test_scope_and_scopes_come_in_one_order(fake_fastly: FakeFastly) -> None:
    given = ["purge_select", "global:read", "purge_all"]
    mine = fake_fastly.add_token(name="purger", scope=" ".join(given))
    fake_fastly.add_automation_token(name="bot", scope=given)
    user = run_cli("get", mine.id, "--json", base_url=fake_fastly.base_url)
    machines = run_cli(
        "automation", "list", "--json",
        base_url=fake_fastly.base_url, token=fake_fastly.superuser_key,
    )  # fmt: skip

    assert user.code == 0, user.err
    assert machines.code == 0, machines.err
    bot = next(t for t in machines.json() if t["name"] == "bot")
    for data in (user.json(), bot):
        assert data["scopes"] == sorted(given), data
        assert data["scope"] == " ".join(data["scopes"])


def test_scopes_are_whole_on_an_80_column_terminal(fake_fastly: FakeFastly) -> None:
    scopes = ["global", "global:read", "purge_all", "purge_select"]
    token = fake_fastly.add_token(
        name="a rather long name for the deploy pipeline of the web shop", scope=scopes
    )
    done = run_cli(
        "list", base_url=fake_fastly.base_url, env={**TERMINAL, "COLUMNS": "80"}, terminal=True
    )
    lines = plain(done.out).splitlines()
    rows = [line for line in lines if line.startswith(token.id)]
    row = lines.index(rows[0])
    block = lines[row : row + 6]  # the row and the lines its name and scopes wrap onto

    assert done.code == 0
    assert all(len(line) <= 80 for line in lines), lines
    words = {word for line in block for word in line.split()}
    assert set(scopes) <= words  # every scope whole, never cut in the middle
    assert "pipeline" in words


def test_help_says_the_demo_refuses_the_connection_options() -> None:
    done = run_cli("demo", "--help")
    assert done.code == 0
    assert "--base-url" in done.out
    assert "are refused" in done.out


# -- words for a refused login, and the journal's header ------------------------------------


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        (BadRequestError(status=400, method="POST", path="/tokens", msg="invalid_grant"), "wrong"),
        (BadRequestError(status=400, method="POST", path="/tokens", msg="2fa.verify"), "--otp"),
        (
            BadRequestError(status=400, method="POST", path="/tokens", msg="invalid_scope"),
            "global:read",
        ),
        (
            BadRequestError(status=400, method="POST", path="/tokens", msg="account_locked"),
            "locked",
        ),
        (
            BadRequestError(status=400, method="POST", path="/tokens", msg="invalid_request"),
            "password",
        ),
        (PermissionDeniedError(status=403, method="POST", path="/sudo", msg="Nope"), "sudo mode"),
        (
            PermissionDeniedError(
                status=403, method="POST", path="/sudo", msg="A valid two-factor code"
            ),
            "--otp",
        ),
    ],
)
def test_a_refused_login_says_what_to_do(error: APIStatusError, advice: str) -> None:
    said = explain(error)
    assert said.startswith(str(error) + ": ")
    assert advice in said.removeprefix(str(error))
    assert "\n" not in said


@pytest.mark.parametrize(
    "error",
    [
        BadRequestError(status=400, method="DELETE", path="/tokens", msg="invalid_grant"),
        NotFoundError(status=404, method="GET", path="/tokens/x", msg="Record not found"),
        SudoRequiredError(status=403, method="POST", path="/sudo", msg="You must POST /sudo"),
    ],
)
def test_other_errors_are_said_as_the_sdk_says_them(error: APIStatusError) -> None:
    assert explain(error) == str(error)


def test_the_journal_check_knows_the_header_the_sdk_writes(
    fake_fastly: FakeFastly, tmp_path: Path
) -> None:
    journal = tmp_path / "job.jsonl"
    token = fake_fastly.add_token(name="to go")
    done = run_cli("revoke", token.id, "--journal", str(journal), base_url=fake_fastly.base_url)
    first = json.loads(journal.read_text().splitlines()[0])

    assert done.code == 0, done.err
    assert first.get(HEADER_KEY) is not None
    check_journal(str(journal))  # the journal the SDK wrote passes
    again = run_cli("revoke", token.id, "--journal", str(journal), base_url=fake_fastly.base_url)
    assert again.code == 0, again.err  # and resumes
