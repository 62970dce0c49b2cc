"""Waiting, on the event loop, for what another task makes true."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def eventually(condition: Callable[[], bool], *, limit: float = 5.0) -> None:
    """Wait, yielding to the loop, until ``condition()`` holds (another task makes it so)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the condition never held")
        await asyncio.sleep(0.001)
