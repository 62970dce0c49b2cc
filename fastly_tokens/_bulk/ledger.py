"""The ledger of a revocation job: what has happened to each id, and the record kept of it.

Every outcome the executor reaches is settled here: counted, journaled (fsynced before the next
write counts as done) and passed to ``on_progress``. The ledger also knows which ids are in
flight (sent, no answer yet) and why the job stopped, so that a report taken at any moment,
a cancelled run's included, gives each id the outcome its evidence supports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from .._errors import RateLimitError
from .._log import logger
from .journal import Journal, JournalError
from .outcomes import Outcome, RevocationProgress, RevocationReport, RevocationResult

__all__ = ["Ledger", "Sink"]

_logger = logger

Sink = list[RevocationResult] | None
"""Where a bisection holds outcomes it cannot judge yet; None settles them at once."""


class Ledger:
    """Outcomes, ids in flight, the journal, progress and the reason a job stopped."""

    def __init__(
        self,
        *,
        on_progress: Callable[[RevocationProgress], None] | None,
        total: Callable[[], int],
        reads: Callable[[], int],
    ) -> None:
        self._on_progress = on_progress
        self._total = total
        self._reads = reads
        self.results: dict[str, RevocationResult] = {}
        self._counts: Counter[Outcome] = Counter()
        self.writes = 0
        self.in_flight: set[str] = set()
        self.held: set[str] = set()
        self.stopped: str | None = None
        self._stop_error: Exception | None = None
        self.journal: Journal | None = None

    # -- stopping ---------------------------------------------------------------------------

    def stop(self, reason: str, error: Exception | None) -> None:
        """Send nothing more; ids not settled end not attempted, with ``error``."""
        if self.stopped is None:
            _logger.warning("revocation stopped: %s", reason)
            self.stopped = reason
            self._stop_error = error

    def stop_for(self, error: Exception | None) -> None:
        """Stop for a spent budget (the only answer the planner stops a job on by itself)."""
        if isinstance(error, RateLimitError):
            self.stop(f"the rate-limit budget is spent: {error}", error)

    # -- settling ---------------------------------------------------------------------------

    def emit(self, results: list[RevocationResult], sink: Sink) -> None:
        """Settle ``results`` now, or hand them to the bisection holding them (``sink``)."""
        if sink is None:
            self.settle(results)
        else:
            sink.extend(results)

    def settle(self, results: list[RevocationResult]) -> None:
        """Record outcomes: counted, journaled, and passed to ``on_progress``."""
        for result in results:
            self.results[result.token_id] = result
            self._counts[result.outcome] += 1
        if self.journal is not None:
            self.journal_write(
                {"id": r.token_id, "outcome": r.outcome.value}
                | ({"error": str(r.error)} if r.error is not None else {})
                for r in results
            )
        if self._on_progress is not None and results:
            progress = RevocationProgress(
                done=len(self.results),
                total=self._total(),
                reads=self._reads(),
                writes=self.writes,
                counts={outcome: self._counts[outcome] for outcome in Outcome},
                latest=tuple(results),
            )
            try:
                self._on_progress(progress)
            except Exception:  # the caller's bug: logged, and the job goes on
                _logger.exception("on_progress raised; the revocation job goes on")

    def journal_write(self, entries: Iterable[Mapping[str, object]]) -> bool:
        """Journal ``entries``; on a disk error, stop the job (False) and journal no more."""
        if self.journal is None:
            return self.stopped is None
        try:
            self.journal.write(list(entries))
        except JournalError as exc:
            self.stop(str(exc), exc)
            self.close_journal()
            return False
        return True

    def close_journal(self) -> None:
        """Release the journal (its lock with it); safe to call twice."""
        journal, self.journal = self.journal, None
        if journal is not None:
            journal.close()

    # -- reporting --------------------------------------------------------------------------

    def report(self, order: Iterable[str], *, elapsed: float) -> RevocationReport:
        """Every id's outcome so far, in ``order``.

        Ids not yet settled are ``unconfirmed`` when their request was sent without an answer
        (a cancel cut it short: Fastly may have applied it), else ``not_attempted``.
        """
        results = tuple(self.results.get(t) or self._unsettled(t) for t in order)
        return RevocationReport(results, self._reads(), self.writes, elapsed, stopped=self.stopped)

    def _unsettled(self, token_id: str) -> RevocationResult:
        if token_id in self.in_flight or token_id in self.held:
            return RevocationResult(token_id, Outcome.UNCONFIRMED)
        return RevocationResult(token_id, Outcome.NOT_ATTEMPTED, self._stop_error)
