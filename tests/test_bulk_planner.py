"""The bulk engine's decisions, tabled without HTTP (as ``_retry.decide`` is)."""

from __future__ import annotations

import pytest

from fastly_tokens import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    Outcome,
    PermissionDeniedError,
    RateLimitError,
    RevocationResult,
    UnprocessableEntityError,
)
from fastly_tokens._bulk import planner
from fastly_tokens._bulk.journal import Entry
from fastly_tokens._bulk.planner import Action

A, B, C, D = "Aaaaaaaaaaaaaaaaaaaaa1", "Bbbbbbbbbbbbbbbbbbbbb2", "Ccccccccccccccccccccc3", "Dd4"


def status(cls: type[APIStatusError], code: int, *, lost: bool = False) -> APIStatusError:
    return cls(status=code, method="DELETE", path="/tokens", maybe_applied=lost)


def not_found(*, lost: bool = False) -> APIStatusError:
    return status(NotFoundError, 404, lost=lost)


@pytest.mark.parametrize(
    ("error", "listed", "action"),
    [
        (None, True, Action.DONE),
        (None, False, Action.DONE),
        (status(RateLimitError, 429), True, Action.STOP),
        (not_found(), True, Action.RECHECK),
        (not_found(lost=True), True, Action.RECHECK),
        (not_found(), False, Action.BISECT),
        (not_found(lost=True), False, Action.BISECT_LOST),
        (status(PermissionDeniedError, 403), False, Action.BISECT),
        (status(PermissionDeniedError, 403), True, Action.FAIL_AND_STOP),
        (status(AuthenticationError, 401), False, Action.FAIL_AND_STOP),
        (status(BadRequestError, 400), True, Action.BISECT),
        (status(UnprocessableEntityError, 422), True, Action.BISECT),
        (status(APIStatusError, 413), True, Action.SHRINK),
        (status(InternalServerError, 503), True, Action.FAIL),
        (APIConnectionError("reset", method="DELETE", path="/tokens"), True, Action.FAIL),
        (RuntimeError("a bug"), True, Action.FAIL),
    ],
)
def test_what_an_answer_to_a_batch_means(
    error: Exception | None, listed: bool, action: Action
) -> None:
    step = planner.judge_batch(error, chunk_len=100, chunk_size=100, listed=listed)
    assert step.action is action


@pytest.mark.parametrize(
    ("chunk_len", "chunk_size", "new_size"),
    [(100, 100, 50), (3, 100, 1), (1, 100, 1), (80, 50, 40)],
)
def test_a_413_halves_the_chunk_and_never_grows_it(
    chunk_len: int, chunk_size: int, new_size: int
) -> None:
    step = planner.judge_batch(
        status(APIStatusError, 413), chunk_len=chunk_len, chunk_size=chunk_size, listed=True
    )
    assert step == planner.BatchStep(Action.SHRINK, new_size)


@pytest.mark.parametrize(
    ("error", "listed", "sent_before", "expected"),
    [
        (None, True, False, (Outcome.REVOKED, False, None)),
        (not_found(), False, False, (Outcome.NOT_FOUND, False, None)),
        (not_found(), True, False, (Outcome.NOT_FOUND, False, planner.GONE_SINCE_LISTED)),
        (not_found(lost=True), True, False, (Outcome.REVOKED, False, planner.GONE_AFTER_LOST)),
        (not_found(lost=True), False, False, (Outcome.NOT_FOUND, True, None)),
        (not_found(), True, True, (Outcome.REVOKED, False, planner.GONE_SINCE_EARLIER_RUN)),
        (not_found(), False, True, (Outcome.NOT_FOUND, True, None)),
        (status(PermissionDeniedError, 403), True, False, (Outcome.FAILED, False, None)),
        (status(InternalServerError, 500), False, False, (Outcome.FAILED, False, None)),
    ],
)
def test_what_an_answer_to_one_id_means(
    error: Exception | None, listed: bool, sent_before: bool, expected: tuple[object, ...]
) -> None:
    result = planner.judge_single(A, error, listed=listed, sent_before=sent_before)
    assert result is not None
    assert (result.outcome, result.maybe_revoked, result.note) == expected


def test_a_spent_budget_stops_the_job_rather_than_settle_the_id() -> None:
    error = status(RateLimitError, 429)
    assert planner.judge_single(A, error, listed=True, sent_before=False) is None
    assert planner.refuses_caller(status(AuthenticationError, 401), listed=False)
    assert not planner.refuses_caller(status(PermissionDeniedError, 403), listed=False)


