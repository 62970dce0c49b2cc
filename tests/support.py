"""Helpers shared by the test modules: a hostile server, and the checks for leaked secrets.

Not a test module: nothing here is collected, and test modules import only from here (and
from the package), never from each other.
"""

from __future__ import annotations

import asyncio
import copy
import pickle
import traceback
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.test_utils import TestServer

T = TypeVar("T")

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


# -- secrets ---------------------------------------------------------------------------------


async def capture(awaitable: Awaitable[Any]) -> BaseException:
    """Await ``awaitable`` and return what it raised; fail if it raised nothing.

    Catching here, in a frame with no secret among its locals, keeps the test's own frame
    (whose locals hold the key) out of the exception's traceback.
    """
    try:
        await awaitable
    except BaseException as exc:
        return exc
    raise AssertionError("expected an exception")


def chain(error: BaseException) -> list[BaseException]:
    """Every exception reachable from ``error``: causes, contexts, group members."""
    seen: list[BaseException] = []
    pending = [error]
    while pending:
        current = pending.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
    return seen


def everything_shown(error: BaseException) -> str:
    """All a reporter could show of ``error``: each link's repr and str, the traceback with
    frame locals (as Sentry, ``pytest -l`` and rich's ``show_locals`` print it), and pickles."""
    parts = [
        "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    ]
    for link in chain(error):
        parts += [repr(link), str(link), repr(vars(link)) if hasattr(link, "__dict__") else ""]
        try:
            parts.append(repr(pickle.dumps(link)))
        except Exception as exc:
            parts.append(f"<unpicklable: {type(exc).__name__}>")
    return "\n".join(parts)


def assert_no_secret(error: BaseException, secrets: Iterable[str]) -> None:
    """Fail if any of ``secrets`` shows anywhere in ``error``, its chain or its frames."""
    shown = everything_shown(error)
    for secret in secrets:
        assert secret not in shown, f"a secret leaks through {type(error).__name__}"


def roundtrip(error: T) -> T:
    """Pickle and unpickle ``error``, and check a copy keeps its fields too."""
    copied = copy.copy(error)
    assert vars(copied) == vars(error)
    restored: T = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    return restored


async def eventually(condition: Callable[[], bool], *, limit: float = 5.0) -> None:
    """Wait, yielding to the loop, until ``condition()`` holds (another task makes it so)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the condition never held")
        await asyncio.sleep(0.001)
