"""The fake's records (customers, users, tokens) and how a token looks on the wire."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime

import attrs

_ALPHANUMERIC = string.ascii_letters + string.digits
_URL_SAFE = _ALPHANUMERIC + "-_"

KNOWN_SCOPES = frozenset({"global", "purge_select", "purge_all", "global:read"})


def new_id() -> str:
    """Return a random 22-character alphanumeric id, the shape of every Fastly id."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(22))


def new_secret() -> str:
    """Return a random 32-character URL-safe secret, the shape of an ``access_token``."""
    return "".join(secrets.choice(_URL_SAFE) for _ in range(32))


def as_datetime(value: datetime | float | None) -> datetime | None:
    """Accept an aware datetime, a naive one (taken as UTC) or epoch seconds."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.fromtimestamp(value, UTC)


def wire_time(value: datetime | None) -> str | None:
    """Format a timestamp as Fastly does: UTC, whole seconds, ``Z``."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@attrs.define
class FakeCustomer:
    """A Fastly customer (account): the boundary no token crosses."""

    id: str
    name: str


@attrs.define
class FakeUser:
    """A login of one customer; a superuser may see and revoke all of its tokens."""

    id: str
    customer_id: str
    username: str
    password: str = attrs.field(repr=False)
    superuser: bool = False
    otp: str | None = attrs.field(default=None, repr=False)


@attrs.define
class FakeToken:
    """A user API token; mutate its fields freely in tests (expiry, usage, scope)."""

    id: str
    access_token: str = attrs.field(repr=False)
    user_id: str
    customer_id: str
    name: str
    scopes: tuple[str, ...]
    services: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    ip: str | None = None
    user_agent: str | None = None
    sudo_expires_at: datetime | None = None
    service_id: str | None = None
    revoked_at: datetime | None = None

    @property
    def scope(self) -> str:
        """The scopes as Fastly sends them: one space-joined string."""
        return " ".join(self.scopes)

    @property
    def revoked(self) -> bool:
        """Whether the token has been revoked (it then authenticates nothing)."""
        return self.revoked_at is not None

    @property
    def read_only(self) -> bool:
        """Whether only ``global:read`` grants it API access (writes get a 403)."""
        return "global" not in self.scopes and "global:read" in self.scopes

    def expired(self, now: float) -> bool:
        """Whether the token has expired at epoch time ``now``."""
        return self.expires_at is not None and self.expires_at.timestamp() <= now
