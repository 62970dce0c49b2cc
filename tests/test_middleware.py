"""The retry and rate-limit middlewares against a real loopback HTTP server.

The server is a small scripted aiohttp.web app: each request pops the next action queued for
its method and path (a status, a dropped connection before or after acting, a truncated body,
a hang), else answers from a default. Time is fake: the middlewares' clock and sleep are a
:class:`FakeClock` shared with the server's write budget, so nothing really waits.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

import aiohttp
import attrs
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from fastly_tokens._middleware import build_middlewares
from fastly_tokens._ratelimit import RateLimitGate
from fastly_tokens._retry import RetryPolicy
from fastly_tokens.testing import FakeClock

NOW = 1_700_000_000.0
KEY = "SECRET-fastly-key-never-logged"

Action = Callable[["Script", web.Request], Awaitable[web.StreamResponse]]


@attrs.define
class Script:
    """What the server will answer, and what it saw."""

    time: FakeClock
    queued: defaultdict[tuple[str, str], deque[Action]] = attrs.field(
        factory=lambda: defaultdict(deque)
    )
    default: dict[tuple[str, str], Action] = attrs.field(factory=dict)
    hits: list[tuple[str, str]] = attrs.field(factory=list)
    acted: list[tuple[str, str]] = attrs.field(factory=list)
    statuses: list[int] = attrs.field(factory=list)
    release: asyncio.Event = attrs.field(factory=asyncio.Event)
    hung: asyncio.Event = attrs.field(factory=asyncio.Event)
    # The write budget, Fastly-style: a window with a reset, counted on non-GETs only.
    limit: int | None = None
    remaining: int = 0
    reset: float = NOW + 10
    window: float = 3600.0

    def queue(self, method: str, path: str, *actions: Action) -> None:
        self.queued[method, path].extend(actions)

    def count(self, method: str, path: str) -> int:
        return self.hits.count((method, path))

    def budget_headers(self, request: web.Request) -> dict[str, str]:
        """Spend one write of the budget; the headers to send (none without a limit)."""
        if self.limit is None or request.method == "GET":
            return {}
        if self.time.now >= self.reset:
            while self.time.now >= self.reset:
                self.reset += self.window
            self.remaining = self.limit
        return {
            "Fastly-RateLimit-Remaining": str(self.remaining),
            "Fastly-RateLimit-Reset": str(int(self.reset)),
        }

    async def handle(self, request: web.Request) -> web.StreamResponse:
        key = (request.method, request.path)
        self.hits.append(key)
        assert request.headers.get("Fastly-Key") == KEY
        queue = self.queued[key]
        action = queue.popleft() if queue else self.default.get(key, answer(200))
        return await action(self, request)


def answer(status: int, headers: Mapping[str, str] | None = None, body: bytes = b"") -> Action:
    """Answer ``status``; 429 unless the budget allows the write, when the script has one."""

    async def act(script: Script, request: web.Request) -> web.StreamResponse:
        budget = script.budget_headers(request)
        final = status
        if budget and script.remaining == 0:
            final = 429
            body_ = b'{"msg":"rate limit exceeded"}'
        else:
            body_ = body
            if budget:
                script.remaining -= 1
                budget["Fastly-RateLimit-Remaining"] = str(script.remaining)
            if final < 400:
                script.acted.append((request.method, request.path))
        script.statuses.append(final)
        return web.Response(status=final, body=body_ or None, headers={**budget, **(headers or {})})

    return act


def drop(*, after_acting: bool) -> Action:
    """Close the connection before any answer, having acted first or not."""

    async def act(script: Script, request: web.Request) -> web.StreamResponse:
        if after_acting:
            script.acted.append((request.method, request.path))
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    return act


def truncated() -> Action:
    """Promise 100 bytes, send 10, close: a connection dropped mid-body."""

    async def act(script: Script, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Length": "100"})
        await resp.prepare(request)
        await resp.write(b"x" * 10)
        assert request.transport is not None
        request.transport.close()
        return resp

    return act


def hang() -> Action:
    """Never answer until the test is over."""

    async def act(script: Script, request: web.Request) -> web.StreamResponse:
        script.hung.set()
        await script.release.wait()
        return web.Response()

    return act


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def script(clock: FakeClock) -> Script:
    return Script(time=clock)


@pytest.fixture
async def server(script: Script) -> AsyncIterator[TestServer]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    srv = TestServer(app, host="127.0.0.1")
    await srv.start_server()
    try:
        yield srv
    finally:
        script.release.set()
        await srv.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=16),
        headers={"Fastly-Key": KEY},
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=5),
    ) as s:
        yield s


@attrs.define
class Client:
    """A session, a server and one set of middlewares: the pieces the real client joins."""

    session: aiohttp.ClientSession
    server: TestServer
    gate: RateLimitGate
    middlewares: tuple[aiohttp.ClientMiddlewareType, ...]

    async def call(self, method: str, path: str) -> tuple[int, bytes]:
        async with self.session.request(
            method, self.server.make_url(path), middlewares=self.middlewares
        ) as resp:
            return resp.status, await resp.read()


ClientFactory = Callable[..., Client]


@pytest.fixture
def make_client(
    session: aiohttp.ClientSession, server: TestServer, clock: FakeClock
) -> ClientFactory:
    def make(policy: RetryPolicy | None = None, max_concurrency: int = 16) -> Client:
        policy = policy or RetryPolicy(jitter=0)
        gate = RateLimitGate(clock, clock.sleep, policy.max_wait)
        middlewares = build_middlewares(
            policy=policy,
            gate=gate,
            max_concurrency=max_concurrency,
            clock=clock,
            sleep=clock.sleep,
            rand=lambda: 0.0,
        )
        return Client(session, server, gate, middlewares)

    return make


# dropped connections


async def test_truncated_body_is_retried_for_get(
    make_client: ClientFactory, script: Script
) -> None:
    script.queue("GET", "/tokens", truncated(), answer(200, body=b"[1]"))
    assert await make_client().call("GET", "/tokens") == (200, b"[1]")
    assert script.count("GET", "/tokens") == 2


async def test_post_is_never_replayed_after_a_truncated_body(
    make_client: ClientFactory, script: Script
) -> None:
    script.default["POST", "/tokens"] = truncated()
    with pytest.raises(aiohttp.ClientPayloadError):
        await make_client().call("POST", "/tokens")
    assert script.count("POST", "/tokens") == 1


# max_wait and the deadline


async def test_deadline_cuts_a_hung_attempt(make_client: ClientFactory, script: Script) -> None:
    script.default["GET", "/tokens"] = hang()
    client = make_client(RetryPolicy(deadline=0.2))
    async with asyncio.timeout(5):
        with pytest.raises(TimeoutError):
            await client.call("GET", "/tokens")
    assert script.count("GET", "/tokens") == 1


# the shared budget


async def test_max_concurrency_bounds_requests_in_flight(
    make_client: ClientFactory, script: Script
) -> None:
    in_flight = peak = 0

    async def counting(script_: Script, request: web.Request) -> web.StreamResponse:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return web.Response(body=b"{}")

    script.default["GET", "/tokens/self"] = counting
    client = make_client(max_concurrency=3)
    await asyncio.gather(*(client.call("GET", "/tokens/self") for _ in range(12)))
    assert peak == 3
