"""The ids a command is given: on the command line, in files, on standard input.

One id a line in a file. Surrounding whitespace is trimmed; blank lines are skipped; ``#``
starts a comment, on a line of its own or after an id (no Fastly id contains ``#``). A
malformed id reaches the job, which reports it as ``invalid``; but an id shaped like an API
key, or holding one (``"$KEY.x"``), or a piece of the configured key, is refused before
anything is sent, since sending it would put a secret in a URL (and a file of keys instead of
ids is a mistake worth stopping for). The refusal never shows the id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TextIO

from .._ids import is_valid_id
from ._grammar import UsageError
from ._secrets import key_shaped_words

Secretive = Callable[[str], bool]
"""Whether a word is, holds or shares a piece of a secret (``Redactor.holds_secret``)."""

__all__ = [
    "IdFileError",
    "check_id",
    "gather_ids",
    "optional_id",
    "parse_id_lines",
    "read_id_file",
]

_LOOKS_LIKE_KEY = (
    "{what} looks like an API key, or holds one, not a token id (ids are 22 letters and "
    "digits); nothing was sent"
)

STDIN = "-"


class IdFileError(Exception):
    """An id file could not be read; the message names the file and the reason."""


def parse_id_lines(lines: Iterable[str]) -> list[str]:
    """Return the ids in ``lines``, in order, without blanks, comments or whitespace."""
    ids: list[str] = []
    for number, line in enumerate(lines):
        text = line.removeprefix("\ufeff") if number == 0 else line
        text = text.split("#", 1)[0].strip()
        if text:
            ids.append(text)
    return ids


def read_id_file(path: str, stdin: TextIO) -> list[str]:
    """Read the ids in the file at ``path``; ``-`` reads ``stdin``."""
    if path == STDIN:
        try:
            return parse_id_lines(stdin.read().splitlines())
        except (OSError, UnicodeDecodeError) as exc:
            raise IdFileError(f"cannot read ids from standard input: {exc}") from None
    try:
        with open(path, encoding="utf-8-sig") as file:
            return parse_id_lines(file.read().splitlines())
    except OSError as exc:
        raise IdFileError(f"cannot read ids from {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise IdFileError(f"cannot read ids from {path}: not UTF-8 text ({exc.reason})") from None


def _key_shaped(text: str) -> bool:
    return bool(key_shaped_words([text]))


def check_id(value: str, what: str, *, secretive: Secretive = _key_shaped) -> str:
    """Return ``value`` if it is a well-formed id; else a usage error naming ``what``."""
    if secretive(value) or _key_shaped(value):
        raise UsageError(_LOOKS_LIKE_KEY.format(what=what))
    if not is_valid_id(value):
        raise UsageError(f"{what} must be 1 to 64 ASCII letters and digits, got {value!r}")
    return value


def optional_id(value: str | None, what: str, *, secretive: Secretive) -> str | None:
    """Check an optional id option (``--customer``, ``--owner``): None when not given."""
    return check_id(value, what, secretive=secretive) if value else None


def gather_ids(
    ids: Sequence[str],
    files: Sequence[str],
    stdin: TextIO,
    *,
    secretive: Secretive = _key_shaped,
) -> list[str]:
    """Return the ids given, then those of each file in turn; refuse any holding a secret."""
    if sum(1 for path in files if path == STDIN) > 1:
        raise UsageError("--file - (standard input) can be given only once")
    for number, token_id in enumerate(ids, 1):
        if secretive(token_id) or _key_shaped(token_id):
            raise UsageError(_LOOKS_LIKE_KEY.format(what=f"ID {number}"))
    gathered = list(ids)
    for path in files:
        try:
            from_file = read_id_file(path, stdin)
        except IdFileError as exc:
            raise UsageError(str(exc)) from None
        for number, token_id in enumerate(from_file, 1):
            if secretive(token_id) or _key_shaped(token_id):
                raise UsageError(_LOOKS_LIKE_KEY.format(what=f"id {number} of {path}"))
        gathered.extend(from_file)
    return gathered
