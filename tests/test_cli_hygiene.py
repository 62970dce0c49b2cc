"""``inventory``, ``audit``, ``rotate`` and ``revoke --secret -``, in-process against the fake.

Every run is checked for secrets (the seeded keys, and any secret handed to it) and for
tracebacks by ``run_cli``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from fastly_tokens import RULES
from fastly_tokens.testing import DEMO_PASSWORD, FakeFastly

from .support.cli import Run, run_cli

SERVICE = "SvcAAAAAAAAAAAAAAAAAAA"


@pytest.fixture
def fake() -> Iterator[FakeFastly]:
    with FakeFastly(seed_account=True, seed=4).serve_in_thread() as server:
        yield server


def as_admin(fake: FakeFastly, *argv: str, **options: object) -> Run:
    return run_cli(
        *argv,
        base_url=fake.base_url,
        token=fake.superuser_key,
        secrets=[fake.key, fake.superuser_key, DEMO_PASSWORD],
        **options,  # type: ignore[arg-type]  # pass-through
    )


def as_user(fake: FakeFastly, *argv: str, **options: object) -> Run:
    return run_cli(
        *argv,
        base_url=fake.base_url,
        token=fake.key,
        secrets=[fake.key, fake.superuser_key, DEMO_PASSWORD],
        **options,  # type: ignore[arg-type]  # pass-through
    )


def customer_tokens(fake: FakeFastly) -> set[str]:
    return {t.id for t in fake.store.tokens.values() if t.customer_id == fake.world.customer.id}


def expected(fake: FakeFastly, rule: str) -> frozenset[str]:
    assert fake.account is not None
    return fake.account.flagged_by(rule)


# -- inventory ------------------------------------------------------------------------------


def test_inventory_lists_every_token_with_its_owner(fake: FakeFastly) -> None:
    run = as_admin(fake, "inventory", env={"COLUMNS": "250"})
    assert run.code == 0, run.err
    everything = customer_tokens(fake)
    assert run.out.splitlines()[0].startswith(f"{len(everything)} tokens (5 automation)")
    assert "(no write)" in run.out
    for token_id in everything:
        assert token_id in run.out
    assert "alice@example.com" in run.out
    assert "current" in run.out


def test_inventory_as_json_joins_owners(fake: FakeFastly) -> None:
    run = as_admin(fake, "inventory", "--json")
    assert run.code == 0, run.err
    document = run.json()
    assert document["partial"] is False
    assert {t["id"] for t in document["tokens"]} == customer_tokens(fake)
    for entry in document["tokens"]:
        if entry["kind"] == "automation":
            assert entry["owner_status"] == "account"
            continue
        token = fake.token(entry["id"])
        assert token is not None
        if entry["owner_status"] == "gone":
            assert entry["owner"] is None
        else:
            assert entry["owner"]["id"] == token.user_id


def test_inventory_as_csv_for_a_spreadsheet(fake: FakeFastly) -> None:
    run = as_admin(fake, "inventory", "--csv")
    assert run.code == 0, run.err
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert {r["id"] for r in rows} == customer_tokens(fake)
    assert fake.account is not None
    locked = {t.id for t in fake.account.by_rule["locked_owner"]}
    assert {r["id"] for r in rows if r["owner_status"] == "locked"} == locked
    assert {r["kind"] for r in rows} == {"user", "automation"}


def test_inventory_of_someone_else_says_it_is_partial(fake: FakeFastly) -> None:
    run = as_user(fake, "inventory", "--json")
    assert run.code == 0, run.err
    assert run.json()["partial"] is True
    table = as_user(fake, "inventory")
    assert "partial view" in table.err
    assert table.out.startswith("1 token (0 automation), 1 owner, ")


# -- audit ----------------------------------------------------------------------------------


def test_audit_exits_3_and_names_each_token_its_owner_and_rule(fake: FakeFastly) -> None:
    run = as_admin(fake, "audit", "--json")
    assert run.code == 3
    document = run.json()
    assert document["ok"] is False
    for rule in RULES:
        flagged = {f["token_id"] for f in document["findings"] if f["rule"] == rule}
        assert flagged == expected(fake, rule), rule
    assert document["policy"]["unused_days"] == 90
    table = as_admin(fake, "audit", env={"COLUMNS": "250"})
    assert table.code == 3
    assert "findings" in table.out.splitlines()[0]
    assert "by rule: expires_soon 3" in table.out


def test_audit_with_every_rule_off_passes(fake: FakeFastly) -> None:
    run = as_admin(
        fake,
        "audit",
        "--expires-within",
        "off",
        "--unused",
        "off",
        "--never-used",
        "off",
        "--older-than",
        "off",
        "--no-never-expires",
        "--no-global-all-services",
        "--no-owner-locked-or-gone",
        "--no-automation-engineer-unlimited",
    )
    assert run.code == 0, run.out
    assert "no rule broken" in run.out


def test_audit_reads_a_config_file_and_flags_win_over_it(fake: FakeFastly, tmp_path: Path) -> None:
    config = tmp_path / "audit.toml"
    config.write_text(
        "[audit]\nexpires_within_days = false\nnever_expires = false\nunused_days = 1000\n"
    )
    run = as_admin(fake, "audit", "--config", str(config), "--older-than", "off", "--json")
    assert run.code == 3
    rules = {f["rule"] for f in run.json()["findings"]}
    assert not rules & {"expires_soon", "never_expires", "unused", "rotation_due"}
    assert "never_used" in rules
    flags = as_admin(fake, "audit", "--config", str(config), "--expires-within", "14", "--json")
    flagged = {f["token_id"] for f in flags.json()["findings"] if f["rule"] == "expires_soon"}
    assert flagged == expected(fake, "expires_soon")


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--config", "missing.toml"], "cannot read missing.toml"),
        (["--unused", "soon"], "not a whole number of days"),
        (["--older-than", "-3"], "0 or more"),
    ],
)
def test_audit_refuses_bad_rules_in_one_line(
    fake: FakeFastly, argv: list[str], complaint: str
) -> None:
    run = as_admin(fake, "audit", *argv)
    assert run.code == 2
    assert complaint in run.err
    assert len(run.err.strip().splitlines()) <= 2  # the error, and at most a usage hint


def test_a_bad_config_file_is_one_line_naming_the_key(fake: FakeFastly, tmp_path: Path) -> None:
    config = tmp_path / "audit.toml"
    config.write_text("[audit]\nunused_dayz = 3\n")
    run = as_admin(fake, "audit", "--config", str(config))
    assert run.code == 2
    assert "unused_dayz" in run.err


# -- rotate ---------------------------------------------------------------------------------


def rotate(fake: FakeFastly, *argv: str) -> tuple[Run, str]:
    old = fake.add_token(name="deploy", scope="purge_all", services=[SERVICE])
    run = as_user(fake, "rotate", old.id, "--password-stdin", *argv, stdin=DEMO_PASSWORD + "\n")
    return run, old.id


def successor_of(fake: FakeFastly, old_id: str) -> str:
    (new,) = [
        t
        for t in fake.tokens_of(fake.user)
        if t.name.startswith("deploy (rotated") and t.id != old_id
    ]
    return new.access_token


def test_rotate_prints_the_secret_alone_and_the_steps_on_stderr(fake: FakeFastly) -> None:
    run, old_id = rotate(fake)
    assert run.code == 0, run.err
    secret = successor_of(fake, old_id)
    assert run.out == secret + "\n"  # alone on standard output: `$(fastly-tokens rotate ...)`
    assert fake.is_revoked(old_id)
    steps = [line.split(":")[0] for line in run.err.splitlines()]
    assert steps == [
        "planned", "creating", "created", "verified", "handed_over", "revoked_old", "done"
    ]  # fmt: skip
    assert secret not in run.err


def test_rotate_to_a_secret_file_of_mode_0600_and_nowhere_else(
    fake: FakeFastly, tmp_path: Path
) -> None:
    path = tmp_path / "new-secret"
    run, old_id = rotate(fake, "--secret-file", str(path))
    assert run.code == 0, run.err
    secret = successor_of(fake, old_id)
    assert path.read_text() == secret + "\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret not in run.text


def test_rotate_refuses_an_existing_secret_file_before_any_write(
    fake: FakeFastly, tmp_path: Path
) -> None:
    path = tmp_path / "new-secret"
    path.write_text("keep me")
    fake.reset_requests()
    run, old_id = rotate(fake, "--secret-file", str(path))
    assert run.code == 2
    assert "exists" in run.err
    assert path.read_text() == "keep me"
    assert fake.requests == []
    assert not fake.is_revoked(old_id)


def test_rotate_as_json_holds_the_secret_once(fake: FakeFastly) -> None:
    run, old_id = rotate(fake, "--json")
    assert run.code == 0, run.err
    secret = successor_of(fake, old_id)
    document = run.json()
    assert document["access_token"] == secret
    assert run.out.count(secret) == 1
    assert document["state"] == "done"
    assert document["old_id"] == old_id


def test_rotate_with_a_grace_period_leaves_the_old_token_for_a_later_run(
    fake: FakeFastly, tmp_path: Path
) -> None:
    journal = tmp_path / "rotation.jsonl"
    run, old_id = rotate(fake, "--grace", "2h", "--journal", str(journal))
    assert run.code == 0, run.err
    assert not fake.is_revoked(old_id)
    assert "stays valid until" in run.err
    assert json.loads(journal.read_text().splitlines()[-1])["step"] == "handed_over"
    refused, _ = rotate(fake, "--grace", "2h")
    assert refused.code == 2
    assert "--journal" in refused.err


# -- revoke --secret - ----------------------------------------------------------------------


def report_leak(fake: FakeFastly, secret: str, *argv: str, secrets: Sequence[str] = ()) -> Run:
    """Run ``revoke --secret -`` as the security team (the superuser), the secret on stdin."""
    return run_cli(
        "revoke",
        "--secret",
        "-",
        *argv,
        base_url=fake.base_url,
        token=fake.superuser_key,
        stdin=secret + "\n",
        secrets=[secret, fake.superuser_key, *secrets],
        env={"COLUMNS": "200"},
    )


def test_a_leaked_secret_from_stdin_is_revoked_and_never_echoed(fake: FakeFastly) -> None:
    leaked = fake.add_token(name="leaked ci key")
    run = report_leak(fake, leaked.access_token)
    assert run.code == 0, run.err
    assert fake.is_revoked(leaked.id)
    assert f"Revoked token {leaked.id} (leaked ci key), owned by user@example.com" in run.out
    again = report_leak(fake, leaked.access_token, "--json")
    assert again.code == 0
    assert again.json()["outcome"] == "already_revoked"


def test_a_leaked_secret_as_json_lists_its_events(fake: FakeFastly) -> None:
    leaked = fake.add_token(name="leaked")
    run = report_leak(fake, leaked.access_token, "--json")
    assert run.code == 0, run.err
    document = run.json()
    assert document["outcome"] == "revoked"
    assert document["token"]["id"] == leaked.id
    assert [e["event_type"] for e in document["events"]] == ["token.destroy"]


@pytest.mark.parametrize(
    ("argv", "stdin", "complaint"),
    [
        (["--secret", "fakeSecretAAAAAAAAAAAAAAAAAAAAAA"], "", "'-' only"),
        (["--secret", "-"], "", "held no secret"),
        (["--secret", "-", "AAAAAAAAAAAAAAAAAAAAAA"], "x" * 32, "no ids"),
    ],
)
def test_the_leaked_secret_is_read_from_stdin_only(
    fake: FakeFastly, argv: list[str], stdin: str, complaint: str
) -> None:
    run = run_cli(
        "revoke",
        *argv,
        base_url=fake.base_url,
        token=fake.superuser_key,
        stdin=stdin,
        secrets=["fakeSecretAAAAAAAAAAAAAAAAAAAAAA"],
    )
    assert run.code == 2
    assert complaint in run.err


def test_a_leaked_secret_already_gone_says_so_in_one_line(fake: FakeFastly) -> None:
    leaked = fake.add_token(name="gone")
    fake.revoke(leaked.id)
    run = report_leak(fake, leaked.access_token)
    assert run.code == 0
    assert run.out.strip() == (
        "The secret no longer works: Fastly refuses it (already revoked or expired)."
    )


def test_a_leaked_automation_secret_names_the_account_and_what_it_created(
    fake: FakeFastly,
) -> None:
    bot = fake.add_automation_token(name="bot")
    minted = fake.add_token(name="minted")
    # The bot made a token: the record the fake keeps of such a create.
    fake.store.events.token_event("token.create", bot, minted, None, ip="203.0.113.9")
    run = report_leak(fake, bot.access_token, secrets=[minted.access_token])
    assert run.code == 0, run.err
    assert "owned by the account (an automation token)" in run.out
    assert f"fastly-tokens revoke {minted.id}" in run.err
    assert "it created 1 token," in run.err


def test_a_leaked_secret_whose_events_the_caller_may_not_read_says_why(
    fake: FakeFastly,
) -> None:
    leaked = fake.add_token(name="mine")
    run = as_user(
        fake, "revoke", "--secret", "-", stdin=leaked.access_token, env={"COLUMNS": "200"}
    )
    assert run.code == 0, run.err
    assert fake.is_revoked(leaked.id)
    assert "its events could not be read" in run.err


@pytest.mark.parametrize(
    ("argv", "stdin", "complaint"),
    [
        (["--grace", "soon", "--wait"], DEMO_PASSWORD + "\n", "not a duration"),
        ([], "\n", "the password is empty"),
    ],
)
def test_rotate_refuses_bad_input_in_one_line(
    fake: FakeFastly, argv: list[str], stdin: str, complaint: str
) -> None:
    old = fake.add_token(name="deploy")
    fake.reset_requests()
    run = as_user(fake, "rotate", old.id, "--password-stdin", *argv, stdin=stdin)
    assert run.code == 2
    assert complaint in run.err
    assert len(run.err.strip().splitlines()) == 1
    assert not [r for r in fake.requests if r.method != "GET"]


def test_rotate_with_another_rotations_journal_is_a_usage_error(
    fake: FakeFastly, tmp_path: Path
) -> None:
    journal = tmp_path / "job.jsonl"
    journal.write_text('{"fastly_tokens_journal": 1, "endpoint": "https://elsewhere.example"}\n')
    run, old_id = rotate(fake, "--journal", str(journal))
    assert run.code == 2
    assert "journal" in run.err
    assert not fake.is_revoked(old_id)


def test_an_audit_of_ones_own_tokens_says_it_is_partial(fake: FakeFastly) -> None:
    run = as_user(fake, "audit")
    assert run.code == 0, run.out  # the seeded key breaks no rule
    assert "no rule broken" in run.out
    assert "partial view" in run.err
