"""Audit policies: checks of an inventory that a scheduled CI job can gate on. Pure.

Fastly sends no notice when a token is about to expire, has no rotate endpoint, and keeps
tokens nobody uses; teams keep calendar reminders. Each rule below is one of those habits as a
check, with a default written down here and in the README, and each can be set or turned off
(``None``) in :class:`AuditPolicy`, by a TOML file (:func:`load_policy`) or by the command's
flags. :func:`audit` returns one :class:`Finding` per broken rule and token.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, get_args

import attrs

from ._inventory import Inventory, InventoryEntry
from ._models import AutomationToken, Scope

__all__ = ["RULES", "AuditPolicy", "AuditReport", "Finding", "Rule", "audit", "load_policy"]

Rule = Literal[
    "expires_soon",
    "never_expires",
    "unused",
    "never_used",
    "rotation_due",
    "global_all_services",
    "owner_locked_or_gone",
    "automation_engineer_unlimited",
]

RULES: tuple[Rule, ...] = get_args(Rule)
"""Every rule, in the order findings are listed."""


def _days(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"{attribute.name} must be a whole number of days >= 0, or None (off)")


def _flag(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{attribute.name} must be true or false")


def _names(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise TypeError("ignore_names must be a list of names, not one string")
    return frozenset(value)


@attrs.frozen(kw_only=True)
class AuditPolicy:
    """Which rules an audit checks, and their thresholds; ``None`` or ``False`` turns one off.

    Defaults: ``expires_within_days=14`` (a token that stops working within two weeks: rotate it
    before it breaks a deploy); ``never_expires=True``; ``unused_days=90`` (last used more than 90
    days ago); ``never_used_days=30`` (never used, and created more than 30 days ago: made and
    forgotten, or its service never came); ``older_than_days=90`` (created more than 90 days ago:
    quarterly rotation is due); ``global_all_services=True`` (the ``global`` scope on every
    service); ``owner_locked_or_gone=True`` (a user token whose owner is locked, deleted, or not
    among the customer's users); ``automation_engineer_unlimited=True`` (an automation token with
    the ``engineer`` role limited to no service). ``ignore_names``: names (exact) never flagged,
    such as ``"manage.fastly.com browser session"``. Expired tokens are not flagged: they work
    no more.
    """

    expires_within_days: int | None = attrs.field(default=14, validator=_days)
    never_expires: bool = attrs.field(default=True, validator=_flag)
    unused_days: int | None = attrs.field(default=90, validator=_days)
    never_used_days: int | None = attrs.field(default=30, validator=_days)
    older_than_days: int | None = attrs.field(default=90, validator=_days)
    global_all_services: bool = attrs.field(default=True, validator=_flag)
    owner_locked_or_gone: bool = attrs.field(default=True, validator=_flag)
    automation_engineer_unlimited: bool = attrs.field(default=True, validator=_flag)
    ignore_names: frozenset[str] = attrs.field(default=frozenset(), converter=_names)


@attrs.frozen(kw_only=True)
class Finding:
    """One rule one token breaks."""

    rule: Rule
    token_id: str
    token_name: str | None
    kind: str
    owner: str | None
    """The owner's login (a user token), or None (an automation token, or an owner gone)."""
    message: str


@attrs.frozen(kw_only=True)
class AuditReport:
    """The findings of one audit, in rule order, and what was checked."""

    findings: tuple[Finding, ...]
    checked: int
    policy: AuditPolicy
    partial: bool
    """The inventory was a partial view (not a superuser): other tokens were not checked."""

    @property
    def ok(self) -> bool:
        """Whether no rule is broken."""
        return not self.findings

    def by_rule(self) -> dict[Rule, list[Finding]]:
        """Group the findings by rule (every rule present)."""
        grouped: dict[Rule, list[Finding]] = {rule: [] for rule in RULES}
        for finding in self.findings:
            grouped[finding.rule].append(finding)
        return grouped


