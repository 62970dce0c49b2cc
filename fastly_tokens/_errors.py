"""The exceptions this SDK raises, all rooted at :class:`FastlyError`.

The tree::

    FastlyError
    ├── ClientClosedError            a call on a client that was closed (or closed during the call)
    ├── ClientLoopError              a call from an event loop other than the client's own
    ├── APIConnectionError           the request did not get an HTTP answer
    │   └── APITimeoutError          ... because a connect or read timeout expired
    ├── APIStatusError               Fastly answered with a non-2xx status
    │   ├── BadRequestError          400
    │   ├── AuthenticationError      401
    │   ├── PermissionDeniedError    403
    │   │   ├── SudoRequiredError    ... the write needs sudo mode first (POST /sudo)
    │   │   ├── NotSuperuserError    ... the caller is not a superuser of the customer
    │   │   └── LoginEnforcedError   ... the account enforces SSO or two-factor login
    │   ├── NotFoundError            404
    │   ├── UnprocessableEntityError 422
    │   ├── RateLimitError           429, or a spent budget we will not wait out
    │   └── InternalServerError      5xx
    └── ResponseValidationError      a 2xx body that is not JSON or does not fit the model
        └── ResponseTooLargeError    a body (any status) beyond the client's ``max_body_size``

No exception keeps aiohttp's ``request_info`` (its repr holds the request headers, and so the
``Fastly-Key``) or the frames of a failed request: errors carry the method, the path and what
Fastly said, with any secret the server echoed back masked. Every error pickles and copies with
its fields, so reports cross process pools.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ClientLoopError",
    "FastlyError",
    "InternalServerError",
    "LoginEnforcedError",
    "NotFoundError",
    "NotSuperuserError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SudoRequiredError",
    "UnprocessableEntityError",
]

_DAY = 86400.0

TEXT_LIMIT = 500
"""Characters kept of any text a server sent (a message, a detail, a raw body)."""


def bounded(text: str, limit: int = TEXT_LIMIT) -> str:
    """Cut ``text`` to ``limit`` characters, saying so: a 5 MB message makes no 5 MB error."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def _restore(cls: type[FastlyError], args: tuple[Any, ...], state: dict[str, Any]) -> FastlyError:
    """Rebuild an error from :meth:`FastlyError.__reduce__`, bypassing its keyword-only init."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class FastlyError(Exception):
    """The root of every exception raised by fastly-tokens."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduce calls cls(*args), which keyword-only constructors refuse.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class ClientClosedError(FastlyError, RuntimeError):
    """A call on a client that is closed, or that was closed while the call was in flight."""


class ClientLoopError(FastlyError, RuntimeError):
    """A call from another event loop than the one the client was opened in.

    A client (its session, connections and rate-limit gate) belongs to one event loop: make one
    client per loop or thread, and do not reuse one after its ``asyncio.run`` has ended.
    """


class APIConnectionError(FastlyError):
    """The request got no HTTP answer: refused, reset, or dropped before the response.

    The aiohttp exception is the ``__cause__``, without its frames.
    """

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(bounded(message))
        self.method = method
        self.path = path

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.args[0]}"


class APITimeoutError(APIConnectionError):
    """A connect or read timeout expired before Fastly answered."""


class ResponseValidationError(FastlyError):
    """A successful response whose body is not JSON or does not fit the model.

    ``body`` holds the start of the body (empty where it would hold a new token's secret).
    """

    def __init__(self, message: str, *, method: str, path: str, body: str = "") -> None:
        super().__init__(bounded(message))
        self.method = method
        self.path = path
        self.body = body[:TEXT_LIMIT]

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.args[0]}"


class ResponseTooLargeError(ResponseValidationError):
    """An answer's body (of any status) grew past the client's ``max_body_size``.

    Reading stopped there: a gzip bomb or an endless stream ends here, not in memory exhaustion.
    ``limit`` is the cap in bytes.
    """

    def __init__(self, *, method: str, path: str, limit: int) -> None:
        super().__init__(
            f"the response body is larger than max_body_size ({limit:,} bytes); reading stopped",
            method=method,
            path=path,
        )
        self.limit = limit


class APIStatusError(FastlyError):
    """Fastly answered with a status that is not a success.

    ``msg`` and ``detail`` are Fastly's own words from the body (``msg``, ``title`` or
    ``code``); when the body is not JSON, such as an HTML 503 from the edge, ``msg`` is empty
    and ``text`` holds the start of the raw body. Each is cut to 500 characters. ``remaining``
    and ``reset_at`` are the rate-limit figures of this response, when it carried readable ones.
    ``maybe_applied`` is true when an earlier attempt of the same call was lost after it may
    have reached Fastly: a 404 on a retried DELETE then means the token may have been revoked
    by that attempt, or may never have been the caller's to see. It proves neither.
    """

    status_code: ClassVar[int | None] = None

    def __init__(
        self,
        *,
        status: int,
        method: str,
        path: str,
        msg: str = "",
        detail: str = "",
        text: str = "",
        remaining: int | None = None,
        reset_at: datetime | None = None,
        maybe_applied: bool = False,
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.msg = bounded(msg)
        self.detail = bounded(detail)
        self.text = text[:TEXT_LIMIT]
        self.remaining = remaining
        self.reset_at = reset_at
        self.maybe_applied = maybe_applied
        super().__init__(self._describe())

    def _describe(self) -> str:
        said = self.msg or self.text.strip() or "(empty body)"
        if self.detail:
            said = f"{said}: {self.detail}"
        return f"{self.method} {self.path} -> {self.status}: {said}"

    def __str__(self) -> str:
        return self._describe()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, method={self.method!r}, "
            f"path={self.path!r}, msg={self.msg!r})"
        )


class BadRequestError(APIStatusError):
    """400: the request was refused as malformed (on create: ``code`` says why)."""

    status_code = 400


class AuthenticationError(APIStatusError):
    """401: the API token is missing, wrong or expired."""

    status_code = 401


class PermissionDeniedError(APIStatusError):
    """403: the token may not do this (read-only scope, someone else's token, sudo)."""

    status_code = 403


class SudoRequiredError(PermissionDeniedError):
    """403 "You must POST /sudo": the write needs sudo mode, entered with ``client.sudo()``."""


class NotSuperuserError(PermissionDeniedError):
    """403: only a superuser of the customer may do this (automation tokens, every token)."""


class LoginEnforcedError(PermissionDeniedError):
    """403: the account enforces single sign-on or two-factor login.

    Fastly then refuses this through the API: automation tokens are created in the web
    interface instead.
    """


class NotFoundError(APIStatusError):
    """404: no such token (or customer) that this caller can see.

    It proves only that: the token may be revoked, may never have existed, or may belong to
    another account. It is not evidence that anything was revoked.
    """

    status_code = 404


class UnprocessableEntityError(APIStatusError):
    """422: a field was understood but refused, such as a malformed ``expires_at``."""

    status_code = 422


class RateLimitError(APIStatusError):
    """429, or a spent budget whose reset lies further off than the caller will wait.

    ``retry_after`` is how many seconds until the budget is expected back (or ``None``).
    """

    status_code = 429

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)

    def _describe(self) -> str:
        text = super()._describe()
        if self.retry_after is not None:
            if self.retry_after > _DAY:
                text += " (retry after more than a day)"
            else:
                text += f" (retry after {self.retry_after:.0f} s)"
        return text


class InternalServerError(APIStatusError):
    """5xx: Fastly (or its edge) failed to answer the request."""
