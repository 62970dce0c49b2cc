"""Serving a fake from a background thread with its own event loop.

This is what lets sync code (the official SDK, ``urllib``) and tests without any
async pytest plugin talk to the fake.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar


class _Servable(Protocol):
    async def start(self) -> None: ...
    async def close(self) -> None: ...


S = TypeVar("S", bound=_Servable)

_START_TIMEOUT = 10.0


@contextmanager
def serve_in_thread(server: S) -> Iterator[S]:
    """Run ``server`` in a daemon thread's loop; stop it and the loop on exit."""
    ready = threading.Event()
    loop_box: list[asyncio.AbstractEventLoop] = []
    stop_box: list[asyncio.Event] = []
    errors: list[BaseException] = []

    async def main() -> None:
        stop = asyncio.Event()
        loop_box.append(asyncio.get_running_loop())
        stop_box.append(stop)
        try:
            await server.start()
        except BaseException as error:
            errors.append(error)
            ready.set()
            return
        ready.set()
        try:
            await stop.wait()
        finally:
            await server.close()

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:
            errors.append(error)
            ready.set()

    thread = threading.Thread(target=run, name="FakeFastly", daemon=True)
    thread.start()
    if not ready.wait(_START_TIMEOUT):
        raise RuntimeError("FakeFastly did not start in time")
    if errors:
        thread.join()
        raise errors[0]
    try:
        yield server
    finally:
        loop_box[0].call_soon_threadsafe(stop_box[0].set)
        thread.join()
        if errors:
            raise errors[0]
