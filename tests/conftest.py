"""Shared fixtures: a FakeFastly on loopback and a client pointed at it that never really sleeps."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fastly_tokens import FastlyAsync, RetryPolicy
from fastly_tokens.testing import FakeFastly


class Sleeps:
    """An injected sleep that records each wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
async def fake() -> AsyncIterator[FakeFastly]:
    async with FakeFastly() as server:
        yield server


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(fake: FakeFastly, sleeps: Sleeps) -> AsyncIterator[FastlyAsync]:
    async with FastlyAsync(
        fake.key, base_url=fake.base_url, retry=RetryPolicy(attempts=1), sleep=sleeps
    ) as c:
        yield c
