"""Cancelling a call mid-way, wherever it waits: in a backoff, at the server, at the shared gate.

Each test makes one slot, one connection and (budget unknown) one write probe the only ones
there are, so anything a cancelled call kept would hang the next call; and each checks that
nothing was left unclosed. Time is a FakeClock whose sleeps are held until released.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import NoReturn, cast

import aiohttp
import pytest

from fastly_tokens import RateLimitError
from fastly_tokens._middleware import _attempt
from fastly_tokens.testing import FakeClock, FakeFastly

from .support.client import assert_nothing_unclosed, connect, spend_budget, statuses
from .support.inputs import NOW

pytestmark = pytest.mark.usefixtures("watchdog")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


async def test_cancel_during_a_backoff(
    fake: FakeFastly, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake.faults.add("status", status=503, times=1, method="GET", path="/tokens/self")
    clock.hold()
    c = connect(fake, clock, max_concurrency=1)
    try:
        task = asyncio.create_task(c.tokens.get_token_current())
        async with asyncio.timeout(5):
            await clock.wait_for_sleep()
        assert clock.waits == [0.5]
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            async with asyncio.timeout(1):  # the sleep it was in would never have ended
                await task
        assert statuses(fake, "GET", "/tokens/self") == [503]
        assert clock.cancelled == 1  # the backoff's timer went with the call
        # With one connection and one slot in all, a leak of either would hang the next call.
        clock.release()
        async with asyncio.timeout(5):
            assert (await c.tokens.get_token_current()).id == fake.token_id
    finally:
        await c.close()
    assert c.closed
    assert_nothing_unclosed(caplog)


async def test_cancel_during_a_request(
    fake: FakeFastly, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    victim, other = fake.add_token(name="victim").id, fake.add_token(name="other").id
    slow = fake.faults.add("slow", delay=1.0, method="DELETE", path=f"/tokens/{victim}")
    c = connect(fake, clock, max_concurrency=1)
    try:
        task = asyncio.create_task(c.tokens.revoke_token(victim))
        for _ in range(500):
            if slow.hits:
                break
            await asyncio.sleep(0.005)
        assert slow.hits == 1  # the request is at the server, which is taking its time
        task.cancel()
        started = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < 0.5  # well before the server's answer
        assert clock.waits == []
        assert c._gate.in_flight == 0  # the cancelled write gave its slot back
        # One connection, one concurrency slot and (budget unknown) one write probe in all: a leak
        # of any would hang this write.
        async with asyncio.timeout(5):
            await c.tokens.revoke_token(other)
        assert fake.is_revoked(other)
    finally:
        await c.close()
    assert_nothing_unclosed(caplog)


async def test_cancel_while_waiting_at_the_gate(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.now = NOW + 30  # 30 s to the reset
    async with (
        FakeFastly(clock=clock, rate_limit=1, window=60) as fake,
        connect(fake, clock, attempts=1) as c,
    ):
        spend_budget(fake, clock)
        a, b, d, e = (fake.add_token(name=n).id for n in "abde")
        with pytest.raises(RateLimitError):
            await c.tokens.revoke_token(a)  # the 429 tells the client: spent until NOW + 60
        clock.hold()
        first, *others = [asyncio.create_task(c.tokens.revoke_token(t)) for t in (b, d, e)]
        async with asyncio.timeout(5):
            await clock.wait_for_sleep()
        await asyncio.sleep(0)
        assert clock.waits == [30.0]  # all three wait on the gate's one timer
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        for _ in range(3):
            await asyncio.sleep(0)
        assert clock.cancelled == 0  # one waiter leaving does not stop the others' timer
        assert not any(task.done() for task in others)
        for task in others:
            task.cancel()
        for task in others:
            with pytest.raises(asyncio.CancelledError):
                await task
        await asyncio.sleep(0)
        assert clock.cancelled == 1  # the last waiter out cancelled the shared timer
        assert statuses(fake, "DELETE", "/tokens/*") == [429]
        # The gate is not left holding a dead timer: a new write waits afresh, then goes.
        clock.release()
        async with asyncio.timeout(5):
            await c.tokens.revoke_token(b)
        assert clock.waits == [30.0, 30.0]
        assert statuses(fake, "DELETE", "/tokens/*") == [429, 204]
        assert fake.is_revoked(b)
        assert not fake.is_revoked(d)
        assert not fake.is_revoked(e)
    assert_nothing_unclosed(caplog)


# -- the attempt's own deadline timer, alone -------------------------------------------------------


async def _hang(req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType) -> NoReturn:
    await asyncio.Event().wait()
    raise AssertionError("never woken")


_NO_REQUEST = cast(aiohttp.ClientRequest, None)  # the stand-in middleware never reads it


async def _no_handler(req: aiohttp.ClientRequest) -> aiohttp.ClientResponse:
    raise AssertionError("the stand-in middleware never calls on")


async def test_an_attempt_past_its_budget_is_a_timeout_and_leaves_no_cancel_behind() -> None:
    # As asyncio.timeout() would: the task's cancel is taken back, so it can go on (and retry).
    outcome = await _attempt(_NO_REQUEST, _no_handler, _hang, 0.0)
    assert isinstance(outcome, TimeoutError)
    assert isinstance(outcome.__cause__, asyncio.CancelledError)
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0
    await asyncio.sleep(0)  # and no cancel is still pending on it


async def test_a_cancel_from_outside_wins_over_the_attempts_budget() -> None:
    # The timer fires first, then the caller cancels too: the cancellation is the caller's.
    started = asyncio.Event()

    async def hang(req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType) -> NoReturn:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("never woken")

    cancelling: list[int] = []

    async def attempt() -> object:
        try:
            return await _attempt(_NO_REQUEST, _no_handler, hang, 0.0)
        except asyncio.CancelledError:
            me = asyncio.current_task()
            assert me is not None
            cancelling.append(me.cancelling())
            raise

    task = asyncio.create_task(attempt())
    await started.wait()  # the attempt's timer was due before this wake-up: it has fired
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert cancelling == [1]  # the timer's cancel taken back, the caller's still counted


async def test_an_attempt_that_ends_its_own_way_after_the_timer_fired_leaves_no_cancel() -> None:
    # The budget ran out, but the attempt turned the cancel into an error (or an answer) itself:
    # that is its outcome, and the timer's cancel is taken back all the same.
    sentinel = cast(aiohttp.ClientResponse, object())

    async def cut(req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType) -> NoReturn:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise aiohttp.ClientConnectionError("cut short") from None
        raise AssertionError("never woken")

    async def answer_anyway(
        req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            return sentinel
        raise AssertionError("never woken")

    task = asyncio.current_task()
    assert task is not None
    outcome = await _attempt(_NO_REQUEST, _no_handler, cut, 0.0)
    assert isinstance(outcome, aiohttp.ClientConnectionError)
    assert task.cancelling() == 0
    assert await _attempt(_NO_REQUEST, _no_handler, answer_anyway, 0.0) is sentinel
    assert task.cancelling() == 0
    await asyncio.sleep(0)  # and no cancel is still pending on it


async def test_an_attempt_without_a_deadline_sets_no_timer() -> None:
    # RetryPolicy(deadline=math.inf): the attempt runs as long as the transport lets it.
    sentinel = cast(aiohttp.ClientResponse, object())

    async def answer(
        req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        return sentinel

    async def refuse(req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType) -> NoReturn:
        raise aiohttp.ClientConnectionError("refused")

    assert await _attempt(_NO_REQUEST, _no_handler, answer, math.inf) is sentinel
    outcome = await _attempt(_NO_REQUEST, _no_handler, refuse, math.inf)
    assert isinstance(outcome, aiohttp.ClientConnectionError)
