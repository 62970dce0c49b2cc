"""The preflight: which free reads show the tokens this caller can revoke.

Reads cost no budget, and a write sent for a token that is not there costs one, so before the
first write the job reads ``GET /tokens/self`` and then the widest listing the caller may read:
the customer's (``GET /customer/{id}/tokens``, superusers only) or else the caller's own
(``GET /tokens``). This module is the one place that knows which listings to consult. A refused
batch is settled by reading the same listing again (:meth:`Preflight.refresh`), once for every
batch refused at the same moment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs

from .._call import CallRecord
from .._errors import PermissionDeniedError
from .._ids import is_valid_id
from .._models import Token
from .ports import Lister

__all__ = ["Listing", "Preflight"]

_T = TypeVar("_T")


@attrs.frozen
class Listing:
    """The live token ids the caller can see, and where they were read."""

    live: frozenset[str]
    source: str
    """The read that listed them, e.g. ``GET /tokens``."""
    partial: bool
    """Only the caller's own tokens: it is not a superuser of the customer."""


class Preflight:
    """Reads the listing for a job, and reads it again when a batch is refused."""

    def __init__(self, lister: Lister, customer_id: str | None) -> None:
        self._lister = lister
        self._customer_id = customer_id
        self._source: str | None = None
        self._refreshing: asyncio.Future[frozenset[str]] | None = None
        self.reads = 0
        """Requests the reads sent (retries included)."""

    async def current(self) -> Token:
        """Read the token the job runs with."""
        return await self._read(self._lister.current)

    async def listing(self, current: Token) -> Listing:
        """Read the widest listing this caller may read."""
        customer = self._customer_id
        if customer is not None:  # asked for by the caller: its refusal is the job's error
            return await self._customer(customer, partial=False)
        if current.customer_id is not None and is_valid_id(current.customer_id):
            try:
                return await self._customer(current.customer_id, partial=False)
            except PermissionDeniedError:
                pass  # not a superuser: its own tokens are what it may revoke
        self._source = "GET /tokens"
        live = await self._read(self._lister.user_token_ids)
        return Listing(live, self._source, partial=True)

    async def _customer(self, customer_id: str, *, partial: bool) -> Listing:
        async def read(record: CallRecord) -> frozenset[str]:
            return await self._lister.customer_token_ids(customer_id, record)

        live = await self._read(read)
        self._source = f"GET /customer/{customer_id}/tokens"
        self._customer_id = customer_id
        return Listing(live, self._source, partial=partial)

    async def refresh(self) -> frozenset[str]:
        """Read the listing again; batches refused together share one read."""
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.ensure_future(self._reread())
        return await asyncio.shield(self._refreshing)

    async def _reread(self) -> frozenset[str]:
        customer = self._customer_id
        if customer is None:
            return await self._read(self._lister.user_token_ids)

        async def read(record: CallRecord) -> frozenset[str]:
            return await self._lister.customer_token_ids(customer, record)

        return await self._read(read)

    async def _read(self, call: Callable[[CallRecord], Awaitable[_T]]) -> _T:
        record = CallRecord()
        try:
            return await call(record)
        finally:
            self.reads += record.attempts
