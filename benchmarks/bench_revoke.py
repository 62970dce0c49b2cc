"""Row 3, revoke 2,000 ids: one request per id against the transport, and the batch job.

For each server latency (0 and 20 ms added to every response), one FakeFastly subprocess is
seeded with enough tokens of the key's user for every contender and round (``--tokens``), and
their ids are listed once; each job then revokes ids of its own that exist, so every request
succeeds with a 204. Contenders, each revoking 2,000 fresh ids per round:

* ours, each: ``revoke_many(ids, strategy="each", concurrency=32)`` on a client made with
  ``max_concurrency=32`` (the client bounds every request it sends; its default is 16);
* raw aiohttp: ``asyncio.gather`` of one ``DELETE /tokens/{id}`` per id under
  ``asyncio.Semaphore(32)``, the status checked, nothing else;
* the official SDK: ``revoke_token`` on a ``ThreadPoolExecutor(32)`` sharing one ``ApiClient``
  whose urllib3 pool holds 32 connections;
* ours, batch: ``revoke_many(ids)`` on the same client: ``DELETE /tokens`` with 100 ids each;
* ours, batch with a journal: the same, each request's entries written and fsynced before the
  request goes, as a resumable job does: what the journal costs;
* for reference, the official SDK's ``bulk_revoke_tokens`` with 100 ids each, one after another
  (a single call: no job, no bisection of a refused batch, no outcome per id).

Our jobs run with ``preflight=False`` here: this row measures the transport and the engine.
The preflight's cost is its free reads (``GET /tokens/self`` and one listing of the account,
whose size is the account's, not the job's); the writes it saves are row 5's.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import tempfile
from collections.abc import Callable
from typing import Any

import aiohttp

from fastly_tokens import FastlyAsync, Outcome

from ._contenders import OFFICIAL, official_tokens_api, open_ours, open_raw
from ._harness import (
    Config,
    FakeServer,
    Ratio,
    RowResult,
    Samples,
    chunks,
    figure,
    interleave,
    missing_note,
    paired_ratio,
    timed,
)

EACH_TARGET = 1.15
BATCH_TARGET = 0.05  # at least 20x faster than every per-id approach
JOURNAL_TARGET = 1.1  # the journal's fsyncs vanish next to a network round trip


def names(cfg: Config) -> dict[str, str]:
    c, size = cfg.concurrency, cfg.chunk_size
    return {
        "each": f"ours, revoke_many(strategy='each', concurrency={c})",
        "raw": f"raw aiohttp, gather + Semaphore({c})",
        "threads": f"official fastly 15, revoke_token on {c} threads",
        "batch": f"ours, revoke_many(strategy='batch'), {size} a chunk",
        "journal": f"ours, batch, {size} a chunk, with a journal (fsync per request)",
        "bulk": f"official fastly 15, bulk_revoke_tokens, {size} a batch in turn",
    }


async def list_ids(session: aiohttp.ClientSession, server: FakeServer) -> list[str]:
    """The ids of the key's user's tokens, less the key's own."""
    async with session.get(server.base_url + "/tokens") as resp:
        body = await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"GET /tokens -> {resp.status}")
    return [t["id"] for t in json.loads(body) if t["id"] != server.token_id]


async def _ours(
    client: FastlyAsync, ids: list[str], cfg: Config, strategy: str, journal: str | None = None
) -> None:
    if strategy == "each":
        report = await client.tokens.revoke_many(
            ids, strategy="each", concurrency=cfg.concurrency, preflight=False
        )
    else:
        report = await client.tokens.revoke_many(
            ids, strategy="batch", chunk_size=cfg.chunk_size, preflight=False, journal=journal
        )
    if report.counts[Outcome.REVOKED] != len(ids):
        raise RuntimeError(f"revoke_many({strategy}) did not revoke every id: {report.counts}")


async def _raw(session: aiohttp.ClientSession, base_url: str, ids: list[str], c: int) -> None:
    semaphore = asyncio.Semaphore(c)

    async def one(token_id: str) -> None:
        async with semaphore, session.delete(f"{base_url}/tokens/{token_id}") as resp:
            await resp.read()
            if resp.status != 204:
                raise RuntimeError(f"DELETE /tokens/{token_id} -> {resp.status}")

    await asyncio.gather(*(one(token_id) for token_id in ids))


