"""Reading token ids from files and standard input.

One id a line. Surrounding whitespace is trimmed; blank lines are skipped; ``#`` starts a
comment, on a line of its own or after an id (no Fastly id contains ``#``). Ids are not
checked here: a malformed one reaches the job, which reports it as ``invalid``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

__all__ = ["IdFileError", "parse_id_lines", "read_id_file"]

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
