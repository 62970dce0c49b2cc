"""`TokensAPI`: Fastly's eight token operations, named as the official SDKs name them.

Each method checks its inputs before anything is sent, picks the method and path, and turns
the answer into a model. Wire formats follow Fastly: form-encoded create, JSON:API bulk body.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import cattrs

from ._converter import converter
from ._errors import NotFoundError, ResponseValidationError
from ._ids import check_id
from ._models import CreatedToken, Scope, Token

if TYPE_CHECKING:
    from ._client import FastlyAsync, Response

__all__ = ["BULK_CONTENT_TYPE", "TokensAPI"]

BULK_CONTENT_TYPE = "application/vnd.api+json; ext=bulk"
"""The JSON:API bulk extension's media type, which ``DELETE /tokens`` requires."""

_logger = logging.getLogger("fastly_tokens")
_T = TypeVar("_T")


def _scope_string(scope: Scope | str | Iterable[Scope | str]) -> str:
    """Join scopes with single spaces, as Fastly expects; a string may already hold several."""
    parts = scope.split() if isinstance(scope, str) else [str(s) for s in scope]
    if not parts:
        raise ValueError("scope must name at least one scope")
    return " ".join(dict.fromkeys(parts))


def _timestamp(value: datetime, parameter: str) -> str:
    if value.tzinfo is None:
        raise ValueError(f"{parameter} must be timezone-aware (for example, datetime.now(UTC))")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unique_ids(token_ids: Iterable[str], parameter: str) -> list[str]:
    if isinstance(token_ids, str):
        raise TypeError(f"{parameter} must be an iterable of ids, not a single str")
    return list(dict.fromkeys(check_id(token_id, parameter) for token_id in token_ids))


def bulk_body(token_ids: Iterable[str]) -> bytes:
    """Build the JSON:API bulk body naming each token to revoke."""
    data = [{"type": "token", "id": token_id} for token_id in token_ids]
    return json.dumps({"data": data}, separators=(",", ":")).encode()


class TokensAPI:
    """The token endpoints of one :class:`FastlyAsync` client; reach it as ``client.tokens``."""

    def __init__(self, client: FastlyAsync) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<TokensAPI of {self._client!r}>"

    def _structure(self, answer: Response, model: type[_T], method: str, path: str) -> _T:
        """Decode JSON and structure it; a body that does not fit is a typed error."""
        sensitive = model is CreatedToken
        try:
            data: Any = json.loads(answer.body)
        except ValueError as exc:
            raise ResponseValidationError(
                f"the response body is not JSON ({exc})",
                method=method,
                path=path,
                body="" if sensitive else answer.body.decode("utf-8", "replace"),
            ) from None
        try:
            return converter.structure(data, model)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            if isinstance(exc, cattrs.BaseValidationError):
                reasons = "; ".join(cattrs.transform_error(exc, path="body"))
            else:
                reasons = str(exc)
            raise ResponseValidationError(
                f"the response does not fit {getattr(model, '__name__', model)}: {reasons}",
                method=method,
                path=path,
                body="" if sensitive else answer.body.decode("utf-8", "replace"),
            ) from None

    async def _get(self, path: str, model: type[_T]) -> _T:
        answer = await self._client._request("GET", path)
        return self._structure(answer, model, "GET", path)

    async def _delete(self, path: str, **kwargs: Any) -> None:
        try:
            await self._client._request("DELETE", path, expect=(204, 200), **kwargs)
        except NotFoundError as exc:
            if not exc.maybe_applied:
                raise
            # An earlier attempt was lost after it may have reached Fastly, and the retry found
            # the token gone: that earlier attempt did the work.
            _logger.info("DELETE %s: 404 after a lost attempt; taken as already revoked", path)

    async def get_token_current(self) -> Token:
        """Get the token this client authenticates with (``GET /tokens/self``)."""
        return await self._get("/tokens/self", Token)

    async def get_token(self, token_id: str) -> Token:
        """Get one token by id (``GET /tokens/{token_id}``)."""
        return await self._get(f"/tokens/{check_id(token_id, 'token_id')}", Token)

    async def list_tokens_user(self) -> list[Token]:
        """List every token of the authenticated user (``GET /tokens``); Fastly does not page."""
        return await self._get("/tokens", list[Token])

    async def list_tokens_customer(self, customer_id: str) -> list[Token]:
        """List every token of a customer (``GET /customer/{customer_id}/tokens``).

        Fastly allows this to the customer's superusers only.
        """
        path = f"/customer/{check_id(customer_id, 'customer_id')}/tokens"
        return await self._get(path, list[Token])

    async def create_token(
        self,
        *,
        username: str,
        password: str,
        name: str | None = None,
        scope: Scope | str | Iterable[Scope | str] = Scope.GLOBAL,
        services: Iterable[str] = (),
        expires_at: datetime | None = None,
        otp: str | None = None,
    ) -> CreatedToken:
        """Create a token (``POST /tokens``) and return it with its secret, shown only this once.

        ``username`` and ``password`` are the user's login; ``otp`` the one-time code for a
        user with two-factor authentication. ``scope`` takes one scope, several, or a
        space-joined string; ``services`` limits the token to those service ids (empty: all);
        ``expires_at`` must be timezone-aware. This call is never retried after it may have
        reached Fastly: a replay could mint a second credential.
        """
        if not username or not password:
            raise ValueError("username and password are both required to create a token")
        form: list[tuple[str, str]] = [("username", username), ("password", password)]
        if name is not None:
            form.append(("name", name))
        form.append(("scope", _scope_string(scope)))
        form.extend(("services[]", sid) for sid in _unique_ids(services, "services"))
        if expires_at is not None:
            form.append(("expires_at", _timestamp(expires_at, "expires_at")))
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if otp is not None:
            headers["Fastly-OTP"] = otp
        answer = await self._client._request("POST", "/tokens", data=form, headers=headers)
        return self._structure(answer, CreatedToken, "POST", "/tokens")

    async def revoke_token(self, token_id: str) -> None:
        """Revoke one token (``DELETE /tokens/{token_id}``).

        A retry that finds the token gone after a lost first attempt counts as success.
        """
        await self._delete(f"/tokens/{check_id(token_id, 'token_id')}")

    async def revoke_token_current(self) -> None:
        """Revoke the token this client authenticates with (``DELETE /tokens/self``).

        The client cannot make further calls with that token afterwards.
        """
        await self._delete("/tokens/self")

    async def bulk_revoke_tokens(self, token_ids: Iterable[str]) -> None:
        """Revoke many tokens in one request (``DELETE /tokens``, a JSON:API bulk body).

        Ids are checked and de-duplicated first; an empty list sends nothing. Fastly refuses
        the whole batch when any id is unknown or not the caller's to revoke; for a job that
        isolates those ids and still revokes the rest, use ``revoke_many``.
        """
        ids = _unique_ids(token_ids, "token_ids")
        if not ids:
            return
        await self._delete(
            "/tokens", data=bulk_body(ids), headers={"Content-Type": BULK_CONTENT_TYPE}
        )
