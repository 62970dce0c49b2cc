"""The retry policy and its pure decisions: what is retried, how long to wait, when to give up."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping

import aiohttp
import attrs
import pytest

from fastly_tokens._retry import (
    Decision,
    RetryPolicy,
    decide,
    maybe_reached_server,
    retryable_exception,
    retryable_status,
)

from .support.inputs import headers_of

NOW = 1_700_000_000.0


def test_defaults_match_the_issue() -> None:
    p = RetryPolicy()
    assert (p.attempts, p.base, p.cap, p.jitter, p.deadline, p.max_wait) == (
        4,
        0.5,
        8.0,
        1.0,
        60.0,
        60.0,
    )
    assert "attempts=4" in (RetryPolicy.__doc__ or "")


def test_policy_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        RetryPolicy().attempts = 2  # type: ignore[misc]  # the point: assignment must fail


@pytest.mark.parametrize(
    "kwargs",
    [
        {"attempts": 0},
        {"attempts": -1},
        {"attempts": 1.5},
        {"attempts": True},
        {"base": -0.1},
        {"cap": -1},
        {"jitter": math.nan},
        {"deadline": 0},
        {"max_wait": -5},
    ],
)
def test_policy_refuses_bad_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]  # deliberately wrong types too


def test_attempts_one_is_allowed() -> None:
    assert RetryPolicy(attempts=1).attempts == 1


@pytest.mark.parametrize(
    ("n", "rand", "expected"),
    [
        (0, 0.0, 0.5),
        (0, 0.999, 0.5 + 0.999),
        (1, 0.0, 1.0),
        (2, 0.5, 2.5),
        (3, 0.0, 4.0),
        (4, 0.0, 8.0),  # 0.5 * 16 = 8 = cap
        (4, 0.9, 8.0),  # capped, jitter included
        (10, 0.3, 8.0),
        (10_000, 0.3, 8.0),  # no float overflow
    ],
)
def test_backoff(n: int, rand: float, expected: float) -> None:
    assert RetryPolicy().backoff(n, rand) == pytest.approx(expected)


def test_backoff_stays_within_bounds() -> None:
    p = RetryPolicy(base=0.2, cap=3.0, jitter=0.7)
    for n in range(12):
        for rand in (0.0, 0.25, 0.5, 0.999):
            wait = p.backoff(n, rand)
            assert min(p.cap, p.base * 2**n) <= wait <= p.cap
            assert wait <= p.base * 2**n + p.jitter


def test_backoff_without_jitter_is_deterministic() -> None:
    p = RetryPolicy(jitter=0)
    assert [p.backoff(n, 0.7) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 8.0]


@pytest.mark.parametrize(
    ("method", "status", "expected"),
    [
        ("GET", 429, True),
        ("DELETE", 429, True),
        ("POST", 429, True),
        ("GET", 408, True),
        ("DELETE", 500, True),
        ("GET", 502, True),
        ("DELETE", 503, True),
        ("get", 504, True),
        ("POST", 408, False),
        ("POST", 500, False),
        ("POST", 502, False),
        ("POST", 503, False),
        ("POST", 504, False),
        ("GET", 200, False),
        ("DELETE", 204, False),
        ("GET", 404, False),
        ("DELETE", 400, False),
        ("GET", 501, False),
        ("GET", 505, False),
        ("PUT", 503, False),
    ],
)
def test_retryable_status(method: str, status: int, expected: bool) -> None:
    assert retryable_status(method, status) is expected


CONNECTION_ERRORS: list[BaseException] = [
    aiohttp.ServerDisconnectedError(),
    aiohttp.ClientConnectionError("boom"),
    aiohttp.ClientConnectionResetError("reset"),
    aiohttp.ClientOSError(104, "reset"),
    aiohttp.ClientPayloadError("truncated"),
    aiohttp.ServerTimeoutError("read"),
    aiohttp.SocketTimeoutError("read"),
    aiohttp.ConnectionTimeoutError("connect"),
    TimeoutError(),
]


@pytest.mark.parametrize("exc", CONNECTION_ERRORS, ids=lambda e: type(e).__name__)
def test_connection_errors_retry_only_get_and_delete(exc: BaseException) -> None:
    assert retryable_exception("GET", exc)
    assert retryable_exception("DELETE", exc)
    assert not retryable_exception("POST", exc)
    assert not retryable_exception("PATCH", exc)


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("bug"),
        aiohttp.InvalidURL("x"),
        aiohttp.ClientResponseError(request_info=None, history=()),  # type: ignore[arg-type]  # never read
        asyncio.CancelledError(),
        KeyboardInterrupt(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_other_exceptions_are_never_retried(exc: BaseException) -> None:
    assert not retryable_exception("GET", exc)


def test_maybe_reached_server() -> None:
    assert maybe_reached_server(aiohttp.ServerDisconnectedError())
    assert maybe_reached_server(aiohttp.SocketTimeoutError())
    assert maybe_reached_server(aiohttp.ClientPayloadError())
    assert maybe_reached_server(TimeoutError())
    assert not maybe_reached_server(aiohttp.ConnectionTimeoutError())
    assert not maybe_reached_server(ValueError())


POLICY = RetryPolicy(jitter=0)


def _decide(
    method: str = "GET",
    attempt: int = 1,
    now: float = NOW,
    *,
    status: int | None = None,
    exc: BaseException | None = None,
    headers: Mapping[str, str] | None = None,
) -> Decision:
    return decide(
        POLICY,
        method=method,
        attempt=attempt,
        started=NOW,
        now=now,
        status=status,
        exc=exc,
        headers=headers,
        rand=0.0,
    )


def test_decide_success_is_final() -> None:
    d = _decide(status=200)
    assert not d.retry
    assert "final" in d.reason


def test_decide_retries_5xx_for_get_with_backoff() -> None:
    assert [_decide(status=503, attempt=a).wait for a in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert all(_decide(status=503, attempt=a).retry for a in (1, 2, 3))


def test_decide_attempts_exhausted() -> None:
    d = _decide(status=503, attempt=4)
    assert not d.retry
    assert d.reason == "attempts exhausted (4)"
    assert not decide(
        RetryPolicy(attempts=1), method="GET", attempt=1, started=NOW, now=NOW, status=503, rand=0
    ).retry


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
def test_decide_never_replays_post_after_5xx(status: int) -> None:
    d = _decide("POST", status=status)
    assert not d.retry


def test_decide_never_replays_post_after_a_drop() -> None:
    d = _decide("POST", exc=aiohttp.ServerDisconnectedError())
    assert not d.retry
    assert "ServerDisconnectedError" in d.reason


def test_decide_replays_delete_after_a_drop() -> None:
    d = _decide("DELETE", exc=aiohttp.ServerDisconnectedError())
    assert d.retry
    assert d.wait == 0.5


def test_decide_replays_post_on_429_after_reset() -> None:
    d = _decide("POST", status=429, headers=headers_of(Fastly_RateLimit_Reset=str(int(NOW) + 20)))
    assert d.retry
    assert d.wait == 20.0
    assert d.server_directed


def test_decide_429_without_headers_backs_off() -> None:
    d = _decide("POST", status=429, headers=headers_of())
    assert d.retry
    assert d.wait == 0.5
    assert not d.server_directed


def test_decide_429_reset_already_past_backs_off() -> None:
    d = _decide("DELETE", status=429, headers=headers_of(Fastly_RateLimit_Reset=str(int(NOW) - 3)))
    assert d.retry
    assert d.wait == 0.5


def test_decide_429_beyond_max_wait_gives_up_at_once() -> None:
    d = _decide("DELETE", status=429, headers=headers_of(Fastly_RateLimit_Reset=str(int(NOW) + 61)))
    assert not d.retry
    assert d.reason == "server wait exceeds max_wait"
    assert d.wait == 61.0


def test_decide_503_ignores_reset_header_but_honours_retry_after() -> None:
    far_reset = headers_of(Fastly_RateLimit_Reset=str(int(NOW) + 3000))
    assert _decide("DELETE", status=503, headers=far_reset).wait == 0.5
    d = _decide("DELETE", status=503, headers=headers_of(Retry_After="4"))
    assert (d.retry, d.wait, d.server_directed) == (True, 4.0, True)


def test_decide_deadline() -> None:
    assert _decide(status=503, now=NOW + 59.4).retry
    d = _decide(status=503, now=NOW + 59.6)
    assert not d.retry
    assert d.reason == "wait would pass the deadline"
    d = _decide("DELETE", status=429, now=NOW + 30, headers=headers_of(Retry_After="40"))
    assert not d.retry
    assert d.reason == "wait would pass the deadline"


def test_decide_needs_exactly_one_outcome() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        _decide()
    with pytest.raises(ValueError, match="exactly one"):
        _decide(status=500, exc=aiohttp.ServerDisconnectedError())
