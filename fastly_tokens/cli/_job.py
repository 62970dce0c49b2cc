"""Running a revocation job for the command: progress, the current token last, Ctrl-C.

``revoke`` and the demo both run their jobs here. The current token, when it is to go, is
revoked after the job and only if every other id ended revoked or not found, so the job is
never cut short by its own credential. On Ctrl-C the outcomes reached so far are shown (or
written as ``--json``) before the cancellation goes on.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Literal

import attrs

from .. import (
    FastlyAsync,
    FastlyError,
    NotFoundError,
    Outcome,
    RevocationReport,
    RevocationResult,
)
from ._console import Output
from ._documents import report_json

__all__ = ["JobOptions", "run_job"]


@attrs.frozen
class JobOptions:
    """How ``revoke`` (and the demo) run the job and show its end."""

    strategy: Literal["batch", "each"] = "batch"
    chunk_size: int = 100
    concurrency: int | None = None
    journal: str | None = None
    json: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> JobOptions:
        """Take the options the parser gave."""
        return cls(
            strategy=args.strategy,
            chunk_size=args.chunk_size,
            concurrency=args.concurrency,
            journal=getattr(args, "journal", None),
            json=getattr(args, "json", False),
        )


async def run_job(
    options: JobOptions,
    out: Output,
    client: FastlyAsync,
    ids: list[str],
    last: str | None = None,
) -> RevocationReport:
    """Run the job with progress; the current token (``last``), if given, is revoked after it.

    On a cancel (Ctrl-C), the outcomes so far are printed before the cancellation goes on.
    """
    job_ids = [i for i in ids if i != last]
    with out.progress(len(ids)) as view:
        job = client.tokens.revocation_job(
            job_ids,
            strategy=options.strategy,
            chunk_size=options.chunk_size,
            concurrency=options.concurrency,
            on_progress=view.update,
            journal=options.journal,
        )
        try:
            report = await job.run()
        except asyncio.CancelledError:
            partial = _with_current(job.report(), ids, last, None)
            view.finish(partial)
            _interrupted(options, out, partial)
            raise
        if last is not None:
            report = await _revoke_current(client, report, ids, last)
        view.finish(report)
    return report


async def _revoke_current(
    client: FastlyAsync, report: RevocationReport, ids: list[str], current_id: str
) -> RevocationReport:
    if not report.ok:
        kept = RuntimeError("kept: other ids were not revoked; it is revoked once they are")
        return _with_current(report, ids, current_id, kept)
    started = time.monotonic()
    try:
        await client.tokens.revoke_token(current_id)
        result = RevocationResult(current_id, Outcome.REVOKED)
    except NotFoundError as exc:
        result = RevocationResult(current_id, Outcome.NOT_FOUND, exc)
    except FastlyError as exc:
        result = RevocationResult(current_id, Outcome.FAILED, exc)
    merged = _with_current(report, ids, current_id, result)
    return attrs.evolve(
        merged,
        requests=report.requests + 1,
        elapsed=report.elapsed + time.monotonic() - started,
    )


def _with_current(
    report: RevocationReport,
    ids: list[str],
    current_id: str | None,
    result: RevocationResult | Exception | None,
) -> RevocationReport:
    """Put the current token's result back at its place in the input order.

    ``result`` is its outcome, or the reason it was not attempted (or None: interrupted).
    """
    if current_id is None:
        return report
    by_id = {r.token_id: r for r in report.results}
    if not isinstance(result, RevocationResult):
        result = RevocationResult(current_id, Outcome.NOT_ATTEMPTED, result)
    by_id[current_id] = result
    return attrs.evolve(report, results=tuple(by_id[i] for i in ids if i in by_id))


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
