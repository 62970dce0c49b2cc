"""Fetching every page of a paged listing: the first page, then the rest at once, in order.

Fastly's paged endpoints (automation tokens, audit events) say how many pages there are in
``meta.total_pages`` and send no ``Link`` header, so a client that follows links stops after
page one. Here the first page is read, then pages 2..N are fetched concurrently within a
window, and yielded in page order as they complete. A server that claims more pages than it
has cannot make the client loop: fetching stops at the first empty page, and at most
``window`` requests are ever in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import attrs

__all__ = ["MAX_PAGES", "Page", "PageMeta", "pages"]

_T = TypeVar("_T")

MAX_PAGES = 100_000
"""The most pages one listing reads: 10 million items at 100 a page."""


@attrs.frozen(kw_only=True)
class PageMeta:
    """The ``meta`` of a paged answer; every field may be missing."""

    per_page: int | None = None
    current_page: int | None = None
    record_count: int | None = None
    total_pages: int | None = None


@attrs.frozen(kw_only=True)
class Page(Generic[_T]):
    """One page: its items and what it says of the whole."""

    data: tuple[_T, ...] = ()
    meta: PageMeta = attrs.field(factory=PageMeta)


async def pages(
    fetch: Callable[[int], Awaitable[Page[_T]]], *, window: int
) -> AsyncIterator[Sequence[_T]]:
    """Yield the items of every page, page by page, in order.

    ``fetch(n)`` reads page ``n`` (from 1). After page 1, up to ``window`` pages are fetched at
    once. Pages are read up to ``meta.total_pages`` (or, when it is missing, until an empty
    page, one at a time), never past :data:`MAX_PAGES`, and never past an empty page.
    """
    first = await fetch(1)
    yield first.data
    if not first.data:
        return
    total = first.meta.total_pages
    last = MAX_PAGES if total is None else min(max(total, 1), MAX_PAGES)
    if total is None:
        window = 1  # no count to trust: one page at a time, until an empty one
    number = 2
    pending: dict[int, asyncio.Task[Page[_T]]] = {}
    try:
        while number <= last:
            while len(pending) < window and number + len(pending) <= last:
                at = number + len(pending)
                pending[at] = asyncio.ensure_future(fetch(at))
            page = await pending.pop(number)
            yield page.data
            if not page.data:
                return
            number += 1
    finally:
        for task in pending.values():
            task.cancel()
        if pending:
            await asyncio.gather(*pending.values(), return_exceptions=True)
