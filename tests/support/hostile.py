"""A loopback server that answers every request with whatever it is told: broken proxies, bombs.

The handlers here stand in for what a misbehaving endpoint sends; FakeFastly's ``Faults`` cover
the hostile answers of the API itself (``tests/test_fake_hostile.py``).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestServer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HostileServer:
    """A loopback server that answers every request with whatever ``answer`` says.

    It stands in for a broken proxy or a malicious endpoint: set ``answer`` to one of the
    module's handlers (or any of your own). ``hits`` counts the requests it received.
    """

    def __init__(self, answer: Handler) -> None:
        self.answer = answer
        self.hits: list[tuple[str, str]] = []
        self._server: TestServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.hits.append((request.method, request.path))
        await request.read()
        return await self.answer(request)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[HostileServer]:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        try:
            yield self
        finally:
            await self._server.close()


def echo_headers(status: int = 400) -> Handler:
    """Answer ``status`` with a JSON ``msg`` (and ``detail``) quoting the request's headers."""

    async def act(request: web.Request) -> web.StreamResponse:
        quoted = "; ".join(f"{k}: {v}" for k, v in request.headers.items())
        body = await request.text()
        return web.json_response(
            {"msg": f"bad request, headers were {quoted}", "detail": f"body was {body}"},
            status=status,
        )

    return act


def raw(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Handler:
    """Answer ``status`` with exactly ``body`` (JSON content type unless headers say)."""

    async def act(request: web.Request) -> web.StreamResponse:
        return web.Response(
            status=status,
            body=body,
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    return act


_BOMBS: dict[int, bytes] = {}


def gzip_bomb_bytes(size: int) -> bytes:
    """A gzip stream of ``size`` zero bytes, built without holding them (cached)."""
    if size not in _BOMBS:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = bytes(1 << 20)
        parts = [packer.compress(block) for _ in range(size >> 20)]
        parts.append(packer.compress(bytes(size & ((1 << 20) - 1))))
        parts.append(packer.flush())
        _BOMBS[size] = b"".join(parts)
    return _BOMBS[size]


def gzip_bomb(size: int, status: int = 200) -> Handler:
    """Answer with ``Content-Encoding: gzip`` that inflates to ``size`` bytes."""
    packed = gzip_bomb_bytes(size)

    async def act(request: web.Request) -> web.StreamResponse:
        return web.Response(
            status=status,
            body=packed,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )

    return act


def endless(chunk: int = 1 << 16) -> Handler:
    """Answer 200 with a chunked body that never ends, until the client goes away."""

    async def act(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        block = b"[" + b" " * (chunk - 1)
        try:
            while True:
                await response.write(block)
        except (ConnectionError, RuntimeError):
            pass  # the client hung up, as it should
        return response

    return act
