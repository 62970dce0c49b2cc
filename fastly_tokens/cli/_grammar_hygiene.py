"""The grammar of the hygiene commands: ``inventory``, ``audit`` and ``rotate``.

Kept apart from the main grammar, which hands it its ``add`` and ``--json`` option. Nothing
here imports rich.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ._grammar_login import login_options

__all__ = ["MAX_DAYS", "OFF", "add_hygiene", "days_or_off"]

Add = Callable[..., argparse.ArgumentParser]
JsonOption = Callable[[argparse.ArgumentParser, str], None]

_AUDIT_EPILOG = """\
rules (defaults in brackets; a threshold of 'off' turns its rule off):
  expires_soon                   expires within --expires-within DAYS [14]
  never_expires                  has no expiry [on]
  unused                         last used more than --unused DAYS ago [90]
  never_used                     never used, created more than --never-used DAYS ago [30]
  rotation_due                   created more than --older-than DAYS ago [90]
  global_all_services            global scope on every service [on]
  owner_locked_or_gone           its owner is locked, deleted, or not a user of the customer [on]
  automation_engineer_unlimited  an engineer automation token on every service [on]
--config FILE reads an [audit] table (TOML) with the same names, e.g.:
  [audit]
  expires_within_days = 30
  unused_days = false
  ignore_names = ["manage.fastly.com browser session"]
Flags win over the file. Exit status 3 when any rule is broken, 0 when none is.
"""


OFF = "off"
"""What :func:`days_or_off` gives for a rule turned off (None means "not given")."""

MAX_DAYS = 36_500
"""A hundred years: the longest threshold a rule takes (a date that far back still exists)."""


def days_or_off(text: str) -> int | str:
    """Read a whole number of days, or ``off`` (argparse type)."""
    if text.strip().lower() in {"off", "no", "false", "none"}:
        return OFF
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days or 'off': {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    if value > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_DAYS:,} days, got {value:,}")
    return value


def add_hygiene(add: Add, json_option: JsonOption) -> None:
    """Add ``inventory``, ``audit`` and ``rotate``."""
    inventory = add("inventory", "list every token of the customer with its owner (reads only)")
    inventory.add_argument("--customer", metavar="ID", help="another customer (superusers only)")
    formats = inventory.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="print the inventory as JSON")
    formats.add_argument("--csv", action="store_true", help="print it as CSV, for a spreadsheet")

    audit = add(
        "audit",
        "check every token against hygiene rules; exit 3 when any is broken (for CI)",
        epilog=_AUDIT_EPILOG,
    )
    audit.add_argument("--customer", metavar="ID", help="another customer (superusers only)")
    audit.add_argument("--config", metavar="FILE", help="read the rules from a TOML file")
    for flag, dest, what in (
        ("--expires-within", "expires_within_days", "flag tokens that expire within DAYS"),
        ("--unused", "unused_days", "flag tokens last used more than DAYS ago"),
        ("--never-used", "never_used_days", "flag never used tokens created over DAYS ago"),
        ("--older-than", "older_than_days", "flag tokens created more than DAYS ago"),
    ):
        audit.add_argument(
            flag, dest=dest, type=days_or_off, metavar="DAYS", help=f"{what}, or off"
        )
    for flag, dest in (
        ("never-expires", "never_expires"),
        ("global-all-services", "global_all_services"),
        ("owner-locked-or-gone", "owner_locked_or_gone"),
        ("automation-engineer-unlimited", "automation_engineer_unlimited"),
    ):
        audit.add_argument(
            f"--{flag}",
            dest=dest,
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"check (or, with --no-{flag}, do not) the {dest} rule",
        )
    json_option(audit, "the findings")

    rotate = add(
        "rotate",
        "replace a token by a new one without downtime, then revoke the old one",
        epilog="The new secret goes to standard output, alone on one line, or with\n"
        "--secret-file to a new file of mode 0600 (never both, never to a log); the steps go\n"
        "to standard error. With --grace the old token is revoked by a run after it\n"
        "(the same command and --journal), or by this one with --wait.",
    )
    rotate.add_argument("token_id", metavar="ID", help="the token to rotate")
    rotate.add_argument("--name", help="the successor's name (default: the old one, dated)")
    rotate.add_argument(
        "--grace",
        metavar="TIME",
        help="keep the old token working this long after the new one is handed over "
        "(e.g. 30m, 2h, 1d; default: revoke it at once)",
    )
    rotate.add_argument("--wait", action="store_true", help="sleep through the grace period")
    rotate.add_argument("--journal", metavar="PATH", help="record each step; run again to resume")
    rotate.add_argument("--secret-file", metavar="PATH", help="write the new secret here (0600)")
    login_options(rotate, username_help="log in as this user (an email), without the key")
    json_option(rotate, "the steps")
