"""The rate-limit middleware and its shared gate: waits the server directs, one budget for all.

Through the public client against FakeFastly over loopback: 429s and their resets or
``Retry-After``, ``max_wait`` and the deadline against a reset, a budget spent by a burst or
known ahead, budget figures read from errors, the warning before a
long wait; and, alone against the scripted server, the concurrency bound. Time is a FakeClock
shared by the client and the fake (from ``conftest.py``), so window resets line up exactly.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from aiohttp import web

from fastly_tokens import (
    FastlyAsync,
    NotFoundError,
    PermissionDeniedError,
    RateLimit,
    RateLimitError,
)
from fastly_tokens.testing import FakeClock, FakeFastly

from .support.client import connect, create, spend_budget, statuses
from .support.inputs import NOW, UNKNOWN_ID
from .support.scripted import Script, Scripted

pytestmark = pytest.mark.usefixtures("watchdog")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


# -- server-directed waits -------------------------------------------------------------------------


async def test_retry_after_is_honoured(clock: FakeClock) -> None:
    clock.now = NOW + 52.5  # 7.5 s left in the window; the fake's Retry-After rounds it up to 8
    async with (
        FakeFastly(clock=clock, rate_limit=1, window=60, retry_after=True) as fake,
        connect(fake, clock) as c,
    ):
        victim = fake.add_token(name="victim").id
        spend_budget(fake, clock)
        await c.tokens.revoke_token(victim)
        assert statuses(fake, "DELETE", f"/tokens/{victim}") == [429, 204]
        assert clock.waits == [8.0]  # the Retry-After header, not the 7.5 s to the reset
        assert fake.is_revoked(victim)


async def test_the_reset_is_honoured_without_retry_after(clock: FakeClock) -> None:
    clock.now = NOW + 52.5
    async with (
        FakeFastly(clock=clock, rate_limit=1, window=60) as fake,
        connect(fake, clock) as c,
    ):
        victim = fake.add_token(name="victim").id
        spend_budget(fake, clock)
        await c.tokens.revoke_token(victim)
        assert statuses(fake, "DELETE", f"/tokens/{victim}") == [429, 204]
        assert clock.waits == [7.5]  # Fastly-RateLimit-Reset (NOW + 60) less the shared clock
        assert fake.is_revoked(victim)


async def test_a_429_on_create_is_retried(clock: FakeClock) -> None:
    clock.now = NOW + 50
    async with (
        FakeFastly(clock=clock, rate_limit=1, window=60) as fake,
        connect(fake, clock) as c,
    ):
        before = len(fake.tokens_of(fake.user))
        spend_budget(fake, clock)
        created = await create(c, fake)
        assert statuses(fake, "POST", "/tokens") == [429, 200]
        assert clock.waits == [10.0]
        assert len(fake.tokens_of(fake.user)) == before + 1
        assert fake.token(created.id) is not None
        # The create's answer told the client the new window's budget: spent, until NOW + 120.
        assert c.rate_limit == RateLimit(0, datetime.fromtimestamp(NOW + 120, UTC))


# -- max_wait and the deadline ---------------------------------------------------------------------


async def test_a_reset_beyond_max_wait_fails_at_once(clock: FakeClock) -> None:
    clock.now = NOW + 600  # the hourly window resets in 3,000 s
    reset_at = datetime.fromtimestamp(NOW + 3600, UTC)
    async with (
        FakeFastly(clock=clock, rate_limit=5) as fake,
        connect(fake, clock, max_wait=60, deadline=7200) as c,  # max_wait alone refuses it
    ):
        spend_budget(fake, clock)
        first, second = fake.add_token(name="a").id, fake.add_token(name="b").id
        with pytest.raises(RateLimitError) as info:
            await c.tokens.revoke_token(first)
        assert (info.value.remaining, info.value.reset_at) == (0, reset_at)
        assert info.value.retry_after == 3000.0
        assert info.value.msg.startswith("You have exceeded your hourly rate limit.")  # the 429's
        assert statuses(fake, "DELETE", "/tokens/*") == [429]
        # The client now knows: the next write is refused without a request, with the figures.
        with pytest.raises(RateLimitError) as again:
            await c.tokens.revoke_token(second)
        assert (again.value.remaining, again.value.reset_at) == (0, reset_at)
        assert again.value.retry_after == 3000.0
        assert statuses(fake, "DELETE", "/tokens/*") == [429]
        assert c.rate_limit == RateLimit(remaining=0, reset_at=reset_at)
        await c.tokens.get_token_current()  # reads are free and still pass
        assert clock.waits == []
        assert clock.now == NOW + 600


async def test_a_reset_past_the_deadline_is_not_waited_for(clock: FakeClock) -> None:
    clock.now = NOW + 30  # the reset is 30 s off: within max_wait, beyond the deadline
    async with (
        FakeFastly(clock=clock, rate_limit=1, window=60) as fake,
        connect(fake, clock, deadline=10, max_wait=600) as c,
    ):
        spend_budget(fake, clock)
        first, second = fake.add_token(name="a").id, fake.add_token(name="b").id
        with pytest.raises(RateLimitError) as info:
            await c.tokens.revoke_token(first)
        assert info.value.retry_after == 30.0
        with pytest.raises(RateLimitError):
            await c.tokens.revoke_token(second)  # refused by the gate, not sent
        assert statuses(fake, "DELETE", "/tokens/*") == [429]
        assert clock.waits == []


# -- the shared gate -------------------------------------------------------------------------------


async def test_a_hundred_deletes_against_a_spent_budget_earn_one_429(clock: FakeClock) -> None:
    clock.now = NOW + 4  # 6 s left in a 10 s window; 30 writes a window: the job spans five
    async with (
        FakeFastly(clock=clock, rate_limit=30, window=10) as fake,
        connect(fake, clock) as c,
    ):
        victims = [fake.add_token(name=f"v{i}").id for i in range(100)]
        spend_budget(fake, clock)
        await asyncio.gather(*(c.tokens.revoke_token(v) for v in victims))
        answered = statuses(fake, "DELETE", "/tokens/*")
        assert answered.count(429) == 1  # the first probe's, before the budget was known
        assert answered.count(204) == 100
        assert len(answered) == 101
        assert all(fake.is_revoked(v) for v in victims)
        # The probe's own retry wait, then one wait shared by every task for each reset.
        assert sorted(clock.waits) == [6.0, 6.0, 10.0, 10.0, 10.0]
        assert clock.now == NOW + 40
        assert c.rate_limit == RateLimit(20, datetime.fromtimestamp(NOW + 50, UTC))
        assert c._gate.in_flight == 0  # every write it let through was given back


async def test_a_known_budget_is_never_overrun(clock: FakeClock) -> None:
    async with (
        FakeFastly(clock=clock, rate_limit=10, window=10) as fake,
        connect(fake, clock) as c,
    ):
        victims = [fake.add_token(name=f"v{i}").id for i in range(31)]
        await c.tokens.revoke_token(victims[0])  # tells the client: 9 left until NOW + 10
        assert c.rate_limit == RateLimit(9, datetime.fromtimestamp(NOW + 10, UTC))
        sent_when_waiting: list[int] = []
        clock.on_sleep = lambda _: sent_when_waiting.append(
            len(fake.requests_matching("DELETE", "/tokens/*"))
        )
        await asyncio.gather(*(c.tokens.revoke_token(v) for v in victims[1:]))
        assert 429 not in statuses(fake, "DELETE", "/tokens/*")
        assert sent_when_waiting == [10, 20, 30]  # R per window, then one shared wait
        assert clock.waits == [10.0, 10.0, 10.0]
        assert all(fake.is_revoked(v) for v in victims)


async def test_rate_limit_is_read_from_error_responses(
    fake: FakeFastly, retrying: FastlyAsync
) -> None:
    reset_at = datetime.fromtimestamp(NOW + 3600, UTC)
    await retrying.tokens.revoke_token(fake.add_token(name="victim").id)
    assert retrying.rate_limit == RateLimit(999, reset_at)
    with pytest.raises(NotFoundError) as missing:
        await retrying.tokens.revoke_token(UNKNOWN_ID)
    assert retrying.rate_limit == RateLimit(998, reset_at)
    assert (missing.value.remaining, missing.value.reset_at) == (998, reset_at)
    with pytest.raises(PermissionDeniedError) as denied:
        await retrying.tokens.revoke_token(fake.world.superuser_token.id)
    assert retrying.rate_limit == RateLimit(997, reset_at)
    assert denied.value.remaining == 997
    assert fake.rate_limit_remaining(fake.user) == 997


async def test_max_concurrency_bounds_requests_in_flight(scripted: Scripted) -> None:
    in_flight = peak = 0

    async def counting(script: Script, request: web.Request) -> web.StreamResponse:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return web.Response(body=b"{}")

    scripted.script.default["GET", "/tokens/self"] = counting
    client = scripted.client(max_concurrency=3)
    await asyncio.gather(*(client.call("GET", "/tokens/self") for _ in range(12)))
    assert peak == 3
    assert scripted.script.count("GET", "/tokens/self") == 12


# -- logging ---------------------------------------------------------------------------------------


async def test_a_long_wait_is_logged_at_warning_before_it_starts(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock.now = NOW + 30  # 30 s to the reset
    warned_when_sleeping: list[list[str]] = []

    def warnings_so_far(seconds: float) -> None:
        warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        warned_when_sleeping.append(warned)

    clock.on_sleep = warnings_so_far
    async with (
        FakeFastly(clock=clock, rate_limit=2, window=60) as fake,
        connect(fake, clock) as c,
    ):
        spend_budget(fake, clock)
        a, b = fake.add_token(name="a").id, fake.add_token(name="b").id
        # a probes and earns the 429 (its retry waits); b then waits at the gate.
        await asyncio.gather(c.tokens.revoke_token(a), c.tokens.revoke_token(b))
        assert clock.waits == [30.0, 30.0]
        assert fake.is_revoked(a)
        assert fake.is_revoked(b)
    expected = {
        f"DELETE /tokens/{a}: 429 on attempt 1, retrying in 30.00 s as the server asked",
        f"DELETE /tokens/{b}: rate-limit budget spent; all writes wait 30.0 s for the reset",
    }
    assert set(warned_when_sleeping[-1]) == expected
    # Each sleep began after a warning of its own: the first after one or both, the second after
    # both.
    assert [len(w) >= i + 1 for i, w in enumerate(warned_when_sleeping)] == [True, True]
    assert fake.key not in caplog.text
    assert all(fake.key not in repr(r.args) for r in caplog.records)
