"""Automation tokens from the SDK: every page, every drifting shape, sudo, and the bulk job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from fastly_tokens import (
    AutomationToken,
    CreatedAutomationToken,
    FastlyAsync,
    LoginEnforcedError,
    NotFoundError,
    NotSuperuserError,
    Outcome,
    PermissionDeniedError,
    Scope,
    Selection,
    SudoRequiredError,
)
from fastly_tokens._converter import strict_converter
from fastly_tokens._paging import Page
from fastly_tokens.testing import DEMO_PASSWORD, FakeClock, FakeFastly

from .support.fake_http import Make
from .support.hostile import HostileServer


@pytest.fixture
async def admin(fake: FakeFastly, clock: FakeClock) -> AsyncIterator[FastlyAsync]:
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url, clock=clock) as c:
        yield c


def posts(fake: FakeFastly) -> list[str]:
    return [r.path for r in fake.requests_matching("POST")]


async def test_every_page_is_read_and_the_rest_at_once(
    fake: FakeFastly, admin: FastlyAsync
) -> None:
    made = [fake.add_automation_token(name=f"ci {i}").id for i in range(250)]
    listed = await admin.automation_tokens.list_automation_tokens()
    assert [t.id for t in listed] == made  # every page, in order
    assert all(isinstance(t, AutomationToken) and t.kind == "automation" for t in listed)
    pages = [r.path for r in fake.requests_matching("GET", "/automation-tokens")]
    assert len(pages) == 3  # 100 a page: 250 over three pages, no more
    streamed = [t.id async for t in admin.automation_tokens.iter_automation_tokens()]
    assert streamed == made


async def test_a_server_that_claims_endless_pages_cannot_make_the_client_loop() -> None:
    item = {"id": "Abcdefghijklmnopqrstuv", "name": "x", "access_token": ""}
    first = {"data": [item], "meta": {"per_page": 100, "current_page": 1, "total_pages": 10**9}}
    seen: list[str] = []

    async def answer(request: web.Request) -> web.StreamResponse:
        seen.append(request.query_string)
        body = first if request.query.get("page") == "1" else {"data": [], "meta": {}}
        return web.json_response(body)

    server = HostileServer(answer)
    async with server.running(), FastlyAsync("k" * 32, base_url=server.base_url) as c:
        listed = await c.automation_tokens.list_automation_tokens()
    assert [t.id for t in listed] == ["Abcdefghijklmnopqrstuv"]
    assert len(seen) <= 1 + c.max_concurrency  # page 2 was empty: the rest were cancelled


async def test_every_shape_the_facts_record_is_read(fake: FakeFastly, admin: FastlyAsync) -> None:
    token = fake.add_automation_token(
        name="deploy", roles=["tls_admin", "ngwaf_user_imported"], scope="global:read"
    )
    got = await admin.automation_tokens.get_automation_token(token.id)
    (listed,) = [
        t for t in await admin.automation_tokens.list_automation_tokens() if t.id == token.id
    ]
    for seen in (got, listed):
        assert seen.scope == {Scope.GLOBAL_READ}
        assert seen.services == ()  # null on get, [] on the list
        assert seen.ip is None
        assert seen.role_names >= {"tls_admin", "ngwaf_user_imported"}  # unknown roles kept
    assert listed.creator_id == fake.world.superuser.id
    # The strict twin forbids unknown keys: the fake's shapes fit the model exactly.
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url) as c:
        answer = await c._request("GET", f"/automation-tokens/{token.id}")
        strict_converter.structure(__import__("json").loads(answer.body), AutomationToken)
        answer = await c._request("GET", "/automation-tokens?page=1&per_page=100")
        strict_converter.structure(
            __import__("json").loads(answer.body),
            Page[AutomationToken],
        )


async def test_create_enters_sudo_once_and_keeps_the_secret_out_of_repr(
    fake: FakeFastly, admin: FastlyAsync, clock: FakeClock
) -> None:
    expires = datetime.fromtimestamp(clock(), UTC) + timedelta(days=30)
    created = await admin.automation_tokens.create_automation_token(
        name="ci",
        password=DEMO_PASSWORD,
        role="engineer",
        services=["SvcAAAAAAAAAAAAAAAAAAA"],
        expires_at=expires,
    )
    again = await admin.automation_tokens.create_automation_token(
        name="ci 2", password=DEMO_PASSWORD
    )
    assert isinstance(created, CreatedAutomationToken)
    assert created.access_token not in repr(created)
    assert created.expires_at == expires
    assert posts(fake) == ["/sudo", "/automation-tokens", "/automation-tokens"]
    stored = fake.automation_tokens()
    assert [t.id for t in stored][-2:] == [created.id, again.id]
    assert stored[-2].services == ("SvcAAAAAAAAAAAAAAAAAAA",)  # limit_services was sent
    # The new secret works: it authenticates as the token itself.
    async with FastlyAsync(created.access_token, base_url=fake.base_url) as c:
        assert (await c.tokens.get_token_current()).id == created.id


async def test_a_non_superuser_is_refused_without_a_write(
    fake: FakeFastly, client: FastlyAsync
) -> None:
    with pytest.raises(NotSuperuserError, match="nothing was sent"):
        await client.automation_tokens.create_automation_token(name="x", password=DEMO_PASSWORD)
    assert posts(fake) == []
    assert fake.rate_limit_remaining(fake.user) == 1000


async def test_an_account_enforcing_sso_gets_its_own_error(fake: FakeFastly) -> None:
    customer = fake.add_customer(force_sso=True)
    admin = fake.add_user(customer.id, role="superuser", username="sso-admin@example.org")
    key = fake.add_token(admin).access_token
    async with FastlyAsync(key, base_url=fake.base_url) as c:
        with pytest.raises(LoginEnforcedError):
            await c.automation_tokens.create_automation_token(name="x", password=DEMO_PASSWORD)


async def test_revoke_goes_through_the_tokens_path_and_services_are_paged(
    fake: FakeFastly, admin: FastlyAsync
) -> None:
    token = fake.add_automation_token(name="svc", services=[f"Svc{i:019d}" for i in range(150)])
    services = await admin.automation_tokens.list_automation_token_services(token.id)
    assert services == [f"Svc{i:019d}" for i in range(150)]
    await admin.automation_tokens.revoke_automation_token(token.id)
    assert fake.requests_matching("DELETE")[-1].path == f"/tokens/{token.id}"
    with pytest.raises(NotFoundError):
        await admin.automation_tokens.get_automation_token(token.id)


async def test_a_job_revokes_user_and_automation_tokens_together(
    fake: FakeFastly, admin: FastlyAsync, client: FastlyAsync
) -> None:
    users = [fake.add_token(name=f"u{i}").id for i in range(3)]
    machines = [fake.add_automation_token(name=f"a{i}").id for i in range(3)]
    # A user who is not a superuser cannot list (or revoke) automation tokens: not sent.
    theirs = await client.tokens.revoke_many(machines)
    assert theirs.counts[Outcome.NOT_FOUND] == 3
    assert fake.requests_matching("DELETE") == []
    report = await admin.tokens.revoke_many([*users, *machines])
    assert report.ids(Outcome.REVOKED) == [*users, *machines]
    assert report.writes == 1  # one batch, both kinds in it
    assert all(t.revoked for t in fake.automation_tokens(include_revoked=True) if t.id in machines)


async def test_a_selection_chooses_by_kind_and_role(fake: FakeFastly, admin: FastlyAsync) -> None:
    mine = fake.add_token(name="ci user token").id
    eng = fake.add_automation_token(name="ci eng", role="engineer").id
    billing = fake.add_automation_token(name="ci billing", role="billing").id
    by_role = await admin.tokens.select_tokens(Selection(role="engineer"))
    assert [t.id for t in by_role] == [eng]
    by_kind = await admin.tokens.select_tokens(Selection(kind="automation", name="ci *"))
    assert {t.id for t in by_kind} == {eng, billing}
    users_only = await admin.tokens.select_tokens(
        Selection(kind="user", name="ci *"), customer_id=fake.world.customer.id
    )
    assert [t.id for t in users_only] == [mine]
    both = await admin.tokens.select_tokens(
        Selection(name="ci *"), customer_id=fake.world.customer.id
    )
    assert {t.id for t in both} == {mine, eng, billing}


async def test_a_create_answer_without_a_secret_is_a_validation_error() -> None:
    created = {"id": "Abcdefghijklmnopqrstuv", "name": "x", "access_token": ""}
    admin = {"id": "Abcdefghijklmnopqrstuv", "role": "superuser"}

    async def answer(request: web.Request) -> web.StreamResponse:
        return web.json_response(admin if request.path == "/current_user" else created)

    server = HostileServer(answer)
    async with server.running(), FastlyAsync("k" * 32, base_url=server.base_url) as c:
        c._sudo.expires_at = datetime.now(UTC) + timedelta(minutes=5)  # skip the sudo step
        with pytest.raises(Exception, match="does not fit CreatedAutomationToken"):
            await c.automation_tokens.create_automation_token(name="x", password="pw")


@pytest.mark.parametrize(
    ("name", "password", "missing"), [("", DEMO_PASSWORD, "name"), ("x", "", "password")]
)
async def test_a_create_without_a_name_or_password_sends_nothing(
    fake: FakeFastly, admin: FastlyAsync, name: str, password: str, missing: str
) -> None:
    with pytest.raises(ValueError, match=f"{missing} is required"):
        await admin.automation_tokens.create_automation_token(name=name, password=password)
    assert fake.requests == []


async def test_a_sudo_window_closed_early_at_fastly_is_reopened_once(
    fake: FakeFastly, admin: FastlyAsync
) -> None:
    await admin.automation_tokens.create_automation_token(name="first", password=DEMO_PASSWORD)
    fake.grant_sudo(fake.world.superuser_token.id, seconds=-1)  # Fastly ended it, not the client
    second = await admin.automation_tokens.create_automation_token(
        name="second", password=DEMO_PASSWORD, tls_access=True
    )
    again = ["/automation-tokens", "/sudo", "/automation-tokens"]
    assert posts(fake) == ["/sudo", "/automation-tokens", *again]
    stored = fake.automation_tokens()[-1]
    assert (stored.id, stored.name, stored.tls_access) == (second.id, "second", True)


async def test_a_sudo_window_fastly_never_keeps_open_is_one_typed_error(
    make_fake: Make, clock: FakeClock
) -> None:
    fake = await make_fake(sudo_seconds=0)
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url, clock=clock) as admin:
        with pytest.raises(SudoRequiredError):
            await admin.automation_tokens.create_automation_token(name="x", password=DEMO_PASSWORD)
    assert posts(fake) == ["/sudo", "/automation-tokens", "/sudo", "/automation-tokens"]
    assert fake.automation_tokens() == []


async def test_a_key_that_is_no_person_leaves_the_refusal_to_fastly(
    fake: FakeFastly, clock: FakeClock
) -> None:
    bot = fake.add_automation_token(role="engineer")
    async with FastlyAsync(bot.access_token, base_url=fake.base_url, clock=clock) as c:
        with pytest.raises(PermissionDeniedError):
            await c.automation_tokens.create_automation_token(name="x", password=DEMO_PASSWORD)
    # No person to check first (404): the sudo login is Fastly's to refuse, and it does.
    seen = [(r.method, r.path, r.status) for r in fake.requests]
    assert seen == [("GET", "/current_user", 404), ("POST", "/sudo", 403)]
    assert len(fake.automation_tokens()) == 1


@pytest.mark.parametrize(
    ("said", "error"),
    [
        ("Only superusers may create automation tokens", NotSuperuserError),
        ("This customer enforces two-factor login", LoginEnforcedError),
        ("Forbidden", PermissionDeniedError),
    ],
)
async def test_a_create_refused_by_fastly_is_typed_by_what_it_said(
    said: str, error: type[PermissionDeniedError]
) -> None:
    async def answer(request: web.Request) -> web.StreamResponse:
        if request.path == "/current_user":
            return web.json_response({"msg": "Record not found"}, status=404)
        return web.json_response({"msg": said}, status=403)

    server = HostileServer(answer)
    async with server.running(), FastlyAsync("k" * 32, base_url=server.base_url) as c:
        c._sudo.expires_at = datetime.now(UTC) + timedelta(minutes=5)  # skip the sudo step
        with pytest.raises(PermissionDeniedError) as raised:
            await c.automation_tokens.create_automation_token(name="x", password="pw")
    assert type(raised.value) is error
    assert raised.value.status == 403
    assert said in str(raised.value)
