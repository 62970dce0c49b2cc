"""What a revocation job tells its caller: one outcome per id, progress, the plan and the report.

Outcomes are claims users act on after a leak, so each says only what its evidence shows:
``revoked`` means Fastly answered that it revoked the token, or the token was seen live for this
caller before an attempt whose answer was lost and is gone now; a 404 alone is ``not_found``.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime

import attrs

__all__ = [
    "GONE",
    "Outcome",
    "OutcomeCounts",
    "RevocationPlan",
    "RevocationProgress",
    "RevocationReport",
    "RevocationResult",
    "count_outcomes",
]


class Outcome(enum.StrEnum):
    """What became of one id in a revocation job."""

    REVOKED = "revoked"
    """Revoked: Fastly said so, or the token was live for this caller before an attempt of
    this job (or of the run its journal records) whose answer was lost, and is gone now."""
    NOT_FOUND = "not_found"
    """This caller cannot see such a token: not among the tokens it can list, or a 404. It may
    be revoked, may never have existed, or may belong to someone this caller cannot see."""
    INVALID = "invalid"
    """Not a well-formed id; nothing was sent for it."""
    FAILED = "failed"
    """Fastly refused it or the request failed; ``error`` says how."""
    NOT_ATTEMPTED = "not_attempted"
    """Not sent: the job was cancelled or stopped (budget spent beyond ``max_wait``, journal
    unwritable), or it is the current token, kept because other ids were not revoked."""
    UNCONFIRMED = "unconfirmed"
    """Sent, but the job was cancelled before the answer came: Fastly may or may not have
    revoked it. A re-run (with the journal) settles it."""


GONE = frozenset({Outcome.REVOKED, Outcome.NOT_FOUND})
"""The outcomes after which there is nothing left for this caller to revoke."""


class OutcomeCounts(dict[Outcome, int]):
    """How many ids ended in each outcome: a dict, keyed by :class:`Outcome` (or its value).

    Its repr reads as the dict of plain strings it equals, ``{'revoked': 3, ...}``, not a
    wall of enum reprs; ``str`` lists only the outcomes that occurred.
    """

    def __repr__(self) -> str:
        return repr({str(outcome): count for outcome, count in self.items()})

    def __str__(self) -> str:
        shown = [f"{count} {outcome.replace('_', ' ')}" for outcome, count in self.items() if count]
        return ", ".join(shown) or "nothing"


def count_outcomes(results: Iterable[RevocationResult]) -> OutcomeCounts:
    """How many of ``results`` ended in each outcome (every outcome present, zero or not)."""
    counts = Counter(result.outcome for result in results)
    return OutcomeCounts((outcome, counts.get(outcome, 0)) for outcome in Outcome)


def _results_repr(results: tuple[RevocationResult, ...]) -> str:
    """Show how many results a report or an update holds, not each (a job has thousands)."""
    return f"<{len(results)} results>"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@attrs.frozen
class RevocationResult:
    """One id's outcome; ``error`` is the typed error of a failed, invalid or stopped id."""

    token_id: str
    outcome: Outcome
    error: Exception | None = attrs.field(default=None, eq=False)
    resumed: bool = False
    """Settled by the journal of an earlier run; nothing was sent for it in this one."""
    maybe_revoked: bool = False
    """Not found after an attempt whose answer was lost, with nothing to show the token was
    there: that attempt may have revoked it, but it is not claimed."""
    note: str | None = None
    """How the outcome was reached, where the outcome alone does not say (e.g. "not among the
    tokens this caller can list")."""

    def __str__(self) -> str:
        why = self.note or (str(self.error) if self.error is not None else None)
        return f"{self.token_id}: {self.outcome}" + (f" ({why})" if why else "")


