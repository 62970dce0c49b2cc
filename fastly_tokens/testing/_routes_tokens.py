"""The eight user-token endpoints: thin handlers over the store, under its lock."""

from __future__ import annotations

from aiohttp import web

from ._http import (
    charge,
    client_ip,
    json_response,
    no_content,
    reader,
    served,
    store_of,
    writer,
)
from ._login import create_user_token, key_login, keyless_login
from ._parse import check_bulk_content_type, parse_bulk_body, parse_create_form
from ._records import FakeToken
from ._render import created_body, token_body


async def get_self(request: web.Request) -> web.Response:
    """GET /tokens/self."""
    with store_of(request).lock:
        return json_response(token_body(reader(request)))


async def revoke_self(request: web.Request) -> web.Response:
    """DELETE /tokens/self."""
    store = store_of(request)
    with store.lock:
        caller = writer(request)
        store.destroy(caller, caller, ip=client_ip(request))
    return no_content()


async def list_tokens(request: web.Request) -> web.Response:
    """GET /tokens: the caller's own tokens, as a bare array."""
    store = store_of(request)
    with store.lock:
        caller = reader(request)
        return json_response([token_body(t) for t in store.live_tokens(user_id=caller.user_id)])


async def list_customer_tokens(request: web.Request) -> web.Response:
    """GET /customer/{customer_id}/tokens: for that customer's superusers only."""
    store = store_of(request)
    with store.lock:
        tokens = store.customer_tokens(reader(request), request.match_info["customer_id"])
        return json_response([token_body(t) for t in tokens])


async def get_token(request: web.Request) -> web.Response:
    """GET /tokens/{token_id}."""
    store = store_of(request)
    with store.lock:
        token = store.lookup(reader(request), request.match_info["token_id"])
        return json_response(token_body(token))


async def revoke_token(request: web.Request) -> web.Response:
    """DELETE /tokens/{token_id}."""
    store = store_of(request)
    with store.lock:
        caller = writer(request)
        token = store.lookup(caller, request.match_info["token_id"])
        store.destroy(caller, token, ip=client_ip(request))
    return no_content()


async def create_token(request: web.Request) -> web.Response:
    """POST /tokens: 200 with the new token and its secret, shown only this once.

    With ``Fastly-Key`` it is the key login (401, 429, 403 read-only, then sudo and the
    password); without, the keyless login. ``_login`` has the rules of both.
    """
    body = await request.read()
    store = store_of(request)
    with store.lock:
        form = parse_create_form(
            body, request.headers.get("Content-Type"), request.headers.get("Authorization")
        )
        otp = request.headers.get("Fastly-OTP")
        ip = client_ip(request)
        caller: FakeToken | None = None
        if "Fastly-Key" in request.headers:
            caller = writer(request)
            user = key_login(store, caller, form, otp, ip)
        else:
            user = keyless_login(store, form, otp, ip)
            charge(request, user.id)
        return json_response(created_body(create_user_token(store, user, form, caller, ip)))


async def bulk_revoke(request: web.Request) -> web.Response:
    """DELETE /tokens: revoke a JSON:API bulk batch in one request."""
    body = await request.read()
    fake = served(request)
    with fake.store.lock:
        caller = writer(request)
        check_bulk_content_type(request.headers.get("Content-Type"))
        ids = parse_bulk_body(body, fake.behaviour.bulk_max)
        fake.store.bulk_revoke(
            caller, ids, partial=fake.behaviour.bulk_partial, ip=client_ip(request)
        )
    return no_content()


def add_routes(app: web.Application) -> None:
    """Route the token endpoints; ``/tokens/self`` before ``/tokens/{token_id}``."""
    app.router.add_get("/tokens/self", get_self)
    app.router.add_delete("/tokens/self", revoke_self)
    app.router.add_get("/tokens", list_tokens)
    app.router.add_post("/tokens", create_token)
    app.router.add_delete("/tokens", bulk_revoke)
    app.router.add_get("/customer/{customer_id}/tokens", list_customer_tokens)
    app.router.add_get("/tokens/{token_id}", get_token)
    app.router.add_delete("/tokens/{token_id}", revoke_token)
