"""`UsersAPI`: who owns a token. The users of a customer, the current one, one by id.

All reads (free). A token's ``user_id`` is joined to its owner through these; an automation
token's ``user_id`` resolves to no user (404).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from ._ids import check_id
from ._resource import Caller

__all__ = ["User", "UsersAPI"]


@attrs.frozen(kw_only=True)
class User:
    """A login of a customer, as Fastly describes it (never its password)."""

    id: str
    login: str | None = None
    """The e-mail address the user logs in with."""
    name: str | None = None
    role: str | None = None
    """``user``, ``billing``, ``engineer``, ``superuser``, or a role Fastly adds."""
    locked: bool | None = None
    two_factor_auth_enabled: bool | None = None
    limit_services: bool | None = None
    customer_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    last_active_at: datetime | None = None

    @property
    def is_superuser(self) -> bool:
        """Whether the user may see and manage every token of the customer."""
        return self.role == "superuser"


class UsersAPI:
    """The user endpoints of one client; reach it as ``client.users``."""

    def __init__(self, client: Caller) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<UsersAPI of {self._client!r}>"

    async def get_current_user(self) -> User:
        """Get the user the key belongs to (``GET /current_user``)."""
        return await self._client._call("GET", "/current_user", User)

    async def get_user(self, user_id: str) -> User:
        """Get one user by id (``GET /user/{user_id}``)."""
        return await self._client._call("GET", f"/user/{check_id(user_id, 'user_id')}", User)

    async def list_customer_users(self, customer_id: str) -> list[User]:
        """List every user of a customer (``GET /customer/{customer_id}/users``; no paging)."""
        path = f"/customer/{check_id(customer_id, 'customer_id')}/users"
        return await self._client._call("GET", path, list[User])
