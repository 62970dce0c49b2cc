"""Resilience end to end: ``FastlyAsync`` against ``FakeFastly`` over real loopback HTTP.

``test_middleware.py`` drives the middlewares alone against a scripted server; these go through
the public client and the fake Fastly instead: attempts counted per status and method,
server-directed waits, the deadline and ``max_wait``, cancellation, the shared rate-limit gate,
a DELETE lost after it acted, budget figures read from errors, logging, and a soak under random
faults. Time is fake: one :class:`FakeClock` is the clock of the fake server (its rate-limit
windows) and of the client, and the client's injected sleep moves it forward, so nothing really
sleeps and window resets line up exactly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from datetime import UTC, datetime

import aiohttp
import pytest

from fastly_tokens import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    FastlyAsync,
    FastlyError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimit,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
)
from fastly_tokens._middleware import ConnectionLostError
from fastly_tokens.testing import FakeClock, FakeFastly, FaultKind

from .support.client import (
    assert_nothing_unclosed,
    connect,
    create,
    spend_budget,
    statuses,
    target,
)

# A whole number of hours, so windows of 10 s, 60 s and 3600 s all start exactly here.
NOW = 1_699_999_200.0
UNKNOWN_ID = "AAAAAAAAAAAAAAAAAAAAAA"  # well-formed, never issued


pytestmark = pytest.mark.usefixtures("watchdog")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


# -- attempts per status and per method -----------------------------------------------------


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_transient_status_is_retried_until_success(
    fake: FakeFastly, retrying: FastlyAsync, clock: FakeClock, method: str, status: int
) -> None:
    path, call = target(fake, method)
    fake.faults.add("status", status=status, times=2, method=method, path=path)
    await call(retrying)
    assert statuses(fake, method, path) == [status, status, 200 if method == "GET" else 204]
    assert clock.waits == [0.5, 1.0]
    if method == "DELETE":
        assert fake.is_revoked(path.rsplit("/", 1)[1])


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_transient_status_every_time_spends_every_attempt(
    fake: FakeFastly, retrying: FastlyAsync, clock: FakeClock, method: str, status: int
) -> None:
    path, call = target(fake, method)
    fake.faults.add("status", status=status, times=None, method=method, path=path)
    with pytest.raises(APIStatusError) as info:
        await call(retrying)
    assert (info.value.status, info.value.method, info.value.path) == (status, method, path)
    assert statuses(fake, method, path) == [status] * 4
    assert clock.waits == [0.5, 1.0, 2.0]
    if method == "DELETE":
        assert not fake.is_revoked(path.rsplit("/", 1)[1])


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_429_without_budget_headers_is_retried_with_backoff(
    fake: FakeFastly, retrying: FastlyAsync, clock: FakeClock, method: str
) -> None:
    # No Fastly-RateLimit-* headers and no Retry-After: nothing says when, so back off. A 429
    # acted on nothing, so even a create is sent again.
    path = "/tokens/self" if method == "GET" else "/tokens"
    before = len(fake.tokens_of(fake.user))
    fake.faults.add("status", status=429, times=None, method=method, path=path)
    with pytest.raises(RateLimitError) as info:
        await (retrying.tokens.get_token_current() if method == "GET" else create(retrying, fake))
    assert (info.value.status, info.value.method, info.value.path) == (429, method, path)
    assert statuses(fake, method, path) == [429] * 4
    assert clock.waits == [0.5, 1.0, 2.0]
    assert len(fake.tokens_of(fake.user)) == before


@pytest.mark.parametrize(
    "case",
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
    ],
)
@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_final_status_is_not_retried(
    fake: FakeFastly,
    retrying: FastlyAsync,
    clock: FakeClock,
    method: str,
    case: tuple[int, type[APIStatusError]],
) -> None:
    status, error = case
    path, call = target(fake, method)
    fake.faults.add("status", status=status, times=None, method=method, path=path)
    with pytest.raises(error) as info:
        await call(retrying)
    assert (info.value.status, info.value.method, info.value.path) == (status, method, path)
    assert not info.value.maybe_applied
    assert statuses(fake, method, path) == [status]
    assert clock.waits == []


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (408, APIStatusError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
    ],
)
async def test_create_token_is_not_retried_after_a_transient_status(
    fake: FakeFastly,
    retrying: FastlyAsync,
    clock: FakeClock,
    status: int,
    error: type[APIStatusError],
) -> None:
    before = len(fake.tokens_of(fake.user))
    fake.faults.add("status", status=status, times=None, method="POST", path="/tokens")
    with pytest.raises(error) as info:
        await create(retrying, fake)
    assert info.value.status == status
    assert statuses(fake, "POST", "/tokens") == [status]
    assert len(fake.tokens_of(fake.user)) == before
    assert clock.waits == []


@pytest.mark.parametrize(("kind", "created"), [("drop_before", 0), ("drop_after", 1)])
async def test_create_token_is_never_replayed_after_a_drop(
    fake: FakeFastly, retrying: FastlyAsync, clock: FakeClock, kind: FaultKind, created: int
) -> None:
    before = len(fake.tokens_of(fake.user))
    fake.faults.add(kind, times=None, method="POST", path="/tokens")
    with pytest.raises(APIConnectionError) as info:
        await create(retrying, fake)
    assert (info.value.method, info.value.path) == ("POST", "/tokens")
    assert statuses(fake, "POST", "/tokens") == [None]  # one request, aiohttp's replay included
    assert len(fake.tokens_of(fake.user)) == before + created
    assert clock.waits == []


@pytest.mark.parametrize("kind", ["status", "drop_before", "drop_after"])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_attempts_one_sends_exactly_one_request(
    fake: FakeFastly, clock: FakeClock, method: str, kind: FaultKind
) -> None:
    path, call = target(fake, method)
    fake.faults.add(kind, times=None, method=method, path=path)
    error = InternalServerError if kind == "status" else APIConnectionError
    async with connect(fake, clock, attempts=1) as c:
        with pytest.raises(error):
            await call(c)
    assert len(fake.requests_matching(method, path)) == 1  # aiohttp's own replay suppressed too
    assert clock.waits == []


@pytest.mark.parametrize("last", ["status", "drop", "every drop"])
@pytest.mark.parametrize("attempts", [2, 3, 5])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_exhausted_attempts_raise_the_last_error(
    fake: FakeFastly, clock: FakeClock, method: str, attempts: int, last: str
) -> None:
    path, call = target(fake, method)
    # Every attempt but the last fails one way, the last another (or, "every drop", the same
    # way): the last one is raised.
    if last == "drop":
        fake.faults.add("status", status=503, times=attempts - 1, method=method, path=path)
    else:
        fake.faults.add("drop_before", times=attempts - 1, method=method, path=path)
    if last == "status":
        fake.faults.add("status", status=502, times=None, method=method, path=path)
    else:
        fake.faults.add("drop_before", times=None, method=method, path=path)
    async with connect(fake, clock, attempts=attempts) as c:
        with pytest.raises(FastlyError) as info:
            await call(c)
    if last == "status":
        assert type(info.value) is InternalServerError
        assert info.value.status == 502
        assert statuses(fake, method, path) == [*[None] * (attempts - 1), 502]
    else:
        assert type(info.value) is APIConnectionError
        # The retry middleware gave up on the drop: an error aiohttp does not replay, so the
        # attempts are exactly what was sent.
        assert isinstance(info.value.__cause__, ConnectionLostError)
        assert isinstance(info.value.__cause__.__cause__, aiohttp.ServerDisconnectedError)
        before = [503] if last == "drop" else [None]
        assert statuses(fake, method, path) == [*before * (attempts - 1), None]
    assert clock.waits == [0.5, 1.0, 2.0, 4.0][: attempts - 1]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_a_dropped_connection_is_retried_until_success(
    fake: FakeFastly, retrying: FastlyAsync, clock: FakeClock, method: str
) -> None:
    path, call = target(fake, method)
    fake.faults.add("drop_before", times=1, method=method, path=path)
    await call(retrying)
    assert statuses(fake, method, path) == [None, 200 if method == "GET" else 204]
    assert clock.waits == [0.5]
    if method == "DELETE":
        assert fake.is_revoked(path.rsplit("/", 1)[1])


# -- server-directed waits ----------------------------------------------------------------------


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


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_retry_after_on_a_503_is_honoured(
    fake: FakeFastly, retrying: FastlyAsync, clock: FakeClock, method: str
) -> None:
    path, call = target(fake, method)
    retry_after = {"Retry-After": "3"}
    fake.faults.add("status", status=503, method=method, path=path, headers=retry_after)
    await call(retrying)
    assert statuses(fake, method, path) == [503, 200 if method == "GET" else 204]
    assert clock.waits == [3.0]  # not the 0.5 s backoff
    assert clock() == NOW + 3


# -- max_wait and the deadline ------------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("deadline", "waits"),
    [
        (1.2, [0.5]),  # the next backoff, 1 s, would end past the deadline
        (2.0, [0.5, 1.0]),  # a third, of 2 s, would
    ],
)
async def test_a_deadline_shorter_than_the_backoff_gives_up(
    fake: FakeFastly, clock: FakeClock, deadline: float, waits: list[float]
) -> None:
    fake.faults.add("status", status=503, times=None, method="GET", path="/tokens/self")
    async with connect(fake, clock, attempts=10, deadline=deadline) as c:
        with pytest.raises(InternalServerError):
            await c.tokens.get_token_current()
    assert clock.waits == waits
    assert clock.now <= NOW + deadline
    assert statuses(fake, "GET", "/tokens/self") == [503] * (len(waits) + 1)


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


@pytest.mark.parametrize("case", ["backoff", "reset"])
async def test_a_wait_that_ends_at_the_deadline_is_not_taken(clock: FakeClock, case: str) -> None:
    # backoff: 0.5 s then 1 s would end exactly at a 1.5 s deadline. reset: 10 s off, deadline 10.
    clock.now = NOW + 50
    async with (
        FakeFastly(clock=clock, rate_limit=1, window=60) as fake,
        connect(fake, clock, deadline=1.5 if case == "backoff" else 10) as c,
    ):
        if case == "backoff":
            fake.faults.add("status", status=503, times=None, method="GET", path="/tokens/self")
            with pytest.raises(InternalServerError):  # today: APITimeoutError, after the wait
                await c.tokens.get_token_current()
            assert clock.waits == [0.5]
            assert statuses(fake, "GET", "/tokens/self") == [503, 503]
        else:
            spend_budget(fake, clock)
            with pytest.raises(RateLimitError) as info:  # today: APITimeoutError, after 10 s
                await c.tokens.revoke_token(fake.add_token(name="v").id)
            assert info.value.retry_after == 10.0
            assert clock.waits == []


# -- cancellation -------------------------------------------------------------------------------


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


# -- the shared rate-limit gate -----------------------------------------------------------------


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


# -- a DELETE lost after it acted ---------------------------------------------------------------


async def test_a_delete_lost_after_it_acted_is_not_claimed_as_revoked(
    fake: FakeFastly, retrying: FastlyAsync, clock: FakeClock
) -> None:
    victim = fake.add_token(name="victim").id
    fake.faults.add("drop_after", times=1, method="DELETE", path=f"/tokens/{victim}")
    # The retry's 404 cannot prove the token was there to revoke: not found, maybe applied.
    with pytest.raises(NotFoundError) as info:
        await retrying.tokens.revoke_token(victim)
    assert info.value.maybe_applied is True
    assert fake.is_revoked(victim)
    assert statuses(fake, "DELETE", f"/tokens/{victim}") == [None, 404]
    assert clock.waits == [0.5]


async def test_not_found_says_whether_an_earlier_attempt_may_have_acted(
    fake: FakeFastly, retrying: FastlyAsync
) -> None:
    victim = fake.add_token(name="victim").id
    path = f"/tokens/{victim}"
    fake.faults.add("drop_after", times=1, method="DELETE", path=path)
    with pytest.raises(NotFoundError) as lost:
        await retrying._call("DELETE", path, type(None), expect=(204, 200))
    assert lost.value.maybe_applied is True
    assert fake.is_revoked(victim)
    with pytest.raises(NotFoundError) as never:
        await retrying._call("DELETE", f"/tokens/{UNKNOWN_ID}", type(None), expect=(204, 200))
    assert never.value.maybe_applied is False
    with pytest.raises(NotFoundError):  # and revoke_token does not swallow that one
        await retrying.tokens.revoke_token(UNKNOWN_ID)


@pytest.mark.parametrize(("status", "maybe_applied"), [(429, False), (503, True)])
async def test_a_404_after_an_error_status_is_put_down_to_it_only_if_it_may_have_acted(
    fake: FakeFastly, retrying: FastlyAsync, clock: FakeClock, status: int, maybe_applied: bool
) -> None:
    # A 429 is a refusal before acting; a 5xx may come from behind a write that happened.
    path = f"/tokens/{UNKNOWN_ID}"
    retry_after = {"Retry-After": "1"}
    fake.faults.add("status", status=status, method="DELETE", path=path, headers=retry_after)
    with pytest.raises(NotFoundError) as info:
        await retrying.tokens.revoke_token(UNKNOWN_ID)
    assert info.value.maybe_applied is maybe_applied
    assert statuses(fake, "DELETE", path) == [status, 404]
    assert clock.waits == [1.0]


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
        await retrying.tokens.revoke_token(fake.superuser_token_id)
    assert retrying.rate_limit == RateLimit(997, reset_at)
    assert denied.value.remaining == 997
    assert fake.rate_limit_remaining(fake.user) == 997


# -- logging ------------------------------------------------------------------------------------


async def test_a_retry_is_logged_at_info_and_a_long_one_at_warning(
    fake: FakeFastly, retrying: FastlyAsync, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path, call = target(fake, "DELETE")
    fake.faults.add("status", status=503, times=1, method="DELETE", path=path)
    retry_after = {"Retry-After": "6"}
    fake.faults.add("status", status=503, times=1, method="DELETE", path=path, headers=retry_after)
    await call(retrying)
    assert statuses(fake, "DELETE", path) == [503, 503, 204]
    ours = [r for r in caplog.records if r.name == "fastly_tokens"]
    assert [(r.levelname, r.getMessage()) for r in ours] == [
        ("INFO", f"DELETE {path}: 503 on attempt 1, retrying in 0.50 s"),
        ("WARNING", f"DELETE {path}: 503 on attempt 2, retrying in 6.00 s as the server asked"),
    ]
    assert fake.key not in caplog.text
    assert all(fake.key not in repr(r.args) for r in caplog.records)


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


# -- soak ---------------------------------------------------------------------------------------

SOAK_CALLS = 5_000


async def test_soak_every_call_ends_in_success_or_one_typed_error(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # The waits take no time, but the client and the fake keep the real clock: on the fake one,
    # the calls queued behind the 50 slots would see every earlier wait pass and run out of
    # their deadlines, which is not what this test is about.
    async with (
        FakeFastly(rate_limit=1_000_000, seed=20_240_601) as fake,
        FastlyAsync(
            fake.key,
            base_url=fake.base_url,
            timeout=0.5,
            max_concurrency=50,
            sleep=clock.sleep,
        ) as c,
    ):
        # About one request in five meets a fault (first match wins, in this order); the first
        # outlasts the client's 0.5 s read timeout.
        faults = [
            fake.faults.add("slow", delay=0.7, times=None, probability=0.01),
            fake.faults.add("status", status=503, times=None, probability=0.05),
            fake.faults.add("drop_before", times=None, probability=0.04),
            fake.faults.add("drop_after", times=None, probability=0.04),
            fake.faults.add("slow", delay=0.001, times=None, probability=0.04),
            fake.faults.add("malformed", method="GET", times=None, probability=0.05),
        ]
        fresh = [fake.add_token(name=f"soak-{i}").id for i in range(SOAK_CALLS // 3 + 1)]
        revoked: list[str] = []
        maybe_revoked: list[str] = []

        async def one(i: int) -> str:
            try:
                if i % 3 == 0:
                    await c.tokens.get_token_current()
                elif i % 3 == 1:
                    await c.tokens.get_token(fake.token_id)
                else:
                    await c.tokens.revoke_token(fresh[i // 3])
                    revoked.append(fresh[i // 3])
            except NotFoundError as exc:
                # Only after a lost attempt, and then that attempt did revoke it.
                if not exc.maybe_applied:
                    return "NotFoundError without a lost attempt"
                maybe_revoked.append(fresh[i // 3])
                return "NotFoundError (maybe applied)"
            except FastlyError as exc:
                return type(exc).__name__
            except Exception as exc:  # anything else is the failure under test
                return f"UNTYPED {type(exc).__module__}.{type(exc).__name__}: {exc}"
            return "ok"

        outcomes = Counter(await asyncio.gather(*(one(i) for i in range(SOAK_CALLS))))
    assert sum(outcomes.values()) == SOAK_CALLS
    assert [o for o in outcomes if o.startswith("UNTYPED")] == []
    allowed = {"ok", "NotFoundError (maybe applied)"} | {
        e.__name__
        for e in (
            ResponseValidationError,
            InternalServerError,
            APIConnectionError,
            APITimeoutError,
        )
    }
    assert set(outcomes) <= allowed, outcomes
    assert outcomes["ok"] >= 0.9 * SOAK_CALLS, outcomes
    assert all(f.hits > 0 for f in faults)
    assert len(fake.requests) > SOAK_CALLS  # retries happened
    assert sum(f.hits for f in faults) >= 0.15 * len(fake.requests)
    assert all(fake.is_revoked(t) for t in revoked)
    assert all(fake.is_revoked(t) for t in maybe_revoked)
    assert clock.waits
    assert_nothing_unclosed(caplog)
