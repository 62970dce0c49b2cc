"""FakeFastly as a server: request log, seeding, test servers, threads."""

from __future__ import annotations

import json
import threading
import time
import urllib.error

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from fastly_tokens.testing import FakeClock, FakeFastly, RecordedRequest

from .support.fake_http import Make, call, fetch

# -- inspection, seeding, other ways to run --------------------------------------------------


async def test_request_log_records_method_path_status_and_token(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    await call(http, fake, "GET", "/tokens/self", fake.key)
    await call(http, fake, "DELETE", "/tokens/nope", fake.superuser_key)
    await call(http, fake, "GET", "/tokens")

    assert [(r.method, r.path, r.status, r.token_id) for r in fake.requests] == [
        ("GET", "/tokens/self", 200, fake.token_id),
        ("DELETE", "/tokens/nope", 404, fake.world.superuser_token.id),
        ("GET", "/tokens", 401, None),
    ]
    assert len(fake.requests_matching("DELETE", "/tokens/*")) == 1
    fake.reset_requests()
    assert fake.requests == []


async def test_latency_is_added_to_every_response(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    fake = await make_fake(latency=0.03)

    started = time.monotonic()
    await call(http, fake, "GET", "/tokens/self", fake.key)

    assert time.monotonic() - started >= 0.03


async def test_unknown_route_is_a_json_404(fake: FakeFastly, http: aiohttp.ClientSession) -> None:
    reply = await call(http, fake, "GET", "/nowhere", fake.key)

    assert reply.status == 404
    assert reply.headers["Content-Type"] == "application/json"


def test_seed_tokens_are_varied_and_deterministic_for_a_seed(clock: FakeClock) -> None:
    fake = FakeFastly(seed_tokens=60, seed=11, clock=clock)
    again = FakeFastly(seed_tokens=60, seed=11, clock=clock)
    tokens = fake.seeded_tokens
    now = clock()

    assert len(fake.tokens_of(fake.user)) == 61
    assert any(t.expired(now) for t in tokens)
    assert any(t.last_used_at is None for t in tokens)
    assert any(t.last_used_at and now - t.last_used_at.timestamp() > 180 * 86400 for t in tokens)
    assert any(" " in t.scope for t in tokens)
    assert any(t.services for t in tokens)
    assert len({t.name for t in tokens}) > 10
    assert [(t.name, t.scope) for t in tokens] == [(t.name, t.scope) for t in again.seeded_tokens]


def test_key_argument_sets_the_seeded_users_secret() -> None:
    fake = FakeFastly(key="my-demo-key")

    assert fake.key == "my-demo-key"
    token = fake.token(fake.token_id)
    assert token is not None
    assert token.access_token == "my-demo-key"


async def test_make_app_runs_on_aiohttp_test_server() -> None:
    fake = FakeFastly()
    async with TestClient(TestServer(fake.make_app())) as client:
        resp = await client.get("/tokens/self", headers={"Fastly-Key": fake.key})
        assert resp.status == 200
        assert (await resp.json())["id"] == fake.token_id


def test_fixture_serves_sync_clients_from_a_thread(fake_fastly: FakeFastly) -> None:
    status, body = fetch(fake_fastly.base_url + "/tokens/self", fake_fastly.key)

    assert status == 200
    assert json.loads(body)["id"] == fake_fastly.token_id
    assert threading.current_thread() is threading.main_thread()


async def test_fixture_serves_async_tests_too(
    fake_fastly: FakeFastly, http: aiohttp.ClientSession
) -> None:
    reply = await call(http, fake_fastly, "DELETE", "/tokens/self", fake_fastly.key)

    assert reply.status == 204
    assert fake_fastly.is_revoked(fake_fastly.token_id)


@pytest.mark.fake_fastly(rate_limit=1)
def test_fixture_takes_options_from_marker(fake_fastly: FakeFastly) -> None:
    url = fake_fastly.base_url + "/tokens/AAAAAAAAAAAAAAAAAAAAAA"

    statuses = [fetch(url, fake_fastly.key, "DELETE")[0] for _ in range(2)]

    assert statuses == [404, 429]


def test_serve_in_thread_stops_the_server_on_exit() -> None:
    with FakeFastly().serve_in_thread() as fake:
        url = fake.base_url
        assert fake.running

    assert not fake.running
    with pytest.raises(urllib.error.URLError):
        fetch(url + "/tokens/self")


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
