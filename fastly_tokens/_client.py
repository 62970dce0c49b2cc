"""`FastlyAsync`: configuration, the one aiohttp session, and the request path every call takes.

A call goes down once: ``TokensAPI`` picks the method and path, ``_request`` sends it through
the retry and rate-limit middlewares, and the answer comes back as a status, headers and body
or as a typed error. The token is held in a wrapper whose repr hides it, and is sent only as
the ``Fastly-Key`` header.
"""

from __future__ import annotations

import asyncio
import platform
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
from yarl import URL

from ._answers import decipher
from ._automation import AutomationTokensAPI
from ._call import CALL_RECORD, CallRecord, Response
from ._config import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    positive_int,
    read_base_url,
    read_token,
    timeout_of,
)
from ._errors import (
    ClientClosedError,
    ClientLoopError,
)
from ._events import EventsAPI
from ._failures import no_answer
from ._hygiene import HygieneMixin
from ._middleware import DEFAULT_MAX_BODY_SIZE, build_middlewares
from ._ratelimit import RateLimit, RateLimitGate
from ._retry import RetryPolicy
from ._secrets import MaskedHeaders, Redactor, Secret, check_secret
from ._sudo import SudoWindow
from ._tokens import TokensAPI
from ._users import UsersAPI
from ._version import __version__

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "FastlyAsync"]

_T = TypeVar("_T")
_CLOSING = "fastly_tokens: client closed"  # the message close() cancels sleeping retries with


