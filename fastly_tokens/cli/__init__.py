"""The ``fastly-tokens`` command: show, list, create and revoke Fastly API tokens.

Installed with the ``cli`` extra (``pip install 'fastly-tokens[cli]'``), which brings rich for
the progress bar and tables. Run ``fastly-tokens --help``, or ``python -m fastly_tokens``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["INSTALL_HINT", "main"]

INSTALL_HINT = (
    "fastly-tokens: the command needs the 'cli' extra: pip install 'fastly-tokens[cli]'\n"
)
"""The one line printed, with exit status 2, when rich is not installed."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    try:
        import rich  # noqa: F401, PLC0415 (only to learn whether the extra is installed)
    except ImportError:
        sys.stderr.write(INSTALL_HINT)
        return 2
    from ._commands import run  # noqa: PLC0415 (needs rich, checked just above)
    from ._streams import Streams  # noqa: PLC0415 (with run, once rich is known to be there)

    return run(sys.argv[1:] if argv is None else argv, Streams.system())
