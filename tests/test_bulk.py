"""revoke_many against FakeFastly: outcomes match the server's state, and requests stay in bound."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from fastly_tokens import (
    FastlyAsync,
    InternalServerError,
    NotFoundError,
    Outcome,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    RevocationProgress,
    Strategy,
)
from fastly_tokens.testing import FakeClock, FakeFastly


def mine(fake: FakeFastly, n: int, prefix: str = "t") -> list[str]:
    return [fake.add_token(fake.user, name=f"{prefix}{i}").id for i in range(n)]


def journal_header(fake: FakeFastly) -> dict[str, object]:
    """The first line of a journal of a job run as the fake's seeded user."""
    return {
        "fastly_tokens_journal": 1,
        "endpoint": fake.base_url,
        "customer_id": fake.world.customer.id,
        "user_id": fake.user.id,
    }


def bisection_bound(n: int, bad: int, chunk: int) -> int:
    """ceil(n / chunk) chunks, plus about 2 log2(chunk) requests for each bad id."""
    return math.ceil(n / chunk) + 2 * bad * math.ceil(math.log2(chunk))


async def test_batch_revokes_everything_in_the_fewest_requests(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    ids = mine(fake, 250)
    report = await client.tokens.revoke_many(ids, chunk_size=100)
    assert report.ok
    assert report.ids(Outcome.REVOKED) == ids
    assert all(fake.is_revoked(t) for t in ids)
    assert report.writes == 3
    assert len(fake.requests_matching(method="DELETE", path="/tokens")) == 3
    # The free reads first: the current token, the customer's list (403: not a superuser),
    # then the user's own list.
    assert report.reads == len(fake.requests_matching(method="GET")) == 3


@pytest.mark.parametrize("strategy", ["batch", "each"])
async def test_ids_the_caller_cannot_list_cost_nothing(
    client: FastlyAsync, fake: FakeFastly, strategy: Strategy
) -> None:
    ids = mine(fake, 300)
    someone_elses = fake.add_token(fake.add_user(), name="a colleague's").id
    unknown = "Zz" * 11
    mixed = [*ids[:100], fake.foreign_token_id, *ids[100:200], someone_elses, *ids[200:], unknown]
    report = await client.tokens.revoke_many(mixed, strategy=strategy, chunk_size=64)
    assert [r.token_id for r in report.results] == mixed
    assert report.ids(Outcome.REVOKED) == ids
    not_listed = [fake.foreign_token_id, someone_elses, unknown]
    assert report.ids(Outcome.NOT_FOUND) == not_listed
    assert {r.note for r in report.results if r.outcome is Outcome.NOT_FOUND} == {
        "not among the tokens this caller can list"
    }
    assert not fake.is_revoked(someone_elses)
    sent = fake.requests_matching(method="DELETE", path="/tokens*")
    assert report.writes == len(sent) == (5 if strategy == "batch" else 300)
    assert all(r.status == 204 for r in sent)  # not one write refused


@pytest.mark.parametrize("strategy", ["batch", "each"])
async def test_without_preflight_bad_ids_are_isolated_and_the_rest_revoked(
    client: FastlyAsync, fake: FakeFastly, strategy: Strategy
) -> None:
    ids = mine(fake, 300)
    other = fake.add_user()  # same customer, not a superuser's token: 403 for us
    someone_elses = fake.add_token(other, name="theirs").id
    unknown = "Zz" * 11
    mixed = [*ids[:100], fake.foreign_token_id, *ids[100:200], someone_elses, *ids[200:], unknown]
    report = await client.tokens.revoke_many(
        mixed, strategy=strategy, chunk_size=64, preflight=False
    )

    assert [r.token_id for r in report.results] == mixed
    assert report.ids(Outcome.REVOKED) == ids
    assert set(report.ids(Outcome.NOT_FOUND)) == {fake.foreign_token_id, unknown}
    assert report.ids(Outcome.FAILED) == [someone_elses]
    failed = next(r for r in report.results if r.outcome is Outcome.FAILED)
    assert isinstance(failed.error, PermissionDeniedError)
    assert all(fake.is_revoked(t) for t in ids)
    assert not fake.is_revoked(someone_elses)
    assert not fake.is_revoked(fake.foreign_token_id)
    sent = len(fake.requests_matching(method="DELETE", path="/tokens*"))
    assert report.writes == sent
    if strategy == "batch":
        assert sent <= bisection_bound(len(mixed), 3, 64)
    else:
        assert sent == len(mixed)


async def test_bisection_cost_grows_with_bad_ids_not_chunk_size(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    ids = mine(fake, 1000)
    bad = [f"Bad{i:019d}" for i in range(3)]
    mixed = [*ids[:10], bad[0], *ids[10:500], bad[1], *ids[500:], bad[2]]
    report = await client.tokens.revoke_many(mixed, chunk_size=200, preflight=False)
    assert report.ids(Outcome.NOT_FOUND) == bad
    assert report.counts[Outcome.REVOKED] == 1000
    assert report.writes <= bisection_bound(len(mixed), 3, 200)
    assert report.writes < 100  # per id would be 1003


async def test_invalid_and_duplicate_ids_are_reported_and_the_rest_go_ahead(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    ids = mine(fake, 3)
    report = await client.tokens.revoke_many([ids[0], "../etc", ids[1], ids[0], "", ids[2]])
    assert [(r.token_id, r.outcome) for r in report.results] == [
        (ids[0], Outcome.REVOKED),
        ("../etc", Outcome.INVALID),
        (ids[1], Outcome.REVOKED),
        ("", Outcome.INVALID),
        (ids[2], Outcome.REVOKED),
    ]
    assert isinstance(report.results[1].error, ValueError)
    assert not report.ok
    with pytest.raises(ExceptionGroup) as info:
        report.raise_for_failures()
    assert len(info.value.exceptions) == 2


async def test_a_413_halves_the_chunk_size_for_the_rest_of_the_job(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    fake.behaviour.bulk_max = 30
    ids = mine(fake, 200)
    report = await client.tokens.revoke_many(ids, chunk_size=100, concurrency=1)
    assert report.ok
    assert all(fake.is_revoked(t) for t in ids)
    too_large = [r for r in fake.requests_matching(method="DELETE") if r.status == 413]
    # 100 -> 413, 50 -> 413, 25 fits; later chunks start at 25, so no more 413s.
    assert len(too_large) == 2
    assert report.writes == 2 + math.ceil(200 / 25)


async def test_a_lost_batch_is_settled_by_reading_the_list_again(
    retrying: FastlyAsync, fake: FakeFastly, clock: FakeClock
) -> None:
    ids = mine(fake, 300)
    fake.faults.add("status", status=503, times=2, method="DELETE", path="/tokens")
    fake.faults.add("drop_after", times=1, method="DELETE", path="/tokens")
    report = await retrying.tokens.revoke_many(ids, chunk_size=100, concurrency=1)
    # The first chunk meets two 503s, then is applied with its answer lost; its retry answers
    # 404. Every id of it was listed before and is gone from the list read again: revoked.
    assert report.ids(Outcome.REVOKED) == ids
    lost = report.results[:100]
    assert {r.note for r in lost} == {
        "listed before an attempt whose answer was lost, and gone now"
    }
    assert report.writes == 3 + 1 + 2  # two 503s, the lost attempt and its 404, then 2 chunks
    assert report.reads == 4  # the preflight's three, and the one read again
    assert len(clock.waits) == 3


async def test_without_preflight_a_lost_batch_is_not_claimed(
    retrying: FastlyAsync, fake: FakeFastly, clock: FakeClock
) -> None:
    ids = mine(fake, 300)
    fake.faults.add("status", status=503, times=2, method="DELETE", path="/tokens")
    fake.faults.add("drop_after", times=1, method="DELETE", path="/tokens")
    report = await retrying.tokens.revoke_many(ids, chunk_size=100, concurrency=1, preflight=False)
    # The first chunk meets two 503s, then is applied with its answer lost, and its retry is
    # refused with 404: nothing shows those ids were there, so none is claimed revoked.
    assert report.ids(Outcome.REVOKED) == ids[100:]
    assert report.ids(Outcome.NOT_FOUND) == ids[:100]
    assert all(r.maybe_revoked for r in report.results if r.outcome is Outcome.NOT_FOUND)
    assert not any(r.maybe_revoked for r in report.results if r.outcome is Outcome.REVOKED)
    assert all(fake.is_revoked(t) for t in ids)
    assert len(clock.waits) == 3


async def test_failures_that_outlast_the_retries_are_failed_with_their_error(
    retrying: FastlyAsync, fake: FakeFastly
) -> None:
    ids = mine(fake, 10)
    fake.faults.add("status", status=500, times=None, method="DELETE", path="/tokens")
    report = await retrying.tokens.revoke_many(ids, chunk_size=5)
    assert report.counts[Outcome.FAILED] == 10
    assert all(isinstance(r.error, InternalServerError) for r in report.results)
    assert not any(fake.is_revoked(t) for t in ids)
    assert report.writes == 2 * retrying.retry.attempts


async def test_budget_spent_beyond_max_wait_leaves_the_rest_not_attempted(
    fake: FakeFastly,
) -> None:
    fake_small = FakeFastly(rate_limit=3)
    async with (
        fake_small as small,
        FastlyAsync(small.key, base_url=small.base_url, retry=RetryPolicy(max_wait=1)) as c,
    ):
        ids = mine(small, 10)
        report = await c.tokens.revoke_many(ids, strategy="each", concurrency=1)
    assert report.ids(Outcome.REVOKED) == ids[:3]
    assert report.ids(Outcome.NOT_ATTEMPTED) == ids[3:]
    assert all(isinstance(r.error, RateLimitError) for r in report.results[3:])
    assert [small.is_revoked(t) for t in ids] == [True] * 3 + [False] * 7
    assert report.writes <= 4  # at most the one 429 that told us
    assert report.stopped is not None
    assert "budget" in report.stopped


async def test_progress_is_reported_as_ids_complete(client: FastlyAsync, fake: FakeFastly) -> None:
    ids = mine(fake, 500)
    updates: list[RevocationProgress] = []
    report = await client.tokens.revoke_many(
        ids, chunk_size=50, concurrency=2, on_progress=updates.append
    )
    assert len(updates) == 10
    assert [u.done for u in updates] == list(range(50, 501, 50))
    assert all(u.total == 500 for u in updates)
    assert sum(len(u.latest) for u in updates) == 500
    assert updates[-1].counts[Outcome.REVOKED] == 500
    assert updates[-1].writes == report.writes == 10


async def test_each_strategy_makes_no_task_per_id(client: FastlyAsync, fake: FakeFastly) -> None:
    fake.limiter.limit = 10_000
    ids = mine(fake, 2000)
    most_job_tasks = most_tasks = 0

    def watch(_: RevocationProgress) -> None:
        nonlocal most_job_tasks, most_tasks
        tasks = asyncio.all_tasks()
        job_tasks = [t for t in tasks if "RevocationJob" in t.get_coro().__qualname__]  # type: ignore[union-attr]
        most_job_tasks = max(most_job_tasks, len(job_tasks))
        most_tasks = max(most_tasks, len(tasks))

    report = await client.tokens.revoke_many(ids, strategy="each", concurrency=8, on_progress=watch)
    assert report.counts[Outcome.REVOKED] == 2000
    assert most_job_tasks == 8  # the worker pool, not a task per id
    # Everything else alive is the test and the fake's per-connection handlers in this loop.
    assert most_tasks < 100


def event_after(revoked: int) -> tuple[asyncio.Event, Callable[[RevocationProgress], None]]:
    """An event set once ``revoked`` ids are revoked, and the progress callback that sets it."""
    reached = asyncio.Event()

    def on_progress(progress: RevocationProgress) -> None:
        if progress.counts[Outcome.REVOKED] >= revoked:
            reached.set()

    return reached, on_progress


async def test_cancelled_job_keeps_its_outcomes(fake: FakeFastly) -> None:
    fake.behaviour.latency = 0.005
    ids = mine(fake, 400)
    reached, on_progress = event_after(100)
    async with FastlyAsync(fake.key, base_url=fake.base_url) as c:
        job = c.tokens.revocation_job(ids, chunk_size=10, concurrency=2, on_progress=on_progress)
        task = asyncio.create_task(job.run())
        await reached.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    report = job.report()
    assert [r.token_id for r in report.results] == ids
    assert report.counts[Outcome.REVOKED] >= 100
    assert report.counts[Outcome.NOT_ATTEMPTED] > 0
    settled = (Outcome.REVOKED, Outcome.NOT_ATTEMPTED, Outcome.UNCONFIRMED)
    assert sum(report.counts[o] for o in settled) == 400
    for result in report.results:
        if result.outcome is Outcome.REVOKED:
            assert fake.is_revoked(result.token_id)


async def test_ids_in_flight_when_a_job_is_cancelled_are_unconfirmed_not_unattempted() -> None:
    async with FakeFastly() as fake:
        ids = mine(fake, 60)
        arrived = asyncio.Event()
        # Each batch takes the fake a moment, during which it is in flight; the fake finishes
        # it even after the client has gone, as Fastly would.
        fake.faults.add("slow", delay=0.05, times=None, method="DELETE", path="/tokens")
        async with FastlyAsync(fake.key, base_url=fake.base_url) as c:

            def on_progress(progress: RevocationProgress) -> None:
                arrived.set()

            job = c.tokens.revocation_job(
                ids, chunk_size=10, concurrency=2, on_progress=on_progress
            )
            task = asyncio.create_task(job.run())
            await arrived.wait()  # one batch answered; the next two are now in flight
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    # The fake has finished every batch it received (closing it waited for them).
    report = job.report()
    unconfirmed = report.ids(Outcome.UNCONFIRMED)
    assert unconfirmed  # sent, no answer seen
    for result in report.results:
        if fake.is_revoked(result.token_id):
            assert result.outcome in (Outcome.REVOKED, Outcome.UNCONFIRMED), result
        if result.outcome is Outcome.NOT_ATTEMPTED:
            assert not fake.is_revoked(result.token_id)
    assert not report.ok


async def test_rerun_with_the_journal_revokes_every_id_exactly_once(
    fake: FakeFastly, tmp_path: Path
) -> None:
    journal = tmp_path / "revoke.jsonl"
    fake.behaviour.latency = 0.005
    ids = mine(fake, 400)
    reached, on_progress = event_after(150)
    async with FastlyAsync(fake.key, base_url=fake.base_url) as c:
        first = c.tokens.revocation_job(
            ids, chunk_size=10, concurrency=3, journal=journal, on_progress=on_progress
        )
        task = asyncio.create_task(first.run())
        await reached.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        done_first = set(first.report().ids(Outcome.REVOKED))
        assert 150 <= len(done_first) < 400

        second = await c.tokens.revoke_many(ids, chunk_size=10, journal=journal)

    assert second.ok
    assert second.ids(Outcome.REVOKED) == ids  # in-flight ids listed before, gone now: revoked
    resumed = {r.token_id for r in second.results if r.resumed}
    assert done_first <= resumed  # nothing the first run settled was sent again
    assert resumed - done_first <= set(first.report().ids(Outcome.UNCONFIRMED))
    sent_twice = [t for t in ids if len(fake.requests_matching("DELETE", f"/tokens/{t}")) > 1]
    assert sent_twice == []
    assert all(fake.is_revoked(t) for t in ids)
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert "fastly_tokens_journal" in lines[0]
    assert {line["outcome"] for line in lines[1:]} <= {"pending", "revoked", "not_found"}


async def test_journal_with_a_torn_last_line_still_resumes(
    client: FastlyAsync, fake: FakeFastly, tmp_path: Path
) -> None:
    ids = mine(fake, 4)
    journal = tmp_path / "j.jsonl"
    await client.tokens.revoke_many(ids[:2], journal=journal)
    with journal.open("a") as f:
        f.write('{"id": "' + ids[2] + '", "outc')
    report = await client.tokens.revoke_many(ids, journal=journal)
    assert [r.resumed for r in report.results] == [True, True, False, False]
    assert report.ok


async def test_revoke_many_refuses_a_single_string(client: FastlyAsync) -> None:
    with pytest.raises(TypeError, match="single str"):
        await client.tokens.revoke_many("5Yo3XXnrQpjc20u0ybrf2g")


async def test_not_found_single_revoke_still_raises(client: FastlyAsync) -> None:
    with pytest.raises(NotFoundError):
        await client.tokens.revoke_token("Zz" * 11)


async def test_a_lost_attempt_then_404_is_resolved_by_bisection(
    retrying: FastlyAsync, fake: FakeFastly
) -> None:
    # The edge answers 503 without acting; the retry gets 404 because of the foreign id.
    # Nothing was revoked by the lost attempt, so the good ids must still be revoked.
    ids = mine(fake, 20)
    fake.faults.add("status", status=503, times=1, method="DELETE", path="/tokens")
    mixed = [*ids[:10], fake.foreign_token_id, *ids[10:]]
    report = await retrying.tokens.revoke_many(mixed, chunk_size=50, concurrency=1)
    assert report.ids(Outcome.REVOKED) == ids
    assert report.ids(Outcome.NOT_FOUND) == [fake.foreign_token_id]
    assert all(fake.is_revoked(t) for t in ids)


async def test_bulk_revoke_tokens_does_not_claim_a_batch_it_cannot_vouch_for(
    retrying: FastlyAsync, fake: FakeFastly
) -> None:
    ids = mine(fake, 3)
    fake.faults.add("status", status=503, times=1, method="DELETE", path="/tokens")
    with pytest.raises(NotFoundError) as info:
        await retrying.tokens.bulk_revoke_tokens([*ids, fake.foreign_token_id])
    assert info.value.maybe_applied
    assert not any(fake.is_revoked(t) for t in ids)


async def test_a_dropped_batch_of_foreign_and_unknown_ids_claims_none_revoked(
    retrying: FastlyAsync, fake: FakeFastly
) -> None:
    unknown = "NeverExisted0000000000"
    ids = [fake.foreign_token_id, unknown, *mine(fake, 2)]
    fake.faults.add("drop_after", times=1, method="DELETE", path="/tokens")
    report = await retrying.tokens.revoke_many(ids, chunk_size=2, concurrency=1, preflight=False)
    outcome = {r.token_id: r for r in report.results}
    assert outcome[fake.foreign_token_id].outcome is Outcome.NOT_FOUND
    assert outcome[unknown].outcome is Outcome.NOT_FOUND
    assert outcome[unknown].maybe_revoked  # flagged, not claimed
    assert report.ids(Outcome.REVOKED) == ids[2:]
    assert not fake.is_revoked(fake.foreign_token_id)


async def test_a_single_revoke_after_a_dropped_attempt_claims_nothing(
    retrying: FastlyAsync, fake: FakeFastly
) -> None:
    path = f"/tokens/{fake.foreign_token_id}"
    fake.faults.add("drop_before", times=1, method="DELETE", path=path)
    with pytest.raises(NotFoundError) as info:
        await retrying.tokens.revoke_token(fake.foreign_token_id)
    assert info.value.maybe_applied  # it may have been us; the 404 cannot say
    assert not fake.is_revoked(fake.foreign_token_id)


async def test_a_journal_pending_id_that_answers_404_is_not_revoked(
    client: FastlyAsync, fake: FakeFastly, tmp_path: Path
) -> None:
    unknown = [f"Unknown{i:015d}" for i in range(300)]
    lines = [journal_header(fake)] + [{"id": i, "outcome": "pending"} for i in unknown]
    for preflight in (True, False):
        journal = tmp_path / f"j-{preflight}.jsonl"
        journal.write_text("".join(json.dumps(line) + "\n" for line in lines))
        report = await client.tokens.revoke_many(
            unknown, journal=journal, strategy="each", preflight=preflight
        )
        assert report.counts[Outcome.REVOKED] == 0
        assert report.counts[Outcome.NOT_FOUND] == 300
        assert all(r.maybe_revoked for r in report.results)
    # With the preflight, not one of them was sent; without, each was, and answered 404.
    assert len(fake.requests_matching("DELETE", "/tokens/*")) == 300


async def test_the_id_self_is_invalid_and_the_current_token_survives(
    client: FastlyAsync, fake: FakeFastly
) -> None:
    ids = mine(fake, 2)
    report = await client.tokens.revoke_many([ids[0], "self", "SELF", ids[1]], strategy="each")
    assert report.ids(Outcome.INVALID) == ["self", "SELF"]
    assert report.ids(Outcome.REVOKED) == ids
    assert fake.requests_matching("DELETE", "/tokens/self") == []
    assert not fake.is_revoked(fake.token_id)
    with pytest.raises(ValueError, match="revoke_token_current"):
        await client.tokens.revoke_token("self")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"chunk_size": 1.5},
        {"chunk_size": "100"},
        {"chunk_size": True},
        {"chunk_size": 0},
        {"concurrency": 2.5},
        {"concurrency": 0},
        {"on_progress": 5},
        {"strategy": "all"},
    ],
)
async def test_bad_job_arguments_are_refused_before_anything_is_sent(
    client: FastlyAsync, fake: FakeFastly, kwargs: dict[str, object]
) -> None:
    ids = mine(fake, 3)
    with pytest.raises((ValueError, TypeError)):
        await client.tokens.revoke_many(ids, **kwargs)  # type: ignore[arg-type]  # bad on purpose
    assert fake.requests == []


async def test_an_on_progress_that_raises_is_logged_and_the_job_goes_on(
    client: FastlyAsync, fake: FakeFastly, caplog: pytest.LogCaptureFixture
) -> None:
    ids = mine(fake, 30)

    def broken(progress: RevocationProgress) -> None:
        raise RuntimeError("the caller's bug")

    report = await client.tokens.revoke_many(ids, chunk_size=10, on_progress=broken)
    assert report.ids(Outcome.REVOKED) == ids
    assert all(fake.is_revoked(t) for t in ids)
    assert sum("on_progress raised" in r.getMessage() for r in caplog.records) == 3
