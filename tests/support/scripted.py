"""A scripted loopback server, to drive the middlewares directly with what FakeFastly never sends.

Each request pops the next action queued for its method and path (an answer, a body cut off
mid-way, a hang), else answers from a default. :class:`Scripted` joins it to one session and
builds the middlewares the real client would, on a :class:`~fastly_tokens.testing.FakeClock`.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

import aiohttp
import attrs
from aiohttp import web
from aiohttp.test_utils import TestServer

from fastly_tokens._middleware import build_middlewares
from fastly_tokens._ratelimit import RateLimitGate
from fastly_tokens._retry import RetryPolicy
from fastly_tokens.testing import FakeClock

KEY = "SECRET-fastly-key-never-logged"

Action = Callable[["Script", web.Request], Awaitable[web.StreamResponse]]


@attrs.define
class Script:
    """What the server will answer, and what it saw (``hits``: every method and path)."""

    queued: defaultdict[tuple[str, str], deque[Action]] = attrs.field(
        factory=lambda: defaultdict(deque)
    )
    default: dict[tuple[str, str], Action] = attrs.field(factory=dict)
    hits: list[tuple[str, str]] = attrs.field(factory=list)
    release: asyncio.Event = attrs.field(factory=asyncio.Event)
    hung: asyncio.Event = attrs.field(factory=asyncio.Event)

    def queue(self, method: str, path: str, *actions: Action) -> None:
        self.queued[method, path].extend(actions)

    def count(self, method: str, path: str) -> int:
        return self.hits.count((method, path))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        key = (request.method, request.path)
        self.hits.append(key)
        assert request.headers.get("Fastly-Key") == KEY
        queue = self.queued[key]
        action = queue.popleft() if queue else self.default.get(key, answer(200))
        return await action(self, request)


def answer(status: int, headers: Mapping[str, str] | None = None, body: bytes = b"") -> Action:
    """Answer ``status`` with ``headers`` and ``body``."""

    async def act(script: Script, request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, body=body or None, headers=headers)

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
    """Never answer until the test is over (sets ``script.hung`` when the request arrives)."""

    async def act(script: Script, request: web.Request) -> web.StreamResponse:
        script.hung.set()
        await script.release.wait()
        return web.Response()

    return act


@attrs.define
class Client:
    """A session, a server and one set of middlewares: the pieces the real client joins."""

    session: aiohttp.ClientSession
    server: TestServer
    middlewares: tuple[aiohttp.ClientMiddlewareType, ...]

    async def call(self, method: str, path: str) -> tuple[int, bytes]:
        async with self.session.request(
            method, self.server.make_url(path), middlewares=self.middlewares
        ) as resp:
            return resp.status, await resp.read()


@attrs.define
class Scripted:
    """The running server, its script, and a session that sends ``KEY``."""

    script: Script
    server: TestServer
    session: aiohttp.ClientSession
    clock: FakeClock

    def client(self, policy: RetryPolicy | None = None, max_concurrency: int = 16) -> Client:
        """Middlewares as the client builds them (no jitter unless ``policy`` says)."""
        policy = policy or RetryPolicy(jitter=0)
        middlewares = build_middlewares(
            policy=policy,
            gate=RateLimitGate(self.clock, self.clock.sleep, policy.max_wait),
            max_concurrency=max_concurrency,
            clock=self.clock,
            sleep=self.clock.sleep,
            rand=lambda: 0.0,
        )
        return Client(self.session, self.server, middlewares)


@asynccontextmanager
async def scripted_server(clock: FakeClock) -> AsyncIterator[Scripted]:
    """Serve a fresh script on loopback; release any hang and close everything on exit."""
    script = Script()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=16),
            headers={"Fastly-Key": KEY},
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=5),
        ) as session:
            yield Scripted(script, server, session, clock)
    finally:
        script.release.set()
        await server.close()
