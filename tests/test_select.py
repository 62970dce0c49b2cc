"""Selection: choosing tokens by expiry, use, name, scope and owner; never the current token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fastly_tokens import FastlyAsync, Scope, Selection, Token
from fastly_tokens.testing import FakeFastly

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def token(**fields: object) -> Token:
    return Token(id=str(fields.pop("id", "a1")), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("selection", "tok", "chosen"),
    [
        (Selection(expired=True), token(expires_at=NOW - timedelta(seconds=1)), True),
        (Selection(expired=True), token(expires_at=NOW + timedelta(days=1)), False),
        (Selection(expired=True), token(expires_at=None), False),
        (Selection(unused_since=NOW), token(last_used_at=None), True),
        (Selection(unused_since=NOW), token(last_used_at=NOW - timedelta(days=90)), True),
        (Selection(unused_since=NOW - timedelta(days=30)), token(last_used_at=NOW), False),
        (Selection(name="ci-*"), token(name="ci-deploy"), True),
        (Selection(name="ci-*"), token(name="CI-deploy"), False),
        (Selection(name="ci-*"), token(name=None), False),
        (Selection(scope=Scope.PURGE_ALL), token(scope=frozenset({Scope.PURGE_ALL})), True),
        (Selection(scope="global"), token(scope=frozenset({Scope.GLOBAL_READ})), False),
        (Selection(owner="u1"), token(user_id="u1"), True),
        (Selection(owner="u1"), token(user_id="u2"), False),
        (Selection(), token(), True),
        (Selection(expired=True, name="old*"), token(name="old", expires_at=NOW), True),
        (Selection(expired=True, name="old*"), token(name="new", expires_at=NOW), False),
    ],
)
def test_selection_matches(selection: Selection, tok: Token, chosen: bool) -> None:
    assert selection.matches(tok, now=NOW, current_id="current") is chosen


def test_current_token_is_only_selected_when_asked() -> None:
    current = token(id="current", expires_at=NOW - timedelta(days=1))
    assert not Selection(expired=True).matches(current, now=NOW, current_id="current")
    chosen = Selection(expired=True, include_current=True)
    assert chosen.matches(current, now=NOW, current_id="current")


def test_naive_unused_since_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Selection(unused_since=datetime(2026, 1, 1))


async def test_select_tokens_lists_and_filters(client: FastlyAsync, fake: FakeFastly) -> None:
    now = datetime.now(UTC)
    old = fake.add_token(fake.user, name="old", expires_at=now - timedelta(days=1))
    fake.add_token(fake.user, name="fresh", expires_at=now + timedelta(days=1))
    chosen = await client.tokens.select_tokens(Selection(expired=True))
    assert [t.id for t in chosen] == [old.id]


async def test_select_tokens_among_a_customers_tokens(fake: FakeFastly) -> None:
    theirs = fake.add_token(fake.user, name="ci-theirs")
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url) as c:
        chosen = await c.tokens.select_tokens(Selection(name="ci-*"), customer_id=fake.customer_id)
    assert [t.id for t in chosen] == [theirs.id]