def test_a_recheck_after_a_lost_batch_that_applied_claims_every_id() -> None:
    settled = planner.after_recheck([A, B], frozenset({C}), lost=True, sent_before=frozenset())
    assert [(r.token_id, r.outcome) for r in settled.results] == [
        (A, Outcome.REVOKED),
        (B, Outcome.REVOKED),
    ]
    assert (settled.resend, settled.bisect) == ((), False)


def test_a_recheck_where_some_are_still_listed_claims_none_and_resends_them() -> None:
    # Fastly applies a batch whole: one id still listed means the lost attempt did nothing.
    settled = planner.after_recheck([A, B, C], frozenset({B}), lost=True, sent_before={C})
    assert [(r.token_id, r.outcome, r.note) for r in settled.results] == [
        (A, Outcome.NOT_FOUND, planner.GONE_SINCE_LISTED),
        (C, Outcome.REVOKED, planner.GONE_SINCE_EARLIER_RUN),
    ]
    assert settled.resend == (B,)
    assert not settled.bisect


def test_a_recheck_that_finds_every_id_still_listed_bisects() -> None:
    settled = planner.after_recheck([A, B], frozenset({A, B}), lost=False, sent_before=set())
    assert settled == planner.Recheck((), (A, B), bisect=True)


def test_a_lost_batch_bisected_without_a_listing_claims_nothing() -> None:
    gone = [RevocationResult(t, Outcome.NOT_FOUND) for t in (A, B)]
    judged = planner.after_lost_bisection(gone, 2)
    assert all(r.maybe_revoked and r.outcome is Outcome.NOT_FOUND for r in judged)
    mixed = [RevocationResult(A, Outcome.NOT_FOUND), RevocationResult(B, Outcome.REVOKED)]
    assert planner.after_lost_bisection(mixed, 2) == mixed


def test_triage_sorts_ids_by_what_the_listing_and_the_journal_show() -> None:
    entries = {
        A: Entry("revoked"),
        B: Entry("pending", listed=True),
        C: Entry("not_found"),
        "Eeeeeeeeeeeeeeeeeeeee5": Entry("pending", listed=False),
    }
    ids = [A, B, C, "Eeeeeeeeeeeeeeeeeeeee5", "Current0000000000000000", "bad/id", A, 7]
    sorted_ids = planner.triage(
        ids,
        entries=entries,
        live=frozenset({C, "Current0000000000000000"}),
        current_id="Current0000000000000000",
    )
    assert sorted_ids.order == (
        A,
        B,
        C,
        "Eeeeeeeeeeeeeeeeeeeee5",
        "Current0000000000000000",
        "bad/id",
        "7",
    )
    settled = {r.token_id: r for r in sorted_ids.settled}
    assert settled[A].outcome is Outcome.REVOKED
    assert settled[A].resumed
    assert settled[B].outcome is Outcome.REVOKED  # sent by the earlier run, listed then, gone now
    assert settled[B].note == planner.GONE_SINCE_EARLIER_RUN
    assert settled["Eeeeeeeeeeeeeeeeeeeee5"].outcome is Outcome.NOT_FOUND
    assert settled["Eeeeeeeeeeeeeeeeeeeee5"].maybe_revoked
    assert settled["bad/id"].outcome is Outcome.INVALID
    assert settled["7"].outcome is Outcome.INVALID
    assert sorted_ids.to_send == (C,)  # the journal's not_found proves nothing: sent again
    assert sorted_ids.current_last == "Current0000000000000000"
    assert sorted_ids.sent_before == {B, "Eeeeeeeeeeeeeeeeeeeee5"}
    assert sorted_ids.listed_before == {B}


def test_a_journal_revoked_claim_is_not_taken_while_the_listing_shows_the_token() -> None:
    sorted_ids = planner.triage(
        [A], entries={A: Entry("revoked")}, live=frozenset({A}), current_id=None
    )
    assert sorted_ids.to_send == (A,)


def test_without_a_listing_only_the_journal_settles() -> None:
    sorted_ids = planner.triage(
        [A, B, D], entries={A: Entry("revoked"), B: Entry("pending")}, live=None, current_id=None
    )
    assert [r.token_id for r in sorted_ids.settled] == [A]
    assert sorted_ids.to_send == (B, D)


@pytest.mark.parametrize(
    ("count", "strategy", "current", "writes"),
    [
        (0, "batch", False, 0),
        (250, "batch", False, 3),
        (250, "each", False, 250),
        (9990, "batch", True, 101),
    ],
)
def test_the_cost_estimate(count: int, strategy: str, current: bool, writes: int) -> None:
    assert (
        planner.estimate_writes(count, strategy=strategy, chunk_size=100, current=current)  # type: ignore[arg-type]  # the literal is the table's
        == writes
    )
