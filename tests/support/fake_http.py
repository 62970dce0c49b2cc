"""Plain HTTP to a FakeFastly, as any client would send it, and the shapes it answers with.

What the tests of the fake itself use (``test_fake_*``): fakes to start on a shared clock, one
request read whole, the bulk and create bodies, and the keys each recorded answer carries.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from fastly_tokens.testing import DEMO_PASSWORD, FakeFastly

T0 = 1_700_000_000.0  # 22:13:20Z; its hourly window resets at 1_700_002_800
RESET = 1_700_002_800
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
BULK_TYPE = "application/vnd.api+json; ext=bulk"
MISSING_ID = "AAAAAAAAAAAAAAAAAAAAAA"

Make = Callable[..., Awaitable[FakeFastly]]


class Reply:
    """A response read to the end."""

    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


@asynccontextmanager
async def fakes(clock: Callable[[], float]) -> AsyncIterator[Make]:
    """Yield a factory of started fakes on ``clock``; close every one on exit."""
    started: list[FakeFastly] = []

    async def make(**options: Any) -> FakeFastly:
        options.setdefault("clock", clock)
        fake = FakeFastly(**options)
        await fake.start()
        started.append(fake)
        return fake

    try:
        yield make
    finally:
        for fake in started:
            await fake.close()


def session(**options: Any) -> aiohttp.ClientSession:
    """A plain aiohttp client with a recognisable User-Agent."""
    return aiohttp.ClientSession(headers={"User-Agent": "fake-tests/1.0"}, **options)


async def call(
    http: aiohttp.ClientSession,
    fake: FakeFastly,
    method: str,
    path: str,
    key: str | None = None,
    **kwargs: Any,
) -> Reply:
    """Send one request to ``fake`` (with ``Fastly-Key: key`` if given), read it whole."""
    headers = dict(kwargs.pop("headers", {}))
    if key is not None:
        headers["Fastly-Key"] = key
    async with http.request(method, fake.base_url + path, headers=headers, **kwargs) as resp:
        return Reply(resp.status, resp.headers, await resp.read())


def fetch(url: str, key: str | None = None, method: str = "GET") -> tuple[int, bytes]:
    """GET/DELETE with the standard library, the way sync code would."""
    headers = {} if key is None else {"Fastly-Key": key}
    # The tests only ever build http://127.0.0.1 URLs from the fake's base_url.
    request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:  # noqa: S310
            return resp.status, resp.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def bulk_body(*ids: str) -> str:
    return json.dumps({"data": [{"type": "token", "id": i} for i in ids]})


async def bulk(http: aiohttp.ClientSession, fake: FakeFastly, key: str, *ids: str) -> Reply:
    return await call(
        http,
        fake,
        "DELETE",
        "/tokens",
        key,
        data=bulk_body(*ids),
        headers={"Content-Type": BULK_TYPE},
    )


def create_form(fake: FakeFastly, **fields: Any) -> dict[str, Any]:
    return {"username": fake.user.username, "password": fake.user.password, **fields}


# -- automation tokens: the recorded keys of each answer, and a create call

AUTOMATION_CREATE_KEYS = {
    "id",
    "services",
    "name",
    "role",
    "access_token",
    "scope",
    "ip",
    "created_at",
    "last_used_at",
    "expires_at",
    "user_agent",
    "tls_access",
    "customer_id",
}
AUTOMATION_GET_KEYS = {
    "id",
    "services",
    "name",
    "role",
    "access_token",
    "scope",
    "ip",
    "created_at",
    "last_used_at",
    "expires_at",
    "user_agent",
}
AUTOMATION_LIST_KEYS = {
    "id",
    "creator_id",
    "customer_id",
    "name",
    "access_token",
    "role",
    "ip",
    "user_agent",
    "scopes",
    "services",
    "service_id",
    "sudo_expires_at",
    "last_used_at",
    "created_at",
    "expires_at",
    "tls_access",
}
RATE_HEADERS = ("Fastly-RateLimit-Remaining", "Fastly-RateLimit-Reset")


async def create_automation(
    http: aiohttp.ClientSession, fake: FakeFastly, body: Any, key: str | None = None
) -> Reply:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await call(
        http,
        fake,
        "POST",
        "/automation-tokens",
        key or fake.superuser_key,
        data=data,
        headers={"Content-Type": "application/json"},
    )


def superuser_sudo(fake: FakeFastly) -> None:
    fake.grant_sudo(fake.world.superuser_token.id)


SUDO_403 = {"msg": "You must POST /sudo to access this endpoint"}


async def post_sudo(
    http: aiohttp.ClientSession,
    fake: FakeFastly,
    key: str,
    *,
    otp: str | None = None,
    **fields: str,
) -> Reply:
    form = {"password": DEMO_PASSWORD, **fields}
    headers = {} if otp is None else {"Fastly-OTP": otp}
    return await call(http, fake, "POST", "/sudo", key, data=form, headers=headers)
