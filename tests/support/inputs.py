"""Inputs several test modules share: ids the SDK must refuse, and headers as aiohttp holds them."""

from __future__ import annotations

from multidict import CIMultiDict

BAD_IDS = ["", "../x", "a/b", "a b", " abc", "abc\n", "tökén", "a?b=c", "a#b", "%2e%2e", "x" * 65]
"""Token ids that are empty, reach outside the path, carry a query or are too long."""

UNKNOWN_ID = "AAAAAAAAAAAAAAAAAAAAAA"
"""A well-formed token id the fake never issues."""

NOW = 1_699_999_200.0
"""A start time on a whole number of hours, so windows of 10 s, 60 s and 3600 s all start here."""


def headers_of(**fields: str) -> CIMultiDict[str]:
    """Response headers from keywords: ``Retry_After="7"`` is ``Retry-After: 7``."""
    return CIMultiDict({name.replace("_", "-"): value for name, value in fields.items()})
