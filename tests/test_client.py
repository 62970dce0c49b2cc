"""FastlyAsync: configuration, session lifecycle, and never showing the token."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from fastly_tokens import (
    AuthenticationError,
    ClientClosedError,
    FastlyAsync,
    RetryPolicy,
    __version__,
)
from fastly_tokens.testing import FakeFastly


def test_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTLY_API_TOKEN", "from-env-token")
    client = FastlyAsync()
    assert client._headers["Fastly-Key"] == "from-env-token"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_token_fails_at_construction(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    monkeypatch.delenv("FASTLY_API_TOKEN", raising=False)
    with pytest.raises(ValueError, match="FASTLY_API_TOKEN"):
        FastlyAsync(value)


@pytest.mark.parametrize(
    "url", ["http://api.example.com", "http://10.0.0.1:8080", "http://fastly.local/"]
)
def test_plain_http_off_loopback_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="clear text"):
        FastlyAsync("k", base_url=url)
    assert FastlyAsync("k", base_url=url, allow_insecure_http=True).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "https://x.test"]
)
def test_loopback_http_and_https_are_accepted(url: str) -> None:
    assert FastlyAsync("k", base_url=url).base_url == url


@pytest.mark.parametrize("url", ["ftp://x.test", "api.fastly.com", "https://"])
def test_base_url_must_be_http_with_a_host(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        FastlyAsync("k", base_url=url)


def test_repr_shows_base_url_never_the_token() -> None:
    client = FastlyAsync("s3cr3t-token-value", base_url="https://api.fastly.com")
    assert "https://api.fastly.com" in repr(client)
    assert "s3cr3t-token-value" not in repr(client)
    assert "s3cr3t-token-value" not in repr(client.tokens)
    assert "s3cr3t-token-value" not in repr(vars(client))


async def test_sends_key_accept_and_user_agent(fake: FakeFastly) -> None:
    async with FastlyAsync(fake.key, base_url=fake.base_url, user_agent="my-app/2") as c:
        me = await c.tokens.get_token_current()
    assert me.id == fake.token_id
    assert me.user_agent is not None
    assert me.user_agent.startswith(f"my-app/2 fastly-tokens/{__version__} ")


async def test_wrong_key_is_authentication_error(fake: FakeFastly) -> None:
    async with FastlyAsync("not-a-real-key", base_url=fake.base_url) as c:
        with pytest.raises(AuthenticationError) as info:
            await c.tokens.get_token_current()
    assert info.value.status == 401
    assert info.value.msg == "Provided credentials are missing or invalid"
    assert "not-a-real-key" not in str(info.value) + repr(info.value)


async def test_close_is_idempotent_and_calls_after_close_fail(fake: FakeFastly) -> None:
    client = FastlyAsync(fake.key, base_url=fake.base_url)
    await client.tokens.get_token_current()  # opens the session lazily
    await client.close()
    await client.close()
    assert client.closed
    with pytest.raises(ClientClosedError, match="closed"):
        await client.tokens.get_token_current()
    with pytest.raises(ClientClosedError):
        async with client:
            pass


async def test_a_session_passed_in_is_used_and_left_open(fake: FakeFastly) -> None:
    async with aiohttp.ClientSession() as session:
        async with FastlyAsync(fake.key, base_url=fake.base_url, session=session) as c:
            me = await c.tokens.get_token_current()
        assert me.id == fake.token_id
        assert not session.closed
        async with session.get(fake.base_url + "/tokens/self") as resp:
            assert resp.status == 401  # our Fastly-Key was per request, not on the session


async def test_no_token_in_logs_or_errors(
    fake: FakeFastly, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.faults.add("status", status=503, times=2, path="/tokens/self")
    async with FastlyAsync(
        fake.key, base_url=fake.base_url, retry=RetryPolicy(attempts=2), sleep=_no_sleep
    ) as c:
        with pytest.raises(Exception) as info:  # noqa: PT011 (the text is what is checked)
            await c.tokens.get_token_current()
    seen = caplog.text + str(info.value) + repr(info.value) + repr(info.value.__cause__)
    assert fake.key not in seen
    assert any("/tokens/self" in r.getMessage() for r in caplog.records)


async def _no_sleep(seconds: float) -> None:
    return None
