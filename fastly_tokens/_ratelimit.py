"""The client's view of Fastly's hourly write budget, and the one gate every write passes.

Fastly allows about 1,000 non-read requests an hour per user and says how many are left in
``Fastly-RateLimit-Remaining`` and when the window ends in ``Fastly-RateLimit-Reset`` (epoch
seconds). A 429 does not clear before that reset, so retrying sooner only wastes requests.
:class:`RateLimitGate` keeps one budget per client: it counts the writes in flight against what
is left, lets a single write probe while the budget is unknown, and when the budget is spent
holds every write on one shared wait until the reset, or fails it at once when the reset is
further off than the caller will wait. Reads (GET, HEAD) are free and never pass the gate.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from types import TracebackType

import attrs

from ._errors import RateLimitError
from ._log import logger as package_logger
from ._wire import epoch_to_utc

__all__ = ["LONG_WAIT", "READ_METHODS", "RateLimit", "RateLimitGate"]

#: Methods Fastly does not count against the budget.
READ_METHODS = frozenset({"GET", "HEAD"})

LONG_WAIT = 5.0
"""Seconds; a wait longer than this is logged at WARNING before it starts, shorter ones at INFO."""

_UNLIMITED = sys.maxsize


@attrs.frozen
class RateLimit:
    """The write budget as Fastly last reported it: ``client.rate_limit``.

    ``remaining`` is how many non-read requests are left in the current window (less any
    writes lost in flight since); ``reset_at`` is when the window ends, an aware UTC datetime.
    Either is None until a response has carried the ``Fastly-RateLimit-*`` headers.
    """

    remaining: int | None = None
    reset_at: datetime | None = None


class RateLimitGate:
    """One client's write budget, and the gate that keeps its writes within it.

    ``clock`` returns epoch seconds (like :func:`time.time`) and ``sleep`` waits; both are
    injected so tests control time. ``max_wait`` is the longest wait for a reset the gate will
    sit through before it refuses a write with :class:`RateLimitError` instead.

    Admission rules for a write (a non-read request):

    * budget known (remaining and reset both reported, reset not yet passed): admit while the
      writes in flight are fewer than ``remaining``, so R left means at most R sent;
    * budget unknown (nothing reported yet, or the window has reset): one write at a time
      probes until a response reports the budget;
    * budget spent: every write waits on one shared sleep until the reset, then probes.

    A write that fails without an answer is charged one request, since Fastly may have
    counted it. If a successful write carries no rate-limit headers at all, the server is
    taken not to meter writes and the gate opens until headers or a 429 say otherwise.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_wait: float = 60.0,
        logger: logging.Logger | None = None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._max_wait = max_wait
        self._log = logger if logger is not None else package_logger
        self._remaining: int | None = None
        self._reset: float | None = None
        self._unmetered = False
        self._in_flight = 0
        self._changed = asyncio.Event()
        self._waiting = 0
        self._cooldown: asyncio.Future[None] | None = None
        self._cooldown_waiters = 0

    @property
    def in_flight(self) -> int:
        """Writes admitted and not yet released."""
        return self._in_flight

    def snapshot(self) -> RateLimit:
        """Return the budget as last reported, as a public :class:`RateLimit`."""
        return RateLimit(remaining=self._remaining, reset_at=epoch_to_utc(self._reset))

    def update(self, remaining: int | None, reset_epoch: float | None) -> None:
        """Take in the figures of one response (errors included).

        Within one window the lowest ``remaining`` seen wins, since responses can arrive out of
        order; a later reset starts a new window; a reset older than the current one is a stale
        answer from a window already over, and is ignored.
        """
        if remaining is None and reset_epoch is None:
            return
        self._unmetered = False
        if reset_epoch is not None and (self._reset is None or reset_epoch > self._reset):
            self._reset = reset_epoch
            self._remaining = remaining
        elif remaining is not None and reset_epoch in (None, self._reset):
            self._remaining = (
                remaining if self._remaining is None else min(self._remaining, remaining)
            )
        self._notify()

    def arm(self, reset_epoch: float | None) -> None:
        """Mark the budget spent until ``reset_epoch``, for every task: a 429 arrived."""
        self.update(0, reset_epoch)

    def note_unmetered(self) -> None:
        """Stop probing: a successful write came back with no rate-limit headers at all."""
        if self._remaining is None and self._reset is None:
            self._unmetered = True
            self._notify()

    def slot(self, method: str, path: str, *, deadline: float | None = None) -> _Slot:
        """Hold one write's place in the budget for one attempt; reads pass straight through.

        Use as ``async with gate.slot(...)``. ``deadline`` (epoch seconds) is when the call
        must be over: a reset after it fails the write at once, as one beyond ``max_wait``
        does. A write whose block raises is charged (see :meth:`release`).
        """
        return _Slot(self, method, path, deadline)

    async def acquire(self, method: str, path: str, *, deadline: float | None = None) -> None:
        """Wait until one more write fits the budget, then count it in flight.

        Raises :class:`RateLimitError` without waiting when the budget is spent and the reset
        is beyond ``max_wait`` or ``deadline``. Pair with :meth:`release`.
        """
        while True:
            now = self._clock()
            capacity = self._capacity(now)
            if capacity is None:
                assert self._reset is not None  # noqa: S101  (capacity None implies a reset)
                await self._wait_for_reset(self._reset, now, method, path, deadline)
            elif self._in_flight < capacity:
                self._in_flight += 1
                return
            else:
                self._waiting += 1
                try:
                    await self._changed.wait()
                finally:
                    self._waiting -= 1

    def release(self, *, charged: bool = False) -> None:
        """End a write admitted by :meth:`acquire`.

        ``charged`` means it ended without an answer that reported the budget, so it is counted
        as spent: Fastly may have received it.
        """
        self._in_flight -= 1
        if charged and self._remaining:
            self._remaining -= 1
        self._notify()

    def _capacity(self, now: float) -> int | None:
        """How many writes may be in flight now; None when the budget is spent until reset."""
        if self._remaining is not None and self._reset is not None and now < self._reset:
            return self._remaining or None
        return _UNLIMITED if self._unmetered else 1

    def _notify(self) -> None:
        """Wake every task waiting for the budget to change; they re-check it."""
        if self._waiting:  # most writes find nobody waiting: skip making a new Event
            self._changed.set()
            self._changed = asyncio.Event()

    async def _wait_for_reset(
        self, reset: float, now: float, method: str, path: str, deadline: float | None
    ) -> None:
        wait = reset - now
        beyond_deadline = deadline is not None and reset >= deadline
        if wait > self._max_wait or beyond_deadline:
            limit = "the call's deadline" if beyond_deadline else f"max_wait={self._max_wait:g}s"
            self._log.info(
                "%s %s: rate-limit budget spent, reset in %.1f s is beyond %s; not sent",
                method,
                path,
                wait,
                limit,
            )
            raise RateLimitError(
                status=429,
                method=method,
                path=path,
                msg="rate-limit budget spent",
                detail=f"the reset is beyond {limit}",
                remaining=0,
                reset_at=epoch_to_utc(reset),
                retry_after=wait,
            )
        task = self._cooldown
        if task is None or task.done():
            level = logging.WARNING if wait > LONG_WAIT else logging.INFO
            self._log.log(
                level,
                "%s %s: rate-limit budget spent; all writes wait %.1f s for the reset",
                method,
                path,
                wait,
            )
            task = self._cooldown = asyncio.ensure_future(self._sleep(wait))
        self._cooldown_waiters += 1
        try:
            await asyncio.shield(task)
        finally:
            self._cooldown_waiters -= 1
            if not self._cooldown_waiters and not task.done():
                # Every waiter was cancelled: nobody needs the timer any more.
                task.cancel()
                self._cooldown = None


class _Slot:
    """The async context manager :meth:`RateLimitGate.slot` returns.

    A class rather than a generator-based context manager: every write passes through one.
    """

    __slots__ = ("_deadline", "_gate", "_method", "_path", "_write")

    def __init__(self, gate: RateLimitGate, method: str, path: str, deadline: float | None):
        self._gate = gate
        self._method = method
        self._path = path
        self._deadline = deadline
        self._write = method.upper() not in READ_METHODS

    async def __aenter__(self) -> None:
        if self._write:
            await self._gate.acquire(self._method, self._path, deadline=self._deadline)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._write:
            self._gate.release(charged=exc_type is not None)
