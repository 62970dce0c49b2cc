"""FakeFastly's realistic account seed: varied, deterministic, and each risk where it says."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
import pytest

from fastly_tokens.testing import FakeAutomationToken, FakeClock, FakeFastly, FakeToken

from .support.fake_http import T0, Make, call

DAY = 86400.0


def account_of(fake: FakeFastly) -> list[FakeToken]:
    """Every token of the seeded customer, user and automation tokens alike."""
    return [t for t in fake.store.tokens.values() if t.customer_id == fake.world.customer.id]


# A reference audit with thresholds inside the seed's documented gaps.
def _owner_state(fake: FakeFastly, token: FakeToken) -> tuple[bool, bool]:
    owner = fake.find_user(token.user_id)
    if owner is None:
        return False, False
    return owner.locked, owner.deleted_at is not None


def rules(fake: FakeFastly) -> dict[str, Callable[[FakeToken], bool]]:
    now = T0
    return {
        "expiring_soon": lambda t: (
            t.expires_at is not None and t.expires_at.timestamp() - now < 14 * DAY
        ),
        "never_expiring": lambda t: t.expires_at is None,
        "never_used": lambda t: t.last_used_at is None,
        "stale": lambda t: (
            t.last_used_at is not None and now - t.last_used_at.timestamp() > 90 * DAY
        ),
        "rotation_due": lambda t: now - t.created_at.timestamp() > 365 * DAY,
        "global_all_services": lambda t: (
            t.kind == "user" and "global" in t.scopes and not t.services
        ),
        "locked_owner": lambda t: _owner_state(fake, t)[0],
        "departed_owner": lambda t: _owner_state(fake, t)[1],
        "engineer_unlimited": lambda t: (
            isinstance(t, FakeAutomationToken) and t.role == "engineer" and not t.services
        ),
    }


def test_each_risk_is_exactly_the_tokens_the_seed_names_for_it(clock: FakeClock) -> None:
    fake = FakeFastly(clock=clock, seed_account=True, seed=5)
    account = fake.account
    assert account is not None
    everything = account_of(fake)

    for rule, breaks in rules(fake).items():
        found = {t.id for t in everything if breaks(t)}
        assert found == {t.id for t in account.by_rule[rule]}, rule
        assert found, rule
    assert not any(breaks(t) for t in account.clean for breaks in rules(fake).values())
    assert {t.id for t in account.clean} >= {fake.token_id, fake.world.superuser_token.id}


def test_the_account_is_a_few_dozen_tokens_over_varied_users(clock: FakeClock) -> None:
    fake = FakeFastly(clock=clock, seed_account=True, seed=5)
    account = fake.account
    assert account is not None

    owners = {t.user_id for t in account.tokens}
    assert 30 <= len(account.tokens) <= 60
    assert len(owners) >= 5
    assert {u.role for u in account.users} == {"user", "billing", "engineer", "superuser"}
    assert account.locked_user.locked
    assert account.two_factor_user.two_factor
    assert account.departed_user.deleted_at is not None
    assert len(account.automation) == 5
    assert any(len(t.roles) > 1 for t in account.automation)
    assert any(t.role == "ngwaf_observer_imported" for t in account.automation)
    assert len(account.services) == 6
    assert all(set(t.services) <= set(account.services) for t in account.tokens)


def test_the_seed_is_deterministic_for_a_seed(clock: FakeClock) -> None:
    def shape(seed: int) -> list[tuple[object, ...]]:
        fake = FakeFastly(clock=clock, seed_account=True, seed=seed)
        assert fake.account is not None
        services = {s: i for i, s in enumerate(fake.account.services)}
        return [
            (
                t.name,
                t.scope,
                tuple(services[s] for s in t.services),
                t.created_at,
                t.last_used_at,
                t.expires_at,
                getattr(t, "role", None),
            )
            for t in (*fake.account.tokens, *fake.account.automation)
        ]

    assert shape(9) == shape(9)
    assert shape(9) != shape(10)


def test_seeding_twice_is_refused() -> None:
    fake = FakeFastly(seed_account=True)

    with pytest.raises(RuntimeError, match="seeded already"):
        fake.seed_account()


async def test_the_account_is_served(make_fake: Make, http: aiohttp.ClientSession) -> None:
    fake = await make_fake(seed_account=True, seed=1)
    account = fake.account
    assert account is not None
    key = fake.superuser_key

    tokens = (
        await call(http, fake, "GET", f"/customer/{fake.world.customer.id}/tokens", key)
    ).json()
    automation = (await call(http, fake, "GET", "/automation-tokens", key)).json()
    users = (await call(http, fake, "GET", f"/customer/{fake.world.customer.id}/users", key)).json()

    assert {t["id"] for t in tokens} == {t.id for t in account.tokens} | {
        fake.token_id,
        fake.world.superuser_token.id,
    }
    assert {t["id"] for t in automation["data"]} == {t.id for t in account.automation}
    by_login = {u["login"]: u for u in users}
    assert by_login[account.locked_user.login]["locked"] is True
    assert by_login[account.two_factor_user.login]["two_factor_auth_enabled"] is True
    assert account.departed_user.login not in by_login


def test_iter_seed_tokens_adds_the_same_tokens_as_the_constructor(clock: FakeClock) -> None:
    eager = FakeFastly(clock=clock, seed_tokens=30, seed=4)
    lazy = FakeFastly(clock=clock, seed=4)

    steps = lazy.iter_seed_tokens(30)
    first = [next(steps) for _ in range(10)]
    rest = list(steps)

    assert len(first) + len(rest) == 30
    assert [(t.name, t.scope, t.created_at) for t in lazy.seeded_tokens] == [
        (t.name, t.scope, t.created_at) for t in eager.seeded_tokens
    ]
    with pytest.raises(ValueError, match="count"):
        list(lazy.iter_seed_tokens(-1))
