"""Row 8, inventory: 5,000 user tokens over 50 users, and the automation tokens, from reads only.

A superuser's ``client.inventory()`` reads ``GET /tokens/self`` and ``GET /current_user``, then
at once the customer's user tokens (one unpaged ``GET /customer/{id}/tokens``), its users (one
unpaged ``GET /customer/{id}/users``) and its automation tokens (``GET /automation-tokens``, 100
a page: page one, then the rest at once within the client's bound). Contenders, against one
account-sized fake in a subprocess (:mod:`._account_server`) with 20 ms added to every answer:

* ours: ``client.inventory()`` on a default client (``max_concurrency=16``);
* raw aiohttp, in turn: the same reads one after another, dicts only (what reading the pages
  in turn would take);
* raw aiohttp in ours' shape: the same reads, as many at once as ours sends them (the
  transport's limit for this work; the target is row 2's for a list read into models, 1.25).

Requests are counted by method in the server's own log (``fake.requests``), so that count runs
once more against a ``FakeFastly`` in this process, seeded the same way: the target is reads
only, zero writes, and the inventory's own ``reads`` must equal the log's count.
"""

from __future__ import annotations

import asyncio
import collections
import json
import math
from collections.abc import Callable
from typing import Any

import aiohttp

from fastly_tokens import FastlyAsync
from fastly_tokens.testing import FakeFastly

from ._account_server import AccountServer, seed
from ._contenders import open_ours, open_raw
from ._harness import (
    NO_LIMIT,
    Config,
    Figure,
    Ratio,
    RowResult,
    figure,
    interleave,
    paired_ratio,
    timed,
)

ROW = "8 inventory"
OURS = "ours, client.inventory() (max_concurrency=16)"
IN_TURN = "raw aiohttp, the same reads in turn"
PARALLEL = "raw aiohttp, the same reads in ours' shape (Semaphore(16))"
TARGET = 1.25
"""Row 2's target for a list read into models: the inventory is three such reads at once."""


async def _ours(client: FastlyAsync, expect: int) -> int:
    inventory = await client.inventory()
    if inventory.partial or len(inventory) != expect:
        raise RuntimeError(f"the inventory has {len(inventory)} entries, expected {expect}")
    return inventory.reads


async def _json(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url) as resp:
        body = await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"GET {url} -> {resp.status}")
    return json.loads(body)


async def _in_turn(session: aiohttp.ClientSession, base: str, expect: int) -> int:
    current = await _json(session, f"{base}/tokens/self")
    await _json(session, f"{base}/current_user")
    customer = current["customer_id"]
    tokens = list(await _json(session, f"{base}/customer/{customer}/tokens"))
    first = await _json(session, f"{base}/automation-tokens?page=1&per_page=100")
    tokens += first["data"]
    pages = int(first["meta"]["total_pages"])
    for number in range(2, pages + 1):
        page = await _json(session, f"{base}/automation-tokens?page={number}&per_page=100")
        tokens += page["data"]
    await _json(session, f"{base}/customer/{customer}/users")
    if len(tokens) != expect:
        raise RuntimeError(f"raw in turn read {len(tokens)} tokens, expected {expect}")
    return 4 + pages


async def _parallel(session: aiohttp.ClientSession, base: str, expect: int, c: int) -> int:
    """The same reads in ours' shape: two, then three at once, then the other pages at once."""
    current, _ = await asyncio.gather(
        _json(session, f"{base}/tokens/self"), _json(session, f"{base}/current_user")
    )
    customer = current["customer_id"]
    url = f"{base}/automation-tokens?page={{}}&per_page=100"
    tokens, first, _ = await asyncio.gather(
        _json(session, f"{base}/customer/{customer}/tokens"),
        _json(session, url.format(1)),
        _json(session, f"{base}/customer/{customer}/users"),
    )
    semaphore = asyncio.Semaphore(c)

    async def page(number: int) -> list[Any]:
        async with semaphore:
            return list((await _json(session, url.format(number)))["data"])

    pages = int(first["meta"]["total_pages"])
    rest = await asyncio.gather(*(page(n) for n in range(2, pages + 1)))
    if len(tokens) + len(first["data"]) + sum(map(len, rest)) != expect:
        raise RuntimeError("raw in parallel read the wrong number of tokens")
    return 4 + pages


