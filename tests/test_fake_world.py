"""FakeFastly's world and its helpers: what a new fake holds, and records added under the lock."""

from __future__ import annotations

import inspect
import re
import string
import threading

import pytest

from fastly_tokens.testing import DEMO_PASSWORD, FakeClock, FakeFastly, SeededWorld
from fastly_tokens.testing._records import new_id, new_secret
from fastly_tokens.testing._state import Store


def test_the_world_holds_two_customers_three_users_and_their_tokens(clock: FakeClock) -> None:
    fake = FakeFastly(clock=clock, key="my-own-seeded-key")
    world = fake.world

    assert isinstance(world, SeededWorld)
    assert world.customer.id != world.foreign_customer.id
    assert [u.customer_id for u in (world.user, world.superuser)] == [world.customer.id] * 2
    assert world.foreign_user.customer_id == world.foreign_customer.id
    assert [world.user.role, world.superuser.role, world.foreign_user.role] == [
        "user",
        "superuser",
        "user",
    ]
    owners = [world.token.user_id, world.superuser_token.user_id, world.foreign_token.user_id]
    assert owners == [world.user.id, world.superuser.id, world.foreign_user.id]
    assert {u.password for u in (world.user, world.superuser, world.foreign_user)} == {
        DEMO_PASSWORD
    }
    assert fake.tokens_of(world.user) == [world.token]
    # The shortcuts are the world's own records.
    assert fake.key == world.token.access_token == "my-own-seeded-key"
    assert fake.user is world.user
    assert fake.token_id == world.token.id
    assert fake.superuser_key == world.superuser_token.access_token
    assert fake.foreign_token_id == world.foreign_token.id


def test_records_added_without_an_owner_go_to_the_seeded_customer_and_user(
    clock: FakeClock,
) -> None:
    fake = FakeFastly(clock=clock)
    world = fake.world

    colleague = fake.add_user()
    admin = fake.add_user(role="superuser", username="boss@example.com")
    token = fake.add_token(name="mine")
    theirs = fake.add_token(colleague, name="theirs")
    bot = fake.add_automation_token(name="bot")
    foreign_bot = fake.add_automation_token(world.foreign_customer.id, name="elsewhere")
    other = fake.add_customer("Third", force_sso=True)

    assert (colleague.customer_id, colleague.role, colleague.password) == (
        world.customer.id,
        "user",
        DEMO_PASSWORD,
    )
    assert colleague.username.endswith("@example.com")
    assert fake.user_by_login("boss@example.com") is admin
    assert admin.superuser
    assert (token.user_id, theirs.user_id) == (world.user.id, colleague.id)
    assert (bot.customer_id, bot.creator_id) == (world.customer.id, world.superuser.id)
    assert (foreign_bot.customer_id, foreign_bot.creator_id) == (world.foreign_customer.id, None)
    assert fake.automation_tokens() == [bot]
    assert other.force_sso
    with pytest.raises(ValueError, match="taken"):
        fake.add_user(username="boss@example.com")


def test_the_add_helpers_are_the_stores_methods_with_their_signatures() -> None:
    fake = FakeFastly()
    for name in ("add_customer", "add_user", "add_token", "add_automation_token"):
        method = getattr(Store, name)
        helper = getattr(fake, name)
        stores = list(inspect.signature(method).parameters.values())[1:]  # less ``self``
        assert list(inspect.signature(helper).parameters.values()) == stores, name
        assert helper.__doc__ == method.__doc__
        assert getattr(FakeFastly, name).__doc__ == method.__doc__  # help(FakeFastly) shows it


def test_a_helper_waits_for_the_stores_lock() -> None:
    fake = FakeFastly()
    held, release, added = threading.Event(), threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with fake.store.lock:  # as a handler serving from the fake's thread does
            held.set()
            release.wait(5)

    def add() -> None:
        fake.add_token(name="late")
        added.set()

    holder = threading.Thread(target=hold_the_lock)
    adder = threading.Thread(target=add)
    holder.start()
    assert held.wait(5)
    adder.start()
    assert not added.wait(0.05)  # blocked on the lock
    release.set()
    assert added.wait(5)
    holder.join(5)
    adder.join(5)
    assert [t.name for t in fake.tokens_of(fake.user)] == ["seeded api token", "late"]


def test_ids_and_secrets_have_fastlys_shapes_and_do_not_repeat() -> None:
    ids = [new_id() for _ in range(2000)]
    secrets = [new_secret() for _ in range(2000)]
    assert all(re.fullmatch(r"[A-Za-z0-9]{22}", i) for i in ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", s) for s in secrets)
    assert len(set(ids)) == len(ids)
    assert len(set(secrets)) == len(secrets)
    assert set("".join(ids)) == set(string.ascii_letters + string.digits)  # every letter drawn
