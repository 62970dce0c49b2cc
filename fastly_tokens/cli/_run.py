"""``run(argv, streams)``: the whole command, from the argument words to the exit status.

It sets up the masking first (the configured key, secret option values, key-shaped words),
then parses. The grammar needs no rich, so ``--help`` and usage errors work, and are cheap,
even without the ``cli`` extra; only running a command needs it.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Sequence

from ._grammar import EXIT_USAGE, INSTALL_HINT, TOKEN_ENV_VAR, build_parser
from ._secrets import Redactor, key_shaped_words, secret_option_values
from ._streams import Streams
from ._visible import visible

__all__ = ["run"]


def _rich_installed() -> bool:
    """Whether rich can be imported, learnt without importing it."""
    try:
        return importlib.util.find_spec("rich") is not None
    except ValueError:  # sys.modules["rich"] is None: imports of it are blocked
        return False


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
    if not _rich_installed():
        streams.stderr.write(INSTALL_HINT)
        return EXIT_USAGE
    from ._dispatch import execute  # noqa: PLC0415 (needs rich, checked just above)

    return execute(args, streams, redact)
