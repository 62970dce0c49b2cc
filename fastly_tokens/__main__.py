"""``python -m fastly_tokens``: the ``fastly-tokens`` command."""

from fastly_tokens.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
