"""The retry middleware: which calls are sent again, how often, after how long, and what is raised.

Through the public client against FakeFastly over loopback (attempts per status and method,
drops, the deadline, a DELETE lost after it acted, logging), and alone against the
scripted server for what FakeFastly never sends (a body cut off mid-way, an answer that never
comes). Time is a FakeClock shared by the client and the fake (from ``conftest.py``), so no
wait is real.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from fastly_tokens import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    FastlyAsync,
    FastlyError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    UnprocessableEntityError,
)
from fastly_tokens._middleware import ConnectionLostError
from fastly_tokens.testing import FakeClock, FakeFastly, FaultKind

from .support.client import connect, create, spend_budget, statuses, target
from .support.inputs import NOW, UNKNOWN_ID
from .support.scripted import Scripted, answer, hang, truncated

pytestmark = pytest.mark.usefixtures("watchdog")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


# -- attempts per status and per method ------------------------------------------------------------


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


# -- dropped connections and cut bodies ------------------------------------------------------------


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


# -- the deadline ----------------------------------------------------------------------------------


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


async def test_deadline_cuts_a_hung_attempt(scripted: Scripted) -> None:
    scripted.script.default["GET", "/tokens"] = hang()
    client = scripted.client(RetryPolicy(deadline=0.2))
    async with asyncio.timeout(5):
        with pytest.raises(TimeoutError):
            await client.call("GET", "/tokens")
    assert scripted.script.hung.is_set()
    assert scripted.script.count("GET", "/tokens") == 1


# -- a DELETE lost after it acted ------------------------------------------------------------------


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


# -- logging ---------------------------------------------------------------------------------------


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
