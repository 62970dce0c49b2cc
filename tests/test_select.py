"""Selection: choosing tokens by expiry, use, name, scope and owner; never the current token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fastly_tokens import FastlyAsync, Scope, Selection, Token
from fastly_tokens.testing import FakeFastly

NOW = datetime(2026, 6, 1, tzinfo=UTC)
OLD = datetime(2025, 1, 1, tzinfo=UTC)
DAYS_1, DAYS_30, DAYS_90 = timedelta(days=1), timedelta(days=30), timedelta(days=90)


def token(**fields: object) -> Token:
    return Token(id=str(fields.pop("id", "a1")), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("selection", "tok", "chosen"),
    [
        (Selection(expired=True), token(expires_at=NOW - timedelta(seconds=1)), True),
        (Selection(expired=True), token(expires_at=NOW + timedelta(days=1)), False),
        (Selection(expired=True), token(expires_at=None), False),
        (Selection(unused_since=NOW), token(created_at=OLD, last_used_at=None), True),
        (Selection(unused_since=NOW), token(created_at=OLD, last_used_at=NOW - DAYS_90), True),
        (Selection(unused_since=NOW - DAYS_30), token(created_at=OLD, last_used_at=NOW), False),
        # Created after the moment: new, not stale, though never used.
        (Selection(unused_since=NOW - DAYS_30), token(created_at=NOW, last_used_at=None), False),
        (Selection(unused_since=NOW), token(created_at=None, last_used_at=None), False),
        (Selection(created_before=NOW - DAYS_30), token(created_at=OLD), True),
        (Selection(created_before=NOW - DAYS_30), token(created_at=NOW - DAYS_1), False),
        (Selection(created_before=NOW), token(created_at=None), False),
        (
            Selection(expired=True, created_before=NOW - DAYS_30),
            token(created_at=NOW - DAYS_1, expires_at=NOW),
            False,
        ),
        (Selection(name="ci-*"), token(name="ci-deploy"), True),
        (Selection(name="ci-*"), token(name="CI-deploy"), False),
        (Selection(name="ci-*"), token(name=None), False),
        (Selection(scope=Scope.PURGE_ALL), token(scope=frozenset({Scope.PURGE_ALL})), True),
        (Selection(scope="global"), token(scope=frozenset({Scope.GLOBAL_READ})), False),
        (Selection(owner="u1"), token(user_id="u1"), True),
        (Selection(owner="u1"), token(user_id="u2"), False),
        (Selection(all_tokens=True), token(), True),
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


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="unused_since must be timezone-aware"):
        Selection(unused_since=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="created_before must be timezone-aware"):
        Selection(created_before=datetime(2026, 1, 1))


@pytest.mark.parametrize(("expired", "include_current"), [(False, False), (False, True)])
def test_a_selection_without_criteria_is_refused(expired: bool, include_current: bool) -> None:
    with pytest.raises(ValueError, match="all_tokens=True"):
        Selection(expired=expired, include_current=include_current)
    chosen = Selection(all_tokens=True, expired=expired, include_current=include_current)
    assert chosen.matches(token(), now=NOW, current_id=None)


async def test_select_tokens_lists_and_filters(client: FastlyAsync, fake: FakeFastly) -> None:
    now = datetime.now(UTC)
    old = fake.add_token(fake.user, name="old", expires_at=now - timedelta(days=1))
    fake.add_token(fake.user, name="fresh", expires_at=now + timedelta(days=1))
    chosen = await client.tokens.select_tokens(Selection(expired=True))
    assert [t.id for t in chosen] == [old.id]


async def test_select_tokens_among_a_customers_tokens(fake: FakeFastly) -> None:
    theirs = fake.add_token(fake.user, name="ci-theirs")
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url) as c:
        chosen = await c.tokens.select_tokens(
            Selection(name="ci-*"), customer_id=fake.world.customer.id
        )
    assert [t.id for t in chosen] == [theirs.id]
