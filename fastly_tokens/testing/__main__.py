"""``python -m fastly_tokens.testing``: serve a seeded fake until Ctrl-C or SIGTERM.

On start it prints ``name: value`` lines (base_url, key, superuser_key, username,
password, ...) and flushes, so scripts can read them from its stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from ._server import FakeFastly


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m fastly_tokens.testing",
        description="Serve a fake Fastly tokens API seeded with demo users and keys.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: pick a free one)")
    parser.add_argument("--key", default=None, help="secret for the seeded user's API token")
    parser.add_argument("--tokens", type=int, default=0, help="extra seeded tokens for the user")
    parser.add_argument("--seed", type=int, default=None, help="seed for data and faults")
    parser.add_argument("--rate-limit", type=int, default=1000, help="writes per window")
    parser.add_argument("--window", type=float, default=3600.0, help="window length, seconds")
    parser.add_argument("--latency", type=float, default=0.0, help="added to every response")
    parser.add_argument("--bulk-max", type=int, default=None, help="largest bulk batch (413)")
    parser.add_argument(
        "--bulk-partial", action="store_true", help="bulk revokes what it may, ignores the rest"
    )
    parser.add_argument("--retry-after", action="store_true", help="send Retry-After on 429")
    return parser


def banner(fake: FakeFastly) -> str:
    """Return the start-up lines, one ``name: value`` per line."""
    lines = {
        "base_url": fake.base_url,
        "key": fake.key,
        "token_id": fake.token_id,
        "superuser_key": fake.superuser_key,
        "customer_id": fake.customer_id,
        "username": fake.username,
        "password": fake.password,
    }
    return "".join(f"{name}: {value}\n" for name, value in lines.items())


async def serve(args: argparse.Namespace) -> None:
    """Run the fake until SIGINT or SIGTERM."""
    fake = FakeFastly(
        host=args.host,
        port=args.port,
        key=args.key,
        seed_tokens=args.tokens,
        seed=args.seed,
        rate_limit=args.rate_limit,
        window=args.window,
        latency=args.latency,
        bulk_max=args.bulk_max,
        bulk_partial=args.bulk_partial,
        retry_after=args.retry_after,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not on Windows' event loops; Ctrl-C still ends the run via KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with fake:
        sys.stdout.write(banner(fake))
        sys.stdout.flush()
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and serve; returns the exit status."""
    args = build_parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
