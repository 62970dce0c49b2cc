"""What the hygiene commands print, as data and as tables (streamed grids). Pure.

The inventory as JSON, as CSV rows and as a table; the audit's findings as JSON and as a table;
a leak response's token and events. Every string from outside goes through ``clean`` (secrets
masked, control characters escaped) before it reaches a cell; JSON keeps the exact strings.
Tables say their times are UTC; JSON and CSV write them as ISO ``...Z``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import attrs

from .. import AuditReport, AutomationToken, Event, Inventory, InventoryEntry, User
from .._wire import TIME_FORMAT
from ._documents import token_json
from ._grid import Cell, Column, Grid
from ._tables import day, day_column, moment

__all__ = [
    "CSV_COLUMNS",
    "audit_json",
    "events_table",
    "findings_table",
    "inventory_csv_rows",
    "inventory_json",
    "inventory_table",
]

Clean = Callable[[str], str]

CSV_COLUMNS = (
    "id",
    "kind",
    "name",
    "owner_login",
    "owner_name",
    "owner_role",
    "owner_status",
    "owner_two_factor",
    "role",
    "scope",
    "services",
    "created_at",
    "last_used_at",
    "expires_at",
    "current",
)


def _time(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).strftime(TIME_FORMAT)


def _user_json(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "login": user.login,
        "name": user.name,
        "role": user.role,
        "locked": user.locked,
        "two_factor_auth_enabled": user.two_factor_auth_enabled,
    }


def _role(entry: InventoryEntry) -> str:
    token = entry.token
    if isinstance(token, AutomationToken):
        return " ".join(sorted(token.role_names))
    return ""


def inventory_json(inventory: Inventory) -> dict[str, Any]:
    """Render the inventory as one JSON document: what was read, then one entry per token."""
    return {
        "customer_id": inventory.customer_id,
        "taken_at": _time(inventory.taken_at),
        "partial": inventory.partial,
        "note": inventory.note,
        "reads": inventory.reads,
        "tokens": [
            {
                **token_json(entry.token),
                "kind": entry.kind,
                "current": entry.current,
                "owner_status": entry.owner_status,
                "owner": _user_json(entry.owner),
            }
            for entry in inventory.entries
        ],
    }


def inventory_csv_rows(inventory: Inventory) -> Iterator[list[str]]:
    """Render the inventory as CSV rows (:data:`CSV_COLUMNS` first): one token a row."""
    yield list(CSV_COLUMNS)
    for entry in inventory.entries:
        token, owner = entry.token, entry.owner
        yield [
            token.id,
            entry.kind,
            token.name or "",
            (owner.login or "") if owner else "",
            (owner.name or "") if owner else "",
            (owner.role or "") if owner else "",
            entry.owner_status,
            ""
            if owner is None or owner.two_factor_auth_enabled is None
            else str(owner.two_factor_auth_enabled).lower(),
            _role(entry),
            " ".join(sorted(token.scope)),
            " ".join(token.services),
            _time(token.created_at),
            _time(token.last_used_at),
            _time(token.expires_at),
            "true" if entry.current else "",
        ]


def inventory_table(inventory: Inventory, *, clean: Clean, now: datetime) -> Grid:
    """Render the inventory as a table, one token a row, its owner beside it."""
    columns = (
        Column("id"),
        Column("kind"),
        Column("name", wrap=True),
        Column("owner", wrap=True),
        Column("role", wrap=True, floor=6, words=True),
        Column("scope", wrap=True, floor=6, words=True),
        day_column("last used (UTC)"),
        day_column("expires (UTC)"),
        Column("notes", wrap=True),
    )
    rows: list[list[Cell]] = []
    for entry in inventory.entries:
        token, owner = entry.token, entry.owner
        who = (
            "(the account)"
            if entry.kind == "automation"
            else (owner.login or owner.id if owner else f"(gone: {token.user_id})")
        )
        role = _role(entry) or (owner.role or "" if owner else "")
        notes = [
            n
            for n, on in (
                ("current", entry.current),
                ("owner locked", entry.owner_status == "locked"),
                ("owner gone", entry.owner_status == "gone"),
                ("expired", token.is_expired(now)),
            )
            if on
        ]
        rows.append(
            [
                clean(token.id),
                entry.kind,
                clean(token.name or ""),
                clean(who or ""),
                clean(role),
                clean(" ".join(sorted(token.scope)) or "-"),
                day(token.last_used_at),
                day(token.expires_at),
                ", ".join(notes),
            ]
        )
    return Grid(columns, rows)


def audit_json(report: AuditReport) -> dict[str, Any]:
    """Render the audit as JSON: whether it passed, what was checked, and every finding."""
    return {
        "ok": report.ok,
        "checked": report.checked,
        "partial": report.partial,
        "policy": {
            **attrs.asdict(report.policy, filter=lambda a, _: a.name != "ignore_names"),
            "ignore_names": sorted(report.policy.ignore_names),
        },
        "by_rule": {rule: len(found) for rule, found in report.by_rule().items()},
        "findings": [
            {
                "rule": f.rule,
                "token_id": f.token_id,
                "token_name": f.token_name,
                "kind": f.kind,
                "owner": f.owner,
                "message": f.message,
            }
            for f in report.findings
        ],
    }


def findings_table(report: AuditReport, *, clean: Clean) -> Grid:
    """Render the findings as a table, by rule."""
    columns = (
        Column("rule"),
        Column("token"),
        Column("name", wrap=True),
        Column("owner", wrap=True),
        Column("finding", wrap=True, floor=20),
    )
    rows: list[list[Cell]] = [
        [
            f.rule,
            clean(f.token_id),
            clean(f.token_name or ""),
            clean(f.owner or ("(the account)" if f.kind == "automation" else "-")),
            clean(f.message),
        ]
        for f in report.findings
    ]
    return Grid(columns, rows)


def events_table(events: tuple[Event, ...], *, clean: Clean) -> Grid:
    """Render a token's events: when (UTC), what, from where."""
    columns = (
        Column("at"),
        Column("event"),
        Column("description", wrap=True, floor=20),
        Column("ip"),
    )
    rows: list[list[Cell]] = [
        [
            moment(event.created_at, ""),
            clean(event.event_type or ""),
            clean(event.description or ""),
            clean(event.ip or ""),
        ]
        for event in events
    ]
    return Grid(columns, rows)
