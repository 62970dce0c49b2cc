"""The command line's grammar: the parser, the exit statuses and the usage error.

One argparse parser, with the connection options (``--token``, ``--base-url``, ...) accepted
before or after the sub-command. Nothing here imports rich or touches the network, so
``--help`` and usage errors are cheap; no help text shows the token, and every error message
passes through the ``redact`` the parser is built with (secrets masked, escapes shown).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, NoReturn

from .._config import DEFAULT_BASE_URL
from ._grammar_automation import add_automation
from ._grammar_hygiene import add_hygiene
from ._grammar_jobs import STRATEGIES, job_options, revoke_arguments, whole_number
from ._grammar_login import login_options
from ._help import (
    BASE_URL_ENV_VAR,
    EXIT_FAILED,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    MAIN_EPILOG,
    PROG,
    REVOKE_EPILOG,
    TOKEN_ENV_VAR,
)
from ._secrets import SecretText

__all__ = [
    "BASE_URL_ENV_VAR",
    "DEMO_TOKENS",
    "EXIT_FAILED",
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "INSTALL_HINT",
    "PROG",
    "STRATEGIES",
    "TOKEN_ENV_VAR",
    "WHERE_KINDS",
    "UsageError",
    "build_parser",
]

INSTALL_HINT = (
    "fastly-tokens: the command needs the 'cli' extra: pip install 'fastly-tokens[cli]'\n"
)
"""The one line printed, with exit status 2, when rich is not installed."""

DEMO_TOKENS = 3000
DEMO_MAX_TOKENS = 100_000
"""The demo's largest seed: its expired fifth still fits one hour's write budget, batched."""
WHERE_KINDS = {
    "expired": 0,
    "unused-since": 1,
    "name": 1,
    "scope": 1,
}
"""Each ``--where`` clause and how many values it takes."""


class UsageError(Exception):
    """The command line asks for something that cannot be done; exit status 2."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose error messages pass through ``redact`` (secrets, escapes)."""

    def __init__(self, *args: Any, redact: Callable[[str], str] = str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redact = redact

    def error(self, message: str) -> NoReturn:
        """Print the (masked) error on one line, pointing at ``--help``; exit with status 2.

        argparse would print the whole usage first: a dozen lines before the one that says
        what is wrong.
        """
        self.exit(2, f"{self.prog}: error: {self.redact(message)} (see {self.prog} --help)\n")


def _connection_parent(*, top: bool) -> Parser:
    """Build the connection options; a sub-command's defaults must not mask the top level's."""
    parent = Parser(add_help=False)
    group = parent.add_argument_group("connection")

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    group.add_argument(
        "--token",
        metavar="TOKEN",
        type=SecretText,
        default=default(None),
        help=f"the Fastly API token (default: ${TOKEN_ENV_VAR}, which keeps it out of the "
        "process list); never printed",
    )
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=default(None),
        help=f"the API root (default: ${BASE_URL_ENV_VAR}, else {DEFAULT_BASE_URL}); plain "
        "http is allowed to loopback hosts only, such as a local FakeFastly",
    )
    group.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=default(False),
        help="allow a plain-http --base-url to a host that is not loopback",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default(False),
        help="log retries and rate-limit waits to standard error",
    )
    return parent


def _json_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")


def build_parser(redact: Callable[[str], str] = str) -> Parser:
    """Build the parser; ``redact`` masks secret values out of its error messages."""
    parser = Parser(
        prog=PROG,
        description="Manage Fastly API tokens: show, list, create and revoke them, in bulk too.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_connection_parent(top=True)],
        redact=redact,
    )
    from .._version import __version__  # noqa: PLC0415 (keeps the import list short)

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub = [_connection_parent(top=False)]

    def add(name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text[0].upper() + help_text[1:] + ".",
            parents=sub,
            redact=redact,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kwargs,
        )

    current = add("current", "show the token this command authenticates with")
    _json_option(current, "the token")

    get = add("get", "show one token")
    get.add_argument("token_id", metavar="ID", help="the token's id")
    _json_option(get, "the token")

    list_ = add("list", "list the user's tokens, or a customer's")
    list_.add_argument(
        "--customer",
        metavar="ID",
        help="list every token of this customer (superusers only)",
    )
    _json_option(list_, "the tokens")

    create = add(
        "create",
        "create a token and print its secret, which Fastly shows only once",
        epilog="The password is prompted for on a terminal; elsewhere use --password-stdin.\n"
        "--password puts it in your shell history and the process list.",
    )
    create.add_argument("--name", help="a name for the token")
    create.add_argument(
        "--scope",
        action="append",
        metavar="SCOPE",
        help="a scope (repeatable, or several space-joined): global, purge_select, "
        "purge_all, global:read (default: global)",
    )
    create.add_argument(
        "--service",
        action="append",
        metavar="SERVICE_ID",
        default=[],
        help="limit the token to this service (repeatable; default: all services)",
    )
    create.add_argument(
        "--expires-at",
        metavar="ISO",
        help="when the token stops working: an ISO date or date-time (UTC unless it says)",
    )
    login_options(
        create,
        username_help="log in as this user (an email), without the key; default: the key's own "
        "user, after sudo mode (POST /sudo) with that user's password",
    )
    _json_option(create, "the new token, its secret included,")

    revoke = add(
        "revoke", "revoke tokens: by id, from a file, or by selection", epilog=REVOKE_EPILOG
    )
    revoke_arguments(revoke)
    _json_option(revoke, "the report (or, with --dry-run, the selection)")

    add_automation(add, _json_option, parents=sub, redact=redact)
    add_hygiene(add, _json_option)

    demo = add(
        "demo",
        "run the bulk revocation job end to end on an embedded fake Fastly (no account needed)",
        epilog="The demo makes its own fake Fastly, key and tokens: --token, --base-url and\n"
        "--allow-insecure-http are refused, and $FASTLY_API_TOKEN and $FASTLY_API_URL ignored.\n"
        "To try the commands on a fake you can point them at: python -m fastly_tokens.testing",
    )
    demo.add_argument(
        "--tokens",
        type=whole_number(1, DEMO_MAX_TOKENS),
        default=DEMO_TOKENS,
        metavar="N",
        help=f"tokens to seed for the demo user (default {DEMO_TOKENS}, at most "
        f"{DEMO_MAX_TOKENS:,})",
    )
    demo.add_argument("--seed", type=int, default=7, help="seed for the fake's data (default 7)")
    job_options(demo)
    return parser
