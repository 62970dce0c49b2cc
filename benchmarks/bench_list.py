"""Row 2, list into models: ``list_tokens_user()`` of 2,000 tokens, against the transport.

The tokens are made through the API before the clock starts, so every contender reads the same
server: ``POST /tokens`` with the login the fake prints, each with one scope (``global``,
``global:read``, ``purge_select`` or ``purge_all`` in turn), one in five with an expiry and one
in four limited to services; three in four are then used once with their own key, which fills
``last_used_at``, ``ip`` and ``user_agent``, and leaves the rest null, as on a real account.
One scope each, because the official SDK 15.0.0 cannot read a space-joined scope such as
``"global:read global"`` even with ``_check_return_type=False`` (fastly-py #88/#94): a last
token with two scopes is added after the timed rounds, and the row notes what the official SDK
then does.

Contenders: ours (``list[Token]``), raw aiohttp + ``json.loads`` (dicts, no models), the
official SDK (``_check_return_type=False``), and ours and raw with ``orjson.loads``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import string
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

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

ROW = "2 list"
OURS = "ours, list_tokens_user() -> list[Token]"
RAW = "raw aiohttp + json.loads (dicts)"
OFFICIAL_NAME = "official fastly 15 (_check_return_type=False)"
OURS_ORJSON = "ours, orjson.loads swapped in"
RAW_ORJSON = "raw aiohttp + orjson.loads"
TARGET = 1.25
"""Issue 14: ours within 1.25 of raw aiohttp + json.loads (it was 1.5)."""
SCOPES = ("global", "global:read", "purge_select", "purge_all")


async def make_tokens(server: FakeServer, count: int) -> None:
    """Create ``count`` single-scope tokens through the API and use three in four of them."""
    services = ["".join(secrets.choice(string.ascii_letters) for _ in range(22)) for _ in range(4)]
    expiry = datetime.now(UTC) + timedelta(days=90)
    semaphore = asyncio.Semaphore(16)
    async with (
        FastlyAsync(server.key, base_url=server.base_url) as client,
        aiohttp.ClientSession() as session,
    ):

        async def one(i: int) -> None:
            async with semaphore:
                created = await client.tokens.create_token(
                    username=server.username,
                    password=server.password,
                    name=f"bench token #{i}",
                    scope=SCOPES[i % len(SCOPES)],
                    services=services[: 1 + i % 3] if i % 4 == 0 else (),
                    expires_at=expiry if i % 5 == 0 else None,
                )
                if i % 4 != 3:  # use it once with its own key
                    headers = {"Fastly-Key": created.access_token}
                    async with session.get(f"{server.base_url}/tokens/self", headers=headers) as r:
                        await r.read()
                        if r.status != 200:
                            raise RuntimeError(f"GET /tokens/self with a new key -> {r.status}")

        await asyncio.gather(*(one(i) for i in range(count)))


async def _ours(client: FastlyAsync, repeats: int, expect: int) -> None:
    for _ in range(repeats):
        tokens = await client.tokens.list_tokens_user()
        if len(tokens) != expect:
            raise RuntimeError(f"listed {len(tokens)} tokens, expected {expect}")


async def _raw(
    session: aiohttp.ClientSession, url: str, repeats: int, expect: int, loads: Loads
) -> None:
    for _ in range(repeats):
        async with session.get(url) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"GET {url} -> {resp.status}")
            if len(loads(body)) != expect:
                raise RuntimeError(f"listed the wrong number of tokens from {url}")


def run(cfg: Config, log: Callable[[str], None]) -> RowResult:
    """Measure row 2."""
    result = RowResult()
    expect = cfg.list_tokens
    repeats, official_repeats = cfg.list_repeats, cfg.official_list_repeats
    official_crash = ""
    with FakeServer() as server, asyncio.Runner() as runner:
        url = server.base_url + "/tokens"
        log(f"row {ROW}: creating {expect - 1:,} tokens through POST /tokens")
        runner.run(make_tokens(server, expect - 1))  # the key's own token is the last one
        ours = runner.run(open_ours(server.base_url, server.key))
        raw = runner.run(open_raw(server.key))
        contenders: dict[str, Callable[[], float]] = {
            OURS: lambda: timed(lambda: runner.run(_ours(ours, 1, expect)), 1),
            RAW: lambda: timed(lambda: runner.run(_raw(raw, url, 1, expect, json.loads)), 1),
        }
        if ORJSON_LOADS is not None:
            fast = ORJSON_LOADS

            def ours_orjson() -> float:
                with sdk_json_loads(fast):
                    return timed(lambda: runner.run(_ours(ours, 1, expect)), 1)

            contenders[OURS_ORJSON] = ours_orjson
            contenders[RAW_ORJSON] = lambda: timed(
                lambda: runner.run(_raw(raw, url, 1, expect, fast)), 1
            )
        api = None
        if OFFICIAL is not None and cfg.official:
            api = official_tokens_api(server.base_url, server.key, pool=1)

            def official_list() -> None:
                if len(api.list_tokens_user(_check_return_type=False)) != expect:
                    raise RuntimeError("the official SDK listed the wrong number of tokens")

            contenders[OFFICIAL_NAME] = lambda: timed(official_list, 1)
        try:
            log(f"row {ROW}: warm-up")
            runner.run(_ours(ours, 1, expect))
            runner.run(_raw(raw, url, 1, expect, json.loads))
            log(f"row {ROW}: {len(contenders)} contenders x {cfg.rounds} rounds")
            samples = interleave(
                contenders,
                cfg.rounds,
                log=log,
                blocks=repeats,
                blocks_for={OFFICIAL_NAME: official_repeats},
            )
            if api is not None:
                official_crash = runner.run(_official_on_two_scopes(ours, server, api))
        finally:
            runner.run(ours.close())
            runner.run(raw.close())

    official_note = missing_note(OFFICIAL is not None, cfg.official, "official SDK")
    orjson_note = missing_note(ORJSON_LOADS is not None, True, "orjson")
    result.ratios += [
        Ratio(
            ROW, "ours / raw aiohttp + json.loads", paired_ratio(samples, OURS, RAW), ("<=", TARGET)
        ),
        Ratio(
            ROW,
            "ours / official fastly 15",
            paired_ratio(samples, OURS, OFFICIAL_NAME),
            note=official_note,
        ),
        Ratio(
            ROW,
            "ours with orjson / ours with json",
            paired_ratio(samples, OURS_ORJSON, OURS),
            note=orjson_note,
        ),
        Ratio(
            ROW,
            "raw + orjson / raw + json",
            paired_ratio(samples, RAW_ORJSON, RAW),
            note=orjson_note,
        ),
    ]
    for name in (OURS, RAW, OFFICIAL_NAME, OURS_ORJSON, RAW_ORJSON):
        note = ""
        if name not in samples:
            note = official_note if name == OFFICIAL_NAME else orjson_note
        result.figures.append(figure(ROW, samples, name, unit="ms/list", scale=1e3, note=note))
    result.notes.append(
        f"row 2: one GET /tokens returning {expect:,} tokens; {repeats} lists per contender per "
        f"round, interleaved one by one ({official_repeats} for the official SDK), {cfg.rounds} "
        "rounds. Tokens made with "
        "POST /tokens, one scope each, so that the official SDK can read them."
    )
    if official_crash:
        result.notes.append(
            'row 2: with one token of two scopes ("global:read global") added, the official '
            f"SDK's list_tokens_user(_check_return_type=False) {official_crash}; ours reads it."
        )
    return result


async def _official_on_two_scopes(ours: FastlyAsync, server: FakeServer, api: Any) -> str:
    """Add one two-scope token, then say what the official SDK's list makes of it."""
    await ours.tokens.create_token(
        username=server.username, password=server.password, scope="global:read global"
    )
    listed = await ours.tokens.list_tokens_user()
    assert any(len(t.scope) == 2 for t in listed)
    try:
        await asyncio.to_thread(api.list_tokens_user, _check_return_type=False)
    except Exception as exc:
        return f"raises {type(exc).__name__} ({str(exc).splitlines()[0][:90]}...)"
    return "reads it"
