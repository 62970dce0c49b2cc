"""Row 5, budget: the requests spent revoking 10,000 ids with 10 foreign ids mixed in.

Nothing is timed here, so the fake runs in this process (FakeFastly, the same loop), which lets
the server's own request log confirm the count the job reports. The write budget is Fastly's
real one, 1,000 an hour: the job must fit in it. 9,990 ids are tokens of the key's user and 10
are tokens of another customer's user (``fake.foreign_user``), placed at random positions (a
fixed seed). Fastly refuses a whole batch when any id in it is not the caller's, so each chunk
holding a foreign id is bisected down to that id.

The lower bound is ``ceil(ids / chunk_size)``: one request per chunk, as if no id were refused.
The design's bound for k refused ids is that plus ``2 k ceil(log2(chunk_size))``.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable

from fastly_tokens import FastlyAsync, Outcome
from fastly_tokens.testing import FakeFastly

from ._harness import Config, Figure, Ratio, RowResult

ROW = "5 budget"
SEED = 5


async def _measure(cfg: Config) -> tuple[int, int, dict[Outcome, int], int]:
    """``(requests the job reports, requests the server saw, outcomes, budget left)``."""
    total, foreign = cfg.budget_ids, cfg.budget_foreign
    async with FakeFastly(seed=SEED) as fake:
        ids = [fake.add_token(name=f"budget {i}").id for i in range(total - foreign)]
        for position in sorted(random.Random(SEED).sample(range(total), foreign)):
            ids.insert(position, fake.add_token(fake.foreign_user, name="not ours").id)
        fake.reset_requests()
        async with FastlyAsync(fake.key, base_url=fake.base_url) as client:
            report = await client.tokens.revoke_many(
                ids, strategy="batch", chunk_size=cfg.chunk_size
            )
        seen = len(fake.requests_matching("DELETE", "/tokens*"))
        left = fake.rate_limit_remaining(fake.user)
    return report.requests, seen, report.counts, left


def run(cfg: Config, log: Callable[[str], None]) -> RowResult:
    """Measure row 5."""
    total, foreign, size = cfg.budget_ids, cfg.budget_foreign, cfg.chunk_size
    log(f"row {ROW}: revoking {total:,} ids, {foreign} foreign, {size} a chunk")
    requests, seen, counts, left = asyncio.run(_measure(cfg))
    if requests != seen:
        raise RuntimeError(f"the job reports {requests} requests, the server saw {seen}")
    lower = math.ceil(total / size)
    design = lower + 2 * foreign * math.ceil(math.log2(size))
    outcomes = ", ".join(f"{n:,} {o.value}" for o, n in counts.items() if n)
    result = RowResult()
    result.ratios.append(
        Ratio(
            ROW,
            f"requests / lower bound ceil({total:,} / {size})",
            requests / lower,
            ("<=", design / lower),
            note=f"bound: + 2k ceil(log2 {size}) for k={foreign}",
        )
    )
    result.figures += [
        Figure(ROW, f"requests spent, batch ({outcomes})", requests, "requests"),
        Figure(ROW, f"lower bound ceil({total:,} / {size})", lower, "requests"),
        Figure(ROW, f"design bound + 2 x {foreign} x ceil(log2 {size})", design, "requests"),
        Figure(ROW, "strategy 'each' would spend one per id", total, "requests"),
        Figure(ROW, "budget left of Fastly's 1,000 an hour", left, "requests"),
    ]
    result.notes.append(
        f"row 5: {total - foreign:,} of the user's tokens and {foreign} of another customer's, "
        f"at random positions (seed {SEED}); the count is the job's report.requests, checked "
        "against the server's own log; budget 1,000 writes an hour as on Fastly."
    )
    return result
