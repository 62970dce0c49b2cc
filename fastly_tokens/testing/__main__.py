"""``python -m fastly_tokens.testing``: serve a seeded fake until Ctrl-C or SIGTERM.

It binds first, then seeds, then prints ``name: value`` lines (base_url, key,
superuser_key, username, password, ...) and flushes, so scripts can read them from its
stdout. Exit status: 0 after Ctrl-C or SIGTERM while serving; 2 for a usage error or a port
it cannot listen on (one line on stderr, before any seeding); 130 when Ctrl-C stops a seed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from ._server import FakeFastly

PROG = "python -m fastly_tokens.testing"
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
_SEED_STEP = 500  # tokens seeded between two looks at Ctrl-C


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line (no usage block above it)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _int_at_least(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f">= {low}"
            raise argparse.ArgumentTypeError(f"{value} is not {bound}")
        return value

    return parse


def _seconds(*, positive: bool) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of seconds")
        if value < 0 or (positive and value == 0):
            raise argparse.ArgumentTypeError(f"{text} is not {'> 0' if positive else '>= 0'}")
        return value

    return parse


def _host(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("empty (0.0.0.0 listens on every interface)")
    return text


def _key(text: str) -> str:
    if not text or not text.isprintable() or any(c.isspace() for c in text):
        raise argparse.ArgumentTypeError("a key must be printable, without spaces")
    return text


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = _Parser(
        prog=PROG,
        description="Serve a fake Fastly API (tokens, automation tokens, users, events) "
        "seeded with demo users and keys.",
    )
    parser.add_argument(
        "--host", type=_host, default="127.0.0.1", help="interface (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=_int_at_least(0, 65535), default=0, help="port (default 0: a free one)"
    )
    parser.add_argument("--key", type=_key, default=None, help="secret of the user's API token")
    parser.add_argument(
        "--tokens", type=_int_at_least(0), default=0, help="extra seeded tokens for the user"
    )
    parser.add_argument(
        "--account",
        action="store_true",
        help="seed a realistic account to audit (users, tokens, automation tokens)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for data and faults")
    parser.add_argument(
        "--rate-limit", type=_int_at_least(0), default=1000, help="writes per window"
    )
    parser.add_argument(
        "--window", type=_seconds(positive=True), default=3600.0, help="window length, seconds"
    )
    parser.add_argument(
        "--latency", type=_seconds(positive=False), default=0.0, help="added to every response"
    )
    parser.add_argument(
        "--bulk-max", type=_int_at_least(1), default=None, help="largest bulk batch (413)"
    )
    parser.add_argument(
        "--bulk-partial", action="store_true", help="bulk revokes what it may, ignores the rest"
    )
    parser.add_argument("--retry-after", action="store_true", help="send Retry-After on 429")
    parser.add_argument(
        "--no-sudo-for-key-create",
        action="store_true",
        help="POST /tokens with a key needs no POST /sudo first",
    )
    return parser


def banner(fake: FakeFastly) -> str:
    """Return the start-up lines, one ``name: value`` per line, ``password`` the last.

    ``username``/``password`` are the keyless login of POST /tokens; the key login and POST
    /sudo take a ``Fastly-Key`` (``key`` or ``superuser_key``) with that same password.
    """
    world = fake.world
    lines = {
        "base_url": fake.base_url,
        "key": world.token.access_token,
        "token_id": world.token.id,
        "superuser_key": world.superuser_token.access_token,
        "superuser_token_id": world.superuser_token.id,
        "superuser_username": world.superuser.username,
        "customer_id": world.customer.id,
    }
    if fake.account is not None:
        unlimited = fake.account.by_rule["engineer_unlimited"][0]
        lines["automation_key"] = unlimited.access_token
        lines["two_factor_username"] = fake.account.two_factor_user.username
        lines["two_factor_otp"] = fake.account.two_factor_user.otp or ""
    lines["username"] = world.user.username
    lines["password"] = world.user.password
    return "".join(f"{name}: {value}\n" for name, value in lines.items())


def _make(args: argparse.Namespace) -> FakeFastly:
    return FakeFastly(
        host=args.host,
        port=args.port,
        key=args.key,
        seed=args.seed,
        rate_limit=args.rate_limit,
        window=args.window,
        latency=args.latency,
        bulk_max=args.bulk_max,
        bulk_partial=args.bulk_partial,
        retry_after=args.retry_after,
        key_create_needs_sudo=not args.no_sudo_for_key_create,
    )


async def _seed(fake: FakeFastly, args: argparse.Namespace, stop: asyncio.Event) -> bool:
    """Seed in steps, looking at Ctrl-C between them; False if it stopped the seed."""
    for done, _ in enumerate(fake.iter_seed_tokens(args.tokens), start=1):
        if done % _SEED_STEP == 0:
            await asyncio.sleep(0)
            if stop.is_set():
                return False
    await asyncio.sleep(0)
    if args.account and not stop.is_set():
        fake.seed_account()
    return not stop.is_set()


async def serve(args: argparse.Namespace) -> int:
    """Bind, seed, print the banner and serve until SIGINT or SIGTERM; the exit status."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not on Windows' event loops; Ctrl-C still ends the run via KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    fake = _make(args)
    try:
        await fake.start()
    except OSError as error:
        # A name that does not resolve is a gaierror: its errno is negative, unknown to
        # os.strerror(), but its own strerror says it.
        if error.errno and error.errno > 0:
            reason = os.strerror(error.errno)
        else:
            reason = error.strerror or str(error)
        sys.stderr.write(f"{PROG}: error: cannot listen on {args.host}:{args.port}: {reason}\n")
        return EXIT_USAGE
    try:
        if not await _seed(fake, args, stop):
            sys.stderr.write(f"{PROG}: interrupted while seeding\n")
            return EXIT_INTERRUPTED
        sys.stdout.write(banner(fake))
        sys.stdout.flush()
        await stop.wait()
    finally:
        await fake.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and serve; return the exit status (2: a usage error, said in one line)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error already printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        return asyncio.run(serve(args))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
