"""`RevocationJob`: carries out the planner's decisions with a fixed pool of workers.

The job reads first (free): the current token, then the listing of what the caller can revoke
(:mod:`.preflight`). Only ids found there are sent, in chunks (``batch``) or one by one
(``each``), by ``concurrency`` workers pulling from one shared iterator, so memory does not grow
with a task per id. The first write goes alone; the current token, if among the ids, goes last.
What each answer means is decided in :mod:`.planner`; what happened is kept in the
:mod:`.ledger`. This module only sends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator

from .._call import CallRecord
from .._errors import FastlyError
from .._log import logger
from .._ratelimit import RateLimit
from .._secrets import scrub
from . import planner
from .journal import Journal, JournalError
from .ledger import Ledger, Sink
from .outcomes import GONE, Outcome, RevocationPlan, RevocationReport, RevocationResult
from .planner import Action
from .ports import Lister, Revoker
from .preflight import Preflight
from .settings import JobSettings

__all__ = ["RevocationJob"]

_logger = logger


class _NotSent(Exception):
    """The request was not sent: the job stopped, or the journal could not record it first."""


_NOT_SENT = _NotSent()


class RevocationJob:
    """One revocation job; keep a handle on it to plan first or to read a cancelled run.

    ``await job.plan()`` does the free reads and returns what the job will send and cost;
    ``await job.run()`` runs it (planning first if not done) and returns the report. If the run
    is cancelled, the cancellation propagates as usual and ``job.report()`` still gives every
    outcome reached so far: ``unconfirmed`` for ids sent without an answer, ``not_attempted``
    for the rest. A job runs once.
    """

    def __init__(
        self,
        revoker: Revoker,
        lister: Lister,
        token_ids: Iterable[object],
        settings: JobSettings,
        *,
        endpoint: str,
        rate_limit: Callable[[], RateLimit] | None = None,
    ) -> None:
        if isinstance(token_ids, str):
            raise TypeError("token_ids must be an iterable of ids, not a single str")
        self._revoker = revoker
        self._settings = settings
        self._endpoint = endpoint
        self._rate_limit = rate_limit
        self._ids = list(token_ids)
        self._preflight = Preflight(lister, settings.customer_id)
        self._ledger = Ledger(
            on_progress=settings.on_progress,
            total=lambda: self.total,
            reads=lambda: self._preflight.reads,
        )
        self._chunk_size = settings.chunk_size
        self._plan: RevocationPlan | None = None
        self._triage: planner.Triage | None = None
        self._listed = False
        self._probe: asyncio.Event | None = None
        self._started: float | None = None
        self._elapsed: float | None = None
        self._ran = False

    def __repr__(self) -> str:
        ledger = self._ledger
        done = f"{len(ledger.results)}/{self.total} done"
        state = "not planned" if self._plan is None else done
        if ledger.stopped:
            state += f", stopped: {ledger.stopped}"
        return (
            f"<RevocationJob {self._settings.strategy} of {self.total} ids: {state}, "
            f"{self._preflight.reads} reads, {ledger.writes} writes, "
            f"{len(ledger.in_flight)} in flight>"
        )

    @property
    def total(self) -> int:
        """How many distinct ids the job covers (known once planned; until then, as given)."""
        return len(self._triage.order) if self._triage is not None else len(self._ids)

    # -- planning -------------------------------------------------------------------------

    async def plan(self) -> RevocationPlan:
        """Open the journal, read what the caller can revoke, and sort the ids; no write.

        Raises :class:`~fastly_tokens.JournalError` for an unusable journal, and the typed API
        error of a read that failed (a wrong key, an unreachable endpoint).
        """
        if self._plan is not None:
            return self._plan
        settings, ledger = self._settings, self._ledger
        if settings.journal is not None and ledger.journal is None:
            ledger.journal = Journal.open(settings.journal)
        try:
            current = await self._preflight.current()
            if ledger.journal is not None:
                ledger.journal.bind(
                    endpoint=self._endpoint,
                    customer_id=current.customer_id,
                    user_id=current.user_id,
                )
            listing = await self._preflight.listing(current) if settings.preflight else None
        except BaseException:
            ledger.close_journal()
            raise
        self._listed = listing is not None
        self._triage = planner.triage(
            self._ids,
            entries=ledger.journal.entries if ledger.journal is not None else {},
            live=None if listing is None else listing.live,
            current_id=current.id,
        )
        budget = self._rate_limit() if self._rate_limit is not None else None
        self._plan = planner.make_plan(
            self._triage,
            strategy=settings.strategy,
            chunk_size=settings.chunk_size,
            reads=self._preflight.reads,
            listing=None if listing is None else listing.source,
            partial_view=listing is not None and listing.partial,
            remaining=None if budget is None else budget.remaining,
            reset_at=None if budget is None else budget.reset_at,
        )
        return self._plan

    # -- running --------------------------------------------------------------------------

    async def run(self) -> RevocationReport:
        """Plan if not done, send the revocations, and return the report.

        A failed read while planning ends the job before any write, every id failed with that
        error; an unusable journal raises :class:`~fastly_tokens.JournalError`.
        """
        if self._ran:
            raise RuntimeError("a RevocationJob runs once; make a new one")
        self._ran = True
        self._started = time.monotonic()
        try:
            try:
                await self.plan()
            except JournalError:
                raise
            except FastlyError as exc:
                self._fail_unplanned(exc)
                return self.report()
            sorted_ids = self._sorted()
            self._ledger.settle(list(sorted_ids.settled))
            await self._work(list(sorted_ids.to_send))
            if sorted_ids.current_last is not None:
                await self._current_last(sorted_ids.current_last)
        finally:
            self._elapsed = time.monotonic() - self._started
            self._ledger.close_journal()
        return self.report()

    def report(self) -> RevocationReport:
        """Every id's outcome so far, in input order (see :meth:`Ledger.report`)."""
        order = self._triage.order if self._triage is not None else _distinct(self._ids)
        if self._elapsed is not None:
            elapsed = self._elapsed
        elif self._started is not None:
            elapsed = time.monotonic() - self._started
        else:
            elapsed = 0.0
        return self._ledger.report(order, elapsed=elapsed)

    def _sorted(self) -> planner.Triage:
        if self._triage is None:  # pragma: no cover (plan() sets it before anything is sent)
            raise RuntimeError("the job was not planned")
        return self._triage

    def _fail_unplanned(self, error: FastlyError) -> None:
        """End a job whose preflight read failed: nothing was sent; every well-formed id fails."""
        scrub(error)
        self._ledger.stop(f"the preflight read failed: {error}", error)
        self._triage = planner.triage(self._ids, entries={}, live=None, current_id=None)
        invalid = [r for r in self._triage.settled if r.outcome is Outcome.INVALID]
        failed = [RevocationResult(t, Outcome.FAILED, error) for t in self._triage.to_send]
        self._ledger.settle([*invalid, *failed])

    async def _work(self, ids: list[str]) -> None:
        limit = self._revoker.concurrency
        concurrency = min(self._settings.concurrency or limit, limit)
        async with asyncio.TaskGroup() as group:
            if self._settings.strategy == "batch":
                chunks = self._chunks(ids)
                for _ in range(concurrency):
                    group.create_task(self._batch_worker(chunks))
            else:
                each = iter(ids)
                for _ in range(concurrency):
                    group.create_task(self._each_worker(each))

    def _chunks(self, ids: list[str]) -> Iterator[list[str]]:
        """Slice lazily, so a 413 that shrinks the chunk size applies to the rest."""
        start = 0
        while start < len(ids):
            chunk = ids[start : start + self._chunk_size]
            start += len(chunk)
            yield chunk

    async def _batch_worker(self, chunks: Iterator[list[str]]) -> None:
        for chunk in chunks:
            if self._ledger.stopped is not None:
                return
            await self._batch(chunk)

    async def _each_worker(self, ids: Iterator[str]) -> None:
        for token_id in ids:
            if self._ledger.stopped is not None:
                return
            await self._one(token_id)

    async def _current_last(self, current_id: str) -> None:
        """Revoke the current token last, and only once every other id is gone."""
        ledger = self._ledger
        others = [r for r in ledger.results.values() if r.token_id != current_id]
        if ledger.stopped is None and all(r.outcome in GONE for r in others):
            await self._one(current_id)
        else:
            kept = RevocationResult(current_id, Outcome.NOT_ATTEMPTED, note=planner.KEPT_CURRENT)
            ledger.settle([kept])

    # -- one request ----------------------------------------------------------------------

    async def _send(self, ids: list[str], *, batch: bool) -> Exception | None:
        """One request for ``ids``: the error it ended in, or None when they were revoked.

        The job's first write goes alone: if Fastly refuses the caller (a read-only key, a
        spent budget), no other write has been sent meanwhile.
        """
        probe = self._probe
        if probe is None:
            self._probe = probe = asyncio.Event()
            try:
                return await self._send_now(ids, batch=batch)
            finally:
                probe.set()
        if not probe.is_set():  # once it is (every write but the first few), no await here
            await probe.wait()
        return await self._send_now(ids, batch=batch)

    async def _send_now(self, ids: list[str], *, batch: bool) -> Exception | None:
        ledger = self._ledger
        if ledger.stopped is not None:
            return _NOT_SENT
        if ledger.journal is not None:
            pending = ({"id": i, "outcome": "pending", "listed": self._listed} for i in ids)
            if not ledger.journal_write(pending):
                return _NOT_SENT
        record = CallRecord()
        ledger.in_flight.update(ids)
        try:
            if batch:
                await self._revoker.revoke_batch(ids, record)
            else:
                await self._revoker.revoke_one(ids[0], record)
        except asyncio.CancelledError:
            # Cut short: if the request reached the transport, Fastly may apply it, so the ids
            # stay in flight (the report says unconfirmed); if not, they were never sent.
            if not record.attempts:
                ledger.in_flight.difference_update(ids)
            raise
        except Exception as exc:
            ledger.in_flight.difference_update(ids)
            if not isinstance(exc, FastlyError):  # a bug: these ids fail, the job goes on
                _logger.error(  # noqa: TRY400 (frames would log the request; the report keeps it)
                    "revoking %d ids failed unexpectedly: %r", len(ids), exc
                )
            # The report keeps the error, not its frames: they would hold the aiohttp
            # response, and memory would grow with every failed id.
            scrub(exc)
            return exc
        else:
            ledger.in_flight.difference_update(ids)
        finally:
            ledger.writes += record.attempts
        return None

    async def _one(self, token_id: str, sink: Sink = None) -> None:
        error = await self._send([token_id], batch=False)
        if error is _NOT_SENT:
            return
        sorted_ids = self._sorted()
        result = planner.judge_single(
            token_id,
            error,
            listed=self._listed or token_id in sorted_ids.listed_before,
            sent_before=token_id in sorted_ids.sent_before,
        )
        if result is None:
            self._ledger.stop_for(error)
            return
        self._ledger.emit([result], sink)
        if result.outcome is Outcome.FAILED and planner.refuses_caller(error, listed=self._listed):
            self._ledger.stop(f"Fastly refuses this caller's writes: {error}", error)

    async def _batch(self, chunk: list[str], sink: Sink = None) -> None:
        """Revoke a chunk in one request, and carry out what its answer means."""
        if len(chunk) == 1:
            await self._one(chunk[0], sink)
            return
        if len(chunk) > self._chunk_size:
            # A 413 shrank the size since this chunk was cut: do not send what will be refused.
            for start in range(0, len(chunk), self._chunk_size):
                await self._batch(chunk[start : start + self._chunk_size], sink)
            return
        error = await self._send(chunk, batch=True)
        if error is _NOT_SENT:
            return
        step = planner.judge_batch(
            error, chunk_len=len(chunk), chunk_size=self._chunk_size, listed=self._listed
        )
        await self._carry_out(step, chunk, error, sink)

    async def _carry_out(
        self, step: planner.BatchStep, chunk: list[str], error: Exception | None, sink: Sink
    ) -> None:
        """Do what the planner decided of a batch's answer."""
        ledger = self._ledger
        if step.action is Action.DONE:
            ledger.emit([RevocationResult(t, Outcome.REVOKED) for t in chunk], sink)
        elif step.action is Action.STOP:
            ledger.stop_for(error)
        elif step.action is Action.FAIL_AND_STOP:
            ledger.emit([RevocationResult(t, Outcome.FAILED, error) for t in chunk], sink)
            ledger.stop(f"Fastly refuses this caller's writes: {error}", error)
        elif step.action is Action.RECHECK:
            await self._recheck(chunk, error, sink)
        elif step.action is Action.BISECT_LOST:
            await self._bisect_lost(chunk, sink)
        elif step.action in (Action.BISECT, Action.SHRINK):
            if step.chunk_size is not None:
                self._chunk_size = step.chunk_size
                _logger.info("bulk revoke: batch too large, now %d ids", self._chunk_size)
            await self._bisect(chunk, sink)
        else:
            ledger.emit([RevocationResult(t, Outcome.FAILED, error) for t in chunk], sink)

    async def _bisect(self, chunk: list[str], sink: Sink) -> None:
        half = len(chunk) // 2
        await self._batch(chunk[:half], sink)
        await self._batch(chunk[half:], sink)

    async def _recheck(self, chunk: list[str], error: Exception | None, sink: Sink) -> None:
        """Read the listing again (free) to learn which ids of a 404-refused batch went."""
        try:
            live = await self._preflight.refresh()
        except FastlyError:
            await self._bisect(chunk, sink)  # the read failed: fall back to writes
            return
        lost = bool(getattr(error, "maybe_applied", False))
        settled = planner.after_recheck(
            chunk, live, lost=lost, sent_before=self._sorted().sent_before
        )
        self._ledger.emit(list(settled.results), sink)
        if settled.bisect:
            await self._bisect(chunk, sink)
        elif settled.resend:
            await self._batch(list(settled.resend), sink)

    async def _bisect_lost(self, chunk: list[str], sink: Sink) -> None:
        """Bisect a lost batch without a listing, holding its outcomes to judge them together."""
        held: list[RevocationResult] = []
        self._ledger.held.update(chunk)
        try:
            await self._bisect(chunk, held)
        finally:
            self._ledger.held.difference_update(chunk)
        self._ledger.emit(planner.after_lost_bisection(held, len(chunk)), sink)


def _distinct(ids: list[object]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i if isinstance(i, str) else repr(i) for i in ids))
