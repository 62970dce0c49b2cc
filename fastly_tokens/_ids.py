"""Checks on the ids that go into request paths, made before anything is sent.

Fastly's ids are short ASCII alphanumeric strings (22 characters in practice). Anything else,
such as ``../x``, ``a/b``, spaces or non-ASCII letters, would change the path the request
goes to, so it is refused here with an error naming the parameter. So are the words Fastly routes in
place of an id: ``DELETE /tokens/self`` revokes the caller's own token, so the id ``self`` (in
any case) would turn "revoke this id" into "revoke me".
"""

from __future__ import annotations

__all__ = ["MAX_ID_LENGTH", "RESERVED_IDS", "check_id", "is_valid_id"]

MAX_ID_LENGTH = 64
"""Longer than any id Fastly issues (22), short enough to refuse junk."""


RESERVED_IDS = frozenset({"self"})
"""Path words Fastly routes in place of an id (compared without case); never a token's id."""


def is_valid_id(value: object) -> bool:
    """Whether ``value`` has the form of a Fastly id: 1 to 64 ASCII letters and digits.

    A reserved path word such as ``self`` is not an id.
    """
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ID_LENGTH
        and value.isascii()
        and value.isalnum()
        and value.lower() not in RESERVED_IDS
    )


def check_id(value: object, parameter: str) -> str:
    """Return ``value`` if it is a well-formed id, else raise naming ``parameter``."""
    if not isinstance(value, str):
        raise TypeError(f"{parameter} must be a str, not {type(value).__name__}")
    if value.lower() in RESERVED_IDS:
        raise ValueError(
            f"{parameter} must be a token id, not the path word {value!r}: "
            "to revoke the token this client runs with, call revoke_token_current()"
        )
    if not is_valid_id(value):
        raise ValueError(
            f"{parameter} must be 1 to {MAX_ID_LENGTH} ASCII letters and digits, "
            f"got {_shown(value)}"
        )
    return value


_SHOWN_LENGTH = 24  # ids are 22 characters; an API key (32) pasted by mistake is not echoed


def _shown(value: str) -> str:
    """How an error names a bad id: as it is when short, else only its length (maybe a key)."""
    if len(value) <= _SHOWN_LENGTH:
        return repr(value)
    return f"a {len(value)}-character string (not shown: it may be a secret)"
