"""A client's configuration, checked before anything is sent: the key, the endpoint, the limits.

Pure: the environment is read through ``os.environ`` only for the two documented variables,
``FASTLY_API_TOKEN`` and ``FASTLY_API_URL`` (the names Fastly's own tools use).
"""

from __future__ import annotations

import ipaddress
import os

import aiohttp
from yarl import URL

from ._secrets import Secret, check_secret

__all__ = [
    "BASE_URL_ENV_VAR",
    "DEFAULT_BASE_URL",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_TIMEOUT",
    "TOKEN_ENV_VAR",
    "check_base_url",
    "is_loopback",
    "positive_int",
    "read_base_url",
    "read_token",
    "timeout_of",
]

DEFAULT_CHUNK_SIZE = 100
"""Ids per ``DELETE /tokens``: 10,000 ids cost 100 writes of Fastly's hourly 1,000. Here, with
the client's other defaults, so the command line's help names it without loading the job
engine."""

DEFAULT_BASE_URL = "https://api.fastly.com"
"""Fastly's API."""

DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=10.0, sock_read=30.0)
"""Per attempt: 10 s to connect, 30 s between bytes read. The retry policy's deadline bounds
the whole call, waits included, which aiohttp's ``total`` cannot do."""

TOKEN_ENV_VAR = "FASTLY_API_TOKEN"  # noqa: S105 (the variable's name, not a secret)
"""Where the token is read from when none is passed, as Fastly's own SDKs do."""

BASE_URL_ENV_VAR = "FASTLY_API_URL"
"""Where the API root is read from when none is passed (go-fastly reads it too)."""

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str, *, allow_insecure_http: bool) -> str:
    """Refuse a base URL that would send the key in clear text across a network by accident."""
    url = URL(base_url)
    if url.scheme not in {"http", "https"} or not url.host:
        raise ValueError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
    if url.scheme == "http" and not allow_insecure_http and not is_loopback(url.host):
        raise ValueError(
            f"base_url {base_url!r} is plain http to a host that is not loopback: the API "
            "token would cross the network in clear text. Use https, or pass "
            "allow_insecure_http=True if you really mean it."
        )
    return base_url.rstrip("/")


def timeout_of(value: float | aiohttp.ClientTimeout) -> aiohttp.ClientTimeout:
    if isinstance(value, aiohttp.ClientTimeout):
        return value
    if value <= 0:
        raise ValueError(f"timeout must be positive, got {value!r}")
    return aiohttp.ClientTimeout(total=None, connect=value, sock_read=value)


def positive_int(value: object, parameter: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{parameter} must be an int >= 1, not {value!r}")
    return value


def read_token(token: str | None) -> Secret:
    """Read the key from ``token`` or the environment, stripped and checked; never shown."""
    if token is None:
        token, parameter = os.environ.get(TOKEN_ENV_VAR, ""), TOKEN_ENV_VAR
    else:
        parameter = "token"
    if not isinstance(token, str):
        raise TypeError(f"token must be a str, not {type(token).__name__}")
    if not token.strip():
        raise ValueError(f"no Fastly API token: pass FastlyAsync(token) or set {TOKEN_ENV_VAR}")
    return Secret(check_secret(token, parameter))


def read_base_url(base_url: str | None, *, allow_insecure_http: bool) -> str:
    """Choose the API root: ``base_url``, else ``FASTLY_API_URL``, else Fastly's; checked."""
    chosen = base_url or os.environ.get(BASE_URL_ENV_VAR) or DEFAULT_BASE_URL
    return check_base_url(chosen, allow_insecure_http=allow_insecure_http)
