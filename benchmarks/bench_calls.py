"""Row 1, per call: sequential ``get_token_current()`` against the transport and the official SDK.

Contenders, all against one FakeFastly in a subprocess (``GET /tokens/self``, no latency):

* ours: ``FastlyAsync`` with its defaults (retrying and rate-limit middlewares on), the body
  decoded and structured into a ``Token``;
* raw aiohttp: one ``ClientSession``, the same headers, the status checked and the body
  decoded with ``json.loads``, and nothing else (the transport's limit);
* the official ``fastly`` 15 SDK (sync, urllib3), with ``_check_return_type=False``: without it
  15.0.0 raises on the nulls Fastly sends (fastly-py #88/#94);
* ours and raw again with ``orjson.loads`` in place of ``json.loads``, to price the JSON
  library.

Each contender makes ``calls`` sequential calls per round; the figure is seconds per call.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import aiohttp

from fastly_tokens import FastlyAsync

from ._contenders import (
    OFFICIAL,
    ORJSON_LOADS,
    Loads,
    official_tokens_api,
    open_ours,
    open_raw,
    sdk_json_loads,
)
from ._harness import (
    Config,
    FakeServer,
    Ratio,
    RowResult,
    figure,
    interleave,
    missing_note,
    paired_ratio,
    timed,
)

ROW = "1 per call"
OURS = "ours (FastlyAsync, defaults)"
RAW = "raw aiohttp + json.loads"
OFFICIAL_NAME = "official fastly 15 (sync, _check_return_type=False)"
OURS_ORJSON = "ours, orjson.loads swapped in"
RAW_ORJSON = "raw aiohttp + orjson.loads"
TARGET = 1.1  # issue 14: was 1.2


async def _ours(client: FastlyAsync, calls: int) -> None:
    for _ in range(calls):
        await client.tokens.get_token_current()


async def _raw(session: aiohttp.ClientSession, url: str, calls: int, loads: Loads) -> None:
    for _ in range(calls):
        async with session.get(url) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"GET {url} -> {resp.status}")
            loads(body)


def run(cfg: Config, log: Callable[[str], None]) -> RowResult:
    """Measure row 1."""
    result = RowResult()
    blocks = max(1, min(cfg.blocks, cfg.calls))
    n = max(1, round(cfg.calls / blocks))  # calls per block
    with FakeServer() as server, asyncio.Runner() as runner:
        url = server.base_url + "/tokens/self"
        ours = runner.run(open_ours(server.base_url, server.key))
        raw = runner.run(open_raw(server.key))

        def per_call(work: Callable[[], object]) -> float:
            return timed(work, n)

        contenders: dict[str, Callable[[], float]] = {
            OURS: lambda: per_call(lambda: runner.run(_ours(ours, n))),
            RAW: lambda: per_call(lambda: runner.run(_raw(raw, url, n, json.loads))),
        }
        if ORJSON_LOADS is not None:
            fast_loads = ORJSON_LOADS

            def ours_orjson() -> float:
                with sdk_json_loads(fast_loads):
                    return per_call(lambda: runner.run(_ours(ours, n)))

            contenders[OURS_ORJSON] = ours_orjson
            contenders[RAW_ORJSON] = lambda: per_call(
                lambda: runner.run(_raw(raw, url, n, fast_loads))
            )
        if OFFICIAL is not None and cfg.official:
            api = official_tokens_api(server.base_url, server.key, pool=1)

            def official_calls() -> None:
                for _ in range(n):
                    api.get_token_current(_check_return_type=False)

            contenders[OFFICIAL_NAME] = lambda: per_call(official_calls)
        try:
            log(f"row {ROW}: warm-up")
            warm = max(1, min(cfg.warmup, cfg.calls))
            runner.run(_ours(ours, warm))
            runner.run(_raw(raw, url, warm, json.loads))
            if OFFICIAL_NAME in contenders:
                for _ in range(warm):
                    api.get_token_current(_check_return_type=False)
            log(
                f"row {ROW}: {len(contenders)} contenders x {cfg.rounds} rounds x {blocks} "
                f"blocks of {n:,} calls"
            )
            samples = interleave(contenders, cfg.rounds, log=log, blocks=blocks)
        finally:
            runner.run(ours.close())
            runner.run(raw.close())

    result.ratios.append(
        Ratio(
            ROW, "ours / raw aiohttp + json.loads", paired_ratio(samples, OURS, RAW), ("<=", TARGET)
        )
    )
    official_note = (
        ""
        if OFFICIAL_NAME in samples
        else missing_note(OFFICIAL is not None, cfg.official, "official SDK")
    )
    result.ratios.append(
        Ratio(
            ROW,
            "ours / official fastly 15",
            paired_ratio(samples, OURS, OFFICIAL_NAME),
            note=official_note,
        )
    )
    orjson_note = missing_note(ORJSON_LOADS is not None, True, "orjson")
    result.ratios.append(
        Ratio(
            ROW,
            "ours with orjson / ours with json",
            paired_ratio(samples, OURS_ORJSON, OURS),
            note=orjson_note,
        )
    )
    result.ratios.append(
        Ratio(
            ROW,
            "raw + orjson / raw + json",
            paired_ratio(samples, RAW_ORJSON, RAW),
            note=orjson_note,
        )
    )
    for name in (OURS, RAW, OFFICIAL_NAME, OURS_ORJSON, RAW_ORJSON):
        note = ""
        if name not in samples:
            note = official_note if name == OFFICIAL_NAME else orjson_note
        result.figures.append(figure(ROW, samples, name, unit="us/call", scale=1e6, note=note))
    result.notes.append(
        f"row 1: {n * blocks:,} sequential GET /tokens/self per contender per round in "
        f"{blocks} interleaved blocks, {cfg.rounds} rounds; "
        "FakeFastly in a subprocess, no latency. The official SDK runs with "
        "_check_return_type=False (it raises on the nulls in a real token without it)."
    )
    return result
