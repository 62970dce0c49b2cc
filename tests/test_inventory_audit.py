"""The inventory and the audit from Python, on the fake's realistic account.

Each audit rule must flag exactly the seeded tokens that break it: the seed names them
(``fake.account.by_rule``) by its own categories, and ``flagged_by(rule)`` maps them onto the
audit's rules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fastly_tokens import (
    RULES,
    AuditPolicy,
    FastlyAsync,
    Inventory,
    PermissionDeniedError,
    audit,
    load_policy,
)
from fastly_tokens.testing import FakeClock, FakeFastly
from fastly_tokens.testing._seed_account import AUDIT_RULES


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakeFastly]:
    async with FakeFastly(clock=clock, seed_account=True, seed=11) as server:
        yield server


@pytest.fixture
async def inventory(fake: FakeFastly, clock: FakeClock) -> Inventory:
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url, clock=clock) as admin:
        return await admin.inventory()


def expected(fake: FakeFastly, rule: str) -> frozenset[str]:
    assert fake.account is not None
    return fake.account.flagged_by(rule)


def test_the_seed_names_what_every_rule_must_flag() -> None:
    assert set(AUDIT_RULES) == set(RULES)


async def test_a_superuser_sees_every_token_of_the_customer_with_its_owner(
    fake: FakeFastly, inventory: Inventory
) -> None:
    account = fake.account
    assert account is not None
    everything = {
        t.id for t in fake.store.tokens.values() if t.customer_id == fake.world.customer.id
    }
    assert {e.token.id for e in inventory.entries} == everything
    assert not inventory.partial
    assert inventory.note is None
    automation = {e.token.id for e in inventory.of_kind("automation")}
    assert automation == {t.id for t in account.automation}
    for entry in inventory.of_kind("user"):
        fake_token = fake.token(entry.token.id)
        assert fake_token is not None
        if fake_token.user_id == account.departed_user.id:
            assert entry.owner is None
            assert entry.owner_status == "gone"
        else:
            assert entry.owner is not None
            assert entry.owner.id == fake_token.user_id
    locked = [e for e in inventory.entries if e.owner_status == "locked"]
    assert {e.token.id for e in locked} == {t.id for t in account.by_rule["locked_owner"]}
    assert all(e.owner_status == "account" for e in inventory.of_kind("automation"))
    (current,) = [e for e in inventory.entries if e.current]
    assert current.token.id == fake.world.superuser_token.id


async def test_the_inventory_is_reads_only_and_counts_them(
    fake: FakeFastly, clock: FakeClock
) -> None:
    fake.reset_requests()
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url, clock=clock) as admin:
        taken = await admin.inventory()
    assert {r.method for r in fake.requests} == {"GET"}
    assert taken.reads == len(fake.requests)
    assert fake.rate_limit_remaining(fake.world.superuser) == 1000  # no budget spent


async def test_anyone_else_gets_their_own_tokens_marked_partial(
    fake: FakeFastly, clock: FakeClock
) -> None:
    async with FastlyAsync(fake.key, base_url=fake.base_url, clock=clock) as user:
        own = await user.inventory()
        with pytest.raises(PermissionDeniedError):
            await user.inventory(fake.world.customer.id)  # asked for by name: the refusal is theirs
    assert own.partial
    assert own.note is not None
    assert "partial" in own.note
    assert {e.token.id for e in own.entries} == {t.id for t in fake.tokens_of(fake.user)}
    assert {e.owner.id for e in own.entries if e.owner} == {fake.user.id}


@pytest.mark.parametrize("rule", RULES)
async def test_each_rule_flags_exactly_the_seeded_tokens_that_break_it(
    fake: FakeFastly, inventory: Inventory, rule: str
) -> None:
    report = audit(inventory)
    flagged = {f.token_id for f in report.findings if f.rule == rule}
    assert flagged == expected(fake, rule)
    assert flagged  # the seed breaks every rule at least once


async def test_clean_tokens_break_no_rule_and_findings_name_owner_and_rule(
    fake: FakeFastly, inventory: Inventory
) -> None:
    assert fake.account is not None
    report = audit(inventory)
    clean = {t.id for t in fake.account.clean}
    assert not clean & {f.token_id for f in report.findings}
    assert not report.ok
    assert report.checked == len(inventory)
    for finding in report.findings:
        fake_token = fake.token(finding.token_id)
        assert fake_token is not None
        assert finding.token_name == fake_token.name
        if finding.kind == "user" and fake_token.user_id != fake.account.departed_user.id:
            owner = fake.find_user(fake_token.user_id)
            assert owner is not None
            assert finding.owner == owner.username
        assert finding.message
    assert [f.rule for f in report.findings] == sorted(
        (f.rule for f in report.findings), key=RULES.index
    )


async def test_a_rule_turned_off_flags_nothing_and_a_threshold_moves_the_line(
    fake: FakeFastly, inventory: Inventory
) -> None:
    off = audit(inventory, AuditPolicy(never_expires=False, unused_days=None))
    assert not [f for f in off.findings if f.rule in ("never_expires", "unused")]
    assert {f.token_id for f in off.findings if f.rule == "expires_soon"} == expected(
        fake, "expires_soon"
    )
    wider = audit(inventory, AuditPolicy(expires_within_days=400))
    assert {f.token_id for f in wider.findings if f.rule == "expires_soon"} > expected(
        fake, "expires_soon"
    )


async def test_ignored_names_and_expired_tokens_are_not_flagged(
    fake: FakeFastly, inventory: Inventory, clock: FakeClock
) -> None:
    assert fake.account is not None
    (stale, *_) = fake.account.by_rule["stale"]
    report = audit(inventory, AuditPolicy(ignore_names=[stale.name]))
    assert stale.id not in {f.token_id for f in report.findings}
    later = audit(inventory, now=inventory.taken_at + timedelta(days=10))
    soon = expected(fake, "expires_soon")
    assert not soon & {f.token_id for f in later.findings}  # expired by then: they work no more


def test_a_policy_file_sets_and_turns_off_rules(tmp_path: Path) -> None:
    path = tmp_path / "audit.toml"
    path.write_text(
        "[audit]\nexpires_within_days = 30\nunused_days = false\nnever_expires = false\n"
        'ignore_names = ["manage.fastly.com browser session"]\n'
    )
    policy = load_policy(path)
    assert policy.expires_within_days == 30
    assert policy.unused_days is None
    assert policy.never_expires is False
    assert policy.ignore_names == {"manage.fastly.com browser session"}
    assert policy.older_than_days == AuditPolicy().older_than_days  # the rest: defaults


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[audit]\nunused_dayz = 3\n", "unknown"),
        ("[audit]\nunused_days = -1\n", "unused_days"),
        ("[audit]\nnever_expires = 3\n", "never_expires"),
        ("[audit]\nignore_names = 'x'\n", "ignore_names"),
        ("[audit\n", "not TOML"),
        ("audit = 3\n", "table"),
    ],
)
def test_a_bad_policy_file_names_what_is_wrong(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "audit.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=complaint):
        load_policy(path)


def test_the_defaults_are_the_documented_ones() -> None:
    policy = AuditPolicy()
    assert (policy.expires_within_days, policy.unused_days, policy.never_used_days) == (14, 90, 30)
    assert policy.older_than_days == 90
    assert policy.never_expires
    assert policy.global_all_services
    assert policy.owner_locked_or_gone
    assert policy.automation_engineer_unlimited
    with pytest.raises(ValueError, match="whole number"):
        AuditPolicy(unused_days=True)  # a bool is an int to Python, not a number of days


async def test_an_automation_tokens_key_takes_an_inventory_of_nobodys_tokens(
    fake: FakeFastly, clock: FakeClock
) -> None:
    robot = fake.add_automation_token(name="inventory bot", role="engineer")
    async with FastlyAsync(robot.access_token, base_url=fake.base_url, clock=clock) as bot:
        taken = await bot.inventory()
    # It is nobody's (GET /current_user: 404), and no superuser: its own view, partial.
    assert taken.partial
    assert taken.users == ()


async def test_an_expiry_within_a_day_is_said_in_hours(fake: FakeFastly, clock: FakeClock) -> None:
    token = fake.add_token(name="short", services=["SvcAAAAAAAAAAAAAAAAAAA"])
    token.expires_at = datetime.fromtimestamp(clock() + 5 * 3600 + 60, UTC)
    async with FastlyAsync(fake.key, base_url=fake.base_url, clock=clock) as user:
        taken = await user.inventory()
    (finding,) = [f for f in audit(taken).findings if f.token_id == token.id]
    assert finding.rule == "expires_soon"
    assert finding.message.startswith("expires in 5 hours")


def test_a_name_is_no_list_of_names() -> None:
    with pytest.raises(TypeError, match="list of names"):
        AuditPolicy(ignore_names="deploy")
