"""FastlyAsync: configuration, session lifecycle, never showing the token, a soak under faults."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections import Counter

import aiohttp
import pytest

from fastly_tokens import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ClientClosedError,
    ClientLoopError,
    FastlyAsync,
    FastlyError,
    InternalServerError,
    NotFoundError,
    Outcome,
    ResponseValidationError,
    RetryPolicy,
    __version__,
)
from fastly_tokens.testing import FakeClock, FakeFastly

from .support.client import assert_nothing_unclosed
from .support.waiting import eventually


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
    fake: FakeFastly, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.faults.add("status", status=503, times=2, path="/tokens/self")
    async with FastlyAsync(
        fake.key, base_url=fake.base_url, retry=RetryPolicy(attempts=2), sleep=clock.sleep
    ) as c:
        with pytest.raises(Exception) as info:  # noqa: PT011 (the text is what is checked)
            await c.tokens.get_token_current()
    seen = caplog.text + str(info.value) + repr(info.value) + repr(info.value.__cause__)
    assert fake.key not in seen
    assert any("/tokens/self" in r.getMessage() for r in caplog.records)


# -- closing while calls are in flight (issue 8, item 9) -------------------------------------


async def test_close_ends_a_call_in_flight_with_client_closed_error(fake: FakeFastly) -> None:
    slow = fake.faults.add("slow", delay=0.2, path="/tokens/self")
    client = FastlyAsync(fake.key, base_url=fake.base_url)
    call = asyncio.ensure_future(client.tokens.get_token_current())
    await eventually(lambda: slow.hits > 0)  # the request is at the fake
    await client.close()
    with pytest.raises(ClientClosedError, match="closed during this call"):
        await call


async def test_close_ends_a_call_waiting_to_retry_at_once(
    fake: FakeFastly, clock: FakeClock
) -> None:
    clock.hold()  # a backoff that would never end by itself
    fake.faults.add("status", status=503, times=None, path="/tokens/self")
    client = FastlyAsync(fake.key, base_url=fake.base_url, clock=clock, sleep=clock.sleep)
    call = asyncio.ensure_future(client.tokens.get_token_current())
    await clock.wait_for_sleep()
    await client.close()
    with pytest.raises(ClientClosedError):
        await call
    assert len(fake.requests_matching("GET", "/tokens/self")) == 1  # no attempt after close


async def test_a_cancelled_call_stays_cancelled_not_closed(
    fake: FakeFastly, clock: FakeClock
) -> None:
    clock.hold()  # a backoff that would never end by itself
    fake.faults.add("status", status=503, times=None, path="/tokens/self")
    async with FastlyAsync(
        fake.key, base_url=fake.base_url, clock=clock, sleep=clock.sleep
    ) as client:
        call = asyncio.ensure_future(client.tokens.get_token_current())
        await clock.wait_for_sleep()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
    assert clock.cancelled == 1  # the backoff went with the call


# -- one client, one event loop (issue 8, item 11) -------------------------------------------


# Left open when its first loop ended (the misuse under test), the client's pooled connection
# dies with that loop, and Python warns about it when it is collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_client_used_after_its_loop_ended_says_it_belongs_to_one_loop() -> None:
    with FakeFastly().serve_in_thread() as fake:
        client = FastlyAsync(fake.key, base_url=fake.base_url)
        assert asyncio.run(client.tokens.get_token_current()).id == fake.token_id
        with pytest.raises(ClientLoopError, match="one client per loop"):
            asyncio.run(client.tokens.get_token_current())
        asyncio.run(client.close())  # its old loop is gone: closing it still works
        assert client.closed
    del client
    gc.collect()  # the dead connection's warning lands here, where it is expected


def test_a_client_shared_with_another_thread_says_it_belongs_to_one_loop() -> None:
    with FakeFastly().serve_in_thread() as fake:
        client = FastlyAsync(fake.key, base_url=fake.base_url)
        errors: list[BaseException] = []
        started, finish = threading.Event(), threading.Event()

        async def owner() -> None:
            await client.tokens.get_token_current()
            started.set()
            await asyncio.to_thread(finish.wait)
            await client.close()

        def other() -> None:
            started.wait()
            try:
                asyncio.run(client.tokens.get_token_current())
            except BaseException as exc:
                errors.append(exc)
            try:
                asyncio.run(client.close())
            except BaseException as exc:
                errors.append(exc)
            finish.set()

        thread = threading.Thread(target=other)
        thread.start()
        asyncio.run(owner())
        thread.join()
    assert [type(e) for e in errors] == [ClientLoopError, ClientLoopError]


# -- a lent session's settings do not change what the client sees ------------------------------


async def test_a_lent_session_that_raises_for_status_still_gets_typed_errors(
    fake: FakeFastly,
) -> None:
    ids = [fake.add_token(name=f"t{i}").id for i in range(6)]
    async with (
        aiohttp.ClientSession(raise_for_status=True) as session,
        FastlyAsync(fake.key, base_url=fake.base_url, session=session) as c,
    ):
        with pytest.raises(NotFoundError):
            await c.tokens.get_token("NoSuchToken00000000000")
        report = await c.tokens.revoke_many([*ids[:3], fake.foreign_token_id, *ids[3:]])
    assert report.ids(Outcome.REVOKED) == ids  # bisection saw the 404 and isolated it
    assert report.ids(Outcome.NOT_FOUND) == [fake.foreign_token_id]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_max_concurrency_must_be_a_positive_int(bad: object) -> None:
    with pytest.raises(ValueError, match="max_concurrency"):
        FastlyAsync("k" * 32, max_concurrency=bad)  # type: ignore[arg-type]  # bad on purpose


# -- a soak under random faults ----------------------------------------------------------------

SOAK_CALLS = 5_000


@pytest.mark.usefixtures("watchdog")
async def test_soak_every_call_ends_in_success_or_one_typed_error(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # The waits take no time, but the client and the fake keep the real clock: on the fake one,
    # the calls queued behind the 50 slots would see every earlier wait pass and run out of
    # their deadlines, which is not what this test is about.
    async with (
        FakeFastly(rate_limit=1_000_000, seed=20_240_601) as fake,
        FastlyAsync(
            fake.key,
            base_url=fake.base_url,
            timeout=0.5,
            max_concurrency=50,
            sleep=clock.sleep,
        ) as c,
    ):
        # About one request in five meets a fault (first match wins, in this order); the first
        # outlasts the client's 0.5 s read timeout.
        faults = [
            fake.faults.add("slow", delay=0.7, times=None, probability=0.01),
            fake.faults.add("status", status=503, times=None, probability=0.05),
            fake.faults.add("drop_before", times=None, probability=0.04),
            fake.faults.add("drop_after", times=None, probability=0.04),
            fake.faults.add("slow", delay=0.001, times=None, probability=0.04),
            fake.faults.add("malformed", method="GET", times=None, probability=0.05),
        ]
        fresh = [fake.add_token(name=f"soak-{i}").id for i in range(SOAK_CALLS // 3 + 1)]
        revoked: list[str] = []
        maybe_revoked: list[str] = []

        async def one(i: int) -> str:
            try:
                if i % 3 == 0:
                    await c.tokens.get_token_current()
                elif i % 3 == 1:
                    await c.tokens.get_token(fake.token_id)
                else:
                    await c.tokens.revoke_token(fresh[i // 3])
                    revoked.append(fresh[i // 3])
            except NotFoundError as exc:
                # Only after a lost attempt, and then that attempt did revoke it.
                if not exc.maybe_applied:
                    return "NotFoundError without a lost attempt"
                maybe_revoked.append(fresh[i // 3])
                return "NotFoundError (maybe applied)"
            except FastlyError as exc:
                return type(exc).__name__
            except Exception as exc:  # anything else is the failure under test
                return f"UNTYPED {type(exc).__module__}.{type(exc).__name__}: {exc}"
            return "ok"

        outcomes = Counter(await asyncio.gather(*(one(i) for i in range(SOAK_CALLS))))
    assert sum(outcomes.values()) == SOAK_CALLS
    assert [o for o in outcomes if o.startswith("UNTYPED")] == []
    allowed = {"ok", "NotFoundError (maybe applied)"} | {
        e.__name__
        for e in (
            ResponseValidationError,
            InternalServerError,
            APIConnectionError,
            APITimeoutError,
        )
    }
    assert set(outcomes) <= allowed, outcomes
    assert outcomes["ok"] >= 0.9 * SOAK_CALLS, outcomes
    assert all(f.hits > 0 for f in faults)
    assert len(fake.requests) > SOAK_CALLS  # retries happened
    assert sum(f.hits for f in faults) >= 0.15 * len(fake.requests)
    assert all(fake.is_revoked(t) for t in revoked)
    assert all(fake.is_revoked(t) for t in maybe_revoked)
    assert clock.waits
    assert_nothing_unclosed(caplog)
