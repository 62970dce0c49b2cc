"""The revocation engine's decisions, as pure functions over data (no I/O, no clock).

What an answer to a batch means (revoked, bisect, shrink after a 413, stop on a spent budget,
read the listing again, fail), what an answer to one id means, what a re-read listing settles,
what the journal of an earlier run settles, and what the job will cost. The executor only
carries these out; the tests table them without HTTP, as ``_retry.decide`` is tabled.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Container, Iterable, Mapping
from datetime import datetime

import attrs

from .._errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from .._ids import check_id
from .journal import Entry
from .outcomes import Outcome, RevocationPlan, RevocationResult
from .settings import Strategy

__all__ = [
    "Action",
    "BatchStep",
    "Recheck",
    "Triage",
    "after_lost_bisection",
    "after_recheck",
    "estimate_writes",
    "judge_batch",
    "judge_single",
    "make_plan",
    "refuses_caller",
    "triage",
]

TOO_LARGE = 413
_REFUSED = (BadRequestError, PermissionDeniedError, NotFoundError, UnprocessableEntityError)

NOT_LISTED = "not among the tokens this caller can list"
GONE_SINCE_LISTED = "listed before the write, gone by then: revoked by someone else meanwhile"
GONE_AFTER_LOST = "listed before an attempt whose answer was lost, and gone now"
GONE_SINCE_EARLIER_RUN = "sent by the earlier run its journal records, and gone now"
KEPT_CURRENT = "the current token, kept: it is revoked last, once every other id is gone"


class Action(enum.Enum):
    """What to do after an answer to one batch."""

    DONE = "done"
    """Revoked, every id of it."""
    STOP = "stop"
    """The budget is spent beyond what the caller will wait: send nothing more."""
    RECHECK = "recheck"
    """A 404: read the listing again (free) to see which ids went, rather than bisect (writes)."""
    BISECT = "bisect"
    """Refused for an id in it: halve it to find which, and revoke the rest."""
    BISECT_LOST = "bisect_lost"
    """A 404 after a lost attempt, with no listing: bisect, holding the outcomes to judge."""
    SHRINK = "shrink"
    """413: too many ids for one request; the chunk size shrinks for the rest of the job."""
    FAIL = "fail"
    """Failed in a way no split can mend (5xx after retries, a dropped connection): all fail."""
    FAIL_AND_STOP = "fail_and_stop"
    """Refused for the caller, not for an id (a 401; a 403 for ids it listed as its own): every
    write would be refused, so this batch fails and nothing more is sent."""


@attrs.frozen
class BatchStep:
    """An :class:`Action`, with the new chunk size for ``SHRINK``."""

    action: Action
    chunk_size: int | None = None


def judge_batch(  # noqa: PLR0911 (one return per kind of answer reads as the table it is)
    error: Exception | None, *, chunk_len: int, chunk_size: int, listed: bool
) -> BatchStep:
    """Decide what an answer to a batch of ``chunk_len`` ids means.

    ``listed`` says the job has a preflight listing to re-read. Fastly refuses a batch whole
    when any id in it is unknown or not the caller's. With a listing, every id sent is one the
    caller can see and may revoke, so a 403 is about the caller (a read-only token), not an id.
    """
    if error is None:
        return BatchStep(Action.DONE)
    if isinstance(error, RateLimitError):
        return BatchStep(Action.STOP)
    if isinstance(error, NotFoundError):
        if listed:
            return BatchStep(Action.RECHECK)
        return BatchStep(Action.BISECT_LOST if error.maybe_applied else Action.BISECT)
    if refuses_caller(error, listed=listed):
        return BatchStep(Action.FAIL_AND_STOP)
    if isinstance(error, APIStatusError) and error.status == TOO_LARGE:
        return BatchStep(Action.SHRINK, max(1, min(chunk_size, chunk_len // 2)))
    if isinstance(error, _REFUSED):
        return BatchStep(Action.BISECT)
    return BatchStep(Action.FAIL)


def refuses_caller(error: Exception | None, *, listed: bool) -> bool:
    """Whether a refusal is about the caller, so every later write would be refused too."""
    return isinstance(error, AuthenticationError) or (
        listed and isinstance(error, PermissionDeniedError)
    )


def judge_single(
    token_id: str, error: Exception | None, *, listed: bool, sent_before: bool
) -> RevocationResult | None:
    """Decide one id's outcome from the answer to its own request; None means stop the job.

    ``listed``: a listing (this run's, or the earlier run's its journal records) showed the
    token live. ``sent_before``: the journal shows an earlier run sent it. A 404 proves only
    that the caller cannot see the token: it is ``revoked`` only with evidence, a token listed
    live before an attempt whose answer was lost (this run's, or the earlier run's).
    """
    if error is None:
        return RevocationResult(token_id, Outcome.REVOKED)
    if isinstance(error, RateLimitError):
        return None
    if not isinstance(error, NotFoundError):
        return RevocationResult(token_id, Outcome.FAILED, error)
    lost = error.maybe_applied or sent_before
    if lost and listed:
        note = (
            GONE_SINCE_EARLIER_RUN if sent_before and not error.maybe_applied else GONE_AFTER_LOST
        )
        return RevocationResult(token_id, Outcome.REVOKED, note=note)
    if lost:
        return RevocationResult(token_id, Outcome.NOT_FOUND, error, maybe_revoked=True)
    gone = GONE_SINCE_LISTED if listed else None
    return RevocationResult(token_id, Outcome.NOT_FOUND, error, note=gone)


@attrs.frozen
class Recheck:
    """What a re-read listing settles of a batch refused with 404."""

    results: tuple[RevocationResult, ...]
    resend: tuple[str, ...]
    """Ids still listed, to send again as a batch."""
    bisect: bool
    """Every id is still listed, so the listing cannot say which one Fastly refused: bisect."""


def after_recheck(
    chunk: list[str], live: Container[str], *, lost: bool, sent_before: Container[str]
) -> Recheck:
    """Settle a 404-refused batch by the listing read again afterwards.

    Fastly applies a batch whole or not at all: after a lost attempt, if no id is listed any
    more, that attempt revoked them all; if any is still listed, it revoked nothing, and the ids
    gone were revoked by someone else (or by the earlier run that sent them).
    """
    remaining = tuple(token_id for token_id in chunk if token_id in live)
    gone = [token_id for token_id in chunk if token_id not in live]
    if not gone:
        return Recheck((), remaining, bisect=True)
    results = []
    for token_id in gone:
        if lost and not remaining:
            results.append(RevocationResult(token_id, Outcome.REVOKED, note=GONE_AFTER_LOST))
        elif token_id in sent_before:
            results.append(RevocationResult(token_id, Outcome.REVOKED, note=GONE_SINCE_EARLIER_RUN))
        else:
            results.append(RevocationResult(token_id, Outcome.NOT_FOUND, note=GONE_SINCE_LISTED))
    return Recheck(tuple(results), remaining, bisect=False)


def after_lost_bisection(held: list[RevocationResult], chunk_len: int) -> list[RevocationResult]:
    """Judge the held outcomes of a lost batch bisected without a listing.

    If any id turned out revocable, the lost attempt did nothing and the 404s are real. If every
    id answered 404, the lost attempt may have revoked them, but nothing shows they were there:
    they stay not found, marked ``maybe_revoked``.
    """
    if len(held) == chunk_len and all(r.outcome is Outcome.NOT_FOUND for r in held):
        return [attrs.evolve(r, maybe_revoked=True) for r in held]
    return held


@attrs.frozen
class Triage:
    """A job's ids sorted before anything is sent."""

    order: tuple[str, ...]
    """Every distinct id, in input order (a non-string shown by its repr)."""
    settled: tuple[RevocationResult, ...]
    """Outcomes known without a write: invalid, not listed, settled by the journal."""
    to_send: tuple[str, ...]
    current_last: str | None
    sent_before: frozenset[str]
    """Ids an earlier run sent (the journal shows them pending)."""
    listed_before: frozenset[str]
    """Of those, the ones that run had seen listed live before sending."""


