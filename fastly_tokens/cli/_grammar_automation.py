"""The grammar of ``automation``: list, get, create and revoke the account's automation tokens.

Kept apart from the main grammar, which hands it its ``add`` (a sub-command with the connection
options) and its ``--json`` option. Nothing here imports rich.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from ._grammar_jobs import revoke_arguments
from ._grammar_login import login_options

__all__ = ["add_automation"]

Add = Callable[..., argparse.ArgumentParser]
JsonOption = Callable[[argparse.ArgumentParser, str], None]

_EPILOG = """\
automation tokens belong to the account, not a person: services, CI and operators run on them.
Listing, reading and revoking them needs a superuser's key; creating one, the superuser's
password too (the command enters sudo mode first: POST /sudo).
"""


def add_automation(
    add: Add,
    json_option: JsonOption,
    *,
    parents: Sequence[argparse.ArgumentParser],
    redact: Callable[[str], str],
) -> None:
    """Add ``automation`` and its four sub-commands, each with the connection ``parents``."""
    group = add("automation", "list, show, create and revoke automation tokens", epilog=_EPILOG)
    commands = group.add_subparsers(dest="automation", metavar="ACTION", required=True)

    def action(name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text[0].upper() + help_text[1:] + ".",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=list(parents),
            redact=redact,
            **kwargs,
        )

    listing = action("list", "list every automation token of the account (every page)")
    json_option(listing, "the tokens")
    get = action("get", "show one automation token and the services it is limited to")
    get.add_argument("token_id", metavar="ID", help="the token's id")
    json_option(get, "the token")
    _create(action("create", "create an automation token and print its secret, once"))
    json_option(commands.choices["create"], "the new token, its secret included,")
    revoke = action(
        "revoke",
        "revoke automation tokens by id or by selection (the job revoke runs)",
        epilog="'fastly-tokens revoke' revokes automation tokens too; this is it with\n"
        "--kind automation for a selection.",
    )
    revoke_arguments(revoke)
    json_option(revoke, "the report (or, with --dry-run, the selection)")


def _create(create: argparse.ArgumentParser) -> None:
    create.add_argument("--name", required=True, help="a name for the token")
    roles = create.add_mutually_exclusive_group()
    roles.add_argument(
        "--role", help="the single role: engineer, billing or user (Fastly's default: engineer)"
    )
    roles.add_argument(
        "--roles",
        action="append",
        metavar="ROLE",
        help="a role id of a multi-role token (repeatable)",
    )
    create.add_argument(
        "--service",
        action="append",
        metavar="SERVICE_ID",
        default=[],
        help="limit the token to this service (repeatable; default: all services)",
    )
    create.add_argument(
        "--scope",
        action="append",
        metavar="SCOPE",
        help="a scope (repeatable): global, purge_select, purge_all, global:read",
    )
    create.add_argument("--expires-at", metavar="ISO", help="when it stops working (none: never)")
    create.add_argument(
        "--tls-access", action="store_true", help="allow TLS management (single-role tokens)"
    )
    login_options(
        create, username_help="the superuser's login, if sudo asks for it", whose="the superuser's"
    )
