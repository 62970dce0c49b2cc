"""FakeFastly's POST /sudo over real loopback HTTP: the sudo window and who may open it."""

from __future__ import annotations

import aiohttp
import pytest

from fastly_tokens.testing import DEMO_PASSWORD, FakeClock, FakeFastly

from .support.fake_http import SUDO_403, Make, call, create_form, post_sudo

# -- POST /sudo --------------------------------------------------------------------------


async def test_sudo_opens_five_minutes_on_the_asking_token_and_is_a_write(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    reply = await post_sudo(http, fake, fake.key, username=fake.user.username)
    self_body = (await call(http, fake, "GET", "/tokens/self", fake.key)).json()

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json() == {"expiry_time": "2023-11-14T22:18:20+00:00"}
    assert reply.headers["Fastly-RateLimit-Remaining"] == "999"
    assert reply.headers["Cache-Control"] == "no-store"
    assert fake.in_sudo(fake.token_id)
    assert not fake.in_sudo(fake.world.superuser_token.id)
    assert self_body["sudo_expires_at"] == "2023-11-14T22:18:20Z"
    assert fake.rate_limit_remaining(fake.user) == 999


async def test_sudo_takes_json_without_username_and_an_expiry_time(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    body = {"password": DEMO_PASSWORD, "expiry_time": "2023-11-14T22:15:00Z"}

    reply = await call(http, fake, "POST", "/sudo", fake.key, json=body)

    assert reply.status == 200
    assert reply.json() == {"expiry_time": "2023-11-14T22:15:00+00:00"}


async def test_sudo_ignores_the_rest_of_a_go_fastly_create_form(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    form = [*create_form(fake).items(), ("name", "ci"), ("services[]", "svc1")]

    reply = await call(http, fake, "POST", "/sudo", fake.key, data=form)

    assert reply.status == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"password": "wrong"},
        {"password": ""},
        {"username": "admin@example.com"},
        {"username": "nobody@example.com"},
    ],
)
async def test_sudo_with_a_wrong_login_is_403_and_still_costs_a_write(
    fake: FakeFastly, http: aiohttp.ClientSession, fields: dict[str, str]
) -> None:
    reply = await post_sudo(http, fake, fake.key, **fields)

    assert reply.status == 403
    assert reply.json() == {"msg": "Invalid login credentials"}
    assert reply.headers["Fastly-RateLimit-Remaining"] == "999"
    assert not fake.in_sudo(fake.token_id)


async def test_sudo_needs_a_valid_key_and_a_writing_scope(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    read_only = fake.add_token(scope="global:read")

    keyless = await call(http, fake, "POST", "/sudo", data=create_form(fake))
    reading = await post_sudo(http, fake, read_only.access_token)

    assert keyless.status == 401
    assert reading.status == 403
    assert reading.json()["msg"].startswith("Read only tokens")
    assert not fake.in_sudo(read_only.id)


@pytest.mark.parametrize(
    "body", [b"{not json", b"[" * 100_000 + b"]" * 100_000, b"[1]", b'{"password": 5}']
)
async def test_sudo_with_a_bad_json_body_is_400(
    fake: FakeFastly, http: aiohttp.ClientSession, body: bytes
) -> None:
    reply = await call(
        http,
        fake,
        "POST",
        "/sudo",
        fake.key,
        data=body,
        headers={"Content-Type": "application/json"},
    )

    assert reply.status == 400
    assert reply.json()["msg"] == "Bad request"


async def test_sudo_with_a_past_expiry_time_is_400(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    reply = await post_sudo(http, fake, fake.key, expiry_time="2001-01-01T00:00:00Z")

    assert reply.status == 400
    assert not fake.in_sudo(fake.token_id)


async def test_sudo_of_a_two_factor_user_needs_the_otp_unless_switched_off(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    fake = await make_fake()
    lenient = await make_fake(otp_with_key=False)
    results = []
    for server in (fake, lenient):
        user = server.add_user(username="mfa@example.com", otp="123456")
        key = server.add_token(user).access_token
        missing = await post_sudo(http, server, key)
        right = await post_sudo(http, server, key, otp="123456")
        results.append((missing.status, right.status))

    assert results == [(403, 200), (200, 200)]


async def test_sudo_of_a_locked_user_is_403(fake: FakeFastly, http: aiohttp.ClientSession) -> None:
    fake.user.locked = True

    reply = await post_sudo(http, fake, fake.key)

    assert reply.status == 403
    assert reply.json() == {"msg": "User account is locked"}


async def test_sudo_window_closes_after_five_minutes(
    fake: FakeFastly, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    await post_sudo(http, fake, fake.key)
    form = {"password": DEMO_PASSWORD}

    clock.advance(299)
    inside = await call(http, fake, "POST", "/tokens", fake.key, data=form)
    clock.advance(1)
    after = await call(http, fake, "POST", "/tokens", fake.key, data=form)

    assert inside.status == 200
    assert after.status == 403
    assert after.json() == SUDO_403
