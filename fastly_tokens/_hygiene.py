"""The hygiene tools as methods of the client: inventory, rotation, the leaked-secret response.

A mixin, so the client's module stays about sessions and calls; each method is a thin door to
the module that does the work.
"""

from __future__ import annotations

from typing import Any

from ._facade import ClientLike
from ._inventory import Inventory, take_inventory
from ._leak import LeakResponse, revoke_leaked_secret
from ._resource import Caller
from ._rotate import HandOver, RotationResult, rotate_token

__all__ = ["HygieneMixin"]


class HygieneMixin:
    """Inventory, rotation and the leaked-secret response.

    For a client that is both a :class:`Caller` and a :class:`ClientLike` (``FastlyAsync``).
    """

    async def inventory(self, customer_id: str | None = None) -> Inventory:
        """Take the inventory of every token of the customer, joined to its owner (reads only).

        A superuser sees every user and automation token of ``customer_id`` (default: its
        own customer) with its owner; anyone else, their own tokens, marked partial.
        """
        return await take_inventory(self._as_caller(), customer_id)

    async def revoke_leaked_secret(self, secret: str) -> LeakResponse:
        """Revoke the token whose secret is ``secret``, knowing nothing else of it.

        The secret identifies and revokes itself (``GET``/``DELETE /tokens/self`` sent with it;
        401 or 404: already revoked); this client's key then reads its owner and its events.
        """
        response = await revoke_leaked_secret(self._as_client(), secret)
        del secret
        return response

    async def rotate_token(
        self, token_id: str, *, password: str, hand_over: HandOver, **options: Any
    ) -> RotationResult:
        """Rotate one token: successor made, proven, handed over, the old one revoked.

        ``password`` (and ``otp``) log in to create the successor: the key's user's, after sudo,
        for a user token (``username=`` to log in as another user, without the key), the
        superuser's for an automation token. ``hand_over(secret)`` stores the new secret (sync
        or async); the old token is revoked once it returned, or with ``grace=timedelta(...)``
        by a later run after it (``wait=True`` sleeps through it). ``name=`` names the successor
        (default: the old name and `` (rotated YYYY-MM-DD)``); ``journal=`` makes a killed
        rotation resumable: run the same call again.
        """
        result = await rotate_token(
            self._as_client(), token_id, password=password, hand_over=hand_over, **options
        )
        del password
        return result

    def _as_caller(self) -> Caller:
        return self  # type: ignore[return-value]  # the class this is mixed into is one

    def _as_client(self) -> ClientLike:
        return self  # type: ignore[return-value]  # the class this is mixed into is one
