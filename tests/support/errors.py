"""Looking at an exception as a reporter would: catch it, walk its chain, show everything.

What the secret-handling tests check: that no secret shows in any link's repr or str, in the
traceback's frame locals, or in a pickle; and that errors survive pickling and copying.
"""

from __future__ import annotations

import copy
import pickle
import traceback
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


async def capture(awaitable: Awaitable[Any]) -> BaseException:
    """Await ``awaitable`` and return what it raised; fail if it raised nothing.

    Catching here, in a frame with no secret among its locals, keeps the test's own frame
    (whose locals hold the key) out of the exception's traceback.
    """
    try:
        await awaitable
    except BaseException as exc:
        return exc
    raise AssertionError("expected an exception")


def chain(error: BaseException) -> list[BaseException]:
    """Every exception reachable from ``error``: causes, contexts, group members."""
    seen: list[BaseException] = []
    pending = [error]
    while pending:
        current = pending.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
    return seen


def everything_shown(error: BaseException) -> str:
    """All a reporter could show of ``error``: each link's repr and str, the traceback with
    frame locals (as Sentry, ``pytest -l`` and rich's ``show_locals`` print it), and pickles."""
    parts = [
        "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    ]
    for link in chain(error):
        parts += [repr(link), str(link), repr(vars(link)) if hasattr(link, "__dict__") else ""]
        try:
            parts.append(repr(pickle.dumps(link)))
        except Exception as exc:
            parts.append(f"<unpicklable: {type(exc).__name__}>")
    return "\n".join(parts)


def assert_no_secret(error: BaseException, secrets: Iterable[str]) -> None:
    """Fail if any of ``secrets`` shows anywhere in ``error``, its chain or its frames."""
    shown = everything_shown(error)
    for secret in secrets:
        assert secret not in shown, f"a secret leaks through {type(error).__name__}"


def roundtrip(error: T) -> T:
    """Pickle and unpickle ``error``, and check a copy keeps its fields too."""
    copied = copy.copy(error)
    assert vars(copied) == vars(error)
    restored: T = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    return restored
