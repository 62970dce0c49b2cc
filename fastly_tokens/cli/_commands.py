"""The single-call commands: ``current``, ``get``, ``list`` and ``create``.

Each handler takes the parsed arguments, the output and the streams, calls the SDK, prints
and returns the exit status. An API error propagates to the dispatcher (exit 1); a request
that cannot be made is a :class:`UsageError` (exit 2), found before anything is sent.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from .. import CreatedAutomationToken, CreatedToken, Scope, Token
from ._connect import connect
from ._console import Output, settle
from ._documents import token_json
from ._grammar import EXIT_OK, UsageError
from ._ids import check_id, optional_id
from ._selection import checked_scopes, parse_moment
from ._streams import Streams
from ._words import plural

__all__ = ["create", "current", "get", "list_tokens", "password_of", "show_created"]


def _print_token(args: argparse.Namespace, out: Output, token: Token) -> None:
    if args.json:
        out.json(token_json(token))
    else:
        out.token(token)


async def current(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``current``: show the token this command authenticates with."""
    async with connect(args, streams) as client:
        token = await client.tokens.get_token_current()
    _print_token(args, out, token)
    return EXIT_OK


async def get(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``get ID``: show one token."""
    token_id = check_id(args.token_id, "ID", secretive=out.redact.holds_secret)
    async with connect(args, streams) as client:
        token = await client.tokens.get_token(token_id)
    _print_token(args, out, token)
    return EXIT_OK


async def list_tokens(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``list``: the user's tokens, or with ``--customer`` a customer's."""
    customer = optional_id(args.customer, "--customer", secretive=out.redact.holds_secret)
    async with connect(args, streams) as client:
        if customer is None:
            tokens = await client.tokens.list_tokens_user()
        else:
            tokens = await client.tokens.list_tokens_customer(customer)
    settle()
    if args.json:
        out.json([token_json(t) for t in tokens])
        return EXIT_OK
    whose = f"customer {customer}" if customer else "this user"
    out.tokens(
        tokens, title=f"{plural(len(tokens), 'token')} of {whose}", owners=customer is not None
    )
    return EXIT_OK


def password_of(args: argparse.Namespace, streams: Streams) -> str:
    """Read the password from ``--password``, ``--password-stdin`` or the prompt.

    Off a terminal without either, a usage error.
    """
    if args.password is not None:
        return str(args.password)
    if args.password_stdin:
        line = streams.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    if streams.stdin.isatty():
        whose = args.username or "the key's user"
        return streams.prompt_password(f"Password for {whose}: ")
    raise UsageError("no password: standard input is not a terminal; use --password-stdin")


async def create(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``create``: make a token and print its secret, once."""
    now = datetime.now(UTC)
    expires_at = parse_moment(args.expires_at, "--expires-at", now=now) if args.expires_at else None
    scope: str | Scope = checked_scopes(args.scope) or Scope.GLOBAL
    client = connect(args, streams)
    password = password_of(args, streams)
    out.redact.add(password)
    if not password:
        raise UsageError("the password is empty")
    async with client:
        try:
            created = await client.tokens.create_token(
                username=args.username,
                password=password,
                name=args.name,
                scope=scope,
                services=args.service,
                expires_at=expires_at,
                otp=args.otp,
            )
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    show_created(out, created, "token", as_json=args.json)
    return EXIT_OK


def show_created(
    out: Output, created: CreatedToken | CreatedAutomationToken, noun: str, *, as_json: bool
) -> None:
    """Print a new token and, this once, its secret (``--json``: both in one document)."""
    if as_json:
        out.json(token_json(created), keep=frozenset({"access_token"}))
        return
    out.say(f"Created {noun} {created.id}.", style="bold green")
    out.token(created)
    out.say("")
    out.say(
        "Its secret, shown only this once (Fastly cannot show it again; store it now):",
        style="bold yellow",
    )
    out.say_secret(created.access_token)
