"""``fastly-tokens automation``: list, get, create and revoke, in-process against the fake."""

from __future__ import annotations

import pytest

from fastly_tokens.testing import DEMO_PASSWORD, FakeFastly

from .support.cli import Run, run_cli


@pytest.fixture
def fake(fake_fastly: FakeFastly) -> FakeFastly:
    return fake_fastly


def admin(fake: FakeFastly, *argv: str, **options: object) -> Run:
    """Run the command as the fake's superuser."""
    return run_cli(*argv, base_url=fake.base_url, token=fake.superuser_key, **options)  # type: ignore[arg-type]  # pass-through


def test_list_reads_every_page_as_a_table_and_as_json(fake: FakeFastly) -> None:
    made = [fake.add_automation_token(name=f"ci {i}", role="engineer").id for i in range(250)]
    run = admin(fake, "automation", "list", "--json")
    assert run.code == 0, run.err
    assert [t["id"] for t in run.json()] == made
    assert {t["role"] for t in run.json()} == {"engineer"}
    table = admin(fake, "automation", "list")
    assert table.code == 0, table.err
    assert "250 automation tokens" in table.out
    assert "role" in table.out
    assert "engineer" in table.out


def test_get_shows_the_token_and_its_services(fake: FakeFastly) -> None:
    token = fake.add_automation_token(name="svc", services=["SvcAAAAAAAAAAAAAAAAAAA"])
    run = admin(fake, "automation", "get", token.id, "--json")
    assert run.code == 0, run.err
    assert run.json()["services"] == ["SvcAAAAAAAAAAAAAAAAAAA"]
    shown = admin(fake, "automation", "get", token.id)
    assert "automation token" in shown.out
    assert "services: SvcAAAAAAAAAAAAAAAAAAA" in shown.out


def test_create_prints_the_secret_once_and_masks_the_password(fake: FakeFastly) -> None:
    run = admin(
        fake,
        "automation",
        "create",
        "--name",
        "deploy",
        "--role",
        "billing",
        "--password-stdin",
        stdin=DEMO_PASSWORD + "\n",
    )
    assert run.code == 0, run.err
    (created,) = [t for t in fake.automation_tokens() if t.name == "deploy"]
    assert created.role == "billing"
    assert run.out.count(created.access_token) == 1
    assert "shown only this once" in run.out
    assert DEMO_PASSWORD not in run.out + run.err
    assert [r.path for r in fake.requests_matching("POST")] == ["/sudo", "/automation-tokens"]


def test_create_as_a_non_superuser_is_one_line_and_no_write(fake: FakeFastly) -> None:
    run = run_cli(
        "automation",
        "create",
        "--name",
        "x",
        "--password-stdin",
        base_url=fake.base_url,
        token=fake.key,
        stdin=DEMO_PASSWORD,
    )
    assert run.code == 1
    assert "only a superuser may create automation tokens" in run.err
    assert len(run.err.splitlines()) == 1
    assert fake.requests_matching("POST") == []


def test_revoke_by_role_asks_nothing_with_yes_and_revokes_only_those(fake: FakeFastly) -> None:
    engineer = fake.add_automation_token(name="eng", role="engineer").id
    billing = fake.add_automation_token(name="bill", role="billing").id
    users = fake.add_token(name="a user token").id
    run = admin(fake, "automation", "revoke", "--role", "engineer", "--yes", "--json")
    assert run.code == 0, run.err
    assert [r["id"] for r in run.json()["results"]] == [engineer]
    revoked = {t.id for t in fake.automation_tokens(include_revoked=True) if t.revoked}
    assert revoked == {engineer}
    assert billing not in revoked
    assert not fake.is_revoked(users)


def test_revoke_takes_both_kinds_of_ids(fake: FakeFastly) -> None:
    machine = fake.add_automation_token(name="m").id
    person = fake.add_token(name="p").id
    run = admin(fake, "revoke", machine, person, "--json")
    assert run.code == 0, run.err
    assert {r["outcome"] for r in run.json()["results"]} == {"revoked"}
    assert fake.is_revoked(person)
    assert [t.revoked for t in fake.automation_tokens(include_revoked=True) if t.id == machine] == [
        True
    ]
