"""FakeClock: one clock for the client and the fake, whose sleeps advance it at once."""

from __future__ import annotations

import asyncio
import math

import pytest

from fastly_tokens import FastlyAsync, NotFoundError, RetryPolicy
from fastly_tokens.testing import FakeClock, FakeFastly, RecordedRequest

from .support_fake import MISSING_ID, T0


def test_clock_starts_where_told_and_reads_as_epoch_seconds() -> None:
    assert FakeClock()() == T0
    assert FakeClock(12.5)() == 12.5
    with pytest.raises(ValueError, match="finite"):
        FakeClock(math.inf)


async def test_sleep_records_each_wait_advances_the_clock_and_returns_at_once() -> None:
    clock = FakeClock(100.0)
    started = asyncio.get_running_loop().time()

    await clock.sleep(3600)
    await clock.sleep(0.25)

    assert clock() == 100.0 + 3600.25
    assert clock.waits == [3600, 0.25]
    assert clock.slept == 3600.25
    assert asyncio.get_running_loop().time() - started < 1.0


async def test_sleep_yields_to_other_tasks_as_a_real_sleep_does() -> None:
    clock = FakeClock()
    order: list[str] = []

    async def other() -> None:
        order.append("other")

    task = asyncio.ensure_future(other())
    await clock.sleep(1)
    order.append("after sleep")
    await task

    assert order == ["other", "after sleep"]


async def test_bad_waits_are_recorded_but_never_move_time_backwards_or_to_infinity() -> None:
    clock = FakeClock(50.0)

    await clock.sleep(-5)
    await clock.sleep(math.nan)
    await clock.sleep(math.inf)

    assert clock() == 50.0
    assert clock.waits[:1] == [-5]
    assert len(clock.waits) == 3
    assert clock.slept == math.inf


def test_advance_moves_time_without_recording_a_wait() -> None:
    clock = FakeClock(0.0)

    clock.advance(90)
    clock.advance(-10)
    clock.now = 1000.0
    clock.advance(1)

    assert clock() == 1001.0
    assert clock.waits == []


async def test_repr_shows_the_time_and_the_waits() -> None:
    clock = FakeClock()
    assert repr(clock) == "FakeClock(now=1700000000.000 (2023-11-14T22:13:20Z), waits=[])"

    for seconds in range(12):
        await clock.sleep(seconds + 0.5)

    text = repr(clock)
    assert text.startswith("FakeClock(now=1700000072.000 (2023-11-14T22:14:32Z), waits=[")
    assert "... 2 more, 2.5, 3.5," in text
    assert text.endswith("11.5])")


async def test_one_clock_drives_client_waits_and_the_fakes_rate_limit_window() -> None:
    clock = FakeClock()  # 2,800 s before the window resets
    retry = RetryPolicy(attempts=2, max_wait=3600, deadline=7200)
    async with (
        FakeFastly(clock=clock, rate_limit=1) as fake,
        FastlyAsync(
            fake.key, base_url=fake.base_url, retry=retry, clock=clock, sleep=clock.sleep
        ) as client,
    ):
        for _ in range(2):
            with pytest.raises(NotFoundError):
                await client.tokens.revoke_token(MISSING_ID)
        statuses = [r.status for r in fake.requests]

    # The client waited for the reset on the shared clock; the fake saw a new window.
    assert statuses == [404, 404]
    assert clock.waits == [2800]
    assert clock() == 1_700_002_800
    assert fake.rate_limit_remaining(fake.user) == 0


async def test_fake_repr_shows_live_state() -> None:
    fake = FakeFastly(clock=FakeClock())
    assert repr(fake) == "<FakeFastly not running users=3 live_tokens=3 requests=0>"

    async with fake:
        fake.add_token()
        fake.revoke(fake.token_id)
        fake.requests.append(RecordedRequest("GET", "/tokens", 200, None))
        running = repr(fake)
        base_url = fake.base_url

    assert running == f"<FakeFastly {base_url} users=3 live_tokens=3 requests=1>"
    assert repr(fake).startswith("<FakeFastly not running ")
