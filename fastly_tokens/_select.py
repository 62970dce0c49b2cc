"""`Selection`: which of the listed tokens a clean-up job revokes, decided without I/O.

Real clean-ups choose: expired tokens, tokens unused since a date, old tokens, by name, scope
or owner. Every criterion given must hold. A selection cannot surprise: one with no criterion
is refused unless it asks for every token (``all_tokens=True``); "unused since D" means the
token existed before D and was not used since (a token created a minute ago is not stale);
and the token the client authenticates with is never chosen unless ``include_current`` says so.
"""

from __future__ import annotations

import fnmatch
from datetime import datetime

import attrs

from ._models import AutomationToken, Scope, Token, TokenKind

__all__ = ["Selection"]


def _aware(instance: object, attribute: attrs.Attribute[datetime | None], value: object) -> None:
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError(f"{attribute.name} must be timezone-aware (for example, in UTC)")


_CRITERIA = ("expired", "unused_since", "created_before", "name", "scope", "owner", "kind", "role")


@attrs.frozen(kw_only=True)
class Selection:
    """Criteria for choosing tokens to revoke; every criterion set must match.

    ``expired``: ``expires_at`` has passed. ``unused_since``: created before that moment and not
    used since (never used counts as unused). ``created_before``: created before that moment (a
    minimum age, usable with every other criterion). ``name``: an ``fnmatch`` glob on the name,
    such as ``"ci-*"``. ``scope``: the token has that scope. ``owner``: the token's ``user_id``.
    ``kind``: ``"user"`` or ``"automation"``. ``role``: an automation token with that role.
    A token whose ``created_at`` Fastly did not send is never taken for old. ``all_tokens``:
    with no criterion, choose every token (without it, no criterion is an error).
    ``include_current``: allow the token the client authenticates with to be chosen.
    """

    expired: bool = False
    unused_since: datetime | None = attrs.field(default=None, validator=_aware)
    created_before: datetime | None = attrs.field(default=None, validator=_aware)
    name: str | None = None
    scope: Scope | str | None = None
    owner: str | None = None
    kind: TokenKind | None = None
    role: str | None = None
    all_tokens: bool = False
    include_current: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.all_tokens and not self.has_criteria:
            raise ValueError(
                "a Selection with no criterion would choose every token: give one (expired, "
                "unused_since, created_before, name, scope, owner), or all_tokens=True"
            )

    @property
    def has_criteria(self) -> bool:
        """Whether any criterion is set (``all_tokens`` and ``include_current`` are not ones)."""
        return any(getattr(self, name) not in (None, False) for name in _CRITERIA)

    def matches(self, token: Token, *, now: datetime, current_id: str | None) -> bool:
        """Whether ``token`` is chosen at ``now``, given the id of the client's own token."""
        if token.id == current_id and not self.include_current:
            return False
        return (
            (not self.expired or token.is_expired(now))
            and (self.unused_since is None or _unused_since(token, self.unused_since))
            and (self.created_before is None or _created_before(token, self.created_before))
            and (self.name is None or fnmatch.fnmatchcase(token.name or "", self.name))
            and (self.scope is None or self.scope in token.scope)
            and (self.owner is None or token.user_id == self.owner)
            and (self.kind is None or token.kind == self.kind)
            and (self.role is None or _has_role(token, self.role))
        )


def _has_role(token: Token, role: str) -> bool:
    return isinstance(token, AutomationToken) and role in token.role_names


def _created_before(token: Token, moment: datetime) -> bool:
    return token.created_at is not None and token.created_at < moment


def _unused_since(token: Token, moment: datetime) -> bool:
    """Existed before ``moment`` and not used since: stale, not merely new."""
    if not _created_before(token, moment):
        return False
    return token.last_used_at is None or token.last_used_at < moment
