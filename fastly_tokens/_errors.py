"""The exceptions this SDK raises, all rooted at :class:`FastlyError`.

The tree::

    FastlyError
    ├── ClientClosedError            a call on a client that was closed (or never opened)
    ├── APIConnectionError           the request did not get an HTTP answer
    │   └── APITimeoutError          ... because a connect or read timeout expired
    ├── APIStatusError               Fastly answered with a non-2xx status
    │   ├── BadRequestError          400
    │   ├── AuthenticationError      401
    │   ├── PermissionDeniedError    403
    │   ├── NotFoundError            404
    │   ├── UnprocessableEntityError 422
    │   ├── RateLimitError           429, or a spent budget we will not wait out
    │   └── InternalServerError      5xx
    └── ResponseValidationError      a 2xx body that is not JSON or does not fit the model

No exception keeps aiohttp's ``request_info``: its repr holds the request headers, and so the
``Fastly-Key``. Errors carry only the method, the path and what Fastly said.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "FastlyError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "status_error",
]

_RAW_TEXT_LIMIT = 500


class FastlyError(Exception):
    """The root of every exception raised by fastly-tokens."""


class ClientClosedError(FastlyError, RuntimeError):
    """A request was made on a client that is closed or was never opened."""


class APIConnectionError(FastlyError):
    """The request got no HTTP answer: refused, reset, or dropped before the response.

    The aiohttp exception is the ``__cause__``.
    """

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(message)
        self.method = method
        self.path = path

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.args[0]}"


class APITimeoutError(APIConnectionError):
    """A connect or read timeout expired before Fastly answered."""


class ResponseValidationError(FastlyError):
    """A successful response whose body is not JSON or does not fit the model."""

    def __init__(self, message: str, *, method: str, path: str, body: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.body = body[:_RAW_TEXT_LIMIT]

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.args[0]}"


class APIStatusError(FastlyError):
    """Fastly answered with a status that is not a success.

    ``msg`` and ``detail`` are Fastly's own words from the body (``msg``, ``title`` or
    ``code``); when the body is not JSON, such as an HTML 503 from the edge, ``msg`` is empty
    and ``text`` holds the start of the raw body. ``remaining`` and ``reset_at`` are the
    rate-limit figures of this response, when it carried them. ``maybe_applied`` is true when an
    earlier attempt of the same call was lost after it may have reached Fastly: a 404 on a
    retried DELETE then means the token is already gone, most likely by that earlier attempt.
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
        self.msg = msg
        self.detail = detail
        self.text = text[:_RAW_TEXT_LIMIT]
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


class NotFoundError(APIStatusError):
    """404: no such token (or customer) for this caller."""

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
            text += f" (retry after {self.retry_after:.0f} s)"
        return text


class InternalServerError(APIStatusError):
    """5xx: Fastly (or its edge) failed to answer the request."""


_BY_STATUS: Mapping[int, type[APIStatusError]] = {
    cls.status_code: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        UnprocessableEntityError,
        RateLimitError,
    )
    if cls.status_code is not None
}


def _error_words(body: str) -> tuple[str, str]:
    """Fastly's ``msg`` and ``detail`` from an error body, whichever of its shapes it has."""
    try:
        data = json.loads(body)
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        data = {**errors[0], **{k: v for k, v in data.items() if k != "errors"}}
    msg = data.get("msg") or data.get("title") or data.get("code") or data.get("message") or ""
    detail = data.get("detail") or ""
    return str(msg), str(detail)


def status_error(
    *,
    status: int,
    method: str,
    path: str,
    body: str,
    remaining: int | None = None,
    reset_at: datetime | None = None,
    retry_after: float | None = None,
    maybe_applied: bool = False,
) -> APIStatusError:
    """Build the typed error for a non-2xx answer, its text parsed in any of Fastly's shapes."""
    msg, detail = _error_words(body)
    text = "" if msg else body
    kwargs: dict[str, Any] = {
        "status": status,
        "method": method,
        "path": path,
        "msg": msg,
        "detail": detail,
        "text": text,
        "remaining": remaining,
        "reset_at": reset_at,
        "maybe_applied": maybe_applied,
    }
    if status == 429:
        return RateLimitError(retry_after=retry_after, **kwargs)
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else APIStatusError
    return cls(**kwargs)
