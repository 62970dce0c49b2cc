"""`TokensAPI`: Fastly's eight token operations, named as the official SDKs name them.

Each method checks its inputs before anything is sent, picks the method and path, and turns
the answer into a model. Wire formats follow Fastly: form-encoded create, JSON:API bulk body.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import cattrs

from ._bulk import (
    DEFAULT_CHUNK_SIZE,
    RevocationJob,
    RevocationProgress,
    RevocationReport,
    Strategy,
)
from ._converter import converter
from ._errors import NotFoundError, ResponseValidationError
from ._ids import check_id
from ._middleware import CallRecord
from ._models import CreatedToken, Scope, Token
from ._select import Selection

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

    async def _delete(self, path: str, *, gone_ok: bool = True, **kwargs: Any) -> None:
        """Send a DELETE; with ``gone_ok``, a 404 after a lost attempt counts as success."""
        try:
            await self._client._request("DELETE", path, expect=(204, 200), **kwargs)
        except NotFoundError as exc:
            if not (gone_ok and exc.maybe_applied):
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
        await self._revoke_one(check_id(token_id, "token_id"))

    async def _revoke_one(self, token_id: str, *, record: CallRecord | None = None) -> None:
        await self._delete(f"/tokens/{token_id}", record=record)

    async def _revoke_batch(
        self, token_ids: list[str], *, record: CallRecord | None = None
    ) -> None:
        headers = {"Content-Type": BULK_CONTENT_TYPE}
        # Not gone_ok: Fastly refuses a batch whole, so a 404 after a lost attempt may also mean
        # an id was bad from the start and nothing was revoked.
        await self._delete(
            "/tokens", data=bulk_body(token_ids), headers=headers, gone_ok=False, record=record
        )

    async def revoke_token_current(self) -> None:
        """Revoke the token this client authenticates with (``DELETE /tokens/self``).

        The client cannot make further calls with that token afterwards.
        """
        await self._delete("/tokens/self")

    async def bulk_revoke_tokens(self, token_ids: Iterable[str]) -> None:
        """Revoke many tokens in one request (``DELETE /tokens``, a JSON:API bulk body).

        Ids are checked and de-duplicated first; an empty list sends nothing. Fastly refuses
        the whole batch when any id is unknown or not the caller's to revoke; for a job that
        isolates those ids and still revokes the rest, use ``revoke_many``. A
        ``NotFoundError`` with ``maybe_applied`` set means an earlier attempt was lost and the
        batch may or may not have been revoked by it; ``revoke_many`` resolves which.
        """
        ids = _unique_ids(token_ids, "token_ids")
        if ids:
            await self._revoke_batch(ids)

    def revocation_job(
        self,
        token_ids: Iterable[str],
        *,
        strategy: Strategy = "batch",
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        concurrency: int | None = None,
        on_progress: Callable[[RevocationProgress], None] | None = None,
        journal: str | os.PathLike[str] | None = None,
    ) -> RevocationJob:
        """Prepare :meth:`revoke_many` as a job whose outcomes survive a cancellation.

        ``await job.run()`` runs it; after a cancel, ``job.report()`` has every outcome so far.
        """
        return RevocationJob(
            self,
            token_ids,
            strategy=strategy,
            chunk_size=chunk_size,
            concurrency=concurrency,
            on_progress=on_progress,
            journal=journal,
        )

    async def revoke_many(
        self,
        token_ids: Iterable[str],
        *,
        strategy: Strategy = "batch",
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        concurrency: int | None = None,
        on_progress: Callable[[RevocationProgress], None] | None = None,
        journal: str | os.PathLike[str] | None = None,
    ) -> RevocationReport:
        """Revoke many tokens, reporting every id's outcome in input order; never raises per id.

        Ids are de-duplicated and checked first: malformed ones end ``invalid``, the rest go
        ahead. ``strategy="batch"`` (the default) sends ``DELETE /tokens`` with ``chunk_size``
        ids each and bisects a refused chunk to isolate the bad ids while revoking the good
        ones; a 413 halves the chunk size for the rest of the job. ``strategy="each"`` sends
        one ``DELETE /tokens/{id}`` per id. ``concurrency`` requests run at once (default: the
        client's ``max_concurrency``, which also caps it: for more, raise
        ``FastlyAsync(max_concurrency=...)``). ``on_progress`` is called as ids complete.
        ``journal`` names a JSON-lines file each outcome is appended to; a rerun with the same
        journal skips the ids already revoked. When the rate-limit budget runs out beyond the retry
        policy's ``max_wait``, the job stops and the ids left are ``not_attempted``.
        Call ``report.raise_for_failures()`` to turn failures into an ``ExceptionGroup``.
        """
        job = self.revocation_job(
            token_ids,
            strategy=strategy,
            chunk_size=chunk_size,
            concurrency=concurrency,
            on_progress=on_progress,
            journal=journal,
        )
        return await job.run()

    async def select_tokens(
        self,
        selection: Selection,
        *,
        customer_id: str | None = None,
        now: datetime | None = None,
    ) -> list[Token]:
        """List the user's tokens (or, for a superuser, a customer's) and keep those selected.

        This is the dry run of a clean-up: pass the ids to :meth:`revoke_many` to revoke them.
        The token this client authenticates with is left out unless the selection includes it.
        """
        current = await self.get_token_current()
        if customer_id is None:
            tokens = await self.list_tokens_user()
        else:
            tokens = await self.list_tokens_customer(customer_id)
        moment = now or datetime.now(UTC)
        return [t for t in tokens if selection.matches(t, now=moment, current_id=current.id)]
