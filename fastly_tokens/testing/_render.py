"""How records look on the wire: each endpoint's own shape, nulls and drift included."""

from __future__ import annotations

from typing import Any

from ._records import FakeToken, wire_time


def token_body(token: FakeToken) -> dict[str, Any]:
    """Render a token as GET responses do: extra fields and nulls, no updated_at."""
    return {
        "id": token.id,
        "user_id": token.user_id,
        "customer_id": token.customer_id,
        "name": token.name,
        "scope": token.scope,
        "scopes": list(token.scopes),
        "services": list(token.services),
        "service_id": token.service_id,
        "created_at": wire_time(token.created_at),
        "last_used_at": wire_time(token.last_used_at),
        "expires_at": wire_time(token.expires_at),
        "ip": token.ip,
        "user_agent": token.user_agent,
        "sudo_expires_at": wire_time(token.sudo_expires_at),
    }


def created_body(token: FakeToken) -> dict[str, Any]:
    """Render a new token as POST /tokens does: with timestamps and the secret, once."""
    return {
        "id": token.id,
        "user_id": token.user_id,
        "customer_id": token.customer_id,
        "name": token.name,
        "scope": token.scope,
        "services": list(token.services),
        "service_id": token.service_id,
        "created_at": wire_time(token.created_at),
        "updated_at": wire_time(token.updated_at),
        "deleted_at": wire_time(token.revoked_at),
        "expires_at": wire_time(token.expires_at),
        "access_token": token.access_token,
    }
