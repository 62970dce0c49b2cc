"""Row 7, automation tokens: 10,000 over 100 pages at 20 ms, read at once against in turn.

``GET /automation-tokens`` is paged (``page``, ``per_page`` up to 100, ``meta.total_pages``) and
sends no ``links`` and no ``Link`` header (fastly-account-api.md section 2, OBSERVED). One
account-sized fake in a subprocess (:mod:`._account_server`), 20 ms added to every response;
the superuser's key reads every page. Contenders:

* ours: ``client.automation_tokens.list_automation_tokens()`` on a default client
  (``max_concurrency=16``): the first page, then the rest at once within the client's bound;
* raw aiohttp, pages in turn: page 1, then 2 .. ``meta.total_pages`` one after another;
* raw aiohttp, the same window as ours: page 1, then the rest under ``Semaphore(16)``, dicts
  only: the transport's (and this fake's) limit at that concurrency;
* following links as go-fastly does: the next page is the ``Link: rel=next`` header's or the
  body's ``links.next``; Fastly sends neither, so it stops after page one (its figure says how
  many tokens it read).

The target is the issue's: ours within 1.2x of one page's time times ``ceil(pages /
concurrency)``, one page's time being the in-turn contender's time per page in the same round.
The fake serves every page from one Python process on one core, so its own time per page
(about 2 ms to render 100 tokens) adds up when 16 are asked at once, where Fastly's fleet would
answer them side by side: the raw line with ours' window shows how much of ours' time is that.
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import aiohttp

from fastly_tokens import FastlyAsync

from ._account_server import AccountServer
from ._contenders import open_ours, open_raw
from ._harness import (
    Config,
    Figure,
    Ratio,
    RowResult,
    Samples,
    figure,
    interleave,
    paired_ratio,
    timed,
)

ROW = "7 automation"
PER_PAGE = 100
TARGET = 1.2
OURS = "ours, list_automation_tokens() (max_concurrency={c})"
IN_TURN = "raw aiohttp, pages in turn by meta.total_pages"
WINDOW = "raw aiohttp, page 1 then the rest under Semaphore({c})"
LINKS = "following links page by page (go-fastly)"


def _page_url(base_url: str, number: int) -> str:
    return f"{base_url}/automation-tokens?page={number}&per_page={PER_PAGE}"


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[dict[str, Any], str | None]:
    """One page's document, and the next page's address if the answer names one."""
    async with session.get(url) as resp:
        body = await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"GET {url} -> {resp.status}")
        link = resp.links.get("next")
    document: dict[str, Any] = json.loads(body)
    following = (document.get("links") or {}).get("next")
    if link is not None:
        following = str(link.get("url"))
    return document, None if not following else urljoin(url, str(following))


async def _ours(client: FastlyAsync, expect: int) -> None:
    tokens = await client.automation_tokens.list_automation_tokens()
    if len(tokens) != expect:
        raise RuntimeError(f"ours listed {len(tokens)} automation tokens, expected {expect}")


async def _in_turn(session: aiohttp.ClientSession, base_url: str, expect: int) -> None:
    first, _ = await _get(session, _page_url(base_url, 1))
    items = list(first["data"])
    for number in range(2, int(first["meta"]["total_pages"]) + 1):
        page, _ = await _get(session, _page_url(base_url, number))
        items.extend(page["data"])
    if len(items) != expect:
        raise RuntimeError(f"raw in turn read {len(items)} automation tokens, expected {expect}")


async def _window(session: aiohttp.ClientSession, base_url: str, expect: int, c: int) -> None:
    first, _ = await _get(session, _page_url(base_url, 1))
    semaphore = asyncio.Semaphore(c)

    async def one(number: int) -> list[Any]:
        async with semaphore:
            page, _ = await _get(session, _page_url(base_url, number))
            return list(page["data"])

    rest = await asyncio.gather(*(one(n) for n in range(2, int(first["meta"]["total_pages"]) + 1)))
    if len(first["data"]) + sum(map(len, rest)) != expect:
        raise RuntimeError("raw with a window read the wrong number of automation tokens")


async def _links(session: aiohttp.ClientSession, base_url: str) -> int:
    """Follow next links from page one; the number of tokens read."""
    read = 0
    following: str | None = _page_url(base_url, 1)
    while following is not None:
        page, following = await _get(session, following)
        read += len(page["data"])
    return read


def run(cfg: Config, log: Callable[[str], None]) -> RowResult:
    """Measure row 7."""
    n, latency = cfg.automation_tokens, cfg.page_latency
    pages = math.ceil(n / PER_PAGE)
    result = RowResult()
    log(f"row {ROW}: seeding {n:,} automation tokens ({pages} pages), {latency * 1000:g} ms")
    with AccountServer(automation=n, latency=latency) as server, asyncio.Runner() as runner:
        base = server.base_url
        ours = runner.run(open_ours(base, server.superuser_key))
        c = ours.max_concurrency
        raw = runner.run(open_raw(server.superuser_key))
        links_read: list[int] = []

        def links() -> float:
            return timed(lambda: links_read.append(runner.run(_links(raw, base))), 1)

        contenders: dict[str, Callable[[], float]] = {
            OURS.format(c=c): lambda: timed(lambda: runner.run(_ours(ours, n)), 1),
            IN_TURN: lambda: timed(lambda: runner.run(_in_turn(raw, base, n)), 1),
            WINDOW.format(c=c): lambda: timed(lambda: runner.run(_window(raw, base, n, c)), 1),
            LINKS: links,
        }
        try:
            log(f"row {ROW}: warm-up")
            runner.run(_ours(ours, n))
            runner.run(_window(raw, base, n, c))
            log(f"row {ROW}: {len(contenders)} contenders x {cfg.rounds} rounds")
            samples = interleave(contenders, cfg.rounds, log=log)
        finally:
            runner.run(ours.close())
            runner.run(raw.close())
    _report(result, samples, n=n, pages=pages, c=c, links_read=links_read)
    result.notes.append(
        f"row 7: {n:,} automation tokens, {PER_PAGE} a page ({pages} pages), {latency * 1000:g} "
        f"ms added to every response by the fake (one process: it renders pages one at a "
        f"time); {cfg.rounds} rounds, interleaved. The bound is one page's time (raw in "
        f"turn / pages, same round) x ceil({pages} / {c}). Fastly's pages carry no links, so "
        "a client that follows links (go-fastly) reads page one only."
    )
    return result


def _report(
    result: RowResult,
    samples: Samples,
    *,
    n: int,
    pages: int,
    c: int,
    links_read: list[int],
) -> None:
    ours, window = OURS.format(c=c), WINDOW.format(c=c)
    waves = math.ceil(pages / c)
    bounds = [turn / pages * waves for turn in samples[IN_TURN]]
    ratio = statistics.median(o / b for o, b in zip(samples[ours], bounds, strict=True))
    result.ratios += [
        Ratio(ROW, f"ours / (one page x ceil({pages} / {c}))", ratio, ("<=", TARGET)),
        Ratio(ROW, "ours / raw in turn", paired_ratio(samples, ours, IN_TURN)),
        Ratio(ROW, f"ours / raw, the same window of {c}", paired_ratio(samples, ours, window)),
    ]
    for name in (ours, IN_TURN, window, LINKS):
        result.figures.append(figure(ROW, samples, name, unit="ms/list", scale=1e3))
    page_ms = [turn / pages * 1e3 for turn in samples[IN_TURN]]
    result.figures += [
        Figure(
            ROW,
            "one page (raw in turn / pages)",
            statistics.median(page_ms),
            "ms/page",
            (min(page_ms), max(page_ms)),
        ),
        Figure(
            ROW,
            f"bound: one page x ceil({pages} / {c}) = x {waves}",
            statistics.median(bounds) * 1e3,
            "ms/list",
            (min(bounds) * 1e3, max(bounds) * 1e3),
        ),
        Figure(
            ROW,
            "tokens read by following links",
            max(links_read, default=0),
            "tokens",
            note=f"of {n:,}",
        ),
    ]
