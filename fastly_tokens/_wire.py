"""Fastly's wire, as pure functions: its headers, its timestamps, the bodies we send.

No I/O and no clock of its own (the time is passed in): the client sends what these build;
its answers are read by :mod:`._answers`. Whatever a server sends in a header, these return a
value or ``None``: a bad header is ignored, never a failure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

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
    "format_time",
    "parse_rate_limit",
    "retry_after",
    "scope_string",
    "server_wait",
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
