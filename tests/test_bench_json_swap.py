"""The benchmarks' orjson trial swaps the decoder our calls really use, and puts it back.

``benchmarks._contenders.sdk_json_loads`` replaces ``json`` in the module that decodes every
body (``fastly_tokens._answers``); swapped into a module that decodes nothing, the "ours with
orjson" line would compare ours with itself.
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks._contenders import sdk_json_loads
from fastly_tokens import FastlyAsync


async def test_the_swapped_loads_decodes_every_body_until_the_block_ends(
    client: FastlyAsync,
) -> None:
    decoded: list[bytes] = []

    def loads(body: bytes) -> Any:
        decoded.append(body)
        return json.loads(body)

    with sdk_json_loads(loads):
        token = await client.tokens.get_token_current()
        listed = await client.tokens.list_tokens_user()
    assert len(decoded) == 2
    assert token.id.encode() in decoded[0]
    assert all(t.id.encode() in decoded[1] for t in listed)
    await client.tokens.get_token_current()
    assert len(decoded) == 2  # put back: the next call used json.loads
