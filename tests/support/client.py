"""FastlyAsync clients of a FakeFastly on a FakeClock, and what the fake saw of their calls."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from fastly_tokens import CreatedToken, FastlyAsync, RetryPolicy
from fastly_tokens.testing import FakeClock, FakeFastly

Call = Callable[[FastlyAsync], Awaitable[object]]


def connect(
    fake: FakeFastly, clock: FakeClock, *, max_concurrency: int = 16, **policy: Any
) -> FastlyAsync:
    """A client of ``fake`` on ``clock``; ``policy`` overrides ``RetryPolicy(jitter=0)``.

    Without jitter the backoffs are exactly 0.5, 1, 2, 4 s.
    """
    return FastlyAsync(
        fake.key,
        base_url=fake.base_url,
        retry=RetryPolicy(**{"jitter": 0.0, **policy}),
        max_concurrency=max_concurrency,
        clock=clock,
        sleep=clock.sleep,
    )


def spend_budget(fake: FakeFastly, clock: FakeClock) -> None:
    """Use up the seeded user's writes in the current window, as other clients would have."""
    while fake.rate_limit_remaining(fake.user):
        fake.limiter.consume(fake.user.id, clock.now)


def target(fake: FakeFastly, method: str) -> tuple[str, Call]:
    """A GET (``get_token_current``) or a DELETE (``revoke_token`` of a fresh token)."""
    if method == "GET":
        return "/tokens/self", lambda c: c.tokens.get_token_current()
    victim = fake.add_token(name="victim").id
    return f"/tokens/{victim}", lambda c: c.tokens.revoke_token(victim)


def statuses(fake: FakeFastly, method: str, path: str) -> list[int | None]:
    """The statuses the fake answered ``method path`` with, in order (None: dropped)."""
    return [r.status for r in fake.requests_matching(method, path)]


async def create(c: FastlyAsync, fake: FakeFastly) -> CreatedToken:
    """Create a token with the seeded user's login (no key, so no sudo)."""
    return await c.tokens.create_token(
        username=fake.user.username, password=fake.user.password, name="new"
    )


def assert_nothing_unclosed(caplog: pytest.LogCaptureFixture) -> None:
    """Collect garbage now and fail on any ResourceWarning or "Unclosed ..." report it causes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert [r.getMessage() for r in caplog.records if "nclosed" in r.getMessage()] == []
