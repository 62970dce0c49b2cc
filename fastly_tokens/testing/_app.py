"""The aiohttp.web face of the fake: routes, thin handlers, and the edge middleware.

Handlers read the request, call :class:`~._state.Store` under its lock, and render
the result; the middleware adds latency, faults, edge headers and the request log.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextvars import ContextVar
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.typedefs import Handler

from ._budget import Budget
from ._errors import ApiError
from ._faults import Fault
from ._log import RecordedRequest
from ._parse import check_bulk_content_type, parse_bulk_body, parse_create_form
from ._records import FakeToken, created_body, token_body

if TYPE_CHECKING:
    from ._server import FakeFastly

FAKE: web.AppKey[FakeFastly] = web.AppKey("fastly_tokens_fake")
# The budget a write was charged, for the middleware to send back as headers. A
# context variable, not request storage: string request keys warn on aiohttp 3.14 and
# web.RequestKey does not exist on 3.12. Handlers run in the middleware's task.
_BUDGET: ContextVar[Budget | None] = ContextVar("fastly_tokens_fake_budget", default=None)
_READS = frozenset({"GET", "HEAD"})

_HTML_503 = (
    "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
    "<body><h1>Error 503 Service Unavailable</h1><p>Service Unavailable</p>"
    "<h3>Guru Mediation:</h3><p>Details: cache-fake-FAKE1 {stamp}</p>"
    "<hr><p>Varnish cache server</p></body></html>\n"
)


# -- rendering ------------------------------------------------------------------


def _json(body: Any, status: int = 200) -> web.Response:
    # body= (not text=) so Content-Type is exactly application/json, without charset.
    data = json.dumps(body, separators=(",", ":")).encode()
    return web.Response(status=status, body=data, content_type="application/json")


def _no_content() -> web.Response:
    return web.Response(status=204)


def _fault_status(status: int) -> web.Response:
    if status == 503:
        page = _HTML_503.format(stamp=int(time.time()))
        return web.Response(status=503, body=page.encode(), content_type="text/html")
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return _json({"msg": phrase}, status=status)


def _malformed(response: web.Response) -> web.Response:
    raw = response.body if isinstance(response.body, bytes) else b""
    broken = raw[: len(raw) // 2] if len(raw) > 2 else b'{"id": "'
    return web.Response(status=200, body=broken, content_type="application/json")


def _edge_headers(request: web.Request, response: web.StreamResponse, started: float) -> None:
    fake = request.app[FAKE]
    headers = response.headers
    reading = request.method in _READS
    headers["Cache-Control"] = "no-cache" if reading else "no-store"
    headers["Strict-Transport-Security"] = "max-age=31536000"
    headers["Via"] = "1.1 varnish, 1.1 varnish"
    headers["X-Served-By"] = "cache-fake-FAKE1, cache-fake-FAKE2"
    headers["X-Cache"] = "MISS, MISS"
    elapsed_ms = int((time.monotonic() - started) * 1000)
    headers["X-Timer"] = f"S{time.time():.6f},VS0,VE{elapsed_ms}"
    try:
        headers["Status"] = f"{response.status} {HTTPStatus(response.status).phrase}"
    except ValueError:
        headers["Status"] = str(response.status)
    budget = _BUDGET.get()
    if budget is not None and not reading:
        headers.update(budget.headers())
        if response.status == 429 and fake.retry_after:
            headers["Retry-After"] = str(budget.retry_after(fake.clock()))


def _drop(request: web.Request) -> web.Response:
    # Closing the transport makes aiohttp skip writing the response we return.
    request.protocol.force_close()
    return web.Response(status=500)


async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as error:
        return _json(error.body, status=error.status)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        response = _json({"msg": error.reason}, status=error.status)
        if "Allow" in error.headers:
            response.headers["Allow"] = error.headers["Allow"]
        return response


@web.middleware
async def edge_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Play the edge: latency, faults, edge headers, and the request log."""
    fake = request.app[FAKE]
    started = time.monotonic()
    _BUDGET.set(None)
    with fake.store.lock:
        sender = fake.store.find_by_secret(request.headers.get("Fastly-Key"))
    fault = fake.faults.take(request.method, request.path)

    def record(status: int | None) -> None:
        fake.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                status=status,
                token_id=None if sender is None else sender.id,
                fault=None if fault is None else fault.kind,
            )
        )

    if fake.latency > 0:
        await asyncio.sleep(fake.latency)
    response = await _apply(request, handler, fault)
    if response is None:
        record(None)
        return _drop(request)
    _edge_headers(request, response, started)
    record(response.status)
    return response


