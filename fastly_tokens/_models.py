"""The attrs classes that Fastly's token JSON is structured into.

Models are tolerant readers: Fastly sends nulls the spec does not promise and fields it does not
list, so every field but ``id`` is optional. Collections are tuples and frozensets, timestamps
aware UTC datetimes, and ``scope`` the set of scopes parsed from Fastly's space-joined string.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import attrs

__all__ = ["CreatedToken", "Scope", "ScopeSet", "Token", "as_scope"]


class Scope(enum.StrEnum):
    """The four scopes Fastly documents for user tokens.

    A scope Fastly sends that is not one of these is kept as a plain ``str`` rather than
    failing, so ``"global" in token.scope`` works for both.
    """

    GLOBAL = "global"
    """Everything the user can do."""
    PURGE_SELECT = "purge_select"
    """Purges by URL or surrogate key only."""
    PURGE_ALL = "purge_all"
    """Purging a whole service."""
    GLOBAL_READ = "global:read"
    """Read-only access to the account, its configuration and its stats."""


_SCOPES_BY_NAME = {scope.value: scope for scope in Scope}


def as_scope(name: str) -> Scope | str:
    """Return the :class:`Scope` called ``name``, or ``name`` itself if Fastly documents none."""
    return _SCOPES_BY_NAME.get(name, name)


ScopeSet = frozenset[Scope | str]
"""The type of :attr:`Token.scope`: known scopes as :class:`Scope`, unknown ones as ``str``."""


@attrs.frozen(kw_only=True)
class Token:
    """One API token as Fastly describes it (never its secret).

    Fields Fastly leaves out, or sends as null, are ``None`` (empty for collections).
    """

    id: str
    user_id: str | None = None
    customer_id: str | None = None
    name: str | None = None
    scope: ScopeSet = frozenset()
    """The scopes, parsed from Fastly's space-joined ``scope`` string."""
    scopes: tuple[str, ...] | None = None
    """The array form of ``scope`` that GET responses also carry, as sent."""
    services: tuple[str, ...] = ()
    """Service ids the token is limited to; empty means every service."""
    service_id: str | None = None
    """The legacy single-service field; usually null."""
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    """When the token was last used; ``None`` when it never was."""
    expires_at: datetime | None = None
    """When the token stops working; ``None`` when it never expires."""
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    ip: str | None = None
    """The address of the client that last used the token."""
    user_agent: str | None = None
    """The User-Agent of the client that last used the token."""
    sudo_expires_at: datetime | None = None

    def is_expired(self, now: datetime | None = None) -> bool:
        """Whether ``expires_at`` has passed at ``now`` (default: the current time)."""
        if self.expires_at is None:
            return False
        return self.expires_at <= (now or datetime.now(UTC))


@attrs.frozen(kw_only=True)
class CreatedToken(Token):
    """A token just created, with its secret, which Fastly shows this once and never again."""

    access_token: str = attrs.field(repr=False)
    """The secret to send as ``Fastly-Key``. Kept out of ``repr``; store it somewhere safe."""
