"""The aiohttp.web face of the fake: one application, the edge middleware, every route."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ._edge import edge_middleware
from ._http import FAKE, STOPPING, Served
from ._routes_account import add_routes as add_account_routes
from ._routes_automation import add_routes as add_automation_routes
from ._routes_tokens import add_routes as add_token_routes


async def _stopping(app: web.Application) -> None:
    app[STOPPING].set()


def build_app(fake: Served) -> web.Application:
    """Build an application serving ``fake``."""
    app = web.Application(middlewares=[edge_middleware])
    app[FAKE] = fake
    app[STOPPING] = asyncio.Event()
    app.on_shutdown.append(_stopping)
    add_token_routes(app)
    add_account_routes(app)
    add_automation_routes(app)
    return app
