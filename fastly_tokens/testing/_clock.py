"""``FakeClock``: one epoch clock and one instant sleep, shared by a client and a fake.

Pass it to both sides, ``FastlyAsync(clock=clock, sleep=clock.sleep)`` and
``FakeFastly(clock=clock)``: every wait the client makes moves the fake's time by as much,
at once, so a test of an hour-long rate-limit wait runs in microseconds and sees the window
reset, as aiolimiter's tests move the loop's time instead of sleeping.

A sleep behaves as a real one does, but takes no time: its wake time is fixed when ``sleep()``
is called (even if the awaitable is awaited later, as the client's rate-limit gate does in a
task of its own), and sleeps that run at the same time overlap rather than add up: a hundred
tasks backing off 0.5 s together move the clock by 0.5 s, not 50 s.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Generator
from datetime import UTC, datetime
from typing import Any

_SHOWN_WAITS = 10
DEFAULT_START = 1_700_000_000.0  # 2023-11-14T22:13:20Z, 46 min 40 s before a clock hour


class FakeClock:
    """An epoch clock (call it for float seconds) whose ``sleep`` takes no time.

    ``sleep(seconds)`` records the wait in ``waits``, calls ``on_sleep(seconds)`` if set, and
    returns an awaitable that yields to the event loop once and then moves the clock to the
    sleep's wake time (``now`` when it was called plus ``seconds``), unless the clock is there
    already: time never goes backwards, and a negative, NaN or infinite wait is recorded but
    moves nothing. ``advance(seconds)`` moves time without recording a wait; ``now`` may also
    be set directly.

    To catch a retry path mid-wait: :meth:`hold` makes every sleep that starts from then on
    wait until :meth:`release`; ``await`` :meth:`wait_for_sleep` to learn that one started;
    ``cancelled`` counts the sleeps cancelled before they ended.
    """

    def __init__(self, start: float = DEFAULT_START) -> None:
        if not math.isfinite(start):
            raise ValueError("start must be a finite number of epoch seconds")
        self.now = float(start)
        self.waits: list[float] = []
        self.cancelled = 0
        self.on_sleep: Callable[[float], object] | None = None
        self._held: asyncio.Event | None = None
        self._watchers: list[tuple[int, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        """Return the current time, in epoch seconds."""
        return self.now

    def sleep(self, seconds: float) -> Awaitable[None]:
        """Start a wait of ``seconds``: its wake time is fixed now; await the result to wake.

        A plain function rather than a coroutine function, so that the wait starts when it is
        called; the awaitable it returns is not a coroutine, so one that is never awaited (its
        task cancelled first) warns of nothing.
        """
        wake = self.now + seconds if seconds > 0 and math.isfinite(seconds) else self.now
        self.waits.append(seconds)
        if self.on_sleep is not None:
            self.on_sleep(seconds)
        started = len(self.waits)
        for watcher in [w for w in self._watchers if w[0] <= started]:
            self._watchers.remove(watcher)
            if not watcher[1].done():
                watcher[1].set_result(None)
        return _Sleep(self, wake, self._held)

    async def _until(self, wake: float, held: asyncio.Event | None) -> None:
        try:
            if held is None:
                await asyncio.sleep(0)
            else:
                await held.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.now = max(self.now, wake)

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (negative, NaN or infinite: not at all)."""
        if seconds > 0 and math.isfinite(seconds):
            self.now += seconds

    def hold(self) -> None:
        """Make every sleep that starts from now on wait until :meth:`release`."""
        if self._held is None:
            self._held = asyncio.Event()

    def release(self) -> None:
        """Wake every held sleep (each moves the clock to its wake time); stop holding."""
        held, self._held = self._held, None
        if held is not None:
            held.set()

    @property
    def held(self) -> bool:
        """Whether sleeps that start now are held until :meth:`release`."""
        return self._held is not None

    async def wait_for_sleep(self, count: int = 1) -> None:
        """Return once ``count`` sleeps in all have started on this clock (at once if so)."""
        if len(self.waits) >= count:
            return
        watcher = (count, asyncio.get_running_loop().create_future())
        self._watchers.append(watcher)
        try:
            await watcher[1]
        finally:
            if watcher in self._watchers:
                self._watchers.remove(watcher)

    @property
    def slept(self) -> float:
        """The total of every recorded wait (negative ones count as zero)."""
        return sum(max(0.0, w) for w in self.waits)

    def __repr__(self) -> str:
        shown = self.waits[-_SHOWN_WAITS:]
        waits = ", ".join(f"{w:g}" for w in shown)
        if len(self.waits) > len(shown):
            waits = f"... {len(self.waits) - len(shown)} more, {waits}"
        stamp = datetime.fromtimestamp(self.now, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        state = (", held" if self.held else "") + (
            f", cancelled={self.cancelled}" if self.cancelled else ""
        )
        return f"FakeClock(now={self.now:.3f} ({stamp}Z), waits=[{waits}]{state})"


class _Sleep:
    """What :meth:`FakeClock.sleep` returns: awaiting it runs the wait."""

    __slots__ = ("_clock", "_held", "_wake")

    def __init__(self, clock: FakeClock, wake: float, held: asyncio.Event | None) -> None:
        self._clock = clock
        self._wake = wake
        self._held = held

    def __await__(self) -> Generator[Any, None, None]:
        return self._clock._until(self._wake, self._held).__await__()
