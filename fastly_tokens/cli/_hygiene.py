"""``inventory`` and ``audit``: what tokens the customer has, whose, and which break the rules.

Both read only (they cost no budget). ``audit`` exits 3 when any rule is broken, so a scheduled
CI job can gate on it; its rules come from the defaults, a TOML file (``--config``) and flags,
in that order.
"""

from __future__ import annotations

import argparse
import csv
import io
from typing import Any

import attrs

from .. import AuditPolicy, audit, load_policy
from ._connect import connect
from ._console import Output
from ._grammar import EXIT_FINDINGS, EXIT_OK, UsageError
from ._grammar_hygiene import MAX_DAYS, OFF
from ._hygiene_views import (
    audit_json,
    findings_table,
    inventory_csv_rows,
    inventory_json,
    inventory_table,
)
from ._ids import optional_id
from ._streams import Streams
from ._words import plural

__all__ = ["audit_command", "inventory_command", "policy_of"]

_DAYS = ("expires_within_days", "unused_days", "never_used_days", "older_than_days")
"""The rules' thresholds in days (``days_or_off`` bounds the flags; the file is checked here)."""
_FLAGS = (
    *_DAYS,
    "never_expires",
    "global_all_services",
    "owner_locked_or_gone",
    "automation_engineer_unlimited",
)


async def inventory_command(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``inventory``: every token with its owner, as a table, JSON or CSV."""
    customer = optional_id(args.customer, "--customer", secretive=out.redact.holds_secret)
    async with connect(args, streams) as client:
        inventory = await client.inventory(customer)
    if args.json:
        out.json(inventory_json(inventory))
        return EXIT_OK
    if args.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in inventory_csv_rows(inventory):
            writer.writerow([out.redact(cell) for cell in row])
        out.text(buffer.getvalue())
        return EXIT_OK
    users = len({e.owner.id for e in inventory.entries if e.owner is not None})
    automation = len(inventory.of_kind("automation"))
    out.say(
        f"{plural(len(inventory), 'token')} ({automation} automation), "
        f"{plural(users, 'owner')}, {plural(inventory.reads, 'read')} (no write)",
        style="bold",
    )
    out.show(inventory_table(inventory, clean=out.clean, now=inventory.taken_at))
    if inventory.note:
        out.note(inventory.note, style="yellow")
    return EXIT_OK


def policy_of(args: argparse.Namespace) -> AuditPolicy:
    """Gather the audit's rules: the defaults, then ``--config``, then the flags given."""
    policy = AuditPolicy()
    if args.config:
        try:
            policy = load_policy(args.config, policy)
        except OSError as exc:
            raise UsageError(f"cannot read {args.config}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise UsageError(f"cannot read {args.config}: not UTF-8 text ({exc.reason})") from None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        for name in _DAYS:
            days = getattr(policy, name)
            if isinstance(days, int) and days > MAX_DAYS:
                raise UsageError(
                    f"{args.config}: {name} must be at most {MAX_DAYS:,} days, got {days:,}"
                )
    given: dict[str, Any] = {}
    for name in _FLAGS:
        value = getattr(args, name, None)
        if value is not None:
            given[name] = None if value == OFF else value
    return attrs.evolve(policy, **given)


async def audit_command(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``audit``: the findings, and exit 3 when there are any."""
    policy = policy_of(args)
    customer = optional_id(args.customer, "--customer", secretive=out.redact.holds_secret)
    async with connect(args, streams) as client:
        inventory = await client.inventory(customer)
    report = audit(inventory, policy)
    if args.json:
        out.json(audit_json(report))
    else:
        verdict = "no rule broken" if report.ok else plural(len(report.findings), "finding")
        out.say(f"Audit of {plural(report.checked, 'token')}: {verdict}", style="bold")
        if report.findings:
            out.show(findings_table(report, clean=out.clean))
            counts = ", ".join(
                f"{rule} {len(found)}" for rule, found in report.by_rule().items() if found
            )
            out.say(f"by rule: {counts}")
        if report.partial and inventory.note:
            out.note(inventory.note, style="yellow")
    return EXIT_OK if report.ok else EXIT_FINDINGS
