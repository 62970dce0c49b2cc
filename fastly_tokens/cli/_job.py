"""Running a revocation job for the command: plan, progress, Ctrl-C.

``revoke`` and the demo both run their jobs here. A job is planned first (the free reads, the
journal opened and checked), so that what it will send and cost can be shown, and asked about,
before anything is sent; an unusable journal is a usage error then. The SDK revokes the current
token last. On Ctrl-C the outcomes reached so far are shown (or written as ``--json``) before
the cancellation goes on.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

import attrs

from .. import (
    FastlyAsync,
    JournalError,
    RevocationJob,
    RevocationOptions,
    RevocationPlan,
    RevocationProgress,
    RevocationReport,
    Strategy,
)
from ._console import Output
from ._documents import report_json
from ._grammar import UsageError

__all__ = ["JobOptions", "Relay", "plan_job", "run_job"]


@attrs.frozen
class JobOptions:
    """How ``revoke`` (and the demo) run the job and show its end."""

    strategy: Strategy = "batch"
    chunk_size: int | None = None
    concurrency: int | None = None
    journal: str | None = None
    preflight: bool = True
    customer_id: str | None = None
    json: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace, *, customer_id: str | None = None) -> JobOptions:
        """Take the options the parser gave."""
        return cls(
            strategy=args.strategy,
            chunk_size=args.chunk_size,
            concurrency=args.concurrency,
            journal=getattr(args, "journal", None),
            preflight=getattr(args, "preflight", True),
            customer_id=customer_id,
            json=getattr(args, "json", False),
        )

    def revocation_options(
        self, on_progress: Callable[[RevocationProgress], None]
    ) -> RevocationOptions:
        """Give the SDK's options for this job (the SDK's defaults where none was given)."""
        options = RevocationOptions(
            strategy=self.strategy,
            concurrency=self.concurrency,
            journal=self.journal,
            preflight=self.preflight,
            customer_id=self.customer_id,
            on_progress=on_progress,
        )
        if self.chunk_size is not None:
            options["chunk_size"] = self.chunk_size
        return options


class Relay:
    """The job's ``on_progress``, passed on to the view shown once the job runs."""

    def __init__(self) -> None:
        self.target: Callable[[RevocationProgress], None] | None = None

    def __call__(self, progress: RevocationProgress) -> None:
        if self.target is not None:
            self.target(progress)


async def plan_job(
    options: JobOptions, client: FastlyAsync, ids: list[str]
) -> tuple[RevocationJob, RevocationPlan, Relay]:
    """Make the job and plan it: the reads, and the journal opened and checked; no write."""
    relay = Relay()
    job = client.tokens.revocation_job(ids, **options.revocation_options(relay))
    try:
        plan = await job.plan()
    except JournalError as exc:
        raise UsageError(str(exc)) from None
    return job, plan, relay


async def run_job(
    options: JobOptions, out: Output, job: RevocationJob, relay: Relay
) -> RevocationReport:
    """Run a planned job with progress; on a cancel (Ctrl-C), show what was reached first.

    The bar is stopped (its last frame left in place) before the summary is printed: a live
    bar redrawn meanwhile would land below the summary, and a line printed while it is live
    would start at the end of the bar's line.
    """
    cancelled: asyncio.CancelledError | None = None
    with out.progress(job.total) as view:
        relay.target = view.update
        try:
            report = await job.run()
        except asyncio.CancelledError as exc:
            cancelled, report = exc, job.report()
        except JournalError as exc:  # pragma: no cover (planning opened it already)
            raise UsageError(str(exc)) from None
        finally:
            relay.target = None
        view.finish(report)
    if cancelled is not None:
        _interrupted(options, out, report)
        raise cancelled
    return report


def _interrupted(options: JobOptions, out: Output, report: RevocationReport) -> None:
    if options.json:
        out.json(report_json(report))
    else:
        out.report(report, title="Revocation report (interrupted)")
    if options.journal:
        hint = f"to resume, run the same command (same --journal {options.journal})"
    else:
        hint = "running the same command again revokes the rest (ids already gone: not found)"
    out.note(hint, style="yellow")
