"""A realistic account to audit: several users, a few dozen tokens, some of each hygiene risk.

``FakeFastly(seed_account=True)`` (``--account`` on the command line) adds it to the seeded
customer; the same ``seed`` gives the same names, scopes, services, roles and times (ids and
secrets stay random). Times are relative to the fake's clock, in bands far apart, so that any
sensible audit threshold separates them:

- created 3-30 days ago (young), or 400-900 days ago (``rotation_due``);
- last used within the last 2 days, never (``never_used``: created 40-80 days ago, old enough
  to be forgotten, young enough not to be due for rotation), or 200-300 days ago (``stale``;
  old by necessity, so also rotation due);
- expiring in 60-300 days, in 1-5 days (``expiring_soon``), or never (``never_expiring``);
- limited to 1-3 of the account's services, except ``global_all_services`` (scope
  ``global``, no services) and the automation token with an engineer role and no service limit
  (``engineer_unlimited``, scope ``global:read``);
- owned by an active user, except ``locked_owner`` (a locked user's tokens) and
  ``departed_owner`` (a user with ``deleted_at`` set, no longer listed).

Every other token, the two seeded keys included (they get an expiry, a service and a recent
use), breaks none of these: ``SeededAccount.clean`` lists the user tokens that do.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping
from datetime import UTC, datetime

import attrs

from ._records import FakeAutomationToken, FakeToken, FakeUser
from ._state import Store
from ._world import DEMO_PASSWORD

_DAY = 86400.0
_NAMES = (
    "deploy",
    "terraform",
    "purge bot",
    "grafana exporter",
    "log shipper",
    "laptop",
    "ci pipeline",
    "release script",
    "cache warmer",
    "status page",
)
_LIMITED_SCOPES = ("global", "purge_select", "purge_all", "global:read", "purge_all purge_select")
_AGENTS = ("FastlyGo/9.13.1", "fastly-py/15.0.0", "curl/8.5.0", "FastlyCLI/10.8", "terraform/1.9")
# login, role, two-factor, locked, departed
_USERS = (
    ("alice@example.com", "engineer", False, False, False),
    ("bob@example.com", "engineer", True, False, False),
    ("carol@example.com", "billing", False, False, False),
    ("dave@example.com", "user", False, True, False),
    ("erin@example.com", "user", False, False, False),
    ("frank@example.com", "engineer", False, False, True),
    ("gina@example.com", "superuser", False, False, False),
)
RULES = (
    "expiring_soon",
    "never_expiring",
    "never_used",
    "stale",
    "rotation_due",
    "global_all_services",
    "locked_owner",
    "departed_owner",
    "engineer_unlimited",
)


AUDIT_RULES: Mapping[str, tuple[str, ...]] = {
    "expires_soon": ("expiring_soon",),
    "never_expires": ("never_expiring",),
    "unused": ("stale",),
    "never_used": ("never_used",),
    "rotation_due": ("rotation_due",),
    "global_all_services": ("global_all_services",),
    "owner_locked_or_gone": ("locked_owner", "departed_owner"),
    "automation_engineer_unlimited": ("engineer_unlimited",),
}
"""Each rule of the SDK's audit (``fastly_tokens.audit``), as the seed's risks that break it.

