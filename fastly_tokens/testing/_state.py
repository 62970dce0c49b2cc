"""The fake's world and every decision it makes: who is calling, what they may touch.

No I/O and no aiohttp: the handlers read the request, call one method here under
``lock``, and render what comes back or the :class:`ApiError` raised.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from ._budget import Budget, RateLimiter
from ._errors import (
    MSG_BAD_CREDENTIALS,
    MSG_FORBIDDEN_CUSTOMER,
    MSG_FORBIDDEN_TOKEN,
    MSG_RATE_LIMITED,
    MSG_READ_ONLY,
    ApiError,
)
from ._parse import CreateForm, parse_expiry, parse_scopes
from ._records import (
    FakeCustomer,
    FakeToken,
    FakeUser,
    as_datetime,
    new_id,
    new_secret,
    wire_time,
)


class Store:
    """Customers, users and tokens, plus the rules of the tokens API over them."""

    def __init__(self, clock: Callable[[], float], limiter: RateLimiter) -> None:
        self.clock = clock
        self.limiter = limiter
        # Re-entrant: the threaded fixture lets test code and handlers share the store.
        self.lock = threading.RLock()
        self.customers: dict[str, FakeCustomer] = {}
        self.users: dict[str, FakeUser] = {}
        self.tokens: dict[str, FakeToken] = {}
        self._by_secret: dict[str, FakeToken] = {}
        self._by_username: dict[str, FakeUser] = {}

    def now(self) -> datetime:
        """Return the injected clock's time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.clock(), UTC)

    # -- building the world -------------------------------------------------------

    def add_customer(self, name: str | None = None) -> FakeCustomer:
        """Create a customer (account)."""
        customer_id = new_id()
        customer = FakeCustomer(id=customer_id, name=name or f"Customer {customer_id[:6]}")
        self.customers[customer.id] = customer
        return customer

    def add_user(
        self,
        customer_id: str,
        *,
        username: str,
        password: str,
        superuser: bool = False,
        otp: str | None = None,
    ) -> FakeUser:
        """Create a user of ``customer_id``; usernames are unique across the fake."""
        if customer_id not in self.customers:
            raise KeyError(f"no customer {customer_id!r}")
        if username in self._by_username:
            raise ValueError(f"username {username!r} is taken")
        user = FakeUser(
            id=new_id(),
            customer_id=customer_id,
            username=username,
            password=password,
            superuser=superuser,
            otp=otp,
        )
        self.users[user.id] = user
        self._by_username[username] = user
        return user

    def add_token(
        self,
        user: FakeUser,
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
        """Create a token for ``user`` directly, bypassing the API's checks."""
        secret = access_token or new_secret()
        if secret in self._by_secret:
            raise ValueError("access_token is already in use")
        scopes = tuple(scope.split()) if isinstance(scope, str) else tuple(scope)
        created = as_datetime(created_at) or self.now()
        token = FakeToken(
            id=token_id or new_id(),
            access_token=secret,
            user_id=user.id,
            customer_id=user.customer_id,
            name=name,
            scopes=scopes,
            services=tuple(services),
            created_at=created,
            updated_at=created,
            expires_at=as_datetime(expires_at),
            last_used_at=as_datetime(last_used_at),
            ip=ip,
            user_agent=user_agent,
        )
        if token.id in self.tokens:
            raise ValueError(f"token id {token.id!r} is already in use")
        self.tokens[token.id] = token
        self._by_secret[secret] = token
        return token

    def find_by_secret(self, key: str | None) -> FakeToken | None:
        """Return the live token whose secret is ``key``, without touching it."""
        token = self._by_secret.get(key or "")
        return None if token is None or token.revoked else token

    def user_of(self, token: FakeToken) -> FakeUser:
        """Return the user a token belongs to."""
        return self.users[token.user_id]

    # -- authentication and the write budget --------------------------------------

    def authenticate(self, key: str | None, *, ip: str | None, user_agent: str | None) -> FakeToken:
        """Resolve ``Fastly-Key``; 401 if missing, unknown, revoked or expired.

        Success records the use on the token, as Fastly does.
        """
        token = self.find_by_secret(key)
        if token is None:
            raise ApiError.msg(401, MSG_BAD_CREDENTIALS)
        if token.expired(self.clock()):
            raise ApiError.msg(401, f"Token {token.id} expired at {wire_time(token.expires_at)}")
        token.last_used_at = self.now()
        token.ip = ip
        token.user_agent = user_agent
        return token

    @staticmethod
    def budget_id(token: FakeToken) -> str:
        """Whose write budget a token's requests spend: its user's, shared by their tokens."""
        return token.user_id

    def spend(self, user_id: str) -> Budget:
        """Charge one non-GET request to the user; 429 (still with a budget) if spent."""
        return self.limiter.consume(user_id, self.clock())

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
        if token.user_id != caller.user_id and not self.user_of(caller).superuser:
            raise ApiError.msg(403, MSG_FORBIDDEN_TOKEN)
        return token

    def revoke(self, token: FakeToken) -> None:
        """Revoke a token: its secret stops working and it leaves every listing."""
        if token.revoked_at is None:
            token.revoked_at = self.now()
            token.updated_at = token.revoked_at

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
        """All live tokens of a customer; only that customer's superusers may look."""
        if caller.customer_id != customer_id or not self.user_of(caller).superuser:
            raise ApiError.msg(403, MSG_FORBIDDEN_CUSTOMER)
        return self.live_tokens(customer_id=customer_id)

    def bulk_revoke(self, caller: FakeToken, token_ids: list[str], *, partial: bool) -> None:
        """Revoke a batch: all or nothing, or (``partial``) whatever the caller may.

        All-or-nothing fails with the error of the first id in the batch that fails.
        """
        allowed: list[FakeToken] = []
        for token_id in dict.fromkeys(token_ids):
            try:
                allowed.append(self.lookup(caller, token_id))
            except ApiError:
                if not partial:
                    raise
        for token in allowed:
            self.revoke(token)

    # -- creating ------------------------------------------------------------------

    def login(self, username: str, password: str, otp: str | None) -> FakeUser:
        """Check create's credentials: 400 ``invalid_grant``, then ``2fa.verify``."""
        user = self._by_username.get(username)
        if user is None or user.password != password:
            raise ApiError.code("invalid_grant")
        if user.otp is not None and otp != user.otp:
            raise ApiError.code("2fa.verify")
        return user

    def create(self, user: FakeUser, form: CreateForm) -> FakeToken:
        """Apply POST /tokens for a logged-in user: scope, then expiry, then the token."""
        scopes = parse_scopes(form.scope)
        expires_at = parse_expiry(form.expires_at, self.clock())
        return self.add_token(
            user, name=form.name or "", scope=scopes, services=form.services, expires_at=expires_at
        )
