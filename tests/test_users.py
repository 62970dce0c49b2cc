"""The users endpoints from the SDK: who a key belongs to, one user, a customer's users."""

from __future__ import annotations

import pytest

from fastly_tokens import FastlyAsync, NotFoundError
from fastly_tokens.testing import FakeFastly


async def test_the_current_user_is_the_keys_own(fake: FakeFastly, client: FastlyAsync) -> None:
    me = await client.users.get_current_user()
    assert (me.id, me.login, me.is_superuser) == (fake.user.id, fake.user.login, False)
    assert me.customer_id == fake.world.customer.id


async def test_one_user_by_id_and_an_automation_tokens_owner_is_nobody(fake: FakeFastly) -> None:
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url) as admin:
        assert (await admin.users.get_user(fake.user.id)).login == fake.user.login
        bot = fake.add_automation_token()
        with pytest.raises(NotFoundError):
            await admin.users.get_user(bot.user_id)
        with pytest.raises(ValueError, match="user_id"):
            await admin.users.get_user("../admin")
    assert [r.path for r in fake.requests] == [f"/user/{fake.user.id}", f"/user/{bot.user_id}"]


async def test_a_customers_users_are_every_one_of_them(fake: FakeFastly) -> None:
    newcomer = fake.add_user(fake.world.customer.id, username="new@example.com")
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url) as admin:
        users = await admin.users.list_customer_users(fake.world.customer.id)
    logins = {u.login for u in users}
    assert {fake.user.login, fake.world.superuser.login, newcomer.login} <= logins
    assert fake.world.foreign_user.login not in logins
    assert all(u.customer_id == fake.world.customer.id for u in users)
