"""FakeFastly's automation tokens over real loopback HTTP: creating them."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from fastly_tokens.testing import FakeFastly

from .support.fake_http import (
    AUTOMATION_CREATE_KEYS,
    AUTOMATION_GET_KEYS,
    RATE_HEADERS,
    TIMESTAMP,
    call,
    create_automation,
    superuser_sudo,
)

# -- create ---------------------------------------------------------------------------------


async def test_create_answers_200_with_the_recorded_shape_and_no_rate_limit_headers(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    superuser_sudo(fake)

    reply = await create_automation(
        http, fake, {"name": "ci", "role": "engineer", "scope": "global"}
    )

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    for header in RATE_HEADERS:
        assert header not in reply.headers
    body = reply.json()
    assert set(body) == AUTOMATION_CREATE_KEYS
    assert (body["ip"], body["last_used_at"], body["expires_at"], body["user_agent"]) == (
        "",
        "",
        "",
        "",
    )
    assert (body["name"], body["role"], body["scope"], body["tls_access"]) == (
        "ci",
        "engineer",
        "global",
        False,
    )
    assert body["customer_id"] == fake.world.customer.id
    assert TIMESTAMP.match(body["created_at"])
    assert len(body["access_token"]) == 32
    assert fake.rate_limit_remaining(fake.world.superuser) == 1000
    [token] = fake.automation_tokens()
    assert token.id == body["id"]
    assert token.creator_id == fake.world.superuser.id
    [event] = fake.events_of("token.create")
    assert event.token_id == fake.world.superuser_token.id
    assert event.metadata["token_id"] == token.id
    assert event.metadata["token_type"] == "automation"


async def test_the_new_key_authenticates_and_its_user_id_is_nobodys(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    superuser_sudo(fake)
    secret = (await create_automation(http, fake, {"name": "bot"})).json()["access_token"]

    me = await call(http, fake, "GET", "/tokens/self", secret)
    customer = await call(http, fake, "GET", f"/customer/{fake.world.customer.id}/tokens", secret)

    assert me.status == 200
    assert fake.find_user(me.json()["user_id"]) is None
    assert customer.status == 403  # an automation token is no superuser


SERVICE_CASES = {
    # limit_services: (stored on the token, services on get, services on a list item)
    False: ((), None, []),
    True: (("svc1", "svc2"), ["svc1", "svc2"], ["svc1", "svc2"]),
}


@pytest.mark.parametrize("limit", [False, True])
async def test_services_apply_only_with_limit_services_though_the_answer_echoes_them(
    fake: FakeFastly, http: aiohttp.ClientSession, limit: bool
) -> None:
    stored, on_get, on_list = SERVICE_CASES[limit]
    superuser_sudo(fake)
    wanted = {"name": "x", "services": ["svc1", "svc2"], "limit_services": limit}

    reply = await create_automation(http, fake, wanted)
    token_id = reply.json()["id"]
    got = await call(http, fake, "GET", f"/automation-tokens/{token_id}", fake.superuser_key)
    listed = await call(http, fake, "GET", "/automation-tokens", fake.superuser_key)

    assert reply.json()["services"] == ["svc1", "svc2"]
    assert fake.automation_tokens()[0].services == stored
    assert got.json()["services"] == on_get
    assert listed.json()["data"][0]["services"] == on_list
    assert listed.json()["data"][0]["service_id"] == (stored[-1] if stored else None)


async def test_create_with_an_expiry_shows_it(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    superuser_sudo(fake)

    reply = await create_automation(http, fake, {"name": "x", "expires_at": "2030-01-02T03:04:05Z"})
    bad = await create_automation(http, fake, {"name": "x", "expires_at": "2001-01-01T00:00:00Z"})

    assert reply.json()["expires_at"] == "2030-01-02T03:04:05Z"
    assert bad.status == 422


async def test_create_needs_sudo(fake: FakeFastly, http: aiohttp.ClientSession) -> None:
    reply = await create_automation(http, fake, {"name": "x"})

    assert reply.status == 403
    assert reply.json() == {"msg": "You must POST /sudo to access this endpoint"}
    assert fake.automation_tokens() == []


async def test_create_needs_a_superuser(fake: FakeFastly, http: aiohttp.ClientSession) -> None:
    fake.grant_sudo(fake.token_id)

    reply = await create_automation(http, fake, {"name": "x"}, key=fake.key)

    assert reply.status == 403
    assert reply.json() == {"msg": "Only superusers may manage automation tokens"}


@pytest.mark.parametrize("enforced", ["force_sso", "force_2fa"])
async def test_an_account_that_enforces_sso_or_2fa_gets_a_clear_403(
    fake: FakeFastly, http: aiohttp.ClientSession, enforced: str
) -> None:
    customer = fake.store.customers[fake.world.customer.id]
    setattr(customer, enforced, True)
    superuser_sudo(fake)

    reply = await create_automation(http, fake, {"name": "x"})

    assert reply.status == 403
    assert "single sign-on" in reply.json()["msg"]
    assert fake.automation_tokens() == []


async def test_create_refuses_read_only_and_missing_keys(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    read_only = fake.add_token(fake.world.superuser, scope="global:read")
    fake.grant_sudo(read_only.id)

    reading = await create_automation(http, fake, {"name": "x"}, key=read_only.access_token)
    keyless = await call(http, fake, "POST", "/automation-tokens", json={"name": "x"})

    assert reading.status == 403
    assert "Read only" in reading.json()["msg"]
    assert keyless.status == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": 5},
        {"name": "x", "role": "superuser"},
        {"name": "x", "roles": "engineer"},
        {"name": "x", "roles": [""]},
        {"name": "x", "services": [1]},
        {"name": "x", "limit_services": "yes"},
        {"name": "x", "limit_services": True},
        {"name": "x", "roles": ["engineer", "tls_viewer"], "tls_access": True},
        {"name": "x", "scope": "global admin"},
        ["name"],
        b"not json",
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
async def test_create_with_a_bad_body_is_400(
    fake: FakeFastly, http: aiohttp.ClientSession, body: Any
) -> None:
    superuser_sudo(fake)

    reply = await create_automation(http, fake, body)

    assert reply.status == 400
    assert reply.json()["msg"] == "Bad request"
    assert fake.automation_tokens() == []


async def test_create_with_another_media_type_is_415(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    superuser_sudo(fake)

    reply = await call(
        http, fake, "POST", "/automation-tokens", fake.superuser_key, data={"name": "x"}
    )

    assert reply.status == 415


async def test_multi_role_tokens_carry_roles_as_id_and_name_and_unknown_roles_are_kept(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    superuser_sudo(fake)
    roles = ["engineer", "tls_viewer", "ngwaf_observer_imported"]

    created = (await create_automation(http, fake, {"name": "multi", "roles": roles})).json()
    got = await call(http, fake, "GET", f"/automation-tokens/{created['id']}", fake.superuser_key)
    listed = await call(http, fake, "GET", "/automation-tokens", fake.superuser_key)

    expected = [
        {"id": "engineer", "name": "Engineer"},
        {"id": "tls_viewer", "name": "TLS Viewer"},
        {"id": "ngwaf_observer_imported", "name": "ngwaf_observer_imported"},
    ]
    assert created["role"] == "engineer"
    assert created["roles"] == expected
    assert got.json()["roles"] == expected
    assert listed.json()["data"][0]["roles"] == expected
    assert set(got.json()) == AUTOMATION_GET_KEYS | {"roles"}
