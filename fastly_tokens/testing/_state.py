"""The fake's world and the rules every endpoint shares: who is calling, what they may touch.

No I/O and no aiohttp: the handlers read the request, call the store (or a rules module
over it: ``_login``, ``_automation``, ``_directory``, ``_audit``) under ``lock``, and render
what comes back or the :class:`ApiError` raised.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from ._budget import Budget, RateLimiter
from ._errors import (
    MSG_ACCOUNT_LOCKED,
    MSG_BAD_CREDENTIALS,
    MSG_FORBIDDEN_CUSTOMER,
    MSG_FORBIDDEN_TOKEN,
    MSG_RATE_LIMITED,
    MSG_READ_ONLY,
    ApiError,
)
from ._events import EventLog
from ._records import (
    USER_ROLES,
    FakeAutomationToken,
    FakeCustomer,
    FakeToken,
    FakeUser,
    as_datetime,
    new_id,
    new_secret,
    wire_time,
)
from ._settings import Behaviour
from ._world import DEMO_PASSWORD, SeededWorld


class Store:
    """Customers, users and tokens, plus the rules of the tokens API over them.

    ``world`` is the seeded world once ``_seed.seed_world`` has made it: a record added without
    its customer or user goes to the seeded customer or user.
    """

    def __init__(
        self, clock: Callable[[], float], limiter: RateLimiter, behaviour: Behaviour
    ) -> None:
        self.clock = clock
        self.limiter = limiter
        self.behaviour = behaviour
        # Re-entrant: the threaded fixture lets test code and handlers share the store.
        self.lock = threading.RLock()
        self.customers: dict[str, FakeCustomer] = {}
        self.users: dict[str, FakeUser] = {}
        self.tokens: dict[str, FakeToken] = {}
        self.events = EventLog(clock)
        self.world: SeededWorld | None = None
        self._by_secret: dict[str, FakeToken] = {}
        self._by_username: dict[str, FakeUser] = {}

    def now(self) -> datetime:
        """Return the injected clock's time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.clock(), UTC)

    def seeded(self) -> SeededWorld:
        """Return the seeded world (RuntimeError before ``seed_world`` has run)."""
        if self.world is None:
            raise RuntimeError("the fake's world is not seeded yet")
        return self.world

    # -- building the world -------------------------------------------------------

    def add_customer(
        self, name: str | None = None, *, force_sso: bool = False, force_2fa: bool = False
    ) -> FakeCustomer:
        """Add a customer (account); ``force_sso``/``force_2fa`` forbid API automation tokens."""
        customer_id = new_id()
        customer = FakeCustomer(
            id=customer_id,
            name=name or f"Customer {customer_id[:6]}",
            force_sso=force_sso,
            force_2fa=force_2fa,
        )
        self.customers[customer.id] = customer
        return customer

    def add_user(
        self,
        customer_id: str | None = None,
        *,
        username: str | None = None,
        password: str = DEMO_PASSWORD,
        role: str = "user",
        otp: str | None = None,
        name: str = "",
        locked: bool = False,
        limit_services: bool = False,
        created_at: datetime | float | None = None,
    ) -> FakeUser:
        """Add a user (default: of the seeded customer, a fresh login, the demo password).

        ``role`` is ``user``, ``billing``, ``engineer`` or ``superuser``. With ``otp`` set, logins
        also need a matching ``Fastly-OTP`` header; a ``locked`` user cannot log in. Logins are
        unique across the fake.
        """
        customer_id = customer_id or self.seeded().customer.id
        username = username or f"user-{new_id()[:8].lower()}@example.com"
        if customer_id not in self.customers:
            raise KeyError(f"no customer {customer_id!r}")
        if username in self._by_username:
            raise ValueError(f"username {username!r} is taken")
        if role not in USER_ROLES:
            raise ValueError(f"role must be one of {USER_ROLES}, not {role!r}")
        created = as_datetime(created_at) or self.now()
        user = FakeUser(
            id=new_id(),
            customer_id=customer_id,
            username=username,
            password=password,
            role=role,
            otp=otp,
            name=name or username.partition("@")[0],
            locked=locked,
            limit_services=limit_services,
            created_at=created,
            updated_at=created,
        )
        self.users[user.id] = user
        self._by_username[username] = user
        return user

    def _register(self, token: FakeToken) -> FakeToken:
        if token.access_token in self._by_secret:
            raise ValueError("access_token is already in use")
        if token.id in self.tokens:
            raise ValueError(f"token id {token.id!r} is already in use")
        self.tokens[token.id] = token
        self._by_secret[token.access_token] = token
        return token

    def add_token(
        self,
        user: FakeUser | None = None,
        *,
        name: str = "",
        scope: str | Iterable[str] = "global",
        services: Iterable[str] = (),
        expires_at: datetime | float | None = None,
        created_at: datetime | float | None = None,
        last_used_at: datetime | float | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        access_token: str | None = None,
        token_id: str | None = None,
    ) -> FakeToken:
        """Add a token for ``user`` (default: the seeded user), bypassing the API's checks.

        Times are aware datetimes or epoch seconds; ``scope`` is a space-separated string or
        several scopes; the id and the secret are made up unless given.
        """
        user = user or self.seeded().user
        created = as_datetime(created_at) or self.now()
        return self._register(
            FakeToken(
                id=token_id or new_id(),
                access_token=access_token or new_secret(),
                user_id=user.id,
                customer_id=user.customer_id,
                name=name,
                scopes=_scopes(scope),
                services=tuple(services),
                created_at=created,
                updated_at=created,
                expires_at=as_datetime(expires_at),
                last_used_at=as_datetime(last_used_at),
                ip=ip,
                user_agent=user_agent,
            )
        )

    def add_automation_token(
        self,
        customer_id: str | None = None,
        *,
        name: str = "",
        role: str = "engineer",
        roles: Iterable[str] = (),
        scope: str | Iterable[str] = "global",
        services: Iterable[str] = (),
        tls_access: bool = False,
        creator: FakeUser | None = None,
        expires_at: datetime | float | None = None,
        created_at: datetime | float | None = None,
        last_used_at: datetime | float | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        access_token: str | None = None,
    ) -> FakeAutomationToken:
        """Add an automation token (default: of the seeded customer, made by its superuser).

        Any ``role`` or ``roles`` is kept as given, unknown ones included; ``services`` limits
        it to those services (empty: all of them).
        """
        if customer_id is None:
            customer_id = self.seeded().customer.id
            creator = creator or self.seeded().superuser
        if customer_id not in self.customers:
            raise KeyError(f"no customer {customer_id!r}")
        created = as_datetime(created_at) or self.now()
        token = FakeAutomationToken(
            id=new_id(),
            access_token=access_token or new_secret(),
            # No user has this id: GET /user/{user_id} answers 404 for it, as Fastly does.
            user_id=new_id(),
            customer_id=customer_id,
            name=name,
            scopes=_scopes(scope),
            services=tuple(services),
            created_at=created,
            updated_at=created,
            expires_at=as_datetime(expires_at),
            last_used_at=as_datetime(last_used_at),
            ip=ip,
            user_agent=user_agent,
            role=role,
            roles=tuple(roles),
            tls_access=tls_access,
            creator_id=None if creator is None else creator.id,
        )
        self._register(token)
        return token

    def find_by_secret(self, key: str | None) -> FakeToken | None:
        """Return the live token whose secret is ``key``, without touching it."""
        token = self._by_secret.get(key or "")
        return None if token is None or token.revoked else token

    def user_by_login(self, username: str) -> FakeUser | None:
        """Return the user with this login, if any."""
        return self._by_username.get(username)

    def owner(self, token: FakeToken) -> FakeUser | None:
        """Return the user a token belongs to; None for an automation token."""
        return self.users.get(token.user_id)

    def user_of(self, token: FakeToken) -> FakeUser:
        """Return the user a user token belongs to (KeyError for an automation token)."""
        return self.users[token.user_id]

    def is_superuser(self, token: FakeToken) -> bool:
        """Whether the token acts for a superuser (automation tokens never do)."""
        owner = self.owner(token)
        return owner is not None and owner.superuser

    # -- authentication and the write budget --------------------------------------

    def authenticate(self, key: str | None, *, ip: str | None, user_agent: str | None) -> FakeToken:
        """Resolve ``Fastly-Key``; 401 if missing, unknown, revoked or expired.

        Success records the use on the token (and the owner's ``last_active_at``), as
        Fastly does. A locked owner's token is refused only when ``locked_tokens_work`` is off.
        """
        token = self.find_by_secret(key)
        if token is None:
            raise ApiError.msg(401, MSG_BAD_CREDENTIALS)
        if token.expired(self.clock()):
            raise ApiError.msg(401, f"Token {token.id} expired at {wire_time(token.expires_at)}")
        owner = self.owner(token)
        if owner is not None and owner.locked and not self.behaviour.locked_tokens_work:
            raise ApiError.msg(401, MSG_ACCOUNT_LOCKED)
        now = self.now()
        token.last_used_at = now
        token.ip = ip
        token.user_agent = user_agent
        if owner is not None:
            owner.last_active_at = now
        return token

    def budget_id(self, token: FakeToken) -> str:
        """Whose write budget a token spends: its user's, shared by their tokens.

        An automation token has its own (``automation_own_budget``) or its creator's.
        """
        if isinstance(token, FakeAutomationToken) and not self.behaviour.automation_own_budget:
            return token.creator_id or token.user_id
        return token.user_id

    def spend(self, budget_id: str) -> Budget:
        """Charge one non-GET request; 429 (still with a budget) if spent."""
        return self.limiter.consume(budget_id, self.clock())

    @staticmethod
    def check_writable(token: FakeToken) -> None:
        """403 for a read-only (``global:read``) token on a write."""
        if token.read_only:
            raise ApiError.msg(403, MSG_READ_ONLY)

    @staticmethod
    def rate_limited() -> ApiError:
        """Build the 429 Fastly sends when the hourly budget is gone."""
        return ApiError.msg(429, MSG_RATE_LIMITED)

    # -- reading and revoking ------------------------------------------------------

    def lookup(self, caller: FakeToken, token_id: str) -> FakeToken:
        """Return a token the caller may see: own, or same customer for a superuser.

        404 if it does not exist, is revoked or is another customer's (no leak across
        accounts); 403 if it is a colleague's and the caller is not a superuser.
        """
        token = self.tokens.get(token_id)
        if token is None or token.revoked or token.customer_id != caller.customer_id:
            raise ApiError.not_found(token_id)
        if token.user_id != caller.user_id and not self.is_superuser(caller):
            raise ApiError.msg(403, MSG_FORBIDDEN_TOKEN)
        return token

    def revoke(self, token: FakeToken) -> None:
        """Revoke a token: its secret stops working and it leaves every listing."""
        if token.revoked_at is None:
            token.revoked_at = self.now()
            token.updated_at = token.revoked_at

    def destroy(self, caller: FakeToken | None, token: FakeToken, *, ip: str | None) -> None:
        """Revoke a token through the API: revoke it and log ``token.destroy``."""
        if token.revoked:
            return
        self.revoke(token)
        self.events.token_event("token.destroy", caller, token, self.owner_id(caller), ip=ip)

    def owner_id(self, token: FakeToken | None) -> str | None:
        """Return the user id an event by ``token`` names (an automation token's is its own)."""
        return None if token is None else token.user_id

    def live_tokens(
        self, *, user_id: str | None = None, customer_id: str | None = None
    ) -> list[FakeToken]:
        """Return unrevoked tokens, in creation order, filtered by user and/or customer."""
        return [
            t
            for t in self.tokens.values()
            if not t.revoked
            and (user_id is None or t.user_id == user_id)
            and (customer_id is None or t.customer_id == customer_id)
        ]

    def customer_tokens(self, caller: FakeToken, customer_id: str) -> list[FakeToken]:
        """Return the live user tokens of a customer, for that customer's superusers only.

        Automation tokens are not listed here (undocumented; the facts file's decision).
        """
        if caller.customer_id != customer_id or not self.is_superuser(caller):
            raise ApiError.msg(403, MSG_FORBIDDEN_CUSTOMER)
        return [t for t in self.live_tokens(customer_id=customer_id) if t.kind == "user"]

    def bulk_revoke(
        self, caller: FakeToken, token_ids: list[str], *, partial: bool, ip: str | None
    ) -> None:
        """Revoke a batch: all or nothing, or (``partial``) whatever the caller may.

        All-or-nothing fails with the error of the first id in the batch that fails. An
        automation token counts as unknown (404) unless ``bulk_revokes_automation``.
        """
        allowed: list[FakeToken] = []
        for token_id in dict.fromkeys(token_ids):
            try:
                token = self.lookup(caller, token_id)
                if token.kind == "automation" and not self.behaviour.bulk_revokes_automation:
                    raise ApiError.not_found(token_id)
                allowed.append(token)
            except ApiError:
                if not partial:
                    raise
        for token in allowed:
            self.destroy(caller, token, ip=ip)


def _scopes(scope: str | Iterable[str]) -> tuple[str, ...]:
    return tuple(scope.split()) if isinstance(scope, str) else tuple(scope)
