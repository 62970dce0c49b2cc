"""Every bad input to ``python -m fastly_tokens.testing`` ends in one line and its exit status.

Usage errors (status 2) run ``main(argv)`` in this process: one line on standard error, naming
the option, nothing on standard output, no server started. A port it cannot listen on is one
line and status 2 before any seeding; the first Ctrl-C during a large seed stops it with
status 130. Those two run the real entry point in a subprocess, where ports and signals are
real.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest

from fastly_tokens.testing.__main__ import main

COMMAND = [sys.executable, "-m", "fastly_tokens.testing"]
PREFIX = "python -m fastly_tokens.testing: "


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--tokens", "-5"], "argument --tokens: -5 is not >= 0"),
        (["--tokens", "many"], "argument --tokens: 'many' is not an integer"),
        (["--tokens", "1e3"], "argument --tokens: '1e3' is not an integer"),
        (["--port", "70000"], "argument --port: 70000 is not between 0 and 65535"),
        (["--port", "-1"], "argument --port: -1 is not between 0 and 65535"),
        (["--port", ""], "argument --port: '' is not an integer"),
        (["--host", ""], "argument --host: empty (0.0.0.0 listens on every interface)"),
        (["--window", "0"], "argument --window: 0 is not > 0"),
        (["--window", "-3"], "argument --window: -3 is not > 0"),
        (["--window", "inf"], "argument --window: 'inf' is not a finite number of seconds"),
        (["--window", "soon"], "argument --window: 'soon' is not a number of seconds"),
        (["--latency", "-1"], "argument --latency: -1 is not >= 0"),
        (["--latency", "nan"], "argument --latency: 'nan' is not a finite number of seconds"),
        (["--latency", "1e400"], "argument --latency: '1e400' is not a finite number"),
        (["--rate-limit=-1"], "argument --rate-limit: -1 is not >= 0"),
        (["--rate-limit", "1e3"], "argument --rate-limit: '1e3' is not an integer"),
        (["--bulk-max", "0"], "argument --bulk-max: 0 is not >= 1"),
        (["--bulk-max", "x"], "argument --bulk-max: 'x' is not an integer"),
        (["--seed", "x"], "argument --seed: invalid int value: 'x'"),
        (["--seed", "1.5"], "argument --seed: invalid int value: '1.5'"),
        (["--key", "has space"], "argument --key: a key must be printable, without spaces"),
        (["--key", ""], "argument --key: a key must be printable"),
        (["--key", "a\tb"], "argument --key: a key must be printable"),
        (["--account=yes"], "argument --account: ignored explicit argument 'yes'"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["serve"], "unrecognized arguments: serve"),
    ],
)
def test_a_bad_value_is_one_usage_line(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(argv)
    out, err = capsys.readouterr()

    assert code == 2
    assert err.startswith(f"{PREFIX}error: ")
    assert says in err
    assert err.count("\n") == 1
    assert out == ""


@pytest.mark.parametrize("host", ["no.such.host.invalid", "999.1.1.1"])
def test_a_host_it_cannot_listen_on_is_one_line(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--host", host, "--tokens", "1000000"])
    out, err = capsys.readouterr()

    assert code == 2
    assert err.startswith(f"{PREFIX}error: cannot listen on {host}:0: ")
    assert "Unknown error" not in err  # a name that does not resolve says so
    assert err.count("\n") == 1
    assert out == ""


def test_a_busy_port_is_one_line_and_status_2_before_any_seeding() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
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


def test_the_entry_point_refuses_a_bad_value_in_one_line() -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*COMMAND, "--tokens", "-5"], capture_output=True, text=True, timeout=20, check=False
    )

    assert done.returncode == 2
    assert done.stderr == f"{PREFIX}error: argument --tokens: -5 is not >= 0\n"
    assert done.stdout == ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_the_first_ctrl_c_during_a_large_seed_stops_it_with_status_130() -> None:
    port = _free_port()
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
