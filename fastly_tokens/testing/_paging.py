"""Paging, the two ways the account APIs do it: ``page``/``per_page`` and ``page[number]``.

Pure: query parameters in, one page and its counts out. A page size over the maximum is
clamped to it (INFERRED; the answer's ``meta`` says which size was used).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar

import attrs

from ._errors import MSG_BAD_REQUEST, ApiError

T = TypeVar("T")


def positive_int(query: Mapping[str, str], name: str, default: int) -> int:
    """Read a positive integer parameter; 400 if it is anything else."""
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ApiError.msg(400, MSG_BAD_REQUEST, f"{name} must be a positive integer")
    return value


@attrs.frozen
class Page:
    """Which page of how many items: ``number`` counts from 1."""

    number: int
    size: int


def read_page(
    query: Mapping[str, str], number_name: str, size_name: str, default_size: int, max_size: int
) -> Page:
    """Read a page number and size from the query, the size clamped to ``max_size``."""
    return Page(
        number=positive_int(query, number_name, 1),
        size=min(positive_int(query, size_name, default_size), max_size),
    )


@attrs.frozen
class Cut(Generic[T]):
    """One page of items, with the counts a ``meta`` reports."""

    items: list[T]
    record_count: int
    total_pages: int
    page: Page


def cut(items: Sequence[T], page: Page) -> Cut[T]:
    """Return the items of ``page`` (empty beyond the last) and the totals."""
    start = (page.number - 1) * page.size
    return Cut(
        items=list(items[start : start + page.size]),
        record_count=len(items),
        total_pages=math.ceil(len(items) / page.size),
        page=page,
    )
