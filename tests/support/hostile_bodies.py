"""Good bodies of every model, and the hostile variations of each that a server could send.

``variations(base, model)`` yields, for every field of ``model`` (and of the models nested in
it): the key left out, and set to each value of a table of wrong types, nulls, blank and
foreign timestamps, scopes in the wrong shape; then unknown keys, every field null, and bodies
that are not objects at all. The structuring tests hold the generated path to cattrs' on each.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import attrs

from fastly_tokens import AutomationToken, CreatedAutomationToken, CreatedToken, Event, Token, User
from fastly_tokens._events import _Document
from fastly_tokens._paging import Page
from fastly_tokens._sudo import SudoAnswer

__all__ = ["BASES", "variations"]

_TOKEN = {
    "id": "2JVEnF2nTNiC0CQSFqH7Ql",
    "user_id": "x9KzsrACXZv8tPwlEDsKb6",
    "customer_id": "4tr8NbDJS3cUXNTHyHJHDa",
    "name": "ci read-only",
    "scope": "global:read global",
    "scopes": ["global:read", "global"],
    "services": ["7i6HN3TK9wS159v2gPAZ8A"],
    "service_id": None,
    "created_at": "2021-06-01T08:00:00Z",
    "last_used_at": None,
    "expires_at": "2022-06-01T08:00:00Z",
    "ip": "192.0.2.7",
    "user_agent": "curl/8",
    "sudo_expires_at": None,
}
_AUTOMATION = {
    **_TOKEN,
    "scopes": "global purge_all",
    "services": None,
    "ip": "",
    "user_agent": "",
    "access_token": "",
    "creator_id": "x9KzsrACXZv8tPwlEDsKb6",
    "role": "engineer",
    "roles": [{"id": "tls_admin", "name": "TLS admin"}, {"id": "engineer"}],
    "tls_access": True,
}
_USER = {
    "id": "x9KzsrACXZv8tPwlEDsKb6",
    "login": "ada@example.com",
    "name": "Ada",
    "role": "superuser",
    "locked": False,
    "two_factor_auth_enabled": True,
    "limit_services": None,
    "customer_id": "4tr8NbDJS3cUXNTHyHJHDa",
    "created_at": "2020-01-01T00:00:00Z",
    "updated_at": "2020-02-01T00:00:00+00:00",
    "deleted_at": None,
    "last_active_at": "2021-01-01T00:00:00Z",
}
_EVENT = {
    "id": "5oRs3eXRz2Ppvvkm9wJqb1",
    "type": "event",
    "attributes": {
        "event_type": "token.create",
        "created_at": "2021-06-01T08:00:00Z",
        "description": "Token ci was created",
        "user_id": "x9KzsrACXZv8tPwlEDsKb6",
        "token_id": "2JVEnF2nTNiC0CQSFqH7Ql",
        "customer_id": "4tr8NbDJS3cUXNTHyHJHDa",
        "service_id": None,
        "ip": "192.0.2.7",
        "admin": False,
        "metadata": {"scope": "global", "nested": {"a": [1, 2]}},
    },
}
_META = {"per_page": 100, "current_page": 1, "record_count": 1, "total_pages": 1}

BASES: dict[str, tuple[Any, Any]] = {
    "token": (_TOKEN, Token),
    "created": ({**_TOKEN, "access_token": "mPS0Oq-4jXyXd2a0cJIavZ3dnzMD_eEf"}, CreatedToken),
    "automation": (_AUTOMATION, AutomationToken),
    "created_automation": (
        {**_AUTOMATION, "access_token": "mPS0Oq-4jXyXd2a0cJIavZ3dnzMD_eEf"},
        CreatedAutomationToken,
    ),
    "user": (_USER, User),
    "event": (_EVENT, Event),
    "sudo": ({"expiry_time": "2021-06-01T08:05:00Z"}, SudoAnswer),
    "page": ({"data": [_AUTOMATION], "meta": _META}, Page[AutomationToken]),
    "document": ({"data": [_EVENT], "meta": _META, "links": {"next": None}}, _Document),
}
"""A good body of every model the client reads, by name, with its model."""

TIMES = [
    "",
    " ",
    "2021-01-14T11:25:39+02:00",
    "2021-01-14T11:25:39-05:30",
    "2021-01-14T11:25:39",
    "2021-01-14T11:25:39.123456Z",
    "2021-01-14",
    "2021-13-01T00:00:00Z",
    "2021-01-14T11:25:39+00:00",
    "yesterday",
]
SCOPES = [["global", "purge_all"], ["global", 1], [], "   ", "global  global", "global:read x"]
WRONG = [None, 0, 12, -1.5, True, False, {}, {"id": "x"}, ["x", 1], [None], "x", ["a"] * 9, [1] * 9]
VALUES = [*WRONG, *TIMES, *SCOPES]
"""Every value every field is set to in turn."""

NESTED: dict[str, list[Any]] = {
    "roles": [[{"id": 1}], ["tls_admin"], [{"name": "no id"}], [{"id": "r", "extra": 1}], [None]],
    "metadata": [[], "x", {"k": None}, {1: 2}],
    "meta": [{"total_pages": "3"}, {"total_pages": None}, {"unknown": 1}, [], None],
    "data": [[1], [None], {}, [{"id": 12}], [[]]],
    "links": [[], "x", {"next": 1}],
    "attributes": [None, "x", [], {}, {"id": "inner"}, {"event_type": 5}],
}
"""Values of the fields that hold other models or mappings."""


def _keys(base: Any, model: Any) -> list[str]:
    cls = getattr(model, "__origin__", model)
    names = [f.name for f in attrs.fields(cls)]
    return [*names, *(k for k in base if k not in names)]


def _field_variations(base: dict[str, Any], model: Any) -> Iterator[dict[str, Any]]:
    for key in _keys(base, model):
        left_out = dict(base)
        left_out.pop(key, None)
        yield left_out
        for value in [*VALUES, *NESTED.get(key, [])]:
            yield {**base, key: copy.deepcopy(value)}


def variations(base: dict[str, Any], model: Any) -> Iterator[Any]:
    """Yield the hostile variations of ``base`` (``model``'s good body): see the module."""
    yield base
    yield from _field_variations(base, model)
    if "attributes" in base:  # an event resource: its attributes are its fields
        for inner in _field_variations(base["attributes"], Event):
            yield {**base, "attributes": inner}
    if base.get("data"):  # a page: vary its item, as its item
        item_model = AutomationToken if "roles" in base["data"][0] else Event
        item = base["data"][0]
        for varied in variations(item, item_model):
            yield {**base, "data": [item, varied]}
    yield {**base, "brand_new_field": {"x": 1}}
    yield dict.fromkeys(base)
    yield dict.fromkeys(base, "")
    yield from (None, [], "x", 3, [base], (base,))
