"""The attrs classes that Fastly's token (and audit-log) JSON is structured into.

Models are tolerant readers: Fastly sends nulls the spec does not promise and fields it does not
list, so every field but ``id`` is optional. Collections are tuples and frozensets, timestamps
aware UTC datetimes, and ``scope`` the set of scopes parsed from Fastly's space-joined string.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import attrs

__all__ = [
    "AutomationRole",
    "AutomationToken",
    "CreatedAutomationToken",
    "CreatedToken",
    "Event",
    "Scope",
    "ScopeSet",
    "Token",
    "TokenKind",
    "as_scope",
]

TokenKind = Literal["user", "automation"]
"""A user token belongs to a person; an automation token to the account (services, CI)."""


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

    @property
    def kind(self) -> TokenKind:
        """``"user"`` for a user token; :class:`AutomationToken` says ``"automation"``."""
        return "user"

    def is_expired(self, now: datetime | None = None) -> bool:
        """Whether ``expires_at`` has passed at ``now`` (default: the current time)."""
        if self.expires_at is None:
            return False
        return self.expires_at <= (now or datetime.now(UTC))

    def __str__(self) -> str:
        """Say what the token is for people: ``repr`` stays the precise form."""
        scope = " ".join(sorted(self.scope)) or "no scope"
        where = f"{len(self.services)} services" if self.services else "every service"
        if len(self.services) == 1:
            where = f"service {self.services[0]}"
        expires = "never expires"
        if self.expires_at is not None:
            expires = f"expires {self.expires_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        return f"{self.kind} token {self.id} {self.name or ''!r}: {scope} on {where}, {expires}"


@attrs.frozen(kw_only=True)
class CreatedToken(Token):
    """A token just created, with its secret, which Fastly shows this once and never again."""

    access_token: str = attrs.field(repr=False)
    """The secret to send as ``Fastly-Key``. Kept out of ``repr``; store it somewhere safe."""


def _blank_is_none(value: str | None) -> str | None:
    """Automation-token answers send ``""`` where others send null (go-fastly #619)."""
    return value or None


@attrs.frozen
class AutomationRole:
    """One role of a multi-role automation token: its id and, when Fastly sends it, name."""

    id: str
    name: str | None = None


@attrs.frozen(kw_only=True)
class AutomationToken(Token):
    """An automation token: owned by the account, not a person (services, CI, operators).

    Read from every shape Fastly sends: ``scopes`` as a string or a list, ``services`` null or
    empty, ``""`` where other answers send null (``ip``, ``user_agent``, timestamps). Roles
    Fastly adds later are kept as they are. ``user_id`` resolves to no user.
    """

    creator_id: str | None = None
    """The user who created it."""
    role: str | None = None
    """The single (legacy) role: ``engineer``, ``billing``, ``user``, or one Fastly adds."""
    roles: tuple[AutomationRole, ...] = ()
    """The roles of a multi-role token."""
    tls_access: bool | None = None
    ip: str | None = attrs.field(default=None, converter=_blank_is_none)
    user_agent: str | None = attrs.field(default=None, converter=_blank_is_none)

    @property
    def kind(self) -> TokenKind:
        """Always ``"automation"``."""
        return "automation"

    @property
    def role_names(self) -> frozenset[str]:
        """Every role it has, by id: the single role and the multi-role ones."""
        return frozenset({*([self.role] if self.role else []), *(r.id for r in self.roles)})


@attrs.frozen(kw_only=True)
class CreatedAutomationToken(AutomationToken):
    """An automation token just created, with its secret, shown this once and never again."""

    access_token: str = attrs.field(repr=False, validator=attrs.validators.min_len(1))
    """The secret to send as ``Fastly-Key``. Kept out of ``repr``; store it somewhere safe."""


@attrs.frozen(kw_only=True)
class Event:
    """One entry of the audit log: what was done, by which user and token, when."""

    id: str
    event_type: str | None = None
    """Such as ``token.create``, ``token.destroy``, ``user.sudo``, ``user.login_failure``."""
    created_at: datetime | None = None
    description: str | None = None
    user_id: str | None = None
    token_id: str | None = None
    """The token that performed the action."""
    customer_id: str | None = None
    service_id: str | None = None
    ip: str | None = None
    admin: bool | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict)
