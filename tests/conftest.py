"""Shared fixtures: one FakeClock, a FakeFastly on loopback on it, and clients on it too.

The clients' waits take no time and move the clock both sides read, so a test of a retry or a
rate-limit wait never really sleeps. A module that needs another start time overrides
``clock``; every fixture here follows it. The helpers these build on are in ``tests/support``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from fastly_tokens import FastlyAsync, RetryPolicy
from fastly_tokens.testing import FakeClock, FakeFastly

from .support.client import connect
from .support.fake_http import Make, fakes, session
from .support.scripted import Scripted, scripted_server

HANG_LIMIT = 20.0  # real seconds; the slowest test that uses the watchdog, the soak, takes a few


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakeFastly]:
    async with FakeFastly(clock=clock) as server:
        yield server


@pytest.fixture
async def client(fake: FakeFastly, clock: FakeClock) -> AsyncIterator[FastlyAsync]:
    """The seeded user's client, retrying off."""
    async with FastlyAsync(
        fake.key,
        base_url=fake.base_url,
        retry=RetryPolicy(attempts=1),
        clock=clock,
        sleep=clock.sleep,
    ) as c:
        yield c


@pytest.fixture
async def retrying(fake: FakeFastly, clock: FakeClock) -> AsyncIterator[FastlyAsync]:
    """The seeded user's client, retrying as by default but without jitter (0.5, 1, 2 s)."""
    async with connect(fake, clock) as c:
        yield c


@pytest.fixture
async def make_fake(clock: FakeClock) -> AsyncIterator[Make]:
    """A factory of more started fakes on ``clock`` (``FakeFastly`` keywords), closed after."""
    async with fakes(clock) as make:
        yield make


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, for requests sent as any client would."""
    async with session() as client:
        yield client


@pytest.fixture
async def scripted(clock: FakeClock) -> AsyncIterator[Scripted]:
    """The scripted server of ``support/scripted.py``, for the middlewares alone."""
    async with scripted_server(clock) as server:
        yield server


@pytest.fixture
async def watchdog() -> AsyncIterator[None]:
    """Fail a test that hangs (a leaked slot, connection or gate waiter) rather than stall."""
    loop = asyncio.get_running_loop()

    def fire() -> None:
        for task in asyncio.all_tasks(loop):
            task.cancel(f"hung for {HANG_LIMIT:g} s")

    handle = loop.call_later(HANG_LIMIT, fire)
    yield
    handle.cancel()
