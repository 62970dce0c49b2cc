"""Who may read the audit log, and the JSON:API page ``GET /events`` answers with.

INFERRED, switch ``events_visible_to`` (default ``"superuser"``): the customer's superusers
read every event of their customer; others get 403. With ``"own"``, anyone (automation
tokens too) reads the events they performed (``user_id`` theirs); superusers still read all.
A ``filter[customer_id]`` naming another customer is a 403. Links are ``next`` (null on the
last page) and ``last``, as recorded; ``meta`` has the four documented counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from ._errors import MSG_FORBIDDEN_EVENTS, ApiError
from ._events import EventQuery, FakeEvent, parse_event_query, select
from ._paging import Cut
from ._records import FakeToken
from ._render import event_resource
from ._state import Store


def readable_events(store: Store, caller: FakeToken, query: EventQuery) -> Cut[FakeEvent]:
    """Return the page of events the caller asked for and may read."""
    wanted_customer = query.filters.get("customer_id", caller.customer_id)
    if wanted_customer != caller.customer_id:
        raise ApiError.msg(403, MSG_FORBIDDEN_EVENTS)
    superuser = store.is_superuser(caller)
    if not superuser and store.behaviour.events_visible_to != "own":
        raise ApiError.msg(403, MSG_FORBIDDEN_EVENTS)
    events = [
        e
        for e in store.events.events
        if e.customer_id == caller.customer_id and (superuser or e.user_id == caller.user_id)
    ]
    return select(events, query)


def _page_url(base_url: str, params: Mapping[str, str], number: int, size: int) -> str:
    kept = {k: v for k, v in params.items() if k not in ("page[number]", "page[size]")}
    kept.update({"page[number]": str(number), "page[size]": str(size)})
    return f"{base_url}?{urlencode(kept, safe='[]')}"


def events_document(
    store: Store, caller: FakeToken, params: Mapping[str, str], base_url: str
) -> dict[str, Any]:
    """Render ``GET /events``: ``data``, ``links`` and ``meta``; 400 for bad parameters."""
    page = readable_events(store, caller, parse_event_query(params))
    number, size = page.page.number, page.page.size
    last = max(page.total_pages, 1)
    return {
        "data": [event_resource(e) for e in page.items],
        "links": {
            "next": _page_url(base_url, params, number + 1, size) if number < last else None,
            "last": _page_url(base_url, params, last, size),
        },
        "meta": {
            "record_count": page.record_count,
            "current_page": number,
            "total_pages": page.total_pages,
            "per_page": size,
        },
    }
