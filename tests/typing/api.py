"""The public API as users write it, for mypy to check. Never run; pytest does not collect it.

Each assignment carries the type a user relies on, so a changed return type, a renamed
field or a lost re-export fails `nox -s typecheck` (as stamina's tests/typing/api.py does).
Only names from `fastly_tokens` and `fastly_tokens.testing` are used: never a private module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime

import aiohttp

from fastly_tokens import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    CreatedToken,
    FastlyAsync,
    FastlyError,
    InternalServerError,
    NotFoundError,
    Outcome,
    PermissionDeniedError,
    RateLimit,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    RevocationJob,
    RevocationProgress,
    RevocationReport,
    RevocationResult,
    Scope,
    ScopeSet,
    Selection,
    Token,
    TokensAPI,
    UnprocessableEntityError,
    __version__,
)
from fastly_tokens.testing import (
    DEMO_PASSWORD,
    FakeAutomationToken,
    FakeClock,
    FakeCustomer,
    FakeFastly,
    FakeToken,
    FakeUser,
    SeededWorld,
)

version: str = __version__
base_url: str = DEFAULT_BASE_URL
timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT


async def every_call() -> None:
    policy = RetryPolicy(attempts=5, base=0.25, cap=4.0, jitter=0.5, deadline=30.0, max_wait=120)
    attempts: int = policy.attempts
    deadline: float = policy.deadline
    async with FastlyAsync(
        "token",
        base_url="https://api.fastly.com",
        timeout=10,
        user_agent="my-tool/1.0",
        retry=policy,
        max_concurrency=8,
    ) as c:
        api: TokensAPI = c.tokens
        me: Token = await api.get_token_current()
        one: Token = await api.get_token(me.id)
        mine: list[Token] = await api.list_tokens_user()
        theirs: list[Token] = await api.list_tokens_customer("x4xCwxxJxGCx123Rx5xTx")
        created: CreatedToken = await api.create_token(
            username="user@example.com",
            password="hunter2",
            name="ci",
            scope=[Scope.PURGE_SELECT, "purge_all"],
            services=["SU1Z0isxPaozGVKXdv0eY"],
            expires_at=datetime(2030, 1, 1, tzinfo=UTC),
            otp="123456",
        )
        also_created: CreatedToken = await api.create_token(
            username="user@example.com", password="hunter2", scope="global:read global"
        )
        await api.revoke_token(created.id)
        await api.bulk_revoke_tokens([t.id for t in mine])
        await api.revoke_token_current()

        secret: str = created.access_token
        scope: ScopeSet = me.scope
        in_scope: bool = Scope.GLOBAL in scope
        expired: bool = me.is_expired()
        name: str | None = me.name
        expires_at: datetime | None = me.expires_at
        services: tuple[str, ...] = me.services

        budget: RateLimit = c.rate_limit
        remaining: int | None = budget.remaining
        reset_at: datetime | None = budget.reset_at
        closed: bool = c.closed


async def clean_up(c: FastlyAsync) -> None:
    selection = Selection(
        expired=True,
        unused_since=datetime(2026, 1, 1, tzinfo=UTC),
        name="ci-*",
        scope=Scope.GLOBAL,
        owner="x4xCwxxJxGCx123Rx5xTx",
        include_current=False,
    )
    stale: list[Token] = await c.tokens.select_tokens(selection)
    stale = await c.tokens.select_tokens(selection, customer_id="x4xCwxxJxGCx123Rx5xTx")

    def progress(update: RevocationProgress) -> None:
        done: int = update.done
        total: int = update.total
        counts: Mapping[Outcome, int] = update.counts
        latest: tuple[RevocationResult, ...] = update.latest

    report: RevocationReport = await c.tokens.revoke_many(
        [t.id for t in stale],
        strategy="each",
        chunk_size=50,
        concurrency=4,
        on_progress=progress,
        journal="revoke.jsonl",
    )
    counts: dict[Outcome, int] = report.counts
    requests: int = report.requests
    elapsed: float = report.elapsed
    ok: bool = report.ok
    failed_ids: list[str] = report.ids(Outcome.FAILED)
    for result in report.results:
        token_id: str = result.token_id
        outcome: Outcome = result.outcome
        error: Exception | None = result.error
        resumed: bool = result.resumed
    report.raise_for_failures()

    job: RevocationJob = c.tokens.revocation_job(["5Yo3XXnrQpjc20u0ybrf2g"], strategy="batch")
    task = asyncio.create_task(job.run())
    task.cancel()
    so_far: RevocationReport = job.report()
    total: int = job.total


async def handle_errors(c: FastlyAsync) -> None:
    try:
        await c.tokens.revoke_token("5Yo3XXnrQpjc20u0ybrf2g")
    except RateLimitError as e:
        retry_after: float | None = e.retry_after
    except (NotFoundError, PermissionDeniedError, AuthenticationError) as e:
        maybe_applied: bool = e.maybe_applied
    except (BadRequestError, UnprocessableEntityError, InternalServerError, APIStatusError) as e:
        status: int = e.status
        method: str = e.method
        path: str = e.path
        msg: str = e.msg
        detail: str = e.detail
        text: str = e.text
        remaining: int | None = e.remaining
        reset_at: datetime | None = e.reset_at
    except APITimeoutError as e:
        timed_out: APIConnectionError = e
    except APIConnectionError as e:
        where: str = f"{e.method} {e.path}"
    except ResponseValidationError as e:
        body: str = e.body
    except ClientClosedError as e:
        also_runtime: RuntimeError = e
    except FastlyError:
        raise


async def against_the_fake() -> None:
    async with (
        FakeFastly(rate_limit=5, bulk_max=100) as fake,
        FastlyAsync(fake.key, base_url=fake.base_url, retry=RetryPolicy(attempts=1)) as c,
    ):
        old: FakeToken = fake.add_token(fake.user, name="old")
        await c.tokens.revoke_token(old.id)
        gone: bool = fake.is_revoked(old.id)

        world: SeededWorld = fake.world
        ours: FakeCustomer = world.customer
        admin: FakeUser = world.superuser
        theirs: FakeToken = world.foreign_token
        key: str = fake.key
        token_id: str = fake.token_id
        superuser_key: str = fake.superuser_key
        foreign_token_id: str = fake.foreign_token_id
        colleague: FakeUser = fake.add_user(role="engineer", otp="123456", password=DEMO_PASSWORD)
        elsewhere: FakeCustomer = fake.add_customer("Other", force_sso=True)
        bot: FakeAutomationToken = fake.add_automation_token(
            elsewhere.id, name="ci", roles=["engineer"], expires_at=1_800_000_000.0
        )
        theirs = fake.add_token(colleague, scope="global:read", services=["svc"])


async def on_a_fake_clock() -> None:
    clock = FakeClock(1_700_000_000.0)
    async with (
        FakeFastly(clock=clock) as fake,
        FastlyAsync(fake.key, base_url=fake.base_url, clock=clock, sleep=clock.sleep) as c,
    ):
        clock.on_sleep = lambda seconds: None
        clock.hold()
        call = asyncio.create_task(c.tokens.get_token_current())
        await clock.wait_for_sleep()
        held: bool = clock.held
        clock.release()
        await call
        now: float = clock()
        waits: list[float] = clock.waits
        cancelled: int = clock.cancelled
        clock.advance(60.0)


def test_with_the_fixture(fake_fastly: FakeFastly) -> None:
    url: str = fake_fastly.base_url + "/tokens/self"
    key: str = fake_fastly.key


def served_from_a_thread() -> None:
    with FakeFastly().serve_in_thread() as fake:
        running: FakeFastly = fake
