"""`TokensAPI`: Fastly's eight token operations, named as the official SDKs name them.

Each method checks its inputs before anything is sent, picks the method and path, and leaves
the wire to :mod:`._wire` (the form-encoded create, the JSON:API bulk body) and to
:func:`~._answers.decipher`, which turns each answer into a model or a typed error.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Unpack

from ._automation import AutomationTokensAPI
from ._bulk import RevocationJob, RevocationOptions, RevocationReport
from ._bulk.settings import JobSettings
from ._call import CallRecord
from ._errors import SudoRequiredError
from ._ids import check_id
from ._models import CreatedToken, Scope, Token
from ._resource import Caller
from ._secrets import MaskedHeaders, Secret, check_secret
from ._select import Selection
from ._wire import (
    BULK_CONTENT_TYPE,
    FORM_CONTENT_TYPE,
    bulk_body,
    create_form,
    scope_string,
    unique_ids,
)

__all__ = ["TokensAPI"]

_NONE = type(None)


class TokensAPI:
    """The token endpoints of one :class:`FastlyAsync` client; reach it as ``client.tokens``."""

    def __init__(self, client: Caller) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<TokensAPI of {self._client!r}>"

    async def get_token_current(self) -> Token:
        """Get the token this client authenticates with (``GET /tokens/self``)."""
        return await self._client._call("GET", "/tokens/self", Token)

    async def get_token(self, token_id: str) -> Token:
        """Get one token by id (``GET /tokens/{token_id}``)."""
        return await self._client._call("GET", f"/tokens/{check_id(token_id, 'token_id')}", Token)

    async def list_tokens_user(self) -> list[Token]:
        """List every token of the authenticated user (``GET /tokens``); Fastly does not page."""
        return await self._client._call("GET", "/tokens", list[Token])

    async def list_tokens_customer(self, customer_id: str) -> list[Token]:
        """List every token of a customer (``GET /customer/{customer_id}/tokens``).

        Fastly allows this to the customer's superusers only.
        """
        path = f"/customer/{check_id(customer_id, 'customer_id')}/tokens"
        return await self._client._call("GET", path, list[Token])

    async def create_token(
        self,
        *,
        password: str,
        username: str | None = None,
        name: str | None = None,
        scope: Scope | str | Iterable[Scope | str] = Scope.GLOBAL,
        services: Iterable[str] = (),
        expires_at: datetime | None = None,
        otp: str | None = None,
    ) -> CreatedToken:
        """Create a token (``POST /tokens``) and return it with its secret, shown only this once.

        Two logins, as Fastly's own tools use them. Without ``username``, the token is the key's
        user's: the client enters sudo mode (``POST /sudo``, reused while its window is open)
        and sends the key with that user's ``password``, as the Fastly CLI does. With
        ``username``, it is that user's: ``username`` and ``password`` go in the form and the key
        is not sent, so no sudo is needed. ``otp`` is the one-time code of a two-factor user.
        ``scope`` takes one scope, several, or a space-joined string; ``services`` limits the
        token to those service ids (empty: all); ``expires_at`` must be timezone-aware. The
        create is never retried after it may have reached Fastly (a replay could mint a second
        credential); a 403 asking for sudo (the window closed early) enters it once more. The
        password and the code appear in no error, repr or traceback.
        """
        if not password:
            raise ValueError("password is required to create a token")
        if username is not None and not username:
            raise ValueError("username, when given, must not be empty")
        login = Secret(password)  # sent in the form, so any character goes; never stripped
        del password
        code = None if otp is None else Secret(check_secret(otp, "otp"))
        del otp
        body = create_form(
            username=username,
            password=login,
            name=name,
            scope=scope_string(scope),
            services=services,
            expires_at=expires_at,
        )
        headers = MaskedHeaders({"Content-Type": FORM_CONTENT_TYPE})
        secrets: tuple[Secret, ...] = (login,)
        if code is not None:
            headers["Fastly-OTP"] = code.reveal()
            secrets = (login, code)
        call = functools.partial(
            self._client._call,
            "POST",
            "/tokens",
            CreatedToken,
            data=body,
            headers=headers,
            secrets=secrets,
            secret_body=True,
        )
        if username is not None:  # the keyless login: that user's password, no key, no sudo
            return await call(with_key=False)
        await self._client._ensure_sudo(login, username=None, otp=code)
        try:
            return await call()
        except SudoRequiredError:
            pass
        # The window closed at Fastly before we thought: the 403 means nothing was created.
        self._client._sudo.close()
        await self._client._ensure_sudo(login, username=None, otp=code)
        return await call()

    async def revoke_token(self, token_id: str) -> None:
        """Revoke one token (``DELETE /tokens/{token_id}``); returns once Fastly answers 204.

        A 404 raises :class:`NotFoundError`. When an earlier attempt of this call was lost after
        it may have reached Fastly, the error's ``maybe_applied`` is true: the lost attempt may
        have revoked the token, or the caller may never have been able to see it; a 404 cannot
        tell which, so this method does not claim either. :meth:`revoke_many` reads the token
        list first (for free) and so can tell.
        """
        await self._revoke_one(check_id(token_id, "token_id"))

    async def _revoke_one(self, token_id: str, *, record: CallRecord | None = None) -> None:
        path = f"/tokens/{token_id}"
        await self._client._call("DELETE", path, _NONE, expect=(204, 200), record=record)

    async def _revoke_batch(
        self, token_ids: list[str], *, record: CallRecord | None = None
    ) -> None:
        await self._client._call(
            "DELETE",
            "/tokens",
            _NONE,
            data=bulk_body(token_ids),
            headers={"Content-Type": BULK_CONTENT_TYPE},
            expect=(204, 200),
            record=record,
        )

    async def revoke_token_current(self) -> None:
        """Revoke the token this client authenticates with (``DELETE /tokens/self``).

        The client cannot make further calls with that token afterwards.
        """
        await self._client._call("DELETE", "/tokens/self", _NONE, expect=(204, 200))

    async def bulk_revoke_tokens(self, token_ids: Iterable[str]) -> None:
        """Revoke many tokens in one request (``DELETE /tokens``, a JSON:API bulk body).

        Ids are checked and de-duplicated first; an empty list sends nothing. Fastly refuses
        the whole batch when any id is unknown or not the caller's to revoke; for a job that
        isolates those ids and still revokes the rest, use ``revoke_many``. A
        ``NotFoundError`` with ``maybe_applied`` set means an earlier attempt was lost and the
        batch may or may not have been revoked by it; ``revoke_many`` resolves which.
        """
        ids = unique_ids(token_ids, "token_ids")
        if ids:
            await self._revoke_batch(ids)

    def revocation_job(
        self, token_ids: Iterable[str], **options: Unpack[RevocationOptions]
    ) -> RevocationJob:
        """Prepare :meth:`revoke_many` as a job: plan it first, or read a cancelled run.

        ``await job.plan()`` does the free reads and says what will be sent and what it will
        cost; ``await job.run()`` runs it; after a cancel, ``job.report()`` has every outcome so
        far. The options are :meth:`revoke_many`'s.
        """
        settings = JobSettings.from_options(options)
        ports = _Ports(self)
        return RevocationJob(
            ports,
            ports,
            token_ids,
            settings,
            endpoint=self._client.base_url,
            rate_limit=lambda: self._client.rate_limit,
        )

    async def revoke_many(
        self, token_ids: Iterable[str], **options: Unpack[RevocationOptions]
    ) -> RevocationReport:
        """Revoke many tokens, reporting every id's outcome in input order; never raises per id.

        Ids are de-duplicated and checked first (malformed ones end ``invalid``). Then, for
        free, the job reads the current token and the tokens the caller can revoke (the
        customer's for a superuser, else the caller's own): only ids found there are sent, the
        rest end ``not_found`` at no cost. ``strategy="batch"`` (default) sends ``chunk_size``
        ids (default 100) per ``DELETE /tokens``; a refused batch is settled by reading the
        listing again, or bisected. ``strategy="each"`` sends one ``DELETE /tokens/{id}`` per
        id. ``concurrency`` requests run at once (default and cap: the client's
        ``max_concurrency``). The current token, if among the ids, is revoked last, and only
        once every other id is gone. ``on_progress`` is called as requests complete;
        ``journal`` names a JSON-lines file that makes a killed job resumable;
        ``preflight=False`` skips the reads (every well-formed id is sent); ``customer_id``
        names the customer whose listing to read. When the budget runs out beyond the retry
        policy's ``max_wait``, or the journal cannot be written, the job stops: the ids left are
        ``not_attempted``. ``report.raise_for_failures()`` raises what was not revoked.
        """
        return await self.revocation_job(token_ids, **options).run()

    async def select_tokens(
        self,
        selection: Selection,
        *,
        customer_id: str | None = None,
        now: datetime | None = None,
    ) -> list[Token]:
        """List the user's tokens (or, for a superuser, a customer's) and keep those selected.

        Automation tokens are listed too when the selection asks for them (``kind`` or
        ``role``) or looks at a customer (``customer_id``): a superuser's clean-up sees the
        tokens services run on as well. This is the dry run of a clean-up: pass the ids to
        :meth:`revoke_many` to revoke them. The token this client authenticates with is left
        out unless the selection includes it.
        """
        current = await self.get_token_current()
        tokens: list[Token] = []
        if selection.kind != "automation" and selection.role is None:
            if customer_id is None:
                tokens += await self.list_tokens_user()
            else:
                tokens += await self.list_tokens_customer(customer_id)
        wants = selection.kind == "automation" or selection.role is not None
        if selection.kind != "user" and (wants or customer_id is not None):
            tokens += await AutomationTokensAPI(self._client).list_automation_tokens()
        moment = now or datetime.now(UTC)
        return [t for t in tokens if selection.matches(t, now=moment, current_id=current.id)]


class _Ports:
    """The bulk engine's two ports (``Revoker`` and ``Lister``) over these endpoints."""

    def __init__(self, tokens: TokensAPI) -> None:
        self._tokens = tokens
        self._client = tokens._client

    @property
    def concurrency(self) -> int:
        return self._client.max_concurrency

    async def revoke_one(self, token_id: str, record: CallRecord) -> None:
        await self._tokens._revoke_one(token_id, record=record)

    async def revoke_batch(self, token_ids: list[str], record: CallRecord) -> None:
        await self._tokens._revoke_batch(token_ids, record=record)

    async def current(self, record: CallRecord) -> Token:
        return await self._client._call("GET", "/tokens/self", Token, record=record)

    async def user_token_ids(self, record: CallRecord) -> frozenset[str]:
        tokens = await self._client._call("GET", "/tokens", list[Token], record=record)
        return frozenset(t.id for t in tokens)

    async def customer_token_ids(self, customer_id: str, record: CallRecord) -> frozenset[str]:
        path = f"/customer/{check_id(customer_id, 'customer_id')}/tokens"
        tokens = await self._client._call("GET", path, list[Token], record=record)
        return frozenset(t.id for t in tokens)

    async def automation_token_ids(self, record: CallRecord) -> frozenset[str]:
        automation = AutomationTokensAPI(self._client)
        return frozenset([t.id async for t in automation.iter_automation_tokens(record=record)])
