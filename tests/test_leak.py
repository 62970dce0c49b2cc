"""The leaked-secret response from Python: revoke a secret knowing nothing else, then see what
it did; "revoked" only on Fastly's 204 to the secret's own revoke."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from fastly_tokens import Event, FastlyAsync, NotFoundError
from fastly_tokens.testing import DEMO_PASSWORD, FakeClock, FakeFastly


@pytest.fixture
async def security(fake: FakeFastly, clock: FakeClock) -> AsyncIterator[FastlyAsync]:
    """The security team's client: the customer's superuser, who may read the audit log."""
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url, clock=clock) as c:
        yield c


async def leak_one(fake: FakeFastly, clock: FakeClock) -> tuple[str, str, str]:
    """A token that was used by whoever found it: it minted another token for itself.

    Returns the leaked secret, its id, and the id of the token it made.
    """
    leaked = fake.add_token(name="ci deploy", scope="global", created_at=clock() - 3600)
    async with FastlyAsync(leaked.access_token, base_url=fake.base_url, clock=clock) as thief:
        minted = await thief.tokens.create_token(name="backdoor", password=DEMO_PASSWORD)
    clock.advance(60)
    return leaked.access_token, leaked.id, minted.id


async def test_the_secret_revokes_itself_and_its_events_are_listed(
    fake: FakeFastly, security: FastlyAsync, clock: FakeClock
) -> None:
    secret, leaked_id, minted_id = await leak_one(fake, clock)
    fake.reset_requests()
    response = await security.revoke_leaked_secret(secret)

    assert response.outcome == "revoked"
    assert fake.is_revoked(leaked_id)
    assert response.token is not None
    assert response.token.id == leaked_id
    assert response.token.name == "ci deploy"
    assert response.owner is not None
    assert response.owner.id == fake.user.id
    sent_with_secret = [f"{r.method} {r.path}" for r in fake.requests if r.token_id == leaked_id]
    assert sent_with_secret == ["GET /tokens/self", "DELETE /tokens/self"]
    kinds = [e.event_type for e in response.events]
    assert kinds == ["user.sudo", "token.create", "token.destroy"]  # oldest first
    assert all(isinstance(e, Event) and e.token_id == leaked_id for e in response.events)
    assert response.created_tokens == (minted_id,)  # what the thief may still hold
    assert response.events_error is None
    assert secret not in repr(response)


async def test_a_secret_already_revoked_is_reported_so_and_no_revoke_is_sent(
    fake: FakeFastly, security: FastlyAsync, clock: FakeClock
) -> None:
    secret, leaked_id, _ = await leak_one(fake, clock)
    fake.revoke(leaked_id)
    fake.reset_requests()
    response = await security.revoke_leaked_secret(secret)
    assert response.outcome == "already_revoked"
    assert response.token is None
    assert [r.method for r in fake.requests] == ["GET"]  # the 401: nothing more to do


async def test_an_expired_secret_is_already_revoked(
    fake: FakeFastly, security: FastlyAsync, clock: FakeClock
) -> None:
    secret, leaked_id, _ = await leak_one(fake, clock)
    fake.expire(leaked_id)
    response = await security.revoke_leaked_secret(secret)
    assert response.outcome == "already_revoked"
    assert not [r for r in fake.requests if r.method == "DELETE"]


async def test_a_caller_who_may_not_read_the_audit_log_still_revokes_and_is_told_why(
    fake: FakeFastly, clock: FakeClock
) -> None:
    secret, leaked_id, _ = await leak_one(fake, clock)
    async with FastlyAsync(fake.key, base_url=fake.base_url, clock=clock) as colleague:
        response = await colleague.revoke_leaked_secret(secret)
    assert response.outcome == "revoked"
    assert fake.is_revoked(leaked_id)
    assert response.events == ()
    assert response.events_error is not None
    assert "403" in response.events_error
    assert response.owner is not None  # their own record they may read
    assert secret not in response.events_error


async def test_an_automation_secret_has_the_account_as_owner(
    fake: FakeFastly, security: FastlyAsync
) -> None:
    token = fake.add_automation_token(name="ci")
    response = await security.revoke_leaked_secret(token.access_token)
    assert response.outcome == "revoked"
    assert fake.is_revoked(token.id)
    assert response.token is not None
    assert response.token.kind == "automation"
    assert response.owner is None


async def test_a_malformed_secret_is_refused_without_being_echoed(
    fake: FakeFastly, security: FastlyAsync
) -> None:
    bad = "abc\x1bdef-" + "x" * 20
    fake.reset_requests()
    with pytest.raises(ValueError) as caught:  # noqa: PT011 (the message is checked below)
        await security.revoke_leaked_secret(bad)
    assert bad not in str(caught.value)
    assert fake.requests == []


async def test_the_audit_log_is_read_page_by_page_with_its_filters(
    fake: FakeFastly, security: FastlyAsync, clock: FakeClock
) -> None:
    async with FastlyAsync(fake.key, base_url=fake.base_url, clock=clock) as user:
        for _ in range(130):
            await user.sudo(DEMO_PASSWORD)
            clock.advance(1)
    since = datetime.fromtimestamp(clock() - 30, UTC)
    fake.reset_requests()
    every = await security.events.list_events(event_type="user.sudo", token_id=fake.token_id)
    assert len(every) == 130
    assert len(fake.requests) == 2  # 100 a page
    assert [e.created_at for e in every] == sorted(e.created_at for e in every if e.created_at)
    recent = await security.events.list_events(token_id=fake.token_id, since=since)
    assert len(recent) == 30
    newest = await security.events.list_events(token_id=fake.token_id, sort="-created_at")
    assert newest[0].created_at == every[-1].created_at
    with pytest.raises(ValueError, match="token_id"):
        await security.events.list_events(token_id="../admin")
    with pytest.raises(NotFoundError):
        await security.tokens.get_token("A" * 22)


async def test_a_secret_revoked_between_its_read_and_its_revoke_is_already_revoked(
    fake: FakeFastly, security: FastlyAsync, clock: FakeClock
) -> None:
    secret, leaked_id, _ = await leak_one(fake, clock)
    fake.faults.add("status", method="DELETE", path="/tokens/self", status=404)
    response = await security.revoke_leaked_secret(secret)
    assert response.outcome == "already_revoked"  # not "revoked": Fastly did not say 204
    assert response.token is not None
    assert response.token.id == leaked_id


async def test_a_colleagues_secret_revoked_by_a_non_superuser_has_no_owner_to_show(
    fake: FakeFastly, clock: FakeClock
) -> None:
    colleague = fake.add_user(username="colleague@example.com")
    leaked = fake.add_token(colleague, name="theirs")
    async with FastlyAsync(fake.key, base_url=fake.base_url, clock=clock) as c:
        response = await c.revoke_leaked_secret(leaked.access_token)
    assert response.outcome == "revoked"
    assert fake.is_revoked(leaked.id)
    assert response.owner is None  # their record is not the caller's to read


async def test_events_are_bounded_by_until(
    fake: FakeFastly, security: FastlyAsync, clock: FakeClock
) -> None:
    async with FastlyAsync(fake.key, base_url=fake.base_url, clock=clock) as user:
        await user.sudo(DEMO_PASSWORD)
        middle = datetime.fromtimestamp(clock(), UTC)
        clock.advance(10)
        await user.sudo(DEMO_PASSWORD)
    early = await security.events.list_events(token_id=fake.token_id, until=middle)
    assert [e.created_at for e in early] == [middle]
