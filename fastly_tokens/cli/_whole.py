"""Writing a document whole or not at all, even if Ctrl-C comes in the middle.

``--json`` output is read by programs: a report cut short by Ctrl-C is worse than none, since
it may parse as far as it goes or fail only later. So the text is built first, then written and
flushed while SIGINT is held back: each Ctrl-C meanwhile is delivered to the handler that was
in place (Python's, which raises ``KeyboardInterrupt``, or asyncio's, which cancels the job at
the first and raises at the second) as soon as the write is done.

Holding it back uses ``signal.signal``, so it works on every platform Python runs on, Windows
too, but only in the main thread; elsewhere (the command embedded in a worker thread) the text
is written unguarded. A signal handler that only records the signal is enough: the interrupted
``write`` system call is retried (PEP 475), and no other thread can raise it in this one.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TextIO

__all__ = ["write_whole"]


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    previous = signal.getsignal(signal.SIGINT)
    if (
        threading.current_thread() is not threading.main_thread()
        or previous is None  # set outside Python: it could not be put back
        or previous is signal.SIG_IGN
    ):
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        # Now that the write is done, deliver each one to the handler that was in place
        # (asyncio's cancels the job at the first and raises at the second).
        for _ in caught:
            signal.raise_signal(signal.SIGINT)


def write_whole(stream: TextIO, text: str) -> None:
    """Write ``text`` to ``stream`` and flush it, with Ctrl-C held back until both are done."""
    with _sigint_held():
        stream.write(text)
        stream.flush()
