"""FakeFastly's automation tokens over real loopback HTTP: list, get, services, revoke, budget."""

from __future__ import annotations

import aiohttp
import pytest

from fastly_tokens.testing import FakeAutomationToken, FakeFastly

from .support.fake_http import (
    AUTOMATION_GET_KEYS,
    AUTOMATION_LIST_KEYS,
    MISSING_ID,
    RATE_HEADERS,
    Make,
    bulk,
    call,
)

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
    assert set(item) == AUTOMATION_LIST_KEYS
    assert item["scopes"] == "global:read global"
    assert item["access_token"] == ""
    assert item["creator_id"] == fake.world.superuser.id
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
    assert set(body) == AUTOMATION_GET_KEYS
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
    foreign = fake.add_automation_token(fake.world.foreign_customer.id)
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
    assert (event.token_id, event.metadata["token_id"]) == (fake.world.superuser_token.id, token.id)


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
        http, fake, "GET", f"/customer/{fake.world.customer.id}/tokens", fake.superuser_key
    )

    assert {t["id"] for t in reply.json()} == {fake.token_id, fake.world.superuser_token.id}


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
    assert fake.rate_limit_remaining(fake.world.superuser) == (1000 if own else 999)


def test_add_automation_token_keeps_what_it_is_given() -> None:
    fake = FakeFastly()

    token = fake.add_automation_token(
        name="n", role="tls_admin", roles=["x", "y"], scope="purge_all", tls_access=True
    )
    foreign = fake.add_automation_token(fake.world.foreign_customer.id)

    assert isinstance(token, FakeAutomationToken)
    assert token.kind == "automation"
    assert (token.role, token.roles, token.scope, token.tls_access) == (
        "tls_admin",
        ("x", "y"),
        "purge_all",
        True,
    )
    assert token.creator_id == fake.world.superuser.id
    assert foreign.creator_id is None
    assert fake.automation_tokens() == [token]
    assert fake.automation_tokens(fake.world.foreign_customer.id) == [foreign]
    assert token not in fake.tokens_of(fake.world.superuser)  # owned by the account, not a person