async def _count(cfg: Config) -> tuple[collections.Counter[str], int, int]:
    """Requests by method in the server's log, the inventory's own count, and its entries."""
    async with FakeFastly(rate_limit=NO_LIMIT) as fake:
        seed(
            fake,
            users=cfg.inventory_users,
            user_tokens=cfg.inventory_tokens,
            automation=cfg.inventory_automation,
            rng_seed=7,
        )
        fake.reset_requests()
        async with FastlyAsync(fake.superuser_key, base_url=fake.base_url) as client:
            inventory = await client.inventory()
        methods = collections.Counter(r.method for r in fake.requests)
    return methods, inventory.reads, len(inventory)


def run(cfg: Config, log: Callable[[str], None]) -> RowResult:
    """Measure row 8."""
    users, automation = cfg.inventory_users, cfg.inventory_automation
    # The customer's tokens: the colleagues', plus the seeded user's and superuser's own.
    expect = cfg.inventory_tokens + 2 + automation
    pages = max(1, math.ceil(automation / 100))
    result = RowResult()
    log(f"row {ROW}: {cfg.inventory_tokens:,} tokens over {users} users, {automation:,} automation")
    with (
        AccountServer(
            users=users,
            user_tokens=cfg.inventory_tokens,
            automation=automation,
            latency=cfg.page_latency,
        ) as server,
        asyncio.Runner() as runner,
    ):
        base = server.base_url
        ours = runner.run(open_ours(base, server.superuser_key))
        c = ours.max_concurrency
        raw = runner.run(open_raw(server.superuser_key))
        contenders: dict[str, Callable[[], float]] = {
            OURS: lambda: timed(lambda: runner.run(_ours(ours, expect)), 1),
            IN_TURN: lambda: timed(lambda: runner.run(_in_turn(raw, base, expect)), 1),
            PARALLEL: lambda: timed(lambda: runner.run(_parallel(raw, base, expect, c)), 1),
        }
        try:
            log(f"row {ROW}: warm-up")
            reads = runner.run(_ours(ours, expect))
            raw_reads = runner.run(_in_turn(raw, base, expect))
            samples = interleave(contenders, cfg.rounds, log=log)
        finally:
            runner.run(ours.close())
            runner.run(raw.close())
    log(f"row {ROW}: counting requests in an in-process fake's log")
    methods, counted_reads, entries = asyncio.run(_count(cfg))
    if counted_reads != sum(methods.values()) or entries != expect:
        raise RuntimeError(f"the inventory counted {counted_reads} reads, the log {methods}")
    writes = sum(n for method, n in methods.items() if method != "GET")
    result.ratios += [
        Ratio(ROW, "writes (non-GET) in the server's log", writes, ("<=", 0), unit="writes"),
        Ratio(
            ROW,
            "ours / raw, the same reads in ours' shape",
            paired_ratio(samples, OURS, PARALLEL),
            ("<=", TARGET),
        ),
        Ratio(ROW, "ours / raw, the same reads in turn", paired_ratio(samples, OURS, IN_TURN)),
        Ratio(
            ROW,
            "raw in ours' shape / raw in turn (what reading at once saves)",
            paired_ratio(samples, PARALLEL, IN_TURN),
        ),
    ]
    result.figures += [
        figure(ROW, samples, OURS, unit="ms", scale=1e3, note=f"{reads} requests"),
        figure(ROW, samples, IN_TURN, unit="ms", scale=1e3, note=f"{raw_reads} requests"),
        figure(ROW, samples, PARALLEL, unit="ms", scale=1e3, note=f"{raw_reads} requests"),
        Figure(
            ROW,
            "requests by method in the server's log",
            sum(methods.values()),
            "requests",
            note=", ".join(f"{m} {n}" for m, n in sorted(methods.items())),
        ),
    ]
    result.notes.append(
        f"row 8: a superuser's inventory of {cfg.inventory_tokens:,} colleagues' tokens over "
        f"{users} users (+2 seeded keys) and {automation:,} automation tokens ({pages} pages), "
        f"{cfg.page_latency * 1000:g} ms added to every answer, {cfg.rounds} rounds; requests "
        "counted by method in an in-process fake's log, seeded the same way, and checked "
        f"against the inventory's reads. Targets: no write; ours within {TARGET:g}x of raw "
        "aiohttp making the same reads in the same shape (dicts, no models)."
    )
    return result
