"""The test-facing half of ``FakeFastly``: add records, look at them, change them directly.

A mixin over the store, so the facade (``_server.py``) keeps only configuration and
serving. Every helper takes the store's lock: tests may call them while the fake serves
from another thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from ._budget import RateLimiter
from ._events import FakeEvent
from ._log import RecordedRequest
from ._records import (
    FakeAutomationToken,
    FakeCustomer,
    FakeToken,
    FakeUser,
    new_id,
)
from ._seed import DEMO_PASSWORD
from ._state import Store


def _user_id(user: FakeUser | str) -> str:
    return user if isinstance(user, str) else user.id


class FakeHelpers:
    """Helpers to build and inspect the fake's world (mixed into ``FakeFastly``)."""

    store: Store
    limiter: RateLimiter
    clock: Callable[[], float]
    requests: list[RecordedRequest]
    customer_id: str
    user: FakeUser
    superuser: FakeUser

    # -- adding state ----------------------------------------------------------------

    def add_customer(
        self, name: str | None = None, *, force_sso: bool = False, force_2fa: bool = False
    ) -> FakeCustomer:
        """Add a customer (account); ``force_sso``/``force_2fa`` forbid API automation tokens."""
        with self.store.lock:
            return self.store.add_customer(name, force_sso=force_sso, force_2fa=force_2fa)

    def add_user(
        self,
        customer_id: str | None = None,
        *,
        superuser: bool = False,
        role: str | None = None,
        username: str | None = None,
        password: str | None = None,
        otp: str | None = None,
        name: str = "",
        locked: bool = False,
        limit_services: bool = False,
        created_at: datetime | float | None = None,
    ) -> FakeUser:
        """Add a user (default: to the seeded customer, with the demo password).

        ``role`` is ``user`` (default), ``billing``, ``engineer`` or ``superuser``
        (``superuser=True`` says the same). With ``otp`` set, logins also need a matching
        ``Fastly-OTP`` header; a ``locked`` user cannot log in.
        """
        with self.store.lock:
            return self.store.add_user(
                customer_id or self.customer_id,
                username=username or f"user-{new_id()[:8].lower()}@example.com",
                password=password or DEMO_PASSWORD,
                role=role or ("superuser" if superuser else "user"),
                otp=otp,
                name=name,
                locked=locked,
                limit_services=limit_services,
                created_at=created_at,
            )

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
    ) -> FakeToken:
        """Add a token for ``user`` (default: the seeded user); times are UTC or epoch."""
        with self.store.lock:
            return self.store.add_token(
                user or self.user,
                name=name,
                scope=scope,
                services=services,
                expires_at=expires_at,
                created_at=created_at,
                last_used_at=last_used_at,
                ip=ip,
                user_agent=user_agent,
                access_token=access_token,
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
        """Add an automation token (default: to the seeded customer, made by its superuser).

        Any ``role`` or ``roles`` is kept as given, unknown ones included; ``services`` limits
        it to those services (empty: all of them).
        """
        with self.store.lock:
            return self.store.add_automation_token(
                customer_id or self.customer_id,
                name=name,
                role=role,
                roles=roles,
                scope=scope,
                services=services,
                tls_access=tls_access,
                creator=creator or (self.superuser if customer_id is None else None),
                expires_at=expires_at,
                created_at=created_at,
                last_used_at=last_used_at,
                ip=ip,
                user_agent=user_agent,
                access_token=access_token,
            )

    # -- reading and changing state ------------------------------------------------------

    def token(self, token_id: str) -> FakeToken | None:
        """Return the token with this id, revoked or not (None if it never existed)."""
        with self.store.lock:
            return self.store.tokens.get(token_id)

    def tokens_of(self, user: FakeUser | str, *, include_revoked: bool = False) -> list[FakeToken]:
        """Return a user's tokens in creation order (live ones unless ``include_revoked``)."""
        user_id = _user_id(user)
        with self.store.lock:
            return [
                t
                for t in self.store.tokens.values()
                if t.user_id == user_id and (include_revoked or not t.revoked)
            ]

    def automation_tokens(
        self, customer_id: str | None = None, *, include_revoked: bool = False
    ) -> list[FakeAutomationToken]:
        """Return a customer's automation tokens (default: the seeded customer's)."""
        wanted = customer_id or self.customer_id
        with self.store.lock:
            return [
                t
                for t in self.store.tokens.values()
                if isinstance(t, FakeAutomationToken)
                and t.customer_id == wanted
                and (include_revoked or not t.revoked)
            ]

    def find_user(self, user_id: str) -> FakeUser | None:
        """Return the user with this id (None for an automation token's ``user_id``)."""
        with self.store.lock:
            return self.store.users.get(user_id)

    def user_by_login(self, login: str) -> FakeUser | None:
        """Return the user with this login (e-mail), if any."""
        with self.store.lock:
            return self.store.user_by_login(login)

    def is_revoked(self, token_id: str) -> bool:
        """Whether a token has been revoked; KeyError if it never existed."""
        with self.store.lock:
            return self.store.tokens[token_id].revoked

    def revoke(self, token_id: str) -> None:
        """Revoke a token behind the API's back (no audit event)."""
        with self.store.lock:
            self.store.revoke(self.store.tokens[token_id])

    def expire(self, token_id: str) -> None:
        """Make a token expire now (by the fake's clock)."""
        with self.store.lock:
            self.store.tokens[token_id].expires_at = self.store.now()

    def grant_sudo(self, token_id: str, seconds: float | None = None) -> datetime:
        """Open a token's sudo window directly (default: the fake's ``sudo_seconds``)."""
        with self.store.lock:
            length = self.store.behaviour.sudo_seconds if seconds is None else seconds
            expires = self.store.now() + timedelta(seconds=length)
            self.store.tokens[token_id].sudo_expires_at = expires
            return expires

    def in_sudo(self, token_id: str) -> bool:
        """Whether a token's sudo window is open now (by the fake's clock)."""
        with self.store.lock:
            return self.store.tokens[token_id].in_sudo(self.clock())

    @property
    def events(self) -> list[FakeEvent]:
        """Every audit event the fake has recorded, oldest first (a copy)."""
        with self.store.lock:
            return list(self.store.events.events)

    def events_of(
        self, event_type: str | None = None, *, token_id: str | None = None
    ) -> list[FakeEvent]:
        """Return events by type and/or acting token (``metadata`` holds the acted-on one)."""
        return [
            e
            for e in self.events
            if (event_type is None or e.event_type == event_type)
            and (token_id is None or e.token_id == token_id)
        ]

    def rate_limit_remaining(self, whose: FakeUser | FakeToken | str) -> int:
        """Return the writes left in the current window (spends nothing).

        Pass a user (or user id) for their shared budget, or a token for the budget its
        requests spend (an automation token's own, by default).
        """
        with self.store.lock:
            budget_id = (
                self.store.budget_id(whose) if isinstance(whose, FakeToken) else _user_id(whose)
            )
            return self.limiter.peek(budget_id, self.clock()).remaining

    def reset_rate_limits(self) -> None:
        """Give every user a full budget again."""
        with self.store.lock:
            self.limiter.clear()

    def reset_requests(self) -> None:
        """Forget the request log."""
        self.requests.clear()

    def requests_matching(
        self, method: str | None = None, path: str | None = None
    ) -> list[RecordedRequest]:
        """Return logged requests by method and/or path (a trailing ``*`` is a prefix)."""
        return [
            r
            for r in list(self.requests)
            if (method is None or r.method == method.upper())
            and (
                path is None
                or (r.path.startswith(path[:-1]) if path.endswith("*") else r.path == path)
            )
        ]
