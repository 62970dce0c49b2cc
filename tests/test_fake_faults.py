"""FakeFastly's switchable faults, over real loopback HTTP: what arrives on the wire."""

from __future__ import annotations

import json
import time

import aiohttp
import pytest

from fastly_tokens.testing import FakeFastly, Faults

from .support.fake_http import call, create_form

# -- faults -------------------------------------------------------------------------------


async def test_status_fault_answers_json_without_acting(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fault = fake.faults.add("status", status=500, method="DELETE", path="/tokens/*")

    failed = await call(http, fake, "DELETE", "/tokens/self", fake.key)
    next_one = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert failed.status == 500
    assert failed.headers["Content-Type"] == "application/json"
    assert "msg" in failed.json()
    assert not fake.is_revoked(fake.token_id)
    assert fault.hits == 1
    assert next_one.status == 200


async def test_status_fault_503_is_an_html_page(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("status", times=None)

    replies = [await call(http, fake, "GET", "/tokens", fake.key) for _ in range(2)]

    assert [r.status for r in replies] == [503, 503]
    assert replies[0].headers["Content-Type"].startswith("text/html")
    assert b"503 Service Unavailable" in replies[0].body


async def test_drop_before_closes_connection_without_acting(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("drop_before", method="POST")

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, fake, "POST", "/tokens", fake.key, data=create_form(fake))

    assert len(fake.tokens_of(fake.user)) == 1
    assert fake.requests[-1].dropped
    assert fake.requests[-1].fault == "drop_before"


async def test_drop_after_acts_then_closes_connection(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_token()
    fake.faults.add("drop_after", method="DELETE")

    # aiohttp itself re-sends an idempotent request once after a disconnect, so the
    # client sees the second attempt: 404, because the first one revoked the token.
    reply = await call(http, fake, "DELETE", f"/tokens/{token.id}", fake.key)

    assert fake.is_revoked(token.id)
    assert reply.status == 404
    assert [(r.status, r.fault) for r in fake.requests] == [(None, "drop_after"), (404, None)]


async def test_drop_on_every_attempt_surfaces_as_server_disconnected(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("drop_before", times=2, path="/tokens/self")

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, fake, "GET", "/tokens/self", fake.key)

    assert [r.dropped for r in fake.requests] == [True, True]


async def test_slow_fault_delays_then_answers_normally(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("slow", delay=0.05)

    started = time.monotonic()
    reply = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert time.monotonic() - started >= 0.05
    assert reply.status == 200
    assert reply.json()["id"] == fake.token_id


async def test_malformed_fault_answers_200_json_with_broken_body(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("malformed", path="/tokens")

    reply = await call(http, fake, "GET", "/tokens", fake.key)

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        reply.json()


async def test_fault_times_and_clear(fake: FakeFastly, http: aiohttp.ClientSession) -> None:
    fake.faults.add("status", status=502, times=2)
    first = [(await call(http, fake, "GET", "/tokens/self", fake.key)).status for _ in range(3)]
    fake.faults.add("status", status=502, times=None)
    fake.faults.clear()

    after_clear = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert first == [502, 502, 200]
    assert after_clear.status == 200


def test_fault_probability_is_reproducible_with_a_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = Faults(seed)
        faults.add("status", times=None, probability=0.5)
        return [faults.take("GET", "/tokens") is not None for _ in range(40)]

    assert pattern(7) == pattern(7)
    assert 0 < sum(pattern(7)) < 40


def test_fault_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Faults().add("explode")  # type: ignore[arg-type]
