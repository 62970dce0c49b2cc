"""The Fastly CLI's two outside calls, answered on loopback.

The CLI fetches ``<FASTLY_ACCOUNT_ENDPOINT>/realms/fastly/.well-known/openid-configuration``
before any command that needs a token, and fails if that does not answer JSON; and it checks
``https://developer.fastly.com`` for a newer release, an address no variable redirects. This
one server answers the first and, set as ``HTTPS_PROXY``, refuses the second's ``CONNECT``
with a 403 so the check fails at once. Loopback requests never go through the proxy.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import attrs

WELL_KNOWN_PATH = "/realms/fastly/.well-known/openid-configuration"


@attrs.frozen
class Seen:
    """One request the stub received."""

    method: str
    target: str


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[Seen] = []
        self.seen_lock = threading.Lock()

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """Say nothing when a client hangs up early: the CLI drops a refused CONNECT at once."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _note(self) -> None:
        with self.server.seen_lock:
            self.server.seen.append(Seen(self.command, self.path))

    def _send(self, status: int, body: bytes = b"", content_type: str | None = None) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._note()
        if self.path != WELL_KNOWN_PATH:
            self._send(404)
            return
        realm = f"{self.server.url}/realms/fastly"
        document = {
            "issuer": realm,
            "authorization_endpoint": f"{realm}/protocol/openid-connect/auth",
            "token_endpoint": f"{realm}/protocol/openid-connect/token",
            "jwks_uri": f"{realm}/protocol/openid-connect/certs",
        }
        self._send(200, json.dumps(document).encode(), "application/json")

    def do_CONNECT(self) -> None:
        self._note()
        self._send(403)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


class CliStub:
    """Serve the account endpoint and the refusing proxy until the ``with`` block ends."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: for FASTLY_ACCOUNT_ENDPOINT and HTTPS_PROXY alike."""
        return self._server.url

    @property
    def seen(self) -> list[Seen]:
        """Every request so far, in arrival order."""
        with self._server.seen_lock:
            return list(self._server.seen)

    def __enter__(self) -> CliStub:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
