"""The preflight: which free reads show the tokens this caller can revoke.

Reads cost no budget, and a write sent for a token that is not there costs one, so before the
first write the job reads ``GET /tokens/self`` and then the widest listings the caller may read:
a superuser reads the customer's user tokens (``GET /customer/{id}/tokens``) and its automation
tokens (``GET /automation-tokens``, every page); anyone else, their own tokens (``GET /tokens``).
This module is the one place that knows which listings to consult. A refused batch is settled
by reading the same listings again (:meth:`Preflight.refresh`), once for every batch refused at
the same moment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs

from .._call import CallRecord
from .._errors import NotFoundError, PermissionDeniedError
from .._ids import is_valid_id
from .._models import Token
from .ports import Lister

__all__ = ["Listing", "Preflight"]

_T = TypeVar("_T")
_OWN = "GET /tokens"
_AUTOMATION = "GET /automation-tokens"


@attrs.frozen
class Listing:
    """The live token ids the caller can see, and where they were read."""

    live: frozenset[str]
    source: str
    """The reads that listed them, e.g. ``GET /tokens``."""
    partial: bool
    """Only the caller's own tokens: it is not a superuser of the customer."""


class Preflight:
    """Reads the listings for a job, and reads them again when a batch is refused."""

    def __init__(self, lister: Lister, customer_id: str | None) -> None:
        self._lister = lister
        self._customer_id = customer_id
        self._automation = False
        self._refreshing: asyncio.Future[frozenset[str]] | None = None
        self.reads = 0
        """Requests the reads sent (retries included)."""

    async def current(self) -> Token:
        """Read the token the job runs with."""
        return await self._read(self._lister.current)

    async def listing(self, current: Token) -> Listing:
        """Read the widest listings this caller may read."""
        customer = self._customer_id
        if customer is None and current.customer_id and is_valid_id(current.customer_id):
            try:
                live = await self._customer_tokens(current.customer_id)
            except PermissionDeniedError:  # not a superuser: its own tokens are what it may revoke
                live = None
            if live is not None:
                self._customer_id = current.customer_id
        elif customer is not None:  # asked for by the caller: its refusal is the job's error
            live = await self._customer_tokens(customer)
        else:
            live = None
        if live is None:
            return Listing(await self._read(self._lister.user_token_ids), _OWN, partial=True)
        source = f"GET /customer/{self._customer_id}/tokens"
        try:
            automation = await self._read(self._lister.automation_token_ids)
        except (PermissionDeniedError, NotFoundError):
            automation = None  # not listable here: automation ids end not found, unsent
        if automation is not None:
            self._automation = True
            live, source = live | automation, f"{source} + {_AUTOMATION}"
        return Listing(live, source, partial=False)

    async def _customer_tokens(self, customer_id: str) -> frozenset[str]:
        async def read(record: CallRecord) -> frozenset[str]:
            return await self._lister.customer_token_ids(customer_id, record)

        return await self._read(read)

    async def refresh(self) -> frozenset[str]:
        """Read the listings again; batches refused together share one read."""
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.ensure_future(self._reread())
        return await asyncio.shield(self._refreshing)

    async def _reread(self) -> frozenset[str]:
        customer = self._customer_id
        if customer is None:
            return await self._read(self._lister.user_token_ids)
        live = await self._customer_tokens(customer)
        if self._automation:
            live |= await self._read(self._lister.automation_token_ids)
        return live

    async def _read(self, call: Callable[[CallRecord], Awaitable[_T]]) -> _T:
        record = CallRecord()
        try:
            return await call(record)
        finally:
            self.reads += record.attempts
