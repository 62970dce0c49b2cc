"""``revoke``: by id, from files, or by selection; a dry run, or the job and its report.

Everything that can be refused is refused before a request is sent: ids and criteria
together, a criterion-less ``--owner``, no ids at all, an id shaped like a key, the current
token without ``--include-current``. The exit status is 0 only when every id ended revoked or
not found.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from .. import FastlyAsync, Scope, Token
from .._ids import is_valid_id
from ._commands import connect
from ._console import Output
from ._documents import dry_run_json, not_revoked, report_json
from ._grammar import EXIT_FAILED, EXIT_OK, UsageError
from ._ids import check_id, gather_ids
from ._job import JobOptions, run_job
from ._selection import Clause, build_selections, criteria
from ._streams import Streams
from ._tables import dry_run_table

__all__ = ["revoke"]


async def revoke(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run ``revoke``: revoke the ids given or selected, and report each one's outcome."""
    now = datetime.now(UTC)
    clauses = criteria(args, now=now)
    ids = gather_ids(args.ids, args.files, streams.stdin)
    _check_request(args, clauses, ids)
    customer = check_id(args.customer, "--customer") if args.customer else None
    owner = check_id(args.owner, "--owner") if args.owner else None
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
        current_id = await _current_id(args, client, ids, selected=bool(clauses))
        unique = list(dict.fromkeys(ids))
        last = current_id if current_id in unique else None
        if args.dry_run:
            _dry_run(args, out, unique, tokens, last)
            return EXIT_OK
        report = await run_job(JobOptions.from_args(args), out, client, unique, last)
    if args.json:
        out.json(report_json(report))
    else:
        out.report(report)
    if not report.ok:
        bad = len(not_revoked(report.results))
        out.note(f"{bad} of {len(report.results)} ids were not revoked", style="red")
    return EXIT_OK if report.ok else EXIT_FAILED


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
            "such as --expired"
        )


async def _current_id(
    args: argparse.Namespace, client: FastlyAsync, ids: list[str], *, selected: bool
) -> str | None:
    """Return the current token's id when it may be revoked; refuse it among ids unless included.

    A selection never holds it unless included, so it is looked up only then.
    """
    if selected and not args.include_current:
        return None
    current_id = (await client.tokens.get_token_current()).id
    if not selected and current_id in ids and not args.include_current:
        raise UsageError(
            f"{current_id} is the token this command runs with; revoking it would "
            "fail every later request. Pass --include-current to revoke it, last."
        )
    return current_id


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
    args: argparse.Namespace,
    out: Output,
    ids: list[str],
    tokens: list[Token] | None,
    current_id: str | None,
) -> None:
    invalid = [i for i in ids if not is_valid_id(i)]
    if args.json:
        out.json(dry_run_json(ids, tokens, invalid))
        return
    title = f"Would revoke {len(ids)} tokens (dry run: nothing was revoked)"
    if tokens is not None:
        out.tokens(tokens, title=title, owners=args.customer is not None)
    else:
        out.say(title, style="bold")
        out.show(dry_run_table(ids, invalid, current_id, clean=out.clean))
    if current_id is not None:
        out.note("the current token is included: it would be revoked last, on its own")
