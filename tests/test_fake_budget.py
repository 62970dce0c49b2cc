"""FakeFastly's hourly write budget: headers on writes only, 429, windows, Retry-After."""

from __future__ import annotations

import aiohttp

from fastly_tokens.testing import FakeClock, FakeFastly

from .support.fake_http import RESET, T0, Make, call

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
    make_fake: Make, http: aiohttp.ClientSession, clock: FakeClock
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
