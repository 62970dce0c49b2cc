"""The account endpoints around tokens: sudo, users, and the audit log."""

from __future__ import annotations

from aiohttp import web

from ._audit import events_document
from ._directory import current_user, customer_users, user
from ._http import JSON_API, client_ip, json_response, reader, store_of, writer
from ._login import enter_sudo
from ._parse import parse_sudo_body
from ._render import sudo_body, user_body


async def sudo(request: web.Request) -> web.Response:
    """POST /sudo: open the asking token's sudo window; a write of the budget."""
    body = await request.read()
    store = store_of(request)
    with store.lock:
        caller = writer(request)
        request_body = parse_sudo_body(body, request.headers.get("Content-Type"))
        expires = enter_sudo(
            store, caller, request_body, request.headers.get("Fastly-OTP"), client_ip(request)
        )
        return json_response(sudo_body(expires))


async def list_users(request: web.Request) -> web.Response:
    """GET /customer/{customer_id}/users: a bare array, no paging."""
    store = store_of(request)
    with store.lock:
        found = customer_users(store, reader(request), request.match_info["customer_id"])
        return json_response([user_body(u) for u in found])


async def get_current_user(request: web.Request) -> web.Response:
    """GET /current_user."""
    store = store_of(request)
    with store.lock:
        return json_response(user_body(current_user(store, reader(request))))


async def get_user(request: web.Request) -> web.Response:
    """GET /user/{user_id}."""
    store = store_of(request)
    with store.lock:
        return json_response(user_body(user(store, reader(request), request.match_info["user_id"])))


async def list_events(request: web.Request) -> web.Response:
    """GET /events: the audit log, JSON:API, filtered, sorted and paged."""
    store = store_of(request)
    with store.lock:
        base_url = f"{request.scheme}://{request.host}{request.path}"
        document = events_document(store, reader(request), request.query, base_url)
        return json_response(document, content_type=JSON_API)


def add_routes(app: web.Application) -> None:
    """Route the account endpoints."""
    app.router.add_post("/sudo", sudo)
    app.router.add_get("/customer/{customer_id}/users", list_users)
    app.router.add_get("/current_user", get_current_user)
    app.router.add_get("/user/{user_id}", get_user)
    app.router.add_get("/events", list_events)
