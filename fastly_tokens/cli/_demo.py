"""``fastly-tokens demo``: the bulk clean-up job, end to end, on an embedded FakeFastly.

The fake runs in this process and this event loop, seeded with the demo user's tokens (some
expired, some never used). The demo then does what a real clean-up does: shows the current
token, lists the tokens, selects the expired ones, and revokes them with a few ids that belong
to someone else mixed in, so the report shows how those end. It checks the fake's state
afterwards, then ends with the audit of a realistic account (``_demo_audit``): exit 0 when
every expired token was revoked and nothing else was, and the audit flagged what it should.
"""

from __future__ import annotations

import argparse
import time

from .. import FastlyAsync, Outcome, RevocationReport, Selection
from ..testing import FakeFastly
from ._console import Output
from ._demo_audit import audit_step
from ._grammar import EXIT_FAILED, EXIT_OK
from ._job import JobOptions, plan_job, run_job
from ._streams import Streams

__all__ = ["demo"]

SHOWN = 5
"""Rows of the token tables shown."""


def _step(out: Output, number: int, title: str) -> None:
    out.say("")
    out.say(f"{number}. {title}", style="bold cyan")


def _spread(ids: list[str], extra: list[str]) -> list[str]:
    """Insert ``extra`` ids spread through ``ids``, as a real list of ids would have them."""
    mixed = list(ids)
    for n, token_id in enumerate(extra, 1):
        mixed.insert(n * len(mixed) // (len(extra) + 1), token_id)
    return mixed


async def demo(args: argparse.Namespace, out: Output, streams: Streams) -> int:
    """Run the demo; return the exit status (``streams`` unused: the demo reads nothing)."""
    started = time.monotonic()
    fake = FakeFastly(seed_tokens=args.tokens, seed=args.seed)
    # Someone else's tokens: a colleague's (same customer) and two of other customers'. None
    # is among the tokens the demo user can list, so the preflight keeps them from being sent.
    colleague = fake.add_user(username="colleague@example.com")
    colleague_token = fake.add_token(colleague, name="a colleague's token")
    other = fake.add_customer("Another Customer")
    stranger = fake.add_user(other.id, username="stranger@example.org")
    stranger_token = fake.add_token(stranger, name="another customer's token")
    foreign = [colleague_token.id, fake.foreign_token_id, stranger_token.id]
    # The account's automation tokens: a CI bot's, expired, and a live one beside it.
    now = fake.clock()
    bot = fake.add_automation_token(name="ci deploy bot", expires_at=now - 86400)
    fake.add_automation_token(name="log shipper", role="engineer")

    async with fake:
        async with FastlyAsync(fake.key, base_url=fake.base_url) as client:
            out.say(
                f"fastly-tokens demo: a fake Fastly API at {fake.base_url}, in this process, "
                f"with {args.tokens} seeded tokens for {fake.user.username}",
                style="bold",
            )

            _step(out, 1, "The token this client runs with (GET /tokens/self)")
            current = await client.tokens.get_token_current()
            out.token(current)

            _step(out, 2, "The user's tokens (GET /tokens: one request, no paging)")
            tokens = await client.tokens.list_tokens_user()
            title = f"{len(tokens)} tokens; the first {min(SHOWN, len(tokens))}:"
            out.tokens(tokens[:SHOWN], title=title)

            _step(out, 3, "Select the expired ones (select_tokens(Selection(expired=True)))")
            expired = await client.tokens.select_tokens(Selection(expired=True))
            title = (
                f"{len(expired)} expired tokens (the current token is never selected); the first:"
            )
            out.tokens(expired[:SHOWN], title=title)

            ids = _spread([t.id for t in expired], foreign)
            _step(
                out,
                4,
                f"Revoke them, with {len(foreign)} ids of someone else's mixed in "
                f"({len(ids)} ids, strategy {args.strategy})",
            )
            options = JobOptions.from_args(args)
            job, plan, relay = await plan_job(options, client, ids)
            out.say(
                "The preflight read (for free) the tokens this user can revoke: "
                f"{len(plan.to_send)} of the {plan.total} ids are there; the "
                f"{len(plan.not_found)} others cost nothing. The job will spend "
                f"{plan.writes} writes of the hourly budget."
            )
            report = await run_job(options, out, job, relay)
            out.report(report)
            budget = client.rate_limit.remaining
            if budget is not None:
                out.say(f"rate-limit budget left this hour: {budget} writes")

        async with FastlyAsync(fake.superuser_key, base_url=fake.base_url) as admin:
            _step(out, 5, "The account's automation tokens, as its superuser sees them")
            machines = await admin.automation_tokens.list_automation_tokens()
            out.tokens(
                machines, title=f"{len(machines)} automation tokens (GET /automation-tokens)"
            )
            stale = await admin.tokens.select_tokens(Selection(kind="automation", expired=True))
            bots = await admin.tokens.revoke_many([t.id for t in stale])
            out.say(
                "Selection(kind='automation', expired=True) chose "
                + ", ".join(f"{t.name} ({bots.results[i].outcome})" for i, t in enumerate(stale))
                + f": {bots.writes} write, through the same job."
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
        problems.append(f"{len(survived)} expired tokens were not revoked: {survived[:5]}")
    if wrongly:
        problems.append(f"tokens that are not to be revoked were: {wrongly}")
    if any(outcome[t] is Outcome.REVOKED for t in foreign):
        problems.append("a foreign id was reported revoked")
    live_bots = [t.name for t in fake.automation_tokens() if t.expired(now)]
    if not bot_revoked or live_bots:
        problems.append(f"the expired automation token was not revoked: {live_bots}")
    if not problems:
        out.say(
            f"  OK: all {len(should_go)} expired user tokens and the expired automation token "
            f"are revoked; the current token and the {len(foreign)} foreign ones are not."
        )
    return problems
