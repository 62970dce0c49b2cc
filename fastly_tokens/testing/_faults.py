"""Switchable misbehaviour: 5xx, dropped connections, slowness, broken and hostile answers.

Faults are matched in the order they were added; the first one that matches and wins its
probability roll is applied to the request, and counts one hit.

Kinds, and the parameters each reads (``headers`` adds to, or overrides, the headers of
every kind's answer, after the edge's own):

- ``status``: answer ``status`` (default 503, an HTML page; others ``{"msg"}``) without acting.
- ``drop_before`` / ``drop_after``: close the connection before / after the server acts.
- ``slow``: wait ``delay`` seconds, then answer normally.
- ``malformed``: act, then answer 200 with the body cut in half.
- ``echo_headers``: answer ``status`` (default 502) with a JSON ``msg`` and ``detail`` that
  echo the request line and every request header, ``Fastly-Key`` included, as a broken proxy
  would; nothing is acted on.
- ``huge_body``: answer ``status`` (default 200) with a valid JSON array of exactly ``size``
  bytes (default 256 MiB), streamed with its ``Content-Length``.
- ``nested_json``: answer ``status`` (default 200) with ``depth`` (default 100,000) nested
  arrays, ``[[[...]]]``.
- ``gzip_bomb``: answer ``status`` (default 200) with ``Content-Encoding: gzip``: about 1 MiB
  on the wire that inflates to ``size`` bytes (default 1 GiB) of valid JSON.
- ``endless``: answer 200 with a chunked JSON array that never ends, ``delay`` seconds between
  chunks, until the client goes away or the fake closes.
- ``headers``: act and answer normally, with ``headers`` added or overridden (e.g.
  ``{"Fastly-RateLimit-Reset": "99999999999999"}`` or ``{"Retry-After": "1e308"}``).
- ``body``: answer ``status`` (default 200) with ``body`` (bytes as given, a str encoded as
  UTF-8, anything else as JSON) and ``content_type`` (default ``application/json``).

Every kind but ``drop_after``, ``malformed`` and ``headers`` answers in place of the API:
the request is not acted on and no write budget is spent.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Mapping
from typing import Any, Literal, get_args

import attrs

FaultKind = Literal[
    "status",
    "drop_before",
    "drop_after",
    "slow",
    "malformed",
    "echo_headers",
    "huge_body",
    "nested_json",
    "gzip_bomb",
    "endless",
    "headers",
    "body",
]
FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))

_DEFAULT_STATUS: dict[str, int] = {
    "status": 503,
    "echo_headers": 502,
}
DEFAULT_HUGE_SIZE = 256 * 1024 * 1024
DEFAULT_BOMB_SIZE = 1024 * 1024 * 1024
DEFAULT_DEPTH = 100_000
JSON_MEDIA_TYPE = "application/json"


@attrs.define(eq=False)
class Fault:
    """One registered fault; a handle to inspect (``hits``) or ``remove()`` it."""

    kind: FaultKind
    times: int | None
    method: str | None
    path: str | None
    status: int
    delay: float
    probability: float
    size: int = 0
    depth: int = DEFAULT_DEPTH
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = attrs.field(default=None, repr=False)
    content_type: str = JSON_MEDIA_TYPE
    hits: int = 0
    _owner: Faults | None = attrs.field(default=None, repr=False, alias="owner")

    @property
    def exhausted(self) -> bool:
        """Whether it has hit ``times`` requests already."""
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, path: str) -> bool:
        """Whether a request's method and path are in this fault's reach."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is None:
            return True
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path

    def remove(self) -> None:
        """Stop applying this fault."""
        if self._owner is not None:
            self._owner.remove(self)


def _as_bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body, separators=(",", ":")).encode()


def _check_size(kind: str, size: int | None) -> int:
    if size is None:
        return DEFAULT_BOMB_SIZE if kind == "gzip_bomb" else DEFAULT_HUGE_SIZE
    if size < 2:
        raise ValueError("size must be >= 2 bytes (the smallest JSON array, '[]')")
    return size


def _check_options(
    kind: str, *, times: int | None, probability: float, status: int, depth: int
) -> None:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
    if times is not None and times < 1:
        raise ValueError("times must be >= 1 or None")
    if not 0.0 <= probability <= 1.0:
        raise ValueError("probability must be within [0, 1]")
    if not 100 <= status <= 599:
        raise ValueError("status must be an HTTP status code")
    if depth < 1:
        raise ValueError("depth must be >= 1")


class Faults:
    """The faults currently switched on, with a seeded RNG for probabilistic ones."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)  # noqa: S311 - fault injection, not cryptography
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        kind: FaultKind,
        *,
        times: int | None = 1,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        delay: float = 0.0,
        probability: float = 1.0,
        size: int | None = None,
        depth: int = DEFAULT_DEPTH,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        content_type: str = JSON_MEDIA_TYPE,
    ) -> Fault:
        """Switch a fault on for the next ``times`` matching requests (None: forever).

        ``path`` is an exact request path, or a prefix ending in ``*``. The module
        docstring lists the kinds and the parameters each one reads.
        """
        resolved = status if status is not None else _DEFAULT_STATUS.get(kind, 200)
        _check_options(kind, times=times, probability=probability, status=resolved, depth=depth)
        if kind == "headers" and not headers:
            raise ValueError("a 'headers' fault needs headers={...}")
        if kind == "body" and body is None:
            raise ValueError("a 'body' fault needs body=...")
        fault = Fault(
            kind=kind,
            times=times,
            method=method,
            path=path,
            status=resolved,
            delay=delay,
            probability=probability,
            size=_check_size(kind, size) if kind in ("huge_body", "gzip_bomb") else 0,
            depth=depth,
            headers=tuple((str(k), str(v)) for k, v in (headers or {}).items()),
            body=None if body is None else _as_bytes(body),
            content_type=content_type,
            owner=self,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Switch one fault off."""
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        """Return the faults that can still hit, in matching order."""
        with self._lock:
            return [f for f in self._faults if not f.exhausted]

    def take(self, method: str, path: str) -> Fault | None:
        """Pick the fault to apply to this request, if any, and count the hit."""
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or not fault.matches(method, path):
                    continue
                if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                    continue
                fault.hits += 1
                return fault
        return None
