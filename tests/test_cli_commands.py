"""Whole commands, run in this process (``run(argv, streams)``) against a loopback FakeFastly.

Every run goes through ``run_cli``, which also checks that the API token, a raw control
character and a traceback appear nowhere in what the command printed.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fastly_tokens.testing import DEMO_PASSWORD, FakeFastly, FakeToken

from .support.cli import KEY, Run, run_cli

pytestmark = pytest.mark.fake_fastly(key=KEY, seed_tokens=40, seed=11)

PROGRESS_LINE = re.compile(r"^revoking (\d+)/(\d+) \(revoked (\d+)(?:, [a-z ]+ \d+)*; writes \d+\)")
NOW = datetime.now(UTC)


def cli(fake: FakeFastly, *argv: str, **options: Any) -> Run:
    """Run the command against ``fake`` (its key in the environment)."""
    return run_cli(*argv, base_url=fake.base_url, **options)


@pytest.fixture
def fake(fake_fastly: FakeFastly) -> FakeFastly:
    return fake_fastly


def add(fake: FakeFastly, count: int, **kwargs: Any) -> list[str]:
    return [fake.add_token(name=f"extra {i}", **kwargs).id for i in range(count)]


def colleague_token(fake: FakeFastly) -> FakeToken:
    """A token of another user of the same customer: revoking it is a 403."""
    return fake.add_token(fake.add_user(), name="a colleague's")


def live_ids(fake: FakeFastly) -> set[str]:
    return {t.id for t in fake.tokens_of(fake.user)}


def expired_ids(fake: FakeFastly) -> set[str]:
    return {t.id for t in fake.tokens_of(fake.user) if t.expired(time.time())}


# -- the command line itself ------------------------------------------------------------------


def test_help_documents_the_environment_and_hides_the_token() -> None:
    run = run_cli("--help")
    assert run.code == 0
    assert "FASTLY_API_TOKEN" in run.out
    assert "FASTLY_API_URL" in run.out
    for command in ("current", "get", "list", "create", "revoke", "demo"):
        assert command in run.out
    run = run_cli("revoke", "--help", token=None, env={"FASTLY_API_TOKEN": KEY})
    assert run.code == 0
    assert "--where" in run.out


def test_a_usage_error_exits_2() -> None:
    run = run_cli("revoke", "--strategy", "sometimes", "abc")
    assert run.code == 2
    assert "invalid choice" in run.err
    assert run_cli("frobnicate").code == 2


def test_argparse_errors_mask_the_token() -> None:
    # A token pasted where an id goes would be echoed by argparse: it is masked.
    run = run_cli("current", KEY)
    assert run.code == 2
    assert "***" in run.err
    run = run_cli("--token", KEY, "current", KEY, token=None)
    assert run.code == 2
    assert "unrecognized arguments: ***" in run.err


def test_a_missing_token_exits_2(fake: FakeFastly) -> None:
    run = cli(fake, "current", token=None)
    assert run.code == 2
    assert "no API token" in run.err


def test_plain_http_to_another_host_is_refused() -> None:
    run = run_cli("current", "--base-url", "http://api.example.com")
    assert run.code == 2
    assert "allow_insecure_http" in run.err or "insecure" in run.err


# -- single calls ---------------------------------------------------------------------------


def test_current_with_token_and_base_url_options(fake: FakeFastly) -> None:
    run = run_cli("current", "--json", "--token", KEY, "--base-url", fake.base_url, token=None)
    assert run.code == 0, run.err
    data = run.json()
    assert data["id"] == fake.token_id
    assert data["name"] == "seeded api token"
    assert "access_token" not in data
    # The options work before the sub-command too.
    run = run_cli("--token", KEY, "--base-url", fake.base_url, "current", token=None)
    assert run.code == 0
    assert fake.token_id in run.out


def test_get_and_list_match_the_fake(fake: FakeFastly) -> None:
    named = fake.add_token(name="[bold]not markup[/bold] :x:", scope="global:read global")
    run = cli(fake, "list", "--json")
    assert run.code == 0, run.err
    listed = run.json()
    assert {t["id"] for t in listed} == live_ids(fake)
    assert all("access_token" not in t for t in listed)
    run = cli(fake, "get", named.id, "--json")
    assert run.code == 0
    data = run.json()
    assert data["scope"] == "global global:read"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["created_at"])
    run = cli(fake, "list")
    assert run.code == 0
    assert f"{len(live_ids(fake))} tokens of this user" in run.out
    assert "[bold]not markup[/bold] :x:" in run.out


def test_single_call_api_errors_exit_1(fake: FakeFastly) -> None:
    run = cli(fake, "get", fake.foreign_token_id)
    assert run.code == 1
    assert "404" in run.err
    run = cli(fake, "list", "--customer", fake.world.customer.id)  # not a superuser
    assert run.code == 1
    assert "403" in run.err
    run = cli(fake, "current", token="wrong-token-value")
    assert run.code == 1
    assert "401" in run.err
    assert "wrong-token-value" not in run.out + run.err


def test_create_prints_the_secret_once_labelled(fake: FakeFastly) -> None:
    args = ["create", "--username", fake.user.username, "--password-stdin", "--name", "ci"]
    run = cli(fake, *args, "--scope", "purge_select global:read", stdin=DEMO_PASSWORD)
    assert run.code == 0, run.err
    created = next(t for t in fake.tokens_of(fake.user) if t.name == "ci")
    assert run.out.count(created.access_token) == 1
    assert "shown only this once" in run.out
    assert DEMO_PASSWORD not in run.out + run.err
    assert set(created.scopes) == {"purge_select", "global:read"}

    expires = (NOW + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    json_args = [*args[:-1], "json one", "--json", "--expires-at", expires]
    run = cli(fake, *json_args, "--scope", "global", "--scope", "purge_all", stdin="x")
    assert run.code == 1  # a wrong password: Fastly's 400 invalid_grant
    assert "invalid_grant" in run.err
    run = cli(fake, *json_args, stdin=DEMO_PASSWORD + "\n")
    assert run.code == 0, run.err
    data = run.json()
    assert fake.token(data["id"]) is not None
    assert data["access_token"] == fake.token(data["id"]).access_token  # type: ignore[union-attr]
    assert data["expires_at"] == expires


def test_create_without_a_password_off_a_terminal_exits_2(fake: FakeFastly) -> None:
    run = cli(fake, "create", "--username", fake.user.username)
    assert run.code == 2
    assert "--password-stdin" in run.err


# -- revoke by id ---------------------------------------------------------------------------


def test_revoke_ids_all_revoked_exits_0_with_a_json_report(fake: FakeFastly) -> None:
    ids = add(fake, 3)
    run = cli(fake, "revoke", *ids, ids[0], fake.foreign_token_id, "--json")
    assert run.code == 0, run.err
    report = run.json()
    assert report["ok"] is True
    assert [r["id"] for r in report["results"]] == [*ids, fake.foreign_token_id]
    assert report["counts"] == {
        "revoked": 3,
        "not_found": 1,
        "invalid": 0,
        "failed": 0,
        "not_attempted": 0,
        "unconfirmed": 0,
    }
    assert report["requests"] >= 1
    assert all(fake.is_revoked(i) for i in ids)
    assert not fake.is_revoked(fake.foreign_token_id)


def test_a_colleagues_token_is_not_sent_and_the_partial_view_is_said(fake: FakeFastly) -> None:
    ids = add(fake, 2)
    theirs = colleague_token(fake)
    run = cli(fake, "revoke", ids[0], theirs.id, ids[1], "--strategy", "each")
    assert run.code == 0, run.err
    assert "1 id is not among this caller's own tokens" in run.err
    assert "a superuser can revoke them" in run.err
    assert fake.requests_matching("DELETE", f"/tokens/{theirs.id}") == []
    assert not fake.is_revoked(theirs.id)
    assert all(fake.is_revoked(i) for i in ids)


def test_revoke_a_colleagues_token_one_by_one_fails_and_exits_1(fake: FakeFastly) -> None:
    ids = add(fake, 2)
    theirs = colleague_token(fake)
    run = cli(
        fake, "revoke", ids[0], theirs.id, ids[1], "--strategy", "each", "--json", "--no-preflight"
    )
    assert run.code == 1
    results = {r["id"]: r for r in run.json()["results"]}
    assert results[theirs.id]["outcome"] == "failed"
    assert results[theirs.id]["status"] == 403
    assert results[theirs.id]["error_type"] == "PermissionDeniedError"
    assert results[ids[0]]["outcome"] == results[ids[1]]["outcome"] == "revoked"
    assert not fake.is_revoked(theirs.id)
    assert all(fake.is_revoked(i) for i in ids)


def test_revoke_report_table_lists_failures(fake: FakeFastly) -> None:
    ids = add(fake, 30)
    theirs = colleague_token(fake)
    run = cli(
        fake, "revoke", *ids[:15], theirs.id, *ids[15:], "--chunk-size", "8", "--no-preflight"
    )
    assert run.code == 1
    assert "Revocation report" in run.out
    assert "writes (the hourly budget):" in run.out
    assert theirs.id in run.out
    assert "PermissionDeniedError" in run.out
    assert "1 of 31 ids was not revoked" in run.err
    assert all(fake.is_revoked(i) for i in ids)


def test_a_malformed_id_ends_invalid_and_exits_1(fake: FakeFastly) -> None:
    (good,) = add(fake, 1)
    run = cli(fake, "revoke", good, "../tokens", "--json")
    assert run.code == 1
    outcomes = {r["id"]: r["outcome"] for r in run.json()["results"]}
    assert outcomes == {good: "revoked", "../tokens": "invalid"}
    assert fake.is_revoked(good)


def test_no_ids_is_a_usage_error(fake: FakeFastly, tmp_path: Path) -> None:
    assert cli(fake, "revoke").code == 2
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n\n")
    run = cli(fake, "revoke", "--file", str(empty))
    assert run.code == 2
    assert "no ids" in run.err


def test_an_unreadable_file_is_a_usage_error(fake: FakeFastly, tmp_path: Path) -> None:
    run = cli(fake, "revoke", "--file", str(tmp_path / "missing.txt"))
    assert run.code == 2
    assert "missing.txt" in run.err


def test_ids_from_a_file_and_from_standard_input(fake: FakeFastly, tmp_path: Path) -> None:
    ids = add(fake, 4)
    kept = add(fake, 1)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(
        f"\ufeff# tokens to revoke\n\n  {ids[0]}  \n\t{ids[1]}\t# the old laptop\n"
        f"# {kept[0]}\n   \n{ids[1]}\n",
        encoding="utf-8",
    )
    run = cli(fake, "revoke", "--file", str(ids_file), "--json")
    assert run.code == 0, run.err
    assert [r["id"] for r in run.json()["results"]] == ids[:2]
    run = cli(fake, "revoke", "--file", "-", "--json", stdin=f"{ids[2]}\r\n\n{ids[3]}\n")
    assert run.code == 0, run.err
    assert [r["id"] for r in run.json()["results"]] == ids[2:]
    assert all(fake.is_revoked(i) for i in ids)
    assert not fake.is_revoked(kept[0])


def test_the_current_token_is_refused_unless_included(fake: FakeFastly) -> None:
    (other,) = add(fake, 1)
    run = cli(fake, "revoke", fake.token_id, other)
    assert run.code == 2
    assert "--include-current" in run.err
    assert not fake.is_revoked(other)
    run = cli(fake, "revoke", fake.token_id, other, "--include-current", "--json")
    assert run.code == 0, run.err
    assert [r["outcome"] for r in run.json()["results"]] == ["revoked", "revoked"]
    assert fake.is_revoked(fake.token_id)
    assert fake.is_revoked(other)


def test_the_current_token_is_kept_when_other_ids_fail(fake: FakeFastly) -> None:
    theirs = colleague_token(fake)
    run = cli(
        fake, "revoke", fake.token_id, theirs.id, "--include-current", "--json", "--no-preflight"
    )
    assert run.code == 1
    outcomes = [(r["id"], r["outcome"]) for r in run.json()["results"]]
    assert outcomes == [(fake.token_id, "not_attempted"), (theirs.id, "failed")]
    assert not fake.is_revoked(fake.token_id)


def test_plain_progress_lines_when_not_a_terminal(fake: FakeFastly) -> None:
    ids = add(fake, 250)
    run = cli(fake, "revoke", *ids, "--chunk-size", "50", "--concurrency", "1")
    assert run.code == 0, run.err
    lines = [line for line in run.err.splitlines() if PROGRESS_LINE.match(line)]
    assert lines, run.err
    assert "\x1b[" not in run.err  # no escape codes on a pipe
    last = PROGRESS_LINE.match(lines[-1])
    assert last is not None
    assert last.group(1, 2, 3) == ("250", "250", "250")
    assert re.search(r"writes 5\) in \d+\.\d\d s$", lines[-1])


def test_a_journal_is_written(fake: FakeFastly, tmp_path: Path) -> None:
    ids = add(fake, 3)
    journal = tmp_path / "job.jsonl"
    run = cli(fake, "revoke", *ids, "--journal", str(journal), "--json")
    assert run.code == 0, run.err
    header, *entries = [json.loads(line) for line in journal.read_text().splitlines()]
    assert header["endpoint"] == fake.base_url
    assert header["user_id"] == fake.user.id
    assert {e["id"] for e in entries if e["outcome"] == "revoked"} == set(ids)
    run = cli(fake, "revoke", *ids, "--journal", str(journal), "--json")
    assert run.code == 0
    assert run.json()["writes"] == 0
    assert all(r["resumed"] for r in run.json()["results"])


# -- revoke by selection ----------------------------------------------------------------------


def test_dry_run_revokes_nothing(fake: FakeFastly) -> None:
    before = live_ids(fake)
    run = cli(fake, "revoke", "--expired", "--dry-run", "--json")
    assert run.code == 0, run.err
    data = run.json()
    assert data["dry_run"] is True
    assert set(data["ids"]) == expired_ids(fake)
    assert {t["id"] for t in data["tokens"]} == expired_ids(fake)
    assert data["count"] == len(expired_ids(fake)) > 0
    some = sorted(before - {fake.token_id})[:5]
    run = cli(fake, "revoke", *some, "bad/id", "NotThere00000000000000", "--dry-run")
    assert run.code == 0, run.err
    assert "Would revoke 5 tokens" in run.out
    assert "not a well-formed id" in run.out
    assert "the preflight did not find it" in run.out
    assert "cost: 1 write of the hourly budget, for 5 ids; 1 not found" in run.out
    assert live_ids(fake) == before
    assert fake.requests_matching("DELETE", "/tokens*") == []


@pytest.mark.parametrize("spelling", [["--expired"], ["--where", "expired"]], ids=str)
def test_expired_revokes_exactly_the_expired_ones(fake: FakeFastly, spelling: list[str]) -> None:
    expired = expired_ids(fake)
    alive = live_ids(fake) - expired
    assert expired
    assert fake.token_id in alive
    run = cli(fake, "revoke", *spelling, "--json", "--yes")
    assert run.code == 0, run.err
    report = run.json()
    assert {r["id"] for r in report["results"]} == expired
    assert report["counts"]["revoked"] == len(expired)
    assert live_ids(fake) == alive
    assert not fake.is_revoked(fake.token_id)


FLAGS = ["--name", "ci *", "--unused-since", "90d", "--scope", "global", "--name", "*deploy"]
WHERE = ["--where", "name", "ci *", "--where", "unused-since=90d", "--where", "scope global"]
WHERE_TOO = ["--where", "name", "*deploy"]
MIXED = ["--name", "ci *", "--where", "unused-since", "90d", "--scope", "global"]


@pytest.mark.parametrize(
    "criteria",
    [FLAGS, [*WHERE, *WHERE_TOO], [*MIXED, "--where", "name *deploy"]],
    ids=["flags", "where", "mixed"],
)
def test_criteria_are_and_combined_and_spare_the_current_token(
    fake: FakeFastly, criteria: list[str]
) -> None:
    old = (NOW - timedelta(days=400)).timestamp()
    born = (NOW - timedelta(days=500)).timestamp()
    ci_old = fake.add_token(name="ci deploy", created_at=born, last_used_at=old).id
    fake.add_token(name="ci deploy", scope="purge_all", created_at=born, last_used_at=old)
    fake.add_token(name="ci deploy", created_at=born, last_used_at=NOW - timedelta(days=2))
    fake.add_token(name="ci deploy", last_used_at=None)  # never used, but new: not stale
    fake.add_token(name="ci deployed", created_at=born, last_used_at=old)
    fake.add_token(name="laptop", created_at=born, last_used_at=old)
    fake.token(fake.token_id).name = "ci deploy"  # type: ignore[union-attr]
    run = cli(fake, "revoke", *criteria, "--json", "--yes")
    assert run.code == 0, run.err
    assert [r["id"] for r in run.json()["results"]] == [ci_old]
    assert not fake.is_revoked(fake.token_id)
    assert fake.is_revoked(ci_old)


def test_a_selection_spares_the_current_token_unless_included(fake: FakeFastly) -> None:
    fake.add_token(name="ci deploy")
    fake.add_token(name="ci deploy")
    fake.token(fake.token_id).name = "ci deploy"  # type: ignore[union-attr]
    run = cli(fake, "revoke", "--name", "ci deploy", "--dry-run", "--json")
    assert fake.token_id not in run.json()["ids"]
    assert len(run.json()["ids"]) == 2
    run = cli(fake, "revoke", "--name", "ci deploy", "--dry-run", "--include-current")
    assert run.code == 0
    assert fake.token_id in run.out
    assert "it is revoked last" in run.out
    assert fake.requests_matching("DELETE", "/tokens*") == []


def test_scope_with_include_current_revokes_it_last(fake: FakeFastly) -> None:
    mine = {t.id for t in fake.tokens_of(fake.user) if "purge_all" in t.scopes}
    fake.token(fake.token_id).scopes = ("global", "purge_all")  # type: ignore[union-attr]
    run = cli(fake, "revoke", "--scope", "purge_all", "--include-current", "--json", "--yes")
    assert run.code == 0, run.err
    assert {r["id"] for r in run.json()["results"]} == mine | {fake.token_id}
    assert fake.requests_matching("DELETE", "/tokens*")[-1].path == f"/tokens/{fake.token_id}"
    assert all(fake.is_revoked(i) for i in mine | {fake.token_id})


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--where", "bogus"], "unknown clause"),
        (["--where", "name"], "takes one value"),
        (["--where", "expired", "yes"], "takes no value"),
        (["--where", "unused-since", "last tuesday"], "not an ISO date"),
        (["--unused-since", "last tuesday"], "--unused-since: not an ISO date"),
        (["abc", "--expired"], "not both"),
        (["abc", "--where", "expired"], "not both"),
        (["abc", "--owner", "xyz"], "add a criterion"),
        (["--expired", "--owner", "a/b"], "--owner must be"),
        (["--expired", "--customer", "a/b"], "--customer must be"),
    ],
)
def test_bad_selections_are_usage_errors(fake: FakeFastly, argv: list[str], message: str) -> None:
    run = cli(fake, "revoke", *argv)
    assert run.code == 2
    assert message in run.err
    assert fake.requests == []


# -- a selection asks first; the journal is checked first (issue 9) ---------------------------


def test_a_selection_off_a_terminal_needs_yes(fake: FakeFastly) -> None:
    before = live_ids(fake)
    run = cli(fake, "revoke", "--expired")
    assert run.code == 2
    assert "--yes" in run.err
    assert len(run.err.splitlines()) == 1
    assert live_ids(fake) == before
    assert fake.requests_matching("DELETE", "/tokens*") == []


@pytest.mark.parametrize(
    ("answer", "revoked"), [("y\n", True), ("yes\n", True), ("n\n", False), ("\n", False)]
)
def test_a_selection_on_a_terminal_asks_and_shows_the_cost(
    fake: FakeFastly, answer: str, revoked: bool
) -> None:
    expired = expired_ids(fake)
    assert expired
    run = cli(fake, "revoke", "--expired", stdin=answer, tty=True)
    assert f"This will revoke {len(expired)} tokens" in run.out
    assert "cost: 1 write of the hourly budget" in run.out
    assert "Revoke them? [y/N]" in run.err
    assert all(fake.is_revoked(t) for t in expired) is revoked
    assert run.code == (0 if revoked else 1)
    if not revoked:
        assert "nothing was revoked (not confirmed)" in run.err
        assert fake.requests_matching("DELETE", "/tokens*") == []


def test_explicit_ids_are_revoked_without_asking(fake: FakeFastly) -> None:
    ids = add(fake, 2)
    run = cli(fake, "revoke", *ids, tty=True)
    assert run.code == 0, run.err
    assert "Revoke them?" not in run.err
    assert all(fake.is_revoked(i) for i in ids)


@pytest.mark.parametrize("where", ["no/such/dir/j.jsonl", "."])
def test_an_unusable_journal_is_one_line_and_exit_2_before_any_write(
    fake: FakeFastly, tmp_path: Path, where: str
) -> None:
    ids = add(fake, 2)
    run = cli(fake, "revoke", *ids, "--journal", str(tmp_path / where))
    assert run.code == 2
    assert run.err.startswith("fastly-tokens: error: cannot open the journal")
    assert len(run.err.splitlines()) == 1
    assert fake.requests_matching("DELETE", "/tokens*") == []


def test_a_journal_of_another_caller_is_refused(fake: FakeFastly, tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    ids = add(fake, 2)
    other = fake.world.foreign_token.access_token
    assert cli(fake, "revoke", *ids, "--journal", str(journal), token=other).code == 0
    run = cli(fake, "revoke", *ids, "--journal", str(journal))
    assert run.code == 2
    assert "records a job of another customer_id and user_id" in run.err
    assert not any(fake.is_revoked(i) for i in ids)


def test_no_criterion_and_all(fake: FakeFastly) -> None:
    run = cli(fake, "revoke", "--all", "--dry-run", "--json")
    assert run.code == 0, run.err
    assert set(run.json()["ids"]) == live_ids(fake) - {fake.token_id}
    assert run.json()["writes"] == 1


def test_create_without_a_username_uses_the_key_after_sudo(fake: FakeFastly) -> None:
    run = cli(fake, "create", "--password-stdin", "--name", "via key", stdin=DEMO_PASSWORD)
    assert run.code == 0, run.err
    created = next(t for t in fake.tokens_of(fake.user) if t.name == "via key")
    assert run.out.count(created.access_token) == 1
    assert [r.path for r in fake.requests_matching("POST")] == ["/sudo", "/tokens"]
    assert DEMO_PASSWORD not in run.out + run.err