async def _apply(
    request: web.Request, handler: Handler, fault: Fault | None
) -> web.StreamResponse | None:
    """Run the handler as the fault says; None means drop the connection."""
    kind = None if fault is None else fault.kind
    if fault is not None and kind == "slow":
        await asyncio.sleep(fault.delay)
    if fault is not None and kind == "status":
        return _fault_status(fault.status)
    if kind == "drop_before":
        return None
    response = await _answer(request, handler)
    if kind == "drop_after":
        return None
    if kind == "malformed" and isinstance(response, web.Response):
        return _malformed(response)
    return response


# -- callers ----------------------------------------------------------------------


def _reader(request: web.Request) -> FakeToken:
    store = request.app[FAKE].store
    return store.authenticate(
        request.headers.get("Fastly-Key"),
        ip=request.remote,
        user_agent=request.headers.get("User-Agent"),
    )


def _charge(request: web.Request, user_id: str) -> None:
    budget = request.app[FAKE].store.spend(user_id)
    _BUDGET.set(budget)
    if not budget.allowed:
        raise request.app[FAKE].store.rate_limited()


def _writer(request: web.Request) -> FakeToken:
    """Authenticate a write: 401, then charge the budget (429), then 403 if read-only."""
    token = _reader(request)
    _charge(request, token.user_id)
    request.app[FAKE].store.check_writable(token)
    return token


# -- handlers -----------------------------------------------------------------------


async def get_self(request: web.Request) -> web.Response:
    """GET /tokens/self."""
    with request.app[FAKE].store.lock:
        return _json(token_body(_reader(request)))


async def revoke_self(request: web.Request) -> web.Response:
    """DELETE /tokens/self."""
    store = request.app[FAKE].store
    with store.lock:
        store.revoke(_writer(request))
    return _no_content()


async def list_tokens(request: web.Request) -> web.Response:
    """GET /tokens: the caller's own tokens, as a bare array."""
    store = request.app[FAKE].store
    with store.lock:
        caller = _reader(request)
        return _json([token_body(t) for t in store.live_tokens(user_id=caller.user_id)])


async def list_customer_tokens(request: web.Request) -> web.Response:
    """GET /customer/{customer_id}/tokens: for that customer's superusers only."""
    store = request.app[FAKE].store
    with store.lock:
        tokens = store.customer_tokens(_reader(request), request.match_info["customer_id"])
        return _json([token_body(t) for t in tokens])


async def get_token(request: web.Request) -> web.Response:
    """GET /tokens/{token_id}."""
    store = request.app[FAKE].store
    with store.lock:
        return _json(token_body(store.lookup(_reader(request), request.match_info["token_id"])))


async def revoke_token(request: web.Request) -> web.Response:
    """DELETE /tokens/{token_id}."""
    store = request.app[FAKE].store
    with store.lock:
        store.revoke(store.lookup(_writer(request), request.match_info["token_id"]))
    return _no_content()


async def create_token(request: web.Request) -> web.Response:
    """POST /tokens: 200 with the new token and its secret, shown only this once."""
    body = await request.read()
    store = request.app[FAKE].store
    with store.lock:
        key_given = "Fastly-Key" in request.headers
        if key_given:
            _writer(request)
        form = parse_create_form(
            body, request.headers.get("Content-Type"), request.headers.get("Authorization")
        )
        user = store.login(form.username, form.password, request.headers.get("Fastly-OTP"))
        if not key_given:
            _charge(request, user.id)
        return _json(created_body(store.create(user, form)))


async def bulk_revoke(request: web.Request) -> web.Response:
    """DELETE /tokens: revoke a JSON:API bulk batch in one request."""
    body = await request.read()
    fake = request.app[FAKE]
    with fake.store.lock:
        caller = _writer(request)
        check_bulk_content_type(request.headers.get("Content-Type"))
        ids = parse_bulk_body(body, fake.bulk_max)
        fake.store.bulk_revoke(caller, ids, partial=fake.bulk_partial)
    return _no_content()


def build_app(fake: FakeFastly) -> web.Application:
    """Build an application serving ``fake``; ``/tokens/self`` routes before ``/tokens/{id}``."""
    app = web.Application(middlewares=[edge_middleware])
    app[FAKE] = fake
    app.router.add_get("/tokens/self", get_self)
    app.router.add_delete("/tokens/self", revoke_self)
    app.router.add_get("/tokens", list_tokens)
    app.router.add_post("/tokens", create_token)
    app.router.add_delete("/tokens", bulk_revoke)
    app.router.add_get("/customer/{customer_id}/tokens", list_customer_tokens)
    app.router.add_get("/tokens/{token_id}", get_token)
    app.router.add_delete("/tokens/{token_id}", revoke_token)
    return app
