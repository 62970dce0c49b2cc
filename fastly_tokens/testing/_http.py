"""What every handler shares: the app's view of the fake, rendering, and who is calling.

Handlers see the fake through :class:`Served`, a protocol ``FakeFastly`` satisfies, so the
web layer never imports the facade that builds it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Protocol

from aiohttp import web

from ._budget import Budget
from ._faults import Faults
from ._log import RecordedRequest
from ._records import FakeToken
from ._settings import Behaviour
from ._state import Store

JSON_API = "application/vnd.api+json"


class Served(Protocol):
    """What the web app reads and changes of the fake it serves."""

    @property
    def store(self) -> Store: ...
    @property
    def faults(self) -> Faults: ...
    @property
    def requests(self) -> list[RecordedRequest]: ...
    @property
    def behaviour(self) -> Behaviour: ...
    @property
    def clock(self) -> Callable[[], float]: ...


FAKE: web.AppKey[Served] = web.AppKey("fastly_tokens_fake")
# Set when the app shuts down, so that endless streams end instead of holding shutdown up.
STOPPING: web.AppKey[asyncio.Event] = web.AppKey("fastly_tokens_fake_stopping")
# The budget a write was charged, for the middleware to send back as headers. A
# context variable, not request storage: string request keys warn on aiohttp 3.14 and
# web.RequestKey does not exist on 3.12. Handlers run in the middleware's task.
BUDGET: ContextVar[Budget | None] = ContextVar("fastly_tokens_fake_budget", default=None)


def served(request: web.Request) -> Served:
    """Return the fake this request's app serves."""
    return request.app[FAKE]


def store_of(request: web.Request) -> Store:
    """Return the store of the fake this request's app serves."""
    return request.app[FAKE].store


def json_response(
    body: Any, status: int = 200, content_type: str = "application/json"
) -> web.Response:
    """Render JSON; ``body=`` (not ``text=``) so the Content-Type has no charset."""
    data = json.dumps(body, separators=(",", ":")).encode()
    response = web.Response(status=status, body=data)
    response.headers["Content-Type"] = content_type
    return response


def no_content() -> web.Response:
    """Answer 204: no body, no Content-Type."""
    return web.Response(status=204)


def client_ip(request: web.Request) -> str | None:
    """Return the address of the peer, as Fastly records it on tokens and events."""
    return request.remote


def reader(request: web.Request) -> FakeToken:
    """Authenticate the ``Fastly-Key`` of a read: 401 if missing, unknown or expired."""
    return store_of(request).authenticate(
        request.headers.get("Fastly-Key"),
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent"),
    )


def charge(request: web.Request, budget_id: str) -> None:
    """Spend one write of ``budget_id``'s window; its figures go back as headers; 429."""
    store = store_of(request)
    budget = store.spend(budget_id)
    BUDGET.set(budget)
    if not budget.allowed:
        raise store.rate_limited()


def writer(request: web.Request) -> FakeToken:
    """Authenticate a write: 401, then charge the budget (429), then 403 if read-only."""
    store = store_of(request)
    token = reader(request)
    charge(request, store.budget_id(token))
    store.check_writable(token)
    return token
