"""The grammar of revocation jobs: ``revoke``'s ids, criteria and job options, shared.

``revoke``, ``automation revoke`` and the demo take these; nothing here imports rich, nor the
SDK's job engine: ``--help`` builds this grammar, and importing ``fastly_tokens._bulk`` (with
its models and converter) would double its start-up (benchmarks row 9).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .._config import DEFAULT_CHUNK_SIZE

__all__ = [
    "job_options",
    "positive_int",
    "revoke_arguments",
    "selection_options",
    "whole_number",
]

STRATEGIES = ("batch", "each")


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """Make an argparse type reading a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}, got {value:,}")
        return value

    return parse


positive_int = whole_number(1)
"""Read a whole number of at least 1 (argparse type)."""


def revoke_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``revoke``'s arguments: ids, files, criteria, the current token, the job."""
    parser.add_argument("ids", nargs="*", metavar="ID", help="ids of the tokens to revoke")
    parser.add_argument(
        "--secret",
        metavar="-",
        help="revoke a leaked secret read from standard input ('-': the only value taken; "
        "never an argument), and list what the token did",
    )
    parser.add_argument(
        "--file",
        action="append",
        default=[],
        metavar="PATH",
        dest="files",
        help="read ids from PATH, one a line ('-': standard input); repeatable",
    )
    selection_options(parser)
    parser.add_argument(
        "--include-current",
        action="store_true",
        help="allow revoking the token this command runs with (last, if all else went well)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="say what would be revoked and what it would cost; revoke nothing",
    )
    parser.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help="revoke a selection without asking (needed when not on a terminal)",
    )
    parser.add_argument(
        "--no-preflight",
        action="store_false",
        dest="preflight",
        help="send every well-formed id without reading first which ones the caller can "
        "revoke (refused batches are then bisected, at a cost in writes)",
    )
    job_options(parser)
    parser.add_argument(
        "--journal",
        metavar="PATH",
        help="record outcomes in PATH as they come; a re-run with it resumes the job",
    )


def selection_options(parser: argparse.ArgumentParser) -> None:
    """Add the criteria a selection is made of."""
    group = parser.add_argument_group("selection (instead of ids; every criterion must hold)")
    group.add_argument("--expired", action="store_true", help="tokens whose expiry has passed")
    group.add_argument(
        "--unused-since",
        action="append",
        default=[],
        metavar="DATE",
        help="created before DATE and not used since (ISO date or date-time, or Nd: N days ago)",
    )
    group.add_argument(
        "--created-before",
        action="append",
        default=[],
        metavar="DATE",
        help="created before DATE: a minimum age (ISO date or date-time, or Nd: N days ago)",
    )
    group.add_argument(
        "--all",
        action="store_true",
        dest="all_tokens",
        help="select every token (the current one only with --include-current)",
    )
    group.add_argument(
        "--name",
        action="append",
        default=[],
        metavar="GLOB",
        dest="names",
        help="the name matches the shell-style GLOB",
    )
    group.add_argument(
        "--scope",
        action="append",
        default=[],
        metavar="SCOPE",
        dest="scopes",
        help="the token has SCOPE",
    )
    group.add_argument(
        "--where",
        action="append",
        nargs="+",
        default=[],
        metavar=("KIND", "VALUE"),
        help="the older spelling: expired | unused-since DATE | name GLOB | scope SCOPE",
    )
    group.add_argument(
        "--kind",
        choices=("user", "automation"),
        help="only user tokens, or only automation tokens (a superuser's view)",
    )
    group.add_argument(
        "--role",
        metavar="ROLE",
        help="automation tokens with this role (engineer, billing, user, ...)",
    )
    group.add_argument("--owner", metavar="USER_ID", help="only this user's tokens")
    group.add_argument(
        "--customer",
        metavar="ID",
        help="select among this customer's tokens (superusers only)",
    )


def job_options(parser: argparse.ArgumentParser) -> None:
    """Add how a revocation job runs: strategy, chunk size, concurrency."""
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="batch",
        help="batch: DELETE /tokens per chunk of ids (default); each: one DELETE per id",
    )
    parser.add_argument(
        "--chunk-size",
        type=positive_int,
        default=None,
        metavar="N",
        help=f"ids per batch request (default: the SDK's, {DEFAULT_CHUNK_SIZE})",
    )
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=None,
        metavar="N",
        help="requests in flight at once (default: the SDK's choice)",
    )
