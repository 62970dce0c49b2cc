"""FakeFastly's users over real loopback HTTP: the customer's users, the current user, one user."""

from __future__ import annotations

import aiohttp
import pytest

from fastly_tokens.testing import FakeClock, FakeFastly

from .support.fake_http import TIMESTAMP, Make, call

USER_KEYS = {
    "id",
    "login",
    "name",
    "role",
    "locked",
    "two_factor_auth_enabled",
    "limit_services",
    "customer_id",
    "created_at",
    "updated_at",
    "deleted_at",
    "last_active_at",
}


def users_path(fake: FakeFastly) -> str:
    return f"/customer/{fake.world.customer.id}/users"


async def test_superuser_lists_the_customers_users_as_a_bare_array(
    fake: FakeFastly, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    clock.advance(60)

    reply = await call(http, fake, "GET", users_path(fake), fake.superuser_key)

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert "Fastly-RateLimit-Remaining" not in reply.headers
    body = reply.json()
    assert isinstance(body, list)
    assert [u["id"] for u in body] == [fake.user.id, fake.world.superuser.id]
    assert all(set(u) == USER_KEYS for u in body)
    user, admin = body
    assert (user["login"], user["name"], user["role"]) == ("user@example.com", "user", "user")
    assert admin["role"] == "superuser"
    assert (user["locked"], user["two_factor_auth_enabled"], user["limit_services"]) == (
        False,
        False,
        False,
    )
    assert user["customer_id"] == fake.world.customer.id
    assert user["created_at"] == user["updated_at"] == "2023-11-14T22:13:20Z"
    assert user["deleted_at"] is None
    assert user["last_active_at"] is None
    assert admin["last_active_at"] == "2023-11-14T22:14:20Z"  # this very request


async def test_users_show_role_lock_two_factor_and_service_limit(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.add_user(
        role="engineer",
        username="eng@example.com",
        name="Eng Ineer",
        otp="123456",
        locked=True,
        limit_services=True,
    )

    body = (await call(http, fake, "GET", users_path(fake), fake.superuser_key)).json()

    [eng] = [u for u in body if u["login"] == "eng@example.com"]
    assert (eng["name"], eng["role"], eng["locked"]) == ("Eng Ineer", "engineer", True)
    assert eng["two_factor_auth_enabled"] is True
    assert eng["limit_services"] is True
    assert TIMESTAMP.match(eng["created_at"])


async def test_departed_users_are_neither_listed_nor_found(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    gone = fake.add_user(username="gone@example.com")
    gone.deleted_at = fake.store.now()

    listed = await call(http, fake, "GET", users_path(fake), fake.superuser_key)
    single = await call(http, fake, "GET", f"/user/{gone.id}", fake.superuser_key)

    assert gone.id not in {u["id"] for u in listed.json()}
    assert single.status == 404


@pytest.mark.parametrize(("visible_to", "user_status"), [("superuser", 403), ("customer", 200)])
async def test_who_may_list_users_is_switchable(
    make_fake: Make, http: aiohttp.ClientSession, visible_to: str, user_status: int
) -> None:
    fake = await make_fake(users_visible_to=visible_to)
    bot = fake.add_automation_token()

    as_user = await call(http, fake, "GET", users_path(fake), fake.key)
    as_bot = await call(http, fake, "GET", users_path(fake), bot.access_token)
    as_superuser = await call(http, fake, "GET", users_path(fake), fake.superuser_key)

    assert as_user.status == user_status
    assert as_bot.status == user_status
    assert as_superuser.status == 200
    if user_status == 403:
        assert as_user.json() == {"msg": "You are not authorized to access this customer's users"}


async def test_another_customers_users_are_403_even_for_its_superusers(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    reply = await call(
        http, fake, "GET", f"/customer/{fake.world.foreign_customer.id}/users", fake.superuser_key
    )

    assert reply.status == 403


async def test_current_user_is_the_keys_user_and_nobody_for_an_automation_token(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    bot = fake.add_automation_token()

    mine = await call(http, fake, "GET", "/current_user", fake.key)
    bots = await call(http, fake, "GET", "/current_user", bot.access_token)
    keyless = await call(http, fake, "GET", "/current_user")

    assert mine.status == 200
    assert set(mine.json()) == USER_KEYS
    assert mine.json()["id"] == fake.user.id
    assert bots.status == 404
    assert keyless.status == 401


async def test_one_user_follows_the_visibility_rules(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    bot = fake.add_automation_token()
    path = "/user/{}".format

    own = await call(http, fake, "GET", path(fake.user.id), fake.key)
    colleague = await call(http, fake, "GET", path(fake.world.superuser.id), fake.key)
    by_superuser = await call(http, fake, "GET", path(fake.user.id), fake.superuser_key)
    foreign = await call(http, fake, "GET", path(fake.world.foreign_user.id), fake.superuser_key)
    automation = await call(http, fake, "GET", path(bot.user_id), fake.superuser_key)

    assert own.status == 200
    assert own.json()["login"] == fake.user.username
    assert colleague.status == 403
    assert by_superuser.status == 200
    assert foreign.status == 404
    assert automation.status == 404
    assert automation.json()["msg"] == "Record not found"


@pytest.mark.parametrize(("tokens_work", "status"), [(True, 200), (False, 401)])
async def test_a_locked_users_tokens_are_switchable(
    make_fake: Make, http: aiohttp.ClientSession, tokens_work: bool, status: int
) -> None:
    fake = await make_fake(locked_tokens_work=tokens_work)
    fake.user.locked = True

    reply = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert reply.status == status
    if status == 401:
        assert reply.json() == {"msg": "User account is locked"}


def test_add_user_roles_and_the_superuser_property() -> None:
    fake = FakeFastly()

    admin = fake.add_user(role="superuser")
    billing = fake.add_user(role="billing")

    assert admin.role == "superuser"
    assert admin.superuser
    assert billing.role == "billing"
    assert not billing.superuser
    billing.superuser = True
    assert billing.role == "superuser"
    with pytest.raises(ValueError, match="role must be one of"):
        fake.add_user(role="owner")
    assert fake.user_by_login(billing.username) is billing
    assert fake.find_user(billing.id) is billing


def test_visibility_switches_take_only_their_documented_values() -> None:
    with pytest.raises(ValueError, match="users_visible_to"):
        FakeFastly(users_visible_to="everyone")  # type: ignore[arg-type]  # a bad value on purpose
    fake = FakeFastly()
    with pytest.raises(ValueError, match="events_visible_to"):
        fake.behaviour.events_visible_to = "all"  # type: ignore[assignment]  # on purpose
    assert fake.behaviour.events_visible_to == "superuser"