def audit(
    inventory: Inventory, policy: AuditPolicy | None = None, *, now: datetime | None = None
) -> AuditReport:
    """Check every entry of ``inventory`` against ``policy`` (default: :class:`AuditPolicy`).

    ``now`` (default: when the inventory was taken) is the moment ages and expiries count from.
    """
    policy = policy or AuditPolicy()
    now = now or inventory.taken_at
    found: list[Finding] = []
    for entry in inventory.entries:
        token = entry.token
        if (token.name or "") in policy.ignore_names or token.is_expired(now):
            continue
        for rule, message in _broken(entry, policy, now):
            owner = entry.owner.login if entry.owner is not None else None
            found.append(
                Finding(
                    rule=rule,
                    token_id=token.id,
                    token_name=token.name,
                    kind=token.kind,
                    owner=owner,
                    message=message,
                )
            )
    found.sort(key=lambda f: RULES.index(f.rule))
    return AuditReport(
        findings=tuple(found), checked=len(inventory), policy=policy, partial=inventory.partial
    )


def _broken(
    entry: InventoryEntry, policy: AuditPolicy, now: datetime
) -> Iterable[tuple[Rule, str]]:
    token = entry.token
    if policy.expires_within_days is not None and token.expires_at is not None:
        left = token.expires_at - now
        if left <= timedelta(days=policy.expires_within_days):
            yield "expires_soon", f"expires in {_span(left)} ({token.expires_at:%Y-%m-%d})"
    if policy.never_expires and token.expires_at is None:
        yield "never_expires", "never expires"
    used, created = token.last_used_at, token.created_at
    if used is not None and _over(now - used, policy.unused_days):
        yield "unused", f"not used for {_span(now - used)} (since {used:%Y-%m-%d})"
    if used is None and created is not None and _over(now - created, policy.never_used_days):
        yield "never_used", f"never used in the {_span(now - created)} since it was created"
    if created is not None and _over(now - created, policy.older_than_days):
        yield "rotation_due", f"created {_span(now - created)} ago: rotation is due"
    if policy.global_all_services and Scope.GLOBAL in token.scope and not token.services:
        yield "global_all_services", "global scope on every service"
    if policy.owner_locked_or_gone and entry.owner_status in ("locked", "gone"):
        who = entry.owner.login if entry.owner is not None else token.user_id
        yield "owner_locked_or_gone", f"its owner {who} is {entry.owner_status}"
    if (
        policy.automation_engineer_unlimited
        and isinstance(token, AutomationToken)
        and "engineer" in token.role_names
        and not token.services
    ):
        yield "automation_engineer_unlimited", "an engineer automation token on every service"


def _over(age: timedelta, days: int | None) -> bool:
    """Whether ``age`` is more than ``days`` (never, for a rule turned off)."""
    return days is not None and age > timedelta(days=days)


def _span(delta: timedelta) -> str:
    days = delta.days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''}"
    hours = max(0, int(delta.total_seconds() // 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"


_POLICY_KEYS = frozenset(attrs.fields_dict(AuditPolicy))


def load_policy(path: str | Path, base: AuditPolicy | None = None) -> AuditPolicy:
    """Read an ``[audit]`` table from a TOML file over ``base`` (default: the defaults).

    A threshold set to ``false`` turns its rule off. Unknown keys and bad values raise
    ``ValueError`` naming them; an unreadable file, ``OSError``.
    """
    with open(path, "rb") as file:
        try:
            document = tomllib.load(file)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not TOML ({exc})") from None
    table = document.get("audit", {})
    if not isinstance(table, Mapping):
        raise ValueError(f"{path}: [audit] must be a table")  # noqa: TRY004 (a file's content: one error family for the caller)
    unknown = set(table) - _POLICY_KEYS
    if unknown:
        raise ValueError(f"{path}: unknown [audit] keys: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {
        k: (None if v is False and k.endswith("_days") else v) for k, v in table.items()
    }
    if "ignore_names" in values and not isinstance(values["ignore_names"], list):
        raise ValueError(f"{path}: ignore_names must be a list of names")
    try:
        return attrs.evolve(base or AuditPolicy(), **values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from None
