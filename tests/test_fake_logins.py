"""FakeFastly's two logins of POST /tokens over real loopback HTTP, and the create answer."""

from __future__ import annotations

import base64
import re
from typing import Any

import aiohttp
import pytest

from fastly_tokens.testing import DEMO_PASSWORD, FakeClock, FakeFastly

from .support.fake_http import SUDO_403, T0, Make, call, create_form, post_sudo

# The keys of the recorded create answer, exactly: no deleted_at, no last_used_at.
CREATE_FIELDS = {
    "id",
    "name",
    "user_id",
    "customer_id",
    "service_id",
    "expires_at",
    "created_at",
    "updated_at",
    "scope",
    "services",
    "access_token",
}


# -- POST /tokens, the keyless login -------------------------------------------------------


async def test_keyless_create_is_200_with_exactly_the_recorded_keys(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    form = [
        *create_form(fake).items(),
        ("name", "deploy"),
        ("scope", "purge_all global:read"),
        ("services[]", "svc1"),
        ("services[]", "svc2"),
        ("expires_at", "2030-01-02T03:04:05Z"),
    ]

    reply = await call(http, fake, "POST", "/tokens", data=form)

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json()
    assert set(body) == CREATE_FIELDS
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", body["access_token"])
    assert body["name"] == "deploy"
    assert body["scope"] == "purge_all global:read"
    assert body["services"] == ["svc1", "svc2"]
    assert body["service_id"] == "svc2"
    assert body["expires_at"] == "2030-01-02T03:04:05Z"
    assert body["user_id"] == fake.user.id
    assert body["created_at"] == body["updated_at"] == "2023-11-14T22:13:20Z"
    assert reply.headers["Fastly-RateLimit-Remaining"] == "999"
    fetched = await call(http, fake, "GET", "/tokens/self", body["access_token"])
    assert fetched.json()["id"] == body["id"]
    assert fetched.json()["service_id"] == "svc2"
    assert "access_token" not in fetched.json()


async def test_keyless_create_with_no_services_has_a_null_service_id(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    form = [*create_form(fake).items(), ("services", "svc9")]

    plain = await call(http, fake, "POST", "/tokens", data=create_form(fake))
    one = await call(http, fake, "POST", "/tokens", data=form)

    assert plain.json()["service_id"] is None
    assert plain.json()["services"] == []
    assert plain.json()["scope"] == "global"
    assert one.json()["service_id"] == "svc9"


async def test_keyless_create_accepts_http_basic(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    basic = base64.b64encode(f"{fake.user.username}:{fake.user.password}".encode()).decode()

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
async def test_keyless_create_rejects_bad_requests(
    fake: FakeFastly,
    http: aiohttp.ClientSession,
    fields: dict[str, str],
    status: int,
    expected: dict[str, str] | None,
) -> None:
    reply = await call(http, fake, "POST", "/tokens", data=create_form(fake, **fields))

    assert reply.status == status
    if expected is not None:
        assert reply.json() == expected
    else:
        assert set(reply.json()) == {"msg", "detail"}
    assert len(fake.tokens_of(fake.user)) == 1


async def test_keyless_create_of_a_locked_user_is_account_locked(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.user.locked = True

    reply = await call(http, fake, "POST", "/tokens", data=create_form(fake))

    assert reply.status == 400
    assert reply.json() == {"code": "account_locked"}
    assert len(fake.tokens_of(fake.user)) == 1


async def test_keyless_create_of_a_two_factor_user_needs_the_otp(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    user = fake.add_user(username="mfa@example.com", otp="123456")
    form = {"username": user.username, "password": DEMO_PASSWORD}

    missing = await call(http, fake, "POST", "/tokens", data=form)
    wrong = await call(http, fake, "POST", "/tokens", data=form, headers={"Fastly-OTP": "000000"})
    right = await call(http, fake, "POST", "/tokens", data=form, headers={"Fastly-OTP": "123456"})

    assert (missing.status, missing.json()) == (400, {"code": "2fa.verify"})
    assert (wrong.status, wrong.json()) == (400, {"code": "2fa.verify"})
    assert right.status == 200
    assert right.json()["user_id"] == user.id


# -- POST /tokens, the key login (Fastly-Key plus password, after sudo) ----------------------


async def test_key_create_without_sudo_is_403_must_post_sudo(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    reply = await call(http, fake, "POST", "/tokens", fake.key, data=create_form(fake))

    assert reply.status == 403
    assert reply.json() == SUDO_403
    assert reply.headers["Fastly-RateLimit-Remaining"] == "999"
    assert len(fake.tokens_of(fake.user)) == 1


async def test_key_create_after_sudo_with_password_only_as_the_fastly_cli_does(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    await post_sudo(http, fake, fake.key)

    reply = await call(
        http, fake, "POST", "/tokens", fake.key, data={"password": DEMO_PASSWORD, "name": "cli"}
    )

    assert reply.status == 200
    assert set(reply.json()) == CREATE_FIELDS
    assert reply.json()["user_id"] == fake.user.id
    assert reply.headers["Fastly-RateLimit-Remaining"] == "998"  # sudo, then create
    assert fake.rate_limit_remaining(fake.user) == 998


async def test_key_create_after_sudo_as_go_fastly_does(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    form = [*create_form(fake).items(), ("name", "ci"), ("services[]", "svc1")]

    sudo_reply = await call(http, fake, "POST", "/sudo", fake.key, data=form)
    reply = await call(http, fake, "POST", "/tokens", fake.key, data=form)

    assert sudo_reply.status == 200
    assert reply.status == 200
    assert reply.json()["services"] == ["svc1"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"username": "admin@example.com"}, {"code": "invalid_grant"}),
        ({"password": "wrong"}, {"code": "invalid_grant"}),
        ({"password": ""}, {"code": "invalid_request"}),
    ],
)
async def test_key_create_needs_the_keys_own_users_password(
    fake: FakeFastly, http: aiohttp.ClientSession, fields: dict[str, str], expected: Any
) -> None:
    fake.grant_sudo(fake.token_id)

    reply = await call(http, fake, "POST", "/tokens", fake.key, data=create_form(fake, **fields))

    assert reply.status == 400
    assert reply.json() == expected
    assert len(fake.tokens_of(fake.user)) == 1
    assert len(fake.tokens_of(fake.world.superuser)) == 1


async def test_key_create_without_sudo_works_when_switched_off(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    fake = await make_fake(key_create_needs_sudo=False)

    reply = await call(http, fake, "POST", "/tokens", fake.key, data={"password": DEMO_PASSWORD})

    assert reply.status == 200
    assert reply.json()["user_id"] == fake.user.id


async def test_key_create_with_an_invalid_key_is_401_even_with_a_good_login(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    reply = await call(http, fake, "POST", "/tokens", "bogus", data=create_form(fake))

    assert reply.status == 401
    assert len(fake.tokens_of(fake.user)) == 1


async def test_key_create_of_a_two_factor_user_checks_the_otp_unless_switched_off(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    outcomes = []
    for otp_with_key in (True, False):
        fake = await make_fake(otp_with_key=otp_with_key)
        user = fake.add_user(username="mfa@example.com", otp="123456")
        token = fake.add_token(user)
        fake.grant_sudo(token.id)
        reply = await call(
            http, fake, "POST", "/tokens", token.access_token, data={"password": DEMO_PASSWORD}
        )
        outcomes.append((reply.status, reply.json().get("code")))

    assert outcomes == [(400, "2fa.verify"), (200, None)]


async def test_read_only_key_cannot_create_even_in_sudo(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    read_only = fake.add_token(scope="global:read")
    fake.grant_sudo(read_only.id)

    form = create_form(fake)
    reply = await call(http, fake, "POST", "/tokens", read_only.access_token, data=form)

    assert reply.status == 403
    assert "Read only" in reply.json()["msg"]


def test_grant_sudo_helper_sets_the_window_by_the_fakes_clock(clock: FakeClock) -> None:
    fake = FakeFastly(clock=clock, sudo_seconds=60)

    expires = fake.grant_sudo(fake.token_id)

    assert expires.timestamp() == T0 + 60
    assert fake.in_sudo(fake.token_id)
    clock.advance(60)
    assert not fake.in_sudo(fake.token_id)
    assert fake.events_of("user.sudo") == []  # granted directly, not through the API
