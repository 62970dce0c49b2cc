"""FakeClock: one clock for the client and the fake, whose sleeps take no time but overlap."""

from __future__ import annotations

import asyncio
import gc
import math
from collections import Counter

import pytest

from fastly_tokens import FastlyAsync, NotFoundError, RetryPolicy
from fastly_tokens.testing import FakeClock, FakeFastly

from .support.fake_http import MISSING_ID, T0


def test_clock_starts_where_told_and_reads_as_epoch_seconds() -> None:
    assert FakeClock()() == T0
    assert FakeClock(12.5)() == 12.5
    with pytest.raises(ValueError, match="finite"):
        FakeClock(math.inf)


async def test_sleeps_one_after_another_add_up_and_return_at_once() -> None:
    clock = FakeClock(100.0)
    started = asyncio.get_running_loop().time()

    await clock.sleep(3600)
    await clock.sleep(0.25)

    assert clock() == 100.0 + 3600.25
    assert clock.waits == [3600, 0.25]
    assert clock.slept == 3600.25
    assert asyncio.get_running_loop().time() - started < 1.0


async def test_sleeps_at_the_same_time_overlap_rather_than_add_up() -> None:
    clock = FakeClock(100.0)

    await asyncio.gather(*(clock.sleep(0.5) for _ in range(100)))

    assert clock() == 100.5
    assert clock.waits == [0.5] * 100


async def test_the_wake_time_is_fixed_when_sleep_is_called_not_when_awaited() -> None:
    clock = FakeClock(100.0)
    later = clock.sleep(10)  # called now, awaited only once the clock has moved on
    clock.advance(4)
    await later
    assert clock() == 110.0

    behind = clock.sleep(5)  # wakes at 115, but another wait takes the clock to 130 first
    await clock.sleep(20)
    await behind
    assert clock() == 130.0  # never backwards


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


async def test_a_sleep_never_awaited_warns_of_nothing() -> None:
    clock = FakeClock()
    task = asyncio.ensure_future(clock.sleep(5))
    task.cancel()  # before it ever ran, as the gate's timer is when its last waiter leaves
    with pytest.raises(asyncio.CancelledError):
        await task
    clock.sleep(3)  # dropped on the floor
    gc.collect()  # warnings are errors: a never-awaited coroutine would fail the test here

    assert clock.waits == [5, 3]
    assert clock.cancelled == 0  # neither had started waiting
    assert clock() == T0


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


async def test_a_held_sleep_waits_for_release_and_then_moves_the_clock() -> None:
    clock = FakeClock(0.0)
    before = clock.sleep(1)  # started before the hold: not held
    clock.hold()
    assert clock.held
    sleeper = asyncio.ensure_future(clock.sleep(30))

    await before
    await clock.wait_for_sleep(2)
    for _ in range(5):
        await asyncio.sleep(0)
    assert not sleeper.done()
    assert clock() == 1.0

    clock.release()
    assert not clock.held
    await sleeper
    assert clock() == 30.0
    await clock.sleep(2)  # after the release: not held
    assert clock() == 32.0


async def test_wait_for_sleep_returns_once_that_many_sleeps_have_started() -> None:
    clock = FakeClock()
    clock.hold()
    second = asyncio.ensure_future(clock.wait_for_sleep(2))
    await clock.wait_for_sleep(0)  # nothing to wait for

    first = clock.sleep(1)
    await asyncio.sleep(0)
    assert not second.done()
    other = clock.sleep(1)
    async with asyncio.timeout(1):
        await second
    await clock.wait_for_sleep(1)  # already so: at once

    clock.release()
    await asyncio.gather(first, other)
    assert clock.waits == [1, 1]


async def test_a_cancelled_wait_for_sleep_leaves_nothing_behind() -> None:
    clock = FakeClock()
    never = asyncio.ensure_future(clock.wait_for_sleep())
    await asyncio.sleep(0)
    never.cancel()
    with pytest.raises(asyncio.CancelledError):
        await never

    racing = asyncio.ensure_future(clock.wait_for_sleep())
    await asyncio.sleep(0)
    racing.cancel()  # cancelled, but not yet run to its end when the sleep starts
    await clock.sleep(1)
    with pytest.raises(asyncio.CancelledError):
        await racing

    await clock.wait_for_sleep(1)
    assert clock.waits == [1]
    assert clock._watchers == []  # no waiter left for a later sleep to wake


def test_hold_twice_and_release_without_hold_change_nothing() -> None:
    clock = FakeClock()
    clock.release()  # not held: nothing to wake
    assert not clock.held
    clock.hold()
    clock.hold()
    assert clock.held
    clock.release()
    assert not clock.held


async def test_a_sleep_cancelled_while_held_is_counted() -> None:
    clock = FakeClock(0.0)
    clock.hold()
    sleeper = asyncio.ensure_future(clock.sleep(30))
    await clock.wait_for_sleep()
    await asyncio.sleep(0)
    sleeper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeper
    clock.release()
    await clock.sleep(1)

    assert clock.cancelled == 1
    assert clock() == 1.0  # the cancelled sleep moved nothing


async def test_on_sleep_sees_the_world_as_each_sleep_starts() -> None:
    clock = FakeClock(0.0)
    seen: list[tuple[float, float]] = []
    clock.on_sleep = lambda seconds: seen.append((seconds, clock()))

    await clock.sleep(2)
    await asyncio.gather(clock.sleep(3), clock.sleep(1))

    assert seen == [(2, 0.0), (3, 2.0), (1, 2.0)]
    assert clock() == 5.0


async def test_repr_shows_the_time_the_waits_and_the_state() -> None:
    clock = FakeClock()
    assert repr(clock) == "FakeClock(now=1700000000.000 (2023-11-14T22:13:20Z), waits=[])"

    for seconds in range(12):
        await clock.sleep(seconds + 0.5)

    text = repr(clock)
    assert text.startswith("FakeClock(now=1700000072.000 (2023-11-14T22:14:32Z), waits=[")
    assert "... 2 more, 2.5, 3.5," in text
    assert text.endswith("11.5])")

    clock.hold()
    sleeper = asyncio.ensure_future(clock.sleep(1))
    await asyncio.sleep(0)
    sleeper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeper
    assert repr(clock).endswith("11.5, 1], held, cancelled=1)")


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


async def test_a_hundred_calls_backing_off_together_move_the_clock_by_one_backoff() -> None:
    clock = FakeClock()
    async with (
        FakeFastly(clock=clock) as fake,
        FastlyAsync(
            fake.key,
            base_url=fake.base_url,
            retry=RetryPolicy(jitter=0),
            max_concurrency=100,
            clock=clock,
            sleep=clock.sleep,
        ) as client,
    ):
        fake.faults.add("status", status=503, times=100, path="/tokens/self")
        await asyncio.gather(*(client.tokens.get_token_current() for _ in range(100)))
        answered = [r.status for r in fake.requests]

    assert Counter(answered) == {503: 100, 200: 100}
    assert clock.waits == [0.5] * 100
    assert clock() == T0 + 0.5
