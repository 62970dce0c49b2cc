"""Keeping secrets out of what the command writes: the key, the password, key-shaped words.

A server or a proxy that echoes the request into its error body hands the ``Fastly-Key``
header (and, on create, the form with the password) back; argparse echoes a word typed in the
wrong place. So every string the command writes passes through one :class:`Redactor`, which
masks the configured key, the password once it is read, and any word of the command line
shaped like a Fastly key (32 characters of the URL-safe alphabet, both cases: ids, which are
22 letters and digits, stay visible).

A key pasted by mistake is seldom exact: ``"$KEY.x"``, a key with junk appended, or one cut
short. So a run of the key alphabet that holds :data:`WINDOW` consecutive characters of a
secret is masked whole, wherever it appears. Nothing here imports rich.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "MASK",
    "WINDOW",
    "Redactor",
    "SecretText",
    "key_shaped_words",
    "looks_like_key",
    "secret_option_values",
]

MASK = "***"

MIN_SECRET = 4
"""Shorter values are not masked: masking every ``a`` would garble the output, not hide it."""

KEY_LENGTH = 32
_KEY_ALPHABET = "A-Za-z0-9_-"
_KEY_RUN = re.compile(
    rf"(?<![{_KEY_ALPHABET}])[{_KEY_ALPHABET}]{{{KEY_LENGTH}}}(?![{_KEY_ALPHABET}])"
)

WINDOW = 12
"""Consecutive characters of a secret that make a word a piece of it: 72 random bits of a key,
which no id or name shares by chance, and too few (of 192) to be worth hiding when shown."""
_ALPHABET_RUN = re.compile(rf"[{_KEY_ALPHABET}]{{{WINDOW},}}")
_HALF = WINDOW // 2

SECRET_OPTIONS = ("--token", "--password")
"""Options whose value is a secret; argparse also takes any unambiguous prefix of them."""

_SHORTEST_PREFIX = len("--t")


class SecretText(str):
    """A secret option's value: a ``str`` whose repr is masked.

    So the parsed arguments' repr (in a debugger, or a crash reporter's frame locals) does not
    show the key or the password.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(MASK)


def looks_like_key(text: str) -> bool:
    """Whether ``text`` has a Fastly key's shape: 32 URL-safe characters, upper and lower case.

    Fastly's keys are random over 64 symbols, so one without both cases is a one in ten million
    chance; names and paths in lower case with dashes, which the alphabet allows, are not keys.
    """
    return (
        _KEY_RUN.fullmatch(text) is not None
        and any(c.isupper() for c in text)
        and any(c.islower() for c in text)
    )


def key_shaped_words(argv: Iterable[str]) -> list[str]:
    """Return every run of ``argv`` shaped like a key, also inside words (``--tokn=KEY``)."""
    return [
        match.group()
        for word in argv
        for match in _KEY_RUN.finditer(word)
        if looks_like_key(match.group())
    ]


def _secret_option(word: str) -> bool:
    name = word.split("=", 1)[0]
    return len(name) >= _SHORTEST_PREFIX and any(opt.startswith(name) for opt in SECRET_OPTIONS)


def secret_option_values(argv: Sequence[str]) -> list[str]:
    """Return the values given to ``--token`` and ``--password``, or to a prefix of them."""
    found: list[str] = []
    for i, word in enumerate(argv):
        if not word.startswith("--") or not _secret_option(word):
            continue
        if "=" in word:
            found.append(word.split("=", 1)[1])
        elif i + 1 < len(argv):
            found.append(argv[i + 1])
    return found


def _variants(secret: str) -> set[str]:
    """List the forms a secret takes on its way back: as sent, trimmed, form- or JSON-encoded."""
    forms: set[str] = set()
    for value in {secret, secret.strip()}:
        forms |= {value, quote_plus(value), quote(value, safe="")}
        forms |= {json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    return {form for form in forms if len(form) >= MIN_SECRET}


class Redactor:
    """Masks every secret it was given (in any of its encoded forms) out of a text."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        self._windows: set[str] = set()
        self._anchors: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._probe: re.Pattern[str] | None = None
        """Matches any text that holds a secret or a piece of one (and a few that do not)."""
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Mask ``secret`` too from now on (the password, once it is read)."""
        if not secret:
            return
        self._secrets |= _variants(secret)
        for run in _ALPHABET_RUN.findall(secret):
            self._windows |= {run[i : i + WINDOW] for i in range(len(run) - WINDOW + 1)}
            # Every window holds one of these halves whole: a text without any holds none.
            self._anchors |= {run[i : i + _HALF] for i in range(0, len(run) - _HALF + 1, _HALF)}
        if self._secrets:
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(s) for s in ordered))
            probes = sorted(self._secrets | self._anchors, key=len, reverse=True)
            self._probe = re.compile("|".join(re.escape(s) for s in probes))

    def _piece(self, match: re.Match[str]) -> str:
        run = match.group()
        windows = self._windows
        if any(run[i : i + WINDOW] in windows for i in range(len(run) - WINDOW + 1)):
            return MASK
        return run

    def __call__(self, text: str) -> str:
        """Return ``text`` with every secret, and every word holding a piece of one, as ``***``."""
        if self._pattern is None or self._probe is None or not self._probe.search(text):
            return text  # the common case, at the cost of one search
        text = self._pattern.sub(MASK, text)
        if self._windows:
            text = _ALPHABET_RUN.sub(self._piece, text)
        return text

    def holds_secret(self, text: str) -> bool:
        """Whether ``text`` is, holds or shares a piece of a secret, or holds a key-shaped run."""
        return self(text) != text or bool(key_shaped_words([text]))

    def __repr__(self) -> str:
        return f"<Redactor of {len(self._secrets)} forms>"

    def document(self, data: Any, *, keep: frozenset[str] = frozenset()) -> Any:
        """Mask every string of a JSON document, its keys too, but for the fields ``keep`` names.

        ``keep`` is for the one secret the command is there to print: a new token's own.
        """
        if self._pattern is None:
            return data
        if isinstance(data, str):
            return self(data)
        if isinstance(data, Mapping):
            return {
                self(str(k)): v if k in keep else self.document(v, keep=keep)
                for k, v in data.items()
            }
        if isinstance(data, list | tuple):
            return [self.document(item, keep=keep) for item in data]
        return data
