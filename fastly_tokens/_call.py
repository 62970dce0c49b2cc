"""What one call carries between the client and the middlewares below it, and what it brings back.

The client puts a fresh :class:`CallRecord` in :data:`CALL_RECORD` before sending; the
middlewares fill it in (requests spent, whether an attempt may have reached Fastly, the body
read within the size cap). Both layers import this module; neither imports the other.
"""

from __future__ import annotations

from contextvars import ContextVar

import attrs
from multidict import CIMultiDictProxy

__all__ = ["CALL_RECORD", "CallRecord", "Response"]


@attrs.define
class CallRecord:
    """What happened to one call across its attempts, for the client to read afterwards.

    ``attempts`` counts the requests handed to the transport (the requests spent), not those the
    rate-limit gate refused without sending. ``maybe_applied`` is set when an attempt failed
    after the request could have reached Fastly (a drop after sending, a read timeout, a 5xx).
    ``body`` is the last answer's body, read by the innermost middleware within the size cap.
    """

    attempts: int = 0
    maybe_applied: bool = False
    body: bytes | None = attrs.field(default=None, repr=False, eq=False)

    def add(self, other: CallRecord) -> None:
        """Count another call's requests in this one.

        A record is never shared between calls in flight (each reads its body into its own):
        concurrent calls keep one each, and add them up after.
        """
        self.attempts += other.attempts
        self.maybe_applied = self.maybe_applied or other.maybe_applied


CALL_RECORD: ContextVar[CallRecord | None] = ContextVar("fastly_tokens_call", default=None)
"""The record of the call in progress; middlewares mutate it in place (never re-set it), so it
survives the context copies aiohttp makes."""


@attrs.frozen
class Response:
    """One call's final answer: status, headers and the whole body.

    The headers and body stay out of ``repr``: a server that echoes the request could have put
    the key in them, and an answer can sit in a traceback's frame locals.
    """

    status: int
    headers: CIMultiDictProxy[str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)
    maybe_applied: bool = False
    """An earlier attempt of this call was lost after it may have reached Fastly."""