@attrs.frozen
class RevocationProgress:
    """Where a running job stands; passed to ``on_progress`` as each request completes."""

    done: int
    total: int
    reads: int
    writes: int
    counts: Mapping[Outcome, int]
    latest: tuple[RevocationResult, ...] = attrs.field(repr=_results_repr)
    """The results this update adds."""

    @property
    def requests(self) -> int:
        """Reads and writes sent so far."""
        return self.reads + self.writes

    def __str__(self) -> str:
        return (
            f"{self.done}/{self.total} ids: {OutcomeCounts(self.counts)}; "
            f"{_plural(self.writes, 'write')}, {_plural(self.reads, 'read')}"
        )


@attrs.frozen
class RevocationPlan:
    """What a job will do and cost, learned before its first write (``await job.plan()``).

    ``writes`` is the number of writes the job will spend if no batch is refused; ``reads`` the
    free reads spent to learn it. ``remaining``/``reset_at`` are the budget as the client last
    saw it (unknown until a write has reported it: reads carry no rate-limit figures).
    """

    total: int
    to_send: tuple[str, ...]
    not_found: tuple[str, ...]
    """Ids the preflight did not find among the tokens this caller can list: they cost nothing."""
    invalid: tuple[str, ...]
    resumed: tuple[str, ...]
    """Ids the journal of an earlier run settled."""
    current_last: str | None
    """The current token's id, when it is among the ids: revoked last, after every other."""
    writes: int
    reads: int
    listing: str | None
    """What the preflight read (``"GET /tokens"``, ``"GET /customer/{id}/tokens"``), or None."""
    partial_view: bool
    """The listing shows only the caller's own tokens (not a superuser): ids of colleagues'
    tokens end not found here, though they may be live."""
    remaining: int | None = None
    reset_at: datetime | None = None

    def __str__(self) -> str:
        return (
            f"{_plural(self.total, 'id')}: {len(self.to_send)} to send, "
            f"{len(self.not_found)} not found, {len(self.invalid)} invalid, "
            f"{len(self.resumed)} settled by the journal; {_plural(self.writes, 'write')}"
        )

    @property
    def fits_budget(self) -> bool | None:
        """Whether the known remaining budget covers ``writes``; None while it is unknown."""
        return None if self.remaining is None else self.writes <= self.remaining


@attrs.frozen
class RevocationReport:
    """Every id's outcome in input order (duplicates once), with the requests and time spent."""

    results: tuple[RevocationResult, ...] = attrs.field(repr=_results_repr)
    reads: int
    """Reads sent (free at Fastly): the preflight's listings."""
    writes: int
    """Writes sent, retries included: what the job cost of the hourly budget."""
    elapsed: float
    """Seconds the job ran."""
    stopped: str | None = None
    """Why the job stopped before the end, if it did (budget spent, journal unwritable)."""

    @property
    def requests(self) -> int:
        """Reads and writes together."""
        return self.reads + self.writes

    @property
    def counts(self) -> OutcomeCounts:
        """How many ids ended in each outcome (every outcome present, zero or not)."""
        return count_outcomes(self.results)

    def __str__(self) -> str:
        text = (
            f"{_plural(len(self.results), 'id')}: {self.counts}; "
            f"{_plural(self.writes, 'write')}, {_plural(self.reads, 'read')}, "
            f"{self.elapsed:.2f} s"
        )
        return text + (f"; stopped: {self.stopped}" if self.stopped else "")

    @property
    def ok(self) -> bool:
        """Whether every id ended revoked or not found."""
        return all(result.outcome in GONE for result in self.results)

    def ids(self, outcome: Outcome) -> list[str]:
        """List the ids that ended in ``outcome``, in input order."""
        return [result.token_id for result in self.results if result.outcome == outcome]

    def raise_for_failures(self) -> None:
        """Raise an ``ExceptionGroup`` of every failed, invalid or not-attempted id's error."""
        errors = [
            result.error
            for result in self.results
            if result.outcome not in GONE and result.error is not None
        ]
        if errors:
            raise ExceptionGroup(f"{len(errors)} of {len(self.results)} ids not revoked", errors)
