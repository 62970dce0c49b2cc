"""``fastly-tokens demo``: the bulk clean-up job, end to end, on an embedded FakeFastly.

The fake runs in this process and this event loop, seeded with the demo user's tokens (some
expired, some never used). The demo then does what a real clean-up does: shows the current
token, lists the tokens, selects the expired ones, and revokes them with a few ids that belong
to someone else mixed in, so the report shows how those end. It checks the fake's state
afterwards, then ends with the audit of a realistic account (``_demo_audit``): exit 0 when
every expired token was revoked and nothing else was, and the audit flagged what it should.

The connection options are refused, not ignored: the demo creates, revokes and checks tokens
in its own fake, so pointing it at another API would revoke that account's expired tokens
and then fail its checks. (``$FASTLY_API_TOKEN`` and ``$FASTLY_API_URL`` are ambient, and
left alone.) The seed is added in steps, so the first Ctrl-C stops a big one.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from .. import FastlyAsync, Outcome, RevocationReport, Selection
from ..testing import FakeFastly, FakeToken
from ._console import Output
from ._demo_audit import audit_step
from ._grammar import EXIT_FAILED, EXIT_OK, UsageError
from ._job import JobOptions, plan_job, run_job
from ._streams import Streams
from ._words import plural

__all__ = ["demo"]

SHOWN = 5
"""Rows of the token tables shown."""
SEED_STEP = 500
"""Tokens seeded between two looks at Ctrl-C."""


def _refuse_connection_options(args: argparse.Namespace) -> None:
    given = [
        option
        for option, value in (
            ("--token", args.token),
            ("--base-url", args.base_url),
            ("--allow-insecure-http", args.allow_insecure_http),
        )
        if value
    ]
    if given:
        raise UsageError(
            f"demo runs on its own embedded fake Fastly: {' and '.join(given)} cannot apply "
            "(it would revoke another account's tokens). To try the commands against a "
            "standalone fake, run: python -m fastly_tokens.testing"
        )


async def _seeded(count: int, seed: int) -> FakeFastly:
    """Make the fake and seed the demo user's tokens, a step at a time."""
    fake = FakeFastly(seed=seed)
    for done, _ in enumerate(fake.iter_seed_tokens(count), start=1):
        if done % SEED_STEP == 0:
            await asyncio.sleep(0)  # where the first Ctrl-C cancels the demo
    return fake


def _step(out: Output, number: int, title: str) -> None:
    out.say("")
    out.say(f"{number}. {title}", style="bold cyan")


