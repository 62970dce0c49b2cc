"""``python -m fastly_tokens.testing`` through its real entry point, in a subprocess."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

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


def test_a_busy_port_is_one_line_and_status_2_before_any_seeding() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        # A million tokens take far longer than the timeout to seed: binding comes first.
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [*COMMAND, "--port", str(port), "--tokens", "1000000"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )

    assert done.returncode == 2
    assert done.stderr == (
        f"{PREFIX}error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )
    assert done.stdout == ""
    assert time.monotonic() - started < 20


@pytest.mark.parametrize(
    "args",
    [
        ["--tokens", "-5"],
        ["--tokens", "many"],
        ["--port", "70000"],
        ["--port", "-1"],
        ["--window", "0"],
        ["--window", "inf"],
        ["--latency", "-1"],
        ["--latency", "nan"],
        ["--rate-limit", "-1"],
        ["--bulk-max", "0"],
        ["--key", "has space"],
        ["--key", ""],
        ["--seed", "x"],
        ["--no-such-option"],
    ],
)
def test_bad_values_are_one_line_usage_errors(args: list[str]) -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*COMMAND, *args], capture_output=True, text=True, timeout=20, check=False
    )

    assert done.returncode == 2
    assert done.stderr.startswith(PREFIX + "error: ")
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_the_first_ctrl_c_during_a_large_seed_stops_it() -> None:
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [*COMMAND, "--port", str(port), "--tokens", "5000000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:  # listening means the signal handlers are in place and seeding began
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        stopped = time.monotonic()
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()

    assert proc.returncode == 130
    assert err == PREFIX + "interrupted while seeding\n"
    assert out == ""
    assert time.monotonic() - stopped < 10