Kept here as plain names (the fake imports nothing of the SDK): with the audit's default
thresholds, every one of which falls in a gap between the seed's bands, an audit of this
account must flag exactly these tokens for each rule.
"""


@attrs.frozen
class SeededAccount:
    """What the account seed made; ``by_rule`` names the tokens that break each risk."""

    services: tuple[str, ...]
    users: tuple[FakeUser, ...]
    locked_user: FakeUser
    two_factor_user: FakeUser
    departed_user: FakeUser
    tokens: tuple[FakeToken, ...]
    automation: tuple[FakeAutomationToken, ...]
    clean: tuple[FakeToken, ...]
    by_rule: Mapping[str, tuple[FakeToken, ...]]

    def flagged_by(self, audit_rule: str) -> frozenset[str]:
        """Return the ids an audit rule (default thresholds) must flag here, and only these."""
        return frozenset(t.id for risk in AUDIT_RULES[audit_rule] for t in self.by_rule[risk])


class _Maker:
    """Builds tokens from a clean baseline, then changes what a category needs."""

    def __init__(self, store: Store, rng: random.Random, services: tuple[str, ...]) -> None:
        self.store = store
        self.rng = rng
        self.services = services
        self.now = store.clock()
        self.count = 0

    def ago(self, low: float, high: float) -> float:
        return self.now - self.rng.uniform(low, high) * _DAY

    def _name(self) -> str:
        self.count += 1
        return f"{self.rng.choice(_NAMES)} #{self.count}"

    def _limited(self) -> list[str]:
        return self.rng.sample(list(self.services), self.rng.randint(1, 3))

    def user_token(self, owner: FakeUser, rule: str | None = None) -> FakeToken:
        old = rule in ("rotation_due", "stale")
        created = self.ago(400, 900) if old else self.ago(3, 30)
        if rule == "never_used":
            created = self.ago(40, 80)  # forgotten: a month and more, not yet rotation due
        used: float | None = self.ago(0, 2)
        if rule == "never_used":
            used = None
        elif rule == "stale":
            used = self.ago(200, 300)
        expires: float | None = self.now + self.rng.uniform(60, 300) * _DAY
        if rule == "expiring_soon":
            expires = self.now + self.rng.uniform(1, 5) * _DAY
        elif rule == "never_expiring":
            expires = None
        everything = rule == "global_all_services"
        return self.store.add_token(
            owner,
            name=self._name(),
            scope="global" if everything else self.rng.choice(_LIMITED_SCOPES),
            services=() if everything else self._limited(),
            created_at=created,
            last_used_at=used,
            expires_at=expires,
            ip=None if used is None else f"198.51.100.{self.rng.randint(1, 254)}",
            user_agent=None if used is None else self.rng.choice(_AGENTS),
        )

    def automation_token(
        self, creator: FakeUser, role: str, roles: tuple[str, ...] = (), *, unlimited: bool = False
    ) -> FakeAutomationToken:
        return self.store.add_automation_token(
            creator.customer_id,
            name=f"{self._name()} (automation)",
            role=role,
            roles=roles,
            scope="global:read" if unlimited else self.rng.choice(_LIMITED_SCOPES),
            services=() if unlimited else self._limited(),
            creator=creator,
            created_at=self.ago(3, 30),
            last_used_at=self.ago(0, 2),
            expires_at=self.now + self.rng.uniform(60, 300) * _DAY,
            ip=f"198.51.100.{self.rng.randint(1, 254)}",
            user_agent=self.rng.choice(_AGENTS),
        )

    def tidy(self, token: FakeToken) -> None:
        """Make a seeded key break no rule: young, used, expiring later, one service."""
        token.created_at = token.updated_at = _at(self.now - 10 * _DAY)
        token.last_used_at = _at(self.now - 3600)
        token.expires_at = _at(self.now + 180 * _DAY)
        token.services = (self.services[0],)


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def seed_account(
    store: Store, customer_id: str, seeded_keys: list[FakeToken], rng: random.Random
) -> SeededAccount:
    """Add the users, services and tokens of a realistic account to ``customer_id``."""
    alphabet = string.ascii_letters + string.digits
    services = tuple("".join(rng.choices(alphabet, k=22)) for _ in range(6))
    maker = _Maker(store, rng, services)
    users = []
    for login, role, two_factor, locked, departed in _USERS:
        user = store.add_user(
            customer_id,
            username=login,
            password=DEMO_PASSWORD,
            role=role,
            otp="123456" if two_factor else None,
            locked=locked,
            created_at=maker.ago(400, 1200),
        )
        if departed:
            user.deleted_at = store.now()
        users.append(user)
    active = [u for u in users if not u.locked and u.deleted_at is None]
    locked_user = next(u for u in users if u.locked)
    departed_user = next(u for u in users if u.deleted_at is not None)
    by_rule: dict[str, list[FakeToken]] = {rule: [] for rule in RULES}
    clean = [maker.user_token(rng.choice(active)) for _ in range(16)]
    plan = {
        "expiring_soon": 3,
        "never_expiring": 3,
        "never_used": 3,
        "stale": 3,
        "rotation_due": 3,
        "global_all_services": 2,
    }
    for rule, count in plan.items():
        by_rule[rule] = [maker.user_token(rng.choice(active), rule) for _ in range(count)]
    by_rule["rotation_due"] += by_rule["stale"]  # last used long ago, so created longer ago
    by_rule["locked_owner"] = [maker.user_token(locked_user) for _ in range(2)]
    by_rule["departed_owner"] = [maker.user_token(departed_user)]
    superuser = next(u for u in users if u.superuser)
    unlimited = maker.automation_token(superuser, "engineer", unlimited=True)
    automation = (
        unlimited,
        maker.automation_token(superuser, "engineer"),
        maker.automation_token(superuser, "billing"),
        maker.automation_token(superuser, "engineer", ("engineer", "tls_viewer")),
        maker.automation_token(superuser, "ngwaf_observer_imported"),
    )
    by_rule["engineer_unlimited"] = [unlimited]
    for key in seeded_keys:
        maker.tidy(key)
    risky = {t.id: t for rule in RULES for t in by_rule[rule] if t.kind == "user"}
    return SeededAccount(
        services=services,
        users=tuple(users),
        locked_user=locked_user,
        two_factor_user=next(u for u in users if u.two_factor),
        departed_user=departed_user,
        tokens=(*clean, *risky.values()),
        automation=automation,
        clean=(*seeded_keys, *clean),
        by_rule={rule: tuple(tokens) for rule, tokens in by_rule.items()},
    )
