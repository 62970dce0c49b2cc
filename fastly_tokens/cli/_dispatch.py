"""Running a parsed command: its handler in an event loop, and the exit status of its end.

Usage errors exit 2, API errors 1, Ctrl-C 130; a reader that went away (``| head``) ends the
command quietly. Anything else is a bug: its traceback is printed, cleaned like everything
else (secrets masked, control characters escaped), and the command exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import traceback
from collections.abc import Callable, Coroutine
from typing import Any

from .. import FastlyError
from . import _commands, _revoke
from ._connect import Network
from ._console import Output
from ._explain import explain
from ._grammar import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, UsageError
from ._secrets import Redactor
from ._streams import Streams
from ._visible import visible_lines

__all__ = ["execute"]

Handler = Callable[[argparse.Namespace, Output, Streams], Coroutine[Any, Any, int]]


def _handler(command: str) -> Handler:
    """Look the handler up when it is called (so a test can replace one)."""
    if command == "demo":
        from ._demo import demo  # noqa: PLC0415 (imports the fake server only when needed)

        return demo
    if command in ("inventory", "audit"):
        from ._hygiene import audit_command, inventory_command  # noqa: PLC0415 (as below)

        return inventory_command if command == "inventory" else audit_command
    if command == "rotate":
        from ._rotate import rotate_command  # noqa: PLC0415 (as below)

        return rotate_command
    if command == "automation":
        from ._automation import automation  # noqa: PLC0415 (as the rest: one module a command)

        return automation
    handlers: dict[str, Handler] = {
        "current": _commands.current,
        "get": _commands.get,
        "list": _commands.list_tokens,
        "create": _commands.create,
        "revoke": _revoke.revoke,
    }
    return handlers[command]


def execute(args: argparse.Namespace, streams: Streams, redact: Redactor) -> int:
    """Run the command ``args`` names; return its exit status."""
    out = Output(streams, redact=redact)

    async def main() -> int:
        async with Network(out.waiting, streams):
            return await _handler(args.command)(args, out, streams)

    try:
        with out.sdk_logging(verbose=bool(getattr(args, "verbose", False))):
            return asyncio.run(main())
    except (Exception, KeyboardInterrupt) as exc:
        return _failure(exc, out, streams)


def _failure(exc: BaseException, out: Output, streams: Streams) -> int:
    """Report what ended the command, and return the exit status for it."""
    if isinstance(exc, UsageError):
        out.error(str(exc))
        return EXIT_USAGE
    if isinstance(exc, FastlyError):
        out.error(explain(exc))
        return EXIT_FAILED
    if isinstance(exc, KeyboardInterrupt):
        out.note("fastly-tokens: interrupted", style="yellow")
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        # The reader went away (``| head``): say nothing more, as rich itself does.
        if streams.stdout is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    # A bug: show the traceback, cleaned.
    text = "".join(traceback.format_exception(exc))
    streams.stderr.write(visible_lines(out.redact(text)))
    return EXIT_FAILED
