"""``revoke``: by id, from files, or by selection; a dry run, or the job and its report.

Everything that can be refused is refused before a write is sent: ids and criteria together, a
criterion-less ``--owner``, no ids at all, an id shaped like a key, the current token without
``--include-current``, an unusable journal, a selection nobody confirmed. The job is planned
first (free reads), so a dry run, and the question a selection asks, say what will be sent and
what it will cost. The exit status is 0 only when every id ended revoked or not found.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from .. import FastlyAsync, RevocationPlan, Scope, Token
from ._connect import connect
from ._console import Output
from ._documents import dry_run_json, not_revoked, report_json
from ._grammar import EXIT_FAILED, EXIT_OK, UsageError
from ._ids import gather_ids, optional_id
from ._job import JobOptions, plan_job, run_job
from ._journal import check_journal
from ._leak import revoke_leaked
from ._selection import Clause, build_selections, criteria
from ._streams import Streams
from ._tables import plan_lines, plan_table
from ._words import plural

__all__ = ["revoke"]

SHOWN_BEFORE_ASKING = 50
"""Rows of the selection shown before asking to revoke it; --dry-run shows them all."""


async def revoke(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``revoke``: revoke the ids given or selected, and report each one's outcome."""
    if getattr(args, "secret", None) is not None:
        return await revoke_leaked(args, out, streams)
    now = datetime.now(UTC)
    clauses = criteria(args, now=now)
    ids = gather_ids(args.ids, args.files, streams.stdin, secretive=out.redact.holds_secret)
    _check_request(args, clauses, ids)
    check_journal(args.journal)
    customer = optional_id(args.customer, "--customer", secretive=out.redact.holds_secret)
    owner = optional_id(args.owner, "--owner", secretive=out.redact.holds_secret)
    for field, value in clauses:
        if field == "scope" and not isinstance(value, Scope):
            out.note(f"note: {value!r} is not a scope Fastly documents", style="yellow")

    async with connect(args, streams) as client:
        tokens: list[Token] | None = None
        if clauses:
            tokens = await _select(
                client, clauses, customer=customer, owner=owner, now=now, args=args
            )
            ids = [t.id for t in tokens]
        else:
            await _refuse_current(args, client, ids)
        options = JobOptions.from_args(args, customer_id=customer)
        job, plan, relay = await plan_job(options, client, list(dict.fromkeys(ids)))
        if args.dry_run:
            _dry_run(args, out, plan, tokens)
            return EXIT_OK
        asks = tokens is not None and not args.yes and bool(plan.to_send or plan.current_last)
        if asks and tokens is not None and not _confirmed(args, out, streams, plan, tokens):
            out.note("nothing was revoked (not confirmed)", style="yellow")
            return EXIT_FAILED
        report = await run_job(options, out, job, relay)
    if args.json:
        out.json(report_json(report, plan))
    else:
        out.report(report)
        for line in plan_lines(plan, after=True):
            out.note(line, style="yellow")
    if not report.ok:
        bad = len(not_revoked(report.results))
        out.note(_not_revoked_line(bad, len(report.results)), style="red")
    return EXIT_OK if report.ok else EXIT_FAILED


def _not_revoked_line(bad: int, total: int) -> str:
    if total == 1:
        return "the id was not revoked"
    return f"{bad} of {total} ids {'was' if bad == 1 else 'were'} not revoked"


def _check_request(args: argparse.Namespace, clauses: list[Clause], ids: list[str]) -> None:
    """Refuse ids with criteria, ``--owner`` or ``--customer`` without, and nothing at all."""
    if clauses and (args.ids or args.files):
        raise UsageError("give ids (or --file) or selection criteria, not both")
    if not clauses and (args.owner or args.customer):
        raise UsageError(
            "--owner and --customer narrow a selection: add a criterion such as --expired"
        )
    if not clauses and not ids:
        raise UsageError(
            "no ids given: pass ids, --file PATH ('-' for standard input), or criteria "
            "such as --expired (or --all)"
        )


async def _refuse_current(args: argparse.Namespace, client: FastlyAsync, ids: list[str]) -> None:
    """Refuse the current token among explicit ids unless ``--include-current`` says so."""
    if args.include_current:
        return
    current_id = (await client.tokens.get_token_current()).id
    if current_id in ids:
        raise UsageError(
            f"{current_id} is the token this command runs with; revoking it would "
            "fail every later request. Pass --include-current to revoke it, last."
        )


async def _select(
    client: FastlyAsync,
    clauses: list[Clause],
    *,
    customer: str | None,
    owner: str | None,
    now: datetime,
    args: argparse.Namespace,
) -> list[Token]:
    """Return the tokens every criterion selects (never the current one unless included)."""
    main, extra = build_selections(clauses, owner=owner, include_current=args.include_current)
    tokens = await client.tokens.select_tokens(main, customer_id=customer, now=now)
    return [t for t in tokens if all(s.matches(t, now=now, current_id=None) for s in extra)]


def _dry_run(
    args: argparse.Namespace, out: Output, plan: RevocationPlan, tokens: list[Token] | None
) -> None:
    if args.json:
        out.json(dry_run_json(plan, tokens))
        return
    title = f"Would revoke {plural(len(plan.to_send) + bool(plan.current_last), 'token')} (dry run)"
    if tokens is not None:
        out.tokens(tokens, title=title, owners=args.customer is not None)
    else:
        out.say(title, style="bold")
        out.show(plan_table(plan, clean=out.clean))
    for line in plan_lines(plan, after=False):
        out.say(line)


def _confirmed(
    args: argparse.Namespace,
    out: Output,
    streams: Streams,
    plan: RevocationPlan,
    tokens: list[Token],
) -> bool:
    """Show what a selection will revoke and cost, and ask; off a terminal, ``--yes`` is needed."""
    if not streams.stdin.isatty():
        raise UsageError(
            f"this selection would revoke {plural(len(tokens), 'token')}: a selection is revoked "
            "only when confirmed, and standard input is not a terminal to ask on. Check it with "
            "--dry-run, then pass --yes"
        )
    shown = tokens[:SHOWN_BEFORE_ASKING]
    title = f"This will revoke {plural(len(tokens), 'token')}:"
    out.tokens(shown, title=title, owners=args.customer is not None)
    if len(tokens) > len(shown):
        out.say(f"... and {len(tokens) - len(shown)} more (--dry-run lists them all)")
    for line in plan_lines(plan, after=False):
        out.say(line)
    streams.stderr.write("Revoke them? [y/N] ")
    streams.stderr.flush()
    answer = streams.stdin.readline().strip().lower()
    return answer in {"y", "yes"}
