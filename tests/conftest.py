"""Shared fixtures: one FakeClock, a FakeFastly on loopback on it, and a client on it too.

The client's waits take no time and move the clock both sides read, so a test of a retry or a
rate-limit wait never really sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fastly_tokens import FastlyAsync, RetryPolicy
from fastly_tokens.testing import FakeClock, FakeFastly


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakeFastly]:
    async with FakeFastly(clock=clock) as server:
        yield server


@pytest.fixture
async def client(fake: FakeFastly, clock: FakeClock) -> AsyncIterator[FastlyAsync]:
    async with FastlyAsync(
        fake.key,
        base_url=fake.base_url,
        retry=RetryPolicy(attempts=1),
        clock=clock,
        sleep=clock.sleep,
    ) as c:
        yield c
