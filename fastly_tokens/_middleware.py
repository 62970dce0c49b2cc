"""The aiohttp client middlewares that apply the retry policy and the rate-limit gate.

Thin glue: :mod:`._retry` decides, :mod:`._ratelimit` keeps the budget; this module only
sends, reads, releases, sleeps and logs. ``build_middlewares`` returns retry over ratelimit as
one aiohttp middleware (aiohttp would wrap a pair anew for every request), so each retry
passes through the gate and the concurrency bound again::

    retry       loops attempts; deadline, backoff, server-directed waits
    ratelimit   gate for writes, client-wide semaphore, budget read from every response
    aiohttp     connect, send, read the status line and headers

The retry middleware never raises :class:`~fastly_tokens.RateLimitError` for a 429 itself: when
the wait is beyond ``max_wait`` or the deadline it returns the 429 response unretried, and the
client turns it into the error (its ``retry_after`` from :func:`._retry.server_wait`). The gate
does raise it, without sending, when the budget is already known to be spent.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

import aiohttp

from ._call import CALL_RECORD
from ._errors import ResponseTooLargeError
from ._log import logger
from ._ratelimit import LONG_WAIT, READ_METHODS, RateLimitGate
from ._retry import RetryPolicy, decide, maybe_reached_server
from ._wire import parse_rate_limit, retry_after

__all__ = ["DEFAULT_MAX_BODY_SIZE", "ConnectionLostError", "build_middlewares"]

log = logger

DEFAULT_MAX_BODY_SIZE = 128 * 1024 * 1024
"""The largest body read (decoded), 128 MiB: about three times a list of 100,000 tokens."""


# When the current call must be over (epoch seconds), for the gate: set by the retry middleware.
_DEADLINE: ContextVar[float | None] = ContextVar("fastly_tokens_deadline", default=None)


class ConnectionLostError(aiohttp.ClientConnectionError):
    """The connection broke on the last attempt the retry policy allowed.

    Raised in place of aiohttp's ``ServerDisconnectedError`` or ``ClientOSError``, which the
    original is kept as ``__cause__`` of: for those two types aiohttp replays an idempotent
    request once more outside the middlewares, which would overrun ``attempts`` and the
    deadline (and turn ``RetryPolicy(attempts=1)`` into two attempts).
    """


def _final(exc: Exception) -> Exception:
    """Pick the exception to raise when giving up on ``exc``: one aiohttp will not replay."""
    replayed = isinstance(exc, aiohttp.ServerDisconnectedError) or (
        isinstance(exc, aiohttp.ClientOSError) and not isinstance(exc, aiohttp.ClientConnectorError)
    )
    if not replayed:
        return exc
    lost = ConnectionLostError(str(exc) or type(exc).__name__)
    lost.__cause__ = exc
    return lost


class _Expiry:
    """The timer callback that ends an attempt whose budget ran out, by cancelling its task.

    What ``asyncio.timeout()`` does, without its state machine and the two coroutines of its
    ``async with``: one attempt runs per request, and that cost showed in the profiles.
    """

    __slots__ = ("fired", "task")

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task
        self.fired = False

    def __call__(self) -> None:
        self.fired = True
        self.task.cancel()


async def _attempt(
    req: aiohttp.ClientRequest,
    handler: aiohttp.ClientHandlerType,
    inner: aiohttp.ClientMiddlewareType,
    budget: float,
) -> aiohttp.ClientResponse | Exception:
    """Send once through ``inner`` and read the whole body, within ``budget`` seconds.

    Returns the response or the error. The rate-limit middleware (``inner``) reads the body,
    so a connection dropped mid-body counts as a failed attempt. aiohttp closes the connection
    of a request or read that fails or is cancelled, so nothing leaks. Running out of
    ``budget`` is a ``TimeoutError``, as with ``asyncio.timeout()``: the task is cancelled,
    and the cancellation taken back here unless someone else cancelled it too.
    """
    if not math.isfinite(budget):
        try:
            return await inner(req, handler)
        except Exception as exc:  # the policy decides; cancellation is not caught
            return exc
    task = asyncio.current_task()
    if task is None:  # pragma: no cover (aiohttp runs every request in a task)
        raise RuntimeError("a request runs outside a task")
    cancelling = task.cancelling()
    expiry = _Expiry(task)
    loop = task.get_loop()
    timer = loop.call_at(loop.time() + budget, expiry) if budget > 0 else loop.call_soon(expiry)
    try:
        resp = await inner(req, handler)
    except asyncio.CancelledError as exc:
        if expiry.fired and task.uncancel() <= cancelling:  # ours alone: the budget ran out
            timeout = TimeoutError()
            timeout.__cause__ = exc
            return timeout
        raise
    except BaseException as exc:
        if expiry.fired:  # it fired, but the attempt ended another way: take the cancel back
            task.uncancel()
        if isinstance(exc, Exception):  # the policy decides
            return exc
        raise
    finally:
        timer.cancel()
    if expiry.fired:
        task.uncancel()
    return resp


def _retry_middleware(
    policy: RetryPolicy,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
    rand: Callable[[], float],
    inner: aiohttp.ClientMiddlewareType,
) -> aiohttp.ClientMiddlewareType:
    """Make the retry middleware, each attempt sent through ``inner`` (the rate limit's).

    It calls ``inner`` itself rather than leave the pair to aiohttp, which builds two closures
    and a wrapper coroutine per middleware for every request.
    """

    async def retry(
        req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        method = req.method
        record = CALL_RECORD.get()
        started = clock()
        deadline_at = started + policy.deadline
        token = _DEADLINE.set(deadline_at)
        try:
            attempt = 0
            while True:
                attempt += 1
                outcome = await _attempt(req, handler, inner, deadline_at - clock())
                if isinstance(outcome, Exception):
                    status, headers = None, None
                    lost, what = maybe_reached_server(outcome), type(outcome).__name__
                elif outcome.status < 400:
                    return outcome  # the common case: nothing to decide
                else:
                    status, headers = outcome.status, outcome.headers
                    lost, what = outcome.status >= 500, str(outcome.status)
                if record is not None and lost:
                    record.maybe_applied = True
                path = req.url.path
                decision = decide(
                    policy,
                    method=method,
                    attempt=attempt,
                    started=started,
                    now=clock(),
                    status=status,
                    exc=outcome if isinstance(outcome, Exception) else None,
                    headers=headers,
                    rand=rand(),
                )
                if not decision.retry:
                    log.debug(
                        "%s %s: %s on attempt %d, not retried: %s (wait %.1f s)",
                        *(method, path, what, attempt, decision.reason, decision.wait),
                    )
                    if isinstance(outcome, Exception):
                        raise _final(outcome)
                    return outcome
                if not isinstance(outcome, Exception):
                    outcome.release()
                level = logging.WARNING if decision.wait > LONG_WAIT else logging.INFO
                log.log(
                    level,
                    "%s %s: %s on attempt %d, retrying in %.2f s%s",
                    *(method, path, what, attempt, decision.wait),
                    " as the server asked" if decision.server_directed else "",
                )
                await sleep(decision.wait)
        finally:
            _DEADLINE.reset(token)

    return retry


def _observe(gate: RateLimitGate, method: str, resp: aiohttp.ClientResponse, now: float) -> None:
    """Feed one response's rate-limit figures to the gate; a 429 arms it for every task."""
    remaining, reset = parse_rate_limit(resp.headers, now)
    if resp.status == 429:
        if reset is None:
            wait = retry_after(resp.headers, now)
            reset = None if wait is None else now + wait
        gate.arm(reset)
    elif remaining is not None or reset is not None:
        gate.update(remaining, reset)
    elif resp.status < 400 and method not in READ_METHODS:  # aiohttp's method is upper case
        gate.note_unmetered()


async def _read_capped(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    """Read the whole (decoded) body, or raise once it passes ``limit`` bytes, closing it.

    Decoded bytes are counted as they arrive, so a gzip bomb or an endless stream is cut off
    at the cap; aiohttp inflates in bounded steps, so memory stays near the cap too.
    """
    length = resp.content_length
    if length is not None and length > limit:
        resp.close()
        raise ResponseTooLargeError(method=resp.method, path=resp.url.path, limit=limit)
    content = resp.content
    if content.is_eof():  # the whole body came with the headers (most answers): take it at once
        body = content.read_nowait()
        if len(body) > limit:
            resp.close()
            raise ResponseTooLargeError(method=resp.method, path=resp.url.path, limit=limit)
        return body
    chunks: list[bytes] = []
    size = 0
    async for chunk in content.iter_any():
        size += len(chunk)
        if size > limit:
            resp.close()
            raise ResponseTooLargeError(method=resp.method, path=resp.url.path, limit=limit)
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _ratelimit_middleware(
    gate: RateLimitGate,
    semaphore: asyncio.Semaphore,
    clock: Callable[[], float],
    max_body_size: int,
) -> aiohttp.ClientMiddlewareType:
    # The gate and the semaphore are entered by acquire/release rather than ``async with``,
    # in one coroutine: every request passes here, and the context managers' coroutines
    # showed in the profiles.
    async def ratelimit(
        req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        method = req.method
        write = method not in READ_METHODS  # reads are free at Fastly: no gate
        if write:
            # The gate first: a write waiting for the reset must not hold a slot a read could use.
            await gate.acquire(method, req.url.path, deadline=_DEADLINE.get())
        try:
            await semaphore.acquire()
            try:
                record = CALL_RECORD.get()
                if record is not None:
                    record.attempts += 1
                resp = await handler(req)
                _observe(gate, method, resp, clock())
                # Read under the semaphore, so requests queue here rather than in the
                # connector's pool, where the wait would count against the connect timeout. The
                # client's call takes the body from its record; other callers read it from the
                # response.
                if record is None:
                    await resp.read()
                else:
                    record.body = await _read_capped(resp, max_body_size)
            finally:
                semaphore.release()
        except BaseException:
            if write:  # no answer that reported the budget: counted as spent
                gate.release(charged=True)
            raise
        if write:
            gate.release()
        return resp

    return ratelimit


def build_middlewares(
    *,
    policy: RetryPolicy,
    gate: RateLimitGate,
    max_concurrency: int,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
    rand: Callable[[], float] = random.random,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
) -> tuple[aiohttp.ClientMiddlewareType, ...]:
    """Build the client's middlewares: one aiohttp middleware, retry over rate limit.

    Pass them to one ``ClientSession`` (or per request). Every attempt of the retry middleware
    goes through the rate-limit middleware, as if the two were passed ``(retry, ratelimit)``;
    they come as one because aiohttp wraps each middleware anew for every request.
    ``max_concurrency`` bounds the attempts in flight across the client; give the connector the
    same ``limit``. ``clock`` (epoch seconds), ``sleep`` and ``rand`` are injected so tests
    control time and jitter. Within a call of the client (a :data:`CALL_RECORD` set), bodies are
    read into the record, capped at ``max_body_size`` bytes.
    """
    if max_concurrency < 1:
        raise ValueError(f"max_concurrency must be >= 1, not {max_concurrency!r}")
    semaphore = asyncio.Semaphore(max_concurrency)
    ratelimit = _ratelimit_middleware(gate, semaphore, clock, max_body_size)
    return (_retry_middleware(policy, clock, sleep, rand, ratelimit),)
