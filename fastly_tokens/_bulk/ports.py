"""The two narrow interfaces the executor drives, so the engine imports no client.

``TokensAPI`` implements both over the real endpoints; a test may implement them over anything.
Each call is given a :class:`~fastly_tokens._call.CallRecord` to fill in with the requests it
spent, which is how the job counts reads and writes.
"""

from __future__ import annotations

from typing import Protocol

from .._call import CallRecord
from .._models import Token

__all__ = ["Lister", "Revoker"]


class Revoker(Protocol):
    """Sends revocations: the job's only writes."""

    @property
    def concurrency(self) -> int:
        """The most requests the job may keep in flight (the client's bound)."""
        ...

    async def revoke_one(self, token_id: str, record: CallRecord) -> None:
        """``DELETE /tokens/{token_id}``; raise the typed error of anything but success."""
        ...

    async def revoke_batch(self, token_ids: list[str], record: CallRecord) -> None:
        """``DELETE /tokens`` with these ids; raise the typed error of anything but success."""
        ...


class Lister(Protocol):
    """Reads (free at Fastly) that show which tokens the caller can see."""

    async def current(self, record: CallRecord) -> Token:
        """``GET /tokens/self``: the token the job runs with."""
        ...

    async def user_token_ids(self, record: CallRecord) -> frozenset[str]:
        """``GET /tokens``: the ids of the caller's own live tokens."""
        ...

    async def customer_token_ids(self, customer_id: str, record: CallRecord) -> frozenset[str]:
        """``GET /customer/{customer_id}/tokens``: every live token of the customer."""
        ...

    async def automation_token_ids(self, record: CallRecord) -> frozenset[str]:
        """``GET /automation-tokens`` (every page): the customer's automation tokens."""
        ...
