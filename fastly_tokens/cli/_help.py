"""The command's names, exit statuses and long help texts (the overview's and ``revoke``'s).

Kept apart from the grammar so that module stays about the parser; nothing here imports rich.
"""

from __future__ import annotations

from .._config import DEFAULT_BASE_URL

__all__ = [
    "BASE_URL_ENV_VAR",
    "EXIT_FAILED",
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "MAIN_EPILOG",
    "PROG",
    "REVOKE_EPILOG",
    "TOKEN_ENV_VAR",
]

EXIT_OK = 0
"""Success; for ``revoke``, every id ended revoked or not found."""
EXIT_FAILED = 1
"""An API error, or (``revoke``) some ids were not revoked, or a selection not confirmed."""
EXIT_USAGE = 2
"""A usage error: bad arguments, no token, no ids, an unusable file, URL or journal."""
EXIT_FINDINGS = 3
"""``audit``: a hygiene rule is broken (a CI job gates on it)."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C), as a shell reports SIGINT."""

PROG = "fastly-tokens"
TOKEN_ENV_VAR = "FASTLY_API_TOKEN"  # noqa: S105 (the variable's name, not a secret)
BASE_URL_ENV_VAR = "FASTLY_API_URL"

MAIN_EPILOG = f"""\
environment:
  {TOKEN_ENV_VAR}   the API token, when --token is not given (never printed)
  {BASE_URL_ENV_VAR}     the API root, when --base-url is not given (default {DEFAULT_BASE_URL})

exit status:
  {EXIT_OK}    success (revoke: every id ended revoked or not found)
  {EXIT_FAILED}    an API error (the one line says what Fastly answered, and for a refused login
       what to do); revoke: some ids were not revoked, or a selection was not confirmed
  {EXIT_USAGE}    a usage error: bad arguments, no token, no ids, an unusable URL, an unreadable
       or unwritable file, an unusable journal, a selection without --yes off a terminal
  {EXIT_FINDINGS}    audit: a hygiene rule is broken
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C); revoke shows what was reached first
Every error is one line on standard error; off a terminal no line is broken.

Run '{PROG} COMMAND --help' for a command's options; '{PROG} demo' needs no account.
"""

REVOKE_EPILOG = """\
ids come from the command line and/or --file (one id per line; blank lines and # comments
are skipped; '-' reads standard input), or are selected from the listing by criteria, which
must all hold (each may be repeated):
  --expired               tokens whose expires_at has passed
  --unused-since DATE     created before DATE and not used since (never used counts): a
                          token created after DATE is new, not stale. DATE is an ISO date or
                          date-time, UTC unless it says otherwise, or Nd: N days ago
  --created-before DATE   created before DATE: a minimum age, with any other criterion
  --name GLOB             the name matches the shell-style GLOB (quote it)
  --scope SCOPE           the token has SCOPE (global, purge_select, purge_all, global:read)
  --all                   every token (no criterion is otherwise refused)
  --owner USER_ID, --customer ID narrow or widen the listing, with a criterion.
The older spelling --where KIND [VALUE] (--where expired, --where unused-since 90d, --where
name GLOB, --where scope SCOPE) is still accepted, and mixes with the above.

Before the first write, the job reads (for free) the tokens this caller can revoke: only ids
found there are sent; the others end not found at no cost. A selection shows what it will
revoke and what it costs, then asks on a terminal; elsewhere it needs --yes. Explicit ids are
revoked without asking. --dry-run says what would be sent and what it would cost.
The current token (the one this command runs with) is never selected or revoked unless
--include-current is given. It is then revoked last, on its own, so the job is not cut short,
and only when every other id ended revoked or not found (else it is kept for a re-run).

examples:
  fastly-tokens revoke --expired --dry-run
  fastly-tokens revoke --unused-since 90d --scope global --journal job.jsonl --yes
  grep -v keep ids.txt | fastly-tokens revoke --file - --json > report.json
"""
