"""The eight token operations against FakeFastly over loopback: success paths and every error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fastly_tokens import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    FastlyAsync,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    Scope,
    UnprocessableEntityError,
)
from fastly_tokens._converter import strict_converter
from fastly_tokens._models import CreatedToken, Token
from fastly_tokens.testing import FakeClock, FakeFastly

from .support.inputs import BAD_IDS


async def test_get_token_current(client: FastlyAsync, fake: FakeFastly) -> None:
    me = await client.tokens.get_token_current()
    assert me.id == fake.token_id
    assert me.customer_id == fake.world.customer.id
    assert me.last_used_at is not None


async def test_get_token_by_id(client: FastlyAsync, fake: FakeFastly) -> None:
    token = await client.tokens.get_token(fake.token_id)
    assert token.id == fake.token_id


async def test_list_tokens_user_returns_only_the_users_tokens(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    extra = fake.add_token(fake.user, name="extra", scope="global:read global")
    tokens = await client.tokens.list_tokens_user()
    ids = {t.id for t in tokens}
    assert {fake.token_id, extra.id} <= ids
    assert fake.world.superuser_token.id not in ids
    assert next(t for t in tokens if t.id == extra.id).scope == {Scope.GLOBAL_READ, Scope.GLOBAL}


async def test_list_tokens_customer_as_superuser(fake: FakeFastly) -> None:
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url) as c:
        tokens = await c.tokens.list_tokens_customer(fake.world.customer.id)
    ids = {t.id for t in tokens}
    assert {fake.token_id, fake.world.superuser_token.id} <= ids
    assert fake.foreign_token_id not in ids


async def test_list_tokens_customer_as_plain_user_is_forbidden(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        await client.tokens.list_tokens_customer(fake.world.customer.id)
    assert info.value.status == 403
    assert info.value.path == f"/customer/{fake.world.customer.id}/tokens"


async def test_fake_fixtures_fit_the_models_exactly(client: FastlyAsync, fake: FakeFastly) -> None:
    # The strict twin forbids unknown keys: the fake cannot drift from the models.
    answer = await client._request("GET", "/tokens")
    strict_converter.structure(__import__("json").loads(answer.body), list[Token])
    form = [("username", fake.user.username), ("password", fake.user.password), ("scope", "global")]
    answer = await client._request("POST", "/tokens", data=form, with_key=False)
    strict_converter.structure(__import__("json").loads(answer.body), CreatedToken)


async def test_create_token_returns_the_secret_once(
    client: FastlyAsync, fake: FakeFastly, clock: FakeClock
) -> None:
    expires = datetime.fromtimestamp(clock(), UTC) + timedelta(days=30)
    created = await client.tokens.create_token(
        username=fake.user.username,
        password=fake.user.password,
        name="deploy",
        scope=[Scope.PURGE_SELECT, Scope.PURGE_ALL],
        expires_at=expires,
    )
    assert created.name == "deploy"
    assert created.scope == {Scope.PURGE_SELECT, Scope.PURGE_ALL}
    assert created.expires_at == expires
    assert created.access_token not in repr(created)
    async with FastlyAsync(created.access_token, base_url=fake.base_url) as new:
        assert (await new.tokens.get_token_current()).id == created.id
    again = await client.tokens.get_token(created.id)
    assert not hasattr(again, "access_token")


async def test_create_token_with_services(client: FastlyAsync, fake: FakeFastly) -> None:
    created = await client.tokens.create_token(
        username=fake.user.username, password=fake.user.password, services=["svc1AAAA", "svc2BBBB"]
    )
    assert created.services == ("svc1AAAA", "svc2BBBB")


@pytest.mark.parametrize(
    ("username", "password", "said"),
    [
        ("user@example.com", "", "password is required"),
        ("", "pw", "username, when given, must not be empty"),
    ],
)
async def test_create_token_without_a_password_or_with_a_blank_username_sends_nothing(
    client: FastlyAsync, fake: FakeFastly, username: str, password: str, said: str
) -> None:
    with pytest.raises(ValueError, match=said):
        await client.tokens.create_token(username=username, password=password)
    assert fake.requests == []


async def test_create_token_wrong_password_is_invalid_grant(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    with pytest.raises(BadRequestError) as info:
        await client.tokens.create_token(username=fake.user.username, password="wrong-password")
    assert info.value.msg == "invalid_grant"
    assert "wrong-password" not in str(info.value)


async def test_create_token_unknown_scope_is_invalid_scope(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    with pytest.raises(BadRequestError) as info:
        await client.tokens.create_token(
            username=fake.user.username, password=fake.user.password, scope="everything"
        )
    assert info.value.msg == "invalid_scope"


async def test_create_token_with_two_factor_needs_the_otp(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    user = fake.add_user(username="2fa@example.com", password="pw-2fa-user", otp="123456")
    with pytest.raises(BadRequestError) as info:
        await client.tokens.create_token(username="2fa@example.com", password="pw-2fa-user")
    assert info.value.msg == "2fa.verify"
    created = await client.tokens.create_token(
        username="2fa@example.com", password="pw-2fa-user", otp="123456"
    )
    assert created.user_id == user.id


async def test_create_token_past_expiry_is_unprocessable(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    with pytest.raises(UnprocessableEntityError):
        await client.tokens.create_token(
            username=fake.user.username,
            password=fake.user.password,
            expires_at=datetime(2001, 1, 1, tzinfo=UTC),
        )


async def test_create_token_refuses_naive_expiry_before_sending(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    before = len(fake.requests)
    with pytest.raises(ValueError, match="timezone-aware"):
        await client.tokens.create_token(
            username=fake.user.username,
            password=fake.user.password,
            expires_at=datetime(2100, 1, 1),
        )
    assert len(fake.requests) == before


async def test_revoke_token(client: FastlyAsync, fake: FakeFastly) -> None:
    victim = fake.add_token(fake.user, name="victim")
    await client.tokens.revoke_token(victim.id)
    with pytest.raises(NotFoundError) as info:
        await client.tokens.get_token(victim.id)
    assert info.value.msg == "Record not found"
    assert not info.value.maybe_applied


async def test_revoke_unknown_token_is_not_found(client: FastlyAsync) -> None:
    with pytest.raises(NotFoundError):
        await client.tokens.revoke_token("AAAAAAAAAAAAAAAAAAAAAA")


async def test_revoke_someone_elses_token_is_forbidden(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    with pytest.raises(PermissionDeniedError):
        await client.tokens.revoke_token(fake.world.superuser_token.id)


async def test_revoke_token_current(fake: FakeFastly) -> None:
    own = fake.add_token(fake.user, name="short-lived")
    async with FastlyAsync(own.access_token, base_url=fake.base_url) as c:
        await c.tokens.revoke_token_current()
        with pytest.raises(Exception, match="401"):
            await c.tokens.get_token_current()


async def test_bulk_revoke_tokens_sends_the_json_api_body(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    victims = [fake.add_token(fake.user, name=f"bulk-{i}").id for i in range(5)]
    await client.tokens.bulk_revoke_tokens([*victims, victims[0]])
    remaining = {t.id for t in await client.tokens.list_tokens_user()}
    assert not remaining & set(victims)
    bulk = [r for r in fake.requests if r.method == "DELETE" and r.path == "/tokens"]
    assert len(bulk) == 1


async def test_bulk_revoke_with_a_foreign_id_is_refused_whole(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    mine = fake.add_token(fake.user, name="mine").id
    with pytest.raises(NotFoundError):
        await client.tokens.bulk_revoke_tokens([mine, fake.foreign_token_id])
    assert (await client.tokens.get_token(mine)).id == mine


async def test_bulk_revoke_of_nothing_sends_nothing(client: FastlyAsync, fake: FakeFastly) -> None:
    before = len(fake.requests)
    await client.tokens.bulk_revoke_tokens([])
    assert len(fake.requests) == before


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_bad_ids_send_nothing(client: FastlyAsync, fake: FakeFastly, bad: str) -> None:
    before = len(fake.requests)
    with pytest.raises(ValueError, match="token_id"):
        await client.tokens.get_token(bad)
    with pytest.raises(ValueError, match="token_id"):
        await client.tokens.revoke_token(bad)
    with pytest.raises(ValueError, match="token_ids"):
        await client.tokens.bulk_revoke_tokens(["AAAA", bad])
    with pytest.raises(ValueError, match="customer_id"):
        await client.tokens.list_tokens_customer(bad)
    assert len(fake.requests) == before


async def test_rate_limited_write_is_rate_limit_error(fake: FakeFastly) -> None:
    async with (
        FakeFastly(rate_limit=1) as small,
        FastlyAsync(
            small.key, base_url=small.base_url, retry=RetryPolicy(attempts=1, max_wait=0)
        ) as c,
    ):
        await c.tokens.revoke_token(small.add_token(small.user, name="one").id)
        assert c.rate_limit.remaining == 0
        with pytest.raises(RateLimitError) as info:
            await c.tokens.revoke_token(small.add_token(small.user, name="two").id)
    assert info.value.remaining == 0
    assert info.value.reset_at is not None
    assert info.value.retry_after is not None


async def test_server_error_is_internal_server_error(client: FastlyAsync, fake: FakeFastly) -> None:
    fake.faults.add("status", status=503, path="/tokens")
    with pytest.raises(InternalServerError) as info:
        await client.tokens.list_tokens_user()
    assert info.value.status == 503
    assert info.value.msg == ""
    assert info.value.text


async def test_malformed_body_is_response_validation_error(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    fake.faults.add("malformed", path="/tokens/self")
    with pytest.raises(ResponseValidationError, match="not JSON"):
        await client.tokens.get_token_current()


async def test_dropped_connection_is_api_connection_error(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    fake.faults.add("drop_before", path="/tokens/self")
    with pytest.raises(APIConnectionError) as info:
        await client.tokens.get_token_current()
    assert info.value.__cause__ is not None
    assert fake.key not in repr(info.value.__cause__)


async def test_slow_answer_is_api_timeout_error(fake: FakeFastly) -> None:
    fake.faults.add("slow", delay=0.5, path="/tokens/self")
    async with FastlyAsync(
        fake.key, base_url=fake.base_url, timeout=0.05, retry=RetryPolicy(attempts=1)
    ) as c:
        with pytest.raises(APITimeoutError):
            await c.tokens.get_token_current()


async def test_create_with_the_key_enters_sudo_once_and_reuses_it(
    client: FastlyAsync, fake: FakeFastly, clock: FakeClock
) -> None:
    first = await client.tokens.create_token(password=fake.user.password, name="one")
    second = await client.tokens.create_token(password=fake.user.password, name="two")
    assert [r.path for r in fake.requests_matching("POST")] == ["/sudo", "/tokens", "/tokens"]
    assert first.user_id == second.user_id == fake.user.id
    assert client.sudo_expires_at == datetime.fromtimestamp(clock() + 300, UTC)  # the fake's 5 min


async def test_create_with_a_username_logs_in_without_the_key(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    await client.tokens.create_token(username=fake.user.username, password=fake.user.password)
    (post,) = fake.requests_matching("POST")
    assert post.path == "/tokens"
    assert post.token_id is None  # no Fastly-Key was sent


async def test_a_sudo_window_closed_early_at_fastly_is_entered_again_once(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    await client.tokens.create_token(password=fake.user.password, name="one")
    fake.grant_sudo(fake.token_id, seconds=-1)  # closed at Fastly a second ago
    await client.tokens.create_token(password=fake.user.password, name="two")
    statuses = [(r.path, r.status) for r in fake.requests_matching("POST")]
    assert statuses == [
        ("/sudo", 200),
        ("/tokens", 200),
        ("/tokens", 403),
        ("/sudo", 200),
        ("/tokens", 200),
    ]


async def test_a_wrong_password_for_sudo_is_permission_denied_and_kept_secret(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        await client.tokens.create_token(password="not-the-password-at-all")
    assert "not-the-password-at-all" not in str(info.value) + repr(info.value)
    assert [r.path for r in fake.requests_matching("POST")] == ["/sudo"]
