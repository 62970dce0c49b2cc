"""FakeFastly's automation tokens over real loopback HTTP: create, list, get, services, revoke."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from fastly_tokens.testing import FakeAutomationToken, FakeClock, FakeFastly

from .support_fake import MISSING_ID, TIMESTAMP, Make, bulk, call, fakes, session


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def make_fake(clock: FakeClock) -> AsyncIterator[Make]:
    async with fakes(clock) as make:
        yield make


@pytest.fixture
async def fake(make_fake: Make) -> FakeFastly:
    return await make_fake()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with session() as client:
        yield client


CREATE_KEYS = {
    "id",
    "services",
    "name",
    "role",
    "access_token",
    "scope",
    "ip",
    "created_at",
    "last_used_at",
    "expires_at",
    "user_agent",
    "tls_access",
    "customer_id",
}
GET_KEYS = {
    "id",
    "services",
    "name",
    "role",
    "access_token",
    "scope",
    "ip",
    "created_at",
    "last_used_at",
    "expires_at",
    "user_agent",
}
LIST_KEYS = {
    "id",
    "creator_id",
    "customer_id",
    "name",
    "access_token",
    "role",
    "ip",
    "user_agent",
    "scopes",
    "services",
    "service_id",
    "sudo_expires_at",
    "last_used_at",
    "created_at",
    "expires_at",
    "tls_access",
}
RATE_HEADERS = ("Fastly-RateLimit-Remaining", "Fastly-RateLimit-Reset")


async def create(
    http: aiohttp.ClientSession, fake: FakeFastly, body: Any, key: str | None = None
) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await call(
        http,
        fake,
        "POST",
        "/automation-tokens",
        key or fake.superuser_key,
        data=data,
        headers={"Content-Type": "application/json"},
    )


def sudo(fake: FakeFastly) -> None:
    fake.grant_sudo(fake.superuser_token_id)


# -- create ---------------------------------------------------------------------------------


async def test_create_answers_200_with_the_recorded_shape_and_no_rate_limit_headers(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    sudo(fake)

    reply = await create(http, fake, {"name": "ci", "role": "engineer", "scope": "global"})

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    for header in RATE_HEADERS:
        assert header not in reply.headers
    body = reply.json()
    assert set(body) == CREATE_KEYS
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
    assert body["customer_id"] == fake.customer_id
    assert TIMESTAMP.match(body["created_at"])
    assert len(body["access_token"]) == 32
    assert fake.rate_limit_remaining(fake.superuser) == 1000
    [token] = fake.automation_tokens()
    assert token.id == body["id"]
    assert token.creator_id == fake.superuser.id
    [event] = fake.events_of("token.create")
    assert event.token_id == fake.superuser_token_id
    assert event.metadata["token_id"] == token.id
    assert event.metadata["token_type"] == "automation"


async def test_the_new_key_authenticates_and_its_user_id_is_nobodys(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    sudo(fake)
    secret = (await create(http, fake, {"name": "bot"})).json()["access_token"]

    me = await call(http, fake, "GET", "/tokens/self", secret)
    customer = await call(http, fake, "GET", f"/customer/{fake.customer_id}/tokens", secret)

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
    sudo(fake)
    wanted = {"name": "x", "services": ["svc1", "svc2"], "limit_services": limit}

    reply = await create(http, fake, wanted)
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
    sudo(fake)

    reply = await create(http, fake, {"name": "x", "expires_at": "2030-01-02T03:04:05Z"})
    bad = await create(http, fake, {"name": "x", "expires_at": "2001-01-01T00:00:00Z"})

    assert reply.json()["expires_at"] == "2030-01-02T03:04:05Z"
    assert bad.status == 422


async def test_create_needs_sudo(fake: FakeFastly, http: aiohttp.ClientSession) -> None:
    reply = await create(http, fake, {"name": "x"})

    assert reply.status == 403
    assert reply.json() == {"msg": "You must POST /sudo to access this endpoint"}
    assert fake.automation_tokens() == []


async def test_create_needs_a_superuser(fake: FakeFastly, http: aiohttp.ClientSession) -> None:
    fake.grant_sudo(fake.token_id)

    reply = await create(http, fake, {"name": "x"}, key=fake.key)

    assert reply.status == 403
    assert reply.json() == {"msg": "Only superusers may manage automation tokens"}


@pytest.mark.parametrize("enforced", ["force_sso", "force_2fa"])
async def test_an_account_that_enforces_sso_or_2fa_gets_a_clear_403(
    fake: FakeFastly, http: aiohttp.ClientSession, enforced: str
) -> None:
    customer = fake.store.customers[fake.customer_id]
    setattr(customer, enforced, True)
    sudo(fake)

    reply = await create(http, fake, {"name": "x"})

    assert reply.status == 403
    assert "single sign-on" in reply.json()["msg"]
    assert fake.automation_tokens() == []


async def test_create_refuses_read_only_and_missing_keys(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    read_only = fake.add_token(fake.superuser, scope="global:read")
    fake.grant_sudo(read_only.id)

    reading = await create(http, fake, {"name": "x"}, key=read_only.access_token)
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
    sudo(fake)

    reply = await create(http, fake, body)

    assert reply.status == 400
    assert reply.json()["msg"] == "Bad request"
    assert fake.automation_tokens() == []


async def test_create_with_another_media_type_is_415(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    sudo(fake)

    reply = await call(
        http, fake, "POST", "/automation-tokens", fake.superuser_key, data={"name": "x"}
    )

    assert reply.status == 415


async def test_multi_role_tokens_carry_roles_as_id_and_name_and_unknown_roles_are_kept(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    sudo(fake)
    roles = ["engineer", "tls_viewer", "ngwaf_observer_imported"]

    created = (await create(http, fake, {"name": "multi", "roles": roles})).json()
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
    assert set(got.json()) == GET_KEYS | {"roles"}


# -- list, get, services --------------------------------------------------------------------


async def test_list_pages_by_meta_with_no_links(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    made = [fake.add_automation_token(name=f"bot {i}") for i in range(250)]
    key = fake.superuser_key

    pages = [await call(http, fake, "GET", f"/automation-tokens?page={n}", key) for n in (1, 2, 3)]
    beyond = await call(http, fake, "GET", "/automation-tokens?page=4", key)

    assert [p.status for p in pages] == [200, 200, 200]
    assert [p.json()["meta"] for p in pages] == [
        {"per_page": 100, "current_page": n, "record_count": 250, "total_pages": 3}
        for n in (1, 2, 3)
    ]
    assert [t["id"] for p in pages for t in p.json()["data"]] == [t.id for t in made]
    assert set(pages[0].json()) == {"data", "meta"}
    assert "Link" not in pages[0].headers
    for header in RATE_HEADERS:
        assert header not in pages[0].headers
    assert beyond.json()["data"] == []
    assert beyond.json()["meta"]["current_page"] == 4


async def test_list_items_have_the_recorded_drifting_shape(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_automation_token(name="exporter", scope="global:read global")

    reply = await call(http, fake, "GET", "/automation-tokens", fake.superuser_key)

    [item] = reply.json()["data"]
    assert set(item) == LIST_KEYS
    assert item["scopes"] == "global:read global"
    assert item["access_token"] == ""
    assert item["creator_id"] == fake.superuser.id
    assert item["id"] == token.id
    assert item["services"] == []
    assert item["service_id"] is None


@pytest.mark.parametrize(
    ("query", "status", "per_page"),
    [
        ("per_page=500", 200, 100),
        ("per_page=7", 200, 7),
        ("page=0", 400, None),
        ("per_page=x", 400, None),
    ],
)
async def test_list_paging_parameters(
    fake: FakeFastly,
    http: aiohttp.ClientSession,
    query: str,
    status: int,
    per_page: int | None,
) -> None:
    reply = await call(http, fake, "GET", f"/automation-tokens?{query}", fake.superuser_key)

    assert reply.status == status
    if per_page is not None:
        assert reply.json()["meta"]["per_page"] == per_page


async def test_list_get_and_services_are_for_superusers(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_automation_token()
    paths = ["/automation-tokens", f"/automation-tokens/{token.id}"]
    paths.append(f"/automation-tokens/{token.id}/services")

    replies = [await call(http, fake, "GET", path, fake.key) for path in paths]

    assert [r.status for r in replies] == [403, 403, 403]


async def test_get_has_nulls_and_an_empty_secret(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_automation_token(name="t", role="billing")

    reply = await call(http, fake, "GET", f"/automation-tokens/{token.id}", fake.superuser_key)

    assert reply.status == 200
    body = reply.json()
    assert set(body) == GET_KEYS
    assert body["access_token"] == ""
    assert (body["services"], body["ip"], body["last_used_at"], body["expires_at"]) == (
        None,
        None,
        None,
        None,
    )
    assert body["role"] == "billing"


async def test_get_of_a_user_token_a_foreign_or_a_revoked_one_is_404(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    foreign = fake.add_automation_token(fake.foreign_customer_id)
    revoked = fake.add_automation_token()
    fake.revoke(revoked.id)
    ids = [fake.token_id, foreign.id, revoked.id, MISSING_ID]

    replies = [
        await call(http, fake, "GET", f"/automation-tokens/{i}", fake.superuser_key) for i in ids
    ]

    assert [r.status for r in replies] == [404, 404, 404, 404]
    assert replies[0].json()["msg"] == "Record not found"


async def test_services_are_paged_data(fake: FakeFastly, http: aiohttp.ClientSession) -> None:
    token = fake.add_automation_token(services=["s1", "s2", "s3"])
    path = f"/automation-tokens/{token.id}/services"

    whole = await call(http, fake, "GET", path, fake.superuser_key)
    second = await call(http, fake, "GET", path + "?per_page=2&page=2", fake.superuser_key)

    assert whole.json() == {
        "data": ["s1", "s2", "s3"],
        "meta": {"per_page": 100, "current_page": 1, "record_count": 3, "total_pages": 1},
    }
    assert second.json()["data"] == ["s3"]
    assert second.json()["meta"]["total_pages"] == 2


# -- revoking -------------------------------------------------------------------------------


async def test_revoke_through_delete_tokens_id_is_204_with_rate_limit_headers(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_automation_token()

    reply = await call(http, fake, "DELETE", f"/tokens/{token.id}", fake.superuser_key)
    after = await call(http, fake, "GET", "/tokens/self", token.access_token)

    assert reply.status == 204
    assert reply.headers["Fastly-RateLimit-Remaining"] == "999"
    assert fake.is_revoked(token.id)
    assert after.status == 401
    [event] = fake.events_of("token.destroy")
    assert (event.token_id, event.metadata["token_id"]) == (fake.superuser_token_id, token.id)


async def test_an_automation_token_revokes_itself(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_automation_token()

    reply = await call(http, fake, "DELETE", "/tokens/self", token.access_token)

    assert reply.status == 204
    assert fake.is_revoked(token.id)


@pytest.mark.parametrize(("accepted", "status"), [(True, 204), (False, 404)])
async def test_bulk_revoke_of_automation_tokens_is_switchable(
    make_fake: Make, http: aiohttp.ClientSession, accepted: bool, status: int
) -> None:
    fake = await make_fake(bulk_revokes_automation=accepted)
    token = fake.add_automation_token()
    user_token = fake.add_token()

    reply = await bulk(http, fake, fake.superuser_key, user_token.id, token.id)

    assert reply.status == status
    assert fake.is_revoked(token.id) is accepted
    assert fake.is_revoked(user_token.id) is accepted


async def test_delete_automation_tokens_id_fails_as_reported_and_revokes_nothing(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_automation_token()

    reply = await call(http, fake, "DELETE", f"/automation-tokens/{token.id}", fake.superuser_key)

    assert reply.status == 400
    assert reply.json() == {"msg": "Bad request", "detail": "customer_id is required"}
    assert reply.headers["Fastly-RateLimit-Remaining"] == "999"
    assert not fake.is_revoked(token.id)


async def test_delete_automation_tokens_id_works_when_switched_on(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    fake = await make_fake(automation_delete_works=True)
    token = fake.add_automation_token()

    reply = await call(http, fake, "DELETE", f"/automation-tokens/{token.id}", fake.superuser_key)

    assert reply.status == 200
    assert reply.json()["id"] == token.id
    assert fake.is_revoked(token.id)


async def test_customer_token_list_leaves_automation_tokens_out(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.add_automation_token()

    reply = await call(
        http, fake, "GET", f"/customer/{fake.customer_id}/tokens", fake.superuser_key
    )

    assert {t["id"] for t in reply.json()} == {fake.token_id, fake.superuser_token_id}


# -- budgets and helpers --------------------------------------------------------------------


@pytest.mark.parametrize("own", [True, False])
async def test_an_automation_token_spends_its_own_budget_or_its_creators(
    make_fake: Make, http: aiohttp.ClientSession, own: bool
) -> None:
    fake = await make_fake(automation_own_budget=own)
    token = fake.add_automation_token()

    reply = await call(http, fake, "DELETE", f"/tokens/{MISSING_ID}", token.access_token)

    assert reply.headers["Fastly-RateLimit-Remaining"] == "999"
    assert fake.rate_limit_remaining(token) == 999
    assert fake.rate_limit_remaining(fake.superuser) == (1000 if own else 999)


def test_add_automation_token_keeps_what_it_is_given() -> None:
    fake = FakeFastly()

    token = fake.add_automation_token(
        name="n", role="tls_admin", roles=["x", "y"], scope="purge_all", tls_access=True
    )
    foreign = fake.add_automation_token(fake.foreign_customer_id)

    assert isinstance(token, FakeAutomationToken)
    assert token.kind == "automation"
    assert (token.role, token.roles, token.scope, token.tls_access) == (
        "tls_admin",
        ("x", "y"),
        "purge_all",
        True,
    )
    assert token.creator_id == fake.superuser.id
    assert foreign.creator_id is None
    assert fake.automation_tokens() == [token]
    assert fake.automation_tokens(fake.foreign_customer_id) == [foreign]
    assert token not in fake.tokens_of(fake.superuser)  # owned by the account, not a person
