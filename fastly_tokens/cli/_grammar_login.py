"""The options of a login (``create``, ``automation create``, ``rotate``): user, password, code.

The password comes from the prompt, ``--password-stdin`` or (least safe) ``--password``; its
value is a :class:`SecretText`, so the parsed arguments' repr never shows it. Nothing here
imports rich.
"""

from __future__ import annotations

import argparse

from ._secrets import SecretText

__all__ = ["login_options"]


def login_options(
    parser: argparse.ArgumentParser, *, username_help: str, whose: str = "the user's"
) -> None:
    """Add ``--username``, ``--password`` or ``--password-stdin``, and ``--otp`` to ``parser``."""
    parser.add_argument("--username", help=username_help)
    password = parser.add_mutually_exclusive_group()
    password.add_argument(
        "--password", type=SecretText, help=f"{whose} password (prefer the prompt)"
    )
    password.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    parser.add_argument("--otp", help="the one-time code, for a user with two-factor auth")
