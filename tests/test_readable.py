"""What people see when they print: models, outcomes and reports read well, and their reprs
stay precise without printing a job's thousands of results."""

from __future__ import annotations

from datetime import UTC, datetime

from fastly_tokens import (
    FastlyAsync,
    NotFoundError,
    Outcome,
    OutcomeCounts,
    RevocationResult,
    Scope,
    Token,
)
from fastly_tokens.testing import FakeFastly


def test_a_token_prints_as_a_sentence_and_its_repr_keeps_every_field() -> None:
    token = Token(
        id="5Yo3XXnrQpjc20u0ybrf2g",
        name="deploy",
        scope=frozenset({Scope.PURGE_ALL, Scope.GLOBAL_READ}),
        services=("SvcAAAAAAAAAAAAAAAAAAA",),
        expires_at=datetime(2027, 1, 1, 12, 30, tzinfo=UTC),
    )
    assert str(token) == (
        "user token 5Yo3XXnrQpjc20u0ybrf2g 'deploy': global:read purge_all on service "
        "SvcAAAAAAAAAAAAAAAAAAA, expires 2027-01-01 12:30 UTC"
    )
    assert "Token(id='5Yo3XXnrQpjc20u0ybrf2g'" in repr(token)
    assert "expires_at=datetime.datetime(2027, 1, 1, 12, 30" in repr(token)
    forever = Token(id="A" * 22, services=("a", "b"))
    assert str(forever).endswith("no scope on 2 services, never expires")


def test_counts_read_as_plain_strings_and_still_index_by_outcome() -> None:
    counts = OutcomeCounts({Outcome.REVOKED: 3, Outcome.NOT_FOUND: 0, Outcome.FAILED: 1})
    assert repr(counts) == "{'revoked': 3, 'not_found': 0, 'failed': 1}"
    assert str(counts) == "3 revoked, 1 failed"
    assert counts[Outcome.REVOKED] == counts["revoked"] == 3  # type: ignore[index]  # a StrEnum key is its value
    assert str(OutcomeCounts()) == "nothing"


def test_a_result_says_its_id_outcome_and_why() -> None:
    plain = RevocationResult("A" * 22, Outcome.REVOKED)
    assert str(plain) == f"{'A' * 22}: revoked"
    noted = RevocationResult("B" * 22, Outcome.NOT_FOUND, note="not among the tokens listed")
    assert str(noted) == f"{'B' * 22}: not_found (not among the tokens listed)"


async def test_a_reports_and_a_progress_updates_str_and_repr_stay_short() -> None:
    updates: list[str] = []
    async with FakeFastly() as fake:
        ids = [fake.add_token(name=f"t{i}").id for i in range(300)]
        async with FastlyAsync(fake.key, base_url=fake.base_url) as c:
            report = await c.tokens.revoke_many(
                [*ids, "A" * 22], on_progress=lambda p: updates.append(f"{p} | {p!r}")
            )
    assert str(report).startswith("301 ids: 300 revoked, 1 not found; ")
    assert "write" in str(report)
    assert len(repr(report)) < 300
    assert "<301 results>" in repr(report)
    assert updates
    assert all(len(update) < 600 for update in updates)
    assert updates[-1].startswith("301/301 ids: 300 revoked, 1 not found; ")
    assert NotFoundError.__name__ not in str(report)
