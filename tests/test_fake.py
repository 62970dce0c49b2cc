"""Tests of FakeFastly itself, over real loopback HTTP with a plain aiohttp client."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from fastly_tokens.testing import DEMO_PASSWORD, FakeFastly, Faults

T0 = 1_700_000_000.0  # 22:13:20Z; its hourly window resets at 1_700_002_800
RESET = 1_700_002_800
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
BULK_TYPE = "application/vnd.api+json; ext=bulk"
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
CREATE_FIELDS = {
    "id",
    "user_id",
    "customer_id",
    "name",
    "scope",
    "services",
    "service_id",
    "created_at",
    "updated_at",
    "deleted_at",
    "expires_at",
    "access_token",
}


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Reply:
    """A response read to the end."""

    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


Make = Callable[..., Awaitable[FakeFastly]]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def make_fake(clock: Clock) -> AsyncIterator[Make]:
    fakes: list[FakeFastly] = []

    async def make(**options: Any) -> FakeFastly:
        options.setdefault("clock", clock)
        fake = FakeFastly(**options)
        await fake.start()
        fakes.append(fake)
        return fake

    yield make
    for fake in fakes:
        await fake.close()


@pytest.fixture
async def fake(make_fake: Make) -> FakeFastly:
    return await make_fake()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers={"User-Agent": "fake-tests/1.0"}) as session:
        yield session


async def call(
    http: aiohttp.ClientSession,
    fake: FakeFastly,
    method: str,
    path: str,
    key: str | None = None,
    **kwargs: Any,
) -> Reply:
    headers = dict(kwargs.pop("headers", {}))
    if key is not None:
        headers["Fastly-Key"] = key
    async with http.request(method, fake.base_url + path, headers=headers, **kwargs) as resp:
        return Reply(resp.status, resp.headers, await resp.read())


def fetch(url: str, key: str | None = None, method: str = "GET") -> tuple[int, bytes]:
    """GET/DELETE with the standard library, the way sync code would."""
    headers = {} if key is None else {"Fastly-Key": key}
    # The tests only ever build http://127.0.0.1 URLs from the fake's base_url.
    request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:  # noqa: S310
            return resp.status, resp.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def bulk_body(*ids: str) -> str:
    return json.dumps({"data": [{"type": "token", "id": i} for i in ids]})


async def bulk(http: aiohttp.ClientSession, fake: FakeFastly, key: str, *ids: str) -> Reply:
    return await call(
        http,
        fake,
        "DELETE",
        "/tokens",
        key,
        data=bulk_body(*ids),
        headers={"Content-Type": BULK_TYPE},
    )


def create_form(fake: FakeFastly, **fields: Any) -> dict[str, Any]:
    return {"username": fake.username, "password": fake.password, **fields}


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
    assert body["customer_id"] == fake.customer_id
    assert body["scope"] == "global"
    assert body["scopes"] == ["global"]
    assert body["services"] == []
    assert body["service_id"] is None
    assert body["expires_at"] is None
    assert body["sudo_expires_at"] is None
    assert TIMESTAMP.match(body["created_at"])
    assert re.fullmatch(r"[A-Za-z0-9]{22}", body["id"])


async def test_successful_auth_records_last_used_ip_and_user_agent(
    fake: FakeFastly, http: aiohttp.ClientSession, clock: Clock
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
    assert fake.superuser_token_id not in {t["id"] for t in body}


async def test_customer_tokens_for_superuser_of_that_customer_only(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    path = f"/customer/{fake.customer_id}/tokens"
    foreign_admin = fake.add_user(fake.foreign_customer_id, superuser=True)
    foreign_admin_key = fake.add_token(foreign_admin).access_token

    as_superuser = await call(http, fake, "GET", path, fake.superuser_key)
    as_user = await call(http, fake, "GET", path, fake.key)
    as_foreign_superuser = await call(http, fake, "GET", path, foreign_admin_key)

    assert as_superuser.status == 200
    assert {t["id"] for t in as_superuser.json()} == {fake.token_id, fake.superuser_token_id}
    assert as_user.status == 403
    assert "msg" in as_user.json()
    assert as_foreign_superuser.status == 403


async def test_get_token_by_id_follows_ownership_rules(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    own = await call(http, fake, "GET", f"/tokens/{fake.token_id}", fake.key)
    colleague = await call(http, fake, "GET", f"/tokens/{fake.superuser_token_id}", fake.key)
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
    as_user = await call(http, fake, "DELETE", f"/tokens/{fake.superuser_token_id}", fake.key)
    foreign = await call(http, fake, "DELETE", f"/tokens/{fake.foreign_token_id}", fake.key)
    as_superuser = await call(http, fake, "DELETE", f"/tokens/{fake.token_id}", fake.superuser_key)

    assert as_user.status == 403
    assert not fake.is_revoked(fake.superuser_token_id)
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


# -- creating tokens ----------------------------------------------------------------------


async def test_create_token_is_200_with_create_shape_and_a_working_secret(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    form = [
        ("username", fake.username),
        ("password", fake.password),
        ("name", "deploy"),
        ("scope", "purge_all global:read"),
        ("services[]", "svc1"),
        ("services[]", "svc2"),
        ("expires_at", "2030-01-02T03:04:05Z"),
    ]

    reply = await call(http, fake, "POST", "/tokens", fake.key, data=form)

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json()
    assert set(body) == CREATE_FIELDS
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", body["access_token"])
    assert body["name"] == "deploy"
    assert body["scope"] == "purge_all global:read"
    assert body["services"] == ["svc1", "svc2"]
    assert body["expires_at"] == "2030-01-02T03:04:05Z"
    assert body["deleted_at"] is None
    assert body["user_id"] == fake.user.id
    assert reply.headers["Fastly-RateLimit-Remaining"] == "999"
    assert reply.headers["Cache-Control"] == "no-store"
    fetched = await call(http, fake, "GET", "/tokens/self", body["access_token"])
    assert fetched.status == 200
    assert fetched.json()["id"] == body["id"]
    assert "access_token" not in fetched.json()


async def test_create_accepts_plain_services_offset_expiry_and_no_key(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    form = [
        ("username", fake.username),
        ("password", fake.password),
        ("services", "svc9"),
        ("expires_at", "2030-01-02T03:04:05+00:00"),
    ]

    reply = await call(http, fake, "POST", "/tokens", data=form)

    assert reply.status == 200
    assert reply.json()["services"] == ["svc9"]
    assert reply.json()["expires_at"] == "2030-01-02T03:04:05Z"
    assert reply.json()["scope"] == "global"


async def test_create_accepts_http_basic_credentials(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    basic = base64.b64encode(f"{fake.username}:{fake.password}".encode()).decode()

    reply = await call(
        http,
        fake,
        "POST",
        "/tokens",
        data={"name": "x"},
        headers={"Authorization": f"Basic {basic}"},
    )

    assert reply.status == 200
    assert reply.json()["user_id"] == fake.user.id


@pytest.mark.parametrize(
    ("fields", "status", "expected"),
    [
        ({"password": ""}, 400, {"code": "invalid_request"}),
        ({"username": ""}, 400, {"code": "invalid_request"}),
        ({"password": "wrong"}, 400, {"code": "invalid_grant"}),
        ({"username": "nobody@example.com"}, 400, {"code": "invalid_grant"}),
        ({"scope": "global admin"}, 400, {"code": "invalid_scope"}),
        ({"scope": "GLOBAL"}, 400, {"code": "invalid_scope"}),
        ({"expires_at": "next tuesday"}, 422, None),
        ({"expires_at": "2001-01-01T00:00:00Z"}, 422, None),
    ],
)
async def test_create_rejects_bad_requests(
    fake: FakeFastly,
    http: aiohttp.ClientSession,
    fields: dict[str, str],
    status: int,
    expected: dict[str, str] | None,
) -> None:
    before = len(fake.tokens_of(fake.user))

    reply = await call(http, fake, "POST", "/tokens", fake.key, data=create_form(fake, **fields))

    assert reply.status == status
    if expected is not None:
        assert reply.json() == expected
    else:
        assert set(reply.json()) == {"msg", "detail"}
    assert len(fake.tokens_of(fake.user)) == before


async def test_create_with_invalid_key_is_401_even_with_good_credentials(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    reply = await call(http, fake, "POST", "/tokens", "bogus", data=create_form(fake))

    assert reply.status == 401
    assert len(fake.tokens_of(fake.user)) == 1


async def test_create_for_2fa_user_needs_matching_otp_header(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    user = fake.add_user(username="mfa@example.com", otp="123456")
    form = {"username": user.username, "password": DEMO_PASSWORD}

    missing = await call(http, fake, "POST", "/tokens", data=form)
    wrong = await call(http, fake, "POST", "/tokens", data=form, headers={"Fastly-OTP": "000000"})
    right = await call(http, fake, "POST", "/tokens", data=form, headers={"Fastly-OTP": "123456"})

    assert missing.json() == {"code": "2fa.verify"}
    assert missing.status == wrong.status == 400
    assert wrong.json() == {"code": "2fa.verify"}
    assert right.status == 200
    assert right.json()["user_id"] == user.id


# -- rate limiting ----------------------------------------------------------------------------


async def test_rate_limit_headers_on_non_get_only_and_failed_writes_count(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    read = await call(http, fake, "GET", "/tokens/self", fake.key)
    failed_write = await call(http, fake, "DELETE", "/tokens/AAAAAAAAAAAAAAAAAAAAAA", fake.key)

    assert "Fastly-RateLimit-Remaining" not in read.headers
    assert "Fastly-RateLimit-Reset" not in read.headers
    assert failed_write.status == 404
    assert failed_write.headers["Fastly-RateLimit-Remaining"] == "999"
    assert failed_write.headers["Fastly-RateLimit-Reset"] == str(RESET)
    assert fake.rate_limit_remaining(fake.user) == 999


async def test_429_when_budget_spent_until_the_window_resets(
    make_fake: Make, http: aiohttp.ClientSession, clock: Clock
) -> None:
    fake = await make_fake(rate_limit=2)
    path = "/tokens/AAAAAAAAAAAAAAAAAAAAAA"
    first = await call(http, fake, "DELETE", path, fake.key)
    second = await call(http, fake, "DELETE", path, fake.key)

    limited = await call(http, fake, "DELETE", path, fake.key)
    read = await call(http, fake, "GET", "/tokens/self", fake.key)
    clock.now = RESET
    after_reset = await call(http, fake, "DELETE", path, fake.key)

    assert first.headers["Fastly-RateLimit-Remaining"] == "1"
    assert second.headers["Fastly-RateLimit-Remaining"] == "0"
    assert limited.status == 429
    assert limited.json() == {
        "msg": "You have exceeded your hourly rate limit. "
        "Please contact support@fastly.com if you think this is a mistake."
    }
    assert limited.headers["Fastly-RateLimit-Remaining"] == "0"
    assert limited.headers["Fastly-RateLimit-Reset"] == str(RESET)
    assert "Retry-After" not in limited.headers
    assert read.status == 200
    assert after_reset.status == 404
    assert after_reset.headers["Fastly-RateLimit-Remaining"] == "1"
    assert after_reset.headers["Fastly-RateLimit-Reset"] == str(RESET + 3600)


async def test_retry_after_option_adds_seconds_to_reset_on_429(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    fake = await make_fake(rate_limit=0, retry_after=True)

    reply = await call(http, fake, "DELETE", "/tokens/self", fake.key)

    assert reply.status == 429
    assert reply.headers["Retry-After"] == str(RESET - int(T0))
    assert not fake.is_revoked(fake.token_id)


async def test_budget_is_per_user_shared_by_their_tokens_and_windows_follow_window_arg(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    fake = await make_fake(window=60.0)
    second_key = fake.add_token().access_token

    await call(http, fake, "DELETE", "/tokens/x", fake.key)
    shared = await call(http, fake, "DELETE", "/tokens/x", second_key)
    other_user = await call(http, fake, "DELETE", "/tokens/x", fake.superuser_key)

    assert shared.headers["Fastly-RateLimit-Remaining"] == "998"
    assert other_user.headers["Fastly-RateLimit-Remaining"] == "999"
    assert shared.headers["Fastly-RateLimit-Reset"] == str((int(T0) // 60 + 1) * 60)


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
    bad_id = "AAAAAAAAAAAAAAAAAAAAAA" if bad == "unknown" else fake.superuser_token_id

    reply = await bulk(http, fake, fake.key, good, bad_id)

    assert reply.status == status
    assert "msg" in reply.json()
    assert not fake.is_revoked(good)
    assert not fake.is_revoked(fake.superuser_token_id)


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
        http, fake, fake.key, good, "AAAAAAAAAAAAAAAAAAAAAA", fake.superuser_token_id
    )

    assert reply.status == 204
    assert fake.is_revoked(good)
    assert not fake.is_revoked(fake.superuser_token_id)


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


# -- faults -------------------------------------------------------------------------------


async def test_status_fault_answers_json_without_acting(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fault = fake.faults.add("status", status=500, method="DELETE", path="/tokens/*")

    failed = await call(http, fake, "DELETE", "/tokens/self", fake.key)
    next_one = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert failed.status == 500
    assert failed.headers["Content-Type"] == "application/json"
    assert "msg" in failed.json()
    assert not fake.is_revoked(fake.token_id)
    assert fault.hits == 1
    assert next_one.status == 200


async def test_status_fault_503_is_an_html_page(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("status", times=None)

    replies = [await call(http, fake, "GET", "/tokens", fake.key) for _ in range(2)]

    assert [r.status for r in replies] == [503, 503]
    assert replies[0].headers["Content-Type"].startswith("text/html")
    assert b"503 Service Unavailable" in replies[0].body


async def test_drop_before_closes_connection_without_acting(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("drop_before", method="POST")

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, fake, "POST", "/tokens", fake.key, data=create_form(fake))

    assert len(fake.tokens_of(fake.user)) == 1
    assert fake.requests[-1].dropped
    assert fake.requests[-1].fault == "drop_before"


async def test_drop_after_acts_then_closes_connection(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_token()
    fake.faults.add("drop_after", method="DELETE")

    # aiohttp itself re-sends an idempotent request once after a disconnect, so the
    # client sees the second attempt: 404, because the first one revoked the token.
    reply = await call(http, fake, "DELETE", f"/tokens/{token.id}", fake.key)

    assert fake.is_revoked(token.id)
    assert reply.status == 404
    assert [(r.status, r.fault) for r in fake.requests] == [(None, "drop_after"), (404, None)]


async def test_drop_on_every_attempt_surfaces_as_server_disconnected(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("drop_before", times=2, path="/tokens/self")

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, fake, "GET", "/tokens/self", fake.key)

    assert [r.dropped for r in fake.requests] == [True, True]


async def test_slow_fault_delays_then_answers_normally(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("slow", delay=0.05)

    started = time.monotonic()
    reply = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert time.monotonic() - started >= 0.05
    assert reply.status == 200
    assert reply.json()["id"] == fake.token_id


async def test_malformed_fault_answers_200_json_with_broken_body(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("malformed", path="/tokens")

    reply = await call(http, fake, "GET", "/tokens", fake.key)

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        reply.json()


async def test_fault_times_and_clear(fake: FakeFastly, http: aiohttp.ClientSession) -> None:
    fake.faults.add("status", status=502, times=2)
    first = [(await call(http, fake, "GET", "/tokens/self", fake.key)).status for _ in range(3)]
    fake.faults.add("status", status=502, times=None)
    fake.faults.clear()

    after_clear = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert first == [502, 502, 200]
    assert after_clear.status == 200


def test_fault_probability_is_reproducible_with_a_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = Faults(seed)
        faults.add("status", times=None, probability=0.5)
        return [faults.take("GET", "/tokens") is not None for _ in range(40)]

    assert pattern(7) == pattern(7)
    assert 0 < sum(pattern(7)) < 40


def test_fault_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Faults().add("explode")  # type: ignore[arg-type]


# -- inspection, seeding, other ways to run --------------------------------------------------


async def test_request_log_records_method_path_status_and_token(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    await call(http, fake, "GET", "/tokens/self", fake.key)
    await call(http, fake, "DELETE", "/tokens/nope", fake.superuser_key)
    await call(http, fake, "GET", "/tokens")

    assert [(r.method, r.path, r.status, r.token_id) for r in fake.requests] == [
        ("GET", "/tokens/self", 200, fake.token_id),
        ("DELETE", "/tokens/nope", 404, fake.superuser_token_id),
        ("GET", "/tokens", 401, None),
    ]
    assert len(fake.requests_matching("DELETE", "/tokens/*")) == 1
    fake.reset_requests()
    assert fake.requests == []


async def test_latency_is_added_to_every_response(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    fake = await make_fake(latency=0.03)

    started = time.monotonic()
    await call(http, fake, "GET", "/tokens/self", fake.key)

    assert time.monotonic() - started >= 0.03


async def test_unknown_route_is_a_json_404(fake: FakeFastly, http: aiohttp.ClientSession) -> None:
    reply = await call(http, fake, "GET", "/nowhere", fake.key)

    assert reply.status == 404
    assert reply.headers["Content-Type"] == "application/json"


def test_seed_tokens_are_varied_and_deterministic_for_a_seed(clock: Clock) -> None:
    fake = FakeFastly(seed_tokens=60, seed=11, clock=clock)
    again = FakeFastly(seed_tokens=60, seed=11, clock=clock)
    tokens = fake.seeded_tokens
    now = clock()

    assert len(fake.tokens_of(fake.user)) == 61
    assert any(t.expired(now) for t in tokens)
    assert any(t.last_used_at is None for t in tokens)
    assert any(t.last_used_at and now - t.last_used_at.timestamp() > 180 * 86400 for t in tokens)
    assert any(" " in t.scope for t in tokens)
    assert any(t.services for t in tokens)
    assert len({t.name for t in tokens}) > 10
    assert [(t.name, t.scope) for t in tokens] == [(t.name, t.scope) for t in again.seeded_tokens]


def test_key_argument_sets_the_seeded_users_secret() -> None:
    fake = FakeFastly(key="my-demo-key")

    assert fake.key == "my-demo-key"
    token = fake.token(fake.token_id)
    assert token is not None
    assert token.access_token == "my-demo-key"


async def test_make_app_runs_on_aiohttp_test_server() -> None:
    fake = FakeFastly()
    async with TestClient(TestServer(fake.make_app())) as client:
        resp = await client.get("/tokens/self", headers={"Fastly-Key": fake.key})
        assert resp.status == 200
        assert (await resp.json())["id"] == fake.token_id


def test_fixture_serves_sync_clients_from_a_thread(fake_fastly: FakeFastly) -> None:
    status, body = fetch(fake_fastly.base_url + "/tokens/self", fake_fastly.key)

    assert status == 200
    assert json.loads(body)["id"] == fake_fastly.token_id
    assert threading.current_thread() is threading.main_thread()


async def test_fixture_serves_async_tests_too(
    fake_fastly: FakeFastly, http: aiohttp.ClientSession
) -> None:
    reply = await call(http, fake_fastly, "DELETE", "/tokens/self", fake_fastly.key)

    assert reply.status == 204
    assert fake_fastly.is_revoked(fake_fastly.token_id)


@pytest.mark.fake_fastly(rate_limit=1)
def test_fixture_takes_options_from_marker(fake_fastly: FakeFastly) -> None:
    url = fake_fastly.base_url + "/tokens/AAAAAAAAAAAAAAAAAAAAAA"

    statuses = [fetch(url, fake_fastly.key, "DELETE")[0] for _ in range(2)]

    assert statuses == [404, 429]


def test_serve_in_thread_stops_the_server_on_exit() -> None:
    with FakeFastly().serve_in_thread() as fake:
        url = fake.base_url
        assert fake.running

    assert not fake.running
    with pytest.raises(urllib.error.URLError):
        fetch(url + "/tokens/self")


def test_cli_prints_parseable_lines_and_serves() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "fastly_tokens.testing", "--port", "0", "--key", "cli-key"],
        stdout=subprocess.PIPE,
        text=True,
    )
    timer = threading.Timer(20, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        lines: dict[str, str] = {}
        while "password" not in lines:
            line = proc.stdout.readline()
            assert line, "the CLI exited before printing its lines"
            name, _, value = line.rstrip("\n").partition(": ")
            lines[name] = value
        status, _ = fetch(lines["base_url"] + "/tokens/self", lines["key"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        timer.cancel()
        if proc.stdout is not None:
            proc.stdout.close()

    assert status == 200
    assert lines["key"] == "cli-key"
    assert lines["base_url"].startswith("http://127.0.0.1:")
    assert {"superuser_key", "username", "password"} <= set(lines)
    assert lines["username"] == "user@example.com"
    assert proc.returncode == 0
