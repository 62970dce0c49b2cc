"""Automation tokens: the create body, and who may create, list, read and delete them.

Rules, recorded behaviour first (``fastly-account-api.md`` section 2):

- Create (``POST /automation-tokens``, flat JSON): a superuser's token, in sudo mode (403
  ``You must POST /sudo to access this endpoint``), of an account that enforces neither SSO
  nor two-factor (403 otherwise). 200, and NO rate-limit headers: the create is not charged
  to any budget (the answer carries no figures to say otherwise). ``services`` apply only with
  ``limit_services: true``; the answer echoes the requested ``services`` either way.
- List, get and services (``GET``): that customer's superusers; others get 403; a token of
  another customer, a user token's id or a revoked one is 404. Pages of ``per_page`` (default
  and maximum 100) by ``page``; ``meta`` and no links.
- ``DELETE /automation-tokens/{id}``: a write; with ``automation_delete_works`` off (the
  default, as reported) a 400 that revokes nothing; on, 200 with the token, as the spec says.
  ``DELETE /tokens/{id}`` (and the bulk delete) is the path that works.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._errors import (
    MSG_AUTOMATION_DELETE,
    MSG_BAD_REQUEST,
    MSG_ENFORCED_LOGIN,
    MSG_SUDO_REQUIRED,
    MSG_SUPERUSER_ONLY,
    ApiError,
)
from ._paging import Cut, cut, read_page
from ._parse import load_json, parse_expiry, parse_scopes, split_content_type
from ._records import FakeAutomationToken, FakeToken
from ._state import Store

LEGACY_ROLES = ("engineer", "billing", "user")
PER_PAGE = 100  # default and maximum (INFERRED: go-fastly asks for 100)


@attrs.frozen
class AutomationCreate:
    """A checked ``POST /automation-tokens`` body."""

    name: str
    role: str
    roles: tuple[str, ...]
    scope: str | None
    services: tuple[str, ...]
    limit_services: bool
    tls_access: bool
    expires_at: str | None


def _bad(detail: str) -> ApiError:
    return ApiError.msg(400, MSG_BAD_REQUEST, detail)


def _typed(document: Mapping[str, Any], name: str, kind: type, default: Any) -> Any:
    value = document.get(name)
    if value is None:
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _bad(f"'{name}' must be a {kind.__name__}")
    return value


def _strings(document: Mapping[str, Any], name: str) -> tuple[str, ...]:
    values = _typed(document, name, list, [])
    if not all(isinstance(v, str) and v for v in values):
        raise _bad(f"'{name}' must be an array of non-empty strings")
    return tuple(dict.fromkeys(values))


def parse_automation_create(body: bytes, content_type: str | None) -> AutomationCreate:
    """Read the flat JSON body; 415 for another media type, 400 for a bad field."""
    media, _ = split_content_type(content_type)
    if media != "application/json":
        raise ApiError.msg(415, "Unsupported Media Type", "Content-Type must be application/json")
    document = load_json(body)
    if not isinstance(document, dict):
        raise _bad("Body must be a JSON object")
    name = _typed(document, "name", str, "")
    if not name:
        raise _bad("'name' is required")
    roles = _strings(document, "roles")
    role = _typed(document, "role", str, None)
    if role is not None and role not in LEGACY_ROLES:
        raise _bad(f"'role' must be one of {', '.join(LEGACY_ROLES)}")
    services = _strings(document, "services")
    limit_services = _typed(document, "limit_services", bool, False)
    tls_access = _typed(document, "tls_access", bool, False)
    if limit_services and not services:
        raise _bad("'limit_services' needs at least one service in 'services'")
    if tls_access and len(roles) > 1:
        raise _bad("'tls_access' applies to single-role tokens only")
    return AutomationCreate(
        name=name,
        role=roles[0] if roles else role or "engineer",
        roles=roles,
        scope=_typed(document, "scope", str, None),
        services=services,
        limit_services=limit_services,
        tls_access=tls_access,
        expires_at=_typed(document, "expires_at", str, None),
    )


def _superuser(store: Store, caller: FakeToken) -> None:
    if not store.is_superuser(caller):
        raise ApiError.msg(403, MSG_SUPERUSER_ONLY)


def create(
    store: Store, caller: FakeToken, request: AutomationCreate, ip: str | None
) -> FakeAutomationToken:
    """Create an automation token for the caller's customer, after every check."""
    store.check_writable(caller)
    _superuser(store, caller)
    customer = store.customers[caller.customer_id]
    if customer.force_sso or customer.force_2fa:
        raise ApiError.msg(403, MSG_ENFORCED_LOGIN)
    if not caller.in_sudo(store.clock()):
        raise ApiError.msg(403, MSG_SUDO_REQUIRED)
    try:
        scopes = parse_scopes(request.scope)
    except ApiError:
        raise _bad("'scope' has an unknown scope") from None
    token = store.add_automation_token(
        caller.customer_id,
        name=request.name,
        role=request.role,
        roles=request.roles,
        scope=scopes,
        services=request.services if request.limit_services else (),
        tls_access=request.tls_access,
        creator=store.owner(caller),
        expires_at=parse_expiry(request.expires_at, store.clock()),
    )
    store.events.token_event("token.create", caller, token, caller.user_id, ip=ip)
    return token


def listing(store: Store, caller: FakeToken, query: Mapping[str, str]) -> Cut[FakeAutomationToken]:
    """Return one page of the customer's live automation tokens, in creation order."""
    _superuser(store, caller)
    page = read_page(query, "page", "per_page", PER_PAGE, PER_PAGE)
    customer_id = caller.customer_id
    # One pass over the store with the cheapest tests first: it runs for every page, and the
    # benchmarks page through 10,000 of them beside thousands of user tokens.
    tokens = [
        t
        for t in store.tokens.values()
        if isinstance(t, FakeAutomationToken)
        and t.revoked_at is None
        and t.customer_id == customer_id
    ]
    return cut(tokens, page)


def lookup(store: Store, caller: FakeToken, token_id: str) -> FakeAutomationToken:
    """Return a live automation token of the caller's customer; 403 for non-superusers, 404."""
    _superuser(store, caller)
    token = store.tokens.get(token_id)
    if (
        not isinstance(token, FakeAutomationToken)
        or token.revoked
        or token.customer_id != caller.customer_id
    ):
        raise ApiError.not_found(token_id)
    return token


def services(store: Store, caller: FakeToken, token_id: str, query: Mapping[str, str]) -> Cut[str]:
    """Return one page of an automation token's services (empty when it may use all of them)."""
    token = lookup(store, caller, token_id)
    return cut(list(token.services), read_page(query, "page", "per_page", PER_PAGE, PER_PAGE))


def delete(store: Store, caller: FakeToken, token_id: str, ip: str | None) -> FakeAutomationToken:
    """``DELETE /automation-tokens/{id}``: broken as reported unless switched on."""
    token = lookup(store, caller, token_id)
    if not store.behaviour.automation_delete_works:
        raise _bad(MSG_AUTOMATION_DELETE)
    store.destroy(caller, token, ip=ip)
    return token
