"""`FastlyAsync`: configuration, the one aiohttp session, and the request path every call takes.

A call goes down once: ``TokensAPI`` picks the method and path, ``_request`` sends it through
the retry and rate-limit middlewares, and the answer comes back as a status, headers and body
or as a typed error. The token is held in a wrapper whose repr hides it, and is sent only as
the ``Fastly-Key`` header.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import platform
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import aiohttp
import attrs
from multidict import CIMultiDictProxy
from yarl import URL

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    status_error,
)
from ._middleware import CALL_RECORD, CallRecord, build_middlewares
from ._ratelimit import RateLimit, RateLimitGate, parse_rate_limit
from ._retry import RetryPolicy, server_wait
from ._tokens import TokensAPI
from ._version import __version__

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "FastlyAsync", "Response"]

DEFAULT_BASE_URL = "https://api.fastly.com"
"""Fastly's API."""

DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=10.0, sock_read=30.0)
"""Per attempt: 10 s to connect, 30 s between bytes read. The retry policy's deadline bounds
the whole call, waits included, which aiohttp's ``total`` cannot do."""

TOKEN_ENV_VAR = "FASTLY_API_TOKEN"  # noqa: S105 (the variable's name, not a secret)
"""Where the token is read from when none is passed, as Fastly's own SDKs do."""

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class _Secret:
    """Holds the API token so that no repr, log line or traceback local shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


class _Headers(dict[str, str]):
    """Request headers whose repr masks the ``Fastly-Key``, for tracebacks that show locals."""

    def __repr__(self) -> str:
        shown = {k: ("<secret>" if k.lower() == "fastly-key" else v) for k, v in self.items()}
        return repr(shown)


@attrs.frozen
class Response:
    """What one call brought back: the final status, headers and the whole body."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    maybe_applied: bool = False
    """An earlier attempt of this call was lost after it may have reached Fastly."""


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: str, *, allow_insecure_http: bool) -> str:
    """Refuse a base URL that would send the key in clear text across a network by accident."""
    url = URL(base_url)
    if url.scheme not in {"http", "https"} or not url.host:
        raise ValueError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise ValueError(
            f"base_url {base_url!r} is plain http to a host that is not loopback: the API "
            "token would cross the network in clear text. Use https, or pass "
            "allow_insecure_http=True if you really mean it."
        )
    return base_url.rstrip("/")


def _timeout(value: float | aiohttp.ClientTimeout) -> aiohttp.ClientTimeout:
    if isinstance(value, aiohttp.ClientTimeout):
        return value
    if value <= 0:
        raise ValueError(f"timeout must be positive, got {value!r}")
    return aiohttp.ClientTimeout(total=None, connect=value, sock_read=value)


class FastlyAsync:
    """An asyncio client for Fastly's token API, owning one aiohttp session.

    Use it as ``async with FastlyAsync(token) as c:`` and call ``c.tokens``. The token comes
    from ``token`` or else the ``FASTLY_API_TOKEN`` environment variable; with neither,
    construction fails. A ``session`` passed in is used as it is and never closed here; our
    headers and middlewares are added to each request. ``retry`` sets the retry policy
    (``RetryPolicy(attempts=1)`` turns retrying off) and ``max_concurrency`` bounds the
    requests in flight. ``clock`` (epoch seconds) and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        session: aiohttp.ClientSession | None = None,
        user_agent: str | None = None,
        retry: RetryPolicy | None = None,
        max_concurrency: int = 16,
        allow_insecure_http: bool = False,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        secret = _Secret(token if token is not None else os.environ.get(TOKEN_ENV_VAR, ""))
        del token
        if not secret.reveal().strip():
            raise ValueError(f"no Fastly API token: pass FastlyAsync(token) or set {TOKEN_ENV_VAR}")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
        self._token = secret
        self._base_url = _check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self._timeout = _timeout(timeout)
        self._retry = retry if retry is not None else RetryPolicy()
        self._max_concurrency = max_concurrency
        self._clock = clock
        agent = f"fastly-tokens/{__version__} python/{platform.python_version()} "
        agent += f"aiohttp/{aiohttp.__version__}"
        self._headers = _Headers(
            {
                "Fastly-Key": secret.reveal(),
                "Accept": "application/json",
                "User-Agent": f"{user_agent} {agent}" if user_agent else agent,
            }
        )
        self._gate = RateLimitGate(clock=clock, sleep=sleep, max_wait=self._retry.max_wait)
        self._middlewares = build_middlewares(
            policy=self._retry,
            gate=self._gate,
            max_concurrency=max_concurrency,
            clock=clock,
            sleep=sleep,
            rand=random.random,
        )
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self.tokens = TokensAPI(self)
        """The eight token operations, and the bulk revocation job."""

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<FastlyAsync base_url={self._base_url!r} {state}>"

    @property
    def base_url(self) -> str:
        """The API root every path is joined to."""
        return self._base_url

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._retry

    @property
    def rate_limit(self) -> RateLimit:
        """The budget Fastly last reported: ``remaining`` writes until ``reset_at``."""
        return self._gate.snapshot()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    async def __aenter__(self) -> Self:
        self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session this client opened (never one passed in). Safe to call twice."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("this FastlyAsync client is closed; make a new one")
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._max_concurrency)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self._session

    async def _request(
        self,
        method: str,
        path: str,
        *,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
        record: CallRecord | None = None,
    ) -> Response:
        """Send one call and return its answer, or raise the typed error for it.

        ``record``, when given, is filled in with the requests this call spent.
        """
        session = self._open()
        record = record if record is not None else CallRecord()
        reset_token = CALL_RECORD.set(record)
        try:
            async with session.request(
                method,
                self._base_url + path,
                data=data,
                headers=_Headers(self._headers, **headers) if headers else self._headers,
                timeout=self._timeout,
                allow_redirects=False,
                middlewares=self._middlewares,
            ) as resp:
                body = await resp.read()
                answer = Response(resp.status, resp.headers, body, record.maybe_applied)
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise APITimeoutError(
                f"timed out ({type(exc).__name__})", method=method, path=path
            ) from exc
        except aiohttp.ClientResponseError as exc:
            # Its request_info holds our headers, Fastly-Key included: keep only the words.
            raise APIConnectionError(
                f"{type(exc).__name__}: {exc.status} {exc.message}", method=method, path=path
            ) from None
        except aiohttp.ClientError as exc:
            raise APIConnectionError(
                f"{type(exc).__name__}: {exc}", method=method, path=path
            ) from exc
        finally:
            CALL_RECORD.reset(reset_token)
        if answer.status not in expect:
            raise self._status_error(method, path, answer)
        return answer

    def _status_error(self, method: str, path: str, answer: Response) -> APIStatusError:
        remaining, reset = parse_rate_limit(answer.headers)
        reset_at = datetime.fromtimestamp(reset, UTC) if reset is not None else None
        retry_after = server_wait(answer.headers, self._clock()) if answer.status == 429 else None
        return status_error(
            status=answer.status,
            method=method,
            path=path,
            body=answer.body.decode("utf-8", "replace"),
            remaining=remaining,
            reset_at=reset_at,
            retry_after=retry_after,
            maybe_applied=answer.maybe_applied,
        )
