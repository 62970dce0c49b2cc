"""The test-facing half of ``FakeFastly``: add records, look at them, change them directly.

A mixin over the store, so the facade (``_server.py``) keeps only configuration and
serving. Every helper takes the store's lock: tests may call them while the fake serves
from another thread. The ``add_*`` helpers are the store's own methods, served under the lock
by :class:`_UnderLock` with the store's signatures (one definition, typed for mypy).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

from ._budget import RateLimiter
from ._events import FakeEvent
from ._log import RecordedRequest
from ._records import FakeAutomationToken, FakeToken, FakeUser
from ._state import Store
from ._world import SeededWorld

P = ParamSpec("P")
R = TypeVar("R")


def _user_id(user: FakeUser | str) -> str:
    return user if isinstance(user, str) else user.id


class _HasStore(Protocol):
    @property
    def store(self) -> Store: ...


class _UnderLock(Generic[P, R]):
    """A :class:`Store` method served on the facade under the store's lock, signature and all."""

    def __init__(self, method: Callable[Concatenate[Store, P], R]) -> None:
        self._method = method
        signature = inspect.signature(method)
        self._signature = signature.replace(parameters=list(signature.parameters.values())[1:])
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> _UnderLock[P, R]: ...
    @overload
    def __get__(self, obj: _HasStore, owner: type[Any]) -> Callable[P, R]: ...
    def __get__(self, obj: _HasStore | None, owner: type[Any]) -> _UnderLock[P, R] | Callable[P, R]:
        if obj is None:
            return self
        store, method = obj.store, self._method

        @functools.wraps(method)
        def locked(*args: P.args, **kwargs: P.kwargs) -> R:
            with store.lock:
                return method(store, *args, **kwargs)

        locked.__signature__ = self._signature  # type: ignore[attr-defined]  # read by inspect/help
        return locked


class FakeHelpers:
    """Helpers to build and inspect the fake's world (mixed into ``FakeFastly``)."""

    store: Store
    limiter: RateLimiter
    clock: Callable[[], float]
    requests: list[RecordedRequest]
    world: SeededWorld

    # -- adding state: the store's own methods, under its lock ------------------------

    add_customer = _UnderLock(Store.add_customer)
    add_user = _UnderLock(Store.add_user)
    add_token = _UnderLock(Store.add_token)
    add_automation_token = _UnderLock(Store.add_automation_token)
    user_by_login = _UnderLock(Store.user_by_login)

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
        wanted = customer_id or self.world.customer.id
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