def triage(
    token_ids: Iterable[object],
    *,
    entries: Mapping[str, Entry],
    live: frozenset[str] | None,
    current_id: str | None,
) -> Triage:
    """Sort the ids: malformed, settled by the listing or the journal, to send, the current one.

    ``live`` is the preflight listing (None without one). The journal's ``revoked`` is taken
    only while the listing agrees the token is gone; its ``not_found`` proves nothing and is
    checked again. An id it shows sent (``pending``) is revoked if it was listed then and is
    gone now; without a listing then, a 404 for it stays not found, marked ``maybe_revoked``.
    """
    order: list[str] = []
    seen: set[str] = set()
    settled: list[RevocationResult] = []
    to_send: list[str] = []
    current_last: str | None = None
    sent_before: set[str] = set()
    listed_before: set[str] = set()
    for raw in token_ids:
        token_id = raw if isinstance(raw, str) else repr(raw)
        if token_id in seen:
            continue
        seen.add(token_id)
        order.append(token_id)
        try:
            check_id(raw, "token_ids")
        except (TypeError, ValueError) as exc:
            settled.append(RevocationResult(token_id, Outcome.INVALID, exc))
            continue
        entry = entries.get(token_id)
        listed = live is not None and token_id in live
        if entry is not None and entry.outcome == "pending":
            sent_before.add(token_id)
            if entry.listed:
                listed_before.add(token_id)
        if entry is not None and entry.outcome == "revoked" and not listed:
            settled.append(RevocationResult(token_id, Outcome.REVOKED, resumed=True))
        elif live is not None and not listed:
            settled.append(_not_listed(token_id, entry))
        elif token_id == current_id:
            current_last = token_id
        else:
            to_send.append(token_id)
    return Triage(
        order=tuple(order),
        settled=tuple(settled),
        to_send=tuple(to_send),
        current_last=current_last,
        sent_before=frozenset(sent_before),
        listed_before=frozenset(listed_before),
    )


