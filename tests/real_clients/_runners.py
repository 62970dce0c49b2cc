"""Run the Fastly CLI and the fastly-js driver against a fake, each in a sealed environment.

Neither client sees the developer's environment: a fresh HOME, only the variables named
here, and a timeout on every run. Loopback addresses are never proxied (Go's rule), so
``HTTPS_PROXY`` catches only the CLI's update check.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ._fake import FakeProcess
from ._stub import CliStub

RUN_TIMEOUT = 60.0
DRIVER = Path(__file__).with_name("fastly_js_driver.cjs")


@attrs.frozen
class Run:
    """What one run of the CLI did."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Standard output as JSON (the CLI's ``--json``)."""
        return json.loads(self.out)


def _path() -> str:
    return os.environ.get("PATH", os.defpath)


@attrs.frozen
class Cli:
    """The ``fastly`` binary pointed at one fake, with its config in ``home``."""

    binary: Path
    fake: FakeProcess
    stub: CliStub
    home: Path

    def __call__(
        self, *args: str, key: str | None = None, env: Mapping[str, str] | None = None
    ) -> Run:
        """Run ``fastly ARGS --non-interactive`` as the seeded user (or ``key``)."""
        variables = {
            "PATH": _path(),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "FASTLY_API_ENDPOINT": self.fake.base_url,
            "FASTLY_API_TOKEN": self.fake.key if key is None else key,
            "FASTLY_ACCOUNT_ENDPOINT": self.stub.url,
            "HTTPS_PROXY": self.stub.url,
            "HTTP_PROXY": self.stub.url,
            **(env or {}),
        }
        done = subprocess.run(  # noqa: S603 - the pinned binary with our own arguments
            [str(self.binary), *args, "--non-interactive"],
            capture_output=True,
            text=True,
            env=variables,
            timeout=RUN_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
            cwd=self.home,
        )
        return Run(done.returncode, done.stdout, done.stderr)


def step(api: str, op: str, **args: Any) -> dict[str, Any]:
    """One fastly-js call for :class:`Js`: ``api`` class, operation, its options."""
    return {"api": api, "op": op, "args": args}


@attrs.frozen
class Js:
    """The fastly-js driver pointed at one fake."""

    node: str
    prefix: Path
    fake: FakeProcess

    def __call__(
        self,
        *steps: dict[str, Any],
        key: str | None = None,
        basic: tuple[str, str] | None = None,
        use_key: bool = True,
    ) -> list[dict[str, Any]]:
        """Run ``steps`` on one ApiClient; ``key`` defaults to the seeded user's.

        ``basic`` adds an HTTP Basic login; ``use_key=False`` sends no Fastly-Key at all.
        """
        variables = {
            "PATH": _path(),
            "HOME": str(self.prefix),
            "FASTLY_JS_PREFIX": str(self.prefix),
            "FASTLY_TEST_BASE_URL": self.fake.base_url,
        }
        if use_key:
            variables["FASTLY_API_TOKEN"] = self.fake.key if key is None else key
        if basic is not None:
            variables["FASTLY_TEST_USERNAME"], variables["FASTLY_TEST_PASSWORD"] = basic
        done = subprocess.run(  # noqa: S603 - node from PATH running our own driver
            [self.node, str(DRIVER), json.dumps(list(steps))],
            capture_output=True,
            text=True,
            env=variables,
            timeout=RUN_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, done.stderr
        results: list[dict[str, Any]] = json.loads(done.stdout)
        return results
