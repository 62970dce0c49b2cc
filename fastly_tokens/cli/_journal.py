"""``--journal PATH``: refusing a path that holds something other than a journal.

The SDK's journal reads any bytes without crashing (a line torn by a power cut is skipped with
a warning), so a file of ids given to ``--journal`` by mistake would be skipped line by line,
then written to: the user's file gains a journal's lines. A journal's first line is its
header, written and synced alone before anything else; so a file whose first whole line is
not a header is not a journal, and the command says so before anything is sent.
"""

from __future__ import annotations

import json

from ._grammar import UsageError

__all__ = ["HEADER_KEY", "check_journal"]

HEADER_KEY = "fastly_tokens_journal"
"""The key of a journal's header line (the SDK's ``_bulk.journal``; a test keeps them one)."""

_FIRST_LINE = 64 * 1024


def check_journal(path: str | None, option: str = "--journal") -> None:
    """Refuse ``path`` if its first whole line is not a journal's header.

    A missing or empty file is a new journal; a file that cannot be read is left to the SDK,
    which names the reason; a first line with no end is a header torn before it was synced.
    """
    if path is None:
        return
    try:
        with open(path, "rb") as file:
            first = file.readline(_FIRST_LINE)
    except OSError:
        return
    if not first.strip() or not first.endswith(b"\n"):
        return
    try:
        header = json.loads(first)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get(HEADER_KEY) is None:
        raise UsageError(
            f"{option} {path} is not a journal (its first line is not a fastly-tokens "
            "journal's header): give a new path, or the journal of the job to resume"
        )
