"""`AutomationTokensAPI`: the tokens that services, CI and operators run on.

Automation tokens belong to the account, not a person. They are listed in pages (``page``,
``per_page``, ``meta.total_pages``; no ``Link`` header), so the whole listing is read here: the
first page, then the rest concurrently within the client's bound. They are revoked through
``DELETE /tokens/{id}``, the path that works (``DELETE /automation-tokens/{id}`` is documented but
reported not to). Creating one needs a superuser in sudo mode; the checks that can be made with a
free read are made before any write is spent.
"""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import TypeVar

from ._call import CallRecord
from ._errors import (
    LoginEnforcedError,
    NotFoundError,
    NotSuperuserError,
    PermissionDeniedError,
    SudoRequiredError,
)
from ._ids import check_id
from ._models import AutomationToken, CreatedAutomationToken, Scope
from ._paging import Page, pages
from ._resource import Caller
from ._secrets import MaskedHeaders, Secret, check_secret
from ._users import User
from ._wire import format_time, scope_string, unique_ids

__all__ = ["AutomationTokensAPI"]

PER_PAGE = 100
"""Items asked for per page (Fastly's maximum)."""

_T = TypeVar("_T")
_NONE = type(None)
_ENFORCED_WORDS = ("single sign", "sso", "two-factor", "2fa", "mfa", "multi-factor")


def _refusal(error: PermissionDeniedError) -> PermissionDeniedError:
    """Type a create's 403 by what Fastly said (INFERRED: its words are not recorded)."""
    said = f"{error.msg} {error.detail}".lower()
    kwargs = {k: getattr(error, k) for k in ("status", "method", "path", "msg", "detail")}
    kwargs |= {"text": error.text, "remaining": error.remaining, "reset_at": error.reset_at}
    if any(word in said for word in _ENFORCED_WORDS):
        return LoginEnforcedError(**kwargs)
    if "superuser" in said:
        return NotSuperuserError(**kwargs)
    return error


