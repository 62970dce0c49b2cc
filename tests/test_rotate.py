"""Rotation from Python: the successor matches the old token, works, is handed over, then the old
token goes, at once or after a grace period; a failed hand-over leaves no live successor."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from fastly_tokens import FastlyAsync, NotFoundError, PermissionDeniedError, RotationError
from fastly_tokens.testing import DEMO_PASSWORD, FakeClock, FakeFastly

SERVICE = "SvcAAAAAAAAAAAAAAAAAAA"
DAY = 86400.0


class Kept:
    """A hand-over that keeps every secret it is given."""

    def __init__(self) -> None:
        self.secrets: list[str] = []

    def __call__(self, secret: str) -> None:
        self.secrets.append(secret)


def writes(fake: FakeFastly) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests if r.method in ("POST", "DELETE")]


async def test_the_successor_matches_works_and_replaces_the_old_token(
    fake: FakeFastly, client: FastlyAsync, clock: FakeClock
) -> None:
    old = fake.add_token(
        name="deploy",
        scope="purge_select purge_all",
        services=[SERVICE],
        created_at=clock() - 10 * DAY,
        expires_at=clock() + 80 * DAY,
    )
    kept = Kept()
    fake.reset_requests()
    result = await client.rotate_token(old.id, password=DEMO_PASSWORD, hand_over=kept)

    new = fake.token(result.new_id or "")
    assert new is not None
    assert new.name == "deploy (rotated 2023-11-14)"
    assert set(new.scopes) == {"purge_select", "purge_all"}
    assert new.services == (SERVICE,)
    assert new.expires_at is not None  # the same lifetime again, from now
    assert new.expires_at.timestamp() == pytest.approx(clock() + 90 * DAY, abs=1)
    assert kept.secrets == [new.access_token]  # handed over once: the secret that works
    assert fake.is_revoked(old.id)
    assert not new.revoked
    assert result.state == "done"
    assert [s.step for s in result.steps] == [
        "planned", "creating", "created", "verified", "handed_over", "revoked_old", "done"
    ]  # fmt: skip
    assert writes(fake) == ["POST /sudo", "POST /tokens", f"DELETE /tokens/{old.id}"]
    assert result.created is not None
    assert new.access_token not in repr(result)


async def test_a_token_that_never_expires_gets_a_successor_that_never_expires(
    fake: FakeFastly, client: FastlyAsync
) -> None:
    old = fake.add_token(name="forever")
    result = await client.rotate_token(old.id, password=DEMO_PASSWORD, hand_over=Kept())
    new = fake.token(result.new_id or "")
    assert new is not None
    assert new.expires_at is None


async def test_a_second_rotation_replaces_the_date_rather_than_adding_one(
    fake: FakeFastly, client: FastlyAsync, clock: FakeClock
) -> None:
    old = fake.add_token(name="deploy (rotated 2023-08-01)")
    first = await client.rotate_token(old.id, password=DEMO_PASSWORD, hand_over=Kept())
    clock.advance(90 * DAY)
    second = await client.rotate_token(first.new_id or "", password=DEMO_PASSWORD, hand_over=Kept())
    named = await client.rotate_token(
        second.new_id or "", password=DEMO_PASSWORD, hand_over=Kept(), name="deploy v3"
    )
    names = [(fake.token(r.new_id or "") or old).name for r in (first, second, named)]
    assert names == ["deploy (rotated 2023-11-14)", "deploy (rotated 2024-02-12)", "deploy v3"]


async def test_rotating_the_clients_own_key_says_to_use_the_new_secret(
    fake: FakeFastly, client: FastlyAsync
) -> None:
    kept = Kept()
    result = await client.rotate_token(fake.token_id, password=DEMO_PASSWORD, hand_over=kept)
    assert fake.is_revoked(fake.token_id)
    (revoked,) = [s for s in result.steps if s.step == "revoked_old"]
    assert "own key: use the new secret" in revoked.detail
    async with FastlyAsync(kept.secrets[0], base_url=fake.base_url) as fresh:
        assert (await fresh.tokens.get_token_current()).id == result.new_id


async def test_an_async_hand_over_is_awaited_before_the_old_token_goes(
    fake: FakeFastly, client: FastlyAsync
) -> None:
    old = fake.add_token(name="svc")
    seen: list[bool] = []

    async def store(secret: str) -> None:
        seen.append(fake.is_revoked(old.id))  # still live while the secret is stored

    await client.rotate_token(old.id, password=DEMO_PASSWORD, hand_over=store)
    assert seen == [False]
    assert fake.is_revoked(old.id)


async def test_a_failed_hand_over_revokes_the_successor_and_keeps_the_old_token(
    fake: FakeFastly, client: FastlyAsync, tmp_path: Path
) -> None:
    old = fake.add_token(name="svc")
    before = set(fake.store.tokens)

    def broken_vault(secret: str) -> None:
        raise OSError("vault unreachable")

    journal = tmp_path / "rotation.jsonl"
    with pytest.raises(OSError, match="vault unreachable"):
        await client.rotate_token(
            old.id, password=DEMO_PASSWORD, hand_over=broken_vault, journal=journal
        )
    made = [t for t in fake.store.tokens.values() if t.id not in before]
    assert len(made) == 1
    assert made[0].revoked  # its secret was never stored: no one could use it
    assert not fake.is_revoked(old.id)

    kept = Kept()
    again = await client.rotate_token(
        old.id, password=DEMO_PASSWORD, hand_over=kept, journal=journal
    )
    assert again.state == "done"
    live = [t for t in fake.store.tokens.values() if t.id not in before and not t.revoked]
    assert [t.access_token for t in live] == kept.secrets


async def test_a_grace_period_keeps_the_old_token_until_a_run_after_it(
    fake: FakeFastly, client: FastlyAsync, clock: FakeClock, tmp_path: Path
) -> None:
    old = fake.add_token(name="svc")
    journal = tmp_path / "rotation.jsonl"
    kept = Kept()
    options = {"password": DEMO_PASSWORD, "grace": timedelta(hours=2), "journal": journal}
    first = await client.rotate_token(old.id, hand_over=kept, **options)  # type: ignore[arg-type]  # the options' types are the keywords'
    assert first.state == "awaiting_grace"
    assert first.revoke_after == datetime.fromtimestamp(clock() + 7200, UTC)
    assert not fake.is_revoked(old.id)

    clock.advance(3600)
    fake.reset_requests()
    early = await client.rotate_token(old.id, hand_over=kept, **options)  # type: ignore[arg-type]  # the options' types are the keywords'
    assert early.state == "awaiting_grace"
    assert writes(fake) == []  # nothing to do yet, and nothing made twice

    clock.advance(3601)
    done = await client.rotate_token(old.id, hand_over=kept, **options)  # type: ignore[arg-type]  # the options' types are the keywords'
    assert done.state == "done"
    assert fake.is_revoked(old.id)
    assert writes(fake) == [f"DELETE /tokens/{old.id}"]
    assert len(kept.secrets) == 1
    assert done.new_id == first.new_id


async def test_wait_sleeps_through_the_grace_period_on_the_injected_clock(
    fake: FakeFastly, client: FastlyAsync, clock: FakeClock
) -> None:
    old = fake.add_token(name="svc")
    result = await client.rotate_token(
        old.id, password=DEMO_PASSWORD, hand_over=Kept(), grace=timedelta(minutes=30), wait=True
    )
    assert result.state == "done"
    assert fake.is_revoked(old.id)
    assert 1800 in [round(w) for w in clock.waits]


async def test_a_grace_period_without_a_journal_or_wait_is_refused_before_any_request(
    fake: FakeFastly, client: FastlyAsync
) -> None:
    old = fake.add_token(name="svc")
    fake.reset_requests()
    with pytest.raises(ValueError, match="journal"):
        await client.rotate_token(
            old.id, password=DEMO_PASSWORD, hand_over=Kept(), grace=timedelta(hours=1)
        )
    assert fake.requests == []


async def test_a_journal_of_another_rotation_is_refused(
    fake: FakeFastly, client: FastlyAsync, tmp_path: Path
) -> None:
    first, second = fake.add_token(name="a"), fake.add_token(name="b")
    journal = tmp_path / "rotation.jsonl"
    await client.rotate_token(first.id, password=DEMO_PASSWORD, hand_over=Kept(), journal=journal)
    fake.reset_requests()
    with pytest.raises(RotationError, match=first.id):
        await client.rotate_token(
            second.id, password=DEMO_PASSWORD, hand_over=Kept(), journal=journal
        )
    assert writes(fake) == []
    assert not fake.is_revoked(second.id)


async def test_an_unknown_token_is_a_typed_error_and_costs_no_write(
    fake: FakeFastly, client: FastlyAsync
) -> None:
    fake.reset_requests()
    with pytest.raises(NotFoundError):
        await client.rotate_token("A" * 22, password=DEMO_PASSWORD, hand_over=Kept())
    assert writes(fake) == []


async def test_an_automation_token_gets_its_role_scope_and_services_again(
    fake: FakeFastly, clock: FakeClock
) -> None:
    old = fake.add_automation_token(
        name="ci", roles=["engineer", "tls_viewer"], services=[SERVICE], scope="global"
    )
    kept = Kept()
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url, clock=clock) as admin:
        result = await admin.rotate_token(old.id, password=DEMO_PASSWORD, hand_over=kept)
    (new,) = [t for t in fake.automation_tokens() if t.id == result.new_id]
    assert new.roles == old.roles
    assert new.services == (SERVICE,)  # read from its services endpoint: the get sends null
    assert new.scopes == ("global",)
    assert fake.is_revoked(old.id)
    assert kept.secrets == [new.access_token]


async def test_a_two_factor_user_rotates_with_a_login_and_a_one_time_code(
    fake: FakeFastly, clock: FakeClock
) -> None:
    user = fake.add_user(username="otp@example.com", password="pw-otp-1", otp="246810")
    old = fake.add_token(user, name="laptop")
    key = fake.add_token(user, name="key").access_token
    async with FastlyAsync(key, base_url=fake.base_url, clock=clock) as c:
        with pytest.raises(PermissionDeniedError, match="two-factor"):
            await c.rotate_token(old.id, password="pw-otp-1", hand_over=Kept())
        assert writes(fake)[-1] == "POST /sudo"  # refused there: nothing was created
        result = await c.rotate_token(old.id, password="pw-otp-1", otp="246810", hand_over=Kept())
    assert result.state == "done"
    assert fake.is_revoked(old.id)
    new = fake.token(result.new_id or "")
    assert new is not None
    assert new.user_id == user.id


async def test_the_journal_holds_steps_and_ids_never_a_secret(
    fake: FakeFastly, client: FastlyAsync, tmp_path: Path
) -> None:
    old = fake.add_token(name="svc")
    journal = tmp_path / "rotation.jsonl"
    kept = Kept()
    await client.rotate_token(old.id, password=DEMO_PASSWORD, hand_over=kept, journal=journal)
    text = journal.read_text()
    assert kept.secrets[0] not in text
    assert DEMO_PASSWORD not in text
    assert fake.key not in text
    steps = [json.loads(line).get("step") for line in text.splitlines()[1:]]
    assert steps == [
        "planned", "creating", "created", "verified", "handed_over", "revoked_old", "done"
    ]  # fmt: skip


async def test_a_new_secret_that_is_not_the_new_token_is_revoked_and_the_old_one_kept(
    fake: FakeFastly, client: FastlyAsync
) -> None:
    old = fake.add_token(name="svc")
    before = set(fake.store.tokens)
    async with aiohttp.ClientSession() as http:
        answer = await http.get(fake.base_url + "/tokens/self", headers={"Fastly-Key": fake.key})
        mine = await answer.text()
    # The rotation's first GET /tokens/self (the key's own) gets the true answer; the probe
    # sent with the new secret gets the same one: the new secret would act as someone else.
    fake.faults.add("body", method="GET", path="/tokens/self", times=2, body=mine)
    with pytest.raises(RotationError, match="authenticates as"):
        await client.rotate_token(old.id, password=DEMO_PASSWORD, hand_over=Kept())
    (made,) = [t for t in fake.store.tokens.values() if t.id not in before]
    assert made.revoked
    assert not fake.is_revoked(old.id)


async def test_a_negative_grace_is_refused(client: FastlyAsync) -> None:
    with pytest.raises(ValueError, match="0 or more"):
        await client.rotate_token(
            "A" * 22, password=DEMO_PASSWORD, hand_over=Kept(), grace=timedelta(seconds=-1)
        )
