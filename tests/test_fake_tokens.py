"""FakeFastly's user-token endpoints over real loopback HTTP: read, revoke, create, bulk."""

from __future__ import annotations

import re

import aiohttp
import pytest

from fastly_tokens.testing import FakeClock, FakeFastly

from .support.fake_http import BULK_TYPE, T0, TIMESTAMP, Make, bulk, bulk_body, call

GET_FIELDS = {
    "id",
    "user_id",
    "customer_id",
    "name",
    "scope",
    "scopes",
    "services",
    "service_id",
    "created_at",
    "last_used_at",
    "expires_at",
    "ip",
    "user_agent",
    "sudo_expires_at",
}


# -- reading tokens ------------------------------------------------------------------


async def test_get_self_returns_token_with_extra_fields_nulls_and_json_headers(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    reply = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["Cache-Control"] == "no-cache"
    assert reply.headers["Status"] == "200 OK"
    for edge in ("Via", "X-Served-By", "X-Cache", "X-Timer"):
        assert edge in reply.headers
    body = reply.json()
    assert set(body) == GET_FIELDS
    assert body["id"] == fake.token_id
    assert body["user_id"] == fake.user.id
    assert body["customer_id"] == fake.world.customer.id
    assert body["scope"] == "global"
    assert body["scopes"] == ["global"]
    assert body["services"] == []
    assert body["service_id"] is None
    assert body["expires_at"] is None
    assert body["sudo_expires_at"] is None
    assert TIMESTAMP.match(body["created_at"])
    assert re.fullmatch(r"[A-Za-z0-9]{22}", body["id"])


async def test_successful_auth_records_last_used_ip_and_user_agent(
    fake: FakeFastly, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    clock.now = T0 + 42
    body = (await call(http, fake, "GET", "/tokens/self", fake.key)).json()

    assert body["last_used_at"] == "2023-11-14T22:14:02Z"
    assert body["ip"] == "127.0.0.1"
    assert body["user_agent"] == "fake-tests/1.0"
    token = fake.token(fake.token_id)
    assert token is not None
    assert token.ip == "127.0.0.1"


@pytest.mark.parametrize("key", [None, "", "not-a-real-key"])
async def test_missing_or_unknown_key_is_401(
    fake: FakeFastly, http: aiohttp.ClientSession, key: str | None
) -> None:
    reply = await call(http, fake, "GET", "/tokens/self", key)

    assert reply.status == 401
    assert reply.json() == {"msg": "Provided credentials are missing or invalid"}


async def test_expired_token_is_401_naming_token_and_expiry(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_token(expires_at=T0 - 60)

    reply = await call(http, fake, "GET", "/tokens/self", token.access_token)

    assert reply.status == 401
    assert reply.json() == {"msg": f"Token {token.id} expired at 2023-11-14T22:12:20Z"}


async def test_expire_helper_makes_token_expire_now(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.expire(fake.token_id)

    assert (await call(http, fake, "GET", "/tokens/self", fake.key)).status == 401


async def test_list_tokens_is_bare_array_of_callers_live_tokens(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    fake = await make_fake(seed_tokens=5, seed=3)
    fake.revoke(fake.seeded_tokens[0].id)

    reply = await call(http, fake, "GET", "/tokens", fake.key)

    assert reply.status == 200
    body = reply.json()
    assert isinstance(body, list)
    assert [t["id"] for t in body] == [t.id for t in fake.tokens_of(fake.user)]
    assert len(body) == 5  # seeded key + 5 seeded - 1 revoked
    assert fake.world.superuser_token.id not in {t["id"] for t in body}


async def test_customer_tokens_for_superuser_of_that_customer_only(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    path = f"/customer/{fake.world.customer.id}/tokens"
    foreign_admin = fake.add_user(fake.world.foreign_customer.id, role="superuser")
    foreign_admin_key = fake.add_token(foreign_admin).access_token

    as_superuser = await call(http, fake, "GET", path, fake.superuser_key)
    as_user = await call(http, fake, "GET", path, fake.key)
    as_foreign_superuser = await call(http, fake, "GET", path, foreign_admin_key)

    assert as_superuser.status == 200
    assert {t["id"] for t in as_superuser.json()} == {fake.token_id, fake.world.superuser_token.id}
    assert as_user.status == 403
    assert "msg" in as_user.json()
    assert as_foreign_superuser.status == 403


async def test_get_token_by_id_follows_ownership_rules(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    own = await call(http, fake, "GET", f"/tokens/{fake.token_id}", fake.key)
    colleague = await call(http, fake, "GET", f"/tokens/{fake.world.superuser_token.id}", fake.key)
    as_superuser = await call(http, fake, "GET", f"/tokens/{fake.token_id}", fake.superuser_key)
    foreign = await call(http, fake, "GET", f"/tokens/{fake.foreign_token_id}", fake.key)
    missing = await call(http, fake, "GET", "/tokens/AAAAAAAAAAAAAAAAAAAAAA", fake.key)

    assert own.status == 200
    assert own.json()["id"] == fake.token_id
    assert "access_token" not in own.json()
    assert colleague.status == 403
    assert as_superuser.status == 200
    assert foreign.status == 404
    assert foreign.json()["msg"] == "Record not found"
    assert "detail" in foreign.json()
    assert missing.status == 404


# -- revoking one token ----------------------------------------------------------------


async def test_revoke_token_is_204_without_body_or_content_type_and_kills_the_key(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_token(name="doomed")

    reply = await call(http, fake, "DELETE", f"/tokens/{token.id}", fake.key)

    assert reply.status == 204
    assert reply.body == b""
    assert "Content-Type" not in reply.headers
    assert reply.headers["Cache-Control"] == "no-store"
    assert fake.is_revoked(token.id)
    assert (await call(http, fake, "GET", "/tokens/self", token.access_token)).status == 401
    assert (await call(http, fake, "GET", f"/tokens/{token.id}", fake.key)).status == 404
    assert (await call(http, fake, "DELETE", f"/tokens/{token.id}", fake.key)).status == 404


async def test_revoke_colleagues_token_needs_superuser_and_foreign_is_404(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    as_user = await call(http, fake, "DELETE", f"/tokens/{fake.world.superuser_token.id}", fake.key)
    foreign = await call(http, fake, "DELETE", f"/tokens/{fake.foreign_token_id}", fake.key)
    as_superuser = await call(http, fake, "DELETE", f"/tokens/{fake.token_id}", fake.superuser_key)

    assert as_user.status == 403
    assert not fake.is_revoked(fake.world.superuser_token.id)
    assert foreign.status == 404
    assert not fake.is_revoked(fake.foreign_token_id)
    assert as_superuser.status == 204
    assert fake.is_revoked(fake.token_id)


async def test_revoke_self_revokes_the_calling_token(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    reply = await call(http, fake, "DELETE", "/tokens/self", fake.key)

    assert reply.status == 204
    assert reply.body == b""
    assert fake.is_revoked(fake.token_id)
    assert (await call(http, fake, "GET", "/tokens/self", fake.key)).status == 401


async def test_read_only_token_reads_but_cannot_write(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    read_only = fake.add_token(scope="global:read")
    read_and_global = fake.add_token(scope="global:read global")

    read = await call(http, fake, "GET", "/tokens/self", read_only.access_token)
    write = await call(http, fake, "DELETE", "/tokens/self", read_only.access_token)
    mixed = await call(http, fake, "DELETE", "/tokens/self", read_and_global.access_token)

    assert read.status == 200
    assert read.json()["scopes"] == ["global:read"]
    assert write.status == 403
    assert write.json() == {"msg": "Read only tokens are not allowed to access this endpoint."}
    assert not fake.is_revoked(read_only.id)
    assert mixed.status == 204


# -- bulk revocation --------------------------------------------------------------------------


async def test_bulk_revoke_revokes_batch_for_one_request_of_budget(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    ids = [fake.add_token().id for _ in range(3)]

    reply = await bulk(http, fake, fake.key, *ids, ids[0])

    assert reply.status == 204
    assert reply.body == b""
    assert all(fake.is_revoked(i) for i in ids)
    assert reply.headers["Fastly-RateLimit-Remaining"] == "999"


async def test_bulk_revoke_wrong_content_type_is_415(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_token()

    reply = await call(
        http,
        fake,
        "DELETE",
        "/tokens",
        fake.key,
        data=bulk_body(token.id),
        headers={"Content-Type": "application/json"},
    )

    assert reply.status == 415
    assert "msg" in reply.json()
    assert not fake.is_revoked(token.id)


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[]",
        '{"data": []}',
        '{"data": [{"type": "service", "id": "x"}]}',
        '{"data": [{"type": "token"}]}',
        '{"nodata": 1}',
    ],
)
async def test_bulk_revoke_malformed_body_is_400(
    fake: FakeFastly, http: aiohttp.ClientSession, payload: str
) -> None:
    reply = await call(
        http,
        fake,
        "DELETE",
        "/tokens",
        fake.key,
        data=payload,
        headers={"Content-Type": BULK_TYPE},
    )

    assert reply.status == 400
    assert reply.json()["msg"] == "Bad request"
    assert "detail" in reply.json()


@pytest.mark.parametrize(("bad", "status"), [("unknown", 404), ("colleague", 403)])
async def test_bulk_revoke_rejects_whole_batch_by_default(
    fake: FakeFastly, http: aiohttp.ClientSession, bad: str, status: int
) -> None:
    good = fake.add_token().id
    bad_id = "AAAAAAAAAAAAAAAAAAAAAA" if bad == "unknown" else fake.world.superuser_token.id

    reply = await bulk(http, fake, fake.key, good, bad_id)

    assert reply.status == status
    assert "msg" in reply.json()
    assert not fake.is_revoked(good)
    assert not fake.is_revoked(fake.world.superuser_token.id)


async def test_bulk_revoke_foreign_id_rejects_batch_as_not_found(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    good = fake.add_token().id

    reply = await bulk(http, fake, fake.key, good, fake.foreign_token_id)

    assert reply.status == 404
    assert not fake.is_revoked(good)


async def test_bulk_partial_revokes_what_it_may_and_ignores_the_rest(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    fake = await make_fake(bulk_partial=True)
    good = fake.add_token().id

    reply = await bulk(
        http, fake, fake.key, good, "AAAAAAAAAAAAAAAAAAAAAA", fake.world.superuser_token.id
    )

    assert reply.status == 204
    assert fake.is_revoked(good)
    assert not fake.is_revoked(fake.world.superuser_token.id)


async def test_bulk_superuser_revokes_colleagues_tokens(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    reply = await bulk(http, fake, fake.superuser_key, fake.token_id)

    assert reply.status == 204
    assert fake.is_revoked(fake.token_id)


async def test_bulk_max_rejects_larger_batch_with_413(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    fake = await make_fake(bulk_max=2)
    ids = [fake.add_token().id for _ in range(3)]

    too_big = await bulk(http, fake, fake.key, *ids)
    fits = await bulk(http, fake, fake.key, *ids[:2])

    assert too_big.status == 413
    assert too_big.json()["msg"] == "Too many tokens in bulk request"
    assert not fake.is_revoked(ids[2])
    assert fits.status == 204
