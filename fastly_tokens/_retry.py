"""Retry policy and the pure decisions built on it: retry or not, how long to wait, when to stop.

Nothing here does I/O or reads a clock: the middleware passes in the time, the response's
status and headers (or the exception) and a random number, and acts on the :class:`Decision`.
That keeps every rule testable without a network, as gidgethub's ``sansio`` module does.
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp
import attrs

from ._wire import retry_after, server_wait

__all__ = [
    "REPLAYABLE_METHODS",
    "RETRYABLE_STATUSES",
    "Decision",
    "RetryPolicy",
    "decide",
    "maybe_reached_server",
    "retryable_exception",
    "retryable_status",
]

#: Methods that may be sent again after the server may have acted on them. ``POST /tokens``
#: is not one: replaying it could mint a second credential.
REPLAYABLE_METHODS = frozenset({"GET", "HEAD", "DELETE"})

#: Statuses worth another try for a replayable method (429 is retried for every method).
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

_MAX_DOUBLINGS = 64  # 2**64 * base dwarfs any cap; stops float overflow for huge retry numbers


def _non_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value >= 0:  # also refuses NaN
        raise ValueError(f"{attribute.name} must be >= 0, not {value!r}")


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:  # also refuses NaN
        raise ValueError(f"{attribute.name} must be > 0, not {value!r}")


def _at_least_one(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be an int >= 1, not {value!r}")


@attrs.frozen
class RetryPolicy:
    """How a client retries a call; pass it as ``FastlyAsync(retry=...)``.

    Defaults: ``attempts=4`` (``RetryPolicy(attempts=1)`` turns retrying off); backoff
    ``min(cap, base * 2**n + random(0, jitter))`` with ``base=0.5``, ``cap=8.0`` and
    ``jitter=1.0`` seconds; ``deadline=60.0`` seconds for one call, its waits included;
    ``max_wait=60.0`` seconds, the longest wait the server may ask for (``Retry-After`` or
    the rate-limit reset) that the call will sit through. A longer one fails the call at once
    with :class:`~fastly_tokens.RateLimitError` rather than sleeping or retrying early.

    429 is retried for every method; connection errors, timeouts, 408, 500, 502, 503 and 504
    only for GET and DELETE, so a ``POST /tokens`` that may have reached Fastly is never sent
    twice.
    """

    attempts: int = attrs.field(default=4, validator=_at_least_one)
    base: float = attrs.field(default=0.5, validator=_non_negative)
    cap: float = attrs.field(default=8.0, validator=_non_negative)
    jitter: float = attrs.field(default=1.0, validator=_non_negative)
    deadline: float = attrs.field(default=60.0, validator=_positive)
    max_wait: float = attrs.field(default=60.0, validator=_non_negative)

    def backoff(self, retry_number: int, rand: float) -> float:
        """Seconds to wait before retry ``retry_number`` (0 for the first); ``rand`` in [0, 1)."""
        doublings = min(max(retry_number, 0), _MAX_DOUBLINGS)
        return min(self.cap, self.base * 2.0**doublings + rand * self.jitter)


def retryable_status(method: str, status: int) -> bool:
    """Whether a response with ``status`` to ``method`` is worth another try.

    429 means Fastly refused before acting, so every method may retry it; the other transient
    statuses may follow a server that acted, so only replayable methods retry them.
    """
    if status == 429:
        return True
    return status in RETRYABLE_STATUSES and method.upper() in REPLAYABLE_METHODS


def retryable_exception(method: str, exc: BaseException) -> bool:
    """Whether a failed attempt (no usable answer) may be tried again.

    Connection errors, dropped or truncated bodies and timeouts qualify, for replayable
    methods only: the request may have reached Fastly. TLS failures never clear on a retry.
    """
    if method.upper() not in REPLAYABLE_METHODS:
        return False
    if isinstance(exc, aiohttp.ClientSSLError):
        return False
    return isinstance(
        exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError | TimeoutError
    )


def maybe_reached_server(exc: BaseException) -> bool:
    """Whether an attempt that failed with ``exc`` may have been acted on by the server.

    A failed connect never sent anything; any later drop, truncation or timeout may have
    come after Fastly acted, which is how a retried DELETE's 404 can mean "already gone".
    """
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return False
    return isinstance(
        exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError | TimeoutError
    )


@attrs.frozen
class Decision:
    """What to do after one attempt: ``retry`` after ``wait`` seconds, or stop.

    ``reason`` says why, for logs and tests. ``server_directed`` marks a wait that came from
    ``Retry-After`` or the rate-limit reset rather than from backoff.
    """

    retry: bool
    reason: str
    wait: float = 0.0
    server_directed: bool = False


def decide(
    policy: RetryPolicy,
    *,
    method: str,
    attempt: int,
    started: float,
    now: float,
    status: int | None = None,
    exc: BaseException | None = None,
    headers: Mapping[str, str] | None = None,
    rand: float,
) -> Decision:
    """Decide whether attempt number ``attempt`` (1 for the first) of a call is retried.

    Give exactly one of ``status`` (with the response's ``headers``) or ``exc``. ``started``
    and ``now`` are epoch seconds. A 429 waits for ``Retry-After`` or the rate-limit reset;
    other retryable statuses honour only ``Retry-After`` (every Fastly write carries a reset
    an hour off, which says nothing about a 503). A server-directed wait of zero, such as a
    reset already past on a skewed clock, falls back to backoff so the call does not hammer.
    """
    if (status is None) == (exc is None):
        raise ValueError("give exactly one of status or exc")
    if exc is not None:
        if not retryable_exception(method, exc):
            return Decision(False, f"{type(exc).__name__} is not retried for {method}")
    elif status is not None and not retryable_status(method, status):
        return Decision(False, f"status {status} is final for {method}")
    if attempt >= policy.attempts:
        return Decision(False, f"attempts exhausted ({policy.attempts})")

    directed: float | None = None
    if headers is not None:
        directed = server_wait(headers, now) if status == 429 else retry_after(headers, now)
    if directed is not None and directed > policy.max_wait:
        return Decision(False, "server wait exceeds max_wait", wait=directed, server_directed=True)
    if directed:
        wait, server_directed = directed, True
    else:
        wait, server_directed = policy.backoff(attempt - 1, rand), False
    if now + wait >= started + policy.deadline:  # no time would be left for the attempt
        return Decision(
            False, "wait would pass the deadline", wait=wait, server_directed=server_directed
        )
    return Decision(True, "retry", wait=wait, server_directed=server_directed)
