"""The inventory: every token of the customer, each joined to its owner, from reads only.

Offboarding goes wrong when nobody knows who owns what. A superuser's inventory reads, at
once and for free, the customer's user tokens, its automation tokens (every page) and its
users, and joins each user token to its owner (login, name, role, locked, two-factor). Anyone
else gets their own tokens, joined to themselves, with a note that the view is partial.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal, TypeVar

import attrs

from ._automation import AutomationTokensAPI
from ._call import CallRecord
from ._errors import NotFoundError, PermissionDeniedError
from ._ids import check_id
from ._models import AutomationToken, Token, TokenKind
from ._resource import Caller
from ._users import User

__all__ = ["Inventory", "InventoryEntry", "OwnerStatus", "take_inventory"]

_T = TypeVar("_T")

OwnerStatus = Literal["active", "locked", "gone", "account"]
"""``gone``: the user token's owner is not among the customer's users (deleted, departed);
``account``: an automation token, owned by the account."""

PARTIAL_NOTE = (
    "partial view: this key's user is not a superuser of the customer, so only its own tokens "
    "are listed (no colleague's, no automation token)"
)


@attrs.frozen(kw_only=True)
class InventoryEntry:
    """One token and who owns it."""

    token: Token
    owner: User | None
    """The user a user token belongs to; None for an automation token, or an owner gone."""
    current: bool = False
    """The token the inventory was taken with."""

    @property
    def kind(self) -> TokenKind:
        """``"user"`` or ``"automation"``."""
        return self.token.kind

    @property
    def owner_status(self) -> OwnerStatus:
        """Whether the owner can still answer for the token."""
        if isinstance(self.token, AutomationToken):
            return "account"
        if self.owner is None or self.owner.deleted_at is not None:
            return "gone"
        return "locked" if self.owner.locked else "active"


@attrs.frozen(kw_only=True)
class Inventory:
    """Every token the caller can see, joined to its owner; taken at ``taken_at``."""

    entries: tuple[InventoryEntry, ...]
    users: tuple[User, ...]
    customer_id: str | None
    taken_at: datetime
    partial: bool
    """Only the caller's own tokens: it is not a superuser of the customer."""
    note: str | None = None
    reads: int = 0
    """Requests spent (all reads: the inventory costs no budget)."""

    def __len__(self) -> int:
        return len(self.entries)

    def of_kind(self, kind: TokenKind) -> list[InventoryEntry]:
        """List the entries of one kind."""
        return [entry for entry in self.entries if entry.kind == kind]


async def take_inventory(caller: Caller, customer_id: str | None = None) -> Inventory:
    """Take the inventory of ``customer_id`` (default: the caller's customer).

    Reads only; the listings are read at once. Without the superuser's view of the customer
    (a 403), it falls back to the caller's own tokens and says so.
    """
    reads = _Reads(caller)
    taken_at = datetime.fromtimestamp(caller._clock(), UTC)
    current, me = await asyncio.gather(reads.get("/tokens/self", Token), _current_user(reads))
    customer = customer_id or current.customer_id
    if customer is not None:
        check_id(customer, "customer_id")
        try:
            tokens, automation, users = await asyncio.gather(
                reads.get(f"/customer/{customer}/tokens", list[Token]),
                reads.automation(),
                reads.get(f"/customer/{customer}/users", list[User]),
            )
        except PermissionDeniedError:
            if customer_id is not None:  # asked for: its refusal is the caller's error
                raise
        else:
            return _joined(
                [*tokens, *automation],
                users,
                current,
                customer,
                partial=False,
                reads=reads.spent,
                taken_at=taken_at,
            )
    own = await reads.get("/tokens", list[Token])
    return _joined(
        own,
        [me] if me else [],
        current,
        customer,
        partial=True,
        reads=reads.spent,
        taken_at=taken_at,
    )


class _Reads:
    """The inventory's reads, each with its own record, counted together."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller
        self.spent = 0

    async def get(self, path: str, model: type[_T]) -> _T:
        record = CallRecord()
        try:
            return await self._caller._call("GET", path, model, record=record)
        finally:
            self.spent += record.attempts

    async def automation(self) -> list[AutomationToken]:
        record = CallRecord()
        try:
            api = AutomationTokensAPI(self._caller)
            return [t async for t in api.iter_automation_tokens(record=record)]
        finally:
            self.spent += record.attempts


async def _current_user(reads: _Reads) -> User | None:
    try:
        return await reads.get("/current_user", User)
    except NotFoundError:
        return None  # an automation token's key: it is nobody's


def _joined(
    tokens: Sequence[Token],
    users: Sequence[User],
    current: Token,
    customer_id: str | None,
    *,
    partial: bool,
    reads: int,
    taken_at: datetime,
) -> Inventory:
    by_id = {user.id: user for user in users}
    entries = tuple(
        InventoryEntry(
            token=token,
            owner=None if isinstance(token, AutomationToken) else by_id.get(token.user_id or ""),
            current=token.id == current.id,
        )
        for token in tokens
    )
    return Inventory(
        entries=entries,
        users=tuple(users),
        customer_id=customer_id,
        taken_at=taken_at,
        partial=partial,
        note=PARTIAL_NOTE if partial else None,
        reads=reads,
    )
