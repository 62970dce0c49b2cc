"""`EventsAPI`: the audit log (``GET /events``), every page, with its documented filters.

What a token did, after a leak, is read here: ``filter[token_id]`` and a ``created_at`` bound.
The answer is JSON:API (``data`` of resources, ``links``, ``meta``); the converter flattens
each resource's ``id`` and ``attributes`` into one :class:`Event`. Pages are read as the
automation-token listing's are: the first, then the rest at once within the client's bound,
in order.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlencode

import attrs

from ._call import CallRecord
from ._ids import check_id
from ._models import Event
from ._paging import Page, PageMeta, pages
from ._resource import Caller
from ._wire import format_time

__all__ = ["Event", "EventsAPI"]  # Event is re-exported from its home in ._models

PAGE_SIZE = 100
"""Events asked for per page (Fastly's default is 20)."""


@attrs.frozen(kw_only=True)
class _Document:
    data: tuple[Event, ...] = ()
    meta: PageMeta = attrs.field(factory=PageMeta)
    links: Mapping[str, Any] = attrs.field(factory=dict)


class EventsAPI:
    """The audit log of one client's customer; reach it as ``client.events``."""

    def __init__(self, client: Caller) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<EventsAPI of {self._client!r}>"

    async def iter_events(
        self,
        *,
        token_id: str | None = None,
        user_id: str | None = None,
        event_type: str | None = None,
        service_id: str | None = None,
        customer_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        sort: Literal["created_at", "-created_at"] = "created_at",
        record: CallRecord | None = None,
    ) -> AsyncIterator[Event]:
        """Yield every event that passes the filters, oldest first (or newest, by ``sort``).

        ``since``/``until`` bound ``created_at`` (inclusive); timezone-aware. Fastly lets a
        customer's superusers read its events.
        """
        query: dict[str, str] = {"sort": sort}
        for name, value in (
            ("token_id", token_id),
            ("user_id", user_id),
            ("service_id", service_id),
            ("customer_id", customer_id),
        ):
            if value is not None:
                query[f"filter[{name}]"] = check_id(value, name)
        if event_type is not None:
            query["filter[event_type]"] = event_type
        if since is not None:
            query["filter[created_at][gte]"] = format_time(since, "since")
        if until is not None:
            query["filter[created_at][lte]"] = format_time(until, "until")
        fetch = functools.partial(self._page, query, record)
        async for items in pages(fetch, window=self._client.max_concurrency):
            for event in items:
                yield event

    async def list_events(self, **filters: Any) -> list[Event]:
        """List every event that passes the filters of :meth:`iter_events`."""
        return [event async for event in self.iter_events(**filters)]

    async def _page(
        self, query: dict[str, str], record: CallRecord | None, number: int
    ) -> Page[Event]:
        params = {**query, "page[number]": str(number), "page[size]": str(PAGE_SIZE)}
        path = f"/events?{urlencode(params, safe='[]')}"
        own = CallRecord()  # one per page: pages are read at once, and each reads its body in
        try:
            document = await self._client._call("GET", path, _Document, record=own)
        finally:
            if record is not None:
                record.add(own)
        return Page(data=document.data, meta=document.meta)