class AutomationTokensAPI:
    """The automation-token endpoints of one client; reach it as ``client.automation_tokens``."""

    def __init__(self, client: Caller) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<AutomationTokensAPI of {self._client!r}>"

    async def _page(
        self, path: str, model: type[_T], number: int, *, record: CallRecord | None = None
    ) -> Page[_T]:
        query = f"{path}?page={number}&per_page={PER_PAGE}"
        page_of: type[Page[_T]] = Page[model]  # type: ignore[valid-type]  # built at run time
        own = CallRecord()  # one per page: pages are read at once, and each reads its body in
        try:
            return await self._client._call("GET", query, page_of, record=own)
        finally:
            if record is not None:
                record.add(own)

    async def iter_automation_tokens(
        self, *, record: CallRecord | None = None
    ) -> AsyncIterator[AutomationToken]:
        """Yield every automation token of the caller's customer, page after page.

        After the first page the rest are fetched at once, within the client's bound, and
        yielded in order as they arrive: an account with thousands starts yielding at once.
        ``record``, when given, counts the requests spent.
        """
        fetch = functools.partial(self._page, "/automation-tokens", AutomationToken, record=record)
        async for items in pages(fetch, window=self._client.max_concurrency):
            for token in items:
                yield token

    async def list_automation_tokens(self) -> list[AutomationToken]:
        """List every automation token of the caller's customer (every page)."""
        return [token async for token in self.iter_automation_tokens()]

    async def get_automation_token(self, token_id: str) -> AutomationToken:
        """Get one automation token (``GET /automation-tokens/{id}``)."""
        path = f"/automation-tokens/{check_id(token_id, 'token_id')}"
        return await self._client._call("GET", path, AutomationToken)

    async def list_automation_token_services(self, token_id: str) -> list[str]:
        """List the service ids a token is limited to (every page; empty: all services)."""
        path = f"/automation-tokens/{check_id(token_id, 'token_id')}/services"
        fetch = functools.partial(self._page, path, str)
        found: list[str] = []
        async for items in pages(fetch, window=self._client.max_concurrency):
            found.extend(items)
        return found

    async def revoke_automation_token(self, token_id: str) -> None:
        """Revoke one automation token, through ``DELETE /tokens/{id}`` (the path that works).

        As with :meth:`TokensAPI.revoke_token`, a 404 raises :class:`NotFoundError`, with
        ``maybe_applied`` when an earlier attempt was lost after it may have reached Fastly.
        """
        path = f"/tokens/{check_id(token_id, 'token_id')}"
        await self._client._call("DELETE", path, _NONE, expect=(204, 200))

    async def create_automation_token(
        self,
        *,
        name: str,
        password: str,
        username: str | None = None,
        role: str | None = None,
        roles: Iterable[str] = (),
        services: Iterable[str] = (),
        scope: Scope | str | Iterable[Scope | str] | None = None,
        expires_at: datetime | None = None,
        tls_access: bool | None = None,
        otp: str | None = None,
    ) -> CreatedAutomationToken:
        """Create an automation token and return it with its secret, shown only this once.

        The caller must be a superuser of the customer: that is checked first with a free read
        (``GET /current_user``), so a refusal costs no write. Then the client enters sudo mode
        with ``password`` (reused while its window is open) and sends ``POST /automation-tokens``.
        ``role`` (``engineer``, ``billing``, ``user``) or ``roles`` (role ids, preferred when
        given); ``services`` limits the token to those services (``limit_services`` is sent
        with them: services without it would make an all-services token); ``scope`` as for user
        tokens; ``expires_at`` timezone-aware (none: never expires); ``tls_access`` for
        single-role tokens. Never retried after it may have reached Fastly (a replay would mint
        a second credential). Errors: :class:`NotSuperuserError`, :class:`SudoRequiredError`,
        :class:`LoginEnforcedError` (an account that enforces SSO or two-factor login).
        """
        if not name:
            raise ValueError("name is required to create an automation token")
        if not password:
            raise ValueError("password is required: creating an automation token needs sudo")
        login = Secret(password)
        del password
        code = None if otp is None else Secret(check_secret(otp, "otp"))
        del otp
        body = _create_body(
            name=name,
            role=role,
            roles=list(roles),
            services=unique_ids(services, "services"),
            scope=None if scope is None else scope_string(scope),
            expires_at=expires_at,
            tls_access=tls_access,
        )
        await self._check_superuser()
        call = functools.partial(
            self._client._call,
            "POST",
            "/automation-tokens",
            CreatedAutomationToken,
            data=body,
            headers=MaskedHeaders({"Content-Type": "application/json"}),
            secrets=(login,) if code is None else (login, code),
            secret_body=True,
            expect=(200, 201),
        )
        await self._client._ensure_sudo(login, username=username, otp=code)
        try:
            return await call()
        except SudoRequiredError:
            self._client._sudo.close()  # closed early at Fastly: the 403 created nothing
        except PermissionDeniedError as exc:
            raise _refusal(exc) from None
        await self._client._ensure_sudo(login, username=username, otp=code)
        try:
            return await call()
        except SudoRequiredError:
            raise
        except PermissionDeniedError as exc:
            raise _refusal(exc) from None

    async def _check_superuser(self) -> None:
        try:
            user = await self._client._call("GET", "/current_user", User)
        except NotFoundError:
            return  # the key is not a person's (an automation token): let Fastly decide
        if not user.is_superuser:
            raise NotSuperuserError(
                status=403,
                method="POST",
                path="/automation-tokens",
                msg=f"only a superuser may create automation tokens; this key's user is a "
                f"{user.role or 'user without a role'} (nothing was sent)",
            )


def _create_body(
    *,
    name: str,
    role: str | None,
    roles: list[str],
    services: list[str],
    scope: str | None,
    expires_at: datetime | None,
    tls_access: bool | None,
) -> bytes:
    """Encode the flat JSON body of ``POST /automation-tokens``."""
    body: dict[str, object] = {"name": name}
    if roles:
        body["roles"] = roles
    elif role is not None:
        body["role"] = role
    if services:
        body["services"] = services
        body["limit_services"] = True
    if scope is not None:
        body["scope"] = scope
    if expires_at is not None:
        body["expires_at"] = format_time(expires_at, "expires_at")
    if tls_access is not None:
        body["tls_access"] = tls_access
    return json.dumps(body, separators=(",", ":")).encode()
