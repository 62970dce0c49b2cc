"""What the command leaves on a terminal's screen: the wait notice, and the Ctrl-C summary.

A request waited on for more than a second is named on a transient line on a terminal (and
nothing is shown off one); Ctrl-C during ``revoke`` stops the bar where it was and prints the
report of what was reached below it, on lines of its own. The clock and sleep are injected: a
waited second costs no real time.
"""

from __future__ import annotations

import asyncio
import io
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from aiohttp import web

from fastly_tokens.cli._console import Output
from fastly_tokens.cli._run import run
from fastly_tokens.cli._streams import Streams
from fastly_tokens.cli._waiting import AFTER, WaitNotice
from fastly_tokens.testing import FakeFastly

from .support.cli import KEY, Run, app_in_thread, check_run, cli_environ

pytestmark = pytest.mark.fake_fastly(key=KEY, seed=5)

TERMINAL = {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}
_STYLE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def plain(text: str) -> str:
    """The text without rich's styles and cursor moves."""
    return _STYLE.sub("", text)


class Clock:
    """A clock the injected sleep moves on: a waited second costs no real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class _Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


class Watched(io.StringIO):
    """Standard error that sets ``seen`` once ``text`` has been written to it."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.seen = threading.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.text in self.getvalue():
            self.seen.set()
        return written


# -- the wait notice ---------------------------------------------------------------------------


class HeldServer:
    """Answers ``GET /tokens/self`` only once ``release`` is set (by the test, or a timeout)."""

    def __init__(self, release: threading.Event) -> None:
        self.release = release
        self.base_url = ""

    async def _self(self, request: web.Request) -> web.Response:
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 20)
        return web.json_response(
            {"id": "heldToken0000000000001", "name": "held", "scope": "global"}
        )

    @contextmanager
    def serving(self) -> Iterator[HeldServer]:
        app = web.Application()
        app.router.add_get("/tokens/self", self._self)
        with app_in_thread(app, "HeldServer") as self.base_url:
            try:
                yield self
            finally:
                self.release.set()  # a held answer lets go before the server stops


def test_a_slow_request_names_its_host_on_a_terminal() -> None:
    # The server answers only once the notice is on the screen; the injected clock makes the
    # second it waits for cost no real time.
    err = Watched("waiting for 127.0.0.1")
    clock = Clock()
    with HeldServer(err.seen).serving() as server:
        environ = cli_environ(base_url=server.base_url, token=KEY, env=TERMINAL)
        streams = Streams(_Stdin(""), io.StringIO(), err, environ, clock=clock, sleep=clock.sleep)
        code = run(["current", "--json"], streams)
    shown = err.getvalue()

    assert code == 0, shown
    assert "waiting for 127.0.0.1 (1 s)" in shown
    assert shown.endswith("\r\x1b[2K")  # erased once the answer came
    assert clock.now >= AFTER


def test_off_a_terminal_a_command_has_no_notice() -> None:
    released = threading.Event()
    released.set()
    with HeldServer(released).serving() as server:
        err = io.StringIO()
        streams = Streams(
            _Stdin(""), io.StringIO(), err, cli_environ(base_url=server.base_url, token=KEY)
        )
        assert not Output(streams).waiting.enabled
        code = run(["current", "--json"], streams)

    assert code == 0
    assert err.getvalue() == ""


def test_the_notice_waits_a_second_and_goes_with_the_last_request() -> None:
    screen = io.StringIO()
    clock = Clock()
    notice = WaitNotice(screen, enabled=True, clock=clock)
    notice.started(1, "api.fastly.com")
    clock.now = AFTER - 0.1
    notice.tick()
    assert screen.getvalue() == ""
    clock.now = 2.4
    notice.tick()
    notice.tick()  # the same words are not written twice
    assert screen.getvalue() == "\r\x1b[2Kwaiting for api.fastly.com (2 s)"
    notice.started(2, "other.example")
    notice.ended(1)
    assert screen.getvalue().endswith("(2 s)")  # a request is still in flight
    notice.ended(2)
    assert screen.getvalue().endswith("\r\x1b[2K")
    with notice.paused():
        notice.started(3, "api.fastly.com")
        clock.now = 10.0
        notice.tick()
    assert "(7 s)" not in screen.getvalue()


def test_off_a_terminal_the_notice_writes_nothing() -> None:
    screen = io.StringIO()
    clock = Clock()
    notice = WaitNotice(screen, enabled=False, clock=clock)
    notice.started(1, "api.fastly.com")
    clock.now = 100.0
    notice.tick()
    notice.ended(1)
    assert screen.getvalue() == ""


# -- Ctrl-C during revoke, on a terminal --------------------------------------------------------


class InterruptingScreen(io.StringIO):
    """One terminal for both streams, that gets Ctrl-C once the bar is first drawn."""

    def __init__(self) -> None:
        super().__init__()
        self.interrupted = False

    def write(self, text: str) -> int:
        written = super().write(text)
        if not self.interrupted and "revoking" in text:
            self.interrupted = True
            signal.raise_signal(signal.SIGINT)
        return written


@pytest.fixture
def python_sigint_handler() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("python_sigint_handler")
@pytest.mark.fake_fastly(key=KEY, seed_tokens=300, seed=5)
def test_the_ctrl_c_summary_comes_below_a_stopped_bar(fake_fastly: FakeFastly) -> None:
    ids = [t.id for t in fake_fastly.tokens_of(fake_fastly.user) if t.id != fake_fastly.token_id]
    screen = InterruptingScreen()
    environ = cli_environ(base_url=fake_fastly.base_url, token=KEY, env=TERMINAL)
    code = run(["revoke", *ids, "--strategy", "each"], Streams(_Stdin(""), screen, screen, environ))
    shown = screen.getvalue()
    check_run(Run(code, shown, ""), terminal=True)
    title = shown.index("Revocation report (interrupted)")
    after = shown[title:]

    assert screen.interrupted
    assert code == 130
    assert plain(shown[:title]).endswith("\n")  # the title starts a line of its own
    assert "revoking" not in after  # the bar was not drawn again below the report
    assert "\x1b[1A" not in after  # nor any line above it redrawn
    assert plain(after).splitlines()[0] == "Revocation report (interrupted)"
    assert "running the same command again revokes the rest" in after
    assert plain(after).rstrip().endswith("fastly-tokens: interrupted")
