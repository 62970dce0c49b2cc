"""Every bad input to the job commands ends in one clear line and its documented exit status.

``revoke`` (ids, files, selections, job options, ``--journal``, ``--secret -``),
``automation``, ``inventory``, ``audit`` (``--config``, each rule's flag), ``rotate`` and
``demo``. Each row runs the whole command in this process; ``support.bad_input`` says what
every row is checked for.
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
from .support.cli import KEY


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeFastly]:
    with make_fake().serve_in_thread() as running:
        yield running


@pytest.fixture
def values(tmp_path: Path, fake: FakeFastly) -> dict[str, str]:
    return make_files(tmp_path, fake)


CASES = [
    # -- revoke: ids and files --------------------------------------------------------
    case("revoke-nothing", "revoke", 2, "no ids given: pass ids, --file PATH"),
    case("revoke-the-key", ("revoke", KEY), 2, "ID 1 looks like an API key"),
    case("revoke-the-key-and-junk", ("revoke", UNKNOWN_ID, KEY + ".x"), 2, "ID 2 looks like"),
    case("revoke-junk-and-the-key", ("revoke", "x" + KEY), 2, "ID 1 looks like an API key"),
    case("revoke-a-piece-of-the-key", ("revoke", KEY[4:24]), 2, "ID 1 looks like an API key"),
    case("revoke-another-key", ("revoke", OTHER_KEY + "!"), 2, "ID 1 looks like an API key"),
    case("revoke-missing-file", "revoke --file {tmp}/nosuch", 2, "cannot read ids from"),
    case("revoke-folder-as-file", "revoke --file {tmp}/dir", 2, "Is a directory"),
    case("revoke-binary-file", "revoke --file {tmp}/binary", 2, "not UTF-8 text"),
    case("revoke-stdin-twice", "revoke --file - --file -", 2, "can be given only once"),
    case("revoke-key-on-stdin", "revoke --file -", 2, "id 1 of - looks like", stdin=KEY),
    case("revoke-key-in-a-file", "revoke --file {tmp}/keys.txt", 2, "id 2 of {tmp}/keys.txt"),
    case("revoke-ids-and-criteria", ("revoke", "--expired", UNKNOWN_ID), 2, "not both"),
    case("revoke-owner-alone", "revoke --owner abc", 2, "--owner and --customer narrow"),
    case("revoke-customer-alone", "revoke --customer abc", 2, "--owner and --customer narrow"),
    case("revoke-bad-owner", "revoke --expired --owner bad/id", 2, "--owner must be 1 to 64"),
    case("revoke-key-customer", ("revoke", "--all", "--customer", KEY), 2, "--customer looks"),
    case(
        "revoke-current",
        "revoke {current}",
        2,
        "is the token this command runs with; revoking it would fail every later request",
        sent="reads",
    ),
    case(
        "revoke-selection-unconfirmed",
        "revoke --expired",
        2,
        "a selection is revoked only when confirmed, and standard input is not a terminal",
        sent="reads",
    ),
    # -- revoke: criteria and job options ---------------------------------------------
    case("revoke-bad-date", "revoke --unused-since yesterday", 2, "--unused-since: not an ISO"),
    case("revoke-negative-days", "revoke --unused-since -5d", 2, "expected one argument"),
    case("revoke-bad-month", "revoke --created-before 2025-13-01", 2, "--created-before: not"),
    case("revoke-where-nothing", "revoke --where", 2, "expected at least one argument"),
    case("revoke-where-unknown", "revoke --where nonsense", 2, "unknown clause 'nonsense'"),
    case("revoke-where-no-value", "revoke --where name", 2, "--where name takes one value"),
    case("revoke-where-a-value", "revoke --where expired x", 2, "--where expired takes no"),
    case("revoke-where-bad-date", "revoke --where unused-since x", 2, "--where unused-since:"),
    case("revoke-bad-kind", "revoke --kind robot --all", 2, "invalid choice: 'robot'"),
    case("revoke-bad-strategy", "revoke --strategy fast abc", 2, "invalid choice: 'fast'"),
    case("revoke-zero-chunk", "revoke --chunk-size 0 abc", 2, "must be at least 1, got 0"),
    case("revoke-word-chunk", "revoke --chunk-size x abc", 2, "not a whole number: 'x'"),
    case("revoke-zero-concurrency", "revoke --concurrency 0 abc", 2, "must be at least 1"),
    case(
        "revoke-journal-no-folder",
        ("revoke", "--journal", "{tmp}/nosuch/j.jsonl", UNKNOWN_ID),
        2,
        "cannot open the journal {tmp}/nosuch/j.jsonl: No such file or directory",
        sent="reads",
    ),
    case(
        "revoke-journal-folder",
        ("revoke", "--journal", "{tmp}/dir", UNKNOWN_ID),
        2,
        "Is a directory",
        sent="reads",
    ),
    case(
        "revoke-journal-not-a-journal",
        ("revoke", "--journal", "{tmp}/ids.txt", UNKNOWN_ID),
        2,
        "--journal {tmp}/ids.txt is not a journal",
    ),
    case(
        "revoke-journal-of-another-caller",
        ("revoke", "--journal", "{tmp}/theirs.jsonl", UNKNOWN_ID),
        2,
        "records a job of another customer_id and user_id",
        sent="reads",
    ),
    # -- revoke --secret -------------------------------------------------------------------
    case("secret-as-argument", ("revoke", "--secret", OTHER_KEY), 2, "--secret takes '-' only"),
    case("secret-not-dash", "revoke --secret x", 2, "--secret takes '-' only"),
    case("secret-empty-stdin", "revoke --secret -", 2, "standard input held no secret"),
    case("secret-and-ids", ("revoke", "--secret", "-", UNKNOWN_ID), 2, "give no ids or --file"),
    case("secret-and-file", "revoke --secret - --file {tmp}/ids.txt", 2, "give no ids"),
    # -- automation -------------------------------------------------------------------
    case("automation-no-action", "automation", 2, "the following arguments are required: ACTION"),
    case("automation-unknown", "automation nosuch", 2, "invalid choice: 'nosuch'"),
    case("automation-list-user", "automation list", 1, "-> 403", sent="reads"),
    case("automation-get-no-id", "automation get", 2, "the following arguments are required"),
    case("automation-get-bad-id", "automation get bad/id", 2, "ID must be 1 to 64"),
    case("automation-get-key", ("automation", "get", KEY), 2, "ID looks like an API key"),
    case(
        "automation-get-unknown",
        ("automation", "get", UNKNOWN_ID),
        1,
        "-> 404",
        token="{superuser_key}",
        sent="reads",
    ),
    case("automation-create-no-name", "automation create", 2, "required: --name"),
    case("automation-create-no-password", "automation create --name x", 2, "no password"),
    case(
        "automation-create-two-roles",
        "automation create --name x --role engineer --roles r1",
        2,
        "not allowed with argument --role",
    ),
    case(
        "automation-create-unknown-scope",
        "automation create --name x --scope purge_everything --password-stdin",
        2,
        "--scope 'purge_everything' is not a scope",
        stdin=DEMO_PASSWORD,
    ),
    case(
        "automation-create-bad-expiry",
        "automation create --name x --expires-at never",
        2,
        "--expires-at: not an ISO",
    ),
    case(
        "automation-create-not-superuser",
        "automation create --name x --password-stdin",
        1,
        "only a superuser may create automation tokens",
        stdin=DEMO_PASSWORD,
        sent="reads",
    ),
    case(
        "automation-create-wrong-password",
        "automation create --name x --password-stdin",
        1,
        "sudo mode was refused",
        stdin=WRONG,
        token="{superuser_key}",
        sent="any",
    ),
    case("automation-revoke-nothing", "automation revoke", 2, "no ids given"),
    case("automation-revoke-key", ("automation", "revoke", KEY + ".x"), 2, "ID 1 looks like"),
    case("automation-revoke-user", "automation revoke --expired --yes", 1, "-> 403", sent="reads"),
    # -- inventory and audit ----------------------------------------------------------------
    case("inventory-two-formats", "inventory --json --csv", 2, "not allowed with argument"),
    case("inventory-bad-customer", "inventory --customer bad/id", 2, "--customer must be"),
    case("inventory-key-customer", ("inventory", "--customer", KEY), 2, "--customer looks"),
    case("audit-missing-config", "audit --config {tmp}/nosuch.toml", 2, "No such file"),
    case("audit-folder-config", "audit --config {tmp}/dir", 2, "Is a directory"),
    case("audit-binary-config", "audit --config {tmp}/binary", 2, "not UTF-8 text"),
    case("audit-not-toml", "audit --config {tmp}/notoml.toml", 2, "not TOML"),
    case("audit-bad-value", "audit --config {tmp}/badvalue.toml", 2, "unused_days must be"),
    case("audit-unknown-key", "audit --config {tmp}/unknown.toml", 2, "unknown [audit] keys"),
    case("audit-huge-days", "audit --config {tmp}/huge.toml", 2, "at most 36,500 days"),
    case("audit-word-days", "audit --expires-within x", 2, "not a whole number of days"),
    case("audit-negative-days", "audit --expires-within -1", 2, "must be 0 or more, got -1"),
    case("audit-fraction", "audit --unused 1.5", 2, "not a whole number of days or 'off'"),
    case("audit-empty-days", ("audit", "--never-used", ""), 2, "not a whole number of days"),
    case("audit-too-many-days", "audit --older-than 99999999999999999999", 2, "at most 36,500"),
    case("audit-flag-with-value", "audit --never-expires=yes", 2, "ignored explicit argument"),
    case("audit-bad-customer", "audit --customer bad/id", 2, "--customer must be 1 to 64"),
    case(
        "audit-findings",
        "audit",
        3,
        "partial view: this key's user is not a superuser",
        sent="reads",
        stdout=True,
    ),
    # -- rotate -------------------------------------------------------------------------
    case("rotate-no-id", "rotate", 2, "the following arguments are required: ID"),
    case("rotate-bad-id", "rotate bad/id", 2, "ID must be 1 to 64"),
    case("rotate-key", ("rotate", KEY), 2, "ID looks like an API key"),
    case("rotate-bad-grace", f"rotate {UNKNOWN_ID} --grace x --wait", 2, "--grace: not a dur"),
    case("rotate-negative-grace", f"rotate {UNKNOWN_ID} --grace -5m", 2, "expected one argument"),
    case("rotate-grace-alone", f"rotate {UNKNOWN_ID} --grace 2h", 2, "--grace needs --journal"),
    case("rotate-long-grace", f"rotate {UNKNOWN_ID} --grace 400d --wait", 2, "at most 365 days"),
    case(
        "rotate-huge-grace",
        f"rotate {UNKNOWN_ID} --grace 99999999999999999999d --wait",
        2,
        "--grace: at most 365 days",
    ),
    case(
        "rotate-existing-secret-file",
        f"rotate {UNKNOWN_ID} --secret-file {{tmp}}/ids.txt",
        2,
        "exists: the new secret goes to a new file only",
    ),
    case(
        "rotate-secret-file-no-folder",
        f"rotate {UNKNOWN_ID} --secret-file {{tmp}}/nosuch/secret",
        2,
        "--secret-file {tmp}/nosuch/secret: no such folder",
    ),
    case(
        "rotate-journal-not-a-journal",
        f"rotate {UNKNOWN_ID} --journal {{tmp}}/ids.txt",
        2,
        "--journal {tmp}/ids.txt is not a journal",
    ),
    case(
        "rotate-journal-folder",
        f"rotate {UNKNOWN_ID} --journal {{tmp}}/dir --password-stdin",
        2,
        "cannot open the journal",
        stdin=DEMO_PASSWORD,
    ),
    case("rotate-no-password", f"rotate {UNKNOWN_ID}", 2, "no password"),
    case(
        "rotate-unknown",
        f"rotate {UNKNOWN_ID} --password-stdin",
        1,
        "-> 404",
        stdin=DEMO_PASSWORD,
        sent="reads",
    ),
    case(
        "rotate-wrong-password",
        "rotate {current} --password-stdin",
        1,
        "sudo mode was refused",
        stdin=WRONG,
        sent="any",
    ),
    # -- demo ---------------------------------------------------------------------------
    case("demo-no-tokens", "demo --tokens 0", 2, "--tokens: must be at least 1, got 0"),
    case("demo-word-tokens", "demo --tokens x", 2, "--tokens: not a whole number"),
    case("demo-too-many-tokens", "demo --tokens 100001", 2, "must be at most 100,000"),
    case("demo-bad-seed", "demo --seed x", 2, "--seed: invalid int value: 'x'"),
    case("demo-bad-strategy", "demo --strategy x", 2, "invalid choice: 'x'"),
    case("demo-zero-chunk", "demo --chunk-size 0", 2, "--chunk-size: must be at least 1"),
    case("demo-zero-concurrency", "demo --concurrency 0", 2, "--concurrency: must be at least"),
    case(
        "demo-base-url",
        "demo --base-url https://api.fastly.com",
        2,
        "demo runs on its own embedded fake Fastly: --base-url cannot apply",
    ),
    case("demo-token", ("--token", OTHER_KEY, "demo"), 2, "--token cannot apply"),
    case("demo-insecure", "demo --allow-insecure-http", 2, "--allow-insecure-http cannot"),
]


@pytest.mark.parametrize("bad", CASES)
def test_a_bad_input_ends_in_one_line_and_its_exit_status(
    bad: Case, fake: FakeFastly, values: dict[str, str]
) -> None:
    check_case(bad, fake, values)
