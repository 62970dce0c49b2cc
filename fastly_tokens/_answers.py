"""Fastly's answers, as pure functions: a status and body into the model or the typed error.

The client hands each answer to :func:`decipher`, in the way gidgethub's
``sansio.decipher_response`` does: whatever a server sends, it returns the model or raises one
typed error, with every text it keeps masked. Every body is decoded by :func:`load_json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import cattrs
from cattrs.v import format_exception

from ._call import Response
from ._converter import converter
from ._errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    FastlyError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    SudoRequiredError,
    UnprocessableEntityError,
)
from ._wire import epoch_to_utc, parse_rate_limit, server_wait

__all__ = ["decipher", "error_words", "load_json", "status_error"]

_T = TypeVar("_T")
_STATUS_ERRORS: Mapping[int, type[APIStatusError]] = {
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


def load_json(body: bytes | str) -> Any:
    """Parse JSON; ``ValueError`` for anything that is not (nesting past Python's limit too)."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def error_words(text: str) -> tuple[str, str]:
    """Fastly's ``msg`` and ``detail`` from an error body, whichever of its shapes it has."""
    try:
        data = load_json(text)
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        data = {**errors[0], **{k: v for k, v in data.items() if k != "errors"}}
    msg = data.get("msg") or data.get("title") or data.get("code") or data.get("message") or ""
    detail = data.get("detail") or ""
    return _text(msg), _text(detail)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, default=str)[:1000]
    except (RecursionError, ValueError, TypeError):  # a message nested as deep as the parser went
        return f"<a {type(value).__name__}>"


SUDO_REQUIRED = "You must POST /sudo"
"""How Fastly's 403 begins when a write needs sudo mode first."""


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
    """Build the typed error for a non-2xx answer, its text read in any of Fastly's shapes."""
    msg, detail = error_words(body)
    kwargs: dict[str, Any] = {
        "status": status,
        "method": method,
        "path": path,
        "msg": msg,
        "detail": detail,
        "text": "" if msg else body,
        "remaining": remaining,
        "reset_at": reset_at,
        "maybe_applied": maybe_applied,
    }
    if status == 429:
        return RateLimitError(retry_after=retry_after, **kwargs)
    if status == 403 and msg.startswith(SUDO_REQUIRED):
        return SudoRequiredError(**kwargs)
    cls = _STATUS_ERRORS.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else APIStatusError
    return cls(**kwargs)


def _shape_only(exc: BaseException, type_: type | None) -> str:
    return f"{type(exc).__name__} for {getattr(type_, '__name__', type_)}"


def decipher(
    answer: Response,
    model: type[_T],
    *,
    method: str,
    path: str,
    now: float,
    redact: Callable[[str], str] = str,
    expect: tuple[int, ...] = (200,),
    secret_body: bool = False,
) -> _T:
    """Turn an answer into ``model`` (``type(None)`` for none), or raise its typed error.

    ``redact`` masks secrets out of every text an error keeps; ``secret_body`` keeps no text of
    the body at all (a created token's answer holds its secret).
    """
    result = _decipher(
        answer,
        model,
        method=method,
        path=path,
        now=now,
        redact=redact,
        expect=expect,
        secret_body=secret_body,
    )
    if isinstance(result, FastlyError):
        # Raised here, not in _decipher, so no frame holding the raw body is in the traceback.
        raise result
    return result


def _decipher(
    answer: Response,
    model: type[_T],
    *,
    method: str,
    path: str,
    now: float,
    redact: Callable[[str], str],
    expect: tuple[int, ...],
    secret_body: bool,
) -> _T | FastlyError:
    if answer.status not in expect:
        remaining, reset = parse_rate_limit(answer.headers, now)
        return status_error(
            status=answer.status,
            method=method,
            path=path,
            body=redact(answer.body.decode("utf-8", "replace")),
            remaining=remaining,
            reset_at=epoch_to_utc(reset),
            retry_after=server_wait(answer.headers, now) if answer.status == 429 else None,
            maybe_applied=answer.maybe_applied,
        )
    if model is type(None):
        return None
    try:
        data = load_json(answer.body)
    except ValueError as exc:
        return ResponseValidationError(
            f"the response body is not JSON ({redact(str(exc))})",
            method=method,
            path=path,
            body=_kept(answer, redact, secret_body=secret_body),
        )
    try:
        return converter.structure(data, model)
    except (cattrs.BaseValidationError, ValueError, TypeError, RecursionError) as exc:
        if isinstance(exc, cattrs.BaseValidationError):
            # Where a body holds a secret, say where it went wrong but quote nothing of it.
            shape = _shape_only if secret_body else format_exception
            reasons = "; ".join(cattrs.transform_error(exc, path="body", format_exception=shape))
        else:
            reasons = type(exc).__name__ if secret_body else f"{type(exc).__name__}: {exc}"
        name = getattr(model, "__name__", str(model))
        return ResponseValidationError(
            f"the response does not fit {name}: {redact(reasons)}",
            method=method,
            path=path,
            body=_kept(answer, redact, secret_body=secret_body),
        )


def _kept(answer: Response, redact: Callable[[str], str], *, secret_body: bool) -> str:
    """Keep the start of a body an error could not read, secrets masked (or none of it).

    Only on the way to an error: a body that is read pays for no excerpt (decoding and masking
    its first 1,000 bytes cost each list of tokens about 0.1 ms for nothing).
    """
    return "" if secret_body else redact(answer.body[:1000].decode("utf-8", "replace"))
