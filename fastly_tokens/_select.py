"""`Selection`: which of the listed tokens a clean-up job revokes, decided without I/O.

Real clean-ups choose: expired tokens, tokens unused since a date, by name, scope or owner.
Every criterion given must hold. The token the client authenticates with is never selected
unless ``include_current`` says so: revoking it mid-job would fail every later request.
"""

from __future__ import annotations

import fnmatch
from datetime import datetime

import attrs

from ._models import Scope, Token

__all__ = ["Selection"]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("unused_since must be timezone-aware (for example, in UTC)")
    return value


@attrs.frozen(kw_only=True)
class Selection:
    """Criteria for choosing tokens to revoke; every criterion set must match.

    ``expired``: ``expires_at`` has passed. ``unused_since``: not used since that moment (a
    token never used counts as unused). ``name``: an ``fnmatch`` glob on the name, such as
    ``"ci-*"``. ``scope``: the token has that scope. ``owner``: the token's ``user_id``.
    ``include_current``: allow the token the client authenticates with to be selected.
    A selection with no criterion matches every token (but the current one).
    """

    expired: bool = False
    unused_since: datetime | None = attrs.field(default=None, converter=_aware)
    name: str | None = None
    scope: Scope | str | None = None
    owner: str | None = None
    include_current: bool = False

    def matches(self, token: Token, *, now: datetime, current_id: str | None) -> bool:
        """Whether ``token`` is chosen at ``now``, given the id of the client's own token."""
        if token.id == current_id and not self.include_current:
            return False
        if self.expired and not token.is_expired(now):
            return False
        if self.unused_since is not None and (
            token.last_used_at is not None and token.last_used_at >= self.unused_since
        ):
            return False
        if self.name is not None and not fnmatch.fnmatchcase(token.name or "", self.name):
            return False
        if self.scope is not None and self.scope not in token.scope:
            return False
        return self.owner is None or token.user_id == self.owner
