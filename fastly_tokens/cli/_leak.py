"""``revoke --secret -``: the leaked-secret response, knowing only the secret.

The secret is read from standard input, never from an argument (arguments land in shell
history and the process list), and is masked in everything the command prints. It identifies
and revokes itself; the command's own key then shows its owner and what it did.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._connect import connect
from ._console import Output
from ._documents import token_json
from ._grammar import EXIT_OK, UsageError
from ._hygiene_views import events_table
from ._streams import Streams
from ._words import plural

__all__ = ["revoke_leaked"]


def _read_secret(args: argparse.Namespace, streams: Streams) -> str:
    if args.secret != "-":  # noqa: S105 -- "-" names standard input; it is not a password
        raise UsageError(
            "--secret takes '-' only: the leaked secret is read from standard input, never "
            "from an argument (e.g. pbpaste | fastly-tokens revoke --secret -)"
        )
    if args.ids or args.files:
        raise UsageError("--secret revokes one leaked secret: give no ids or --file with it")
    secret = streams.stdin.readline().strip()
    if not secret:
        raise UsageError("--secret -: standard input held no secret")
    return secret


async def revoke_leaked(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``revoke --secret -``."""
    secret = _read_secret(args, streams)
    out.redact.add(secret)
    async with connect(args, streams) as client:
        response = await client.revoke_leaked_secret(secret)
    del secret
    token, owner = response.token, response.owner
    if args.json:
        document: dict[str, Any] = {
            "outcome": response.outcome,
            "token": None if token is None else token_json(token),
            "owner": None
            if owner is None
            else {"id": owner.id, "login": owner.login, "name": owner.name, "role": owner.role},
            "events": [
                {
                    "id": e.id,
                    "event_type": e.event_type,
                    "created_at": None if e.created_at is None else e.created_at.isoformat(),
                    "description": e.description,
                    "ip": e.ip,
                    "user_id": e.user_id,
                }
                for e in response.events
            ],
            "events_error": response.events_error,
            "created_tokens": list(response.created_tokens),
        }
        out.json(document)
        return EXIT_OK
    if token is None:
        out.say("The secret no longer works: Fastly refuses it (already revoked or expired).")
        return EXIT_OK
    verb = "Revoked" if response.outcome == "revoked" else "Already revoked:"
    if token.kind == "automation":
        whose = "the account (an automation token)"
    else:
        whose = f"user {token.user_id}" if owner is None else str(owner.login)
    out.say(f"{verb} token {token.id} ({token.name}), owned by {whose}", style="bold")
    out.token(token)
    if response.events_error:
        out.note(f"its events could not be read: {response.events_error}", style="yellow")
    else:
        out.say(f"{plural(len(response.events), 'event')} by this token since it was created:")
        out.show(events_table(response.events, clean=out.clean))
    if response.created_tokens:
        made = " ".join(response.created_tokens)
        out.note(
            f"it created {plural(len(response.created_tokens), 'token')}, which whoever held "
            f"the secret may hold too; revoke them with: fastly-tokens revoke {made}",
            style="bold red",
        )
    return EXIT_OK