def _not_listed(token_id: str, entry: Entry | None) -> RevocationResult:
    if entry is not None and entry.outcome == "pending":
        if entry.listed:
            return RevocationResult(
                token_id, Outcome.REVOKED, resumed=True, note=GONE_SINCE_EARLIER_RUN
            )
        return RevocationResult(token_id, Outcome.NOT_FOUND, maybe_revoked=True, note=NOT_LISTED)
    return RevocationResult(token_id, Outcome.NOT_FOUND, note=NOT_LISTED)


def estimate_writes(count: int, *, strategy: Strategy, chunk_size: int, current: bool) -> int:
    """Count the writes ``count`` ids will spend when no batch is refused.

    ``current`` adds the current token's own request at the end.
    """
    sent = count if strategy == "each" else math.ceil(count / chunk_size)
    return sent + (1 if current else 0)


def make_plan(
    sorted_ids: Triage,
    *,
    strategy: Strategy,
    chunk_size: int,
    reads: int,
    listing: str | None,
    partial_view: bool,
    remaining: int | None,
    reset_at: datetime | None,
) -> RevocationPlan:
    """Sum up what a sorted job will send and what it will cost."""
    settled = sorted_ids.settled
    return RevocationPlan(
        total=len(sorted_ids.order),
        to_send=sorted_ids.to_send,
        not_found=tuple(
            r.token_id for r in settled if r.outcome is Outcome.NOT_FOUND and not r.resumed
        ),
        invalid=tuple(r.token_id for r in settled if r.outcome is Outcome.INVALID),
        resumed=tuple(r.token_id for r in settled if r.resumed),
        current_last=sorted_ids.current_last,
        writes=estimate_writes(
            len(sorted_ids.to_send),
            strategy=strategy,
            chunk_size=chunk_size,
            current=sorted_ids.current_last is not None,
        ),
        reads=reads,
        listing=listing,
        partial_view=partial_view,
        remaining=remaining,
        reset_at=reset_at,
    )
