"""The account endpoints around tokens: sudo, users, and the audit log."""

from __future__ import annotations

from aiohttp import web

from ._http import client_ip, json_response, store_of, writer
from ._login import enter_sudo
from ._parse import parse_sudo_body
from ._render import sudo_body


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


def add_routes(app: web.Application) -> None:
    """Route the account endpoints."""
    app.router.add_post("/sudo", sudo)
