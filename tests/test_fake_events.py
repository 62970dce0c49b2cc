"""FakeFastly's audit log: the events it records, and GET /events over real loopback HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from fastly_tokens.testing import DEMO_PASSWORD, FakeClock, FakeFastly

from .support.fake_http import MISSING_ID, Make, bulk, call, create_form

ATTRIBUTES = {
    "admin",
    "created_at",
    "customer_id",
    "description",
    "event_type",
    "ip",
    "metadata",
    "service_id",
    "user_id",
    "token_id",
}


async def events(
    http: aiohttp.ClientSession, fake: FakeFastly, query: str = "", key: str | None = None
) -> Any:
    return await call(http, fake, "GET", "/events" + query, key or fake.superuser_key)


def q(**params: str) -> str:
    """Build a query string with literal brackets, as the docs write them."""
    return "?" + "&".join(f"{k}={quote(v)}" for k, v in params.items())


# -- what the fake records -------------------------------------------------------------------


async def test_keyless_create_is_a_token_create_by_no_token(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    created = (await call(http, fake, "POST", "/tokens", data=create_form(fake))).json()

    [event] = fake.events
    assert event.event_type == "token.create"
    assert event.token_id is None
    assert event.user_id == fake.user.id
    assert event.customer_id == fake.world.customer.id
    assert event.metadata == {"token_id": created["id"], "token_name": "", "token_type": "user"}
    assert event.ip == "127.0.0.1"


async def test_sudo_then_key_create_are_performed_by_the_key(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    form = {"password": DEMO_PASSWORD, "name": "ci"}
    await call(http, fake, "POST", "/sudo", fake.key, data=form)
    created = (await call(http, fake, "POST", "/tokens", fake.key, data=form)).json()

    sudo_event, create_event = fake.events
    assert (sudo_event.event_type, sudo_event.token_id) == ("user.sudo", fake.token_id)
    assert sudo_event.user_id == fake.user.id
    assert (create_event.event_type, create_event.token_id) == ("token.create", fake.token_id)
    assert create_event.metadata["token_id"] == created["id"]
    assert create_event.metadata["token_name"] == "ci"


async def test_every_revocation_path_is_a_token_destroy_naming_actor_and_target(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    one, two, three = (fake.add_token(name=f"t{i}") for i in range(3))
    bot = fake.add_automation_token()

    await call(http, fake, "DELETE", f"/tokens/{one.id}", fake.key)
    await bulk(http, fake, fake.superuser_key, two.id, bot.id)
    await call(http, fake, "DELETE", "/tokens/self", three.access_token)
    await call(http, fake, "DELETE", f"/tokens/{MISSING_ID}", fake.key)  # 404: no event

    assert [(e.token_id, e.metadata["token_id"]) for e in fake.events_of("token.destroy")] == [
        (fake.token_id, one.id),
        (fake.world.superuser_token.id, two.id),
        (fake.world.superuser_token.id, bot.id),
        (three.id, three.id),
    ]
    assert fake.events_of("token.destroy")[2].metadata["token_type"] == "automation"
    assert fake.events_of("token.destroy")[2].description.startswith("Automation token")


async def test_bad_logins_are_login_failures(fake: FakeFastly, http: aiohttp.ClientSession) -> None:
    await call(http, fake, "POST", "/tokens", data=create_form(fake, password="wrong"))
    await call(http, fake, "POST", "/sudo", fake.key, data={"password": "wrong"})
    await call(http, fake, "POST", "/tokens", data=create_form(fake, username="nobody@x.y"))

    failures = fake.events_of("user.login_failure")
    assert [(e.user_id, e.token_id) for e in failures] == [
        (fake.user.id, None),
        (fake.user.id, fake.token_id),
    ]
    assert fake.events_of("token.create") == []


def test_changes_behind_the_apis_back_record_nothing() -> None:
    fake = FakeFastly()

    fake.revoke(fake.add_token().id)
    fake.grant_sudo(fake.token_id)
    fake.add_automation_token()

    assert fake.events == []


# -- GET /events -------------------------------------------------------------------------------


async def test_events_are_json_api_with_links_and_meta(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    token = fake.add_token(name="doomed")
    await call(http, fake, "DELETE", f"/tokens/{token.id}", fake.key)

    reply = await events(http, fake)

    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/vnd.api+json"
    assert "Fastly-RateLimit-Remaining" not in reply.headers
    body = reply.json()
    assert set(body) == {"data", "links", "meta"}
    [item] = body["data"]
    assert set(item) == {"id", "type", "attributes"}
    assert item["type"] == "event"
    assert set(item["attributes"]) == ATTRIBUTES
    attributes = item["attributes"]
    assert attributes["event_type"] == "token.destroy"
    assert attributes["token_id"] == fake.token_id
    assert attributes["metadata"]["token_id"] == token.id
    assert attributes["admin"] is False
    assert attributes["created_at"] == "2023-11-14T22:13:20Z"
    assert attributes["service_id"] is None
    assert body["links"] == {
        "next": None,
        "last": f"{fake.base_url}/events?page[number]=1&page[size]=20",
    }
    assert body["meta"] == {"record_count": 1, "current_page": 1, "total_pages": 1, "per_page": 20}


async def test_events_page_by_number_and_size_with_next_and_last_links(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    for token in [fake.add_token() for _ in range(45)]:
        await call(http, fake, "DELETE", f"/tokens/{token.id}", fake.superuser_key)

    first = (await events(http, fake)).json()
    third = (await events(http, fake, "?page[number]=3")).json()
    small = (await events(http, fake, "?filter[event_type]=token.destroy&page[size]=10")).json()
    clamped = (await events(http, fake, "?page[size]=1000")).json()

    assert len(first["data"]) == 20
    assert first["meta"] == {
        "record_count": 45,
        "current_page": 1,
        "total_pages": 3,
        "per_page": 20,
    }
    assert first["links"]["next"] == f"{fake.base_url}/events?page[number]=2&page[size]=20"
    assert first["links"]["last"] == f"{fake.base_url}/events?page[number]=3&page[size]=20"
    assert len(third["data"]) == 5
    assert third["links"]["next"] is None
    assert small["links"]["next"] == (
        f"{fake.base_url}/events?filter[event_type]=token.destroy&page[number]=2&page[size]=10"
    )
    assert clamped["meta"]["per_page"] == 100
    assert len(clamped["data"]) == 45


async def test_events_filter_by_type_token_user_and_service(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    mine = fake.add_token()
    theirs = fake.add_token(fake.world.superuser)
    await call(http, fake, "DELETE", f"/tokens/{mine.id}", fake.key)
    await call(http, fake, "DELETE", "/tokens/self", theirs.access_token)
    await call(http, fake, "POST", "/sudo", fake.superuser_key, data={"password": DEMO_PASSWORD})

    def kinds(reply: Any) -> list[str]:
        return [d["attributes"]["event_type"] for d in reply.json()["data"]]

    by_type = await events(http, fake, q(**{"filter[event_type]": "user.sudo"}))
    by_token = await events(http, fake, q(**{"filter[token_id]": fake.token_id}))
    by_user = await events(http, fake, q(**{"filter[user_id]": fake.world.superuser.id}))
    by_service = await events(http, fake, q(**{"filter[service_id]": "svc1"}))
    by_customer = await events(http, fake, q(**{"filter[customer_id]": fake.world.customer.id}))

    assert kinds(by_type) == ["user.sudo"]
    assert kinds(by_token) == ["token.destroy"]
    assert by_token.json()["data"][0]["attributes"]["metadata"]["token_id"] == mine.id
    assert kinds(by_user) == ["token.destroy", "user.sudo"]
    assert kinds(by_service) == []
    assert len(by_customer.json()["data"]) == 3


# The second of three events, one a minute apart; "lt" is given with an offset.
BOUNDS = {
    "gte": ("2023-11-14T22:14:20Z", [2, 3]),
    "gt": ("2023-11-14T22:14:20Z", [3]),
    "lte": ("2023-11-14T22:14:20Z", [1, 2]),
    "lt": ("2023-11-14T22:14:20+00:00", [1]),
}


@pytest.mark.parametrize("bound", sorted(BOUNDS))
async def test_events_filter_by_created_at_bounds(
    fake: FakeFastly, http: aiohttp.ClientSession, clock: FakeClock, bound: str
) -> None:
    when, expected = BOUNDS[bound]
    tokens = [fake.add_token(name=str(i)) for i in (1, 2, 3)]
    for token in tokens:
        await call(http, fake, "DELETE", f"/tokens/{token.id}", fake.key)
        clock.advance(60)

    reply = await events(http, fake, q(**{f"filter[created_at][{bound}]": when}))

    names = [int(d["attributes"]["metadata"]["token_name"]) for d in reply.json()["data"]]
    assert names == expected


async def test_events_sort_oldest_first_by_default_and_newest_first_on_request(
    fake: FakeFastly, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    for name in ("a", "b", "c"):
        await call(http, fake, "DELETE", f"/tokens/{fake.add_token(name=name).id}", fake.key)
        clock.advance(1)

    oldest = await events(http, fake, "?sort=created_at")
    newest = await events(http, fake, "?sort=-created_at")

    def names(reply: Any) -> list[str]:
        return [d["attributes"]["metadata"]["token_name"] for d in reply.json()["data"]]

    assert names(oldest) == ["a", "b", "c"]
    assert names(newest) == ["c", "b", "a"]


@pytest.mark.parametrize(
    "query",
    [
        "?page[number]=0",
        "?page[size]=-1",
        "?page[number]=two",
        "?sort=name",
        "?filter[created_at][gte]=yesterday",
    ],
)
async def test_bad_event_parameters_are_400(
    fake: FakeFastly, http: aiohttp.ClientSession, query: str
) -> None:
    reply = await events(http, fake, query)

    assert reply.status == 400
    assert reply.json()["msg"] == "Bad request"


async def test_events_are_for_superusers_by_default(
    fake: FakeFastly, http: aiohttp.ClientSession
) -> None:
    await call(http, fake, "DELETE", f"/tokens/{fake.add_token().id}", fake.key)

    as_user = await events(http, fake, key=fake.key)
    foreign = await events(http, fake, q(**{"filter[customer_id]": fake.world.foreign_customer.id}))
    keyless = await call(http, fake, "GET", "/events")

    assert as_user.status == 403
    assert as_user.json() == {"msg": "You are not authorized to access these events"}
    assert foreign.status == 403
    assert keyless.status == 401


async def test_own_events_for_everyone_when_switched(
    make_fake: Make, http: aiohttp.ClientSession
) -> None:
    fake = await make_fake(events_visible_to="own")
    await call(http, fake, "DELETE", f"/tokens/{fake.add_token().id}", fake.key)
    await call(http, fake, "DELETE", f"/tokens/{fake.add_token().id}", fake.superuser_key)
    await call(http, fake, "DELETE", "/tokens/self", fake.world.foreign_token.access_token)

    as_user = (await events(http, fake, key=fake.key)).json()["data"]
    as_superuser = (await events(http, fake)).json()["data"]

    assert [e["attributes"]["user_id"] for e in as_user] == [fake.user.id]
    assert [e["attributes"]["user_id"] for e in as_superuser] == [
        fake.user.id,
        fake.world.superuser.id,
    ]
