"""Seeding: the world a new fake starts with, and extra tokens with realistic variety.

Two customers: ours (a regular user and a superuser, one API token each) and a
foreign one, so tests always have someone else's token id at hand (``SeededWorld``).
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator

from ._records import FakeToken, FakeUser
from ._state import Store
from ._world import DEMO_FOREIGN_USER, DEMO_PASSWORD, DEMO_SUPERUSER, DEMO_USERNAME, SeededWorld

_NAMES = (
    "ci deploy",
    "terraform",
    "purge bot",
    "laptop",
    "manage.fastly.com browser session",
    "grafana exporter",
    "log shipper",
    "old release script",
)
_SCOPES = (
    "global",
    "global",
    "global:read",
    "purge_select",
    "purge_all",
    "global:read global",
    "purge_all purge_select global:read",
)
_AGENTS = ("FastlyGo/9.0.0", "fastly-py/15.0.0", "curl/8.5.0", "Mozilla/5.0", "FastlyCLI/10.8")
_DAY = 86400.0


def seed_world(store: Store, *, key: str | None) -> SeededWorld:
    """Create the two customers, three users and their three API tokens; the store keeps them."""
    customer = store.add_customer("Example Customer")
    user = store.add_user(customer.id, username=DEMO_USERNAME, password=DEMO_PASSWORD)
    superuser = store.add_user(
        customer.id, username=DEMO_SUPERUSER, password=DEMO_PASSWORD, role="superuser"
    )
    foreign_customer = store.add_customer("Other Customer")
    foreign_user = store.add_user(
        foreign_customer.id, username=DEMO_FOREIGN_USER, password=DEMO_PASSWORD
    )
    world = SeededWorld(
        customer=customer,
        user=user,
        token=store.add_token(user, name="seeded api token", access_token=key),
        superuser=superuser,
        superuser_token=store.add_token(superuser, name="seeded superuser token"),
        foreign_customer=foreign_customer,
        foreign_user=foreign_user,
        foreign_token=store.add_token(foreign_user, name="someone else's token"),
    )
    store.world = world
    return world


def iter_seed_tokens(
    store: Store, user: FakeUser, count: int, rng: random.Random
) -> Iterator[FakeToken]:
    """Add ``count`` varied tokens, one per step: expired, never used, used long ago, multi-scope.

    A generator, so that a caller can stop between tokens (Ctrl-C during a large seed) and
    hold the store's lock per token rather than for the whole seed.
    """
    now = store.clock()
    services = ["".join(rng.choices(string.ascii_letters + string.digits, k=22)) for _ in range(5)]
    for i in range(count):
        created = now - rng.uniform(2, 3 * 365) * _DAY
        usage = rng.random()
        if usage < 0.25:
            last_used: float | None = None
        elif usage < 0.5:
            long_ago = now - 180 * _DAY
            last_used = rng.uniform(created, long_ago) if created < long_ago else created
        else:
            last_used = rng.uniform(max(created, now - 7 * _DAY), now)
        expiry = rng.random()
        expires: float | None = None
        if expiry < 0.2:
            expires = rng.uniform(created, now - 1)
        elif expiry < 0.4:
            expires = now + rng.uniform(1, 365) * _DAY
        used = last_used is not None
        token = store.add_token(
            user,
            name=f"{rng.choice(_NAMES)} #{i + 1}",
            scope=rng.choice(_SCOPES),
            services=rng.sample(services, rng.randint(1, 3)) if rng.random() < 0.25 else (),
            created_at=created,
            last_used_at=last_used,
            expires_at=expires,
            ip=f"203.0.113.{rng.randint(1, 254)}" if used else None,
            user_agent=rng.choice(_AGENTS) if used else None,
        )
        yield token
