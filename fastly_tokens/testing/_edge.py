"""The edge in front of the API: latency, faults, Fastly's edge headers, and the request log."""

from __future__ import annotations

import asyncio
import time
from http import HTTPStatus

from aiohttp import web
from aiohttp.typedefs import Handler

from ._errors import ApiError
from ._faults import Fault
from ._hostile import HOSTILE_KINDS, hostile
from ._http import BUDGET, json_response, served
from ._log import RecordedRequest

_READS = frozenset({"GET", "HEAD"})

_HTML_503 = (
    "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
    "<body><h1>Error 503 Service Unavailable</h1><p>Service Unavailable</p>"
    "<h3>Guru Mediation:</h3><p>Details: cache-fake-FAKE1 {stamp}</p>"
    "<hr><p>Varnish cache server</p></body></html>\n"
)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _fault_status(status: int) -> web.Response:
    if status == 503:
        page = _HTML_503.format(stamp=int(time.time()))
        return web.Response(status=503, body=page.encode(), content_type="text/html")
    return json_response({"msg": _phrase(status)}, status=status)


def _malformed(response: web.StreamResponse) -> web.Response:
    raw = response.body if isinstance(response, web.Response) else None
    raw = raw if isinstance(raw, bytes) else b""
    broken = raw[: len(raw) // 2] if len(raw) > 2 else b'{"id": "'
    return web.Response(status=200, body=broken, content_type="application/json")


def _edge_headers(request: web.Request, response: web.StreamResponse, started: float) -> None:
    fake = served(request)
    headers = response.headers
    reading = request.method in _READS
    headers["Cache-Control"] = "no-cache" if reading else "no-store"
    headers["Strict-Transport-Security"] = "max-age=31536000"
    headers["Via"] = "1.1 varnish, 1.1 varnish"
    headers["X-Served-By"] = "cache-fake-FAKE1, cache-fake-FAKE2"
    headers["X-Cache"] = "MISS, MISS"
    elapsed_ms = int((time.monotonic() - started) * 1000)
    headers["X-Timer"] = f"S{time.time():.6f},VS0,VE{elapsed_ms}"
    headers["Status"] = f"{response.status} {_phrase(response.status)}".rstrip()
    budget = BUDGET.get()
    if budget is not None and not reading:
        headers.update(budget.headers())
        if response.status == 429 and fake.behaviour.retry_after:
            headers["Retry-After"] = str(budget.retry_after(fake.clock()))


def _drop(request: web.Request) -> web.Response:
    # Closing the transport makes aiohttp skip writing the response we return.
    request.protocol.force_close()
    return web.Response(status=500)


async def answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run a handler, turning :class:`ApiError` and aiohttp's HTTP errors into JSON."""
    try:
        return await handler(request)
    except ApiError as error:
        return json_response(error.body, status=error.status, content_type=error.content_type)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        response = json_response({"msg": error.reason}, status=error.status)
        if "Allow" in error.headers:
            response.headers["Allow"] = error.headers["Allow"]
        return response


async def _apply(
    request: web.Request, handler: Handler, fault: Fault | None
) -> web.StreamResponse | None:
    """Run the handler as the fault says; None means drop the connection."""
    kind = None if fault is None else fault.kind
    if fault is not None and kind in HOSTILE_KINDS:
        return hostile(request, fault)
    if fault is not None and kind == "status":
        return _fault_status(fault.status)
    if fault is not None and kind == "slow":
        await asyncio.sleep(fault.delay)
    response = None if kind == "drop_before" else await answer(request, handler)
    if response is None or kind == "drop_after":
        return None
    return _malformed(response) if kind == "malformed" else response


@web.middleware
async def edge_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Play the edge: latency, faults, edge headers, and the request log."""
    fake = served(request)
    started = time.monotonic()
    BUDGET.set(None)
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

    if fake.behaviour.latency > 0:
        await asyncio.sleep(fake.behaviour.latency)
    response = await _apply(request, handler, fault)
    if response is None:
        record(None)
        return _drop(request)
    _edge_headers(request, response, started)
    if fault is not None:
        response.headers.update(fault.headers)
    record(response.status)
    return response
