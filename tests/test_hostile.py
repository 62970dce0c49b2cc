"""A hostile or broken server gets one typed error, never a crash (issue 8, items 7, 8, 11).

Deeply nested JSON, rate-limit headers from another millennium, a 5 MB message, a gzip bomb
and an endless stream: each ends in a :class:`FastlyError` subclass, bounded in size, and a
bad header never fails a call at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest
from aiohttp import web

from fastly_tokens import (
    FastlyAsync,
    InternalServerError,
    NotFoundError,
    Outcome,
    RateLimit,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    RetryPolicy,
)
from fastly_tokens._wire import MAX_RESET_AHEAD, parse_rate_limit
from fastly_tokens.testing import FakeClock

from .support.errors import capture
from .support.hostile import HostileServer, endless, gzip_bomb, raw

KEY = "hostile-test-key-000000000000000"
ONCE = RetryPolicy(attempts=1)
TOKEN = json.dumps({"id": "5Yo3XXnrQpjc20u0ybrf2g", "name": "ok"}).encode()
NESTED = b"[" * 100_000


def client(server: HostileServer, **kwargs: object) -> FastlyAsync:
    return FastlyAsync(KEY, base_url=server.base_url, retry=ONCE, sleep=FakeClock().sleep, **kwargs)  # type: ignore[arg-type]  # test-only pass-through


async def test_deeply_nested_json_on_a_success_is_a_validation_error() -> None:
    async with HostileServer(raw(NESTED)).running() as server, client(server) as c:
        error = await capture(c.tokens.get_token_current())
    assert isinstance(error, ResponseValidationError)
    assert "nested too deeply" in str(error)


async def test_deeply_nested_json_on_an_error_is_that_status_error() -> None:
    async with HostileServer(raw(NESTED, status=500)).running() as server, client(server) as c:
        error = await capture(c.tokens.get_token_current())
    assert isinstance(error, InternalServerError)
    assert error.msg == ""
    assert error.text.startswith("[[[")
    assert len(error.text) == 500


async def test_a_message_nested_as_deep_as_the_parser_goes_is_still_read() -> None:
    body = json.dumps({"msg": json.loads("[" * 900 + "]" * 900)}).encode()
    async with HostileServer(raw(body, status=404)).running() as server, client(server) as c:
        error = await capture(c.tokens.get_token_current())
    assert isinstance(error, NotFoundError)
    assert len(str(error)) < 1200


@pytest.mark.parametrize(
    "reset", ["99999999999999", "1e308", "253402300800", "-1", "0", "nan", "9" * 5000]
)
async def test_an_impossible_reset_header_never_fails_the_call(reset: str) -> None:
    headers = {"Fastly-RateLimit-Remaining": "5", "Fastly-RateLimit-Reset": reset}
    ok, missing = raw(TOKEN, headers=headers), raw(b'{"msg": "nope"}', status=404, headers=headers)

    async def answer(request: web.Request) -> web.StreamResponse:
        return await (ok if request.method == "GET" else missing)(request)

    async with HostileServer(answer).running() as server, client(server) as c:
        token = await c.tokens.get_token_current()
        assert token.id == "5Yo3XXnrQpjc20u0ybrf2g"
        assert c.rate_limit == RateLimit(5, None)
        error = await capture(c.tokens.revoke_token("5Yo3XXnrQpjc20u0ybrf2g"))
        assert isinstance(error, NotFoundError)
        assert (error.remaining, error.reset_at) == (5, None)
        ids = ["2JVEnF2nTNiC0CQSFqH7Ql", "3JVEnF2nTNiC0CQSFqH7Ql"]
        report = await c.tokens.revoke_many(ids, preflight=False)
    assert report.counts[Outcome.NOT_FOUND] == 2  # the job keeps its report


def test_a_reset_more_than_a_window_ahead_is_not_believed() -> None:
    now = 1_700_000_000.0
    near = {"Fastly-RateLimit-Reset": str(int(now + 3600))}
    far = {"Fastly-RateLimit-Reset": str(int(now + MAX_RESET_AHEAD + 1))}
    assert parse_rate_limit(near, now) == (None, now + 3600)
    assert parse_rate_limit(far, now) == (None, None)


async def test_a_huge_message_and_an_absurd_retry_after_make_a_short_error() -> None:
    body = json.dumps({"msg": "x" * 5_000_000, "detail": "y" * 1_000_000}).encode()
    answer = raw(body, status=429, headers={"Retry-After": "1e308"})
    async with HostileServer(answer).running() as server, client(server) as c:
        error = await capture(c.tokens.revoke_token("5Yo3XXnrQpjc20u0ybrf2g"))
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 86400.0  # read as a day at most
    assert len(str(error)) < 1500
    assert "more characters" in error.msg
    assert "retry after 86400 s" in str(error)


async def test_a_gzip_bomb_stops_at_the_body_cap() -> None:
    server = HostileServer(gzip_bomb(256 * 1024 * 1024))
    async with server.running(), client(server, max_body_size=1 << 20) as c:
        error = await capture(c.tokens.list_tokens_user())
    assert isinstance(error, ResponseTooLargeError)
    assert error.limit == 1 << 20
    assert "max_body_size" in str(error)


async def test_an_endless_stream_stops_at_the_body_cap() -> None:
    async with (
        HostileServer(endless()).running() as server,
        client(server, max_body_size=1 << 20) as c,
    ):
        error = await capture(c.tokens.get_token_current())
        again = await capture(c.tokens.get_token_current())  # the client still works after
    assert isinstance(error, ResponseTooLargeError)
    assert isinstance(again, ResponseTooLargeError)


async def test_a_declared_length_beyond_the_cap_is_refused_before_reading() -> None:
    server = HostileServer(raw(b"[" + b" " * 4096 + b"]"))
    async with server.running(), client(server, max_body_size=1024) as c:
        error = await capture(c.tokens.list_tokens_user())
    assert isinstance(error, ResponseTooLargeError)


async def test_a_body_under_the_cap_is_read_whole() -> None:
    server = HostileServer(raw(TOKEN))
    async with server.running(), client(server, max_body_size=len(TOKEN)) as c:
        assert (await c.tokens.get_token_current()).name == "ok"


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "100"])
def test_max_body_size_must_be_a_positive_int(bad: object) -> None:
    with pytest.raises(ValueError, match="max_body_size"):
        FastlyAsync(KEY, max_body_size=bad)  # type: ignore[arg-type]  # the point: bad values


PEAK_SCRIPT = textwrap.dedent(
    """
    import asyncio, resource, sys
    sys.path.insert(0, {tests!r})
    from support.hostile import HostileServer, gzip_bomb, endless
    from fastly_tokens import FastlyAsync, ResponseTooLargeError, RetryPolicy

    async def main(kind):
        answer = gzip_bomb(1 << 30) if kind == "bomb" else endless()
        async with HostileServer(answer).running() as server:
            async with FastlyAsync("k" * 32, base_url=server.base_url,
                                   retry=RetryPolicy(attempts=1)) as c:
                before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                try:
                    await c.tokens.list_tokens_user()
                except ResponseTooLargeError:
                    pass
                after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(before // 1024, after // 1024)

    asyncio.run(main(sys.argv[1]))
    """
)


@pytest.mark.parametrize("kind", ["bomb", "endless"])
def test_peak_memory_stays_near_the_default_cap(kind: str) -> None:
    # The default cap is 128 MiB: a 1 GiB bomb or an endless stream must not grow the process
    # much beyond it (before the cap, 1 GiB of body took the process to 2 GiB).
    script = PEAK_SCRIPT.format(tests=os.path.dirname(__file__))
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script, kind],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    before, after = map(int, done.stdout.split())
    assert after - before < 128 + 200, (before, after)  # MiB: the cap, plus its assembly


def test_reset_at_from_a_sane_header_is_aware_utc() -> None:
    now = 1_700_000_000.0
    _, reset = parse_rate_limit({"Fastly-RateLimit-Reset": str(int(now) + 60)}, now)
    assert reset is not None
    assert datetime.fromtimestamp(reset, UTC).tzinfo is UTC
