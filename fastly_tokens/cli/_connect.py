"""Connecting: the client a command runs with, its endpoint checked in the command's own words.

``connect(args, streams)`` reads the key (``--token`` or ``$FASTLY_API_TOKEN``) and the API root
(``--base-url``, ``$FASTLY_API_URL`` or Fastly's), refuses what cannot be used as a usage error
naming the option (``--allow-insecure-http``, not the SDK's ``allow_insecure_http=True``), and
builds the client. While a command runs, :class:`Network` lends each client a session traced
for the wait notice, and closes the sessions at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
from types import TracebackType

import aiohttp
from yarl import URL

from .. import DEFAULT_BASE_URL, FastlyAsync
from .._config import is_loopback
from .._secrets import check_secret
from ._grammar import BASE_URL_ENV_VAR, TOKEN_ENV_VAR, UsageError
from ._streams import Streams
from ._waiting import WaitNotice

__all__ = ["Network", "base_url_of", "connect"]

_NETWORK: contextvars.ContextVar[Network | None] = contextvars.ContextVar(
    "fastly_tokens_cli_network", default=None
)


class Network:
    """The sessions of one command's clients and the notice their requests feed; closed at exit.

    ``async with Network(notice, streams):`` around a command: :func:`connect` then lends each
    client it builds a session of its own, traced for ``notice``, and a watcher task looks at the
    requests in flight until the block ends.
    """

    def __init__(self, notice: WaitNotice, streams: Streams) -> None:
        self.notice = notice
        self._streams = streams
        self._sessions: list[aiohttp.ClientSession] = []
        self._watcher: asyncio.Task[None] | None = None
        self._token: contextvars.Token[Network | None] | None = None

    def session(self) -> aiohttp.ClientSession:
        """Open a session for one client: a pool of 16 connections, as the SDK's own has."""
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=16),
            trace_configs=[self.notice.trace_config()],
        )
        self._sessions.append(session)
        return session

    async def __aenter__(self) -> Network:
        self._token = _NETWORK.set(self)
        if self.notice.enabled:
            self._watcher = asyncio.create_task(self.notice.watch(self._streams.sleep))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        self.notice.clear()
        for session in self._sessions:
            await session.close()
        if self._token is not None:
            _NETWORK.reset(self._token)


def base_url_of(args: argparse.Namespace, streams: Streams) -> str:
    """Choose the API root and check it; a usage error names where it came from."""
    base_url: str
    if args.base_url:
        base_url, source = str(args.base_url), "--base-url"
    elif streams.environ.get(BASE_URL_ENV_VAR):
        base_url, source = streams.environ[BASE_URL_ENV_VAR], f"${BASE_URL_ENV_VAR}"
    else:
        return DEFAULT_BASE_URL
    try:
        url = URL(base_url)
        host, _ = url.host, url.port  # yarl checks the port only when it is read
    except ValueError as exc:
        raise UsageError(f"{source} is not a URL ({exc}): {base_url!r}") from None
    if url.scheme not in {"http", "https"} or not host:
        raise UsageError(f"{source} must be an http(s) URL with a host, got {base_url!r}")
    if url.scheme == "http" and not is_loopback(host) and not args.allow_insecure_http:
        raise UsageError(
            f"{source} {base_url} is plain http to a host that is not loopback: the API token "
            "would cross the network in clear text. Use https, or pass --allow-insecure-http "
            "if you really mean it"
        )
    return base_url


def connect(args: argparse.Namespace, streams: Streams) -> FastlyAsync:
    """Build the client from ``--token``/``$FASTLY_API_TOKEN`` and the API root."""
    if args.token is not None:
        token, source = str(args.token), "--token"
    else:
        token, source = streams.environ.get(TOKEN_ENV_VAR, ""), f"${TOKEN_ENV_VAR}"
    if not token.strip():
        raise UsageError(f"no API token: pass --token or set {TOKEN_ENV_VAR}")
    try:
        token = check_secret(token, source)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    base_url = base_url_of(args, streams)
    network = _NETWORK.get()
    try:
        return FastlyAsync(
            token,
            base_url=base_url,
            allow_insecure_http=args.allow_insecure_http,  # checked above, in our words
            session=None if network is None else network.session(),
            sleep=streams.sleep,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
