"""The single-call commands: ``current``, ``get``, ``list`` and ``create``; and connecting.

Each handler takes the parsed arguments, the output and the streams, calls the SDK, prints
and returns the exit status. An API error propagates to the dispatcher (exit 1); a request
that cannot be made is a :class:`UsageError` (exit 2), found before anything is sent.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from .. import DEFAULT_BASE_URL, FastlyAsync, Scope, Token
from ._console import Output
from ._documents import token_json
from ._grammar import BASE_URL_ENV_VAR, EXIT_OK, TOKEN_ENV_VAR, UsageError
from ._ids import check_id
from ._selection import parse_moment
from ._streams import Streams

__all__ = ["connect", "create", "current", "get", "list_tokens", "password_of"]


def connect(args: argparse.Namespace, streams: Streams) -> FastlyAsync:
    """Build the client from ``--token``/``$FASTLY_API_TOKEN`` and ``--base-url``."""
    environ = streams.environ
    token = args.token if args.token is not None else environ.get(TOKEN_ENV_VAR)
    if not token or not token.strip():
        raise UsageError(f"no API token: pass --token or set {TOKEN_ENV_VAR}")
    base_url = args.base_url or environ.get(BASE_URL_ENV_VAR) or DEFAULT_BASE_URL
    try:
        return FastlyAsync(token, base_url=base_url, allow_insecure_http=args.allow_insecure_http)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


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
    token_id = check_id(args.token_id, "ID")
    async with connect(args, streams) as client:
        token = await client.tokens.get_token(token_id)
    _print_token(args, out, token)
    return EXIT_OK


async def list_tokens(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``list``: the user's tokens, or with ``--customer`` a customer's."""
    customer = check_id(args.customer, "--customer") if args.customer else None
    async with connect(args, streams) as client:
        if customer is None:
            tokens = await client.tokens.list_tokens_user()
        else:
            tokens = await client.tokens.list_tokens_customer(customer)
    if args.json:
        out.json([token_json(t) for t in tokens])
        return EXIT_OK
    whose = f"customer {customer}" if customer else "this user"
    out.tokens(tokens, title=f"{len(tokens)} tokens of {whose}", owners=customer is not None)
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
    scope: str | Scope = " ".join(args.scope) if args.scope else Scope.GLOBAL
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
    if args.json:
        out.json(token_json(created), keep=frozenset({"access_token"}))
        return EXIT_OK
    out.say(f"Created token {created.id}.", style="bold green")
    out.token(created)
    out.say("")
    out.say(
        "Its secret, shown only this once (Fastly cannot show it again; store it now):",
        style="bold yellow",
    )
    out.say_secret(created.access_token)
    return EXIT_OK
