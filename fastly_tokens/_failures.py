"""What a call that got no answer ends in: one typed error, saying where and how long.

Pure: the client hands over the exception, the host and the time waited. aiohttp's errors are
kept as ``__cause__`` without their frames (their locals hold the request headers), and never
one that holds a ``request_info`` (its repr shows the headers, the key among them).
"""

from __future__ import annotations

import aiohttp

from ._errors import APIConnectionError, APITimeoutError, ClientClosedError, FastlyError
from ._secrets import Redactor, scrub

__all__ = ["no_answer"]


def _cause(exc: BaseException) -> BaseException | None:
    """Pick the aiohttp error to keep as ``__cause__``, without its frames.

    None when the chain holds a ``request_info``, whose repr shows the request headers.
    """
    link: BaseException | None = exc
    while link is not None:
        if isinstance(link, aiohttp.ClientResponseError):
            return None
        link = link.__cause__ or link.__context__
    return scrub(exc)


def no_answer(
    exc: BaseException,
    *,
    method: str,
    path: str,
    host: str,
    waited: float,
    redact: Redactor,
    closed: bool,
) -> BaseException:
    """Choose the exception a call that got no answer ends in (its frames dropped).

    Cancellation and interrupts stay as they are; a closed client says so; a timeout names the
    host and the seconds waited; any other connection failure names the host and what aiohttp
    said. Anything else is a bug, raised as it is.
    """
    if not isinstance(exc, Exception):  # CancelledError, KeyboardInterrupt: as they are
        return scrub(exc)
    if closed:
        return ClientClosedError(f"{method} {path}: the client was closed during this call")
    if isinstance(exc, FastlyError):
        return scrub(exc)
    error: APIConnectionError
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        what = "connecting to" if isinstance(exc, aiohttp.ConnectionTimeoutError) else "for"
        error = APITimeoutError(
            f"timed out after {waited:.1f} s waiting {what} {host} ({type(exc).__name__})",
            method=method,
            path=path,
        )
    elif isinstance(exc, aiohttp.ClientError):
        said = redact(f"{type(exc).__name__}: {exc}")
        error = APIConnectionError(
            f"no answer from {host} after {waited:.1f} s: {said}", method=method, path=path
        )
    else:
        return scrub(exc)  # not a failure of the call: a bug, shown as it is
    error.__cause__ = _cause(exc)
    return error
