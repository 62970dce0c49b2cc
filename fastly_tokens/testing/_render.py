"""How records look on the wire: each endpoint's own shape, nulls and drift included.

The shapes are the recorded ones (``fastly-tokens-api.md`` section 2,
``fastly-account-api.md`` sections 1-4): user-token bodies differ between GET and create;
automation-token bodies drift between create (empty strings), get (nulls, ``access_token:
""``) and list items (``scopes`` as a space-joined string, ``creator_id``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ._events import FakeEvent
from ._records import FakeAutomationToken, FakeToken, FakeUser, wire_time

_ROLE_NAMES = {
    "engineer": "Engineer",
    "billing": "Billing",
    "user": "User",
    "tls_admin": "TLS Admin",
    "tls_viewer": "TLS Viewer",
}


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
    """Render a new token as POST /tokens does: exactly the recorded keys, secret once."""
    return {
        "id": token.id,
        "name": token.name,
        "user_id": token.user_id,
        "customer_id": token.customer_id,
        "service_id": token.service_id,
        "expires_at": wire_time(token.expires_at),
        "created_at": wire_time(token.created_at),
        "updated_at": wire_time(token.updated_at),
        "scope": token.scope,
        "services": list(token.services),
        "access_token": token.access_token,
    }


def sudo_body(expires: datetime) -> dict[str, str]:
    """Render POST /sudo's answer: ``expiry_time`` with ``+00:00``, not ``Z``."""
    return {"expiry_time": expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")}


def _with_roles(body: dict[str, Any], token: FakeAutomationToken) -> dict[str, Any]:
    if len(token.roles) > 1:
        body["roles"] = [{"id": r, "name": _ROLE_NAMES.get(r, r)} for r in token.roles]
    return body


def automation_created_body(
    token: FakeAutomationToken, requested_services: list[str]
) -> dict[str, Any]:
    """Render POST /automation-tokens' answer: empty strings for what is not yet known.

    ``services`` echoes the request, even when ``limit_services`` was off and the token
    got none (as recorded: the list then shows ``null`` for that token).
    """
    return _with_roles(
        {
            "id": token.id,
            "services": requested_services,
            "name": token.name,
            "role": token.role,
            "access_token": token.access_token,
            "scope": token.scope,
            "ip": token.ip or "",
            "created_at": wire_time(token.created_at),
            "last_used_at": wire_time(token.last_used_at) or "",
            "expires_at": wire_time(token.expires_at) or "",
            "user_agent": token.user_agent or "",
            "tls_access": token.tls_access,
            "customer_id": token.customer_id,
        },
        token,
    )


def automation_get_body(token: FakeAutomationToken) -> dict[str, Any]:
    """Render GET /automation-tokens/{id}: nulls, ``services: null`` when unlimited."""
    return _with_roles(
        {
            "id": token.id,
            "services": list(token.services) or None,
            "name": token.name,
            "role": token.role,
            "access_token": "",
            "scope": token.scope,
            "ip": token.ip,
            "created_at": wire_time(token.created_at),
            "last_used_at": wire_time(token.last_used_at),
            "expires_at": wire_time(token.expires_at),
            "user_agent": token.user_agent,
        },
        token,
    )


def automation_list_item(token: FakeAutomationToken) -> dict[str, Any]:
    """Render one item of GET /automation-tokens: ``scopes`` as a string, ``creator_id``."""
    return _with_roles(
        {
            "id": token.id,
            "creator_id": token.creator_id,
            "customer_id": token.customer_id,
            "name": token.name,
            "access_token": "",
            "role": token.role,
            "ip": token.ip,
            "user_agent": token.user_agent,
            "scopes": token.scope,
            "services": list(token.services),
            "service_id": token.service_id,
            "sudo_expires_at": wire_time(token.sudo_expires_at),
            "last_used_at": wire_time(token.last_used_at),
            "created_at": wire_time(token.created_at),
            "expires_at": wire_time(token.expires_at),
            "tls_access": token.tls_access,
        },
        token,
    )


def page_meta(page: int, per_page: int, record_count: int, total_pages: int) -> dict[str, int]:
    """Render the ``meta`` of a paged answer, with the recorded key order."""
    return {
        "per_page": per_page,
        "current_page": page,
        "record_count": record_count,
        "total_pages": total_pages,
    }


def user_body(user: FakeUser) -> dict[str, Any]:
    """Render a user as the users endpoints do."""
    return {
        "id": user.id,
        "login": user.login,
        "name": user.name,
        "role": user.role,
        "locked": user.locked,
        "two_factor_auth_enabled": user.two_factor,
        "limit_services": user.limit_services,
        "customer_id": user.customer_id,
        "created_at": wire_time(user.created_at),
        "updated_at": wire_time(user.updated_at),
        "deleted_at": wire_time(user.deleted_at),
        "last_active_at": wire_time(user.last_active_at),
    }


def event_resource(event: FakeEvent) -> dict[str, Any]:
    """Render an event as a JSON:API resource object."""
    return {
        "id": event.id,
        "type": "event",
        "attributes": {
            "admin": event.admin,
            "created_at": wire_time(event.created_at),
            "customer_id": event.customer_id,
            "description": event.description,
            "event_type": event.event_type,
            "ip": event.ip,
            "metadata": dict(event.metadata),
            "service_id": event.service_id,
            "user_id": event.user_id,
            "token_id": event.token_id,
        },
    }
