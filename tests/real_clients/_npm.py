"""Install a pinned npm package once into a cache outside the git tree, or say why not.

A machine without node or npm, or without the registry, gets :class:`Unavailable` with a
reason, which the tests turn into a skip: the suite must pass on machines without node.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import attrs

FASTLY_CLI = ("@fastly/cli-linux-x64", "16.1.0")
"""The real ``fastly`` binary, as shipped on npm (Linux x86-64 only)."""
FASTLY_JS = ("fastly", "13.0.0")
"""fastly-js: the newest version the registry has."""

INSTALL_TIMEOUT = 300.0


class Unavailable(Exception):
    """The package cannot be had on this machine; the message says why."""


@attrs.frozen
class Installed:
    """A package installed under ``prefix`` (its modules are in ``prefix/node_modules``)."""

    name: str
    version: str
    prefix: Path

    @property
    def package_dir(self) -> Path:
        """The package's own folder."""
        return self.prefix / "node_modules" / self.name


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/fastly-tokens/real-clients`` (``~/.cache`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fastly-tokens" / "real-clients"


def _installed_version(package_dir: Path) -> str | None:
    try:
        manifest = json.loads((package_dir / "package.json").read_text())
    except (OSError, ValueError):
        return None
    version = manifest.get("version") if isinstance(manifest, dict) else None
    return version if isinstance(version, str) else None


def _folder_name(name: str, version: str) -> str:
    return f"{name.strip('@').replace('/', '-')}-{version}"


def _first_error(done: subprocess.CompletedProcess[str]) -> str:
    """npm's first error line that says something (not where its log went)."""
    lines = [line.strip() for line in (done.stderr or done.stdout).splitlines()]
    useful = [line for line in lines if line and "complete log" not in line]
    return useful[0] if useful else f"exit status {done.returncode}"


def require_tool(name: str) -> str:
    """Return the path of ``name`` on PATH, or raise :class:`Unavailable`."""
    found = shutil.which(name)
    if found is None:
        raise Unavailable(f"{name} is not on PATH")
    return found


def install(name: str, version: str, *, root: Path | None = None) -> Installed:
    """Return the cached install of ``name@version``, installing it first if needed.

    The install goes to a scratch folder that is renamed into place only when complete,
    so an interrupted run never leaves a half-installed cache behind.
    """
    root = root or cache_root()
    final = Installed(name, version, root / _folder_name(name, version))
    if _installed_version(final.package_dir) == version:
        return final
    npm = require_tool("npm")
    require_tool("node")
    root.mkdir(parents=True, exist_ok=True)
    scratch = root / f".{_folder_name(name, version)}.{os.getpid()}.partial"
    shutil.rmtree(scratch, ignore_errors=True)
    command = [npm, "install", "--prefix", str(scratch), "--no-audit", "--no-fund"]
    command += ["--ignore-scripts", "--no-update-notifier", "--loglevel=error"]
    command += ["--fetch-retries=1", "--fetch-retry-mintimeout=1000"]
    command += ["--fetch-retry-maxtimeout=2000", f"{name}@{version}"]
    try:
        done = subprocess.run(  # noqa: S603 - npm from PATH with our own arguments
            command,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(scratch, ignore_errors=True)
        raise Unavailable(
            f"npm install {name}@{version} took over {INSTALL_TIMEOUT:.0f}s"
        ) from None
    if done.returncode != 0 or _installed_version(scratch / "node_modules" / name) != version:
        shutil.rmtree(scratch, ignore_errors=True)
        raise Unavailable(f"npm install {name}@{version} failed: {_first_error(done)}")
    if final.prefix.exists() and _installed_version(final.package_dir) != version:
        shutil.rmtree(final.prefix, ignore_errors=True)  # a broken earlier install
    try:
        scratch.rename(final.prefix)
    except OSError:
        # Another run finished the same install first; keep theirs.
        shutil.rmtree(scratch, ignore_errors=True)
    if _installed_version(final.package_dir) != version:
        raise Unavailable(f"{final.prefix} does not hold {name}@{version}")
    return final
