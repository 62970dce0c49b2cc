"""Checks on the ids that go into request paths, made before anything is sent.

Fastly's ids are short ASCII alphanumeric strings (22 characters in practice). Anything else,
such as ``../x``, ``a/b``, spaces or non-ASCII letters, would change the path the request
goes to, so it is refused here with an error naming the parameter.
"""

from __future__ import annotations

__all__ = ["MAX_ID_LENGTH", "check_id", "is_valid_id"]

MAX_ID_LENGTH = 64
"""Longer than any id Fastly issues (22), short enough to refuse junk."""


def is_valid_id(value: object) -> bool:
    """Whether ``value`` has the form of a Fastly id: 1 to 64 ASCII letters and digits."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ID_LENGTH
        and value.isascii()
        and value.isalnum()
    )


def check_id(value: object, parameter: str) -> str:
    """Return ``value`` if it is a well-formed id, else raise naming ``parameter``."""
    if not isinstance(value, str):
        raise TypeError(f"{parameter} must be a str, not {type(value).__name__}")
    if not is_valid_id(value):
        raise ValueError(
            f"{parameter} must be 1 to {MAX_ID_LENGTH} ASCII letters and digits, got {value!r}"
        )
    return value
