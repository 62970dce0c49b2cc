"""The audit log: the events the fake performs itself, and the ``GET /events`` query over them.

Pure: a list of :class:`FakeEvent` and functions from query parameters to a filtered,
sorted page. The fake records ``token.create``, ``token.destroy`` (single, self and bulk,
automation tokens too), ``user.sudo`` and ``user.login_failure``.

An event's ``token_id`` is the token that performed the action (None for a login with no
key), and ``metadata.token_id`` the token acted on (INFERRED: Fastly documents the
attribute, not what it holds for these types).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from ._errors import MSG_BAD_REQUEST, ApiError
from ._paging import Cut, Page, cut, read_page
from ._records import FakeToken, new_id

FILTERS = ("customer_id", "user_id", "service_id", "event_type", "token_id")
_BOUNDS = ("gte", "gt", "lte", "lt")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100  # INFERRED: larger page[size] values are clamped to it


@attrs.frozen
class FakeEvent:
    """One audit-log event, with the documented attributes."""

    id: str
    event_type: str
    customer_id: str | None
    user_id: str | None
    token_id: str | None
    service_id: str | None
    ip: str | None
    description: str
    metadata: Mapping[str, Any]
    created_at: datetime
    admin: bool = False


class EventLog:
    """Every event recorded, in the order they happened."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.events: list[FakeEvent] = []

    def record(
        self,
        event_type: str,
        *,
        customer_id: str | None,
        user_id: str | None,
        token_id: str | None,
        ip: str | None,
        description: str,
        metadata: Mapping[str, Any] | None = None,
        service_id: str | None = None,
    ) -> FakeEvent:
        """Append one event, stamped with the injected clock."""
        event = FakeEvent(
            id=new_id(),
            event_type=event_type,
            customer_id=customer_id,
            user_id=user_id,
            token_id=token_id,
            service_id=service_id,
            ip=ip,
            description=description,
            metadata=dict(metadata or {}),
            created_at=datetime.fromtimestamp(self._clock(), UTC),
        )
        self.events.append(event)
        return event

    def token_event(
        self,
        event_type: str,
        actor: FakeToken | None,
        token: FakeToken,
        user_id: str | None,
        *,
        ip: str | None,
    ) -> FakeEvent:
        """Record ``token.create`` or ``token.destroy`` of ``token``, done by ``actor``."""
        verb = "created" if event_type == "token.create" else "revoked"
        kind = "Automation token" if token.kind == "automation" else "Token"
        return self.record(
            event_type,
            customer_id=token.customer_id,
            user_id=user_id,
            token_id=None if actor is None else actor.id,
            ip=ip,
            description=f"{kind} {token.name!r} ({token.id}) was {verb}",
            metadata={"token_id": token.id, "token_name": token.name, "token_type": token.kind},
        )


@attrs.frozen
class EventQuery:
    """What ``GET /events`` asked for: filters, created_at bounds, sort and page."""

    filters: Mapping[str, str] = attrs.field(factory=dict)
    bounds: Mapping[str, datetime] = attrs.field(factory=dict)
    newest_first: bool = False
    page: Page = attrs.field(factory=lambda: Page(1, DEFAULT_PAGE_SIZE))


def _bad(detail: str) -> ApiError:
    return ApiError.msg(400, MSG_BAD_REQUEST, detail)


def _instant(name: str, raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise _bad(f"{name} must be an ISO 8601 timestamp") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_event_query(query: Mapping[str, str]) -> EventQuery:
    """Read the documented parameters; 400 for a bad number, time or sort."""
    filters = {name: query[f"filter[{name}]"] for name in FILTERS if f"filter[{name}]" in query}
    bounds = {
        bound: _instant(f"filter[created_at][{bound}]", query[f"filter[created_at][{bound}]"])
        for bound in _BOUNDS
        if f"filter[created_at][{bound}]" in query
    }
    sort = query.get("sort", "created_at")
    if sort not in ("created_at", "-created_at"):
        raise _bad("sort must be 'created_at' or '-created_at'")
    return EventQuery(
        filters=filters,
        bounds=bounds,
        newest_first=sort == "-created_at",
        page=read_page(query, "page[number]", "page[size]", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )


_COMPARE: dict[str, Callable[[datetime, datetime], bool]] = {
    "gte": lambda at, bound: at >= bound,
    "gt": lambda at, bound: at > bound,
    "lte": lambda at, bound: at <= bound,
    "lt": lambda at, bound: at < bound,
}


def matches(event: FakeEvent, query: EventQuery) -> bool:
    """Whether an event passes every filter and created_at bound of the query."""
    for name, wanted in query.filters.items():
        if getattr(event, name) != wanted:
            return False
    return all(_COMPARE[b](event.created_at, at) for b, at in query.bounds.items())


def select(events: list[FakeEvent], query: EventQuery) -> Cut[FakeEvent]:
    """Filter, sort (by created_at, then log order; ``-created_at`` reverses both), cut a page."""
    chosen = sorted((e for e in events if matches(e, query)), key=lambda e: e.created_at)
    if query.newest_first:
        chosen.reverse()
    return cut(chosen, query.page)
