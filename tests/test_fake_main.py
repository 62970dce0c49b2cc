"""``python -m fastly_tokens.testing`` through its real entry point, in a subprocess.

Its bad inputs (a busy port, bad values, Ctrl-C during a seed) are in
``test_fake_main_bad_input.py``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .support.fake_http import fetch

COMMAND = [sys.executable, "-m", "fastly_tokens.testing"]
PREFIX = "python -m fastly_tokens.testing: "


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    """Start the server, read its banner up to ``password``, stop it on exit."""
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [*COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    timer = threading.Timer(30, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        lines: dict[str, str] = {}
        while "password" not in lines:
            line = proc.stdout.readline()
            assert line, "the server exited before printing its lines"
            name, _, value = line.rstrip("\n").partition(": ")
            lines[name] = value
        yield proc, lines
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
        timer.cancel()


def test_prints_parseable_lines_and_serves_until_sigterm() -> None:
    with serving("--port", "0", "--key", "cli-key") as (proc, lines):
        status, _ = fetch(lines["base_url"] + "/tokens/self", lines["key"])

    assert status == 200
    assert lines["key"] == "cli-key"
    assert lines["base_url"].startswith("http://127.0.0.1:")
    assert list(lines)[-1] == "password"
    assert {"superuser_key", "superuser_token_id", "superuser_username", "customer_id"} <= set(
        lines
    )
    assert lines["username"] == "user@example.com"
    assert lines["superuser_username"] == "admin@example.com"
    assert proc.returncode == 0


def test_account_flag_seeds_the_account_and_prints_what_it_needs() -> None:
    with serving("--account", "--seed", "3") as (_, lines):
        status, body = fetch(lines["base_url"] + "/automation-tokens", lines["superuser_key"])
        me, _ = fetch(lines["base_url"] + "/tokens/self", lines["automation_key"])

    assert status == 200
    assert json.loads(body)["meta"]["record_count"] == 5
    assert me == 200
    assert lines["two_factor_username"] == "bob@example.com"
    assert lines["two_factor_otp"] == "123456"