def _one_latency(cfg: Config, latency: float, log: Callable[[str], None]) -> Samples:
    label = names(cfg)
    n = cfg.revoke_ids
    warm = min(n, 2 * cfg.concurrency)
    kinds = ["each", "raw", "batch", "journal"]
    official = OFFICIAL is not None and cfg.official
    if official:
        kinds += ["threads", "bulk"]
    total = len(kinds) * (cfg.rounds * n + warm)
    log(f"row 3 @ {latency * 1000:g} ms: seeding {total:,} tokens")
    with (
        FakeServer(tokens=total, latency=latency) as server,
        asyncio.Runner() as runner,
        tempfile.TemporaryDirectory() as scratch,
    ):
        base = server.base_url
        ours = runner.run(open_ours(base, server.key, max_concurrency=cfg.concurrency))
        raw = runner.run(open_raw(server.key))
        executor = concurrent.futures.ThreadPoolExecutor(cfg.concurrency)
        try:
            ids = runner.run(list_ids(raw, server))
            if len(ids) < total:
                raise RuntimeError(f"the server listed {len(ids)} ids, {total} needed")
            pools: dict[str, list[list[str]]] = {}
            for i, kind in enumerate(kinds):
                mine = ids[i * (total // len(kinds)) : (i + 1) * (total // len(kinds))]
                pools[kind] = [mine[:warm], *chunks(mine[warm:], n)]
            api: Any = (
                official_tokens_api(base, server.key, pool=cfg.concurrency) if official else None
            )

            def work(kind: str) -> Callable[[], object]:
                ids = pools[kind].pop(0)
                if kind in ("each", "batch"):
                    return lambda: runner.run(_ours(ours, ids, cfg, kind))
                if kind == "journal":
                    path = os.path.join(scratch, f"job-{len(pools[kind])}.jsonl")
                    return lambda: runner.run(_ours(ours, ids, cfg, "batch", journal=path))
                if kind == "raw":
                    return lambda: runner.run(_raw(raw, base, ids, cfg.concurrency))
                if kind == "threads":
                    return lambda: list(
                        executor.map(lambda token_id: api.revoke_token(token_id=token_id), ids)
                    )

                def bulk() -> None:
                    for chunk in chunks(ids, cfg.chunk_size):
                        data = [{"type": "token", "id": token_id} for token_id in chunk]
                        api.bulk_revoke_tokens(request_body={"data": data})

                return bulk

            for kind in kinds:  # warm-up: connections opened, threads started
                work(kind)()

            def contender(kind: str) -> Callable[[], float]:
                return lambda: timed(work(kind), 1)

            log(f"row 3 @ {latency * 1000:g} ms: {len(kinds)} contenders x {cfg.rounds} rounds")
            samples = interleave({label[k]: contender(k) for k in kinds}, cfg.rounds, log=log)
        finally:
            executor.shutdown(wait=True)
            runner.run(ours.close())
            runner.run(raw.close())
    return samples


def run(cfg: Config, log: Callable[[str], None]) -> RowResult:
    """Measure row 3 at every latency."""
    result = RowResult()
    label = names(cfg)
    official_note = missing_note(OFFICIAL is not None, cfg.official, "official SDK")
    slowest = max(cfg.latencies)
    for latency in cfg.latencies:
        samples = _one_latency(cfg, latency, log)
        row = f"3 revoke @{latency * 1000:g}ms"
        batch_target = ("<=", BATCH_TARGET) if latency == slowest and latency > 0 else None
        result.ratios += [
            Ratio(
                row,
                "ours each / raw gather",
                paired_ratio(samples, label["each"], label["raw"]),
                ("<=", EACH_TARGET),
            ),
            Ratio(
                row,
                "ours each / official on threads",
                paired_ratio(samples, label["each"], label["threads"]),
                note=official_note,
            ),
            Ratio(
                row,
                "ours batch / ours each",
                paired_ratio(samples, label["batch"], label["each"]),
                batch_target,
            ),
            Ratio(
                row,
                "ours batch with a journal / ours batch",
                paired_ratio(samples, label["journal"], label["batch"]),
                ("<=", JOURNAL_TARGET) if latency == slowest and latency > 0 else None,
            ),
            Ratio(
                row,
                "ours batch / raw gather",
                paired_ratio(samples, label["batch"], label["raw"]),
                batch_target,
            ),
            Ratio(
                row,
                "ours batch / official on threads",
                paired_ratio(samples, label["batch"], label["threads"]),
                batch_target if official_note == "" else None,
                note=official_note,
            ),
            Ratio(
                row,
                "ours batch / official bulk_revoke_tokens in turn",
                paired_ratio(samples, label["batch"], label["bulk"]),
                note=official_note,
            ),
        ]
        for kind in ("each", "raw", "threads", "batch", "journal", "bulk"):
            note = official_note if kind in ("threads", "bulk") and official_note else ""
            result.figures.append(
                figure(row, samples, label[kind], unit="s/job", scale=1.0, note=note)
            )
    result.notes.append(
        f"row 3: {cfg.revoke_ids:,} ids per job, fresh existing tokens for every job (seeded with "
        f"--tokens, listed once); {cfg.rounds} rounds; latency is added by the server to every "
        f"response. Ours runs on FastlyAsync(max_concurrency={cfg.concurrency}). The batch "
        f"target (ratio <= {BATCH_TARGET:g}, i.e. 20x faster) applies at "
        f"{slowest * 1000:g} ms."
    )
    return result
