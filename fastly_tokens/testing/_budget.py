"""Fastly's write budget: N non-GET requests per user per fixed, clock-aligned window.

Real windows are the clock hour (a response at 18:46:13Z says reset 19:00:00Z), so a
window here is ``floor(now / window)`` and resets at the start of the next one.
"""

from __future__ import annotations

import math

import attrs


@attrs.frozen
class Budget:
    """What one request learned about its user's budget."""

    allowed: bool
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        """Return the two headers every non-GET response carries."""
        return {
            "Fastly-RateLimit-Remaining": str(self.remaining),
            "Fastly-RateLimit-Reset": str(self.reset),
        }

    def retry_after(self, now: float) -> int:
        """Whole seconds until the window resets (never negative)."""
        return max(0, math.ceil(self.reset - now))


class RateLimiter:
    """Counts each user's writes in the current window; no I/O, time is passed in."""

    def __init__(self, limit: int, window: float) -> None:
        if limit < 0:
            raise ValueError("rate_limit must be >= 0")
        if window <= 0:
            raise ValueError("window must be > 0")
        self.limit = limit
        self.window = window
        self._used: dict[str, tuple[int, int]] = {}

    def _index(self, now: float) -> int:
        return math.floor(now / self.window)

    def _reset(self, index: int) -> int:
        return math.ceil((index + 1) * self.window)

    def _spent(self, user_id: str, index: int) -> int:
        stored_index, used = self._used.get(user_id, (index, 0))
        return used if stored_index == index else 0

    def peek(self, user_id: str, now: float) -> Budget:
        """Report the budget without spending any of it."""
        index = self._index(now)
        remaining = max(0, self.limit - self._spent(user_id, index))
        return Budget(allowed=remaining > 0, remaining=remaining, reset=self._reset(index))

    def consume(self, user_id: str, now: float) -> Budget:
        """Spend one request; ``allowed`` is False (and nothing spent) once it is gone."""
        index = self._index(now)
        used = self._spent(user_id, index)
        if used >= self.limit:
            return Budget(allowed=False, remaining=0, reset=self._reset(index))
        self._used[user_id] = (index, used + 1)
        return Budget(allowed=True, remaining=self.limit - used - 1, reset=self._reset(index))

    def clear(self) -> None:
        """Give every user a full budget again."""
        self._used.clear()
