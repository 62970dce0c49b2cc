"""The ``fastly-tokens`` command: show, list, create and revoke Fastly API tokens.

Installed with the ``cli`` extra (``pip install 'fastly-tokens[cli]'``), which brings rich for
the progress bar and tables. Run ``fastly-tokens --help``, or ``python -m fastly_tokens``.

The modules, by job: ``_grammar`` (parser, exit statuses, usage errors), ``_selection``
(criteria, dates and scopes), ``_ids`` (ids from arguments and files), ``_secrets`` and
``_visible`` (what may be printed), ``_documents`` and ``_tables`` (pure rendering: JSON and
tables), ``_grid`` (tables that stream), ``_explain`` (an API error in words that say what to
do), ``_connect`` (the client, its endpoint checked), ``_waiting`` (the notice of a slow
request), ``_journal`` (a ``--journal`` that is not one), ``_console`` and ``_progress``
(printing), ``_whole`` (an uninterruptible write), ``_commands`` and ``_revoke`` (the
handlers), ``_job`` (running a revocation job), ``_demo``, ``_dispatch`` (a parsed command to
its exit status) and ``_run`` (the whole command, without rich until a command runs).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ._grammar import INSTALL_HINT

__all__ = ["INSTALL_HINT", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    from ._run import run  # noqa: PLC0415 (keeps importing the package cheap)
    from ._streams import Streams  # noqa: PLC0415

    return run(sys.argv[1:] if argv is None else argv, Streams.system())
