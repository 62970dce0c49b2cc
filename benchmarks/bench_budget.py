"""Row 5, budget: the writes spent revoking 10,000 ids with 0, 10 and 5,000 bad ones.

Nothing is timed here, so the fake runs in this process (FakeFastly, the same loop), which lets
the server's own request log confirm the count each job reports. Three engines side by side:

* ``preflight``: today's default; reads (for free) the tokens the caller can revoke first, and
  sends only those;
* ``bisection``: the engine before the preflight (``preflight=False``): sends every id, and
  bisects each chunk Fastly refuses whole for a bad id in it;
* ``per id``: one ``DELETE /tokens/{id}`` for each id (``strategy="each"``, no preflight).

Bad ids are ids not live for the caller, of four kinds in turn: another customer's tokens and
ids that never existed (Fastly answers 404 for both), the caller's own tokens revoked already
(404 too), and a colleague's live tokens (403: the caller is no superuser); they are placed at
random positions (a fixed seed). The lower bound is ``ceil(good / chunk_size)``: one write per
chunk of the ids that can be revoked. The fake's budget is set beyond any row here, so that
the writes an engine would spend are counted rather than cut off at Fastly's 1,000 an hour
(the line "fits Fastly's hour" says whether they would have fitted).
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable
from typing import Any

from fastly_tokens import FastlyAsync
from fastly_tokens.testing import FakeFastly

from ._harness import Config, Figure, Ratio, RowResult

ROW = "5 budget"
SEED = 5
HOURLY = 1000
ENGINES: dict[str, dict[str, Any]] = {
    "preflight": {"strategy": "batch"},
    "bisection": {"strategy": "batch", "preflight": False},
    "per id": {"strategy": "each", "preflight": False},
}


async def _writes(cfg: Config, bad: int, options: dict[str, Any]) -> tuple[int, int]:
    """Writes one engine spends on ``budget_ids`` ids, ``bad`` of them not the caller's."""
    total = cfg.budget_ids
    async with FakeFastly(seed=SEED, rate_limit=10 * total) as fake:
        ids = [fake.add_token(name=f"budget {i}").id for i in range(total - bad)]
        bad_ids = _bad_ids(fake, bad)
        for position, token_id in zip(
            sorted(random.Random(SEED).sample(range(total), bad)), bad_ids, strict=True
        ):
            ids.insert(position, token_id)
        colleagues = [
            t.id
            for t in map(fake.token, bad_ids)
            if t is not None
            and t.customer_id == fake.user.customer_id
            and t.user_id != fake.user.id
        ]
        fake.reset_requests()
        async with FastlyAsync(fake.key, base_url=fake.base_url, max_concurrency=16) as client:
            report = await client.tokens.revoke_many(ids, chunk_size=cfg.chunk_size, **options)
        seen = len(fake.requests_matching("DELETE", "/tokens*"))
        if report.writes != seen:
            raise RuntimeError(f"the job reports {report.writes} writes, the server saw {seen}")
        if fake.tokens_of(fake.user) != [fake.token(fake.token_id)]:
            raise RuntimeError("a revocable token survived the job")
        if any(fake.is_revoked(token_id) for token_id in colleagues):
            raise RuntimeError("a colleague's token was revoked")
    return report.writes, report.reads


def _bad_ids(fake: FakeFastly, bad: int) -> list[str]:
    """``bad`` ids the caller cannot revoke: four kinds in turn (the module's docstring)."""
    colleague = fake.add_user(username="colleague@example.com")
    found: list[str] = []
    for i in range(bad):
        kind = i % 4
        if kind == 0:
            found.append(fake.add_token(fake.world.foreign_user, name="another customer's").id)
        elif kind == 1:
            found.append(f"never{i:017d}")
        elif kind == 2:
            token = fake.add_token(name="revoked already")
            fake.revoke(token.id)
            found.append(token.id)
        else:
            found.append(fake.add_token(colleague, name="a colleague's").id)
    return found


def run(cfg: Config, log: Callable[[str], None]) -> RowResult:
    """Measure row 5."""
    total, size = cfg.budget_ids, cfg.chunk_size
    result = RowResult()
    for bad in (0, cfg.budget_foreign, total // 2):
        log(f"row {ROW}: {total:,} ids, {bad:,} bad, {size} a chunk")
        lower = max(1, math.ceil((total - bad) / size))
        for engine, options in ENGINES.items():
            writes, reads = asyncio.run(_writes(cfg, bad, options))
            target = ("<=", 1.0) if engine == "preflight" else None
            result.ratios.append(
                Ratio(
                    ROW,
                    f"{bad:,} bad: {engine} writes / lower bound ceil({total - bad:,} / {size})",
                    writes / lower,
                    target,
                )
            )
            fits = "fits" if writes <= HOURLY else "does not fit"
            result.figures.append(
                Figure(
                    ROW,
                    f"{bad:,} bad, {engine} ({fits} Fastly's hour)",
                    writes,
                    "writes",
                    note=f"+ {reads} free reads" if reads else "",
                )
            )
    result.notes.append(
        f"row 5: {total:,} ids; bad ones, at random positions (seed {SEED}), of four kinds in "
        "turn: another customer's tokens, ids that never existed, the caller's own revoked "
        "already, a colleague's (the caller is no superuser); each engine's count is its "
        "report's writes, checked against the server's "
        "own log; the fake's budget is set beyond every run, so writes are counted, not cut."
    )
    return result
