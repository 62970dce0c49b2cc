"""The bulk revocation engine: chunks, bisection, one outcome per id, progress and a journal.

Revoking tokens is a budget problem before it is a speed problem: Fastly allows about 1,000
writes an hour, and ``DELETE /tokens`` revokes a whole batch for one of them. So the default
strategy sends chunks. Fastly refuses a batch whole when any id in it is unknown or not the
caller's; the engine then bisects the chunk, so the good ids are still revoked and k bad ids
cost about ``2k log2(chunk)`` extra requests rather than one request per id. The ``each``
strategy sends one ``DELETE /tokens/{id}`` per id instead, with bounded concurrency.

Every id ends with exactly one :class:`Outcome`, reported in input order and never raised
away mid-job. A journal (JSON lines) makes a killed job resumable: ids already gone are not
sent again, and an id that was in flight when the job died counts as revoked if the rerun
finds it gone.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Literal

import attrs

from ._call import CallRecord
from ._errors import (
    APIStatusError,
    BadRequestError,
    FastlyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._ids import check_id
from ._secrets import scrub

if TYPE_CHECKING:
    from ._tokens import TokensAPI

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "Outcome",
    "RevocationJob",
    "RevocationProgress",
    "RevocationReport",
    "RevocationResult",
    "Strategy",
]

DEFAULT_CHUNK_SIZE = 100
"""Ids per ``DELETE /tokens``: 10,000 ids cost 100 requests, and a bad id about 14 more."""

Strategy = Literal["batch", "each"]

_logger = logging.getLogger("fastly_tokens")

# A refused batch is bisected on these; a single id refused with one of them is that id's fault.
_REFUSED = (BadRequestError, PermissionDeniedError, NotFoundError, UnprocessableEntityError)
_TOO_LARGE = 413


class Outcome(enum.StrEnum):
    """What became of one id in a revocation job."""

    REVOKED = "revoked"
    """Fastly answered that it revoked it."""
    NOT_FOUND = "not_found"
    """Fastly answered 404: this caller cannot see such a token (already revoked, never
    existed, or another account's). With ``maybe_revoked``, an attempt of this job whose answer
    was lost may have been what revoked it."""
    INVALID = "invalid"
    """Not a well-formed id; nothing was sent for it."""
    FAILED = "failed"
    """Fastly refused it or the request failed; ``error`` says how."""
    NOT_ATTEMPTED = "not_attempted"
    """Not sent: the job was cancelled, or the rate-limit budget ran out beyond ``max_wait``."""
    UNCONFIRMED = "unconfirmed"
    """Sent, but the job was cancelled before the answer came: Fastly may or may not have
    revoked it. A re-run (with the journal) settles it."""


_GONE = frozenset({Outcome.REVOKED, Outcome.NOT_FOUND})


@attrs.frozen
class RevocationResult:
    """One id's outcome; ``error`` is the typed error for failed, invalid or not attempted."""

    token_id: str
    outcome: Outcome
    error: Exception | None = attrs.field(default=None, eq=False)
    resumed: bool = False
    """Taken from the journal of an earlier run; nothing was sent for it in this one."""
    maybe_revoked: bool = False
    """Not found after an attempt whose answer was lost: that attempt may have revoked it, but
    nothing shows the token was there to revoke, so it is not claimed as revoked."""


def _count(results: Iterable[RevocationResult]) -> dict[Outcome, int]:
    counts = Counter(result.outcome for result in results)
    return {outcome: counts.get(outcome, 0) for outcome in Outcome}


@attrs.frozen
class RevocationProgress:
    """Where a running job stands; passed to ``on_progress`` as each request completes."""

    done: int
    total: int
    requests: int
    counts: Mapping[Outcome, int]
    latest: tuple[RevocationResult, ...]
    """The results this update adds."""


@attrs.frozen
class RevocationReport:
    """Every id's outcome in input order (duplicates once), with the requests and time spent."""

    results: tuple[RevocationResult, ...]
    requests: int
    """HTTP requests sent, retries included: what the job cost of the rate-limit budget."""
    elapsed: float
    """Seconds the job ran."""

    @property
    def counts(self) -> dict[Outcome, int]:
        """How many ids ended in each outcome (every outcome present, zero or not)."""
        return _count(self.results)

    @property
    def ok(self) -> bool:
        """Whether every id ended revoked or not found."""
        return all(result.outcome in _GONE for result in self.results)

    def ids(self, outcome: Outcome) -> list[str]:
        """List the ids that ended in ``outcome``, in input order."""
        return [result.token_id for result in self.results if result.outcome == outcome]

    def raise_for_failures(self) -> None:
        """Raise an ``ExceptionGroup`` of every failed, invalid or not-attempted id's error."""
        errors = [
            result.error
            for result in self.results
            if result.outcome not in _GONE and result.error is not None
        ]
        if errors:
            raise ExceptionGroup(f"{len(errors)} of {len(self.results)} ids not revoked", errors)


_Sink = list["RevocationResult"] | None
"""Where a bisection holds outcomes it cannot settle yet; None settles them at once."""


class _Journal:
    """An append-only JSON-lines record of outcomes, flushed as each request completes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.previous: dict[str, str] = self._load()
        self._file: IO[str] | None = None

    def _load(self) -> dict[str, str]:
        last: dict[str, str] = {}
        try:
            with open(self.path, encoding="utf-8") as lines:
                for number, line in enumerate(lines, 1):
                    try:
                        entry = json.loads(line)
                        last[str(entry["id"])] = str(entry["outcome"])
                    except (ValueError, KeyError, TypeError):
                        # A job killed mid-write leaves a torn last line; it told us nothing.
                        _logger.warning("%s:%d: unreadable journal line skipped", self.path, number)
        except FileNotFoundError:
            pass
        return last

    def resumed(self, token_id: str) -> Outcome | None:
        """Return the outcome an earlier run recorded, if it means the token is gone."""
        outcome = self.previous.get(token_id)
        return Outcome(outcome) if outcome in _GONE else None

    def was_in_flight(self, token_id: str) -> bool:
        """Whether an earlier run sent this id without recording what came of it."""
        return self.previous.get(token_id) == "pending"

    def write(self, entries: Iterable[tuple[str, str, Exception | None]]) -> None:
        if self._file is None:
            self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for token_id, outcome, error in entries:
            entry = {"id": token_id, "outcome": outcome, "at": at}
            if error is not None:
                entry["error"] = str(error)
            self._file.write(json.dumps(entry) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class RevocationJob:
    """One run of ``revoke_many``; keep a handle on it to read the outcomes of a cancelled run.

    ``await job.run()`` returns the :class:`RevocationReport`. If the run is cancelled, the
    cancellation propagates as usual and ``job.report()`` still gives every outcome reached so
    far, the rest as ``not_attempted``.
    """

    def __init__(
        self,
        tokens: TokensAPI,
        token_ids: Iterable[str],
        *,
        strategy: Strategy = "batch",
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        concurrency: int | None = None,
        on_progress: Callable[[RevocationProgress], None] | None = None,
        journal: str | os.PathLike[str] | None = None,
    ) -> None:
        if isinstance(token_ids, str):
            raise TypeError("token_ids must be an iterable of ids, not a single str")
        if strategy not in ("batch", "each"):
            raise ValueError(f"strategy must be 'batch' or 'each', not {strategy!r}")
        _check_count(chunk_size, "chunk_size")
        if concurrency is not None:
            _check_count(concurrency, "concurrency")
        if on_progress is not None and not callable(on_progress):
            raise TypeError(f"on_progress must be callable, not {type(on_progress).__name__}")
        self._tokens = tokens
        self._strategy = strategy
        self._chunk_size = chunk_size
        self._concurrency = concurrency
        self._on_progress = on_progress
        self._journal = _Journal(journal) if journal is not None else None
        self._order: list[str] = []
        self._results: dict[str, RevocationResult] = {}
        self._to_send: list[str] = []
        self._counts: Counter[Outcome] = Counter()
        self._requests = 0
        self._in_flight: set[str] = set()
        self._started: float | None = None
        self._elapsed: float | None = None
        self._stopped: RateLimitError | None = None
        self._triage(token_ids)

    def _triage(self, token_ids: Iterable[str]) -> None:
        """De-duplicate, check every id, and take what the journal already settled."""
        seen: set[str] = set()
        for raw in token_ids:
            token_id = raw if isinstance(raw, str) else repr(raw)
            if token_id in seen:
                continue
            seen.add(token_id)
            self._order.append(token_id)
            try:
                check_id(raw, "token_ids")
            except (TypeError, ValueError) as exc:
                self._record(RevocationResult(token_id, Outcome.INVALID, exc))
                continue
            settled = self._journal.resumed(token_id) if self._journal else None
            if settled is not None:
                self._record(RevocationResult(token_id, settled, resumed=True))
            else:
                self._to_send.append(token_id)

    def _record(self, result: RevocationResult) -> None:
        self._results[result.token_id] = result
        self._counts[result.outcome] += 1

    @property
    def total(self) -> int:
        """How many distinct ids the job covers."""
        return len(self._order)

    def report(self) -> RevocationReport:
        """Every id's outcome so far, in input order.

        Ids not yet settled are ``unconfirmed`` when their request was sent (a cancel cut it
        short: Fastly may have applied it), else ``not_attempted``.
        """
        error = self._stopped
        results = tuple(
            self._results.get(token_id) or self._unsettled(token_id, error)
            for token_id in self._order
        )
        if self._elapsed is not None:
            elapsed = self._elapsed
        elif self._started is not None:
            elapsed = time.monotonic() - self._started
        else:
            elapsed = 0.0
        return RevocationReport(results, self._requests, elapsed)

    def _unsettled(self, token_id: str, error: RateLimitError | None) -> RevocationResult:
        if token_id in self._in_flight:
            return RevocationResult(token_id, Outcome.UNCONFIRMED)
        return RevocationResult(token_id, Outcome.NOT_ATTEMPTED, error)

    async def run(self) -> RevocationReport:
        """Send the revocations and return the report; see the class for cancellation."""
        self._started = time.monotonic()
        limit = self._tokens._client.max_concurrency
        concurrency = min(self._concurrency or limit, limit)
        try:
            # A fixed pool of workers pulls from one shared iterator: no task per id, however
            # many ids there are.
            async with asyncio.TaskGroup() as group:
                if self._strategy == "batch":
                    chunks = self._chunks()
                    for _ in range(concurrency):
                        group.create_task(self._batch_worker(chunks))
                else:
                    token_ids = iter(self._to_send)
                    for _ in range(concurrency):
                        group.create_task(self._each_worker(token_ids))
        finally:
            self._elapsed = time.monotonic() - self._started
            if self._journal is not None:
                self._journal.close()
        return self.report()

    def _chunks(self) -> Iterator[list[str]]:
        """Slice the ids lazily, so a 413 that halves the chunk size applies to the rest."""
        start = 0
        while start < len(self._to_send):
            chunk = self._to_send[start : start + self._chunk_size]
            start += len(chunk)
            yield chunk

    async def _batch_worker(self, chunks: Iterator[list[str]]) -> None:
        for chunk in chunks:
            if self._stopped is not None:
                return
            await self._revoke_chunk(chunk)

    async def _each_worker(self, token_ids: Iterator[str]) -> None:
        for token_id in token_ids:
            if self._stopped is not None:
                return
            await self._revoke_one(token_id)

    async def _send(self, ids: list[str], single: bool) -> Exception | None:
        """One request for ``ids``; the error it ended in, or None when they were revoked."""
        record = CallRecord()
        if self._journal is not None:
            self._journal.write((token_id, "pending", None) for token_id in ids)
        self._in_flight.update(ids)
        try:
            if single:
                await self._tokens._revoke_one(ids[0], record=record)
            else:
                await self._tokens._revoke_batch(ids, record=record)
        except asyncio.CancelledError:
            # Cut short: if the request reached the transport, Fastly may apply it, so the ids
            # stay in flight (the report says unconfirmed); if not, they were never sent.
            if not record.attempts:
                self._in_flight.difference_update(ids)
            raise
        except Exception as exc:
            self._in_flight.difference_update(ids)
            if not isinstance(exc, FastlyError):  # a bug: the ids fail, the job goes on
                _logger.error(  # noqa: TRY400 (the report keeps the error; frames would log the request)
                    "revoking %d ids failed unexpectedly: %r", len(ids), exc
                )
            # The report keeps the error, not the frames it passed through: their locals hold
            # the aiohttp response, which would make memory grow with every failed id.
            scrub(exc)
            return exc
        else:
            self._in_flight.difference_update(ids)
        finally:
            self._requests += record.attempts
        return None

    async def _revoke_one(self, token_id: str, sink: _Sink = None) -> None:
        error = await self._send([token_id], single=True)
        self._settle_one(token_id, error, sink)

    async def _revoke_chunk(self, chunk: list[str], sink: _Sink = None) -> None:
        """Revoke a chunk in one request, bisecting it when Fastly refuses it whole."""
        if self._stopped is not None:
            return
        if len(chunk) == 1:
            await self._revoke_one(chunk[0], sink)
            return
        if len(chunk) > self._chunk_size:
            # A 413 shrank the size since this chunk was cut: do not send what will be refused.
            for start in range(0, len(chunk), self._chunk_size):
                await self._revoke_chunk(chunk[start : start + self._chunk_size], sink)
            return
        error = await self._send(chunk, single=False)
        if error is None:
            self._emit([RevocationResult(t, Outcome.REVOKED) for t in chunk], sink)
        elif isinstance(error, RateLimitError):
            self._stop(error)
        elif isinstance(error, NotFoundError) and error.maybe_applied:
            await self._resolve_lost_batch(chunk, sink)
        elif isinstance(error, _REFUSED) or _is_too_large(error):
            if _is_too_large(error):
                self._chunk_size = max(1, min(self._chunk_size, len(chunk) // 2))
                _logger.info("bulk revoke: chunk too large, now %d ids", self._chunk_size)
            await self._bisect(chunk, sink)
        else:
            self._emit([RevocationResult(t, Outcome.FAILED, error) for t in chunk], sink)

    async def _bisect(self, chunk: list[str], sink: _Sink) -> None:
        half = len(chunk) // 2
        await self._revoke_chunk(chunk[:half], sink)
        await self._revoke_chunk(chunk[half:], sink)

    async def _resolve_lost_batch(self, chunk: list[str], sink: _Sink) -> None:
        """Settle a batch whose retry answered 404 after a lost attempt that may have revoked it.

        Fastly applies a batch whole or not at all, so either that attempt revoked every id, or
        an id was bad from the start and nothing happened. Bisecting tells which: if any id is
        still there to revoke, the lost attempt did nothing and the 404s are real. If every id
        turns up gone, the lost attempt may have revoked them, but a 404 cannot prove they were
        there: they end not found, marked ``maybe_revoked``. The outcomes are held until then.
        """
        held: list[RevocationResult] = []
        await self._bisect(chunk, held)
        if len(held) == len(chunk) and all(r.outcome is Outcome.NOT_FOUND for r in held):
            held = [attrs.evolve(r, maybe_revoked=True) for r in held]
        self._emit(held, sink)

    def _settle_one(self, token_id: str, error: Exception | None, sink: _Sink = None) -> None:
        if error is None:
            result = RevocationResult(token_id, Outcome.REVOKED)
        elif isinstance(error, NotFoundError):
            # A 404 proves only that the caller cannot see the token. After a lost attempt of
            # this run, or one of an earlier run (the journal shows it in flight), that attempt
            # may have revoked it: say so, but claim nothing.
            maybe = error.maybe_applied or (
                self._journal is not None and self._journal.was_in_flight(token_id)
            )
            result = RevocationResult(token_id, Outcome.NOT_FOUND, error, maybe_revoked=maybe)
        elif isinstance(error, RateLimitError):
            self._stop(error)
            return
        else:
            result = RevocationResult(token_id, Outcome.FAILED, error)
        self._emit([result], sink)

    def _stop(self, error: RateLimitError) -> None:
        """Send nothing more: the budget is spent beyond what the caller will wait."""
        if self._stopped is None:
            _logger.warning("revocation stopped: %s", error)
            self._stopped = error

    def _emit(self, results: list[RevocationResult], sink: _Sink) -> None:
        """Settle ``results`` now, or hand them to the caller holding them (``sink``)."""
        if sink is None:
            self._settle(results)
        else:
            sink.extend(results)

    def _settle(self, results: list[RevocationResult]) -> None:
        for result in results:
            self._record(result)
        if self._journal is not None:
            self._journal.write((r.token_id, r.outcome.value, r.error) for r in results)
        if self._on_progress is not None:
            progress = RevocationProgress(
                done=len(self._results),
                total=self.total,
                requests=self._requests,
                counts={outcome: self._counts[outcome] for outcome in Outcome},
                latest=tuple(results),
            )
            try:
                self._on_progress(progress)
            except Exception:  # the caller's bug: logged, and the job goes on
                _logger.exception("on_progress raised; the revocation job goes on")


def _check_count(value: object, parameter: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{parameter} must be an int >= 1, not {value!r}")


def _is_too_large(error: Exception) -> bool:
    return isinstance(error, APIStatusError) and error.status == _TOO_LARGE
