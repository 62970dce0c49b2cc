"""``automation``: list, show, create and revoke the account's automation tokens.

Each handler takes the parsed arguments, the output and the streams, calls the SDK, prints and
returns the exit status, as the user-token commands do. ``automation revoke`` is ``revoke``,
its selections narrowed to automation tokens.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from ._commands import password_of, show_created
from ._connect import connect
from ._console import Output
from ._documents import token_json
from ._grammar import EXIT_OK, UsageError
from ._ids import check_id
from ._revoke import revoke
from ._selection import checked_scopes, criteria, parse_moment
from ._streams import Streams
from ._words import plural

__all__ = ["automation"]


async def automation(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``automation ACTION``."""
    actions = {"list": _list, "get": _get, "create": _create, "revoke": _revoke}
    return await actions[args.automation](args, out, streams)


async def _list(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    async with connect(args, streams) as client:
        tokens = await client.automation_tokens.list_automation_tokens()
    if args.json:
        out.json([token_json(t) for t in tokens])
    else:
        out.tokens(tokens, title=plural(len(tokens), "automation token"))
    return EXIT_OK


async def _get(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    token_id = check_id(args.token_id, "ID", secretive=out.redact.holds_secret)
    async with connect(args, streams) as client:
        token = await client.automation_tokens.get_automation_token(token_id)
        services = await client.automation_tokens.list_automation_token_services(token_id)
    if args.json:
        out.json({**token_json(token), "services": services})
    else:
        out.token(token)
        out.say(f"services: {' '.join(services) or 'all'}")
    return EXIT_OK


async def _create(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    now = datetime.now(UTC)
    expires_at = parse_moment(args.expires_at, "--expires-at", now=now) if args.expires_at else None
    scope = checked_scopes(args.scope)
    client = connect(args, streams)
    password = password_of(args, streams)
    out.redact.add(password)
    if not password:
        raise UsageError("the password is empty")
    options: dict[str, Any] = {"role": args.role, "roles": args.roles or ()}
    async with client:
        try:
            created = await client.automation_tokens.create_automation_token(
                name=args.name,
                password=password,
                username=args.username,
                services=args.service,
                scope=scope,
                expires_at=expires_at,
                tls_access=args.tls_access or None,
                otp=args.otp,
                **options,
            )
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    show_created(out, created, "automation token", as_json=args.json)
    return EXIT_OK


async def _revoke(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    if args.kind is None and criteria(args, now=datetime.now(UTC)):
        args.kind = "automation"  # a selection here chooses among automation tokens
    return await revoke(args, out, streams)
