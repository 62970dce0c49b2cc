"""What the command reads and writes besides the network: its streams, environment, prompt, time.

``run(argv, streams)`` takes them as one value, so the whole command can run in-process (in
tests, or embedded) with its own standard streams, environment and clock. Nothing here imports
rich.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TextIO

import attrs

__all__ = ["Streams"]


@attrs.frozen
class Streams:
    """Standard input, output and error, the environment, the password prompt, and time."""

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    environ: Mapping[str, str] = attrs.field(repr=False)
    """Kept out of the repr: it holds ``FASTLY_API_TOKEN``."""
    prompt_password: Callable[[str], str] = getpass.getpass
    """Ask for a password without echoing it (``getpass.getpass``, which uses the terminal)."""
    clock: Callable[[], float] = time.monotonic
    """Seconds, for how long a request has been waited on and how often progress is shown."""
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    """The sleep between retries and between looks at a request in flight (a test's own)."""

    @classmethod
    def system(cls) -> Streams:
        """Use the process's own: ``sys.stdin``/``stdout``/``stderr`` and ``os.environ``."""
        return cls(sys.stdin, sys.stdout, sys.stderr, os.environ)
