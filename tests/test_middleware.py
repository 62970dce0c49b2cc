"""The retry and rate-limit middlewares alone, against the scripted server of ``support/scripted``.

What FakeFastly never does is scripted here: a body cut off mid-way, an answer that never comes,
and a server that counts the requests it holds at once. Everything else is tested through the
client against FakeFastly (``test_resilience.py``).
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from fastly_tokens._retry import RetryPolicy

from .support.scripted import Script, Scripted, answer, hang, truncated


async def test_truncated_body_is_retried_for_get(scripted: Scripted) -> None:
    scripted.script.queue("GET", "/tokens", truncated(), answer(200, body=b"[1]"))
    assert await scripted.client().call("GET", "/tokens") == (200, b"[1]")
    assert scripted.script.count("GET", "/tokens") == 2


async def test_post_is_never_replayed_after_a_truncated_body(scripted: Scripted) -> None:
    scripted.script.default["POST", "/tokens"] = truncated()
    with pytest.raises(aiohttp.ClientPayloadError):
        await scripted.client().call("POST", "/tokens")
    assert scripted.script.count("POST", "/tokens") == 1
    assert scripted.clock.waits == []


async def test_deadline_cuts_a_hung_attempt(scripted: Scripted) -> None:
    scripted.script.default["GET", "/tokens"] = hang()
    client = scripted.client(RetryPolicy(deadline=0.2))
    async with asyncio.timeout(5):
        with pytest.raises(TimeoutError):
            await client.call("GET", "/tokens")
    assert scripted.script.hung.is_set()
    assert scripted.script.count("GET", "/tokens") == 1


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
