"""``rotate``: a token replaced by a new one without downtime, then the old one revoked.

The new secret is handed over once: alone on standard output (or in the ``--json`` document),
or to a new file of mode 0600 with ``--secret-file``; never both, never to a log. The steps go
to standard error, one line each.
"""

from __future__ import annotations

import argparse
import os
import re
from datetime import timedelta
from typing import Any

from .. import JournalError
from ._commands import password_of
from ._connect import connect
from ._console import Output
from ._grammar import EXIT_OK, UsageError
from ._ids import check_id
from ._journal import check_journal
from ._streams import Streams

__all__ = ["parse_duration", "rotate_command"]

_DURATION = re.compile(r"(\d+)\s*([smhd]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_GRACE = timedelta(days=365)
"""The longest grace period: a year of two live tokens is not a rotation."""


def parse_duration(text: str) -> timedelta:
    """Read ``30m``, ``2h``, ``1d`` or a number of seconds, up to :data:`MAX_GRACE`."""
    found = _DURATION.fullmatch(text.strip().lower())
    if found is None:
        raise UsageError(f"--grace: not a duration such as 30m, 2h or 1d: {text!r}")
    seconds = int(found.group(1)) * _UNITS[found.group(2)]
    if seconds > MAX_GRACE.total_seconds():
        raise UsageError(f"--grace: at most {MAX_GRACE.days} days, got {text.strip()!r}")
    return timedelta(seconds=seconds)


def _refuse_unusable(path: str | None) -> None:
    """Refuse before any write a secret file that exists, or whose folder cannot take it.

    The new secret goes to a new file, never over an old one; and a file that cannot be made
    once the successor exists would cost a token made and revoked for nothing.
    """
    if path is None:
        return
    if os.path.lexists(path):
        raise UsageError(
            f"--secret-file {path} exists: the new secret goes to a new file only "
            "(move the old one away first)"
        )
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise UsageError(f"--secret-file {path}: no such folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--secret-file {path}: the folder {folder} is not writable")


def _write_secret(path: str, secret: str) -> None:
    """Write the secret to a new file of mode 0600, synced; a usage error if it cannot be."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secret + "\n")
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        raise UsageError(
            f"--secret-file {path}: cannot write it ({exc.strerror or exc}); the new token was "
            "revoked and the old one still works"
        ) from None


async def rotate_command(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``rotate ID``."""
    token_id = check_id(args.token_id, "ID", secretive=out.redact.holds_secret)
    grace = parse_duration(args.grace) if args.grace else timedelta(0)
    if grace and not args.journal and not args.wait:
        raise UsageError("--grace needs --journal (a later run revokes the old token) or --wait")
    path = args.secret_file
    _refuse_unusable(path)
    check_journal(args.journal)
    client = connect(args, streams)
    password = password_of(args, streams)
    out.redact.add(password)
    if not password:
        raise UsageError("the password is empty")
    handed: dict[str, str] = {}

    def hand_over(secret: str) -> None:
        if path is not None:
            _write_secret(path, secret)
        elif args.json:
            handed["access_token"] = secret  # goes out once, in the JSON document
        else:
            out.say_secret(secret)
        if path is not None or not args.json:
            out.redact.add(secret)  # handed over: masked in everything printed after

    options: dict[str, Any] = {
        "username": args.username,
        "otp": args.otp,
        "name": args.name,
        "grace": grace,
        "wait": args.wait,
        "journal": args.journal,
    }
    async with client:
        try:
            result = await client.rotate_token(
                token_id, password=password, hand_over=hand_over, **options
            )
        except JournalError as exc:
            raise UsageError(str(exc)) from None
    for step in result.steps:
        out.note(f"{step.step}: {step.detail}")
    if result.state == "awaiting_grace" and result.revoke_after is not None:
        out.note(
            f"the old token {token_id} stays valid until {result.revoke_after:%Y-%m-%d %H:%M} "
            "UTC: run the same command (same --journal) after it to revoke it",
            style="yellow",
        )
    if args.json:
        document: dict[str, Any] = {
            "old_id": result.old_id,
            "new_id": result.new_id,
            "state": result.state,
            "revoke_after": None
            if result.revoke_after is None
            else result.revoke_after.isoformat(),
            "steps": [{"step": s.step, "detail": s.detail} for s in result.steps],
            **handed,
        }
        out.json(document, keep=frozenset({"access_token"}))
    return EXIT_OK
