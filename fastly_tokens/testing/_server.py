"""``FakeFastly``: the fake's configuration, lifecycle, and test-facing helpers."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from types import TracebackType

from aiohttp import web

from ._app import build_app
from ._budget import RateLimiter
from ._faults import Faults
from ._helpers import FakeHelpers
from ._log import RecordedRequest
from ._records import FakeToken, FakeUser
from ._seed import iter_seed_tokens, seed_world
from ._seed_account import SeededAccount, seed_account
from ._settings import Behaviour, EventsVisibleTo, UsersVisibleTo
from ._state import Store
from ._thread import serve_in_thread


class FakeFastly(FakeHelpers):
    """A faithful in-memory Fastly API around tokens, served over real HTTP on loopback.

    Use it as ``async with FakeFastly() as fake``, through :meth:`serve_in_thread`
    from sync code, or mount :meth:`make_app` on aiohttp's test server. It starts
    seeded: ``world`` (a :class:`~._world.SeededWorld`) holds the customers, users and API
    tokens, with ``key`` (the seeded user's token), ``user`` and ``base_url`` as shortcuts,
    and ``token_id``, ``superuser_key`` and ``foreign_token_id`` too. Every seeded user's
    password is ``DEMO_PASSWORD``: with ``user.username`` it is the keyless login of POST
    /tokens, and with a key the key login and POST /sudo.

    ``seed_tokens``/``seed`` add varied tokens for ``user`` (``seeded_tokens``);
    ``seed_account=True`` a realistic account to audit (``account``). The keyword switches
    after ``clock`` are :class:`~._settings.Behaviour`'s (each INFERRED choice and its
    default is in that module's docstring); ``behaviour`` changes them while serving.
    ``faults`` switches misbehaviour on, ``requests`` logs what arrived, ``events`` is the
    audit log; the helpers of :class:`~._helpers.FakeHelpers` add and inspect records.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        key: str | None = None,
        seed_tokens: int = 0,
        seed: int | None = None,
        seed_account: bool = False,
        rate_limit: int = 1000,
        window: float = 3600.0,
        bulk_max: int | None = None,
        bulk_partial: bool = False,
        retry_after: bool = False,
        latency: float = 0.0,
        clock: Callable[[], float] = time.time,
        key_create_needs_sudo: bool = True,
        otp_with_key: bool = True,
        sudo_seconds: float = 300.0,
        bulk_revokes_automation: bool = True,
        automation_delete_works: bool = False,
        automation_own_budget: bool = True,
        users_visible_to: UsersVisibleTo = "superuser",
        events_visible_to: EventsVisibleTo = "superuser",
        locked_tokens_work: bool = True,
    ) -> None:
        self._host = host
        self._port = port
        self.behaviour = Behaviour(
            bulk_max=bulk_max,
            bulk_partial=bulk_partial,
            retry_after=retry_after,
            latency=latency,
            key_create_needs_sudo=key_create_needs_sudo,
            otp_with_key=otp_with_key,
            sudo_seconds=sudo_seconds,
            bulk_revokes_automation=bulk_revokes_automation,
            automation_delete_works=automation_delete_works,
            automation_own_budget=automation_own_budget,
            users_visible_to=users_visible_to,
            events_visible_to=events_visible_to,
            locked_tokens_work=locked_tokens_work,
        )
        self.clock = clock
        self.limiter = RateLimiter(rate_limit, window)
        self.store = Store(clock, self.limiter, self.behaviour)
        self.faults = Faults(seed)
        self.requests: list[RecordedRequest] = []
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

        self.world = seed_world(self.store, key=key)
        self._seed = seed
        self.seeded_tokens: list[FakeToken] = []
        self.account: SeededAccount | None = None
        for _ in self.iter_seed_tokens(seed_tokens):
            pass
        if seed_account:
            self.seed_account()

    def __repr__(self) -> str:
        where = self._base_url or "not running"
        with self.store.lock:
            users = len(self.store.users)
            live = len(self.store.live_tokens())
        return (
            f"<FakeFastly {where} users={users} live_tokens={live} requests={len(self.requests)}>"
        )

    # -- the world's shortcuts ---------------------------------------------------------

    @property
    def key(self) -> str:
        """The seeded user's API token (``world.token.access_token``)."""
        return self.world.token.access_token

    @property
    def user(self) -> FakeUser:
        """The seeded user (``world.user``), a regular user of the seeded customer."""
        return self.world.user

    @property
    def token_id(self) -> str:
        """The id of the seeded user's API token (``world.token.id``)."""
        return self.world.token.id

    @property
    def superuser_key(self) -> str:
        """The seeded superuser's API token (``world.superuser_token.access_token``)."""
        return self.world.superuser_token.access_token

    @property
    def foreign_token_id(self) -> str:
        """The id of another customer's token (``world.foreign_token.id``)."""
        return self.world.foreign_token.id

    # -- serving -------------------------------------------------------------------

    def make_app(self) -> web.Application:
        """Build a fresh aiohttp application over this fake's state (for aiohttp test servers)."""
        return build_app(self)

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server."""
        if self._base_url is None:
            raise RuntimeError("FakeFastly is not running; use 'async with' or start()")
        return self._base_url

    @property
    def running(self) -> bool:
        """Whether :meth:`start` has run and :meth:`close` has not."""
        return self._runner is not None

    async def start(self) -> None:
        """Serve on ``host:port`` (port 0 picks a free one) in the running loop."""
        if self._runner is not None:
            raise RuntimeError("FakeFastly is already running")
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        host, port = runner.addresses[0][:2]
        self._runner = runner
        self._base_url = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"

    async def close(self) -> None:
        """Stop serving and close every connection; safe to call twice."""
        runner, self._runner, self._base_url = self._runner, None, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeFastly:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- seeding ---------------------------------------------------------------------------

    def iter_seed_tokens(self, count: int) -> Iterator[FakeToken]:
        """Add ``count`` varied tokens for the seeded user, one per step (for big seeds).

        The same ``seed`` gives the same tokens whether they are added at construction
        (``seed_tokens=``) or here; each one is appended to ``seeded_tokens``.
        """
        if count < 0:
            raise ValueError("count must be >= 0")
        rng = random.Random(self._seed)  # noqa: S311 - test data variety, not cryptography
        steps = iter_seed_tokens(self.store, self.user, count, rng)
        while True:
            with self.store.lock:
                token = next(steps, None)
            if token is None:
                return
            self.seeded_tokens.append(token)
            yield token

    def seed_account(self) -> SeededAccount:
        """Add a realistic account to audit (see ``_seed_account``); sets ``account``."""
        if self.account is not None:
            raise RuntimeError("the account is seeded already")
        rng = random.Random(self._seed)  # noqa: S311 - test data variety, not cryptography
        keys = [self.world.token, self.world.superuser_token]
        with self.store.lock:
            self.account = seed_account(self.store, self.world.customer.id, keys, rng)
        return self.account

    def serve_in_thread(self) -> AbstractContextManager[FakeFastly]:
        """Serve from a background thread with its own loop, for sync code and tests."""
        return serve_in_thread(self)