class FastlyAsync(HygieneMixin):
    """An asyncio client for Fastly's token API, owning one aiohttp session.

    Use it as ``async with FastlyAsync(token) as c:`` and call ``c.tokens``. The token comes
    from ``token`` or else the ``FASTLY_API_TOKEN`` environment variable, stripped of
    surrounding whitespace; with neither, or with a control character in it, construction
    fails. The API root comes from ``base_url`` or else ``FASTLY_API_URL``, else
    ``https://api.fastly.com``; plain ``http://`` only to loopback unless
    ``allow_insecure_http``. A ``session`` passed in is used as it is and never closed here;
    our headers and middlewares are added to each request. ``retry`` sets the retry policy
    (``RetryPolicy(attempts=1)`` turns retrying off), ``max_concurrency`` bounds the requests
    in flight, and ``max_body_size`` the bytes read of one answer (128 MiB). ``clock`` (epoch
    seconds) and ``sleep`` are injectable for tests. A client belongs to the event loop it is
    first used in.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        session: aiohttp.ClientSession | None = None,
        user_agent: str | None = None,
        retry: RetryPolicy | None = None,
        max_concurrency: int = 16,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        allow_insecure_http: bool = False,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        secret = read_token(token)
        del token
        self._token = secret
        self._redact = Redactor([secret])
        self._base_url = read_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self._host = URL(self._base_url).host or self._base_url
        self._timeout = timeout_of(timeout)
        self._retry = retry if retry is not None else RetryPolicy()
        self._max_concurrency = positive_int(max_concurrency, "max_concurrency")
        self._max_body_size = positive_int(max_body_size, "max_body_size")
        self._clock = clock
        self._user_sleep = sleep
        self._user_agent = user_agent
        agent = f"fastly-tokens/{__version__} python/{platform.python_version()} "
        agent += f"aiohttp/{aiohttp.__version__}"
        self._headers = MaskedHeaders(
            {
                "Fastly-Key": secret.reveal(),
                "Accept": "application/json",
                "User-Agent": f"{user_agent} {agent}" if user_agent else agent,
            }
        )
        self._keyless_headers = MaskedHeaders(
            {k: v for k, v in self._headers.items() if k != "Fastly-Key"}
        )
        self._sudo = SudoWindow(clock)
        self._gate = RateLimitGate(clock=clock, sleep=self._sleep, max_wait=self._retry.max_wait)
        self._middlewares = build_middlewares(
            policy=self._retry,
            gate=self._gate,
            max_concurrency=self._max_concurrency,
            clock=clock,
            sleep=self._sleep,
            rand=random.random,
            max_body_size=self._max_body_size,
        )
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self._sleepers: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.tokens = TokensAPI(self)
        """The eight user-token operations, and the bulk revocation job."""
        self.automation_tokens = AutomationTokensAPI(self)
        """The automation-token operations."""
        self.users = UsersAPI(self)
        """The users of the account: who owns a token."""
        self.events = EventsAPI(self)
        """The audit log."""

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
    def max_concurrency(self) -> int:
        """How many requests this client keeps in flight at most."""
        return self._max_concurrency

    @property
    def rate_limit(self) -> RateLimit:
        """The budget Fastly last reported: ``remaining`` writes until ``reset_at``."""
        return self._gate.snapshot()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    @property
    def sudo_expires_at(self) -> datetime | None:
        """When this client's sudo window closes, as Fastly last said (None: not entered)."""
        return self._sudo.expires_at

    async def sudo(
        self, password: str, *, username: str | None = None, otp: str | None = None
    ) -> datetime:
        """Enter sudo mode (``POST /sudo``) with the password of the key's user.

        Fastly asks for it before a token is created with a key; ``create_token`` and
        ``create_automation_token`` enter it themselves when needed, and reuse the window
        until shortly before it closes. One write of the budget. ``username``, if given, must be
        the key's user's login; ``otp`` is the one-time code of a two-factor user. Returns when
        the window closes. A refused login is a :class:`PermissionDeniedError` (Fastly answers
        403); the password appears in no error, repr or traceback.
        """
        login = Secret(password)
        del password
        code = None if otp is None else Secret(check_secret(otp, "otp"))
        del otp
        return await self._enter_sudo(login, username=username, otp=code)

    async def _ensure_sudo(
        self, password: Secret, *, username: str | None, otp: Secret | None
    ) -> None:
        await self._sudo.ensure(self._call, password, username=username, otp=otp)

    async def _enter_sudo(
        self, password: Secret, *, username: str | None, otp: Secret | None
    ) -> datetime:
        return await self._sudo.enter(self._call, password, username=username, otp=otp)

    def with_key(self, token: str) -> FastlyAsync:
        """Make a client like this one (endpoint, timeouts, policy, limits) for another key.

        Used by :meth:`revoke_leaked_secret` (the leaked secret revokes itself) and
        :meth:`rotate_token` (the new secret proves it works). It owns its own session: use it
        as ``async with``.
        """
        return FastlyAsync(
            token,
            base_url=self._base_url,
            timeout=self._timeout,
            retry=self._retry,
            max_concurrency=self._max_concurrency,
            max_body_size=self._max_body_size,
            user_agent=self._user_agent,
            allow_insecure_http=True,  # the base URL was checked for this client already
            clock=self._clock,
            sleep=self._user_sleep,
        )

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
        """Close the session this client opened (never one passed in). Safe to call twice.

        Calls still in flight, or waiting to retry, end with :class:`ClientClosedError`.
        """
        loop = self._loop
        if loop is not None and loop is not asyncio.get_running_loop() and not loop.is_closed():
            raise ClientLoopError(
                "close() was called from another event loop than this client's, which is still "
                "running: close a client in the loop that uses it"
            )
        self._closed = True
        for task in list(self._sleepers):
            task.cancel(_CLOSING)
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("this FastlyAsync client is closed; make a new one")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise ClientLoopError(
                "this FastlyAsync client belongs to another event loop (a client belongs to the "
                "loop it was first used in): make one client per loop or thread"
            )
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._max_concurrency)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self._session

    def _sleep(self, seconds: float) -> Awaitable[None]:
        """Sleep with the injected sleep, cut short by :meth:`close`: a waiting retry ends then.

        The injected sleep is called at once (so its wake time is fixed now, even when the gate
        runs the wait in a task of its own); :meth:`_sleep_on` awaits it.
        """
        return self._sleep_on(self._user_sleep(seconds))

    async def _sleep_on(self, waiting: Awaitable[None]) -> None:
        """Await a sleep; :meth:`close` cancels it with a message of its own, which ends here.

        That cancellation is taken back and becomes :class:`ClientClosedError`; any other
        cancellation propagates as it is.
        """
        task = asyncio.current_task()
        if task is None:  # pragma: no cover (always awaited in a task)
            await waiting
            return
        self._sleepers.add(task)
        closed: ClientClosedError | None = None
        try:
            await waiting
        except asyncio.CancelledError as exc:
            if exc.args != (_CLOSING,):
                raise
            task.uncancel()
            closed = ClientClosedError("the client was closed while this call waited to retry")
        finally:
            self._sleepers.discard(task)
        if closed is not None:
            raise closed

    async def _request(
        self,
        method: str,
        path: str,
        *,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        record: CallRecord | None = None,
        redact: Redactor | None = None,
        with_key: bool = True,
    ) -> Response:
        """Send one call through the middlewares and return its answer, whatever its status.

        Failures without an answer raise the typed error, its chain and frames cut so that no
        aiohttp frame (whose locals hold the request headers) travels with it. ``record``, when
        given, is filled in with the requests this call spent. ``with_key=False`` leaves the
        ``Fastly-Key`` off (the keyless login of ``POST /tokens``).
        """
        session = self._open()
        started = time.monotonic()
        sent = self._headers if with_key else self._keyless_headers
        if headers:
            sent = MaskedHeaders(sent, **headers)
        record = record if record is not None else CallRecord()
        reset_token = CALL_RECORD.set(record)
        failure: BaseException | None = None
        try:
            # Awaited, then released, rather than ``async with``: the same steps as aiohttp's
            # context managers, without their four coroutines on every call.
            resp = await session.request(
                method,
                self._base_url + path,
                data=data,
                headers=sent,
                timeout=self._timeout,
                allow_redirects=False,
                raise_for_status=False,  # whatever a lent session says: we read every status
                middlewares=self._middlewares,
            )
            try:
                body = record.body if record.body is not None else await resp.read()
                answer = Response(resp.status, resp.headers, body, record.maybe_applied)
            finally:
                resp.release()
                await resp.wait_for_close()
        except BaseException as exc:  # re-raised below, cancellation included, without frames
            failure = no_answer(
                exc,
                method=method,
                path=path,
                host=self._host,
                waited=time.monotonic() - started,
                redact=redact or self._redact,
                closed=self._closed,
            )
        finally:
            CALL_RECORD.reset(reset_token)
        if failure is not None:
            raise failure
        return answer

    async def _call(
        self,
        method: str,
        path: str,
        model: type[_T],
        *,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
        record: CallRecord | None = None,
        secrets: tuple[Secret, ...] = (),
        secret_body: bool = False,
        with_key: bool = True,
    ) -> _T:
        """Send one call and turn its answer into ``model``, or raise the typed error for it.

        ``secrets`` (a password sent with this call) are masked out of any error, as the key
        always is; ``secret_body`` keeps nothing of a body that holds a new secret.
        """
        redact = self._redact.with_secrets(secrets) if secrets else self._redact
        answer = await self._request(
            method,
            path,
            data=data,
            headers=headers,
            record=record,
            redact=redact,
            with_key=with_key,
        )
        return decipher(
            answer,
            model,
            method=method,
            path=path,
            now=self._clock(),
            redact=redact,
            expect=expect,
            secret_body=secret_body,
        )
