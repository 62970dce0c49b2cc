"""Switchable misbehaviour: 5xx, dropped connections, slowness, broken bodies.

Faults are matched in the order they were added; the first one that matches and
wins its probability roll is applied to the request, and counts one hit.
"""

from __future__ import annotations

import random
import threading
from typing import Literal, get_args

import attrs

FaultKind = Literal["status", "drop_before", "drop_after", "slow", "malformed"]
FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))


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
        status: int = 503,
        delay: float = 0.0,
        probability: float = 1.0,
    ) -> Fault:
        """Switch a fault on for the next ``times`` matching requests (None: forever).

        ``path`` is an exact request path, or a prefix ending in ``*``.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        if not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be within [0, 1]")
        if not 100 <= status <= 599:
            raise ValueError("status must be an HTTP status code")
        fault = Fault(
            kind=kind,
            times=times,
            method=method,
            path=path,
            status=status,
            delay=delay,
            probability=probability,
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
