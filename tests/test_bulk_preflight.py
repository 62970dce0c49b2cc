"""The preflight: a job learns for free what its writes would learn, and spends only the rest.

Targets of issue 9, counted by the writes the server received: 5,000 unknown ids cost no write;
10,000 ids with 10 foreign or unknown ones cost exactly ceil(9,990 / chunk) writes.
"""

from __future__ import annotations

import math
import random

import pytest

from fastly_tokens import FastlyAsync, Outcome, RetryPolicy
from fastly_tokens.testing import FakeFastly


def deletes(fake: FakeFastly) -> list[int | None]:
    return [r.status for r in fake.requests_matching("DELETE", "/tokens*")]


async def test_five_thousand_unknown_ids_cost_no_write(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    unknown = [f"Gone{i:018d}" for i in range(5000)]
    report = await client.tokens.revoke_many(unknown)
    assert deletes(fake) == []
    assert report.writes == 0
    assert report.counts[Outcome.NOT_FOUND] == 5000
    assert report.ok
    assert fake.rate_limit_remaining(fake.user) == 1000  # the hour's budget untouched


async def test_ten_thousand_ids_with_ten_bad_cost_exactly_one_write_a_chunk(
    fake: FakeFastly,
) -> None:
    good = [fake.add_token(name=f"t{i}").id for i in range(9990)]
    bad = [fake.add_token(fake.world.foreign_user, name="f").id for _ in range(5)]
    bad += [f"Unknown{i:015d}" for i in range(5)]
    ids = list(good)
    rng = random.Random(9)  # noqa: S311 (where the bad ids go, not a secret)
    for token_id in bad:
        ids.insert(rng.randrange(len(ids) + 1), token_id)
    async with FastlyAsync(fake.key, base_url=fake.base_url) as c:
        report = await c.tokens.revoke_many(ids, chunk_size=100)
    assert deletes(fake) == [204] * math.ceil(9990 / 100)
    assert report.writes == 100
    assert sorted(report.ids(Outcome.NOT_FOUND)) == sorted(bad)
    assert report.ids(Outcome.REVOKED) == good


async def test_plan_says_what_will_be_sent_and_what_it_costs(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    ids = [fake.add_token(name=f"t{i}").id for i in range(250)]
    job = client.tokens.revocation_job(
        [*ids, fake.foreign_token_id, "bad/id", fake.token_id], chunk_size=100
    )
    plan = await job.plan()
    assert plan.to_send == tuple(ids)
    assert plan.not_found == (fake.foreign_token_id,)
    assert plan.invalid == ("bad/id",)
    assert plan.current_last == fake.token_id
    assert plan.writes == 3 + 1
    assert plan.listing == "GET /tokens"
    assert plan.partial_view  # not a superuser: its own tokens only
    assert plan.fits_budget is None  # no write has told the client its budget yet
    assert deletes(fake) == []  # planning sends no write
    await client.tokens.revoke_token(fake.add_token(name="x").id)
    again = await client.tokens.revocation_job(ids).plan()
    assert again.remaining == 999
    assert again.fits_budget is True
    report = await job.run()
    assert report.ids(Outcome.REVOKED) == ids
    # The current token goes last, and only if every other id is gone: "bad/id" is not.
    assert report.results[-1].outcome is Outcome.NOT_ATTEMPTED
    assert not fake.is_revoked(fake.token_id)


async def test_a_superuser_job_reads_the_customers_listing(fake: FakeFastly) -> None:
    theirs = fake.add_token(fake.user, name="a user's").id
    async with FastlyAsync(fake.superuser_key, base_url=fake.base_url) as c:
        job = c.tokens.revocation_job([theirs, fake.foreign_token_id])
        plan = await job.plan()
        report = await job.run()
    assert plan.listing == f"GET /customer/{fake.world.customer.id}/tokens + GET /automation-tokens"
    assert not plan.partial_view
    assert report.ids(Outcome.REVOKED) == [theirs]
    assert fake.is_revoked(theirs)


async def test_a_token_revoked_by_someone_else_after_the_preflight_costs_one_more_write(
    fake: FakeFastly,
) -> None:
    ids = [fake.add_token(name=f"t{i}").id for i in range(30)]
    async with FastlyAsync(fake.key, base_url=fake.base_url) as c:
        job = c.tokens.revocation_job(ids, chunk_size=10)
        await job.plan()
        fake.revoke(ids[14])  # behind the job's back, between its read and its write
        report = await job.run()
    # The chunk holding it is refused whole (404); the listing read again shows it gone, and
    # the rest of that chunk is sent again: one more write, no bisection.
    assert deletes(fake) == [204, 404, 204, 204]
    result = next(r for r in report.results if r.token_id == ids[14])
    assert result.outcome is Outcome.NOT_FOUND
    assert result.note is not None
    assert "someone else" in result.note
    assert report.ids(Outcome.REVOKED) == [t for t in ids if t != ids[14]]


async def test_a_read_only_key_fails_once_and_sends_nothing_more(fake: FakeFastly) -> None:
    reader = fake.add_token(scope="global:read", name="reader")
    own = [fake.add_token(name=f"t{i}").id for i in range(50)]
    async with FastlyAsync(reader.access_token, base_url=fake.base_url) as c:
        report = await c.tokens.revoke_many(own, chunk_size=10)
    assert deletes(fake) == [403]  # the caller may not write: learned once, not 50 times
    assert report.counts[Outcome.FAILED] == 10
    assert report.counts[Outcome.NOT_ATTEMPTED] == 40
    assert report.stopped is not None
    assert "refuses this caller's writes" in report.stopped


async def test_the_current_token_is_revoked_last_and_kept_when_others_fail(
    fake: FakeFastly,
) -> None:
    own = [fake.add_token(name=f"t{i}").id for i in range(3)]
    colleague = fake.add_token(fake.add_user(), name="theirs").id
    async with FastlyAsync(fake.key, base_url=fake.base_url, retry=RetryPolicy(attempts=1)) as c:
        kept = await c.tokens.revoke_many(
            [fake.token_id, *own, colleague], strategy="each", preflight=False
        )
    assert kept.results[0].outcome is Outcome.NOT_ATTEMPTED
    assert kept.results[0].note is not None
    assert "revoked last" in kept.results[0].note
    assert not fake.is_revoked(fake.token_id)
    async with FastlyAsync(fake.key, base_url=fake.base_url) as c:
        done = await c.tokens.revoke_many([fake.token_id, *own])
    assert done.ok
    assert fake.is_revoked(fake.token_id)
    assert fake.requests_matching("DELETE", "/tokens*")[-1].path == f"/tokens/{fake.token_id}"


async def test_a_wrong_key_fails_every_id_without_a_write(fake: FakeFastly) -> None:
    ids = [fake.add_token(name=f"t{i}").id for i in range(5)]
    async with FastlyAsync("W" * 32, base_url=fake.base_url) as c:
        report = await c.tokens.revoke_many([*ids, "bad/id"])
    assert deletes(fake) == []
    assert report.counts[Outcome.FAILED] == 5
    assert report.counts[Outcome.INVALID] == 1
    assert report.stopped is not None
    assert "preflight read failed" in report.stopped


async def test_the_budget_running_out_inside_a_bisection_stops_cleanly() -> None:
    async with FakeFastly(rate_limit=6) as fake:
        ids = [fake.add_token(name=f"t{i}").id for i in range(40)]
        mixed = [*ids[:3], fake.foreign_token_id, *ids[3:]]
        async with FastlyAsync(
            fake.key, base_url=fake.base_url, retry=RetryPolicy(max_wait=1)
        ) as c:
            report = await c.tokens.revoke_many(mixed, chunk_size=20, preflight=False)
        revoked_on_server = {t for t in ids if fake.is_revoked(t)}
    assert set(report.ids(Outcome.REVOKED)) == revoked_on_server
    assert report.counts[Outcome.NOT_ATTEMPTED] > 0
    assert report.stopped is not None
    assert "budget" in report.stopped
    assert report.writes <= 7  # the six allowed, and at most the one 429 that said so


@pytest.mark.parametrize("preflight", [True, False])
async def test_a_job_runs_once(client: FastlyAsync, fake: FakeFastly, preflight: bool) -> None:
    job = client.tokens.revocation_job([fake.add_token(name="t").id], preflight=preflight)
    await job.run()
    with pytest.raises(RuntimeError, match="runs once"):
        await job.run()
    assert "1/1 done" in repr(job)
