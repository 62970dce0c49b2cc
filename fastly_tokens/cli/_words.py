"""Counted nouns for what the command prints: "1 token", "2 tokens", never "1 tokens"."""

from __future__ import annotations

__all__ = ["plural"]


def plural(count: int, word: str, words: str | None = None) -> str:
    """Write ``count`` and the noun that agrees with it (``words``: the irregular plural)."""
    return f"{count} {word if count == 1 else (words or word + 's')}"
