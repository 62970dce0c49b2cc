r"""Strings from outside made safe for a terminal: control characters shown, never obeyed.

A token's name, ``ip`` and ``user_agent`` are set by whoever last used it (a leaked token's
thief, say), and an error message quotes what a server sent. Printed raw, ``ESC[1A ESC[2K``
would erase the line above and a right-to-left override would reorder it. So every character
that is not printable is written as its escape (``\x1b``, ``\u202e``, ``\n``), as Python's
``repr`` writes it. ``--json`` needs none of this: ``json.dumps`` escapes them itself.
"""

from __future__ import annotations

__all__ = ["visible", "visible_lines"]


def _escape(char: str) -> str:
    return repr(char)[1:-1]


def visible(text: str) -> str:
    """Return ``text`` with each non-printable character (newlines too) as its escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def visible_lines(text: str) -> str:
    """Like :func:`visible`, but keep the line breaks (for a traceback)."""
    return "\n".join(visible(line) for line in text.split("\n"))
