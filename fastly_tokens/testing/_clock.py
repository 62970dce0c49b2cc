"""``FakeClock``: one epoch clock and one instant sleep, shared by a client and a fake.

Pass it to both sides, ``FastlyAsync(clock=clock, sleep=clock.sleep)`` and
``FakeFastly(clock=clock)``: every wait the client makes moves the fake's time by as much,
at once, so a test of an hour-long rate-limit wait runs in microseconds and sees the window
reset, as aiolimiter's tests move the loop's time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime

_SHOWN_WAITS = 10
DEFAULT_START = 1_700_000_000.0  # 2023-11-14T22:13:20Z, 46 min 40 s before a clock hour


class FakeClock:
    """An epoch clock (call it for float seconds) whose ``sleep`` returns at once.

    ``sleep(seconds)`` records the wait in ``waits`` and advances the clock by it (never
    backwards: a negative wait is recorded but moves nothing), then yields to the event loop
    once, as a real sleep would. ``advance(seconds)`` moves time without recording a wait;
    ``now`` may also be set directly.
    """

    def __init__(self, start: float = DEFAULT_START) -> None:
        if not math.isfinite(start):
            raise ValueError("start must be a finite number of epoch seconds")
        self.now = float(start)
        self.waits: list[float] = []

    def __call__(self) -> float:
        """Return the current time, in epoch seconds."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record a wait of ``seconds``, advance the clock by it, and return at once."""
        self.waits.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (negative, NaN or infinite: not at all)."""
        if seconds > 0 and math.isfinite(seconds):
            self.now += seconds

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
        return f"FakeClock(now={self.now:.3f} ({stamp}Z), waits=[{waits}])"
