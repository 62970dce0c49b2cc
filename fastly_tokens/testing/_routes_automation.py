"""The automation-token endpoints: thin handlers over ``_automation``'s rules."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ._automation import create, delete, listing, lookup, parse_automation_create, services
from ._http import client_ip, json_response, reader, store_of, writer
from ._paging import Cut
from ._render import (
    automation_created_body,
    automation_get_body,
    automation_list_item,
    page_meta,
)


def _paged(data: list[Any], page: Cut[Any]) -> web.Response:
    meta = page_meta(page.page.number, page.page.size, page.record_count, page.total_pages)
    return json_response({"data": data, "meta": meta})


async def create_automation_token(request: web.Request) -> web.Response:
    """POST /automation-tokens: 200 (as recorded; the spec says 201), no rate-limit headers."""
    body = await request.read()
    store = store_of(request)
    with store.lock:
        # Authenticated as a read: this answer carries no budget figures.
        caller = reader(request)
        wanted = parse_automation_create(body, request.headers.get("Content-Type"))
        token = create(store, caller, wanted, client_ip(request))
        return json_response(automation_created_body(token, list(wanted.services)))


async def list_automation_tokens(request: web.Request) -> web.Response:
    """GET /automation-tokens: ``{data, meta}``, paged by ``page``/``per_page``, no links."""
    store = store_of(request)
    with store.lock:
        page = listing(store, reader(request), request.query)
        return _paged([automation_list_item(t) for t in page.items], page)


async def get_automation_token(request: web.Request) -> web.Response:
    """GET /automation-tokens/{id}."""
    store = store_of(request)
    with store.lock:
        token = lookup(store, reader(request), request.match_info["token_id"])
        return json_response(automation_get_body(token))


async def automation_token_services(request: web.Request) -> web.Response:
    """GET /automation-tokens/{id}/services: ``{data: [service_id, ...], meta}``."""
    store = store_of(request)
    with store.lock:
        page = services(store, reader(request), request.match_info["token_id"], request.query)
        return _paged(page.items, page)


async def delete_automation_token(request: web.Request) -> web.Response:
    """DELETE /automation-tokens/{id}: a 400 as reported, unless switched to work."""
    store = store_of(request)
    with store.lock:
        caller = writer(request)
        token = delete(store, caller, request.match_info["token_id"], client_ip(request))
        return json_response(automation_get_body(token))


def add_routes(app: web.Application) -> None:
    """Route the automation-token endpoints."""
    app.router.add_post("/automation-tokens", create_automation_token)
    app.router.add_get("/automation-tokens", list_automation_tokens)
    app.router.add_get("/automation-tokens/{token_id}", get_automation_token)
    app.router.add_get("/automation-tokens/{token_id}/services", automation_token_services)
    app.router.add_delete("/automation-tokens/{token_id}", delete_automation_token)
