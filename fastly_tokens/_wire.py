"""Fastly's wire, as pure functions: its headers, its timestamps, the bodies we send, its answers.

No I/O and no clock of its own (the time is passed in): the client sends what these build and
hands each answer to :func:`decipher`, which returns the model or the typed error, in the way
gidgethub's ``sansio.decipher_response`` does. Whatever a server sends, these functions return
a value or a typed error; a bad header is ignored, never a failure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

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
from ._ids import check_id
from ._secrets import Secret, SecretBytes

__all__ = [
    "BULK_CONTENT_TYPE",
    "FORM_CONTENT_TYPE",
    "MAX_RESET_AHEAD",
    "MAX_SERVER_WAIT",
    "REMAINING_HEADER",
    "RESET_HEADER",
    "RETRY_AFTER_HEADER",
    "TIME_FORMAT",
    "bulk_body",
    "create_form",
    "decipher",
    "error_words",
    "format_time",
    "load_json",
    "parse_rate_limit",
    "retry_after",
    "scope_string",
    "server_wait",
    "status_error",
    "sudo_form",
    "unique_ids",
]

REMAINING_HEADER = "Fastly-RateLimit-Remaining"
RESET_HEADER = "Fastly-RateLimit-Reset"
RETRY_AFTER_HEADER = "Retry-After"

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""Fastly's timestamps: UTC, whole seconds, ``Z``."""

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
BULK_CONTENT_TYPE = "application/vnd.api+json; ext=bulk"
"""The JSON:API bulk extension's media type, which ``DELETE /tokens`` requires."""

MAX_RESET_AHEAD = 4200.0
"""Seconds ahead a ``Fastly-RateLimit-Reset`` may lie: the hourly window, with ten minutes of
slack for clock skew. A reset further off is not Fastly's, and is ignored."""

MAX_SERVER_WAIT = 86400.0
"""The longest wait a ``Retry-After`` is read as (a day): longer ones are cut to it."""

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


# -- headers -------------------------------------------------------------------------------


def _seconds(value: str) -> float | None:
    """Read a finite, non-negative number; None for anything else."""
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    return number


def parse_rate_limit(headers: Mapping[str, str], now: float) -> tuple[int | None, float | None]:
    """``(remaining, reset)`` from a response's headers, reset in epoch seconds.

    Each is None when absent or unreadable: a reset that is not a positive number, or lies
    more than :data:`MAX_RESET_AHEAD` beyond ``now``, is not believed.
    """
    remaining: int | None = None
    raw = headers.get(REMAINING_HEADER)
    if raw is not None:
        try:
            remaining = max(0, int(raw.strip()))
        except ValueError:  # also the int() of a 5,000-digit string
            remaining = None
    reset: float | None = None
    raw = headers.get(RESET_HEADER)
    if raw is not None:
        reset = _seconds(raw)
        if reset is not None and not 0 < reset <= now + MAX_RESET_AHEAD:
            reset = None
    return remaining, reset


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds ``Retry-After`` asks for (delta seconds or an HTTP date), or None.

    ``now`` is epoch seconds; a date in the past means 0; anything beyond a day is a day.
    Garbage is ignored.
    """
    value = headers.get(RETRY_AFTER_HEADER)
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is None:
        try:
            when = parsedate_to_datetime(value)
            if when.tzinfo is None:  # "-0000" dates parse naive; HTTP dates are always GMT
                when = when.replace(tzinfo=UTC)
            seconds = max(0.0, when.timestamp() - now)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return min(seconds, MAX_SERVER_WAIT)


def server_wait(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the server asks the client to wait: ``Retry-After``, else the rate-limit reset.

    Never negative; None when neither header is present and readable. ``headers`` should look
    names up case-blind, as aiohttp's do.
    """
    seconds = retry_after(headers, now)
    if seconds is not None:
        return seconds
    _, reset = parse_rate_limit(headers, now)
    return None if reset is None else max(0.0, reset - now)


def epoch_to_utc(epoch: float | None) -> datetime | None:
    """Convert an epoch-seconds reset (bounded by :func:`parse_rate_limit`) to aware UTC."""
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


# -- what we send --------------------------------------------------------------------------


def format_time(value: datetime, parameter: str) -> str:
    """Write an aware datetime as Fastly does; a naive one is refused, naming ``parameter``."""
    if value.tzinfo is None:
        raise ValueError(f"{parameter} must be timezone-aware (for example, datetime.now(UTC))")
    return value.astimezone(UTC).strftime(TIME_FORMAT)


def scope_string(scope: str | Iterable[str]) -> str:
    """Join scopes with single spaces, as Fastly expects; a string may already hold several."""
    parts = scope.split() if isinstance(scope, str) else [str(s) for s in scope]
    if not parts:
        raise ValueError("scope must name at least one scope")
    return " ".join(dict.fromkeys(parts))


def unique_ids(ids: Iterable[str], parameter: str) -> list[str]:
    """Check every id and drop repeats, keeping the first order."""
    if isinstance(ids, str):
        raise TypeError(f"{parameter} must be an iterable of ids, not a single str")
    return list(dict.fromkeys(check_id(i, parameter) for i in ids))


def sudo_form(*, username: str | None, password: Secret) -> SecretBytes:
    """Encode ``POST /sudo``'s form; the result's repr hides the password it carries."""
    form = [("username", username)] if username is not None else []
    form.append(("password", password.reveal()))
    return SecretBytes(urlencode(form).encode())


def create_form(
    *,
    username: str | None,
    password: Secret,
    name: str | None,
    scope: str,
    services: Iterable[str],
    expires_at: datetime | None,
) -> SecretBytes:
    """Encode ``POST /tokens``' form; the result's repr hides the password it carries."""
    form: list[tuple[str, str]] = []
    if username is not None:
        form.append(("username", username))
    form.append(("password", password.reveal()))
    if name is not None:
        form.append(("name", name))
    form.append(("scope", scope))
    form.extend(("services[]", sid) for sid in unique_ids(services, "services"))
    if expires_at is not None:
        form.append(("expires_at", format_time(expires_at, "expires_at")))
    return SecretBytes(urlencode(form).encode())


def bulk_body(token_ids: Iterable[str]) -> bytes:
    """Build the JSON:API bulk body naming each token to revoke."""
    data = [{"type": "token", "id": token_id} for token_id in token_ids]
    return json.dumps({"data": data}, separators=(",", ":")).encode()


# -- what comes back -----------------------------------------------------------------------


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
