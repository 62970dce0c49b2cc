"""The standalone fake as a subprocess, and a small HTTP helper to read its state.

The helper is plain ``urllib`` on purpose: it checks what the clients did through the
fake's HTTP API without going through our SDK, whose mistakes these tests must not hide.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

BANNER_KEYS = frozenset(
    {"base_url", "key", "token_id", "superuser_key", "customer_id", "username", "password"}
)
START_TIMEOUT = 20.0
HTTP_TIMEOUT = 10.0


class FakeDidNotStart(Exception):
    """The fake exited or printed no complete banner in time."""


@attrs.frozen
class Answer:
    """One HTTP answer: status and the decoded JSON body (None when empty)."""

    status: int
    body: Any


def call(
    base_url: str,
    method: str,
    path: str,
    *,
    key: str | None = None,
    form: Sequence[tuple[str, str]] | None = None,
) -> Answer:
    """Send one request to the fake; never raises for an HTTP error status."""
    headers = {"Accept": "application/json"}
    if key is not None:
        headers["Fastly-Key"] = key
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    url = base_url + path
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"not the loopback fake: {url!r}")
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 - http on loopback, checked above
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - as above
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            status, raw = error.code, error.read()
    return Answer(status, json.loads(raw) if raw else None)


def _parse_banner(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.splitlines(keepends=True):
        name, sep, value = line.partition(": ")
        if sep and line.endswith("\n"):
            fields[name.strip()] = value.strip()
    return fields


def _read_banner(process: subprocess.Popen[bytes], deadline: float) -> dict[str, str]:
    assert process.stdout is not None
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            fields = _parse_banner(seen.decode(errors="replace"))
            if fields.keys() >= BANNER_KEYS:
                return fields
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise FakeDidNotStart(f"no complete banner within {START_TIMEOUT:.0f}s")
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                raise FakeDidNotStart(f"the fake exited with status {process.wait()}")
            seen += chunk


@attrs.define
class FakeProcess:
    """``python -m fastly_tokens.testing`` running on a free loopback port."""

    process: subprocess.Popen[bytes]
    banner: Mapping[str, str]

    @classmethod
    def start(cls, log: Path, *args: str) -> FakeProcess:
        """Start the fake (its stderr goes to ``log``) and read its banner."""
        with log.open("wb") as stderr:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "fastly_tokens.testing", "--port", "0", *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        try:
            banner = _read_banner(process, time.monotonic() + START_TIMEOUT)
        except FakeDidNotStart as error:
            cls(process, {}).stop()
            raise FakeDidNotStart(f"{error}; its stderr: {log.read_text()[-2000:]}") from None
        return cls(process, banner)

    def stop(self) -> None:
        """Stop the fake with SIGTERM (SIGKILL if it hangs) and close its pipe."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()

    @property
    def base_url(self) -> str:
        """Where the fake listens, e.g. ``http://127.0.0.1:PORT``."""
        return self.banner["base_url"]

    @property
    def key(self) -> str:
        """The seeded ordinary user's API token."""
        return self.banner["key"]

    @property
    def superuser_key(self) -> str:
        """The seeded superuser's API token."""
        return self.banner["superuser_key"]

    def get(self, path: str, key: str) -> Answer:
        """``GET path`` with ``key``."""
        return call(self.base_url, "GET", path, key=key)

    def token_ids(self, path: str, key: str) -> list[str]:
        """The ids of a token list (``/tokens`` or ``/customer/{id}/tokens``)."""
        answer = self.get(path, key)
        assert answer.status == 200, answer
        return [token["id"] for token in answer.body]

    def authenticates(self, secret: str) -> bool:
        """Whether ``secret`` still opens ``GET /tokens/self`` (False on 401)."""
        status = self.get("/tokens/self", secret).status
        assert status in (200, 401), status
        return status == 200

    def create_token(self, name: str) -> tuple[str, str]:
        """Create a token for the seeded user by form login; return (id, secret)."""
        login = [("username", self.banner["username"]), ("password", self.banner["password"])]
        answer = call(self.base_url, "POST", "/tokens", form=[*login, ("name", name)])
        assert answer.status == 200, answer
        return answer.body["id"], answer.body["access_token"]
