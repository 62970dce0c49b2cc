"""The fake's records: customers, users, user tokens and automation tokens.

Plain mutable attrs classes: tests change their fields freely (expiry, usage, scope, a
user's lock). How each looks on the wire is :mod:`._render`'s job.
"""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime

import attrs

_ALPHANUMERIC = string.ascii_letters + string.digits

KNOWN_SCOPES = frozenset({"global", "purge_select", "purge_all", "global:read"})
USER_ROLES = ("user", "billing", "engineer", "superuser")


_TO_ALPHANUMERIC = bytes(ord(_ALPHANUMERIC[b % len(_ALPHANUMERIC)]) for b in range(256))
"""Each random byte as a letter or digit (``byte % 62``: the first 8 a little likelier)."""


def new_id() -> str:
    """Return a random 22-character alphanumeric id, the shape of every Fastly id.

    Every revocation logs an event with a new id, so this is on the bulk endpoint's path: one
    read of the OS's randomness and one ``translate`` per id, not one ``secrets.choice`` per
    character (which made a bulk revocation of 100 ids cost milliseconds). An id need not be
    uniform, only unique: 22 of 62 characters leave no real chance of a repeat.
    """
    return secrets.token_bytes(22).translate(_TO_ALPHANUMERIC).decode("ascii")


def new_secret() -> str:
    """Return a random 32-character URL-safe secret, the shape of an ``access_token``."""
    return secrets.token_urlsafe(24)  # 24 bytes are 32 characters of the URL-safe alphabet


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
    """A Fastly customer (account): the boundary no token crosses.

    ``force_sso`` and ``force_2fa`` are the account's enforcement settings: such an account
    cannot create automation tokens through the API.
    """

    id: str
    name: str
    force_sso: bool = False
    force_2fa: bool = False


@attrs.define
class FakeUser:
    """A login of one customer; a superuser may see and revoke all of its tokens.

    ``username`` is the login (an e-mail); ``otp``, when set, is the one-time code the user's
    two-factor authentication expects; ``locked`` refuses the user's logins; ``deleted_at``
    marks a user who has left (no longer listed, though their tokens may live on).
    """

    id: str
    customer_id: str
    username: str
    password: str = attrs.field(repr=False)
    role: str = "user"
    otp: str | None = attrs.field(default=None, repr=False)
    name: str = ""
    locked: bool = False
    limit_services: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_active_at: datetime | None = None
    deleted_at: datetime | None = None

    @property
    def superuser(self) -> bool:
        """Whether the user's role is ``superuser``."""
        return self.role == "superuser"

    @superuser.setter
    def superuser(self, value: bool) -> None:
        if value:
            self.role = "superuser"
        elif self.role == "superuser":
            self.role = "user"

    @property
    def login(self) -> str:
        """The login, as ``GET /customer/{id}/users`` names it."""
        return self.username

    @property
    def two_factor(self) -> bool:
        """Whether two-factor authentication is on (``otp`` is set)."""
        return self.otp is not None


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
    revoked_at: datetime | None = None

    @property
    def kind(self) -> str:
        """``"user"`` for a user token, ``"automation"`` for an automation token."""
        return "user"

    @property
    def service_id(self) -> str | None:
        """The legacy single service: the last of ``services``, None when there are none.

        Every recorded token body agrees: null with no services, else one of them (the
        last of two in one recording).
        """
        return self.services[-1] if self.services else None

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

    def in_sudo(self, now: float) -> bool:
        """Whether the token's sudo window is open at epoch time ``now``."""
        return self.sudo_expires_at is not None and self.sudo_expires_at.timestamp() > now


@attrs.define
class FakeAutomationToken(FakeToken):
    """An automation token: owned by the customer, not a person; its ``user_id`` is no user's.

    ``role`` is the legacy single role; ``roles`` the role ids of a multi-role token (kept
    as given, unknown ones included); ``creator_id`` the superuser who made it.
    """

    role: str = "engineer"
    roles: tuple[str, ...] = ()
    tls_access: bool = False
    creator_id: str | None = None

    @property
    def kind(self) -> str:
        """``"automation"``."""
        return "automation"
