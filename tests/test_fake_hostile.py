"""FakeFastly's hostile-server faults, over real loopback HTTP: what arrives on the wire."""

from __future__ import annotations

import json
import struct
import time
import tracemalloc
import zlib
from typing import Any

import aiohttp
import pytest

from fastly_tokens.testing import FakeFastly, Faults
from fastly_tokens.testing._hostile import gzip_bomb_bytes

from .support.fake_http import BULK_TYPE, Make, bulk, call, session

# -- hostile servers ------------------------------------------------------------------------


async def test_echo_headers_puts_the_key_into_an_error_body_without_acting(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("echo_headers", status=500, method="DELETE")

    reply = await call(http, fake, "DELETE", f"/tokens/{fake.token_id}", fake.key)

    assert reply.status == 500
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json()
    assert f"Fastly-Key: {fake.key}" in body["msg"]
    assert f"Fastly-Key: {fake.key}" in body["detail"]
    assert f"DELETE /tokens/{fake.token_id}" in body["msg"]
    assert "User-Agent: fake-tests/1.0" in body["detail"]
    assert not fake.is_revoked(fake.token_id)
    assert "Fastly-RateLimit-Remaining" not in reply.headers
    assert fake.rate_limit_remaining(fake.user) == 1000


async def test_echo_headers_defaults_to_a_502(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fault = fake.faults.add("echo_headers")

    reply = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert fault.status == 502
    assert reply.status == 502
    assert fake.key in reply.json()["msg"]


@pytest.mark.parametrize("size", [2, 3, 4, 5, 65_539, 5_000_001])
async def test_huge_body_is_valid_json_of_exactly_the_size_with_its_length(
    fake: FakeFastly, http: aiohttp.ClientSession, size: int
) -> None:
    fake.faults.add("huge_body", size=size)

    reply = await call(http, fake, "GET", "/tokens", fake.key)

    assert reply.status == 200
    assert reply.headers["Content-Length"] == str(size)
    assert reply.headers["Content-Type"] == "application/json"
    assert len(reply.body) == size
    assert set(reply.json()) <= {0}
    assert len(reply.json()) == max(0, (size - 1) // 2)


async def test_huge_body_default_is_256_mib_on_any_status(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fault = fake.faults.add("huge_body", status=500)

    async with http.get(fake.base_url + "/tokens", headers={"Fastly-Key": fake.key}) as resp:
        status, length = resp.status, resp.headers["Content-Length"]
        first = await resp.content.read(3)

    assert fault.size == 256 * 1024 * 1024
    assert status == 500
    assert length == str(256 * 1024 * 1024)
    assert first == b"[0,"


@pytest.mark.parametrize("status", [200, 404])
async def test_nested_json_is_100000_levels_deep_by_default(
    fake: FakeFastly, http: aiohttp.ClientSession, status: int
) -> None:
    fake.faults.add("nested_json", status=status)

    reply = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert reply.status == status
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.body == b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(RecursionError):
        json.loads(reply.body)


async def test_nested_json_depth_is_configurable(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("nested_json", depth=3, status=503)

    reply = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert reply.status == 503
    assert reply.json() == [[[]]]


async def test_gzip_bomb_is_about_a_mebibyte_on_the_wire_for_a_gibibyte_inflated(
    fake: FakeFastly,
) -> None:
    fake.faults.add("gzip_bomb")

    async with (
        session(auto_decompress=False) as raw,
        raw.get(fake.base_url + "/tokens", headers={"Fastly-Key": fake.key}) as resp,
    ):
        wire = await resp.read()
        headers = resp.headers

    assert resp.status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(wire)
    assert 900 * 1024 < len(wire) < 1200 * 1024
    assert wire[:2] == b"\x1f\x8b"
    assert struct.unpack("<I", wire[-4:])[0] == (1 << 30) % (1 << 32)


async def test_gzip_bomb_inflates_to_exactly_the_size_of_valid_json(
    fake: FakeFastly,
) -> None:
    size = 32 * 1024 * 1024 + 5
    fake.faults.add("gzip_bomb", size=size)

    async with (
        session(auto_decompress=False) as raw,
        raw.get(fake.base_url + "/tokens", headers={"Fastly-Key": fake.key}) as resp,
    ):
        wire = await resp.read()

    inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)  # gzip framing, CRC checked at the end
    inflated, first, last, pending = 0, b"", b"", wire
    while pending:
        piece = inflate.decompress(pending, 1 << 20)
        first = first or piece[:1]
        last = piece[-1:] or last
        inflated += len(piece)
        pending = inflate.unconsumed_tail
    assert inflate.eof
    assert inflated == size
    assert (first, last) == (b"[", b"]")


def test_gzip_bomb_is_built_in_little_memory_and_cached() -> None:
    size = (1 << 30) + 3  # a size no other test asks for, so it is built here
    tracemalloc.start()
    try:
        built = gzip_bomb_bytes(size)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    hits = gzip_bomb_bytes.cache_info().hits

    again = gzip_bomb_bytes(size)

    assert peak < 16 * 1024 * 1024
    assert len(built) < 1200 * 1024
    assert again is built
    assert gzip_bomb_bytes.cache_info().hits == hits + 1


async def test_endless_stream_goes_on_until_the_client_leaves_and_starves_nobody(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("endless", path="/tokens")

    received = 0
    async with http.get(fake.base_url + "/tokens", headers={"Fastly-Key": fake.key}) as resp:
        assert resp.headers["Transfer-Encoding"] == "chunked"
        assert "Content-Length" not in resp.headers
        async for chunk in resp.content.iter_chunked(1 << 16):
            received += len(chunk)
            if received > 16 * 1024 * 1024:
                # A second client is served while the stream is still going.
                during = await call(http, fake, "GET", "/tokens/self", fake.key)
                break
        resp.close()

    after = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert resp.status == 200
    assert received > 16 * 1024 * 1024
    assert during.status == 200
    assert after.status == 200
    assert [r.fault for r in fake.requests] == ["endless", None, None]


async def test_endless_stream_ends_when_the_fake_closes(make_fake: Make) -> None:
    fake = await make_fake()
    fake.faults.add("endless", delay=0.01)

    async with (
        session() as http,
        http.get(fake.base_url + "/tokens", headers={"Fastly-Key": fake.key}) as resp,
    ):
        assert await resp.content.read(1) == b"["
        started = time.monotonic()
        await fake.close()
        with pytest.raises(aiohttp.ClientPayloadError):
            await resp.read()

    assert time.monotonic() - started < 5
    assert not fake.running


async def test_headers_fault_overrides_headers_of_a_normal_answer(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_token(name="doomed")
    fake.faults.add(
        "headers",
        headers={"Fastly-RateLimit-Reset": "99999999999999", "Retry-After": "1e308"},
    )

    reply = await call(http, fake, "DELETE", f"/tokens/{token.id}", fake.key)

    assert reply.status == 204
    assert fake.is_revoked(token.id)
    assert reply.headers["Fastly-RateLimit-Reset"] == "99999999999999"
    assert reply.headers["Retry-After"] == "1e308"
    assert reply.headers["Fastly-RateLimit-Remaining"] == "999"


async def test_extra_headers_apply_to_any_fault(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("status", status=429, headers={"Retry-After": "-5"})

    reply = await call(http, fake, "DELETE", "/tokens/self", fake.key)

    assert reply.status == 429
    assert reply.headers["Retry-After"] == "-5"
    assert not fake.is_revoked(fake.token_id)


async def test_body_fault_sends_a_5_mb_msg_with_the_status(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("body", status=500, body={"msg": "x" * 5_000_000})

    reply = await call(http, fake, "DELETE", "/tokens/self", fake.key)

    assert reply.status == 500
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json() == {"msg": "x" * 5_000_000}
    assert not fake.is_revoked(fake.token_id)


async def test_body_fault_sends_bytes_and_text_verbatim(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    fake.faults.add("body", body=b"\x00\xff not json", content_type="text/plain")
    fake.faults.add("body", status=401, body='{"msg": "\\u001b[2K"}')

    raw = await call(http, fake, "GET", "/tokens/self", fake.key)
    text = await call(http, fake, "GET", "/tokens/self", fake.key)

    assert (raw.status, raw.headers["Content-Type"], raw.body) == (
        200,
        "text/plain",
        b"\x00\xff not json",
    )
    assert text.status == 401
    assert text.json() == {"msg": "\x1b[2K"}


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("headers", {}, "needs headers"),
        ("body", {}, "needs body"),
        ("huge_body", {"size": 1}, "size must be"),
        ("gzip_bomb", {"size": 0}, "size must be"),
        ("nested_json", {"depth": 0}, "depth must be"),
        ("status", {"status": 600}, "status must be"),
    ],
)
def test_faults_reject_bad_options(kind: Any, options: dict[str, Any], message: str) -> None:
    faults = Faults()

    with pytest.raises(ValueError, match=message):
        faults.add(kind, **options)

    assert faults.active() == []


# -- the fake's own robustness ------------------------------------------------------------


async def test_deeply_nested_bulk_body_is_a_400_not_a_crash(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_token()
    nested = '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}"

    reply = await call(
        http, fake, "DELETE", "/tokens", fake.key, data=nested, headers={"Content-Type": BULK_TYPE}
    )
    after = await bulk(http, fake, fake.key, token.id)

    assert reply.status == 400
    assert reply.json() == {"msg": "Bad request", "detail": "Body is nested too deeply"}
    assert after.status == 204
    assert fake.is_revoked(token.id)
