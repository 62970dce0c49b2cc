"""Running the command line, in this process or through its entry point, and a server to run it at.

``run_cli`` runs the whole command in this process (``run(argv, streams)``) with its own
streams and environment; ``run_subprocess`` runs the real entry point. Both check what every
run must hold: no secret and no raw control character in any byte written, and no traceback.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import attrs
from aiohttp import web

from fastly_tokens.cli._run import run
from fastly_tokens.cli._streams import Streams

KEY = "cliTest-KEY_4hX9qTz2LmVb7Rw1aB3c"
"""The seeded user's API token, 32 characters of the key alphabet as Fastly's are."""

PASSWORD = "correct horse battery staple"

HOSTILE = "\x1b[1A\x1b[2K\x1b]0;owned\x07\u202e"
"""Cursor up, erase line, set the window title (ended by BEL), and a right-to-left override."""

_ALLOWED_CONTROLS = frozenset("\n")
_STYLE = re.compile(r"\x1b\[[0-9;]*m")
_LIVE_DISPLAY = re.compile(r"\x1b\[\?25[lh]|\x1b\[2K|\x1b\[1A|\r")


@attrs.frozen
class Run:
    """What one run of the command did."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def text(self) -> str:
        return self.out + self.err


def raw_controls(text: str) -> set[str]:
    """The control and format characters in ``text`` that a terminal would act on."""
    return {c for c in text if not c.isprintable() and c not in _ALLOWED_CONTROLS and c != " "}


def check_run(run: Run, secrets: Iterable[str] = (), *, terminal: bool = False) -> Run:
    """Assert what every run holds: no secret, no traceback, no raw control character.

    On a terminal (``terminal``), rich's own colours and live-display moves are allowed, but not
    the hostile sequence nor any other control character.
    """
    for secret in [KEY, *secrets]:
        assert secret not in run.out, f"secret on stdout: {run.out!r}"
        assert secret not in run.err, f"secret on stderr: {run.err!r}"
    assert "Traceback" not in run.err, run.err
    if terminal:
        assert HOSTILE not in run.text
        ours = _LIVE_DISPLAY.sub("", _STYLE.sub("", run.text))
        assert not raw_controls(ours), (raw_controls(ours), ours)
    else:
        assert not raw_controls(run.text), (raw_controls(run.text), run.text)
    return run


class _Stdin(io.StringIO):
    def __init__(self, text: str, *, tty: bool) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def _no_prompt(prompt: str) -> str:
    raise AssertionError(f"the command prompted for a password: {prompt!r}")


def cli_environ(
    *, base_url: str | None, token: str | None, env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A clean environment for one run: wide, no colour forced, only the given FASTLY_*."""
    environ = {"COLUMNS": "200", "PATH": os.environ.get("PATH", "")}
    if base_url is not None:
        environ["FASTLY_API_URL"] = base_url
    if token is not None:
        environ["FASTLY_API_TOKEN"] = token
    environ.update(env or {})
    return environ


def run_cli(
    *argv: str,
    base_url: str | None = None,
    token: str | None = KEY,
    stdin: str = "",
    tty: bool = False,
    env: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] = _no_prompt,
    secrets: Iterable[str] = (),
    terminal: bool = False,
) -> Run:
    """Run ``fastly-tokens ARGV`` in this process (see :func:`run_unchecked`) and check it."""
    run = run_unchecked(
        *argv, base_url=base_url, token=token, stdin=stdin, tty=tty, env=env, prompt=prompt
    )
    return check_run(run, secrets, terminal=terminal)


def run_unchecked(
    *argv: str,
    base_url: str | None = None,
    token: str | None = KEY,
    stdin: str = "",
    tty: bool = False,
    env: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] = _no_prompt,
) -> Run:
    """Run ``fastly-tokens ARGV`` in this process; the token goes in the environment."""
    out, err = io.StringIO(), io.StringIO()
    streams = Streams(
        _Stdin(stdin, tty=tty),
        out,
        err,
        cli_environ(base_url=base_url, token=token, env=env),
        prompt_password=prompt,
    )
    code = run(list(argv), streams)
    return Run(code, out.getvalue(), err.getvalue())


def run_subprocess(
    *argv: str,
    base_url: str | None = None,
    token: str | None = KEY,
    command: list[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Run:
    """Run the real entry point (``python -m fastly_tokens`` unless ``command`` says)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("FASTLY_", "FORCE_"))}
    environ.pop("TTY_COMPATIBLE", None)
    environ.update(cli_environ(base_url=base_url, token=token, env=env))
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [*(command or [sys.executable, "-m", "fastly_tokens"]), *argv],
        input="",
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )
    return check_run(Run(done.returncode, done.stdout, done.stderr))


# -- a hostile server ---------------------------------------------------------------------


class EchoServer:
    """A loopback server that echoes each request's headers and body into an error ``msg``.

    That is what a misconfigured proxy, or a hostile server, does: the ``Fastly-Key`` header
    and the create form's password come back in the error, with ``HOSTILE`` escape sequences.
    ``token`` (a token's JSON) answers the GETs instead, when given; ``status`` is the error's,
    sent with ``headers``.
    """

    def __init__(
        self,
        *,
        status: int = 403,
        token: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.token = token
        self.headers = dict(headers or {})
        self.base_url = ""
        self.requests: list[str] = []

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append(f"{request.method} {request.path}")
        body = (await request.read()).decode("utf-8", "replace")
        if request.method == "GET" and self.token is not None:
            path = request.path
            listing = path == "/tokens" or (
                path.startswith("/customer/") and path.endswith("/tokens")
            )
            return web.json_response([self.token] if listing else self.token)
        headers = "; ".join(f"{name}: {value}" for name, value in request.headers.items())
        text = f"{HOSTILE}you sent {headers}"
        return web.json_response(
            {"msg": text, "detail": f"body {body} {HOSTILE}"},
            status=self.status,
            headers=self.headers,
        )

    @contextmanager
    def serve_in_thread(self) -> Iterator[EchoServer]:
        """Serve from a background thread with its own event loop until the block ends."""
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        with app_in_thread(app, "EchoServer") as self.base_url:
            yield self


@contextmanager
def app_in_thread(app: web.Application, name: str) -> Iterator[str]:
    """Serve ``app`` on loopback from a thread with its own event loop; yield its base URL.

    For the command run in this process: its own ``asyncio.run`` needs the server elsewhere.
    """
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    base_url = ""

    async def start() -> None:
        nonlocal base_url
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        base_url = f"http://{host}:{port}"

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, name=name, daemon=True)
    thread.start()
    assert ready.wait(10), f"{name} did not start"
    try:
        yield base_url
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
