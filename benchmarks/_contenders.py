"""The contenders every row shares: our client, raw aiohttp, the official SDK, JSON decoders.

The official ``fastly`` SDK and orjson are installed in the ``bench`` nox session only; where
either is missing, its lines say "not installed" and the rest of the row still runs.
"""

from __future__ import annotations

import contextlib
import json
import types
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp

import fastly_tokens._answers as sdk_answers_module
from fastly_tokens import FastlyAsync

from ._harness import optional_module

__all__ = [
    "OFFICIAL",
    "ORJSON_LOADS",
    "Loads",
    "official_tokens_api",
    "open_ours",
    "open_raw",
    "sdk_json_loads",
]

Loads = Callable[[bytes], Any]

_orjson = optional_module("orjson")
ORJSON_LOADS: Loads | None = None if _orjson is None else _orjson.loads
"""``orjson.loads`` where orjson is installed."""

OFFICIAL = optional_module("fastly")
"""The official ``fastly`` SDK (15.x) where it is installed."""


def official_tokens_api(base_url: str, key: str, *, pool: int = 32) -> Any:
    """The official SDK's ``TokensApi`` on one ``ApiClient``, its urllib3 pool ``pool`` wide."""
    assert OFFICIAL is not None
    tokens_api = optional_module("fastly.api.tokens_api")
    assert tokens_api is not None
    cfg = OFFICIAL.Configuration(host=base_url)
    cfg.api_token = key
    cfg.connection_pool_maxsize = pool
    return tokens_api.TokensApi(OFFICIAL.ApiClient(cfg))


async def open_ours(base_url: str, key: str, *, max_concurrency: int = 16) -> FastlyAsync:
    """Our client with its defaults (retrying on), its session opened."""
    client = FastlyAsync(key, base_url=base_url, max_concurrency=max_concurrency)
    await client.__aenter__()
    return client


async def open_raw(key: str) -> aiohttp.ClientSession:
    """A bare aiohttp session with the headers Fastly needs: the transport's limit."""
    return aiohttp.ClientSession(headers={"Fastly-Key": key, "Accept": "application/json"})


@contextlib.contextmanager
def sdk_json_loads(loads: Loads) -> Iterator[None]:
    """Make our SDK decode response bodies with ``loads`` for the duration (orjson trial).

    The SDK reads every body through ``json.loads`` in ``fastly_tokens._answers`` (its
    ``load_json``); this swaps that module's ``json`` for one whose ``loads`` is ``loads``, and
    puts it back after. A measurement device only: the package itself is untouched. The test
    suite checks that the swapped ``loads`` is the one a call then uses.
    """
    namespace = vars(sdk_answers_module)
    original = namespace["json"]
    namespace["json"] = types.SimpleNamespace(loads=loads, dumps=json.dumps)
    try:
        yield
    finally:
        namespace["json"] = original
