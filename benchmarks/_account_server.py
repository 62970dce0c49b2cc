"""An account-sized fake in a subprocess: many users, their tokens, and automation tokens.

``python -m fastly_tokens.testing`` seeds tokens for one user only, and rows 7 and 8 need an
account: ``--users`` colleagues with ``--user-tokens`` tokens between them, and
``--automation`` automation tokens (100 a page). This module builds that ``FakeFastly`` with the
fake's own helpers (``add_user``, ``add_token``, ``add_automation_token``), then serves it and
prints the fake's own banner (``base_url``, ``key``, ``superuser_key``, ...), so that
:class:`AccountServer` reads it as :class:`~._harness.FakeServer` reads the standard one. The
records vary as a real account's do (a fixed seed): some expire, some were never used, some are
limited to services, scopes of one and of several words.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import signal
import string
import sys
from collections.abc import Sequence
from typing import TypedDict

from fastly_tokens.testing import FakeFastly
from fastly_tokens.testing.__main__ import banner

from ._harness import NO_LIMIT, FakeServer

__all__ = ["AccountServer", "seed"]

_DAY = 86400.0
_SCOPES = ("global", "global:read", "purge_select purge_all", "global:read global")


class _Varied(TypedDict):
    """The keywords ``add_token`` and ``add_automation_token`` share, varied per record."""

    scope: str
    services: list[str]
    created_at: float
    expires_at: float | None
    last_used_at: float | None
    ip: str | None
    user_agent: str | None


def seed(fake: FakeFastly, *, users: int, user_tokens: int, automation: int, rng_seed: int) -> None:
    """Add ``users`` colleagues owning ``user_tokens`` tokens between them, and ``automation``."""
    rng = random.Random(rng_seed)
    now = fake.clock()
    services = ["".join(rng.choices(string.ascii_letters, k=22)) for _ in range(8)]
    people = [
        fake.add_user(username=f"colleague-{i:03d}@example.com", name=f"Colleague {i}")
        for i in range(users)
    ]

    def varied() -> _Varied:
        created = now - rng.uniform(2, 900) * _DAY
        used = rng.random() < 0.75
        return {
            "scope": rng.choice(_SCOPES),
            "services": rng.sample(services, rng.randint(1, 3)) if rng.random() < 0.25 else [],
            "created_at": created,
            "expires_at": now + rng.uniform(1, 365) * _DAY if rng.random() < 0.2 else None,
            "last_used_at": rng.uniform(created, now) if used else None,
            "ip": f"203.0.113.{rng.randint(1, 254)}" if used else None,
            "user_agent": "FastlyCLI/10.8" if used else None,
        }

    for i in range(user_tokens):
        owner = people[i % len(people)] if people else None
        fake.add_token(owner, name=f"colleague token #{i + 1}", **varied())
    for i in range(automation):
        fake.add_automation_token(name=f"automation #{i + 1}", **varied())


async def _serve(args: argparse.Namespace) -> int:
    fake = FakeFastly(rate_limit=NO_LIMIT, latency=args.latency, seed=args.seed)
    seed(
        fake,
        users=args.users,
        user_tokens=args.user_tokens,
        automation=args.automation,
        rng_seed=args.seed,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with fake:
        sys.stdout.write(banner(fake))
        sys.stdout.flush()
        await stop.wait()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Seed, serve and print the banner until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks._account_server")
    parser.add_argument("--users", type=int, default=0)
    parser.add_argument("--user-tokens", type=int, default=0)
    parser.add_argument("--automation", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=7)
    return asyncio.run(_serve(parser.parse_args(argv)))


class AccountServer(FakeServer):
    """:class:`~._harness.FakeServer` over this module: an account of many users in a subprocess.

    ``server.info["superuser_key"]`` is the key that sees the whole customer.
    """

    def __init__(
        self, *, users: int = 0, user_tokens: int = 0, automation: int = 0, latency: float = 0.0
    ) -> None:
        super().__init__(latency=latency)
        self.argv = [
            sys.executable,
            "-m",
            "benchmarks._account_server",
            "--users",
            str(users),
            "--user-tokens",
            str(user_tokens),
            "--automation",
            str(automation),
            "--latency",
            repr(latency),
        ]

    @property
    def superuser_key(self) -> str:
        """The seeded superuser's key: its inventory is the whole customer's."""
        return self.info["superuser_key"]


if __name__ == "__main__":
    raise SystemExit(main())
