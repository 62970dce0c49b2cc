"""The main job, end to end, on the embedded fake: no Fastly account needed.

Starts FakeFastly on loopback with a few hundred seeded tokens, then, as a real job would:
shows the current token, lists the user's tokens, and revokes the expired ones in one
``DELETE /tokens`` request per chunk.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastly_tokens import FastlyAsync
from fastly_tokens.testing import FakeFastly

CHUNK = 100


async def main() -> None:
    async with FakeFastly(seed_tokens=500, seed=7) as fake:
        print(f"FakeFastly serving at {fake.base_url}")
        async with FastlyAsync(fake.key, base_url=fake.base_url) as fastly:
            me = await fastly.tokens.get_token_current()
            print(f"current token: {me.id} ({me.name}), scope {' '.join(sorted(me.scope))}")

            tokens = await fastly.tokens.list_tokens_user()
            now = datetime.now(UTC)
            expired = [t.id for t in tokens if t.is_expired(now) and t.id != me.id]
            print(f"listed {len(tokens)} tokens; {len(expired)} have expired")

            for start in range(0, len(expired), CHUNK):
                await fastly.tokens.bulk_revoke_tokens(expired[start : start + CHUNK])
            left = await fastly.tokens.list_tokens_user()
            print(
                f"revoked {len(tokens) - len(left)} expired tokens in "
                f"{-(-len(expired) // CHUNK)} requests; {len(left)} tokens remain; "
                f"rate-limit budget left: {fastly.rate_limit.remaining}"
            )
            if any(t.is_expired(now) for t in left if t.id != me.id):
                raise SystemExit("an expired token survived the job")


if __name__ == "__main__":
    asyncio.run(main())
