"""The answers of a hostile server: echoed secrets, huge, nested, compressed and endless bodies.

Each builder returns an ``aiohttp.web.Response`` the edge middleware sends in place of the
API's answer. Large bodies are streamed or built without holding them in memory: the gzip
bomb is about 1 MiB whatever it inflates to, and is built once per size.
"""

from __future__ import annotations

import asyncio
import functools
import json
import struct
import zlib
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from ._faults import Fault
from ._http import STOPPING

_CHUNK = 64 * 1024
_BOMB_BLOCK = 1024 * 1024
# gzip member header: magic, deflate, no flags, mtime 0, best compression, unknown OS.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


def _json_response(
    status: int, data: bytes, content_type: str = "application/json"
) -> web.Response:
    response = web.Response(status=status, body=data)
    response.headers["Content-Type"] = content_type
    return response


def echo_headers(request: web.Request, status: int) -> web.Response:
    """Answer an error whose ``msg`` and ``detail`` repeat the request, secrets and all."""
    lines = [f"{request.method} {request.path_qs}"]
    lines.extend(f"{name}: {value}" for name, value in request.headers.items())
    echoed = "\n".join(lines)
    body = {"msg": f"Upstream request failed:\n{echoed}", "detail": echoed}
    return _json_response(status, json.dumps(body).encode())


async def _zeros_array(size: int) -> AsyncIterator[bytes]:
    """Yield exactly ``size`` bytes of ``[0,0,...,0]`` (a space pads an even size)."""
    if size == 2:
        yield b"[]"
        return
    pairs, pad = divmod(size - 3, 2)
    yield b"["
    chunk = b"0," * (_CHUNK // 2)
    full, rest = divmod(pairs, _CHUNK // 2)
    for _ in range(full):
        yield chunk
    yield b"0," * rest + b"0" + b" " * pad + b"]"


def huge_body(status: int, size: int) -> web.Response:
    """Stream a valid JSON array of exactly ``size`` bytes, with its Content-Length."""
    response = web.Response(status=status, body=_zeros_array(size))
    response.headers["Content-Type"] = "application/json"
    response.headers["Content-Length"] = str(size)
    return response


def nested_json(status: int, depth: int) -> web.Response:
    """``depth`` nested arrays: valid JSON that overflows a recursive parser's stack."""
    return _json_response(status, b"[" * depth + b"]" * depth)


@functools.lru_cache(maxsize=4)
def gzip_bomb_bytes(size: int) -> bytes:
    """Gzip of ``[`` + spaces + ``]`` (``size`` bytes inflated), built in about 1 MiB.

    After a full flush the compressor's state is reset, so every identical block compresses
    to identical bytes: compress one block, repeat its output, and compute the CRC by blocks.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [_GZIP_HEADER, compressor.compress(b"[") + compressor.flush(zlib.Z_FULL_FLUSH)]
    crc = zlib.crc32(b"[")
    full, rest = divmod(size - 2, _BOMB_BLOCK)
    if full:
        block = b" " * _BOMB_BLOCK
        parts.append((compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)) * full)
        for _ in range(full):
            crc = zlib.crc32(block, crc)
    tail = b" " * rest + b"]"
    crc = zlib.crc32(tail, crc)
    parts.append(compressor.compress(tail) + compressor.flush(zlib.Z_FINISH))
    parts.append(struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF))
    return b"".join(parts)


def gzip_bomb(status: int, size: int) -> web.Response:
    """About 1 MiB on the wire, ``Content-Encoding: gzip``, inflating to ``size`` bytes."""
    response = _json_response(status, gzip_bomb_bytes(size))
    response.headers["Content-Encoding"] = "gzip"
    return response


async def _forever(request: web.Request, delay: float) -> AsyncIterator[bytes]:
    chunk = b"0," * (_CHUNK // 2)
    yield b"["
    while not request.app[STOPPING].is_set():
        # Sleeping (even 0 s) yields to the loop, so one stream never starves the others.
        await asyncio.sleep(delay)
        yield chunk
    # The fake is closing: cut the connection, so the client sees a broken body rather than a
    # cleanly ended (and truncated) one, and shutdown does not wait for this stream.
    if request.transport is not None:
        request.transport.abort()


def endless(request: web.Request, status: int, delay: float) -> web.Response:
    """Stream a chunked JSON array that never ends, until the client or the fake goes away."""
    response = web.Response(status=status, body=_forever(request, delay))
    response.headers["Content-Type"] = "application/json"
    return response


def custom_body(fault: Fault) -> web.Response:
    """Answer with the fault's own body, status and content type."""
    return _json_response(fault.status, fault.body or b"", fault.content_type)


_BUILDERS: dict[str, Callable[[web.Request, Fault], web.Response]] = {
    "echo_headers": lambda request, fault: echo_headers(request, fault.status),
    "huge_body": lambda _, fault: huge_body(fault.status, fault.size),
    "nested_json": lambda _, fault: nested_json(fault.status, fault.depth),
    "gzip_bomb": lambda _, fault: gzip_bomb(fault.status, fault.size),
    "endless": lambda request, fault: endless(request, fault.status, fault.delay),
    "body": lambda _, fault: custom_body(fault),
}
HOSTILE_KINDS = frozenset(_BUILDERS)


def hostile(request: web.Request, fault: Fault) -> web.Response:
    """Build the answer of a hostile fault (one of :data:`HOSTILE_KINDS`)."""
    return _BUILDERS[fault.kind](request, fault)
