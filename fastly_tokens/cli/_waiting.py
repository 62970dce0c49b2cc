"""Saying what the command waits for: a transient line on a terminal once a request is slow.

A closed port, a host that does not resolve or a listener that never answers used to leave a
blank screen for seconds (a minute, for the last). On a terminal, once a request has been in
flight for more than :data:`AFTER` seconds, standard error shows ``waiting for HOST (N s)``
on a line of its own that is erased as soon as no request is in flight, or before anything
else is printed. Off a terminal nothing is shown: a log needs no spinner, and the error says
where and how long anyway.

The requests are seen through an aiohttp ``TraceConfig`` (its public hooks), start to end,
retries and their waits included. Nothing of a request is kept but when it started: its
headers hold the key.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from types import SimpleNamespace
from typing import Any, TextIO

import aiohttp

__all__ = ["AFTER", "TICK", "WaitNotice", "notice_text"]

AFTER = 1.0
"""Seconds a request is waited on before the notice says so."""
TICK = 0.25
"""Seconds between two looks at the requests in flight."""

_ERASE = "\r\x1b[2K"
"""Back to the start of the line, and erase it."""


def notice_text(host: str, waited: float) -> str:
    """Word the notice: ``waiting for api.fastly.com (3 s)``."""
    return f"waiting for {host} ({waited:.0f} s)"


class WaitNotice:
    """The requests in flight, and the transient line that names the host of a slow one.

    ``file`` is standard error; ``enabled`` is whether it is a terminal (else nothing is ever
    written). ``clock`` gives seconds.
    """

    def __init__(self, file: TextIO, *, enabled: bool, clock: Callable[[], float]) -> None:
        self._file = file
        self.enabled = enabled
        self._clock = clock
        self._flight: dict[int, tuple[str, float]] = {}
        self._shown = ""
        """The notice on the screen now ("": none)."""
        self._paused = 0

    # -- the requests -----------------------------------------------------------------

    def started(self, key: int, host: str) -> None:
        """Note that a request to ``host`` was sent (``key`` names it until it ends)."""
        self._flight[key] = (host, self._clock())

    def ended(self, key: int) -> None:
        """Note that a request ended (answered or failed); the notice goes when none is left."""
        self._flight.pop(key, None)
        if not self._flight:
            self.clear()

    def trace_config(self) -> aiohttp.TraceConfig:
        """Build the aiohttp hooks that report each request's start and end here."""
        config = aiohttp.TraceConfig()

        async def start(_: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
            self.started(id(context), params.url.host or str(params.url))

        async def end(_: aiohttp.ClientSession, context: SimpleNamespace, __: Any) -> None:
            self.ended(id(context))

        config.on_request_start.append(start)
        config.on_request_end.append(end)
        config.on_request_exception.append(end)
        return config

    # -- the line ---------------------------------------------------------------------

    def waiting(self) -> tuple[str, float] | None:
        """Give the host of the oldest request in flight and how long it has been waited on."""
        if not self._flight:
            return None
        host, since = min(self._flight.values(), key=lambda flight: flight[1])
        return host, self._clock() - since

    def tick(self) -> None:
        """Show (or refresh) the notice if a request has been waited on long enough."""
        oldest = self.waiting()
        if not self.enabled or self._paused or oldest is None or oldest[1] < AFTER:
            return
        text = notice_text(*oldest)
        if text != self._shown:
            self._file.write(_ERASE + text)
            self._file.flush()
            self._shown = text

    def clear(self) -> None:
        """Erase the notice, if it is shown (before anything else is printed)."""
        if self._shown:
            self._shown = ""
            self._file.write(_ERASE)
            self._file.flush()

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Show nothing meanwhile (a live progress bar owns the terminal)."""
        self.clear()
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1

    async def watch(self, sleep: Callable[[float], Awaitable[None]]) -> None:
        """Look at the requests every :data:`TICK` seconds until cancelled."""
        if not self.enabled:
            return
        try:
            while True:
                await sleep(TICK)
                self.tick()
        except asyncio.CancelledError:
            self.clear()
            raise
