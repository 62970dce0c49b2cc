"""The sub-commands: parse, connect, call the SDK, print; and the exit status of each.

``run(argv)`` is the whole command. Usage errors (exit 2) are found before any request is
sent where possible; API errors of single calls exit 1; ``revoke`` exits 0 only when every
id ended revoked or not found. The token is never printed: it is masked out of every error
message, log line and traceback this module writes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TextIO

import attrs
from rich.table import Table

from .. import (
    DEFAULT_BASE_URL,
    FastlyAsync,
    FastlyError,
    NotFoundError,
    Outcome,
    RevocationReport,
    RevocationResult,
    Scope,
    Selection,
    Token,
)
from .._ids import is_valid_id
from .._models import as_scope
from ._args import BASE_URL_ENV_VAR, TOKEN_ENV_VAR, WHERE_KINDS, build_parser
from ._ids import IdFileError, read_id_file
from ._output import Output, report_json, token_json
from ._secrets import Redactor, key_shaped_words, looks_like_key, secret_option_values
from ._streams import Streams
from ._visible import visible, visible_lines

__all__ = ["JobOptions", "UsageError", "run", "run_job"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

_DAYS_AGO = re.compile(r"(\d+)d")


_LOOKS_LIKE_KEY = (
    "{what} looks like an API key, not a token id (ids are 22 letters and digits); nothing was sent"
)


class UsageError(Exception):
    """The command line asks for something that cannot be done; exit status 2."""


def run(argv: Sequence[str], streams: Streams | None = None) -> int:
    """Run the command line ``argv`` (without the program name); return the exit status.

    ``streams`` are the standard streams, environment and prompt to use (default: the
    process's own).
    """
    argv = list(argv)
    streams = streams or Streams.system()
    # Masked from the start: the configured key, the values of secret options, and any word
    # shaped like a key (a key typed in the wrong place is not known to be "the" key).
    redact = Redactor(
        [
            streams.environ.get(TOKEN_ENV_VAR),
            *secret_option_values(argv),
            *key_shaped_words(argv),
        ]
    )
    parser = build_parser(lambda message: visible(redact(message)))
    try:
        with contextlib.redirect_stdout(streams.stdout), contextlib.redirect_stderr(streams.stderr):
            args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    redact.add(getattr(args, "token", None))
    out = Output(
        redact=redact, stdout=streams.stdout, stderr=streams.stderr, environ=streams.environ
    )
    try:
        with out.sdk_logging(verbose=bool(getattr(args, "verbose", False))):
            return asyncio.run(_dispatch(args, out, streams))
    except (Exception, KeyboardInterrupt) as exc:
        return _failure(exc, out, streams, redact)


def _failure(exc: BaseException, out: Output, streams: Streams, redact: Redactor) -> int:
    """Report what ended the command, and return the exit status for it."""
    if isinstance(exc, UsageError):
        out.error(str(exc))
        return EXIT_USAGE
    if isinstance(exc, FastlyError):
        out.error(str(exc))
        return EXIT_FAILED
    if isinstance(exc, KeyboardInterrupt):
        out.note("fastly-tokens: interrupted", style="yellow")
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        # The reader went away (``| head``): say nothing more, as rich itself does.
        if streams.stdout is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    # A bug: show the traceback, with the token masked.
    streams.stderr.write(visible_lines(redact("".join(traceback.format_exception(exc)))))
    return EXIT_FAILED


async def _dispatch(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    command: str = args.command
    if command == "demo":
        from ._demo import demo  # noqa: PLC0415 (imports the fake server only when needed)

        return await demo(args, out)
    handlers = {
        "current": _current,
        "get": _get,
        "list": _list,
        "create": _create,
        "revoke": _revoke,
    }
    return await handlers[command](args, out, streams)


# -- connecting ---------------------------------------------------------------------------


def _connect(args: argparse.Namespace, streams: Streams) -> FastlyAsync:
    """Build the client from ``--token``/``$FASTLY_API_TOKEN`` and ``--base-url``."""
    environ = streams.environ
    token = args.token if args.token is not None else environ.get(TOKEN_ENV_VAR)
    if not token or not token.strip():
        raise UsageError(f"no API token: pass --token or set {TOKEN_ENV_VAR}")
    base_url = args.base_url or environ.get(BASE_URL_ENV_VAR) or DEFAULT_BASE_URL
    try:
        return FastlyAsync(token, base_url=base_url, allow_insecure_http=args.allow_insecure_http)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _check_id(value: str, what: str) -> str:
    if looks_like_key(value):
        raise UsageError(_LOOKS_LIKE_KEY.format(what=what))
    if not is_valid_id(value):
        raise UsageError(f"{what} must be 1 to 64 ASCII letters and digits, got {value!r}")
    return value


# -- single calls -------------------------------------------------------------------------


async def _current(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    async with _connect(args, streams) as client:
        token = await client.tokens.get_token_current()
    _print_token(args, out, token)
    return EXIT_OK


async def _get(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    token_id = _check_id(args.token_id, "ID")
    async with _connect(args, streams) as client:
        token = await client.tokens.get_token(token_id)
    _print_token(args, out, token)
    return EXIT_OK


def _print_token(args: argparse.Namespace, out: Output, token: Token) -> None:
    if args.json:
        out.json(token_json(token))
    else:
        out.show(out.token_detail(token))


async def _list(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    customer = _check_id(args.customer, "--customer") if args.customer else None
    async with _connect(args, streams) as client:
        if customer is None:
            tokens = await client.tokens.list_tokens_user()
        else:
            tokens = await client.tokens.list_tokens_customer(customer)
    if args.json:
        out.json([token_json(t) for t in tokens])
        return EXIT_OK
    whose = f"customer {customer}" if customer else "this user"
    title = f"{len(tokens)} tokens of {whose}"
    out.show_tokens(tokens, owners=customer is not None, title=title)
    return EXIT_OK


def parse_moment(text: str, option: str) -> datetime:
    """Read an ISO date or date-time (UTC unless it says otherwise), or ``Nd`` (days ago)."""
    days = _DAYS_AGO.fullmatch(text.strip())
    if days:
        return datetime.now(UTC) - timedelta(days=int(days.group(1)))
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{option}: not an ISO date or date-time (such as 2025-01-31 or "
            f"2025-01-31T12:00:00Z): {text!r}"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _password(args: argparse.Namespace, streams: Streams) -> str:
    if args.password is not None:
        return str(args.password)
    if args.password_stdin:
        line = streams.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    if streams.stdin.isatty():
        return streams.prompt_password(f"Password for {args.username}: ")
    raise UsageError("no password: standard input is not a terminal; use --password-stdin")


async def _create(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    expires_at = parse_moment(args.expires_at, "--expires-at") if args.expires_at else None
    scope: str | Scope = " ".join(args.scope) if args.scope else Scope.GLOBAL
    client = _connect(args, streams)
    password = _password(args, streams)
    out.redact.add(password)
    if not password:
        raise UsageError("the password is empty")
    async with client:
        try:
            created = await client.tokens.create_token(
                username=args.username,
                password=password,
                name=args.name,
                scope=scope,
                services=args.service,
                expires_at=expires_at,
                otp=args.otp,
            )
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if args.json:
        out.json(token_json(created), keep=frozenset({"access_token"}))
        return EXIT_OK
    out.say(f"Created token {created.id}.", style="bold green")
    out.show(out.token_detail(created))
    out.say("")
    out.say(
        "Its secret, shown only this once (Fastly cannot show it again; store it now):",
        style="bold yellow",
    )
    out.say_secret(created.access_token)
    return EXIT_OK


# -- revoke -------------------------------------------------------------------------------


Clause = tuple[str, Any]
"""One ``--where`` clause as the ``Selection`` field it sets and the value."""


def parse_where(clauses: Sequence[Sequence[str]]) -> list[Clause]:
    """Turn ``--where`` clauses into the ``Selection`` fields they set, all to hold at once.

    A clause is ``expired``, ``unused-since DATE``, ``name GLOB`` or ``scope SCOPE``; the value
    may also come in the same word, as ``unused-since=DATE`` or ``"name ci *"``.
    """
    parsed: list[Clause] = []
    for words in clauses:
        parts = list(words)
        if len(parts) == 1:
            parts = re.split(r"[=\s]", parts[0].strip(), maxsplit=1)
        kind = parts[0]
        if kind not in WHERE_KINDS:
            known = ", ".join(WHERE_KINDS)
            raise UsageError(f"--where {' '.join(words)!r}: unknown clause {kind!r} ({known})")
        values = parts[1:]
        if len(values) != WHERE_KINDS[kind]:
            wanted = "no value" if not WHERE_KINDS[kind] else "one value"
            raise UsageError(f"--where {kind} takes {wanted}, got {' '.join(words)!r}")
        parsed.append(_clause(kind, values))
    return parsed


def _clause(kind: str, values: list[str]) -> Clause:
    if kind == "expired":
        return ("expired", True)
    (value,) = values
    if kind == "unused-since":
        return ("unused_since", parse_moment(value, "--where unused-since"))
    if kind == "name":
        return ("name", value)
    return ("scope", as_scope(value))


def build_selections(
    clauses: list[Clause], *, owner: str | None, include_current: bool
) -> tuple[Selection, list[Selection]]:
    """Build the selection for ``select_tokens`` and those matched after it.

    The first clause of each kind goes into the main selection, with the owner and the
    current-token rule; a second clause of a kind (``--where name 'ci*' --where name
    '*deploy'``) becomes a selection of its own, which must match too.
    """
    main = Selection(owner=owner, include_current=include_current)
    extra: list[Selection] = []
    seen: set[str] = set()
    for field, value in clauses:
        if field in seen:
            extra.append(attrs.evolve(Selection(include_current=True), **{field: value}))
        else:
            seen.add(field)
            main = attrs.evolve(main, **{field: value})
    return main, extra


def _gather_ids(args: argparse.Namespace, stdin: TextIO) -> list[str]:
    ids = list(args.ids)
    if sum(1 for path in args.files if path == "-") > 1:
        raise UsageError("--file - (standard input) can be given only once")
    for path in args.files:
        try:
            from_file = read_id_file(path, stdin)
        except IdFileError as exc:
            raise UsageError(str(exc)) from None
        if any(looks_like_key(i) for i in from_file):
            raise UsageError(_LOOKS_LIKE_KEY.format(what=f"a line of {path}"))
        ids.extend(from_file)
    for number, token_id in enumerate(args.ids, 1):
        if looks_like_key(token_id):
            raise UsageError(_LOOKS_LIKE_KEY.format(what=f"ID {number}"))
    return ids


async def _revoke(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    clauses = parse_where(args.where)
    ids = _gather_ids(args, streams.stdin)
    if clauses and (args.ids or args.files):
        raise UsageError("give ids (or --file) or --where clauses, not both")
    if not clauses and (args.owner or args.customer):
        raise UsageError("--owner and --customer choose tokens with --where; add a --where clause")
    if not clauses and not ids:
        raise UsageError("no ids given: pass ids, --file PATH ('-' for standard input), or --where")
    customer = _check_id(args.customer, "--customer") if args.customer else None
    for field, value in clauses:
        if field == "scope" and not isinstance(value, Scope):
            out.note(f"note: {value!r} is not a scope Fastly documents", style="yellow")

    async with _connect(args, streams) as client:
        tokens: list[Token] | None = None
        if clauses:
            tokens, current_id = await _select(args, client, clauses, customer)
            ids = [t.id for t in tokens]
        else:
            current_id = (await client.tokens.get_token_current()).id
            if current_id in ids and not args.include_current:
                raise UsageError(
                    f"{current_id} is the token this command runs with; revoking it would "
                    "fail every later request. Pass --include-current to revoke it, last."
                )
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
        counts = report.counts
        bad = len(report.results) - counts[Outcome.REVOKED] - counts[Outcome.NOT_FOUND]
        out.note(f"{bad} of {len(report.results)} ids were not revoked", style="red")
    return EXIT_OK if report.ok else EXIT_FAILED


async def _select(
    args: argparse.Namespace, client: FastlyAsync, clauses: list[Clause], customer: str | None
) -> tuple[list[Token], str | None]:
    """Return the tokens the clauses select, and the current id when it may be among them."""
    main, extra = build_selections(clauses, owner=args.owner, include_current=args.include_current)
    now = datetime.now(UTC)
    tokens = await client.tokens.select_tokens(main, customer_id=customer, now=now)
    tokens = [t for t in tokens if all(s.matches(t, now=now, current_id=None) for s in extra)]
    current_id = None
    if args.include_current:
        current_id = (await client.tokens.get_token_current()).id
    return tokens, current_id


def _dry_run(
    args: argparse.Namespace,
    out: Output,
    ids: list[str],
    tokens: list[Token] | None,
    current_id: str | None,
) -> None:
    invalid = [i for i in ids if not is_valid_id(i)]
    if args.json:
        data: dict[str, Any] = {"dry_run": True, "count": len(ids), "ids": ids}
        if tokens is not None:
            data["tokens"] = [token_json(t) for t in tokens]
        else:
            data["invalid"] = invalid
        out.json(data)
        return
    title = f"Would revoke {len(ids)} tokens (dry run: nothing was revoked)"
    if tokens is not None:
        out.show_tokens(tokens, owners=args.customer is not None, title=title)
    else:
        out.say(title, style="bold")
        table = Table()
        table.add_column("id", no_wrap=True)
        table.add_column("note")
        for token_id in ids:
            note = ""
            if token_id in invalid:
                note = "not a well-formed id: it would end invalid"
            elif token_id == current_id:
                note = "the current token: revoked last"
            table.add_row(out.clean(token_id), note)
        out.show(table)
    if current_id is not None:
        out.note("the current token is included: it would be revoked last, on its own")


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
    return RevocationReport(
        merged.results, report.requests + 1, report.elapsed + time.monotonic() - started
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
    results = tuple(by_id[i] for i in ids if i in by_id)
    return RevocationReport(results, report.requests, report.elapsed)


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
