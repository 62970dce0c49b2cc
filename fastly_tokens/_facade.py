"""What the hygiene tools (inventory, rotation, the leaked-secret response) need of a client.

A Protocol over its resources, so those modules import no client (which imports them): no
import circle, type-only ones included. ``FastlyAsync`` is one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from ._automation import AutomationTokensAPI
from ._events import EventsAPI
from ._retry import RetryPolicy
from ._tokens import TokensAPI
from ._users import UsersAPI

__all__ = ["ClientLike"]


class ClientLike(Protocol):
    """A client: its resources, its endpoint, and a twin for another key."""

    tokens: TokensAPI
    _clock: Callable[[], float]
    """The client's clock (epoch seconds): injected in tests."""
    automation_tokens: AutomationTokensAPI
    users: UsersAPI
    events: EventsAPI

    @property
    def base_url(self) -> str:
        """The API root."""
        ...

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy."""
        ...

    def _sleep(self, seconds: float) -> Awaitable[None]:
        """Sleep with the client's sleep (injected in tests), cut short when it closes."""
        ...

    def with_key(self, token: str) -> AbstractAsyncContextManager[ClientLike]:
        """Make a client like this one (endpoint, timeouts, policy) that sends another key."""
        ...
