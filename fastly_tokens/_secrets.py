"""Keeping the API token and passwords out of every repr, message, chain and frame.

A secret is held in :class:`Secret`, whose repr is ``<secret>``; request headers and bodies that
carry one are a :class:`MaskedHeaders` and a :class:`SecretBytes`, whose reprs mask it, so even a
traceback printed with its frame locals shows nothing. A server that echoes a request back
could still put a secret into an error's text, so every text an error keeps goes through a
:class:`Redactor` first. :func:`scrub` cuts the frames out of an exception chain on its way out
of the client: aiohttp's frames hold the merged request headers, ``Fastly-Key`` included.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import NoReturn
from urllib.parse import quote, quote_plus

__all__ = [
    "MASK",
    "REDACTED",
    "MaskedHeaders",
    "Redactor",
    "Secret",
    "SecretBytes",
    "check_secret",
    "scrub",
]

MASK = "<secret>"
"""What a secret is shown as in a repr."""

REDACTED = "***"
"""What a secret is replaced with in a text (an error's message), as the command line does."""

_MIN_MASKED = 4  # shorter values would mask ordinary words out of every message


class Secret:
    """Holds one secret (a key, a password, a one-time code) so that no repr shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret itself, to put on the wire."""
        return self._value

    def __repr__(self) -> str:
        return MASK

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret is never pickled")


class MaskedHeaders(dict[str, str]):
    """Request headers whose repr masks the ``Fastly-Key`` and the ``Fastly-OTP``."""

    _MASKED = frozenset({"fastly-key", "fastly-otp", "authorization"})

    def __repr__(self) -> str:
        shown = {k: (MASK if k.lower() in self._MASKED else v) for k, v in self.items()}
        return repr(shown)


class SecretBytes(bytes):
    """A request body that carries a secret (the create form's password); its repr hides it."""

    def __repr__(self) -> str:
        return f"<{len(self)} bytes holding a secret>"

    __str__ = __repr__


def check_secret(value: str, parameter: str) -> str:
    """Strip surrounding whitespace (a key read from a file ends in a newline) and refuse the rest.

    A secret goes into a header, so it must be printable ASCII with no space or control
    character inside. The error names ``parameter`` and never shows the value.
    """
    stripped = value.strip()
    if not stripped:
        raise ValueError(f"{parameter} is empty")
    if not (stripped.isascii() and stripped.isprintable()) or any(c.isspace() for c in stripped):
        raise ValueError(
            f"{parameter} holds a space, a control character or a non-ASCII character; "
            "a Fastly secret is printable ASCII (was it read from a file with a stray byte?)"
        )
    return stripped


def _spellings(value: str) -> set[str]:
    """List how a server could echo a secret: as it is, form- or URL-encoded, JSON-escaped."""
    return {value, quote_plus(value), quote(value, safe=""), json.dumps(value)[1:-1]}


class Redactor:
    """Masks known secrets out of a text: what an error keeps of a server's answer."""

    __slots__ = ("_values",)

    def __init__(self, secrets: Iterable[Secret] = ()) -> None:
        values = {form for s in secrets for form in _spellings(s.reveal())}
        self._values = tuple(sorted((v for v in values if len(v) >= _MIN_MASKED), key=len)[::-1])

    def __call__(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        return text

    def with_secrets(self, secrets: Iterable[Secret]) -> Redactor:
        """Return a redactor that also masks ``secrets`` (a password sent with one call)."""
        redactor = Redactor(secrets)
        redactor._values = tuple(sorted({*self._values, *redactor._values}, key=len)[::-1])
        return redactor

    def __repr__(self) -> str:
        return f"<Redactor of {len(self._values)} secrets>"


def scrub(error: BaseException) -> BaseException:
    """Drop the traceback of every exception in ``error``'s chain; return ``error``.

    The frames of a failed request include aiohttp's, whose locals hold the request headers.
    ``error`` keeps its type, message, fields and chain, just no frames below the caller.
    """
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current.__traceback__ = None
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
    return error
