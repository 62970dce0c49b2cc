"""The demo's last step: the audit of a realistic account, checked against what was seeded.

A second fake, ``FakeFastly(seed_account=True)``: several users (one locked, one departed), a
few dozen user tokens and five automation tokens, some of each hygiene risk. Its superuser
takes the inventory (reads only) and audits it with the default rules; each rule must flag
exactly the tokens the seed made to break it.
"""

from __future__ import annotations

from .. import RULES, FastlyAsync, audit
from ..testing import FakeFastly
from ._console import Output
from ._hygiene_views import findings_table
from ._words import plural

__all__ = ["audit_step"]


async def audit_step(out: Output, *, seed: int) -> list[str]:
    """Audit the realistic account; return what went wrong (nothing, when the audit is right)."""
    async with FakeFastly(seed_account=True, seed=seed) as fake:
        account = fake.account
        assert account is not None  # noqa: S101 (seed_account=True sets it)
        async with FastlyAsync(fake.superuser_key, base_url=fake.base_url) as admin:
            inventory = await admin.inventory()
        report = audit(inventory)
        people = len({e.owner.id for e in inventory.entries if e.owner is not None})
        out.say(
            f"The inventory: {plural(len(inventory), 'token')} "
            f"({len(inventory.of_kind('automation'))} automation) of {plural(people, 'owner')}, "
            f"from {plural(inventory.reads, 'read')} and no write. "
            f"The audit (default rules): {plural(len(report.findings), 'finding')}."
        )
        out.show(findings_table(report, clean=out.clean))
        grouped = report.by_rule()
        problems = []
        for rule in RULES:
            flagged = {f.token_id for f in grouped[rule]}
            seeded = account.flagged_by(rule)
            if flagged != seeded:
                problems.append(f"the audit's {rule} rule flagged {flagged ^ seeded} wrongly")
        if not problems:
            out.say(
                "  Each rule flagged exactly the tokens the seed made to break it, and no "
                f"other: {plural(len(account.clean), 'clean token')} passed. In CI, "
                "`fastly-tokens audit` exits 3 on findings like these."
            )
        return problems