def _spread(ids: list[str], extra: list[str]) -> list[str]:
    """Insert ``extra`` ids spread through ``ids``, as a real list of ids would have them."""
    mixed = list(ids)
    for n, token_id in enumerate(extra, 1):
        mixed.insert(n * len(mixed) // (len(extra) + 1), token_id)
    return mixed


def _others(fake: FakeFastly) -> tuple[list[str], FakeToken]:
    """Add the tokens that are not the demo user's; return the foreign ids and the CI bot's."""
    # Someone else's tokens: a colleague's (same customer) and two of other customers'. None
    # is among the tokens the demo user can list, so the preflight keeps them from being sent.
    colleague = fake.add_user(username="colleague@example.com")
    colleague_token = fake.add_token(colleague, name="a colleague's token")
    other = fake.add_customer("Another Customer")
    stranger = fake.add_user(other.id, username="stranger@example.org")
    stranger_token = fake.add_token(stranger, name="another customer's token")
    foreign = [colleague_token.id, fake.foreign_token_id, stranger_token.id]
    # The account's automation tokens: a CI bot's, expired, and a live one beside it.
    bot = fake.add_automation_token(name="ci deploy bot", expires_at=fake.clock() - 86400)
    fake.add_automation_token(name="log shipper", role="engineer")
    return foreign, bot


async def demo(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run the demo; return the exit status (``streams`` unused: the demo reads nothing)."""
    _refuse_connection_options(args)
    started = time.monotonic()
    fake = await _seeded(args.tokens, args.seed)
    foreign, bot = _others(fake)

    async with fake:
        async with FastlyAsync(fake.key, base_url=fake.base_url) as client:
            out.say(
                f"fastly-tokens demo: a fake Fastly API at {fake.base_url}, in this process, "
                f"with {plural(args.tokens, 'seeded token')} for {fake.user.username}",
                style="bold",
            )

            _step(out, 1, "The token this client runs with (GET /tokens/self)")
            current = await client.tokens.get_token_current()
            out.token(current)

            _step(out, 2, "The user's tokens (GET /tokens: one request, no paging)")
            tokens = await client.tokens.list_tokens_user()
            title = f"{plural(len(tokens), 'token')}; the first {min(SHOWN, len(tokens))}:"
            out.tokens(tokens[:SHOWN], title=title)

            _step(out, 3, "Select the expired ones (select_tokens(Selection(expired=True)))")
            expired = await client.tokens.select_tokens(Selection(expired=True))
            title = (
                f"{plural(len(expired), 'expired token')} (the current token is never "
                "selected); the first:"
            )
            out.tokens(expired[:SHOWN], title=title)

            ids = _spread([t.id for t in expired], foreign)
            _step(
                out,
                4,
                f"Revoke them, with {plural(len(foreign), 'id')} of someone else's mixed in "
                f"({plural(len(ids), 'id')}, strategy {args.strategy})",
            )
            options = JobOptions.from_args(args)
            job, plan, relay = await plan_job(options, client, ids)
            out.say(
                "The preflight read (for free) the tokens this user can revoke: "
                f"{len(plan.to_send)} of the {plural(plan.total, 'id')} are there; the "
                f"{len(plan.not_found)} others cost nothing. The job will spend "
                f"{plural(plan.writes, 'write')} of the hourly budget."
            )
            report = await run_job(options, out, job, relay)
            out.report(report)
            budget = client.rate_limit.remaining
            if budget is not None:
                out.say(f"rate-limit budget left this hour: {plural(budget, 'write')}")

        async with FastlyAsync(fake.superuser_key, base_url=fake.base_url) as admin:
            _step(out, 5, "The account's automation tokens, as its superuser sees them")
            machines = await admin.automation_tokens.list_automation_tokens()
            out.tokens(
                machines,
                title=f"{plural(len(machines), 'automation token')} (GET /automation-tokens)",
            )
            stale = await admin.tokens.select_tokens(Selection(kind="automation", expired=True))
            bots = await admin.tokens.revoke_many([t.id for t in stale])
            out.say(
                "Selection(kind='automation', expired=True) chose "
                + ", ".join(f"{t.name} ({bots.results[i].outcome})" for i, t in enumerate(stale))
                + f": {plural(bots.writes, 'write')}, through the same job."
            )

    problems = _verdict(
        out,
        fake=fake,
        report=report,
        foreign=foreign,
        current_id=current.id,
        bot_revoked=[r.token_id for r in bots.results if r.outcome is Outcome.REVOKED] == [bot.id],
    )
    _step(out, 7, "Audit a realistic account: a second fake, several users and their tokens")
    problems += await audit_step(out, seed=args.seed)
    if problems:
        for problem in problems:
            out.say(f"  FAILED: {problem}", style="bold red")
        return EXIT_FAILED
    out.say("")
    out.say(
        f"OK: every check passed. Demo done in {time.monotonic() - started:.1f} s.",
        style="bold green",
    )
    return EXIT_OK


def _verdict(
    out: Output,
    *,
    fake: FakeFastly,
    report: RevocationReport,
    foreign: list[str],
    current_id: str,
    bot_revoked: bool,
) -> list[str]:
    """Check the fake's own state; explain the foreign ids; return what went wrong."""
    _step(out, 6, "Check against the fake's state")
    outcome = {r.token_id: r.outcome for r in report.results}
    for token_id in foreign:
        out.say(f"  {token_id}: someone else's token, ended {outcome[token_id]}")
    if all(outcome[t] is Outcome.NOT_FOUND for t in foreign):
        out.say(
            "  As expected: none of them is among the tokens this user can list, so the job "
            "never sent them (not found, at no cost) and spent one write per chunk of the rest."
        )
    if report.counts[Outcome.NOT_ATTEMPTED]:
        out.say(
            "  The hourly write budget (about 1,000 writes) ran out before the job ended: "
            "--strategy each spends one write per id, --strategy batch one per chunk.",
            style="yellow",
        )
    now = fake.clock()
    should_go = [t for t in fake.tokens_of(fake.user, include_revoked=True) if t.expired(now)]
    survived = [t.id for t in should_go if not t.revoked]
    wrongly = [t for t in [*foreign, current_id] if fake.is_revoked(t)]
    problems = []
    if survived:
        problems.append(f"{plural(len(survived), 'expired token')} not revoked: {survived[:5]}")
    if wrongly:
        problems.append(f"tokens that are not to be revoked were: {wrongly}")
    if any(outcome[t] is Outcome.REVOKED for t in foreign):
        problems.append("a foreign id was reported revoked")
    live_bots = [t.name for t in fake.automation_tokens() if t.expired(now)]
    if not bot_revoked or live_bots:
        problems.append(f"the expired automation token was not revoked: {live_bots}")
    if not problems:
        out.say(
            f"  OK: all {plural(len(should_go), 'expired user token')} and the expired "
            f"automation token are revoked; the current token and the {len(foreign)} foreign "
            "ones are not."
        )
    return problems
